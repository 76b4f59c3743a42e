// Log::AppendQuery: audit records of regulator queries as "query" entries.
#include <gtest/gtest.h>

#include <filesystem>

#include "ledger/jcs.h"
#include "ledger/log.h"
#include "ledger/log/log_testing.h"

namespace ledger {
namespace {

using logtesting::TestKey;

constexpr int64_t kNow = 1795680000123;  // 2026-11-26T08:00:00.123Z

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = logtesting::MakeTempDir("query");
    LogOptions o;
    o.data_dir = dir_;
    o.origin = "udi-ledger.example/q";
    o.key = TestKey("udi-ledger.example/q", 1);
    auto log = Log::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<Log> log_;
};

TEST_F(QueryTest, ARecordIsAVerifiableQueryEntry) {
  const nlohmann::json record = {{"caller", "fda-1"},
                                 {"participant", ""},
                                 {"role", "regulator"},
                                 {"method", "GET"},
                                 {"target", "/v1/trace/01/09506000134352"},
                                 {"at", "2026-11-26T08:00:00.123Z"}};
  auto index = log_->AppendQuery(record, kNow);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(*index, 0u);
  ASSERT_EQ(*log_->AppendQuery(nlohmann::json::object(), kNow), 1u);
  auto entry = log_->ReadEntry(0);
  ASSERT_TRUE(entry.ok());
  auto record_bytes = CanonicalizeJson(record);
  ASSERT_TRUE(record_bytes.ok());
  EXPECT_EQ(entry->bytes,
            "{\"index\":0,\"prevHash\":\"" + std::string(64, '0') +
                "\",\"query\":" + *record_bytes +
                ",\"receivedAt\":\"2026-11-26T08:00:00.123Z\",\"type\":"
                "\"query\"}");
  EXPECT_EQ(log_->Size(), 2u);
  log_.reset();
  auto report = VerifyDataDir(dir_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->size, 2u);
  EXPECT_EQ(report->events, 0u);
}

TEST_F(QueryTest, RecordsThatAreNotLoggableObjectsAreRefused) {
  struct Case {
    const char* name;
    nlohmann::json record;
    const char* want;
  } cases[] = {
      {"array", nlohmann::json::array({1}), "query: must be a JSON object"},
      {"string", "GET /v1/trace", "query: must be a JSON object"},
      {"null", nullptr, "query: must be a JSON object"},
      {"invalid UTF-8", {{"caller", std::string("\xff")}}, "query: "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = log_->AppendQuery(c.record, kNow);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.want), std::string::npos)
        << r.status().message();
  }
  EXPECT_EQ(log_->Size(), 0u);
}

}  // namespace
}  // namespace ledger
