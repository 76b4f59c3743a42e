// Character sets of GS1 AI values and URI percent-encoding.
#include <cstdio>
#include <string_view>

#include "ledger/gs1/gs1_internal.h"

namespace ledger::gs1::internal {
namespace {

// CSET 82 in the order of GS1 General Specifications Figure 7.11-1 (the GMN
// check pair algorithm uses these positions as character values).
constexpr std::string_view kCset82 =
    "!\"%&'()*+,-./"
    "0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

int Cset82Index(char c) {
  size_t pos = kCset82.find(c);
  return c != '\0' && pos != std::string_view::npos ? static_cast<int>(pos)
                                                    : -1;
}

bool IsCset82(char c) { return Cset82Index(c) >= 0; }

bool IsCset39(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '#' ||
         c == '-' || c == '/';
}

bool IsCset64(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
         (c >= 'a' && c <= 'z') || c == '-' || c == '_' || c == '=';
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string DescribeChar(char c) {
  if (c > ' ' && c < 0x7f) return std::string("'") + c + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02X", static_cast<unsigned char>(c));
  return buf;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    bool unreserved = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
                      (c >= 'a' && c <= 'z') || c == '-' || c == '.' ||
                      c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

bool PercentDecode(std::string_view s, std::string* out, size_t* bad_offset) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      *out += s[i];
      continue;
    }
    int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      *bad_offset = i;
      return false;
    }
    *out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

std::string PadGtin14(std::string_view gtin) {
  if (gtin.size() == 8 || gtin.size() == 12 || gtin.size() == 13) {
    return std::string(14 - gtin.size(), '0') + std::string(gtin);
  }
  return std::string(gtin);
}

}  // namespace ledger::gs1::internal
