#include "api/logging.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "api/metrics.h"

namespace api {
namespace {

TEST(LoggingTest, LevelsParseAndFilter) {
  struct Case {
    std::string name;
    bool valid;
  };
  const Case cases[] = {{"debug", true}, {"info", true},  {"warn", true},
                        {"error", true}, {"INFO", false}, {"", false},
                        {"trace", false}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto level = ParseLogLevel(c.name);
    EXPECT_EQ(level.has_value(), c.valid);
    if (level) {
      EXPECT_EQ(LogLevelName(*level), c.name);
    }
  }
  std::vector<std::string> lines;
  SetLogSink([&lines](std::string_view l) { lines.emplace_back(l); });
  SetLogLevel(LogLevel::kWarn);
  LogLine(LogLevel::kInfo, "hidden");
  LogLine(LogLevel::kError, "shown", {{"requestId", "r1"}, {"status", 500}});
  SetLogLevel(LogLevel::kInfo);
  SetLogSink(nullptr);
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_EQ(lines[0].back(), '\n');
  auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["msg"], "shown");
  EXPECT_EQ(j["requestId"], "r1");
  EXPECT_EQ(j["status"], 500);
  EXPECT_EQ(lines[0].rfind("{\"time\":", 0), 0u) << "time comes first";
}

TEST(LoggingTest, InvalidUtf8InAFieldIsReplacedNotThrown) {
  std::vector<std::string> lines;
  SetLogSink([&lines](std::string_view l) { lines.emplace_back(l); });
  LogLine(LogLevel::kError, "request", {{"path", std::string("/\xff\xfe")}});
  SetLogSink(nullptr);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(nlohmann::json::parse(lines[0], nullptr, false).is_object());
}

TEST(LoggingTest, RequestIds) {
  struct Case {
    std::string id;
    bool valid;
  };
  const Case cases[] = {{"abc-DEF_1.2", true},
                        {std::string(64, 'a'), true},
                        {std::string(65, 'a'), false},
                        {"", false},
                        {"a b", false},
                        {"a\"b", false},
                        {"a\nb", false}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.id);
    EXPECT_EQ(IsValidRequestId(c.id), c.valid);
  }
  std::string a = NewRequestId(), b = NewRequestId();
  EXPECT_EQ(a.size(), 16u);
  EXPECT_TRUE(IsValidRequestId(a));
  EXPECT_NE(a, b);
  // Ids come from a per-thread pool of random bytes: across several refills
  // none repeats.
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string id = NewRequestId();
    EXPECT_EQ(id.size(), 16u);
    EXPECT_TRUE(IsValidRequestId(id));
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
}

TEST(MetricsOpsTest, GaugesByLabelAndRequestLatency) {
  Metrics m;
  std::string empty = m.Render(0);
  EXPECT_NE(empty.find("# TYPE udi_alarms gauge\nudi_alarms 0\n"),
            std::string::npos);
  m.SetGauge("udi_replication_lag_entries", "Entries behind.",
             {{"peer", "acme.example/log"}}, 12);
  m.SetGauge("udi_replication_lag_entries", "ignored help", {{"peer", "b\"x"}},
             0);
  m.SetGauge("bad name", "", {}, 1);
  m.SetGauge("udi_alarms", "Open alarms by kind.", {{"kind", "split_view"}}, 1);
  m.ObserveRequest(0.002);
  std::string out = m.Render(0);
  EXPECT_NE(out.find("# HELP udi_replication_lag_entries Entries behind.\n"),
            std::string::npos);
  EXPECT_NE(out.find("udi_replication_lag_entries{peer=\"acme.example/log\"} "
                     "12\n"),
            std::string::npos);
  EXPECT_NE(out.find("udi_replication_lag_entries{peer=\"b\\\"x\"} 0\n"),
            std::string::npos);
  EXPECT_EQ(out.find("bad name"), std::string::npos);
  EXPECT_NE(out.find("udi_alarms{kind=\"split_view\"} 1\n"), std::string::npos);
  EXPECT_EQ(out.find("udi_alarms 0"), std::string::npos);
  EXPECT_NE(out.find("udi_http_request_seconds_bucket{le=\"0.0025\"} 1\n"),
            std::string::npos);
  m.RemoveGauge("udi_replication_lag_entries", {{"peer", "b\"x"}});
  EXPECT_EQ(m.Render(0).find("b\\\"x"), std::string::npos);
}

}  // namespace
}  // namespace api
