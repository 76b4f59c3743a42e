#include "node/replication/base64_leaf.h"

#include <gtest/gtest.h>

#include <random>

#include "ledger/bytes.h"

namespace replication {
namespace {

// Accepts exactly what ledger::FromBase64 accepts, with the same bytes.
void ExpectSameAsLedger(const std::string& b64) {
  SCOPED_TRACE("\"" + b64 + "\"");
  std::optional<std::string> want = ledger::FromBase64(b64);
  std::string got = "stale";
  bool ok = DecodeBase64Strict(b64, &got);
  ASSERT_EQ(ok, want.has_value());
  if (ok) {
    EXPECT_EQ(got, *want);
  }
}

TEST(Base64LeafTest, Cases) {
  struct Case {
    const char* b64;
    bool ok;
  };
  const Case cases[] = {
      {"", true},        {"QQ==", true},     {"QUI=", true},
      {"QUJD", true},    {"QUJDRA==", true}, {"+/+/", true},
      {"QR==", false},   {"QUJ=", false},    {"QQ=", false},
      {"QQ", false},     {"QQ===", false},   {"QQ==QUJD", false},
      {"====", false},   {"Q===", false},    {"QU=D", false},
      {"QUJD\n", false}, {"QU JD", false},   {"QUJ-", false},
      {"QUJ_", false},   {"=QUJ", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.b64);
    std::string out;
    EXPECT_EQ(DecodeBase64Strict(c.b64, &out), c.ok);
    ExpectSameAsLedger(c.b64);
  }
}

TEST(Base64LeafTest, AgreesWithLedgerOnRoundTripsAndMutations) {
  std::mt19937 rng(4);
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n";
  for (size_t len = 0; len < 300; ++len) {
    std::string bytes(len, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng());
    const std::string b64 = ledger::ToBase64(bytes);
    std::string out;
    ASSERT_TRUE(DecodeBase64Strict(b64, &out)) << len;
    ASSERT_EQ(out, bytes) << len;
    if (b64.empty()) continue;
    for (int m = 0; m < 8; ++m) {  // one character replaced
      std::string bad = b64;
      bad[rng() % bad.size()] = alphabet[rng() % alphabet.size()];
      ExpectSameAsLedger(bad);
    }
    ExpectSameAsLedger(b64.substr(0, b64.size() - 1));
    ExpectSameAsLedger(b64 + "====");
  }
}

}  // namespace
}  // namespace replication
