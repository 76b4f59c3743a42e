#include "api/query.h"

#include <gtest/gtest.h>

namespace api {
namespace {

Request MakeRequest(const std::string& target) {
  Request r;
  r.method = "GET";
  EXPECT_TRUE(ParseTarget(target, &r).ok());
  return r;
}

TEST(QueryTest, IdentifiersAreNormalisedToGs1Keys) {
  struct Case {
    std::string value, key;
  };
  const Case cases[] = {
      {"urn:epc:id:sgtin:0614141.107346.2017", "01/10614141073464/21/2017"},
      {"https://id.gs1.org/01/10614141073464/21/2017",
       "01/10614141073464/21/2017"},
      {"https://example.com/01/10614141073464/21/2017",
       "01/10614141073464/21/2017"},
      {"urn:epc:id:sscc:0614141.1234567890", "00/106141412345678908"},
      {"urn:example:thing:42", "urn:example:thing:42"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.value);
    auto key = IdentifierKey(c.value);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(*key, c.key);
  }
  EXPECT_FALSE(IdentifierKey("urn:epc:id:sgtin:123").ok());
  EXPECT_FALSE(IdentifierKey("no-scheme").ok());
}

TEST(QueryTest, ParsesEveryParameter) {
  auto q = ParseEventQuery(
      MakeRequest(
          "/v1/events?MATCH_epc=urn:epc:id:sgtin:0614141.107346.2017%7C"
          "urn:epc:id:sgtin:0614141.107346.2018&EQ_bizStep=https://ref.gs1.org/"
          "cbv/"
          "BizStep-shipping&EQ_disposition=in_transit&EQ_eventType=ObjectEvent"
          "&GE_eventTime=2026-01-01T00:00:00Z&LT_eventTime=2026-01-02T00:00:00%"
          "2B01:00"
          "&orderBy=eventTime&perPage=7"),
      100, 1000);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_EQ(q->match_epc.size(), 2u);
  EXPECT_EQ(q->match_epc[1], "01/10614141073464/21/2018");
  EXPECT_EQ(q->biz_step, std::vector<std::string>{"shipping"});
  EXPECT_EQ(q->disposition, std::vector<std::string>{"in_transit"});
  EXPECT_EQ(*q->ge_event_time_ms, 1767225600000);
  EXPECT_EQ(*q->lt_event_time_ms, 1767308400000);
  EXPECT_EQ(q->order, QueryOrder::kEventTime);
  EXPECT_TRUE(
      q->descending);  // EPCIS: orderDirection defaults to DESC when ordering
  EXPECT_EQ(q->per_page, 7u);
  auto d = ChooseDrivingIndex(*q);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->kind, ledger::IndexKind::kEpc);

  auto plain = ParseEventQuery(MakeRequest("/v1/events"), 100, 1000);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->order, QueryOrder::kRecordTime);
  EXPECT_FALSE(plain->descending);
  EXPECT_EQ(plain->per_page, 100u);
  EXPECT_FALSE(ChooseDrivingIndex(*plain).has_value());
}

TEST(QueryTest, BadParametersAreNamed) {
  const std::pair<std::string, std::string> cases[] = {
      {"perPage=0", "perPage"},
      {"perPage=1001", "perPage"},
      {"perPage=x", "perPage"},
      {"MATCH_epc=", "MATCH_epc"},
      {"MATCH_epcClass=urn:epc:class:lgtin:bad", "MATCH_epcClass"},
      {"EQ_bizStep=flying", "EQ_bizStep"},
      {"EQ_disposition=melted", "EQ_disposition"},
      {"EQ_eventType=Party", "EQ_eventType"},
      {"eventType=Party", "eventType"},
      {"GE_eventTime=2026-13-01T00:00:00Z", "GE_eventTime"},
      {"LT_eventTime=2026-01-01", "LT_eventTime"},
      {"GE_eventTime=2026-01-02T00:00:00Z&LT_eventTime=2026-01-01T00:00:00Z",
       "LT_eventTime"},
      {"orderBy=size", "orderBy"},
      {"orderDirection=asc", "orderDirection"},
      {"nextPageToken=abc", "nextPageToken"},
      {"surprise=1", "surprise"},
  };
  for (const auto& [query, field] : cases) {
    SCOPED_TRACE(query);
    auto q = ParseEventQuery(MakeRequest("/v1/events?" + query), 100, 1000);
    ASSERT_FALSE(q.ok());
    EXPECT_EQ(q.status().message().rfind(field + ":", 0), 0u)
        << q.status().message();
  }
}

TEST(QueryTest, PageTokensAreBoundToTheQuery) {
  auto q = ParseEventQuery(
      MakeRequest("/v1/events?EQ_bizStep=shipping&orderBy=eventTime"), 10, 100);
  ASSERT_TRUE(q.ok());
  std::string token = EncodePageToken(*q, {1234, 56});
  auto next = ParseEventQuery(MakeRequest("/v1/"
                                          "events?EQ_bizStep=shipping&orderBy="
                                          "eventTime&perPage=3&nextPageToken=" +
                                          token),
                              10, 100);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  ASSERT_TRUE(next->after.has_value());
  EXPECT_EQ(next->after->time_ms, 1234);
  EXPECT_EQ(next->after->index, 56u);
  auto other = ParseEventQuery(
      MakeRequest(
          "/v1/events?EQ_bizStep=receiving&orderBy=eventTime&nextPageToken=" +
          token),
      10, 100);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().message().rfind("nextPageToken:", 0), 0u);
}

TEST(QueryTest, AfterTokenFollowsTheOrder) {
  EventQuery q;
  q.order = QueryOrder::kEventTime;
  q.after = QueryPosition{100, 5};
  EXPECT_TRUE(IsAfterToken(q, {101, 1}));
  EXPECT_TRUE(IsAfterToken(q, {100, 6}));
  EXPECT_FALSE(IsAfterToken(q, {100, 5}));
  EXPECT_FALSE(IsAfterToken(q, {99, 9}));
  q.descending = true;
  EXPECT_TRUE(IsAfterToken(q, {99, 9}));
  EXPECT_TRUE(IsAfterToken(q, {100, 4}));
  EXPECT_FALSE(IsAfterToken(q, {101, 1}));
  q.order = QueryOrder::kRecordTime;
  EXPECT_TRUE(IsAfterToken(q, {0, 4}));
  EXPECT_FALSE(IsAfterToken(q, {0, 5}));
}

TEST(QueryTest, MatchesFacts) {
  ledger::epcis::EventFacts f;
  f.type = ledger::epcis::EventType::kAggregationEvent;
  f.epcs = {"01/10614141073464/21/2017"};
  f.parent = "00/106141412345678908";
  f.biz_step = "packing";
  f.event_time_ms = 1000;
  EventQuery q;
  EXPECT_TRUE(MatchesQuery(q, f));
  q.match_any_epc = {"00/106141412345678908"};
  EXPECT_TRUE(MatchesQuery(q, f));
  q.match_epc = {
      "00/106141412345678908"};  // MATCH_epc does not look at parentID
  EXPECT_FALSE(MatchesQuery(q, f));
  q.match_epc.clear();
  q.event_type = {"ObjectEvent"};
  EXPECT_FALSE(MatchesQuery(q, f));
  q.event_type = {"AggregationEvent"};
  q.lt_event_time_ms = 1000;
  EXPECT_FALSE(MatchesQuery(q, f));
  q.lt_event_time_ms = 1001;
  EXPECT_TRUE(MatchesQuery(q, f));
}

}  // namespace
}  // namespace api
