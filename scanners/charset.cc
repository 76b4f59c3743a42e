#include "scanners/charset_internal.h"

namespace scanners {

bool IsGs1Cset82(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
      (c >= 'a' && c <= 'z'))
    return true;
  switch (c) {
    case '!':
    case '"':
    case '%':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case '-':
    case '.':
    case '/':
    case ':':
    case ';':
    case '<':
    case '=':
    case '>':
    case '?':
    case '_':
      return true;
    default:
      return false;
  }
}

std::string EscapeEpcUriComponent(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '"':
        out += "%22";
        break;
      case '%':
        out += "%25";
        break;
      case '&':
        out += "%26";
        break;
      case '/':
        out += "%2F";
        break;
      case '<':
        out += "%3C";
        break;
      case '>':
        out += "%3E";
        break;
      case '?':
        out += "%3F";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

namespace {
int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string HexByte(unsigned char b) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  return std::string("0x") + kDigits[b >> 4] + kDigits[b & 15];
}

std::string DescribeChar(char c) {
  if (c > 0x20 && c < 0x7f) return std::string("'") + c + "'";
  return HexByte(static_cast<unsigned char>(c));
}

ledger::Result<std::string> UnescapeEpcUriComponent(std::string_view s,
                                                    std::string_view what) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const std::string where =
        std::string(what) + ": position " + std::to_string(i) + ": ";
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || HexDigit(s[i + 1]) < 0 ||
          HexDigit(s[i + 2]) < 0) {
        return ledger::Status::InvalidArgument(where +
                                               "'%' needs two hex digits");
      }
      c = static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2]));
      i += 2;
      if (!IsGs1Cset82(c)) {
        return ledger::Status::InvalidArgument(
            where + "escaped character " + DescribeChar(c) +
            " is not in the GS1 82-character set");
      }
    } else if (!IsGs1Cset82(c) || c == '"' || c == '&' || c == '/' ||
               c == '<' || c == '>' || c == '?') {
      return ledger::Status::InvalidArgument(where + DescribeChar(c) +
                                             " is not allowed in an EPC URI");
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace scanners
