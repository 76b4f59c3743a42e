#include <gtest/gtest.h>

#include "ledger/gs1.h"

namespace ledger::gs1 {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(ParseDigitalLink, StandardExampleWithQueryAttributes) {
  auto dl = ParseDigitalLink(
      "https://id.gs1.org/01/09506000134352/10/ABC/21/123?17=201225");
  ASSERT_TRUE(dl.ok()) << dl.status().ToString();
  EXPECT_EQ(dl->host, "https://id.gs1.org");
  EXPECT_EQ(dl->path,
            (Pairs{{"01", "09506000134352"}, {"10", "ABC"}, {"21", "123"}}));
  EXPECT_EQ(dl->attributes, (Pairs{{"17", "201225"}}));
  EXPECT_TRUE(dl->other_query.empty());
}

TEST(ParseDigitalLink, PrefixPercentDecodingAndOtherQuery) {
  auto dl = ParseDigitalLink(
      "http://example.com:8080/my/shop/01/9506000134352/22/2A/10/"
      "AB%2FC%25?linkType=gs1%3Apip&"
      "3103=000195&foo&99=X%20Y&17=261200");
  // AI 99 is a data attribute; "X Y" has a space, which CSET 82 does not allow.
  ASSERT_FALSE(dl.ok());
  EXPECT_EQ(
      dl.status().message(),
      "AI 99: character byte 0x20 at position 2 is not allowed (CSET 82)");
  dl = ParseDigitalLink(
      "http://example.com:8080/my/shop/01/9506000134352/22/2A/10/"
      "AB%2FC%25?linkType=gs1%3Apip&"
      "3103=000195&foo&17=261200&");
  ASSERT_TRUE(dl.ok()) << dl.status().ToString();
  EXPECT_EQ(dl->host, "http://example.com:8080");
  EXPECT_EQ(dl->path,
            (Pairs{{"01", "09506000134352"}, {"22", "2A"}, {"10", "AB/C%"}}));
  EXPECT_EQ(dl->attributes, (Pairs{{"3103", "000195"}, {"17", "261200"}}));
  EXPECT_EQ(dl->other_query, (Pairs{{"linkType", "gs1:pip"}, {"foo", ""}}));
}

TEST(ParseDigitalLink, QualifierChainsFromTheDictionary) {
  for (std::string_view ok :
       {"https://a.example/01/09506000134352/22/X/21/1",
        "https://a.example/01/09506000134352/235/TPX",
        "https://a.example/414/0614141123452/7040/1A2B",
        "https://a.example/417/1234567890128/7040/1A2B",
        "https://a.example/8004/061414112345400/7040/1A2B",
        "https://a.example/8006/040123451234560102/22/X/10/L/21/S",
        "https://a.example/8010/0614141123ABC/8011/1",
        "https://a.example/415/0614141123452/8020/INV1"}) {
    SCOPED_TRACE(ok);
    auto dl = ParseDigitalLink(ok);
    EXPECT_TRUE(dl.ok()) << dl.status().ToString();
  }
  auto bad =
      ParseDigitalLink("https://a.example/414/0614141123452/254/1/7040/1A2B");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "Digital Link: qualifiers AI 254 and AI 7040 cannot be combined "
            "(allowed after AI "
            "414: 254 | 7040)");
}

TEST(ParseDigitalLink, NotDigitalLinks) {
  for (std::string_view uri :
       {"urn:epc:id:sgtin:0614141.812345.6789", "mailto:x@example.com",
        "https://example.com/01", "https://example.com/?01=1"}) {
    SCOPED_TRACE(uri);
    EXPECT_FALSE(ParseDigitalLink(uri).ok());
  }
}

}  // namespace
}  // namespace ledger::gs1
