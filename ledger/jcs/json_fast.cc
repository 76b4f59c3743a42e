// A fast path for ParseJsonStrict: a direct recursive-descent parser that
// builds the same DOM as the strict SAX builder (json_strict.cc) for the plain
// JSON that clients send, and gives up (nullopt) on anything it does not
// handle itself or that is an error: the SAX path then decides, so errors and
// unusual input (surrogate escapes, long or huge numbers, deep nesting) keep
// exactly their answers. json_fast_test.cc checks both paths agree.
//
// With a `canonical` flag it also decides, while parsing, whether the text is
// exactly CanonicalizeJson of the DOM it builds (RFC 8785: no whitespace,
// members in UTF-16 order, the minimal escapes, ECMAScript number form), so a
// reader of stored canonical bytes (log entries) does not serialise them again
// to compare.
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "ledger/jcs.h"
#include "ledger/jcs/jcs_internal.h"

namespace ledger::jcs_internal {
namespace {

using json = nlohmann::json;

// Deeper documents take the SAX path (which enforces kMaxJsonDepth).
constexpr int kFastMaxDepth = 64;
// Integer tokens of at most this many digits are below 2^53 (exact doubles).
constexpr size_t kMaxFastIntegerDigits = 15;
constexpr size_t kMaxFastNumberToken = 63;

class FastParser {
 public:
  // With `check_canonical`, canonical() tells after a successful parse
  // whether the text is in RFC 8785 form.
  FastParser(std::string_view text, bool check_canonical)
      : p_(text.data()),
        end_(text.data() + text.size()),
        check_(check_canonical) {}

  bool ParseDocument(json* out) {
    SkipWhitespace();
    if (!Value(out, 0)) return false;
    SkipWhitespace();
    return p_ == end_;
  }

  bool canonical() const { return canonical_; }

 private:
  void SkipWhitespace() {
    const char* start = p_;
    while (p_ < end_ &&
           (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) {
      ++p_;
    }
    if (p_ != start) canonical_ = false;  // JCS writes no whitespace
  }

  // RFC 8785 §3.2.3: member names in strictly increasing UTF-16 code unit
  // order. Byte order of UTF-8 is code point order, which is UTF-16 order
  // unless a name holds a character above U+FFFF (lead byte 0xF0..0xF4).
  static bool Utf16Less(const std::string& a, const std::string& b) {
    auto supplementary = [](const std::string& s) {
      for (char c : s) {
        if (static_cast<unsigned char>(c) >= 0xF0) return true;
      }
      return false;
    };
    if (!supplementary(a) && !supplementary(b)) return a < b;
    return ToUtf16(a) < ToUtf16(b);
  }

  bool Value(json* out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return Object(out, depth + 1);
      case '[':
        return Array(out, depth + 1);
      case '"': {
        std::string s;
        if (!String(&s)) return false;
        *out = std::move(s);
        return true;
      }
      case 't':
        return Literal("true", json(true), out);
      case 'f':
        return Literal("false", json(false), out);
      case 'n':
        return Literal("null", json(nullptr), out);
      default:
        return Number(out);
    }
  }

  bool Literal(std::string_view word, json value, json* out) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    *out = std::move(value);
    return true;
  }

  bool Object(json* out, int depth) {
    if (depth > kFastMaxDepth) return false;
    ++p_;  // '{'
    *out = json::object();
    auto& members = out->get_ref<json::object_t&>();
    SkipWhitespace();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    const std::string* previous = nullptr;  // the member name before
    for (;;) {
      if (p_ == end_ || *p_ != '"') return false;
      std::string name;
      if (!String(&name)) return false;
      SkipWhitespace();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      SkipWhitespace();
      // Canonical members arrive in order, so the end is the usual place: the
      // hint makes that insertion one comparison instead of a tree descent.
      const size_t before = members.size();
      auto it = members.try_emplace(members.end(), std::move(name));
      if (members.size() == before) return false;  // duplicate: SAX names it
      if (check_ && canonical_) {
        if (previous != nullptr && !Utf16Less(*previous, it->first)) {
          canonical_ = false;
        }
        previous = &it->first;  // std::map keys do not move
      }
      if (!Value(&it->second, depth)) return false;
      SkipWhitespace();
      if (p_ == end_) return false;
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      SkipWhitespace();
    }
  }

  bool Array(json* out, int depth) {
    if (depth > kFastMaxDepth) return false;
    ++p_;  // '['
    *out = json::array();
    auto& items = out->get_ref<json::array_t&>();
    SkipWhitespace();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      items.emplace_back();
      if (!Value(&items.back(), depth)) return false;
      SkipWhitespace();
      if (p_ == end_) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      SkipWhitespace();
    }
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // The string starting at the opening quote; runs of plain bytes are
  // appended whole, runs with non-ASCII bytes after a strict UTF-8 check.
  bool String(std::string* out) {
    ++p_;  // '"'
    for (;;) {
      const char* run = p_;
      bool ascii = true;
      for (;;) {
        p_ += UnescapedRun(std::string_view(p_, static_cast<size_t>(end_ - p_)),
                           /*ascii_only=*/true);
        if (p_ == end_) break;
        const unsigned char c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20) break;
        ascii = false;  // c >= 0x80
        ++p_;
      }
      if (p_ != run) {
        std::string_view plain(run, static_cast<size_t>(p_ - run));
        if (!ascii && FindInvalidUtf8(plain) != std::string_view::npos) {
          return false;
        }
        out->append(plain);
      }
      if (p_ == end_) return false;
      const char c = *p_++;
      if (c == '"') return true;
      if (c != '\\' || p_ == end_) return false;  // a control character
      const char e = *p_++;
      if (AppendShortEscape(e, out)) {
        // JCS escapes '"' and '\\' and writes '/' as itself.
        if (e == '/') canonical_ = false;
        continue;
      }
      switch (e) {
        case 'u': {
          if (end_ - p_ < 4) return false;
          uint32_t cp = 0;
          for (int i = 0; i < 4; ++i) {
            int h = HexValue(p_[i]);
            if (h < 0) return false;
            cp = (cp << 4) | static_cast<uint32_t>(h);
          }
          // JCS writes \u only for the control characters without a short
          // escape, as \u00 and two lowercase hex digits.
          if (check_ &&
              (cp >= 0x20 || cp == '\b' || cp == '\t' || cp == '\n' ||
               cp == '\f' || cp == '\r' || (p_[3] >= 'A' && p_[3] <= 'F'))) {
            canonical_ = false;
          }
          p_ += 4;
          // Surrogates (pairs or lone ones) take the SAX path.
          if (cp >= 0xD800 && cp <= 0xDFFF) return false;
          AppendUtf8(cp, out);
          break;
        }
        default:
          return false;
      }
    }
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  // JSON number grammar; integer tokens of up to 15 digits become int64
  // (negative) or uint64 like nlohmann's lexer makes them, other tokens a
  // double by strtod (nlohmann's conversion); the rest takes the SAX path.
  bool Number(json* out) {
    const char* start = p_;
    bool negative = false;
    if (p_ < end_ && *p_ == '-') {
      negative = true;
      ++p_;
    }
    if (p_ == end_ || !IsDigit(*p_)) return false;
    const char* digits = p_;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    const size_t integer_digits = static_cast<size_t>(p_ - digits);
    bool integer = true;
    if (p_ < end_ && *p_ == '.') {
      integer = false;
      ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return false;
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return false;
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    if (integer) {
      if (integer_digits > kMaxFastIntegerDigits) return false;
      uint64_t v = 0;
      for (const char* d = digits; d < p_; ++d) {
        v = v * 10 + static_cast<uint64_t>(*d - '0');
      }
      if (negative && v == 0) canonical_ = false;  // "-0": JCS writes 0
      if (negative) {
        *out =
            json(static_cast<json::number_integer_t>(-static_cast<int64_t>(v)));
      } else {
        *out = json(static_cast<json::number_unsigned_t>(v));
      }
      return true;
    }
    const size_t length = static_cast<size_t>(p_ - start);
    if (length > kMaxFastNumberToken) return false;
    char token[kMaxFastNumberToken + 1];
    std::copy(start, p_, token);
    token[length] = '\0';
    char* parsed_end = nullptr;
    const double v = std::strtod(token, &parsed_end);
    if (parsed_end != token + length || !std::isfinite(v)) return false;
    if (check_ && canonical_ &&
        FormatNumber(v) != std::string_view(token, length)) {
      canonical_ = false;
    }
    *out = json(static_cast<json::number_float_t>(v));
    return true;
  }

  const char* p_;
  const char* const end_;
  const bool check_;
  bool canonical_ = true;
};

}  // namespace

std::optional<nlohmann::json> ParseJsonFast(std::string_view text) {
  json out;
  FastParser parser(text, /*check_canonical=*/false);
  if (!parser.ParseDocument(&out)) return std::nullopt;
  return out;
}

std::optional<nlohmann::json> ParseJsonFastCanonical(std::string_view text,
                                                     bool* canonical) {
  json out;
  FastParser parser(text, /*check_canonical=*/true);
  if (!parser.ParseDocument(&out)) return std::nullopt;
  *canonical = parser.canonical();
  return out;
}

}  // namespace ledger::jcs_internal
