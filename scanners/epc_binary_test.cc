#include "scanners/epc_binary.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "scanners/testing_internal.h"

namespace scanners {
namespace {

using testing::ReadVectors;

std::string Field(const EpcTag& tag, const std::string& ai) {
  static const std::map<std::string, std::string EpcTag::*> kFields = {
      {"01", &EpcTag::gtin},   {"00", &EpcTag::sscc},
      {"414", &EpcTag::gln},   {"254", &EpcTag::gln_extension},
      {"8003", &EpcTag::grai}, {"8004", &EpcTag::giai}};
  return tag.*kFields.at(ai);
}

std::string Gs1Values(const EpcTag& tag) {
  std::string out;
  for (const char* ai : {"00", "01", "414", "254", "8003", "8004"}) {
    const std::string v = Field(tag, ai);
    if (v.empty()) continue;
    if (!out.empty()) out += ";";
    out += std::string(ai) + "=" + v;
  }
  return out;
}

TEST(EpcBinaryTest, DecodesPublishedAndEdgeVectors) {
  for (const auto& v : ReadVectors("epc_valid.txt")) {
    SCOPED_TRACE("epc_valid.txt:" + std::to_string(v.line_number));
    ASSERT_EQ(v.fields.size(), 6u);
    ledger::Result<EpcTag> tag = DecodeEpcHex(v.fields[0]);
    ASSERT_TRUE(tag.ok()) << tag.status().ToString();
    EXPECT_EQ(EpcSchemeName(tag->scheme), v.fields[1]);
    EXPECT_EQ(std::to_string(tag->filter), v.fields[2]);
    EXPECT_EQ(tag->pure_uri, v.fields[3]);
    EXPECT_EQ(tag->tag_uri, v.fields[4]);
    EXPECT_EQ(Gs1Values(*tag), v.fields[5]);
  }
}

TEST(EpcBinaryTest, KeyAgreesWithTheLedgersEpcUriParser) {
  // ledger::gs1::ParseIdentifier is an independent implementation of the URI ->
  // key mapping.
  for (const auto& v : ReadVectors("epc_valid.txt")) {
    SCOPED_TRACE("epc_valid.txt:" + std::to_string(v.line_number));
    ledger::Result<EpcTag> tag = DecodeEpcHex(v.fields[0]);
    ASSERT_TRUE(tag.ok()) << tag.status().ToString();
    ledger::Result<ledger::gs1::Gs1Key> key =
        ledger::gs1::ParseIdentifier(tag->pure_uri);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(tag->key.ToString(), key->ToString());
    EXPECT_TRUE(tag->key == *key);
  }
}

TEST(EpcBinaryTest, TagUriRoundTripsToTheSameHex) {
  for (const auto& v : ReadVectors("epc_valid.txt")) {
    SCOPED_TRACE("epc_valid.txt:" + std::to_string(v.line_number));
    std::string want = v.fields[0];
    for (char& c : want)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    ledger::Result<std::string> hex = EncodeEpcTagUri(v.fields[4]);
    ASSERT_TRUE(hex.ok()) << hex.status().ToString();
    EXPECT_EQ(*hex, want);
    // Pure URI + filter gives the same bits when the scheme is chosen
    // automatically.
    ledger::Result<std::string> auto_hex =
        EncodeEpcUri(v.fields[3], std::stoi(v.fields[2]));
    ASSERT_TRUE(auto_hex.ok()) << auto_hex.status().ToString();
    EXPECT_EQ(*auto_hex, want);
    ledger::Result<EpcTag> again = DecodeEpcHex(*hex);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->tag_uri, v.fields[4]);
  }
}

TEST(EpcBinaryTest, RejectsInvalidHexWithReason) {
  for (const auto& v : ReadVectors("epc_invalid.txt")) {
    SCOPED_TRACE("epc_invalid.txt:" + std::to_string(v.line_number));
    ASSERT_EQ(v.fields.size(), 2u);
    ledger::Result<EpcTag> tag = DecodeEpcHex(v.fields[0]);
    ASSERT_FALSE(tag.ok()) << tag->pure_uri;
    EXPECT_TRUE(tag.status().IsInvalidArgument());
    EXPECT_NE(tag.status().message().find(v.fields[1]), std::string::npos)
        << tag.status().message();
  }
}

TEST(EpcBinaryTest, RejectsUrisThatDoNotFitTheScheme) {
  const std::map<std::string, EpcScheme> kSchemes = {
      {"SGTIN-96", EpcScheme::kSgtin96}, {"SGTIN-198", EpcScheme::kSgtin198},
      {"SSCC-96", EpcScheme::kSscc96},   {"SGLN-96", EpcScheme::kSgln96},
      {"GRAI-96", EpcScheme::kGrai96},   {"GIAI-96", EpcScheme::kGiai96}};
  for (const auto& v : ReadVectors("epc_encode_invalid.txt")) {
    SCOPED_TRACE("epc_encode_invalid.txt:" + std::to_string(v.line_number));
    ASSERT_EQ(v.fields.size(), 4u);
    const int filter = std::stoi(v.fields[1]);
    ledger::Result<std::string> hex =
        v.fields[2] == "auto" ? EncodeEpcUri(v.fields[0], filter)
        : v.fields[2] == "tag"
            ? EncodeEpcTagUri(v.fields[0])
            : EncodeEpcUri(v.fields[0], kSchemes.at(v.fields[2]), filter);
    ASSERT_FALSE(hex.ok()) << *hex;
    EXPECT_NE(hex.status().message().find(v.fields[3]), std::string::npos)
        << hex.status().message();
  }
}

TEST(EpcBinaryTest, AutoSchemeUsesSgtin198ForAlphanumericSerial) {
  ledger::Result<std::string> hex =
      EncodeEpcUri("urn:epc:id:sgtin:95060001343.05.32a%2Fb", 3);
  ASSERT_TRUE(hex.ok()) << hex.status().ToString();
  EXPECT_EQ(*hex, "3666C4409047E159B2C2BF100000000000000000000000000000");
}

}  // namespace
}  // namespace scanners
