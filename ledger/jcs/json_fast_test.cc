// ParseJsonStrict's fast path must agree with the SAX path it stands in for:
// same acceptance, same DOM (number types included), same error messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
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
    return;
  }
  EXPECT_EQ(got->dump(), want->dump());
  EXPECT_TRUE(SameTypes(*got, *want));
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

TEST(JsonFastTest, AgreesOnTheRfc8785Inputs) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::string(UDI_TESTDATA) + "/input")) {
    SCOPED_TRACE(entry.path().string());
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    ExpectAgree(ss.str());
    ++files;
  }
  EXPECT_GT(files, 0);
}

// Byte mutations of valid documents: whatever each path says, they say the
// same (a fixed seed keeps failures reproducible).
TEST(JsonFastTest, AgreesOnMutatedDocuments) {
  const std::vector<std::string> seeds = {
      kEnvelope,
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
