// The generator's own identifier and time formatting against known answers
// (testdata) and against the ledger's independent parser: both identifier forms
// must reduce to the same GS1 key.
#include "tools/supplychain/identifiers.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ledger/epcis.h"
#include "ledger/gs1.h"
#include "tools/supplychain/rng.h"

namespace supplychain {
namespace {

nlohmann::json Vectors() {
  std::ifstream in(std::string(UDI_TESTDATA) + "/identifiers.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

std::string KeyOf(const std::string& uri) {
  ledger::Result<ledger::gs1::Gs1Key> key = ledger::gs1::ParseIdentifier(uri);
  EXPECT_TRUE(key.ok()) << uri << ": " << key.status().ToString();
  return key.ok() ? key->ToString() : "";
}

TEST(IdentifiersTest, CheckDigitsMatchKnownAnswers) {
  for (const auto& v : Vectors()["checkDigits"]) {
    SCOPED_TRACE(v.dump());
    EXPECT_EQ(std::string(1, Gs1CheckDigit(v["digits"].get<std::string>())),
              v["check"]);
  }
}

TEST(IdentifiersTest, EpcUrisMatchTagDataStandardExamples) {
  const nlohmann::json v = Vectors();
  for (const auto& s : v["sgtin"]) {
    SCOPED_TRACE(s.dump());
    EXPECT_EQ(
        SgtinEpc(s["prefix"].get<std::string>(), s["gtin"].get<std::string>(),
                 s["serial"].get<std::string>()),
        s["epc"]);
    EXPECT_EQ(
        SgtinKey(s["gtin"].get<std::string>(), s["serial"].get<std::string>()),
        s["key"]);
  }
  for (const auto& s : v["lgtin"]) {
    SCOPED_TRACE(s.dump());
    EXPECT_EQ(
        LgtinEpc(s["prefix"].get<std::string>(), s["gtin"].get<std::string>(),
                 s["lot"].get<std::string>()),
        s["epc"]);
    EXPECT_EQ(
        LgtinKey(s["gtin"].get<std::string>(), s["lot"].get<std::string>()),
        s["key"]);
  }
  for (const auto& s : v["sscc"]) {
    SCOPED_TRACE(s.dump());
    EXPECT_EQ(
        SsccEpc(s["prefix"].get<std::string>(), s["sscc"].get<std::string>()),
        s["epc"]);
    EXPECT_EQ(SsccKey(s["sscc"].get<std::string>()), s["key"]);
  }
  for (const auto& s : v["sgln"]) {
    SCOPED_TRACE(s.dump());
    EXPECT_EQ(
        SglnEpc(s["prefix"].get<std::string>(), s["gln"].get<std::string>(),
                s["extension"].get<std::string>()),
        s["epc"]);
    EXPECT_EQ(
        SglnKey(s["gln"].get<std::string>(), s["extension"].get<std::string>()),
        s["key"]);
    EXPECT_EQ(KeyOf(s["epc"]), s["key"]);
  }
  for (const auto& s : v["pgln"]) {
    EXPECT_EQ(
        PglnEpc(s["prefix"].get<std::string>(), s["gln"].get<std::string>()),
        s["epc"]);
  }
}

TEST(IdentifiersTest, EventTimesMatchKnownAnswersAndParseBack) {
  for (const auto& v : Vectors()["eventTimes"]) {
    SCOPED_TRACE(v.dump());
    ledger::Result<int64_t> utc =
        ledger::epcis::ParseRfc3339Millis(v["utc"].get<std::string>());
    ASSERT_TRUE(utc.ok());
    const std::string text = FormatEventTime(*utc, v["offset"], v["z"]);
    EXPECT_EQ(text, v["text"]);
    ledger::Result<int64_t> back = ledger::epcis::ParseRfc3339Millis(text);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, *utc);
  }
}

// Random identifiers under every company prefix length the generator uses: the
// EPC URI and the Digital Link of one item reduce to the same ledger key, which
// equals ours, and the ledger's check digits and EPC encoder agree with ours.
TEST(IdentifiersTest, AgreeWithTheLedgerForEveryPrefixLength) {
  Rng rng(2026);
  for (int length = 6; length <= 11; ++length) {
    for (int trial = 0; trial < 50; ++trial) {
      std::string prefix = "9";
      while (static_cast<int>(prefix.size()) < length)
        prefix += char('0' + rng.Below(10));
      SCOPED_TRACE(prefix);
      const std::string gtin = MakeGtin14('0', prefix, rng.Below(10));
      const std::string sscc =
          MakeSscc(char('0' + rng.Below(10)), prefix, rng.Below(100000));
      const std::string gln = MakeGln(prefix, rng.Below(10));
      for (const std::string& digits : {gtin, sscc, gln}) {
        EXPECT_TRUE(ledger::gs1::HasValidCheckDigit(digits)) << digits;
        EXPECT_EQ(
            ledger::gs1::ComputeCheckDigit(digits.substr(0, digits.size() - 1)),
            digits.back());
      }
      const std::string serial =
          trial % 2 ? "ABC" + std::to_string(trial) : std::to_string(trial);
      const std::string lot = "L" + std::to_string(trial);
      EXPECT_EQ(KeyOf(SgtinEpc(prefix, gtin, serial)), SgtinKey(gtin, serial));
      EXPECT_EQ(KeyOf(SgtinDigitalLink("https://id.gs1.org", gtin, serial)),
                SgtinKey(gtin, serial));
      EXPECT_EQ(KeyOf(SgtinDigitalLink("https://dl.udi-ledger.example", gtin,
                                       serial)),
                SgtinKey(gtin, serial));
      EXPECT_EQ(KeyOf(LgtinEpc(prefix, gtin, lot)), LgtinKey(gtin, lot));
      EXPECT_EQ(KeyOf(LgtinDigitalLink("https://id.gs1.org", gtin, lot)),
                LgtinKey(gtin, lot));
      EXPECT_EQ(KeyOf(SsccEpc(prefix, sscc)), SsccKey(sscc));
      EXPECT_EQ(KeyOf(SsccDigitalLink("https://id.gs1.org", sscc)),
                SsccKey(sscc));
      EXPECT_EQ(KeyOf(SglnEpc(prefix, gln, "0")), SglnKey(gln, "0"));
      EXPECT_EQ(KeyOf(SglnEpc(prefix, gln, "3")), SglnKey(gln, "3"));
      EXPECT_EQ(KeyOf(PglnEpc(prefix, gln)), "417/" + gln);
      ledger::Result<ledger::gs1::Gs1Key> key = ledger::gs1::ParseIdentifier(
          SgtinDigitalLink("https://id.gs1.org", gtin, serial));
      ASSERT_TRUE(key.ok());
      ledger::Result<std::string> epc = ledger::gs1::ToEpcUri(*key, length);
      ASSERT_TRUE(epc.ok()) << epc.status().ToString();
      EXPECT_EQ(*epc, SgtinEpc(prefix, gtin, serial));
    }
  }
}

TEST(IdentifiersTest, RandomTimesRoundTripThroughTheLedgerParser) {
  Rng rng(7);
  const int offsets[] = {0,   60,  120, -300, -360, -480,
                         330, 480, 540, -180, 840,  -720};
  for (int i = 0; i < 2000; ++i) {
    const int64_t ms =
        DaysFromCivil(2026, 1, 1) * kMsPerDay + rng.Range(0, 800 * kMsPerDay);
    const int offset = offsets[i % 12];
    const std::string text = FormatEventTime(ms, offset, i % 2 == 0);
    ledger::Result<int64_t> back = ledger::epcis::ParseRfc3339Millis(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().ToString();
    EXPECT_EQ(*back, ms) << text;
  }
  EXPECT_EQ(FormatDate(DaysFromCivil(2024, 2, 29)), "2024-02-29");
  EXPECT_EQ(FormatDate(DaysFromCivil(2026, 12, 31) + 1), "2027-01-01");
  EXPECT_EQ(FormatOffset(-210), "-03:30");
}

}  // namespace
}  // namespace supplychain
