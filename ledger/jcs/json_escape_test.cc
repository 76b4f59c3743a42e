#include <gtest/gtest.h>

#include <string>

#include "ledger/jcs/jcs_internal.h"

namespace ledger::jcs_internal {
namespace {

TEST(JsonEscapeTest, ShortEscapesAppendWhatTheyStandFor) {
  const struct {
    char e;
    bool ok;
    std::string want;
  } kCases[] = {
      {'"', true, "\""}, {'\\', true, "\\"}, {'/', true, "/"},
      {'b', true, "\b"}, {'f', true, "\f"},  {'n', true, "\n"},
      {'r', true, "\r"}, {'t', true, "\t"},  {'u', false, ""},
      {'a', false, ""},  {'0', false, ""},   {'N', false, ""},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::string("escape \\") + c.e);
    std::string out = "x";
    EXPECT_EQ(AppendShortEscape(c.e, &out), c.ok);
    EXPECT_EQ(out, "x" + c.want);
  }
}

TEST(JsonEscapeTest, Utf8OfEachEncodedLength) {
  const struct {
    uint32_t cp;
    std::string want;
  } kCases[] = {
      {0x41, "A"},
      {0x7F, "\x7F"},
      {0x80, "\xC2\x80"},
      {0x7FF, "\xDF\xBF"},
      {0x800, "\xE0\xA0\x80"},
      {0xFFFD, "\xEF\xBF\xBD"},
      {0x10000, "\xF0\x90\x80\x80"},
      {0x10FFFF, "\xF4\x8F\xBF\xBF"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.cp);
    std::string out;
    AppendUtf8(c.cp, &out);
    EXPECT_EQ(out, c.want);
    EXPECT_EQ(FindInvalidUtf8(out), std::string::npos);
  }
}

// UnescapedRun scans eight bytes at a time: every byte value at every
// position of the first and second word (and the tail) must end the run
// exactly where a byte-by-byte scan does.
TEST(JsonEscapeTest, UnescapedRunStopsAtTheFirstByteThatNeedsAnEscape) {
  auto reference = [](std::string_view s, bool ascii_only) {
    size_t i = 0;
    for (; i < s.size(); ++i) {
      const auto u = static_cast<uint8_t>(s[i]);
      if (u < 0x20 || u == '"' || u == '\\' || (ascii_only && u >= 0x80)) break;
    }
    return i;
  };
  for (size_t size : {0, 1, 7, 8, 9, 15, 16, 17, 23}) {
    for (size_t at = 0; at < size; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string s(size, 'a');
        s[at] = static_cast<char>(b);
        if (at + 1 < size) s[size - 1] = '"';  // a later stop never counts
        for (bool ascii_only : {false, true}) {
          SCOPED_TRACE(testing::Message()
                       << "size " << size << " byte " << b << " at " << at
                       << " ascii_only " << ascii_only);
          EXPECT_EQ(UnescapedRun(s, ascii_only), reference(s, ascii_only));
        }
      }
    }
  }
}

// AppendQuoted against the RFC 8785 §3.2.2.2 rules written byte by byte, for
// every byte below 0x80 at positions in and across the eight-byte words.
TEST(JsonEscapeTest, AppendQuotedEscapesExactlyTheJcsSet) {
  auto reference = [](std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (char c : s) {
      const auto u = static_cast<uint8_t>(c);
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\r':
          out += "\\r";
          break;
        default:
          if (u < 0x20) {
            out += "\\u00";
            out += kHex[u >> 4];
            out += kHex[u & 15];
          } else {
            out += c;
          }
      }
    }
    return out + "\"";
  };
  for (size_t at : {0, 3, 7, 8, 12, 16, 18}) {
    for (int b = 0; b < 0x80; ++b) {
      std::string s = "0123456789abcdefghij\xC3\xA9";
      s[at] = static_cast<char>(b);
      s[at + 2] = static_cast<char>(b);  // two escapes near each other
      SCOPED_TRACE(testing::Message() << "byte " << b << " at " << at);
      std::string out = "x";
      AppendQuoted(s, &out);
      EXPECT_EQ(out, "x" + reference(s));
    }
  }
}

}  // namespace
}  // namespace ledger::jcs_internal
