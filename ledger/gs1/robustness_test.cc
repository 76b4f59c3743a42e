// Property tests over mutated vector inputs: no input makes the parsers throw
// or crash, and every key that parses survives the trips through its Digital
// Link and its EPC URIs.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/gs1.h"
#include "ledger/gs1/test_vectors.h"

namespace ledger::gs1 {
namespace {

using testing::ReadVectors;

// xorshift64: deterministic, so a failure reproduces.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  size_t Below(size_t n) { return n == 0 ? 0 : Next() % n; }

 private:
  uint64_t state_;
};

std::string Mutate(std::string s, Random& rnd) {
  static constexpr std::string_view kAlphabet =
      "0123456789.%/:?&=#*~!\"'()+,-;<>_ AZaz\x1d\xff";
  int edits = 1 + static_cast<int>(rnd.Below(3));
  for (int i = 0; i < edits; ++i) {
    size_t pos = rnd.Below(s.size() + 1);
    char c = kAlphabet[rnd.Below(kAlphabet.size())];
    switch (rnd.Below(5)) {
      case 0:
        if (pos < s.size()) s[pos] = c;
        break;
      case 1:
        s.insert(pos, 1, c);
        break;
      case 2:
        if (pos < s.size()) s.erase(pos, 1);
        break;
      case 3:
        s.resize(pos);
        break;
      case 4:
        s.insert(pos, s.substr(rnd.Below(s.size()), 1 + rnd.Below(8)));
        break;
    }
  }
  return s;
}

void CheckRoundTrips(const std::string& input) {
  auto key = ParseIdentifier(input);
  if (!key.ok()) {
    EXPECT_FALSE(key.status().message().empty());
    return;
  }
  ASSERT_FALSE(key->parts.empty());
  auto again = ParseIdentifier(key->ToDigitalLink());
  ASSERT_TRUE(again.ok()) << key->ToDigitalLink() << ": "
                          << again.status().ToString();
  EXPECT_EQ(*again, *key) << key->ToDigitalLink();
  for (int cpl = 6; cpl <= 12; ++cpl) {
    auto epc = ToEpcUri(*key, cpl);
    if (!epc.ok()) continue;
    auto from_epc = ParseIdentifier(*epc);
    ASSERT_TRUE(from_epc.ok()) << *epc << ": " << from_epc.status().ToString();
    EXPECT_EQ(*from_epc, *key) << *epc;
  }
}

TEST(Robustness, MutatedIdentifiers) {
  std::vector<std::string> seeds;
  for (const auto& v : ReadVectors("identifiers.txt", 3))
    seeds.push_back(v.fields[0]);
  for (const auto& v : ReadVectors("epc_digital_link_pairs.txt", 3)) {
    seeds.push_back(v.fields[0]);
    seeds.push_back(v.fields[1]);
  }
  ASSERT_GT(seeds.size(), 100u);
  Random rnd(0x6a09e667f3bcc908ULL);
  int parsed = 0;
  for (int i = 0; i < 40000; ++i) {
    std::string input = Mutate(seeds[rnd.Below(seeds.size())], rnd);
    SCOPED_TRACE(input);
    try {
      CheckRoundTrips(input);
      parsed += ParseIdentifier(input).ok() ? 1 : 0;
    } catch (const std::exception& e) {
      FAIL() << "exception: " << e.what();
    }
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(
      parsed,
      1000);  // the mutations must not all be rejected, or nothing is tested
}

TEST(Robustness, MutatedAiValues) {
  auto vectors = ReadVectors("ai_values.txt", 3);
  Random rnd(0xbb67ae8584caa73bULL);
  for (int i = 0; i < 40000; ++i) {
    const auto& v = vectors[rnd.Below(vectors.size())];
    std::string value = Mutate(v.fields[1], rnd);
    SCOPED_TRACE(v.fields[0] + " " + value);
    try {
      Status st = ValidateAiValue(v.fields[0], value);
      if (!st.ok()) {
        EXPECT_EQ(st.message().rfind("AI " + v.fields[0] + ": ", 0), 0u);
      }
    } catch (const std::exception& e) {
      FAIL() << "exception: " << e.what();
    }
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(ToEpcUri, RejectsMalformedKeys) {
  struct Case {
    Gs1Key key;
    std::string error;
  };
  std::vector<Case> cases = {
      {Gs1Key{}, "empty key"},
      {Gs1Key{KeyKind::kSgtin, {{"01", "0950600013435"}, {"21", "1"}}},
       "AI 01: 13 characters, exactly 14 required"},
      {Gs1Key{KeyKind::kSgtin, {{"00", "106141412345678908"}}},
       "key 00/106141412345678908: primary AI 00 does not match its kind (AI "
       "01)"},
      {Gs1Key{KeyKind::kSgtin, {{"01", "09506000134352"}}},
       "sgtin: the EPC needs a serial component"},
      {Gs1Key{KeyKind::kSscc, {{"00", "106141412345678907"}}},
       "AI 00: check digit 7 should be 8"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key.ToString());
    auto epc = ToEpcUri(c.key, 7);
    ASSERT_FALSE(epc.ok()) << *epc;
    EXPECT_EQ(epc.status().message(), c.error);
  }
}

}  // namespace
}  // namespace ledger::gs1
