// Process tests: the real `ledger-scan run` binary (and, end to end, the real
// `ledger-node`), killed with SIGKILL mid-stream. No sleeps: every wait polls a
// condition with a bound.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "ledger/envelope.h"
#include "ledger/keys.h"
#include "scanners/station/forwarder.h"
#include "scanners/station/llrp_reader_simulator.h"
#include "scanners/station/net.h"
#include "scanners/station/spool.h"
#include "scanners/station/station_testing.h"

namespace station {
namespace {

using json = nlohmann::json;
using testing::TempDir;
using testing::WaitFor;

const std::string kBin = UDI_BIN_DIR;

// A child process with stdout and stderr in files.
class Process {
 public:
  Process(std::vector<std::string> argv, const std::string& log_prefix)
      : log_prefix_(log_prefix) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int out = ::open((log_prefix + ".out").c_str(),
                             O_WRONLY | O_CREAT | O_APPEND, 0644);
      const int err = ::open((log_prefix + ".err").c_str(),
                             O_WRONLY | O_CREAT | O_APPEND, 0644);
      const int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Process() { Kill(SIGKILL); }
  // Sends `sig` and reaps the process. Returns the wait status.
  int Kill(int sig) {
    if (pid_ <= 0) return 0;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  bool Exited() {
    int status = 0;
    return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_ &&
           (pid_ = -1, true);
  }
  std::string Stderr() const { return testing::ReadFile(log_prefix_ + ".err"); }

 private:
  pid_t pid_ = -1;
  std::string log_prefix_;
};

uint16_t FreePort() {
  uint16_t port = 0;
  auto fd = ListenTcp("127.0.0.1", 0, &port);
  EXPECT_TRUE(fd.ok());
  return port;  // closed on return; the process under test binds it next
}

// A scanner on the station's TCP port: one line out, one answer back.
class Scanner {
 public:
  bool Connect(uint16_t port) {
    return WaitFor([&] {
      auto fd = ConnectTcp("127.0.0.1", port, nullptr, 1000);
      if (!fd.ok()) return false;
      fd_ = std::move(*fd);
      return true;
    });
  }
  void SendOnly(const std::string& line) {
    EXPECT_TRUE(SendAll(fd_.get(), line + "\n").ok());
  }
  // The answer line, or "" when the station went away.
  std::string Scan(const std::string& line) {
    if (!SendAll(fd_.get(), line + "\n").ok()) return "";
    while (buffer_.find('\n') == std::string::npos) {
      auto bytes = ReceiveSome(fd_.get(), nullptr, 60000);
      if (!bytes.ok() || bytes->empty()) return "";
      buffer_ += *bytes;
    }
    const size_t nl = buffer_.find('\n');
    std::string answer = buffer_.substr(0, nl);
    buffer_.erase(0, nl + 1);
    return answer;
  }

 private:
  Fd fd_;
  std::string buffer_;
};

std::string SerialScan(int i) {
  return "]d20109506000134352"
         "21SER" +
         std::to_string(i);
}

json StationConfigJson(const TempDir& dir, uint16_t node_port,
                       uint16_t scan_port, const std::string& token) {
  return {{"node", "http://127.0.0.1:" + std::to_string(node_port)},
          {"token", token},
          {"key", dir.Sub("station.key")},
          {"spool", dir.Sub("spool")},
          {"bizStep", "receiving"},
          {"disposition", "in_progress"},
          {"readPoint", "urn:epc:id:sgln:0614141.00777.0"},
          {"inputs",
           json::array({{{"tcp", "127.0.0.1:" + std::to_string(scan_port)}}})},
          {"retryInitialMs", 20},
          {"retryMaxMs", 200},
          {"batchSize", 50}};
}

std::unique_ptr<Process> StartStation(const TempDir& dir, int generation) {
  return std::make_unique<Process>(
      std::vector<std::string>{kBin + "/ledger-scan", "run", "--config",
                               dir.Sub("station.json")},
      dir.Sub("station" + std::to_string(generation)));
}

// The eventIds in the spool file (delivered or not), with how often each
// occurs.
std::map<std::string, int> SpooledIds(const std::string& spool_dir) {
  std::map<std::string, int> out;
  const std::string data = testing::ReadFile(spool_dir + "/spool.log");
  auto scan = ScanSpoolBytes(data, 0);
  EXPECT_TRUE(scan.ok()) << scan.status().ToString();
  if (scan.ok()) {
    for (const auto& r : scan->records)
      ++out[json::parse(r.payload)["eventId"].get<std::string>()];
  }
  return out;
}

json Status(const std::string& spool_dir) {
  const std::string out = spool_dir + "/../status.json";
  const std::string cmd =
      kBin + "/ledger-scan status --spool " + spool_dir + " > " + out;
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return json::parse(testing::ReadFile(out));
}

// Scans stream over TCP while the station is SIGKILLed and restarted; the node
// is down the whole time. Every scan answered OK is in the spool exactly once,
// and `status` counts them.
TEST(StationProcessTest, SigkillNeverLosesAnAcknowledgedScan) {
  TempDir dir;
  auto key = ledger::SigningKey::Generate("station-proc");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(ledger::WritePrivateKeyFile(dir.Sub("station.key"), *key).ok());
  const uint16_t port = FreePort();
  testing::WriteFile(dir.Sub("station.json"),
                     StationConfigJson(dir, FreePort(), port, "unused").dump());
  std::set<std::string> acked;
  int next = 0;
  for (int generation = 0; generation < 3; ++generation) {
    SCOPED_TRACE("station generation " + std::to_string(generation));
    auto station = StartStation(dir, generation);
    Scanner scanner;
    ASSERT_TRUE(scanner.Connect(port)) << station->Stderr();
    for (int i = 0; i < 40; ++i, ++next) {
      const std::string answer = scanner.Scan(SerialScan(next));
      ASSERT_EQ(answer.rfind("OK ni:///sha-256;", 0), 0u)
          << answer << station->Stderr();
      acked.insert(answer.substr(3));
    }
    EXPECT_EQ(
        scanner.Scan("(01)09506000134352(17)261132(21)X").rfind("ERR AI 17", 0),
        0u);
    // One more scan in flight when the station dies: it may or may not be
    // spooled.
    scanner.SendOnly(SerialScan(1000 + generation));
    station->Kill(SIGKILL);
  }
  const auto spooled = SpooledIds(dir.Sub("spool"));
  for (const auto& id : acked) {
    ASSERT_EQ(spooled.count(id), 1u) << id;
    EXPECT_EQ(spooled.at(id), 1);
  }
  const json status = Status(dir.Sub("spool"));
  // The acknowledged scans, plus at most the one in flight at each of the 3
  // kills.
  EXPECT_GE(status["pending"].get<size_t>(), acked.size());
  EXPECT_LE(status["pending"].get<size_t>(), acked.size() + 3);
  EXPECT_EQ(status["delivered"], 0);
  EXPECT_EQ(status["tornTailBytes"], 0);
  ASSERT_TRUE(status["oldestPending"].is_object()) << status.dump();
  EXPECT_EQ(status["oldestPending"]["scan"], SerialScan(0));
}

// A packing session (parent SSCC + children) survives SIGKILL of the station:
// the restarted station continues it, and the close spools one
// AggregationEvent with every child.
TEST(StationProcessTest, PackingSessionSurvivesSigkill) {
  TempDir dir;
  auto key = ledger::SigningKey::Generate("station-pack");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(ledger::WritePrivateKeyFile(dir.Sub("station.key"), *key).ok());
  const uint16_t port = FreePort();
  json config = StationConfigJson(dir, FreePort(), port, "unused");
  config["mode"] = "packing";
  config["bizStep"] = "packing";
  testing::WriteFile(dir.Sub("station.json"), config.dump());
  const std::string parent = "]C100106141412345678908";
  std::vector<std::string> answers;
  int child = 0;
  for (int generation = 0; generation < 3; ++generation) {
    SCOPED_TRACE("station generation " + std::to_string(generation));
    auto station = StartStation(dir, generation);
    Scanner scanner;
    ASSERT_TRUE(scanner.Connect(port)) << station->Stderr();
    if (generation == 0) {
      ASSERT_EQ(scanner.Scan(parent),
                "OK OPEN https://id.gs1.org/00/106141412345678908")
          << station->Stderr();
    } else {
      // Still packed from before the kill.
      EXPECT_EQ(scanner.Scan(SerialScan(0)).rfind("ERR ", 0), 0u);
    }
    if (generation < 2) {
      for (int i = 0; i < 3; ++i, ++child) {
        ASSERT_EQ(scanner.Scan(SerialScan(child)),
                  "OK ADDED " + std::to_string(child + 1))
            << station->Stderr();
      }
      station->Kill(SIGKILL);
      continue;
    }
    const std::string closed = scanner.Scan("CLOSE");
    ASSERT_EQ(closed.rfind("OK ni:///sha-256;", 0), 0u)
        << closed << station->Stderr();
    EXPECT_EQ(scanner.Scan("CLOSE"), "ERR nothing to close: no open parent");
    station->Kill(SIGKILL);
  }
  const auto spooled = SpooledIds(dir.Sub("spool"));
  ASSERT_EQ(spooled.size(), 1u);
  const std::string data = testing::ReadFile(dir.Sub("spool") + "/spool.log");
  auto records = ScanSpoolBytes(data, 0);
  ASSERT_TRUE(records.ok());
  const json event =
      json::parse(records->records.at(0).payload)["envelope"]["event"];
  EXPECT_EQ(event["type"], "AggregationEvent");
  EXPECT_EQ(event["parentID"], "https://id.gs1.org/00/106141412345678908");
  ASSERT_EQ(event["childEPCs"].size(), 6u) << event.dump();
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(
        event["childEPCs"][i],
        "https://id.gs1.org/01/09506000134352/21/SER" + std::to_string(i));
  }
  // The session file is gone: a new station starts with no open parent.
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("spool") + "/packing.json"));
}

// --- end to end with a real ledger-node
// ---------------------------------------------------

class NodeRunner {
 public:
  NodeRunner(const TempDir& dir) : dir_(dir), port_(FreePort()) {}
  void Start() {
    process_ = std::make_unique<Process>(
        std::vector<std::string>{kBin + "/ledger-node", "--data",
                                 dir_.Sub("node"), "--listen",
                                 "127.0.0.1:" + std::to_string(port_)},
        dir_.Sub("node" + std::to_string(starts_++)));
    NodeClient probe({"127.0.0.1", port_, "", 2000});
    ASSERT_TRUE(WaitFor([&] {
      auto r = probe.Get("/healthz");
      return r.ok() && r->first == 200;
    })) << process_->Stderr();
  }
  void Kill() { process_->Kill(SIGKILL); }
  uint16_t port() const { return port_; }
  std::string AdminToken() const {
    std::string t = testing::ReadFile(dir_.Sub("node/admin.token"));
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
    return t;
  }

 private:
  const TempDir& dir_;
  uint16_t port_;
  int starts_ = 0;
  std::unique_ptr<Process> process_;
};

std::string EncodedId(const std::string& id) {
  std::string out;
  for (unsigned char c : id) {
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

TEST(StationEndToEndTest, NodeAndStationKilledEveryAckedScanLandsInTheLogOnce) {
  TempDir dir;
  NodeRunner node(dir);
  ASSERT_NO_FATAL_FAILURE(node.Start());
  auto key = ledger::SigningKey::Generate("station-e2e");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(ledger::WritePrivateKeyFile(dir.Sub("station.key"), *key).ok());
  NodeClient admin({"127.0.0.1", node.port(), node.AdminToken(), 10000});
  auto registered = admin.Post("/v1/participants",
                               json{{"gln", "0614141000005"},
                                    {"name", key->name()},
                                    {"role", "manufacturer"},
                                    {"verifierKey", key->verifier().ToText()}}
                                   .dump());
  ASSERT_TRUE(registered.ok()) << registered.status().ToString();
  ASSERT_EQ(registered->first, 201) << registered->second;
  auto token = admin.Post(
      "/v1/tokens",
      json{{"role", "writer"}, {"participant", key->KeyId()}}.dump());
  ASSERT_TRUE(token.ok());
  ASSERT_EQ(token->first, 201) << token->second;
  const std::string writer = json::parse(token->second)["token"];
  auto info = admin.Get("/v1/node");
  ASSERT_TRUE(info.ok());
  const uint64_t size0 = json::parse(info->second)["size"];

  const uint16_t scan_port = FreePort();
  testing::WriteFile(
      dir.Sub("station.json"),
      StationConfigJson(dir, node.port(), scan_port, writer).dump());
  std::set<std::string> acked;
  int next = 0;
  auto stream = [&](int n, Scanner& scanner) {
    for (int i = 0; i < n; ++i, ++next) {
      const std::string answer = scanner.Scan(SerialScan(next));
      ASSERT_EQ(answer.rfind("OK ni:///sha-256;", 0), 0u) << answer;
      acked.insert(answer.substr(3));
    }
  };
  int station_kills = 0;
  {
    auto station = StartStation(dir, 0);
    Scanner scanner;
    ASSERT_TRUE(scanner.Connect(scan_port));
    ASSERT_NO_FATAL_FAILURE(stream(30, scanner));
    node.Kill();  // the node dies mid-stream; scanning goes on into the spool
    ASSERT_NO_FATAL_FAILURE(stream(30, scanner));
    station->Kill(SIGKILL);
    ++station_kills;
  }
  ASSERT_NO_FATAL_FAILURE(node.Start());
  {
    auto station = StartStation(dir, 1);
    Scanner scanner;
    ASSERT_TRUE(scanner.Connect(scan_port));
    ASSERT_NO_FATAL_FAILURE(stream(30, scanner));
    node.Kill();
    ASSERT_NO_FATAL_FAILURE(stream(10, scanner));
    ASSERT_NO_FATAL_FAILURE(node.Start());
    ASSERT_NO_FATAL_FAILURE(stream(20, scanner));
    ASSERT_TRUE(WaitFor([&] {
      return Status(dir.Sub("spool"))["pending"] == 0;
    })) << Status(dir.Sub("spool")).dump()
        << station->Stderr();
    station->Kill(SIGTERM);
  }
  NodeClient reader({"127.0.0.1", node.port(), node.AdminToken(), 10000});
  for (const auto& id : acked) {
    auto r = reader.Get("/v1/events/" + EncodedId(id));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->first, 200) << id << ": " << r->second;
  }
  info = reader.Get("/v1/node");
  ASSERT_TRUE(info.ok());
  const uint64_t added =
      json::parse(info->second)["size"].get<uint64_t>() - size0;
  // Each acknowledged scan once; at most one unacknowledged scan per station
  // kill (spooled but killed before its answer) on top.
  EXPECT_GE(added, acked.size());
  EXPECT_LE(added, acked.size() + station_kills);
}

// A signer the node does not know is rejected: the queue stops at that record
// (nothing skipped, nothing lost) and delivers it once the node accepts the
// key.
TEST(StationEndToEndTest, RejectedEnvelopeBlocksTheQueueUntilTheNodeAcceptsIt) {
  TempDir dir;
  NodeRunner node(dir);
  ASSERT_NO_FATAL_FAILURE(node.Start());
  auto key = ledger::SigningKey::Generate("station-late");
  ASSERT_TRUE(key.ok());
  auto spool = Spool::Open(dir.Sub("spool"));
  ASSERT_TRUE(spool.ok());
  // Two envelopes signed by the not yet registered key, spooled as the station
  // does.
  for (const char* serial : {"R1", "R2"}) {
    json event = {
        {"type", "ObjectEvent"},
        {"eventTime", "2026-11-26T10:00:00.000Z"},
        {"eventTimeZoneOffset", "+00:00"},
        {"epcList",
         {std::string("https://id.gs1.org/01/09506000134352/21/") + serial}},
        {"action", "OBSERVE"},
        {"bizStep", "receiving"}};
    auto env = ledger::SignEvent(event, *key);
    ASSERT_TRUE(env.ok());
    ASSERT_TRUE(
        (*spool)
            ->Append(
                json{{"eventId", serial}, {"envelope", env->ToJson()}}.dump())
            .ok());
  }
  Forwarder forwarder(spool->get(),
                      {"127.0.0.1", node.port(), node.AdminToken(), 10000}, 10,
                      5, 20);
  forwarder.Start();
  ASSERT_TRUE(WaitFor([&] { return forwarder.stats().failures >= 2; }));
  EXPECT_NE(
      forwarder.stats().last_error.find("rejected the spool record at byte 0"),
      std::string::npos)
      << forwarder.stats().last_error;
  EXPECT_EQ((*spool)->pending_count(), 2u);
  NodeClient admin({"127.0.0.1", node.port(), node.AdminToken(), 10000});
  auto registered = admin.Post("/v1/participants",
                               json{{"gln", "0614141000005"},
                                    {"name", key->name()},
                                    {"role", "manufacturer"},
                                    {"verifierKey", key->verifier().ToText()}}
                                   .dump());
  ASSERT_TRUE(registered.ok());
  ASSERT_EQ(registered->first, 201) << registered->second;
  ASSERT_TRUE(WaitFor([&] {
    return (*spool)->pending_count() == 0 && forwarder.stats().delivered == 2;
  })) << forwarder.stats().last_error;
  EXPECT_EQ(forwarder.stats().delivered, 2u);
  forwarder.Stop();
}

TEST(StationProcessTest, RunRejectsABadConfigByName) {
  TempDir dir;
  json config = StationConfigJson(dir, 1, 2, "t");
  config["inputs"] =
      json::parse(R"([{"tcp": "127.0.0.1:0", "colour": "red"}])");
  testing::WriteFile(dir.Sub("station.json"), config.dump());
  const std::string cmd = kBin + "/ledger-scan run --config " +
                          dir.Sub("station.json") + " 2> " + dir.Sub("err.txt");
  const int rc = std::system(cmd.c_str());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 2) << rc;
  EXPECT_NE(
      testing::ReadFile(dir.Sub("err.txt")).find("inputs[0]: want one of"),
      std::string::npos)
      << testing::ReadFile(dir.Sub("err.txt"));
  const std::string status = kBin + "/ledger-scan status 2> /dev/null";
  const int src = std::system(status.c_str());
  EXPECT_TRUE(WIFEXITED(src) && WEXITSTATUS(src) == 2) << src;
}

// The daemon with an LLRP input against the reader simulator: ROSpec set-up,
// tag reports (repeats within rfidRepeatWindowMs reported once), keepalive,
// reconnect after the reader drops the connection.
TEST(StationProcessTest, LlrpReaderTagsAreSpooledOnce) {
  TempDir dir;
  auto key = ledger::SigningKey::Generate("station-rfid");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(ledger::WritePrivateKeyFile(dir.Sub("station.key"), *key).ok());
  auto sim = LlrpReaderSimulator::Start();
  ASSERT_TRUE(sim.ok());
  json config = StationConfigJson(dir, FreePort(), FreePort(), "unused");
  config["inputs"] =
      json::array({{{"llrp", "127.0.0.1:" + std::to_string((*sim)->port())}}});
  config["rfidRepeatWindowMs"] = 600000;
  config["llrpRetryMaxMs"] = 50;
  testing::WriteFile(dir.Sub("station.json"), config.dump());
  auto station = StartStation(dir, 0);
  ASSERT_TRUE((*sim)->Accept().ok()) << station->Stderr();
  std::vector<uint16_t> received;
  uint32_t rospec = 0;
  ledger::Status hs = (*sim)->Handshake(&received, &rospec);
  ASSERT_TRUE(hs.ok()) << hs.ToString();
  ASSERT_TRUE((*sim)
                  ->SendTags({{"3074257BF7194E4000001A85", 1, true},
                              {"3074257BF7194E4000001A85", 2, true},
                              {"3074257BF7194E4000001A86", 1, false}})
                  .ok());
  ASSERT_TRUE((*sim)->KeepaliveRoundTrip(9).ok());
  ASSERT_TRUE(WaitFor([&] { return Status(dir.Sub("spool"))["pending"] == 2; }))
      << station->Stderr();
  (*sim)->Drop();
  ASSERT_TRUE((*sim)->Accept().ok());
  received.clear();
  hs = (*sim)->Handshake(&received, &rospec);
  ASSERT_TRUE(hs.ok()) << hs.ToString();
  ASSERT_TRUE((*sim)
                  ->SendTags({{"3074257BF7194E4000001A85", 1, true},
                              {"3074257BF7194E4000001A87", 1, true}})
                  .ok());
  ASSERT_TRUE(WaitFor([&] { return Status(dir.Sub("spool"))["pending"] == 3; }))
      << station->Stderr();
  const auto ids = SpooledIds(dir.Sub("spool"));
  EXPECT_EQ(ids.size(), 3u);
  station->Kill(SIGTERM);
}

}  // namespace
}  // namespace station
