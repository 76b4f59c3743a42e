// Structured logs, request ids, runtime log level, /metrics series for a
// dashboard, --print-config and the data-dir format check (issue 7), against
// real ledger-node processes.
#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <signal.h>

#include <filesystem>
#include <set>

#include "tests/ops/ops_test_util.h"

namespace udi_ops_test {
namespace {

using udi_http::HttpClient;
using udi_test::NodeProcess;
using udi_test::RunProgram;
using udi_test::TempDir;

bool IsHex16(const std::string& s) {
  return s.size() == 16 &&
         s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(OpsLogTest, RequestLinesAreJsonWithRequestIdsAndLevelChangesAtRunTime) {
  TempDir tmp;
  auto node = NodeProcess::Start(tmp.path() + "/data");
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  HttpClient client("127.0.0.1", (*node)->port());
  auto given = client.Send("GET", "/v1/node", "", {{"X-Request-Id", "t-42.a"}});
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->Header("x-request-id"), "t-42.a");
  auto made = client.Get("/v1/checkpoint");
  ASSERT_TRUE(made.ok());
  std::string made_id = made->Header("x-request-id");
  EXPECT_TRUE(IsHex16(made_id)) << made_id;
  auto bad_id = client.Send("GET", "/v1/node", "", {{"X-Request-Id", "a b"}});
  ASSERT_TRUE(bad_id.ok());
  EXPECT_TRUE(IsHex16(bad_id->Header("x-request-id")));

  // /healthz is logged at debug only: invisible until the level changes.
  ASSERT_TRUE(client.Get("/healthz").ok());
  HttpClient admin("127.0.0.1", (*node)->port());
  admin.SetBearerToken((*node)->AdminToken());
  auto level = admin.Get("/v1/admin/log-level");
  ASSERT_TRUE(level.ok());
  EXPECT_EQ(level->Json().value("level", ""), "info");
  auto bad = admin.Post("/v1/admin/log-level", {{"level", "loud"}});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->Json().value("field", ""), "level");
  auto anonymous = client.Post("/v1/admin/log-level", {{"level", "debug"}});
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->status, 401);
  auto set = admin.Post("/v1/admin/log-level", {{"level", "debug"}});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->status, 200) << set->body;
  EXPECT_EQ(set->Json().value("previous", ""), "info");
  auto health = client.Send("GET", "/healthz", "", {{"X-Request-Id", "probe"}});
  ASSERT_TRUE(health.ok());

  auto stopped = (*node)->Stop(SIGTERM);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->exit_code, 0);
  std::vector<json> lines = JsonLines(stopped->stderr_text);
  ASSERT_FALSE(lines.empty()) << stopped->stderr_text;
  bool saw_given = false, saw_made = false, saw_probe = false,
       saw_serving = false, saw_change = false;
  size_t healthz_lines = 0;
  for (const json& l : lines) {
    SCOPED_TRACE(l.dump());
    ASSERT_TRUE(l.contains("time") && l.contains("level") && l.contains("msg"));
    EXPECT_EQ(l["time"].get<std::string>().back(), 'Z');
    std::string msg = l["msg"], id = l.value("requestId", "");
    saw_serving |= msg == "serving";
    saw_change |= msg == "log level changed" &&
                  l.value("level", "") == "warn" &&
                  l.value("to", "") == "debug";
    if (msg != "request") continue;
    EXPECT_TRUE(l["status"].is_number_integer());
    EXPECT_TRUE(l["latencyMs"].is_number());
    EXPECT_TRUE(l["route"].is_string());
    if (l.value("route", "") == "healthz") ++healthz_lines;
    if (id == "t-42.a") {
      saw_given = true;
      EXPECT_EQ(l.value("route", ""), "node");
      EXPECT_EQ(l.value("status", 0), 200);
      EXPECT_EQ(l.value("method", ""), "GET");
      EXPECT_EQ(l.value("level", ""), "info");
    }
    saw_made |= id == made_id && l.value("route", "") == "checkpoint";
    saw_probe |= id == "probe" && l.value("level", "") == "debug";
  }
  EXPECT_TRUE(saw_given && saw_made && saw_probe && saw_serving && saw_change)
      << stopped->stderr_text;
  EXPECT_EQ(healthz_lines, 1u) << "the healthz probes before the level change "
                                  "must not be logged at info";
}

TEST(OpsLogTest, MetricsCarryTheDashboardSeries) {
  TempDir tmp;
  auto node = NodeProcess::Start(tmp.path() + "/data");
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  HttpClient admin("127.0.0.1", (*node)->port());
  admin.SetBearerToken((*node)->AdminToken());
  auto key = *ledger::SigningKey::Generate("acme");
  ASSERT_EQ(Register(admin, key), 201);
  ASSERT_EQ(SubmitEvents(admin, key, "m", 20), 20u);
  auto metrics = admin.Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  for (const char* series :
       {"udi_events_total{result=\"accepted\",reason=\"\"} 20",
        "# TYPE udi_commit_seconds histogram", "udi_commit_seconds_bucket{",
        "# TYPE udi_http_request_seconds histogram",
        "udi_http_request_seconds_count ", "# TYPE udi_alarms gauge",
        "udi_alarms 0"}) {
    EXPECT_NE(metrics->body.find(series), std::string::npos) << series << "\n"
                                                             << metrics->body;
  }
}

TEST(OpsConfigTest, PrintConfigListsEveryOptionAndRoundTrips) {
  TempDir tmp;
  auto printed = RunProgram({LedgerNode(), "--print-config", "--data",
                             tmp.path() + "/d", "--log-level", "warn"});
  ASSERT_TRUE(printed.ok());
  ASSERT_EQ(printed->exit_code, 0) << printed->stderr_text;
  json config = json::parse(printed->stdout_text, nullptr, false);
  ASSERT_TRUE(config.is_object()) << printed->stdout_text;
  EXPECT_EQ(config.value("logLevel", ""), "warn");
  EXPECT_EQ(config.value("dataDir", ""), tmp.path() + "/d");
  EXPECT_EQ(config.value("listen", ""), "127.0.0.1:7800");
  for (const char* key :
       {"name", "keyFile", "threads", "verifyThreads", "bodyLimitBytes",
        "maxPageSize", "blockCacheBytes", "maxBatchEvents", "peers"}) {
    EXPECT_TRUE(config.contains(key)) << key;
  }
  // The printed config is a valid config file giving the same config.
  std::string file = tmp.path() + "/node.json";
  WriteAll(file, printed->stdout_text);
  auto again = RunProgram({LedgerNode(), "--config", file, "--print-config"});
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->exit_code, 0) << again->stderr_text;
  EXPECT_EQ(json::parse(again->stdout_text), config);
  // A flag wins over the file.
  auto flag = RunProgram({LedgerNode(), "--config", file, "--print-config",
                          "--listen", "127.0.0.1:9"});
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(json::parse(flag->stdout_text).value("listen", ""), "127.0.0.1:9");

  struct Case {
    std::string json, want;
  };
  const Case cases[] = {
      {R"({"logLevl": "debug"})", "logLevl: unknown key"},
      {R"({"logLevel": "loud"})", "logLevel: want debug"},
      {R"({"listen": "nowhere"})", "listen: want HOST:PORT"},
      {R"({"dataDir": 5})", "dataDir: want a non-empty string"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.json);
    WriteAll(file, c.json);
    auto r = RunProgram({LedgerNode(), "--config", file, "--print-config"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 2);
    EXPECT_NE(r->stderr_text.find(c.want), std::string::npos) << r->stderr_text;
  }
}

// "Every option is documented": the keys --print-config lists and the rows
// of node/daemon/README.md's option table are the same set.
TEST(OpsConfigTest, EveryPrintedOptionIsDocumentedAndViceVersa) {
  auto printed = RunProgram({LedgerNode(), "--print-config"});
  ASSERT_TRUE(printed.ok());
  ASSERT_EQ(printed->exit_code, 0) << printed->stderr_text;
  json config = json::parse(printed->stdout_text, nullptr, false);
  ASSERT_TRUE(config.is_object());
  std::set<std::string> listed, documented;
  for (const auto& [key, value] : config.items()) {
    (void)value;
    listed.insert(key);
  }
  std::string readme =
      ReadAll(std::string(UDI_SOURCE_DIR) + "/node/daemon/README.md");
  std::istringstream in(readme);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    size_t end = line.find('`', 3);
    if (end != std::string::npos) documented.insert(line.substr(3, end - 3));
  }
  EXPECT_EQ(listed, documented);
}

TEST(OpsConfigTest, HelpIsManPageGrade) {
  auto help = RunProgram({LedgerNode(), "--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_EQ(help->exit_code, 0);
  for (const char* part :
       {"Usage: ledger-node", "--print-config", "--log-level",
        "Exit status:", "Signals:", "Files:", "Logs:"}) {
    EXPECT_NE(help->stdout_text.find(part), std::string::npos) << part;
  }
  for (const char* command : {"backup", "restore"}) {
    SCOPED_TRACE(command);
    auto r = RunProgram({Ledgerctl(), command, "--help"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 0);
    EXPECT_NE(r->stdout_text.find("Exit status:"), std::string::npos);
  }
}

// Sets m:version of a stopped data dir (a format this build does not write).
void SetFormatVersion(const std::string& dir, const std::string& version) {
  leveldb::DB* db = nullptr;
  leveldb::Options options;
  ASSERT_TRUE(leveldb::DB::Open(options, dir, &db).ok());
  ASSERT_TRUE(db->Put(leveldb::WriteOptions(), "m:version", version).ok());
  delete db;
}

TEST(OpsFormatTest, NodeRefusesANewerLogFormatWithAClearMessage) {
  TempDir tmp;
  std::string data = tmp.path() + "/data";
  auto node = NodeProcess::Start(data);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  ASSERT_TRUE((*node)->Stop(SIGTERM).ok());
  SetFormatVersion(data, "99");
  auto r =
      RunProgram({LedgerNode(), "--data", data, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_NE(r->stderr_text.find("log format 99 is newer than this ledger-node"),
            std::string::npos)
      << r->stderr_text;
  std::vector<json> lines = JsonLines(r->stderr_text);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().value("level", ""), "error");
}

}  // namespace
}  // namespace udi_ops_test
