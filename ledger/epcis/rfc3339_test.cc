#include <gtest/gtest.h>

#include "ledger/epcis.h"
#include "ledger/epcis/test_util.h"

namespace ledger::epcis {
namespace {

TEST(Rfc3339Test, ValidVectors) {
  const nlohmann::json vectors =
      testing::ReadJsonFile(testing::TestdataPath("rfc3339.json"));
  ASSERT_GE(vectors["valid"].size(), 20u);
  for (const auto& v : vectors["valid"]) {
    const std::string text = v[0].get<std::string>();
    SCOPED_TRACE(text);
    Result<int64_t> ms = ParseRfc3339Millis(text);
    ASSERT_TRUE(ms.ok()) << ms.status().ToString();
    EXPECT_EQ(*ms, v[1].get<int64_t>());
  }
}

TEST(Rfc3339Test, InvalidVectors) {
  const nlohmann::json vectors =
      testing::ReadJsonFile(testing::TestdataPath("rfc3339.json"));
  ASSERT_GE(vectors["invalid"].size(), 20u);
  for (const auto& v : vectors["invalid"]) {
    const std::string text = v[0].get<std::string>();
    SCOPED_TRACE(text);
    Result<int64_t> ms = ParseRfc3339Millis(text);
    ASSERT_FALSE(ms.ok()) << "parsed as " << *ms;
    EXPECT_TRUE(ms.status().IsInvalidArgument());
    EXPECT_EQ(ms.status().message(), v[1].get<std::string>());
  }
}

TEST(Rfc3339Test, OffsetsNameTheSameInstant) {
  // One instant written in three zones.
  EXPECT_EQ(*ParseRfc3339Millis("2026-11-26T10:00:00Z"),
            *ParseRfc3339Millis("2026-11-26T11:00:00+01:00"));
  EXPECT_EQ(*ParseRfc3339Millis("2026-11-26T10:00:00Z"),
            *ParseRfc3339Millis("2026-11-26T04:30:00-05:30"));
}

TEST(Rfc3339Test, FractionIsTruncatedToMilliseconds) {
  EXPECT_EQ(*ParseRfc3339Millis("1970-01-01T00:00:00.0019Z"), 1);
  EXPECT_EQ(*ParseRfc3339Millis("1970-01-01T00:00:00.5Z"), 500);
  EXPECT_EQ(*ParseRfc3339Millis("1970-01-01T00:00:00.05Z"), 50);
}

}  // namespace
}  // namespace ledger::epcis
