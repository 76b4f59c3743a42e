#include "scanners/hibc.h"

#include <gtest/gtest.h>

#include <string>

#include "scanners/testing_internal.h"

namespace scanners {
namespace {

using testing::ReadVectors;

// The fields of `d` in the vector-file notation.
std::string Describe(const HibcData& d) {
  std::string out;
  auto add = [&out](const std::string& name, const std::string& value) {
    if (!out.empty()) out += ";";
    out += name + "=" + value;
  };
  if (!d.lic.empty()) add("lic", d.lic);
  if (!d.pcn.empty()) add("pcn", d.pcn);
  if (d.unit_of_measure) add("uom", std::to_string(*d.unit_of_measure));
  if (!d.lot.empty()) add("lot", d.lot);
  if (!d.serial.empty()) add("serial", d.serial);
  if (d.expiry) add("expiry", *d.expiry);
  if (d.expiry_hour) add("hour", std::to_string(*d.expiry_hour));
  if (d.manufacture_date) add("mfg", *d.manufacture_date);
  if (d.quantity) add("qty", std::to_string(*d.quantity));
  if (d.link) add("link", std::string(1, *d.link));
  return out;
}

TEST(HibcTest, ParsesPublishedAndConstructedScans) {
  for (const auto& v : ReadVectors("hibc_valid.txt")) {
    SCOPED_TRACE("hibc_valid.txt:" + std::to_string(v.line_number) + " " +
                 v.fields[0]);
    ASSERT_EQ(v.fields.size(), 2u);
    ledger::Result<HibcData> d = ParseHibc(v.fields[0]);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(Describe(*d), v.fields[1]);
    EXPECT_EQ(d->check, v.fields[0].back());
    EXPECT_EQ(d->has_primary, !d->lic.empty());
  }
}

TEST(HibcTest, RejectsInvalidScansWithPositionAndReason) {
  for (const auto& v : ReadVectors("hibc_invalid.txt")) {
    SCOPED_TRACE("hibc_invalid.txt:" + std::to_string(v.line_number) + " " +
                 v.fields[0]);
    ASSERT_EQ(v.fields.size(), 2u);
    ledger::Result<HibcData> d = ParseHibc(v.fields[0]);
    ASSERT_FALSE(d.ok()) << Describe(*d);
    EXPECT_TRUE(d.status().IsInvalidArgument());
    EXPECT_NE(d.status().message().find(v.fields[1]), std::string::npos)
        << d.status().message();
  }
}

TEST(HibcTest, CheckCharacterIsSumModulo43) {
  // '+'=41 'A'=10 '1'..'3'=6 ... = 145; 145 mod 43 = 16 = 'G'.
  EXPECT_EQ(HibcCheckCharacter("+A123BJC5D6E71"), 'G');
  EXPECT_EQ(HibcCheckCharacter(""), '0');
  EXPECT_EQ(HibcCheckCharacter("%"), '%');   // 42
  EXPECT_EQ(HibcCheckCharacter("%1"), '0');  // 43 mod 43
}

}  // namespace
}  // namespace scanners
