// Functional tests of a 3-node federation started with deploy/federation.sh,
// driven only through HTTP, the script and ledgerctl. No sleeps: every wait
// polls a condition with a deadline.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "ledger/cosignature.h"
#include "ledger/envelope.h"
#include "ledger/keys.h"
#include "ledger/log.h"
#include "ledger/note.h"
#include "node/client/http_client.h"
#include "tests/node_process.h"

namespace {

using nlohmann::json;
using udi_http::HttpClient;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Polls `done` until it is true or `seconds` pass; false on timeout.
// Federation steps (replication, cosigning) may take longer than the default.
bool WaitFor(const std::function<bool()>& done, int seconds = 60) {
  return udi_test::WaitFor(done, seconds);
}

json MakeEvent(const std::string& serial) {
  return {{"type", "ObjectEvent"},
          {"eventTime", "2026-11-26T10:00:00.000Z"},
          {"eventTimeZoneOffset", "+00:00"},
          {"action", "OBSERVE"},
          {"epcList", {"urn:epc:id:sgtin:0614141.107346." + serial}},
          {"bizStep", "shipping"},
          {"disposition", "in_transit"},
          {"readPoint", {{"id", "urn:epc:id:sgln:0614141.07346.1234"}}}};
}

class Federation : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/fed";
    // A base port per test process so parallel ctest runs do not collide,
    // kept below Linux's ephemeral range (32768+) where other tests' nodes
    // and clients take ports.
    ::setenv("FEDERATION_BASE_PORT",
             std::to_string(20000 + (::getpid() % 1500) * 8).c_str(), 1);
    ::setenv("UDI_BIN", udi_test::BinDir().c_str(), 1);
    Script({"start", dir_});
    std::ifstream env(dir_ + "/federation.env");
    std::string line;
    std::map<std::string, std::string> vars;
    while (std::getline(env, line)) {
      auto eq = line.find('=');
      if (eq != std::string::npos)
        vars[line.substr(0, eq)] = line.substr(eq + 1);
    }
    for (int i = 1; i <= 3; ++i) {
      name_[i] = vars["NAME" + std::to_string(i)];
      port_[i] =
          static_cast<uint16_t>(std::stoi(vars["PORT" + std::to_string(i)]));
      url_[i] = vars["URL" + std::to_string(i)];
    }
  }
  void TearDown() override { Script({"stop", dir_}); }

  void Script(std::vector<std::string> args) {
    args.insert(args.begin(), {"/bin/bash", std::string(UDI_SOURCE_DIR) +
                                                "/deploy/federation.sh"});
    auto r = udi_test::RunProgram(args, 110);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->exit_code, 0) << r->stdout_text << r->stderr_text;
  }

  std::string NodeDir(int i) const {
    return dir_ + "/node" + std::to_string(i);
  }
  std::unique_ptr<HttpClient> Client(int i,
                                     const std::string& token = "") const {
    auto c = std::make_unique<HttpClient>("127.0.0.1", port_[i]);
    c->SetBearerToken(token);
    return c;
  }
  std::string Encoded(int origin) const {
    std::string out;
    for (char c : name_[origin])
      out += c == '/' ? std::string("%2F") : std::string(1, c);
    return out;
  }

  // Submits `n` signed events to node i as its registered participant;
  // returns how many were accepted.
  int Write(int i, int n, const std::string& tag, bool must_succeed = true) {
    auto key = ledger::ReadPrivateKeyFile(NodeDir(i) + "/participant.key");
    EXPECT_TRUE(key.ok());
    auto c = Client(i, ReadFile(NodeDir(i) + "/writer.token"));
    json envelopes = json::array();
    for (int k = 0; k < n; ++k) {
      envelopes.push_back(
          ledger::SignEvent(MakeEvent(tag + std::to_string(k)), *key)
              ->ToJson());
    }
    auto r = c->Post("/v1/events", {{"envelopes", envelopes}});
    if (!r.ok() || r->status != 200) {
      if (must_succeed)
        ADD_FAILURE() << "POST /v1/events to node" << i << ": "
                      << (r.ok() ? r->body : r.status().ToString());
      return 0;
    }
    int accepted = 0;
    const json body = r->Json();
    for (const auto& res : body["results"]) {
      accepted += res.value("status", "") == "accepted";
      if (res.value("status", "") != "accepted") ADD_FAILURE() << res.dump();
    }
    return accepted;
  }

  // Size of `origin`'s log as held by node i (-1 if not held / unreachable).
  int64_t HeldSize(int i, int origin) const {
    auto c = Client(i);
    auto r = c->Get("/v1/logs");
    if (!r.ok() || r->status != 200) return -1;
    const json body = r->Json();
    for (const auto& l : body["logs"]) {
      if (l["origin"] == name_[origin]) return l["size"].get<int64_t>();
    }
    return -1;
  }
  bool AllHoldSize(int origin, int64_t size) const {
    for (int i = 1; i <= 3; ++i) {
      if (HeldSize(i, origin) != size) return false;
    }
    return true;
  }
  std::string ServedCheckpoint(int i, int origin) const {
    auto c = Client(i);
    auto r = c->Get("/v1/logs/" + Encoded(origin) + "/checkpoint");
    return r.ok() && r->status == 200 ? r->body : "";
  }
  ledger::CosignerKey WitnessKey(int i) const {
    auto c = Client(i);
    auto r = c->Get("/v1/witness");
    EXPECT_TRUE(r.ok() && r->status == 200);
    return *ledger::CosignerKey::Parse(
        r->Json()["cosignerKey"].get<std::string>());
  }
  json Alarms(int i) const {
    auto c = Client(i);
    auto r = c->Get("/v1/alarms");
    return r.ok() && r->status == 200 ? r->Json()["alarms"] : json::array();
  }

  udi_test::TempDir tmp_;
  std::string dir_;
  std::string name_[4], url_[4];
  uint16_t port_[4] = {};
};

TEST_F(Federation,
       EventsWrittenToEachNodeAppearVerifiedAndCosignedOnTheOthers) {
  for (int i = 1; i <= 3; ++i)
    ASSERT_EQ(Write(i, 20, "n" + std::to_string(i) + "-"), 20);
  for (int origin = 1; origin <= 3; ++origin) {
    SCOPED_TRACE(name_[origin]);
    int64_t size = HeldSize(origin, origin);
    ASSERT_EQ(size, 21);  // registry entry + 20 events
    ASSERT_TRUE(WaitFor([&] { return AllHoldSize(origin, size); }))
        << "replicas of " << name_[origin] << " did not reach " << size;
    // Each other node serves the origin's checkpoint cosigned by itself and,
    // once collected, by the third node.
    auto verifier = ledger::VerifierKey::Parse(Client(origin)
                                                   ->Get("/v1/node")
                                                   ->Json()["verifierKey"]
                                                   .get<std::string>());
    ASSERT_TRUE(verifier.ok());
    std::vector<ledger::CosignerKey> witnesses;
    for (int w = 1; w <= 3; ++w) {
      if (w != origin) witnesses.push_back(WitnessKey(w));
    }
    for (int i = 1; i <= 3; ++i) {
      if (i == origin) continue;
      std::string note;
      ASSERT_TRUE(WaitFor([&] {
        note = ServedCheckpoint(i, origin);
        auto parsed = ledger::SignedNote::Parse(note);
        return parsed.ok() &&
               ledger::CountCosignatures(*parsed, witnesses).valid.size() == 2;
      })) << "node"
          << i << " never served 2 cosignatures:\n"
          << note;
      auto cp = ledger::OpenCheckpoint(note, *verifier);
      ASSERT_TRUE(cp.ok()) << cp.status().ToString();
      EXPECT_EQ(cp->size, 21u);
    }
  }
  // A regulator's quorum check with ledgerctl.
  std::ofstream(dir_ + "/witnesses.txt") << WitnessKey(2).ToText() << "\n"
                                         << WitnessKey(3).ToText() << "\n";
  auto ok = udi_test::RunProgram(
      {udi_test::BinDir() + "/ledgerctl", "checkpoint", "--node", url_[2],
       "--origin", name_[1], "--witness-keys", dir_ + "/witnesses.txt",
       "--min-cosignatures", "2"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->exit_code, 0)
      << ok->stderr_text << "node2 serves:\n"
      << ServedCheckpoint(2, 1) << "node2 holds " << HeldSize(2, 1)
      << " entries of node1; node2/data/witness/cosigned.json:\n"
      << ReadFile(NodeDir(2) + "/data/witness/cosigned.json")
      << "\nnode2/node.log:\n"
      << ReadFile(dir_ + "/node2/node.log");
  auto three = udi_test::RunProgram(
      {udi_test::BinDir() + "/ledgerctl", "checkpoint", "--node", url_[2],
       "--origin", name_[1], "--witness-keys", dir_ + "/witnesses.txt",
       "--min-cosignatures", "3"});
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(three->exit_code, 1);
  EXPECT_NE(three->stderr_text.find("2 of 3 required cosignatures"),
            std::string::npos)
      << three->stderr_text;
}

TEST_F(Federation, NodeKilledWhileWritingRestartsAndPeersCatchUp) {
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int round = 0; !stop; ++round) {
      int n = Write(1, 50, "k" + std::to_string(round) + "-", false);
      if (n == 0) break;  // the node is gone
      acknowledged += n;
    }
  });
  ASSERT_TRUE(WaitFor([&] { return acknowledged >= 200; }));
  Script({"stop-node", dir_, "1", "KILL"});
  stop = true;
  writer.join();
  Script({"start-node", dir_, "1"});
  int64_t size = HeldSize(1, 1);
  EXPECT_GE(size, acknowledged + 1) << "acknowledged events were lost";
  ASSERT_EQ(Write(1, 10, "after-"), 10);  // it continues appending
  size = HeldSize(1, 1);
  EXPECT_TRUE(WaitFor([&] { return AllHoldSize(1, size); }))
      << "peers did not catch up to " << size;
}

TEST_F(Federation, WipedNodeRecoversItsLogFromAPeer) {
  ASSERT_EQ(Write(3, 30, "w-"), 30);
  int64_t size = HeldSize(3, 3);
  ASSERT_TRUE(WaitFor([&] { return AllHoldSize(3, size); }));
  std::string before = ServedCheckpoint(1, 3);
  Script({"stop-node", dir_, "3"});
  std::string key = ReadFile(NodeDir(3) + "/data/node.key");
  std::filesystem::remove_all(NodeDir(3) + "/data");
  std::filesystem::create_directories(NodeDir(3) + "/data");
  std::ofstream(NodeDir(3) + "/data/node.key") << key << "\n";
  std::filesystem::permissions(
      NodeDir(3) + "/data/node.key",
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  Script({"start-node", dir_, "3", "--recover-from", url_[1],
          "--peer-token-file", NodeDir(3) + "/peers/node1.token"});
  EXPECT_EQ(HeldSize(3, 3), size);
  auto recovered = ledger::SignedNote::Parse(ServedCheckpoint(3, 3));
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(recovered->text, ledger::SignedNote::Parse(before)->text);
  // It continues appending under the same origin (a new admin token, the
  // recovered registry), and the peers accept the continuation.
  auto admin = Client(3, ReadFile(NodeDir(3) + "/data/admin.token"));
  auto participant =
      ledger::ReadPrivateKeyFile(NodeDir(3) + "/participant.key");
  auto tok = admin->Post("/v1/tokens", {{"role", "writer"},
                                        {"participant", participant->KeyId()}});
  ASSERT_TRUE(tok.ok() && tok->status == 201) << (tok.ok() ? tok->body : "");
  std::ofstream(NodeDir(3) + "/writer.token")
      << tok->Json()["token"].get<std::string>() << "\n";
  // The wiped node lost the reader tokens it had issued: it issues new ones
  // and the peers restart with them.
  for (int peer = 1; peer <= 2; ++peer) {
    auto rt = admin->Post("/v1/tokens", {{"role", "reader"}});
    ASSERT_TRUE(rt.ok() && rt->status == 201);
    std::ofstream(NodeDir(peer) + "/peers/node3.token")
        << rt->Json()["token"].get<std::string>() << "\n";
    Script({"stop-node", dir_, std::to_string(peer)});
    Script({"start-node", dir_, std::to_string(peer)});
  }
  ASSERT_EQ(Write(3, 5, "again-"), 5);
  EXPECT_TRUE(WaitFor([&] { return AllHoldSize(3, size + 5); }));
  EXPECT_TRUE(Alarms(1).empty());
}

TEST_F(Federation, ForgedCheckpointRaisesTheAlarmOnEveryNode) {
  int64_t size = HeldSize(1, 1);
  ASSERT_TRUE(WaitFor([&] { return AllHoldSize(1, size); }));
  // A second log under node1's own key with another history, same size.
  auto key = ledger::ReadPrivateKeyFile(NodeDir(1) + "/data/node.key");
  ASSERT_TRUE(key.ok());
  ledger::LogOptions o;
  o.data_dir = tmp_.path() + "/forged";
  o.origin = name_[1];
  o.key = *key;
  auto forged = ledger::Log::Open(o);
  ASSERT_TRUE(forged.ok()) << forged.status().ToString();
  auto impostor = *ledger::SigningKey::Generate("impostor");
  while (static_cast<int64_t>((*forged)->Size()) < size) {
    ASSERT_TRUE(
        (*forged)
            ->AppendParticipant({"0614141000005", "impostor", "manufacturer",
                                 impostor.verifier().ToText(), false},
                                1)
            .ok());
  }
  std::string note = (*forged)->SignedCheckpoint();

  auto c = Client(2);
  auto r = c->Send("POST", "/v1/logs/" + Encoded(1) + "/checkpoint", note);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 409) << r->body;
  json alarm = r->Json()["alarm"];
  EXPECT_EQ(alarm["origin"], name_[1]);
  EXPECT_EQ(alarm["conflicting"], note);
  auto held =
      ledger::SignedNote::Parse(alarm["evidence"].value("heldCheckpoint", ""));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->text,
            ledger::SignedNote::Parse(ServedCheckpoint(1, 1))->text);
  EXPECT_NE(alarm["reason"].get<std::string>().find("root"), std::string::npos);
  for (int i = 1; i <= 3; ++i) {
    SCOPED_TRACE("node" + std::to_string(i));
    EXPECT_TRUE(WaitFor([&] {
      for (const auto& a : Alarms(i)) {
        if (a["origin"] == name_[1]) return true;
      }
      return false;
    })) << "no alarm";
    auto metrics = Client(i)->Get("/metrics");
    ASSERT_TRUE(metrics.ok());
    EXPECT_NE(metrics->body.find("udi_witness_alarms 1"), std::string::npos);
  }
  // The same evidence again is still a conflict; the genuine one is fine.
  auto again = c->Send("POST", "/v1/logs/" + Encoded(1) + "/checkpoint", note);
  EXPECT_EQ(again->status, 409);
  auto genuine = c->Send("POST", "/v1/logs/" + Encoded(1) + "/checkpoint",
                         ServedCheckpoint(1, 1));
  EXPECT_EQ(genuine->status, 200) << genuine->body;
  // Alarms survive a restart.
  Script({"stop-node", dir_, "3"});
  Script({"start-node", dir_, "3"});
  EXPECT_EQ(Alarms(3).size(), 1u);
}

TEST_F(Federation, GossipRejectsMalformedAndUnknown) {
  auto c = Client(1);
  // Gossip about node 2's log is checked against node 1's replica of it, so
  // wait until node 1 holds one.
  ASSERT_TRUE(WaitFor([&] {
    auto r = c->Get("/v1/logs/" + Encoded(2) + "/checkpoint");
    return r.ok() && r->status == 200;
  }));
  struct Case {
    std::string origin, body;
    int status;
  };
  auto other = *ledger::SigningKey::Generate(name_[2]);
  ledger::Checkpoint cp{name_[2], 1, {}, {}};
  const Case cases[] = {
      {Encoded(2), "not a note", 400},
      {Encoded(2), ledger::SignCheckpoint(cp, other), 400},  // wrong key
      {"nobody.example", ledger::SignCheckpoint(cp, other), 404},
      {Encoded(2), std::string(70000, 'x'), 413},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.origin + " " + k.body.substr(0, 40));
    auto r = c->Send("POST", "/v1/logs/" + k.origin + "/checkpoint", k.body);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, k.status) << r->body;
  }
  EXPECT_TRUE(Alarms(1).empty());
}

}  // namespace
