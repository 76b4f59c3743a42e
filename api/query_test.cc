#include "api/query.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "ledger/envelope.h"

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
      {"GE_recordTime=yesterday", "GE_recordTime"},
      {"LT_recordTime=2026-01-01T25:00:00Z", "LT_recordTime"},
      {"GE_recordTime=2026-01-02T00:00:00Z&LT_recordTime=2026-01-01T00:00:00Z",
       "LT_recordTime"},
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

// A real log whose entries were received at chosen times: entry i (i >= 1) at
// kT0 + 1000 * ((i + 1) / 2), so equal times repeat in pairs.
class RecordTimeTest : public ::testing::Test {
 protected:
  static constexpr int64_t kT0 = 1798000000000;  // 2026-12-23T...Z
  void SetUp() override {
    char tmpl[] = "/tmp/udi-query-XXXXXX";
    dir_ = mkdtemp(tmpl);
    ledger::LogOptions o;
    o.data_dir = dir_;
    o.origin = "query-test";
    o.key = *ledger::SigningKey::Generate("query-test");
    auto log = ledger::Log::Open(std::move(o));
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    auto acme = *ledger::SigningKey::Generate("acme");
    ledger::Participant p{"0614141000005", "acme", "manufacturer",
                          acme.verifier().ToText(), false};
    ASSERT_TRUE(log_->AppendParticipant(p, kT0).ok());  // entry 0
    for (int i = 1; i <= 9; ++i) {
      nlohmann::json event = {
          {"type", "ObjectEvent"},
          {"eventTime", "2026-11-26T10:00:00.000Z"},
          {"eventTimeZoneOffset", "+00:00"},
          {"action", "OBSERVE"},
          {"epcList",
           {"urn:epc:id:sgtin:0614141.107346." + std::to_string(i)}}};
      auto env = ledger::SignEvent(event, acme);
      ASSERT_TRUE(env.ok());
      auto prepared = ledger::PrepareEvent(*env, acme.verifier());
      ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
      std::vector<ledger::PreparedEvent> batch;
      batch.push_back(std::move(*prepared));
      ASSERT_TRUE(
          log_->AppendEvents(std::move(batch), kT0 + 1000 * ((i + 1) / 2))
              .ok());
    }
  }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<ledger::Log> log_;
};

TEST_F(RecordTimeTest, RangeIsFoundByBinarySearch) {
  struct Case {
    std::optional<int64_t> ge, lt;
    uint64_t first, last;
  };
  const Case cases[] = {
      {std::nullopt, std::nullopt, 0, 10}, {kT0, std::nullopt, 0, 10},
      {kT0 + 1, std::nullopt, 1, 10},      {kT0 + 2000, std::nullopt, 3, 10},
      {std::nullopt, kT0 + 2000, 0, 3},    {kT0 + 1000, kT0 + 3000, 1, 5},
      {kT0 + 5000, std::nullopt, 9, 10},   {kT0 + 5001, std::nullopt, 10, 10},
      {std::nullopt, kT0, 0, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::to_string(c.ge.value_or(-1) - kT0) + " " +
                 std::to_string(c.lt.value_or(-1) - kT0));
    EventQuery q;
    q.ge_record_time_ms = c.ge;
    q.lt_record_time_ms = c.lt;
    auto range = RecordTimeRange(*log_, q);
    ASSERT_TRUE(range.ok()) << range.status().ToString();
    EXPECT_EQ(range->first, c.first);
    EXPECT_EQ(range->second, c.last);
    for (uint64_t i = 0; i < log_->Size(); ++i) {
      auto ms = EntryRecordTime(*log_->ReadEntry(i));
      ASSERT_TRUE(ms.ok());
      EXPECT_EQ(MatchesRecordTime(q, *ms), i >= c.first && i < c.last) << i;
    }
  }
}

}  // namespace
}  // namespace api
