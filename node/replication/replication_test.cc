// Federation tests with real ledger-node processes on loopback: replication,
// bootstrap through one peer, restart, zstd, recovery, and a fault-injecting
// proxy in front of a real node. No sleeps: every wait polls a condition with
// a deadline.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "ledger/bytes.h"
#include "ledger/cosignature.h"
#include "ledger/envelope.h"
#include "ledger/keys.h"
#include "ledger/log.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "node/client/http_client.h"
#include "node/replication/fault_proxy.h"
#include "node/replication/peer_client.h"
#include "node/replication/puller.h"
#include "node/replication/replica_store.h"
#include "tests/node_process.h"

namespace {

using nlohmann::json;
using replication_test::Fault;
using replication_test::FaultProxy;
using udi_http::HttpClient;
using udi_test::NodeProcess;
using udi_test::TempDir;
using udi_test::WaitFor;

constexpr char kGln[] = "0614141000005";

// Polls `condition` until it holds or `seconds` pass.
// A checkpoint note without the witnesses' cosignature lines (text and the
// origin's own signature, the first line after the blank line).
std::string OriginSigned(const std::string& note) {
  size_t blank = note.find("\n\n");
  if (blank == std::string::npos) return note;
  size_t end = note.find('\n', blank + 2);
  return note.substr(0, end == std::string::npos ? end : end + 1);
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

// One running node, its admin client and a reader token file for peers.
struct Node {
  std::string name;
  std::string data;
  std::unique_ptr<NodeProcess> process;
  std::optional<HttpClient> admin;
  std::string token_file;  // a reader token of this node, for its peers

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(process->port());
  }
  json Get(const std::string& target) {
    auto r = admin->Get(target);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->Json() : json();
  }
  std::string GetText(const std::string& target) {
    auto r = admin->Get(target);
    return r.ok() ? r->body : "";
  }
  uint64_t Size() { return Get("/v1/node").value("size", uint64_t{0}); }
  // The size of `origin` in this node's GET /v1/logs (-1 if not listed).
  int64_t HeldSize(const std::string& origin) {
    auto r = admin->Get("/v1/logs");
    if (!r.ok()) return -1;
    json doc = r->Json();  // keep it alive through the loop
    for (const auto& row : doc["logs"]) {
      if (row["origin"] == origin) return row["size"].get<int64_t>();
    }
    return -1;
  }
  // The value of udi_replication_failures_total{peer=...,reason=...}.
  uint64_t Failures(const std::string& peer, const std::string& reason) {
    auto r = admin->Get("/metrics");
    if (!r.ok()) return 0;
    std::string needle = "udi_replication_failures_total{peer=\"" + peer +
                         "\",reason=\"" + reason + "\"} ";
    size_t at = r->body.find(needle);
    if (at == std::string::npos) return 0;
    return std::stoull(r->body.substr(at + needle.size()));
  }
};

class ReplicationTest : public ::testing::Test {
 protected:
  void SetUp() override { acme_ = *ledger::SigningKey::Generate("acme"); }

  // Starts node `name` in tmp/<name> with `extra` flags.
  Node* Start(const std::string& name, std::vector<std::string> extra = {},
              const std::string& data_override = "") {
    auto node = std::make_unique<Node>();
    node->name = name;
    node->data =
        data_override.empty() ? tmp_.path() + "/" + name : data_override;
    std::vector<std::string> args = {"--name", name};
    args.insert(args.end(), extra.begin(), extra.end());
    auto p = NodeProcess::Start(node->data, args);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (!p.ok()) return nullptr;
    node->process = std::move(*p);
    node->admin.emplace("127.0.0.1", node->process->port());
    node->admin->SetBearerToken(node->process->AdminToken());
    node->token_file = tmp_.path() + "/" + name + ".reader.token";
    auto token = node->admin->Post("/v1/tokens", {{"role", "reader"}});
    EXPECT_TRUE(token.ok());
    std::ofstream(node->token_file) << token->Json().value("token", "") << "\n";
    nodes_.push_back(std::move(node));
    return nodes_.back().get();
  }

  static std::vector<std::string> PeerFlags(const Node& peer) {
    return {"--peer", peer.url(), "--peer-token-file", peer.token_file};
  }

  // Registers acme on `node` and submits `n` events signed by it.
  void Write(Node* node, int first, int n, bool register_acme) {
    if (register_acme) {
      auto r = node->admin->Post("/v1/participants",
                                 {{"gln", kGln},
                                  {"name", "acme"},
                                  {"role", "manufacturer"},
                                  {"verifierKey", acme_.verifier().ToText()}});
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 201) << r->body;
    }
    json envelopes = json::array();
    for (int i = first; i < first + n; ++i) {
      envelopes.push_back(
          ledger::SignEvent(MakeEvent(node->name + std::to_string(i)), acme_)
              ->ToJson());
    }
    auto token = node->admin->Post(
        "/v1/tokens", {{"role", "writer"}, {"participant", acme_.KeyId()}});
    ASSERT_TRUE(token.ok());
    HttpClient writer("127.0.0.1", node->process->port());
    writer.SetBearerToken(token->Json().value("token", ""));
    auto r = writer.Post("/v1/events", {{"envelopes", envelopes}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
  }

  TempDir tmp_;
  ledger::SigningKey acme_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(ReplicationTest, PeerLogIsReplicatedVerifiedAndServedAsByItsOrigin) {
  Node* a = Start("node-a");
  ASSERT_TRUE(a);
  Write(a, 0, 5, true);
  Node* b = Start("node-b", PeerFlags(*a));
  ASSERT_TRUE(b);
  uint64_t size = a->Size();
  ASSERT_EQ(size, 6u);
  ASSERT_TRUE(WaitFor([&] { return b->HeldSize("node-a") == int64_t(size); }))
      << b->GetText("/v1/logs");

  // Same checkpoint, entries and proofs as the origin serves.
  EXPECT_EQ(OriginSigned(b->GetText("/v1/logs/node-a/checkpoint")),
            OriginSigned(a->GetText("/v1/checkpoint")));
  EXPECT_EQ(b->Get("/v1/logs/node-a/entries?start=0&count=10"),
            a->Get("/v1/log/entries?start=0&count=10"));
  EXPECT_EQ(b->Get("/v1/logs/node-a/proof/inclusion?index=3&size=6"),
            a->Get("/v1/proof/inclusion?index=3&size=6"));
  EXPECT_EQ(b->Get("/v1/logs/node-a/proof/consistency?from=2&to=6"),
            a->Get("/v1/proof/consistency?from=2&to=6"));
  // The own log is served under its origin too.
  EXPECT_EQ(a->GetText("/v1/logs/node-a/checkpoint"),
            a->GetText("/v1/checkpoint"));

  json logs = b->Get("/v1/logs")["logs"];
  ASSERT_EQ(logs.size(), 2u) << logs.dump();
  EXPECT_EQ(logs[0]["origin"], "node-b");
  EXPECT_EQ(logs[0]["own"], true);
  EXPECT_EQ(logs[1]["origin"], "node-a");
  EXPECT_EQ(logs[1]["own"], false);
  EXPECT_EQ(logs[1]["lag"], 0);
  EXPECT_EQ(logs[1]["verifierKey"], a->Get("/v1/node")["verifierKey"]);

  // Unknown origins are a clear 404.
  auto missing = b->admin->Get("/v1/logs/nobody/checkpoint");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->Json()["field"], "origin");

  // Queries on B answer from A's replica, naming origin and index.
  json found = b->Get(
      "/v1/events?MATCH_epc=urn:epc:id:sgtin:0614141.107346."
      "node-a3");
  auto list = found["epcisBody"]["queryResults"]["resultsBody"]["eventList"];
  ASSERT_EQ(list.size(), 1u) << found.dump();
  EXPECT_EQ(list[0]["udi:origin"], "node-a");
  EXPECT_EQ(list[0]["udi:index"], 4);
  std::string id = list[0]["udi:eventId"];
  auto event =
      b->admin->Get("/v1/events/" + replication::LogPath(id).substr(9));
  ASSERT_TRUE(event.ok());
  ASSERT_EQ(event->status, 200) << event->body;
  json ev = event->Json();
  EXPECT_EQ(ev["origin"], "node-a");
  // The inclusion proof verifies against A's signed checkpoint.
  auto a_key = ledger::VerifierKey::Parse(
      a->Get("/v1/node")["verifierKey"].get<std::string>());
  auto cp = ledger::OpenCheckpoint(ev["checkpoint"].get<std::string>(), *a_key);
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  std::vector<ledger::Hash> hashes;
  for (const auto& h : ev["inclusionProof"]["hashes"])
    hashes.push_back(*ledger::HashFromBase64(h.get<std::string>()));
  auto leaf = ledger::FromBase64(ev["leaf"].get<std::string>());
  EXPECT_TRUE(ledger::merkle::VerifyInclusion(4, cp->size,
                                              ledger::merkle::LeafHash(*leaf),
                                              hashes, cp->root)
                  .ok());

  // Entries travel zstd-compressed when asked.
  HttpClient zstd_client("127.0.0.1", b->process->port());
  zstd_client.SetBearerToken(b->process->AdminToken());
  zstd_client.SetAcceptZstd(true);
  auto z = zstd_client.Get("/v1/logs/node-a/entries?start=0&count=6");
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->Header("content-encoding"), "zstd");
  EXPECT_EQ(z->Json(), a->Get("/v1/log/entries?start=0&count=6"));
  EXPECT_EQ(b->Failures(a->url(), "verification_failed"), 0u);
}

TEST_F(ReplicationTest, NewNodeBootstrapsEveryLogFromOnePeerAndResumes) {
  Node* a = Start("node-a");
  ASSERT_TRUE(a);
  Write(a, 0, 3, true);
  Node* b = Start("node-b", PeerFlags(*a));
  ASSERT_TRUE(b);
  Write(b, 0, 2, true);
  Node* c = Start("node-c", PeerFlags(*b));
  ASSERT_TRUE(c);
  ASSERT_TRUE(WaitFor([&] {
    return c->HeldSize("node-a") == int64_t(a->Size()) &&
           c->HeldSize("node-b") == int64_t(b->Size());
  })) << c->GetText("/v1/logs");
  EXPECT_EQ(OriginSigned(c->GetText("/v1/logs/node-a/checkpoint")),
            OriginSigned(a->GetText("/v1/checkpoint")));

  // Paging across held logs: own (empty), then node-a, then node-b.
  std::set<std::string> seen;
  std::string target = "/v1/events?perPage=2";
  for (int page = 0; page < 10; ++page) {
    json doc = c->Get(target);
    for (const auto& e :
         doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) {
      EXPECT_TRUE(seen.insert(e["udi:origin"].get<std::string>() + "/" +
                              std::to_string(e["udi:index"].get<int>()))
                      .second);
    }
    if (!doc.contains("udi:nextPageToken")) break;
    target = "/v1/events?perPage=2&nextPageToken=" +
             doc["udi:nextPageToken"].get<std::string>();
  }
  EXPECT_EQ(seen.size(), 5u);
  auto bad = c->admin->Get("/v1/events?nextPageToken=6e6f626f6479~x");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("not held here"), std::string::npos) << bad->body;

  // C restarts; A grows meanwhile; C resumes from its replica's size.
  ASSERT_TRUE(c->process->Stop(SIGTERM).ok());
  Write(a, 3, 4, false);
  std::string c_data = c->data;
  Node* c2 = Start("node-c", PeerFlags(*b), c_data);
  ASSERT_TRUE(c2);
  ASSERT_TRUE(WaitFor([&] { return c2->HeldSize("node-a") == 8; }))
      << c2->GetText("/v1/logs") << b->GetText("/v1/logs");
  std::string metrics = c2->GetText("/metrics");
  EXPECT_NE(metrics.find(
                "udi_replication_imported_entries_total{origin=\"node-a\"} 4"),
            std::string::npos)
      << metrics;
}

TEST_F(ReplicationTest, WipedNodeRecoversItsLogFromAPeerAndKeepsAppending) {
  Node* a = Start("node-a");
  ASSERT_TRUE(a);
  Write(a, 0, 4, true);
  Node* b = Start("node-b", PeerFlags(*a));
  ASSERT_TRUE(b);
  uint64_t size = a->Size();
  ASSERT_TRUE(WaitFor([&] { return b->HeldSize("node-a") == int64_t(size); }));
  std::string checkpoint = a->GetText("/v1/checkpoint");

  // A loses its data dir but keeps its key.
  std::string key = tmp_.path() + "/node-a.key";
  std::filesystem::copy_file(a->data + "/node.key", key);
  ASSERT_TRUE(a->process->Stop(SIGKILL).ok());
  std::filesystem::remove_all(a->data);
  Node* a2 = Start("node-a",
                   {"--key", key, "--recover-from", b->url(),
                    "--peer-token-file", b->token_file},
                   a->data);
  ASSERT_TRUE(a2);
  EXPECT_EQ(a2->Size(), size);
  EXPECT_EQ(OriginSigned(a2->GetText("/v1/checkpoint")),
            OriginSigned(checkpoint));
  // The registry came back with the log: acme may write again.
  Write(a2, 100, 1, false);
  EXPECT_EQ(a2->Size(), size + 1);
}

TEST_F(ReplicationTest, RecoveryWithoutTheNodeKeyIsRefused) {
  TempDir empty;
  auto p = NodeProcess::Start(empty.path() + "/d",
                              {"--recover-from", "http://127.0.0.1:9"});
  EXPECT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("needs the node's existing key"),
            std::string::npos)
      << p.status().ToString();
}

struct FaultCase {
  Fault fault;
  std::string reason;
};

TEST_F(ReplicationTest, FaultyPeerAnswersAreRejectedWithAPreciseReason) {
  Node* a = Start("node-a");
  ASSERT_TRUE(a);
  Write(a, 0, 3, true);
  FaultProxy proxy(a->process->port());
  const FaultCase cases[] = {
      {Fault::kGarbageEntries, "malformed_response"},
      {Fault::kCutEntries, "malformed_response"},
      {Fault::kEmptyEntries, "truncated_entries"},
      {Fault::kAlterEventLeaf, "bad_signature"},
      {Fault::kAlterPrevHash, "chain_mismatch"},
      {Fault::kBadCheckpointSig, "bad_checkpoint"},
  };
  proxy.SetFault(cases[0].fault);
  Node* b = Start("node-b",
                  {"--peer", proxy.url(), "--peer-token-file", a->token_file});
  ASSERT_TRUE(b);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.reason);
    proxy.SetFault(c.fault);
    uint64_t before = b->Failures(proxy.url(), c.reason);
    ASSERT_TRUE(WaitFor([&] {
      return b->Failures(proxy.url(), c.reason) > before;
    })) << b->GetText("/metrics");
    EXPECT_LE(b->HeldSize("node-a"), 0);  // nothing stored
    EXPECT_EQ(b->admin->Get("/healthz")->status, 200);
  }
  // Healed: the same peer is now replicated.
  proxy.SetFault(Fault::kNone);
  ASSERT_TRUE(WaitFor([&] { return b->HeldSize("node-a") == 4; }))
      << b->GetText("/metrics");

  // A shorter log than before (an old checkpoint replayed) is refused.
  Write(a, 3, 2, false);
  ASSERT_TRUE(WaitFor([&] { return b->HeldSize("node-a") == 6; }));
  proxy.SetFault(Fault::kOldCheckpoint);
  uint64_t before = b->Failures(proxy.url(), "shorter_log");
  ASSERT_TRUE(WaitFor(
      [&] { return b->Failures(proxy.url(), "shorter_log") > before; }));
  EXPECT_EQ(b->HeldSize("node-a"), 6);
}

// The pipelined catch-up (chunks of 4: chunk k+2 fetched and k+1 checked
// while k commits) against a peer whose entry 10 carries an altered event:
// the chunk holding it is refused naming entry 10, every chunk before it is
// stored, nothing after it; once the peer is healed the catch-up resumes.
TEST_F(ReplicationTest, PipelinedCatchUpStopsAtABadSignatureMidChunk) {
  Node* a = Start("node-a");
  ASSERT_TRUE(a);
  Write(a, 0, 19, true);  // entries 0 (acme) .. 19
  ASSERT_EQ(a->Size(), 20u);
  const std::string key = a->Get("/v1/node").value("verifierKey", "");
  auto verifier = ledger::VerifierKey::Parse(key);
  ASSERT_TRUE(verifier.ok()) << key;
  FaultProxy proxy(a->process->port());
  proxy.SetFault(Fault::kAlterEvent10);
  std::ifstream token_in(a->token_file);
  replication::PeerConfig config{proxy.url(), "", key};
  std::getline(token_in, config.token);
  auto peer = replication::PeerClient::Create(config, std::chrono::seconds(10));
  ASSERT_TRUE(peer.ok()) << peer.status().ToString();
  ledger::LogOptions options;
  options.data_dir = tmp_.path() + "/replica";
  options.origin = "node-a";
  options.replica_verifier = *verifier;
  auto log = ledger::Log::Open(options);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  replication::SyncContext sync;
  sync.batch_size = 4;
  std::string reason;
  uint64_t imported = 0;
  ledger::Status st = replication::SyncLogFromPeer(
      peer->get(), proxy.url(), "node-a", log->get(), sync, &reason, &imported);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("entries 8..12"), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("entry 10: signature: does not verify"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(reason, "bad_signature");
  EXPECT_EQ(imported, 8u);
  EXPECT_EQ((*log)->Size(), 8u);
  proxy.SetFault(Fault::kNone);
  st = replication::SyncLogFromPeer(peer->get(), proxy.url(), "node-a",
                                    log->get(), sync, &reason, &imported);
  ASSERT_TRUE(st.ok()) << st.ToString();
  // ledger-node's entries bodies (a newline after the JSON) are read by the
  // shortcut, not parsed as a JSON document.
  EXPECT_EQ((*peer)->json_entries_responses(), 0u);
  EXPECT_EQ(imported, 12u);
  EXPECT_EQ((*log)->Size(), 20u);
  EXPECT_EQ(
      (*log)->LatestCheckpoint().root,
      ledger::OpenCheckpoint(a->GetText("/v1/checkpoint"), *verifier)->root);
}

// ReplicaStore opens its replicas with the configured LevelDB memtable size
// (ReplicationOptions::write_buffer_bytes): the same catch-up writes tables
// with a 64 KiB memtable and none with the default one.
TEST_F(ReplicationTest, ReplicasUseTheConfiguredMemtableSize) {
  Node* a = Start("node-a");
  ASSERT_TRUE(a);
  Write(a, 0, 300, true);
  const std::string key = a->Get("/v1/node").value("verifierKey", "");
  replication::PeerConfig config{a->url(), "", key};
  std::ifstream token_in(a->token_file);
  std::getline(token_in, config.token);
  auto peer = replication::PeerClient::Create(config, std::chrono::seconds(10));
  ASSERT_TRUE(peer.ok()) << peer.status().ToString();
  struct Case {
    size_t write_buffer_bytes;
    bool tables;
  };
  const Case cases[] = {{64 << 10, true},
                        {replication::kDefaultReplicaWriteBufferBytes, false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.write_buffer_bytes);
    auto store = replication::ReplicaStore::Open(
        tmp_.path() + "/r" + std::to_string(c.write_buffer_bytes),
        {{"node-a", key}}, c.write_buffer_bytes);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto log = (*store)->Get("node-a");
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    replication::SyncContext sync;
    sync.batch_size = 50;  // LevelDB flushes on the write after an overflow
    std::string reason;
    uint64_t imported = 0;
    ledger::Status st = replication::SyncLogFromPeer(
        peer->get(), a->url(), "node-a", log->get(), sync, &reason, &imported);
    ASSERT_TRUE(st.ok()) << st.ToString() << " " << reason;
    ASSERT_EQ((*log)->Size(), a->Size());
    int tables = 0;
    for (int level = 0; level < 7; ++level) {
      auto n = (*log)->StorageProperty("leveldb.num-files-at-level" +
                                       std::to_string(level));
      ASSERT_TRUE(n.has_value()) << level;
      tables += std::stoi(*n);
    }
    EXPECT_EQ(tables > 0, c.tables) << tables;
  }
}

TEST_F(ReplicationTest, DownAndSlowPeersAreCountedAndDoNotBlockOthers) {
  Node* a = Start("node-a");
  ASSERT_TRUE(a);
  Write(a, 0, 2, true);
  FaultProxy slow(a->process->port());
  slow.SetFault(Fault::kHang);
  std::string config = tmp_.path() + "/b.json";
  std::ofstream(config) << R"({"peerTimeoutMillis": 300})";
  std::string down = "http://127.0.0.1:9";  // discard port: nothing listens
  Node* b =
      Start("node-b", {"--config", config, "--peer", down, "--peer", slow.url(),
                       "--peer-token-file", a->token_file, "--peer", a->url(),
                       "--peer-token-file", a->token_file});
  ASSERT_TRUE(b);
  ASSERT_TRUE(WaitFor([&] {
    return b->Failures(down, "unreachable") > 0 &&
           b->Failures(slow.url(), "timeout") > 0;
  })) << b->GetText("/metrics");
  ASSERT_TRUE(WaitFor([&] { return b->HeldSize("node-a") == 3; }))
      << b->GetText("/metrics");
}

// A peer that accepts connections and never answers costs its puller one
// timeout per request, and nothing else: a healthy peer listed before or after
// it is replicated from within about two timeouts of the start.
TEST_F(ReplicationTest, SilentPeerDoesNotDelayAHealthyOne) {
  Node* a = Start("node-a");
  ASSERT_TRUE(a);
  Write(a, 0, 3, true);
  FaultProxy silent(a->process->port());
  silent.SetFault(Fault::kSilent);
  constexpr auto kTimeout = std::chrono::milliseconds(2000);
  std::string config = tmp_.path() + "/b.json";
  std::ofstream(config) << R"({"peerTimeoutMillis": )" << kTimeout.count()
                        << "}";
  Node* b = Start("node-b", {"--config", config, "--peer", silent.url(),
                             "--peer-token-file", a->token_file, "--peer",
                             a->url(), "--peer-token-file", a->token_file});
  ASSERT_TRUE(b);
  auto start = std::chrono::steady_clock::now();  // b answers: pullers run
  ASSERT_TRUE(WaitFor([&] { return b->HeldSize("node-a") == 4; }))
      << b->GetText("/metrics");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 2 * kTimeout)
      << "replication from the healthy peer took "
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
      << " ms";
  // The silent peer was tried, and each try ended in a counted timeout.
  ASSERT_TRUE(WaitFor([&] { return b->Failures(silent.url(), "timeout") > 0; }))
      << b->GetText("/metrics");
  EXPECT_EQ(b->admin->Get("/healthz")->status, 200);
}

// The cosignature lines a replica serves for a checkpoint only grow: when a
// peer serves the same checkpoint again with fewer lines (another peer's
// copy, or before it collected them), the replica keeps the lines it had
// (MergeSameCheckpoint). Here the cosigner is unknown to the replica's
// witness, so only the stored note can keep its line; the note is not
// rewritten while nothing new arrives.
TEST_F(ReplicationTest, SameCheckpointWithFewerCosignaturesKeepsServedOnes) {
  Node* a = Start("node-a");
  ASSERT_TRUE(a);
  Write(a, 0, 3, true);
  FaultProxy proxy(a->process->port());
  Node* b = Start("node-b",
                  {"--peer", proxy.url(), "--peer-token-file", a->token_file});
  ASSERT_TRUE(b);
  const uint64_t size = a->Size();
  ASSERT_TRUE(WaitFor([&] { return b->HeldSize("node-a") == int64_t(size); }));
  auto witness = *ledger::SigningKey::Generate("outside.example/witness");
  const std::vector<ledger::CosignerKey> keys = {
      ledger::CosignerKey::Of(witness)};
  auto plain = ledger::SignedNote::Parse(a->GetText("/v1/checkpoint"));
  ASSERT_TRUE(plain.ok());
  const ledger::NoteSignature line =
      ledger::Cosign(plain->text, witness, 1795000000);
  proxy.SetCheckpointRewrite([line](const std::string& body) {
    auto n = ledger::SignedNote::Parse(body);
    if (!n.ok()) return body;
    n->signatures.push_back(line);
    return n->ToString();
  });
  std::string served;
  auto cosigned = [&] {
    served = b->GetText("/v1/logs/node-a/checkpoint");
    auto n = ledger::SignedNote::Parse(served);
    return n.ok() && ledger::CountCosignatures(*n, keys).valid.size() == 1;
  };
  ASSERT_TRUE(WaitFor(cosigned)) << served;
  // The peer now serves the checkpoint without that line, several rounds.
  proxy.SetCheckpointRewrite(nullptr);
  const int seen = proxy.Seen("/v1/logs/node-a/checkpoint");
  ASSERT_TRUE(WaitFor(
      [&] { return proxy.Seen("/v1/logs/node-a/checkpoint") >= seen + 3; }));
  EXPECT_TRUE(cosigned()) << "the served cosignature went away:\n" << served;
  EXPECT_EQ(OriginSigned(served), OriginSigned(a->GetText("/v1/checkpoint")));
}

TEST(ReplicaStoreTest, DirNamesAreSafeAndDistinct) {
  struct Case {
    std::string origin;
    std::string suffix;
  };
  const Case cases[] = {
      {"node-a", "-node-a"},
      {"example.com/log", "-example.com_log"},
      {"../../etc", "-.._.._etc"},
      {"a b\nc", "-a_b_c"},
  };
  std::set<std::string> names;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.origin);
    std::string name = replication::ReplicaStore::DirName(c.origin);
    EXPECT_EQ(name.substr(16), c.suffix);
    EXPECT_EQ(name.find('/'), std::string::npos);
    EXPECT_TRUE(names.insert(name).second);
  }
  EXPECT_NE(replication::ReplicaStore::DirName("a/b"),
            replication::ReplicaStore::DirName("a_b"));
}

TEST(ReplicaStoreTest, AnotherKeyForAPinnedOriginIsRefused) {
  TempDir tmp;
  auto k1 = *ledger::SigningKey::Generate("origin-x");
  auto k2 = *ledger::SigningKey::Generate("origin-x");
  {
    auto store = replication::ReplicaStore::Open(tmp.path() + "/r", {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Pin("origin-x", k1.verifier().ToText(), "test").ok());
    EXPECT_TRUE(
        (*store)->Pin("origin-x", k1.verifier().ToText(), "again").ok());
    auto st = (*store)->Pin("origin-x", k2.verifier().ToText(), "peer");
    EXPECT_FALSE(st.ok());
    EXPECT_NE(st.message().find("differs from the pinned key"),
              std::string::npos);
  }
  // The pin survives a restart, and configuration cannot silently replace it.
  auto reopened = replication::ReplicaStore::Open(
      tmp.path() + "/r", {{"origin-x", k2.verifier().ToText()}});
  ASSERT_FALSE(reopened.ok());
  EXPECT_NE(reopened.status().message().find("origin-x"), std::string::npos);
}

TEST(PeerUrlTest, OnlyHttpHostPort) {
  struct Case {
    std::string url;
    bool ok;
  };
  const Case cases[] = {
      {"http://127.0.0.1:7800", true}, {"http://localhost:7800/", true},
      {"https://a:1", false},          {"http://a", false},
      {"http://a:0", false},           {"http://a:1/x", false}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.url);
    std::string host;
    uint16_t port = 0;
    EXPECT_EQ(replication::ParsePeerUrl(c.url, &host, &port).ok(), c.ok);
  }
}

}  // namespace
