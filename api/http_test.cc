#include "api/http.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace api {
namespace {

TEST(HttpTest, ParseTargetDecodesQuery) {
  Request r;
  ASSERT_TRUE(
      ParseTarget(
          "/v1/events?MATCH_epc=urn%3Aepc%3Aid%3Asgtin%3A0614141.812345.6789"
          "&perPage=5&x=a+b&&flag",
          &r)
          .ok());
  EXPECT_EQ(r.path, "/v1/events");
  ASSERT_EQ(r.query.size(), 4u);
  EXPECT_EQ(r.query[0].second, "urn:epc:id:sgtin:0614141.812345.6789");
  EXPECT_EQ(*r.Query("perPage"), "5");
  EXPECT_EQ(*r.Query("x"), "a b");
  EXPECT_EQ(*r.Query("flag"), "");
  EXPECT_FALSE(r.Query("missing").has_value());
}

TEST(HttpTest, MalformedEscapeNamesTheParameter) {
  Request r;
  ledger::Status st = ParseTarget("/v1/events?perPage=%4", &r);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().rfind("perPage:", 0), 0u) << st.message();
}

TEST(HttpTest, PercentRoundTrip) {
  const std::string cases[] = {"", "abc", "ni:///sha-256;00ff", "a+b c/d?e&f=g",
                               "\xe2\x80\x94"};
  for (const auto& c : cases) {
    SCOPED_TRACE(c);
    auto back = PercentDecode(PercentEncode(c), false);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, c);
  }
  EXPECT_FALSE(PercentDecode("%g0", false).has_value());
  EXPECT_FALSE(PercentDecode("%0", false).has_value());
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
}

TEST(HttpTest, ErrorsAreJsonNamingTheField) {
  Response r = ErrorResponse(400, "perPage: too large", "perPage");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"], "perPage: too large");
  EXPECT_EQ(j["field"], "perPage");
  Response o = OverloadedResponse("busy", 2);
  EXPECT_EQ(o.status, 503);
  ASSERT_EQ(o.headers.size(), 1u);
  EXPECT_EQ(o.headers[0].first, "Retry-After");
  EXPECT_EQ(StatusResponse(ledger::Status::FailedPrecondition("x")).status,
            409);
  EXPECT_EQ(StatusResponse(ledger::Status::InvalidArgument("x")).status, 400);
}

TEST(HttpTest, FormatsRfc3339) {
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(1795687200123), "2026-11-26T10:00:00.123Z");
}

TEST(HttpTest, AnswerBatchHandsOffWhenTheOutermostBatchEnds) {
  EXPECT_FALSE(AnswerBatch::Open());
  std::vector<std::string> ran;
  {
    AnswerBatch outer;
    EXPECT_TRUE(AnswerBatch::Open());
    AnswerBatch::AtEnd([&ran] { ran.push_back("first"); });
    {
      AnswerBatch inner;
      AnswerBatch::AtEnd([&ran] { ran.push_back("second"); });
    }
    EXPECT_TRUE(ran.empty()) << "an inner batch handed off early";
    EXPECT_TRUE(AnswerBatch::Open());
    // Another thread has no batch open.
    bool open_elsewhere = true;
    std::thread([&open_elsewhere] {
      open_elsewhere = AnswerBatch::Open();
    }).join();
    EXPECT_FALSE(open_elsewhere);
  }
  EXPECT_EQ(ran, (std::vector<std::string>{"first", "second"}));
  EXPECT_FALSE(AnswerBatch::Open());
  {
    AnswerBatch again;  // nothing left over from the last batch
  }
  EXPECT_EQ(ran.size(), 2u);
}

}  // namespace
}  // namespace api
