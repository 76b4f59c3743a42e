// ParseJsonStrict's fast path must agree with the SAX path it stands in for:
// same acceptance, same DOM (number types included), same error messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "ledger/jcs.h"
#include "ledger/jcs/jcs_internal.h"

namespace ledger {
namespace {

using json = nlohmann::json;

bool SameTypes(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
      if (ia.key() != ib.key() || !SameTypes(ia.value(), ib.value()))
        return false;
    }
  } else if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameTypes(a[i], b[i])) return false;
    }
  }
  return true;
}

// ParseJsonStrict (fast path first) against the SAX path alone.
void ExpectAgree(const std::string& text) {
  auto got = ParseJsonStrict(text);
  auto want = jcs_internal::ParseJsonStrictSax(text);
  ASSERT_EQ(got.ok(), want.ok())
      << (got.ok() ? want.status().message() : got.status().message());
  if (!want.ok()) {
    EXPECT_EQ(got.status().message(), want.status().message());
    bool canonical = false;
    auto both = ParseJsonStrictCanonical(text, &canonical);
    ASSERT_FALSE(both.ok());
    EXPECT_EQ(both.status().message(), want.status().message());
    return;
  }
  EXPECT_EQ(got->dump(), want->dump());
  EXPECT_TRUE(SameTypes(*got, *want));
  // ParseJsonStrictCanonical: the same answer, and the canonical flag is
  // exactly "the text is CanonicalizeJson of the value".
  bool canonical = false;
  auto both = ParseJsonStrictCanonical(text, &canonical);
  ASSERT_TRUE(both.ok()) << both.status().message();
  EXPECT_EQ(both->dump(), want->dump());
  EXPECT_TRUE(SameTypes(*both, *want));
  auto written = CanonicalizeJson(*want);
  EXPECT_EQ(canonical, written.ok() && *written == text)
      << "CanonicalizeJson: " << (written.ok() ? *written : "(fails)");
  // The fast path never accepts what the SAX path refuses, and gives the
  // same tree when it answers.
  if (auto fast = jcs_internal::ParseJsonFast(text)) {
    EXPECT_EQ(fast->dump(), want->dump());
    EXPECT_TRUE(SameTypes(*fast, *want));
  }
}

const char* kEnvelope =
    R"({"event":{"action":"OBSERVE","bizStep":"shipping",)"
    R"("disposition":"in_transit","epcList":)"
    R"(["urn:epc:id:sgtin:0614141.107346.a17"],)"
    R"("eventTime":"2026-11-26T10:00:00.000Z","eventTimeZoneOffset":"+00:00",)"
    R"("readPoint":{"id":"urn:epc:id:sgln:0614141.07346.1234"},)"
    R"("type":"ObjectEvent"},"signature":"c2lnbmF0dXJl","signer":"acme+1a2b3c4d"})";

TEST(JsonFastTest, PlainEnvelopeTakesTheFastPath) {
  auto fast = jcs_internal::ParseJsonFast(kEnvelope);
  ASSERT_TRUE(fast.has_value());
  ExpectAgree(kEnvelope);
}

TEST(JsonFastTest, AgreesWithTheSaxPath) {
  const std::vector<std::string> cases = {
      "",
      " ",
      "null",
      "true",
      "false",
      "tru",
      "nul",
      "0",
      "-0",
      "01",
      "-",
      "1.",
      ".5",
      "1e",
      "1e+",
      "1E+2",
      "-1.5e-3",
      "0.1",
      "1e400",
      "-1e400",
      "1e-400",
      "123456789012345",
      "1234567890123456",
      "9007199254740991",
      "9007199254740992",
      "9007199254740993",
      "-9007199254740993",
      "100000000000000000000",
      "18446744073709551616",
      "1.0",
      "2.50",
      "\"a\"",
      "\"\\u0041\\u00e9\\u20ac\"",
      "\"\\u0000\"",
      "\"\\ud83d\\ude00\"",
      "\"\\ud83d\"",
      "\"\\ude00x\"",
      "\"\\x\"",
      "\"\\u12\"",
      "\"\\uzzzz\"",
      "\"a\tb\"",
      "\"\x7f\"",
      "\"caf\xc3\xa9\"",
      "\"\xc3\"",
      "\"\xff\"",
      "\"\xed\xa0\x80\"",
      "\"\xe0\x80\xaf\"",
      "\"\xf4\x90\x80\x80\"",
      "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
      "\"unterminated",
      "[]",
      "{}",
      "[1,]",
      "[,1]",
      "{\"a\":1,}",
      "{\"a\" : 1 , \"b\" : [ 1 , 2 ] }",
      "{\"a\":1,\"a\":2}",
      "{\"a\":{\"b\":1,\"b\":1}}",
      "[1 2]",
      "{\"a\" 1}",
      "{1:2}",
      "[1]x",
      " \t\r\n[1]\n",
      "\xEF\xBB\xBF{}",
      "[\"\xEF\xBB\xBF\"]",
      std::string("[1]\0", 4),
      std::string(70, '[') + std::string(70, ']'),
      std::string(600, '[') + std::string(600, ']'),
      kEnvelope};
  for (const std::string& text : cases) {
    SCOPED_TRACE("input: " + text.substr(0, 80));
    ExpectAgree(text);
  }
}

// The fast path scans strings eight bytes at a time: every byte value at
// positions in and across those words (as a member name and as a value, with
// a non-ASCII character before or after it) gets the SAX path's answer.
TEST(JsonFastTest, AgreesOnEveryByteInLongStrings) {
  for (size_t at : {0, 5, 7, 8, 9, 15, 16, 21}) {
    for (int b = 0; b < 256; ++b) {
      std::string s = "abcdefghijklmnopqrstuvw";  // 23 bytes
      s[at] = static_cast<char>(b);
      SCOPED_TRACE(testing::Message() << "byte " << b << " at " << at);
      ExpectAgree("\"" + s + "\"");
      ExpectAgree("{\"" + s + "\":\"caf\xc3\xa9 " + s + "\"}");
      ExpectAgree("[\"\xc3\xa9" + s + "\",\"" + s + "\xe2\x82\xac\"]");
    }
  }
}

// ParseJsonStrictCanonical's flag on texts that differ from their canonical
// form in one way each (and on canonical ones), fast path or not.
TEST(JsonFastTest, CanonicalFlag) {
  struct Case {
    std::string text;
    bool canonical;
  };
  const std::vector<Case> cases = {
      {kEnvelope, true},
      {"{}", true},
      {"[]", true},
      {" {}", false},
      {"{}\n", false},
      {"[1, 2]", false},
      {"{\"a\" :1}", false},
      {"{\"a\":1,\"b\":2}", true},
      {"{\"b\":2,\"a\":1}", false},
      {"{\"a\":{\"d\":1,\"c\":2}}", false},
      {"{\"a\":1,\"aa\":2}", true},
      {"{\"aa\":1,\"a\":2}", false},
      // U+10000 (UTF-16 D800 DC00) sorts before U+E000, unlike in UTF-8.
      {"{\"\xf0\x90\x80\x80\":1,\"\xee\x80\x80\":2}", true},
      {"{\"\xee\x80\x80\":2,\"\xf0\x90\x80\x80\":1}", false},
      {"{\"\xc3\xa9\":1,\"z\":2}", false},
      {"{\"z\":2,\"\xc3\xa9\":1}", true},
      {"\"\\/\"", false},
      {"\"/\"", true},
      {"\"\\\"\\\\\\b\\f\\n\\r\\t\"", true},
      {"\"\\u0008\"", false},
      {"\"\\u000a\"", false},
      {"\"\\u001f\"", true},
      {"\"\\u001F\"", false},
      {"\"\\u0000\"", true},
      {"\"\\u0041\"", false},
      {"\"\\u00e9\"", false},
      {"\"\xc3\xa9\"", true},
      {"\"\x7f\"", true},
      {"\"\\ud83d\\ude00\"", false},
      {"\"\xf0\x9f\x98\x80\"", true},
      {"0", true},
      {"-0", false},
      {"-1", true},
      {"1.0", false},
      {"1.5", true},
      {"1E2", false},
      {"1e2", false},
      {"100", true},
      {"1e-7", true},
      {"1e+21", true},
      {"1e21", false},
      {"0.000001", true},
      {"1e-6", false},
      {"-0.0", false},
      {"123456789012345", true},
      {"1234567890123456", true},
      {"9007199254740991", true},
      {"100000000000000000000", true},
      {"1e+20", false},
      {"[true,false,null]", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("input: " + c.text);
    bool canonical = !c.canonical;
    auto parsed = ParseJsonStrictCanonical(c.text, &canonical);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(canonical, c.canonical);
    ExpectAgree(c.text);
  }
}

// (path, bytes) of every file in testdata/<dir>.
std::vector<std::pair<std::string, std::string>> TestdataFiles(
    const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::string(UDI_TESTDATA) + "/" + dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.emplace_back(entry.path().string(), ss.str());
  }
  return out;
}

TEST(JsonFastTest, AgreesOnTheRfc8785Inputs) {
  const auto files = TestdataFiles("input");
  EXPECT_GT(files.size(), 0u);
  for (const auto& [path, text] : files) {
    SCOPED_TRACE(path);
    ExpectAgree(text);
  }
}

// The cyberphone outputs are canonical (the file's bytes, without the final
// newline if there is one): the flag says so on the fast path or not.
TEST(JsonFastTest, Rfc8785OutputsAreCanonical) {
  const auto files = TestdataFiles("output");
  EXPECT_GT(files.size(), 0u);
  for (auto [path, text] : files) {
    SCOPED_TRACE(path);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    bool canonical = false;
    auto parsed = ParseJsonStrictCanonical(text, &canonical);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_TRUE(canonical);
    ExpectAgree(text);
  }
}

// Byte mutations of valid documents: whatever each path says, they say the
// same (a fixed seed keeps failures reproducible).
TEST(JsonFastTest, AgreesOnMutatedDocuments) {
  const std::vector<std::string> seeds = {
      kEnvelope,
      "{\"a\":[1,-2,350,true,false,null,\"x\xc3\xa9\\n\\u001f\"],\"b\":{\"c\":{"
      "}},"
      "\"d\":[1e-7,0.5,1e+21]}",
      R"({"a":[1,-2,3.5e2,true,false,null,"x\u00e9\n"],"b":{"c":{}},"d":[]})",
      "[0.1,-0,1e-7,123456789012345,\"caf\xc3\xa9 \xe2\x82\xac\"]"};
  const std::string alphabet =
      std::string("\"\\{}[],:0-+.eEu ntf1\x01\x7f\xc3\xa9\xff", 25) + "ad";
  std::mt19937 rng(20261126);
  for (int i = 0; i < 20000; ++i) {
    std::string text = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          text[at] = c;
          break;
        case 1:
          text.insert(text.begin() + static_cast<ptrdiff_t>(at), c);
          break;
        default:
          text.erase(at, 1);
          break;
      }
    }
    SCOPED_TRACE("mutation " + std::to_string(i) + ": " + text);
    ExpectAgree(text);
    if (HasFatalFailure() || HasNonfatalFailure()) return;
  }
}

}  // namespace
}  // namespace ledger
