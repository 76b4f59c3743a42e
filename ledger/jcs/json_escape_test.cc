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

}  // namespace
}  // namespace ledger::jcs_internal
