#include "scanners/scan.h"

#include <gtest/gtest.h>

#include <string>

#include "scanners/testing_internal.h"

namespace scanners {
namespace {

using testing::ReadVectors;

constexpr int kToday =
    2026;  // the year the vectors' two-digit-year expectations assume

TEST(ScanTest, EveryVectorGivesItsJsonLine) {
  for (const auto& v : ReadVectors("scan_vectors.txt", 2)) {
    SCOPED_TRACE("scan_vectors.txt:" + std::to_string(v.line_number) + " " +
                 v.fields[0]);
    ASSERT_EQ(v.fields.size(), 2u);
    EXPECT_EQ(ScanToJson(ParseScan(v.fields[0], kToday)), v.fields[1]);
  }
}

TEST(ScanTest, EveryEpcVectorGivesItsJsonLine) {
  for (const auto& v : ReadVectors("epc_json_vectors.txt", 2)) {
    SCOPED_TRACE("epc_json_vectors.txt:" + std::to_string(v.line_number));
    ASSERT_EQ(v.fields.size(), 2u);
    EXPECT_EQ(EpcToJson(DecodeEpcHex(v.fields[0])), v.fields[1]);
  }
}

TEST(ScanTest, SymbologyIdentifierSelectsTheParser) {
  // The same element string is GS1 data after ]d2 but not after ]d1
  // (DataMatrix, not GS1 mode).
  ledger::Result<Scan> gs1 = ParseScan("]d20109506000134352", kToday);
  ASSERT_TRUE(gs1.ok()) << gs1.status().ToString();
  EXPECT_EQ(gs1->gs1.symbology, "]d2");
  ledger::Result<Scan> plain = ParseScan("]d10109506000134352", kToday);
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().message(),
            "not GS1 data (symbology identifier ]d1)");
  // HIBC after a GS1 symbology identifier is GS1 data that fails, not HIBC.
  EXPECT_FALSE(ParseScan("]C1+A123BJC5D6E71G", kToday).ok());
  ledger::Result<Scan> hibc = ParseScan("]C0+A123BJC5D6E71G", kToday);
  ASSERT_TRUE(hibc.ok()) << hibc.status().ToString();
  EXPECT_EQ(hibc->scheme, ScanScheme::kHibc);
}

TEST(ScanTest, DigitalLinkAndElementStringGiveTheSameElements) {
  ledger::Result<Scan> dl = ParseScan(
      "https://example.org/01/09506000134352/10/ABC123/21/XYZ?17=261231",
      kToday);
  ledger::Result<Scan> es = ParseScan(
      "]d2010950600013435210ABC123\x1d"
      "21XYZ\x1d"
      "17261231",
      kToday);
  ASSERT_TRUE(dl.ok()) << dl.status().ToString();
  ASSERT_TRUE(es.ok()) << es.status().ToString();
  EXPECT_TRUE(dl->gs1.from_digital_link);
  EXPECT_EQ(dl->gs1.elements, es->gs1.elements);
  EXPECT_EQ(dl->gs1.digital_link, es->gs1.digital_link);
  EXPECT_EQ(dl->gs1.expiry, "2026-12-31");
}

TEST(ScanTest, InvalidUtf8InAnErrorStillGivesValidJsonText) {
  const std::string json = ScanToJson(ParseScan("\xff\xfe", kToday));
  EXPECT_EQ(json.rfind("{\"ok\": false, \"error\": ", 0), 0u) << json;
}

}  // namespace
}  // namespace scanners
