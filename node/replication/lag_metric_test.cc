// Replication lag in /metrics (issue 7: "replication lag per peer") and the
// chunked, resumable catch-up (Log::ImportPrefix) against real ledger-node
// processes: a fault-injecting proxy in front of a real node holds the
// replica behind, a Replicator in this process pulls in small chunks. No
// sleeps: every wait polls a condition with a deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "ledger/envelope.h"
#include "ledger/keys.h"
#include "ledger/log.h"
#include "node/client/http_client.h"
#include "node/replication/fault_proxy.h"
#include "node/replication/replica_store.h"
#include "node/replication/replication.h"
#include "tests/node_process.h"

namespace {

using nlohmann::json;
using replication_test::Fault;
using replication_test::FaultProxy;
using udi_http::HttpClient;
using udi_test::NodeProcess;
using udi_test::TempDir;
using udi_test::WaitFor;

// The value of `series` (name and labels) in a Prometheus text body, or -1.
double Metric(const std::string& body, const std::string& series) {
  size_t at = body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + series.size() + 2));
}

class LagTest : public ::testing::Test {
 protected:
  void SetUp() override {
    acme_ = *ledger::SigningKey::Generate("acme");
    auto p = NodeProcess::Start(tmp_.path() + "/origin", {"--name", "origin"});
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    origin_ = std::move(*p);
    admin_.emplace("127.0.0.1", origin_->port());
    admin_->SetBearerToken(origin_->AdminToken());
    auto r = admin_->Post("/v1/participants",
                          {{"gln", "0614141000005"},
                           {"name", "acme"},
                           {"role", "manufacturer"},
                           {"verifierKey", acme_.verifier().ToText()}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 201) << r->body;
    auto w = admin_->Post("/v1/tokens",
                          {{"role", "writer"}, {"participant", acme_.KeyId()}});
    auto rd = admin_->Post("/v1/tokens", {{"role", "reader"}});
    ASSERT_TRUE(w.ok() && rd.ok());
    writer_.emplace("127.0.0.1", origin_->port());
    writer_->SetBearerToken(w->Json().value("token", ""));
    reader_token_ = rd->Json().value("token", "");
    token_file_ = tmp_.path() + "/origin.token";
    std::ofstream(token_file_) << reader_token_ << "\n";
  }

  void Write(int first, int n) {
    json envelopes = json::array();
    for (int i = first; i < first + n; ++i) {
      json event = {
          {"type", "ObjectEvent"},
          {"eventTime", "2026-11-26T10:00:00.000Z"},
          {"eventTimeZoneOffset", "+00:00"},
          {"action", "OBSERVE"},
          {"epcList",
           {"urn:epc:id:sgtin:0614141.107346.lag" + std::to_string(i)}},
          {"bizStep", "shipping"},
          {"readPoint", {{"id", "urn:epc:id:sgln:0614141.07346.1"}}}};
      envelopes.push_back(ledger::SignEvent(event, acme_)->ToJson());
    }
    auto r = writer_->Post("/v1/events", {{"envelopes", envelopes}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 200) << r->body;
  }
  uint64_t OriginSize() {
    auto r = admin_->Get("/v1/node");
    return r.ok() ? r->Json().value("size", uint64_t{0}) : 0;
  }

  TempDir tmp_;
  ledger::SigningKey acme_;
  std::unique_ptr<NodeProcess> origin_;
  std::optional<HttpClient> admin_;
  std::optional<HttpClient> writer_;
  std::string reader_token_;
  std::string token_file_;
};

// A replica node held behind by its peer (garbage entries) shows the lag in
// entries and in growing seconds; once the peer answers, both drop to 0.
TEST_F(LagTest, MetricsShowLagPerPeerUntilTheReplicaCatchesUp) {
  Write(0, 5);
  const uint64_t size = OriginSize();
  ASSERT_EQ(size, 6u);
  FaultProxy proxy(origin_->port());
  proxy.SetFault(Fault::kGarbageEntries);
  auto p = NodeProcess::Start(tmp_.path() + "/replica",
                              {"--name", "replica", "--peer", proxy.url(),
                               "--peer-token-file", token_file_});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  HttpClient replica("127.0.0.1", (*p)->port());
  replica.SetBearerToken((*p)->AdminToken());
  const std::string labels = "{peer=\"" + proxy.url() + "\",origin=\"origin\"}";
  auto metrics = [&] {
    auto r = replica.Get("/metrics");
    return r.ok() ? r->body : std::string();
  };
  std::string body;
  ASSERT_TRUE(WaitFor([&] {
    body = metrics();
    return Metric(body, "udi_replication_lag_entries" + labels) == 6 &&
           Metric(body, "udi_replication_lag_seconds" + labels) > 0.2;
  })) << body;
  EXPECT_NE(body.find("# TYPE udi_replication_lag_seconds gauge"),
            std::string::npos);
  const double before = Metric(body, "udi_replication_lag_seconds" + labels);
  // The lag keeps growing while nothing can be imported.
  ASSERT_TRUE(WaitFor([&] {
    body = metrics();
    return Metric(body, "udi_replication_lag_seconds" + labels) > before + 0.1;
  })) << body;
  EXPECT_EQ(Metric(body, "udi_replication_lag_entries" + labels), 6);

  proxy.SetFault(Fault::kNone);
  ASSERT_TRUE(WaitFor([&] {
    body = metrics();
    return Metric(body, "udi_replication_lag_entries" + labels) == 0 &&
           Metric(body, "udi_replication_lag_seconds" + labels) == 0;
  })) << body;
  Write(5, 3);
  ASSERT_TRUE(WaitFor([&] {
    auto r = replica.Get("/v1/logs");
    if (!r.ok()) return false;
    json doc = r->Json();
    for (const auto& row : doc["logs"]) {
      if (row["origin"] == "origin") return row["size"] == 9;
    }
    return false;
  }));
  ASSERT_TRUE(WaitFor([&] {
    body = metrics();
    return Metric(body, "udi_replication_lag_entries" + labels) == 0 &&
           Metric(body, "udi_replication_lag_seconds" + labels) == 0;
  })) << body;
}

// A Replicator in this process pulls a real node's log in chunks of 4 entries
// (ImportPrefix with the peer's consistency proofs); halted mid-way, the
// replica dir verifies and serves no checkpoint it has not reached; a new
// Replicator resumes from the replica's size and reaches the origin's note.
TEST_F(LagTest, ChunkedCatchUpStopsCleanlyAndResumesFromTheStoredSize) {
  Write(0, 30);
  const uint64_t size = OriginSize();
  ASSERT_EQ(size, 31u);
  const std::string data = tmp_.path() + "/puller";
  auto options = [&] {
    replication::ReplicationOptions o;
    o.data_dir = data;
    o.own_origin = "puller";
    o.peers.push_back({"http://127.0.0.1:" + std::to_string(origin_->port()),
                       reader_token_, ""});
    o.batch_size = 4;
    return o;
  };
  auto replica_size = [](replication::Replicator* r) -> uint64_t {
    for (const auto& log : r->Replicas()) {
      if (log->origin() == "origin") return log->Size();
    }
    return 0;
  };
  {
    // Halted once 12 entries are held: the catch-up stops between chunks.
    replication::Replicator* self = nullptr;
    replication::Hooks hooks;
    hooks.halted = [&self, &replica_size](const std::string&) {
      return self != nullptr && replica_size(self) >= 12;
    };
    auto r = replication::Replicator::Open(options(), hooks);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    self = r->get();
    (*r)->Start();
    std::string body;
    ASSERT_TRUE(WaitFor([&] {
      body.clear();
      (*r)->RenderMetrics(&body);
      return body.find("reason=\"halted\"") != std::string::npos;
    })) << body;
    (*r)->Stop();
    EXPECT_EQ(replica_size(r->get()), 12u);
    for (const auto& log : (*r)->Replicas()) {
      EXPECT_EQ(log->SignedCheckpoint(), "");  // no note of size <= 12 reached
    }
  }
  const std::string dir =
      data + "/replicas/" + replication::ReplicaStore::DirName("origin");
  auto mid = ledger::VerifyDataDir(dir);
  ASSERT_TRUE(mid.ok()) << mid.status().ToString();
  EXPECT_EQ(mid->size, 12u);

  auto r = replication::Replicator::Open(options(), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(replica_size(r->get()), 12u);  // resumes from the stored size
  (*r)->Start();
  ASSERT_TRUE(WaitFor([&] { return replica_size(r->get()) == size; }));
  auto checkpoint = admin_->Get("/v1/checkpoint");
  ASSERT_TRUE(checkpoint.ok());
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& log : (*r)->Replicas())
      if (log->SignedCheckpoint() == checkpoint->body) return true;
    return false;
  }));
  std::string body;
  (*r)->RenderMetrics(&body);
  const std::string labels =
      "{peer=\"http://127.0.0.1:" + std::to_string(origin_->port()) +
      "\",origin=\"origin\"}";
  EXPECT_EQ(Metric(body, "udi_replication_lag_entries" + labels), 0) << body;
  EXPECT_EQ(Metric(body,
                   "udi_replication_imported_entries_total"
                   "{origin=\"origin\"}"),
            static_cast<double>(size - 12))
      << body;
  (*r)->Stop();
  r->reset();
  auto done = ledger::VerifyDataDir(dir);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->size, size);
}

}  // namespace
