// Functional tests: a real ledger-node process, driven only through HTTP and
// ledgerctl.
#include <gtest/gtest.h>
#include <signal.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "ledger/bytes.h"
#include "ledger/envelope.h"
#include "ledger/keys.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "node/client/http_client.h"
#include "tests/node_process.h"

namespace {

using nlohmann::json;
using udi_http::HttpClient;
using udi_test::NodeProcess;
using udi_test::TempDir;

constexpr char kGln[] = "0614141000005";  // GLN-13 with a valid check digit

json MakeEvent(const std::string& serial,
               const std::string& biz_step = "shipping",
               const std::string& time = "2026-11-26T10:00:00.000Z") {
  return {{"type", "ObjectEvent"},
          {"eventTime", time},
          {"eventTimeZoneOffset", "+00:00"},
          {"action", "OBSERVE"},
          {"epcList", {"urn:epc:id:sgtin:0614141.107346." + serial}},
          {"bizStep", biz_step},
          {"disposition", "in_transit"},
          {"readPoint", {{"id", "urn:epc:id:sgln:0614141.07346.1234"}}}};
}

json Sign(const json& event, const ledger::SigningKey& key) {
  auto env = ledger::SignEvent(event, key);
  EXPECT_TRUE(env.ok()) << env.status().ToString();
  return env->ToJson();
}

std::string EventIdOf(const json& event) {
  return ledger::EventIdFromCanonical(*ledger::CanonicalEventBytes(event));
}

// "ni:///sha-256;<hex>" as one URL path segment.
class NodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = tmp_.path() + "/data";
    StartNode();
    admin_.emplace("127.0.0.1", node_->port());
    admin_->SetBearerToken(node_->AdminToken());
    acme_ = *ledger::SigningKey::Generate("acme");
    RegisterParticipant(acme_, "manufacturer", 201);
    writer_.emplace("127.0.0.1", node_->port());
    writer_->SetBearerToken(CreateToken("writer", acme_.KeyId()));
  }

  void StartNode() {
    auto node = NodeProcess::Start(data_);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
  }

  void RegisterParticipant(const ledger::SigningKey& key,
                           const std::string& role, int want) {
    auto r = admin_->Post("/v1/participants",
                          {{"gln", kGln},
                           {"name", key.name()},
                           {"role", role},
                           {"verifierKey", key.verifier().ToText()}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, want) << r->body;
  }

  std::string CreateToken(const std::string& role,
                          const std::string& participant = "") {
    json body = {{"role", role}};
    if (!participant.empty()) body["participant"] = participant;
    auto r = admin_->Post("/v1/tokens", body);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->status, 201) << r->body;
    return r->Json().value("token", "");
  }

  json Submit(HttpClient& client, const std::vector<json>& envelopes) {
    auto r = client.Post("/v1/events", {{"envelopes", envelopes}});
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << r->body;
    return r->Json()["results"];
  }

  TempDir tmp_;
  std::string data_;
  std::unique_ptr<NodeProcess> node_;
  std::optional<HttpClient> admin_, writer_;
  ledger::SigningKey acme_;
};

TEST_F(NodeTest, NodeInfoNamesTheNodeAndItsKey) {
  auto r = admin_->Get("/v1/node");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200);
  json j = r->Json();
  EXPECT_EQ(j["name"], "test-node");
  EXPECT_TRUE(
      ledger::VerifierKey::Parse(j["verifierKey"].get<std::string>()).ok());
  EXPECT_EQ(j["size"], 1);  // the registry entry
  EXPECT_TRUE(j["version"].is_string());
  EXPECT_NE(node_->start_line().find(j["verifierKey"].get<std::string>()),
            std::string::npos);
}

TEST_F(NodeTest, ParticipantRegistrationIsValidated) {
  auto other = *ledger::SigningKey::Generate("bob");
  struct Case {
    json body;
    int status;
    std::string field;
  };
  const Case cases[] = {
      {{{"gln", "0614141000006"},
        {"name", "b"},
        {"role", "dispenser"},
        {"verifierKey", other.verifier().ToText()}},
       400,
       "gln"},
      {{{"gln", kGln},
        {"name", "b"},
        {"role", "pirate"},
        {"verifierKey", other.verifier().ToText()}},
       400,
       "role"},
      {{{"gln", kGln},
        {"name", "b"},
        {"role", "dispenser"},
        {"verifierKey", "nope"}},
       400,
       "verifierKey"},
      {{{"gln", kGln},
        {"name", "b"},
        {"role", "dispenser"},
        {"verifierKey", acme_.verifier().ToText()}},
       409,
       "verifierKey"},
      {{{"gln", kGln},
        {"name", "b"},
        {"role", "dispenser"},
        {"verifierKey", other.verifier().ToText()},
        {"extra", 1}},
       400,
       "extra"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body.dump());
    auto r = admin_->Post("/v1/participants", c.body);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, c.status) << r->body;
    EXPECT_EQ(r->Json()["field"], c.field) << r->body;
  }
  RegisterParticipant(other, "dispenser", 201);
  auto list = admin_->Get("/v1/participants");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->Json()["participants"].size(), 2u);
}

TEST_F(NodeTest, SubmitAcceptedDuplicateAndRejected) {
  auto stranger =
      *ledger::SigningKey::Generate("acme");  // same name, unregistered key
  json good = Sign(MakeEvent("1"), acme_);
  json bad_sig = Sign(MakeEvent("2"), acme_);
  bad_sig["event"]["epcList"][0] =
      "urn:epc:id:sgtin:0614141.107346.3";  // signature now wrong
  json unknown = Sign(MakeEvent("4"), stranger);
  json invalid_event = MakeEvent("5");
  invalid_event["action"] = "FLY";
  json invalid = Sign(invalid_event, acme_);

  // Through the admin token, which is not bound to one signer.
  json results = Submit(*admin_, {good, good, bad_sig, unknown, invalid});
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0]["status"], "accepted");
  EXPECT_EQ(results[0]["eventId"], EventIdOf(good["event"]));
  EXPECT_EQ(results[1]["status"], "duplicate");
  EXPECT_EQ(results[1]["index"], results[0]["index"]);
  EXPECT_EQ(results[2]["status"], "rejected");
  EXPECT_NE(results[2]["error"].get<std::string>().find("signature"),
            std::string::npos);
  EXPECT_EQ(results[3]["status"], "rejected");
  EXPECT_NE(results[3]["error"].get<std::string>().find("not a registered"),
            std::string::npos);
  EXPECT_EQ(results[4]["status"], "rejected");
  EXPECT_NE(results[4]["error"].get<std::string>().find("action"),
            std::string::npos)
      << results[4]["error"];

  // A single envelope (not wrapped) is answered the same way; resubmitting is a
  // duplicate.
  auto r = writer_->Post("/v1/events", good);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Json()["results"][0]["status"], "duplicate");

  // The event is retrievable by id.
  auto got = writer_->Get(
      "/v1/events/" + udi_test::EncodePathSegment(EventIdOf(good["event"])));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, 200) << got->body;
  EXPECT_EQ(got->Json()["envelope"], good);
}

TEST_F(NodeTest, AuthenticationAndRoles) {
  HttpClient anonymous("127.0.0.1", node_->port());
  HttpClient reader("127.0.0.1", node_->port());
  reader.SetBearerToken(CreateToken("reader"));
  HttpClient bogus("127.0.0.1", node_->port());
  bogus.SetBearerToken("udi_0000");
  json envelope = Sign(MakeEvent("1"), acme_);

  EXPECT_EQ(anonymous.Post("/v1/events", envelope)->status, 401);
  EXPECT_EQ(anonymous.Get("/v1/events")->status, 401);
  EXPECT_EQ(bogus.Get("/v1/events")->status, 401);
  EXPECT_EQ(reader.Post("/v1/events", envelope)->status, 403);
  EXPECT_EQ(reader.Get("/v1/events")->status, 200);
  EXPECT_EQ(writer_->Post("/v1/participants", json::object())->status, 403);
  EXPECT_EQ(anonymous.Get("/v1/checkpoint")->status, 200);
  // "Expect: 100-continue" clients get the interim response, then the answer.
  auto continued = writer_->Send("POST", "/v1/events", envelope.dump(),
                                 {{"Expect", "100-continue"}});
  ASSERT_TRUE(continued.ok());
  EXPECT_EQ(continued->status, 200) << continued->body;
  EXPECT_EQ(anonymous.Get("/v1/nothing")->status, 404);
  EXPECT_EQ(anonymous.Send("DELETE", "/v1/node")->status, 405);

  // A writer may only submit envelopes signed by its bound participant.
  auto other = *ledger::SigningKey::Generate("other");
  RegisterParticipant(other, "distributor", 201);
  json results = Submit(*writer_, {Sign(MakeEvent("9"), other)});
  EXPECT_EQ(results[0]["status"], "rejected");
  EXPECT_NE(results[0]["error"].get<std::string>().find("signer"),
            std::string::npos);

  // Deleted tokens stop working.
  auto created = admin_->Post("/v1/tokens", {{"role", "reader"}});
  HttpClient temp("127.0.0.1", node_->port());
  temp.SetBearerToken(created->Json()["token"]);
  EXPECT_EQ(temp.Get("/v1/participants")->status, 200);
  EXPECT_EQ(admin_
                ->Send("DELETE",
                       "/v1/tokens/" + created->Json()["id"].get<std::string>())
                ->status,
            200);
  EXPECT_EQ(temp.Get("/v1/participants")->status, 401);
}

TEST_F(NodeTest, QueryParameters) {
  std::vector<json> envelopes;
  for (int i = 0; i < 5; ++i) {
    envelopes.push_back(Sign(
        MakeEvent(std::to_string(100 + i), i % 2 ? "receiving" : "shipping",
                  "2026-11-26T10:00:0" + std::to_string(i) + ".000Z"),
        acme_));
  }
  json results = Submit(*writer_, envelopes);
  for (const auto& r : results) ASSERT_EQ(r["status"], "accepted") << r;

  auto count = [&](const std::string& query) -> int {
    auto r = writer_->Get("/v1/events?" + query);
    EXPECT_TRUE(r.ok());
    if (r->status != 200) return -r->status;
    return static_cast<int>(
        r->Json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
            .size());
  };
  EXPECT_EQ(count(""), 5);
  EXPECT_EQ(count("MATCH_epc=urn:epc:id:sgtin:0614141.107346.102"), 1);
  EXPECT_EQ(count("MATCH_epc=https%3A%2F%2Fid.gs1.org%2F01%2F10614141073464%"
                  "2F21%2F102"),
            1);
  EXPECT_EQ(
      count("MATCH_anyEPC=urn:epc:id:sgtin:0614141.107346.102%7Curn:epc:id:"
            "sgtin:0614141.107346.103"),
      2);
  EXPECT_EQ(count("EQ_bizStep=receiving"), 2);
  EXPECT_EQ(count("EQ_bizStep=https://ref.gs1.org/cbv/BizStep-shipping"), 3);
  EXPECT_EQ(count("EQ_readPoint=urn:epc:id:sgln:0614141.07346.1234&EQ_"
                  "eventType=ObjectEvent"),
            5);
  EXPECT_EQ(count("GE_eventTime=2026-11-26T10:00:01Z&LT_eventTime=2026-11-"
                  "26T10:00:03Z"),
            2);
  EXPECT_EQ(count("orderBy=eventTime&orderDirection=DESC&EQ_bizStep=shipping"),
            3);

  struct Bad {
    std::string query, field;
  };
  const Bad bad[] = {{"bogus=1", "bogus"},
                     {"perPage=0", "perPage"},
                     {"GE_eventTime=yesterday", "GE_eventTime"},
                     {"MATCH_epc=urn:epc:id:sgtin:nonsense", "MATCH_epc"},
                     {"orderDirection=UP", "orderDirection"},
                     {"EQ_eventType=Party", "EQ_eventType"},
                     {"nextPageToken=zzz", "nextPageToken"}};
  for (const auto& b : bad) {
    SCOPED_TRACE(b.query);
    auto r = writer_->Get("/v1/events?" + b.query);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 400) << r->body;
    EXPECT_EQ(r->Json()["field"], b.field) << r->body;
  }

  // Paging: perPage=2 walks all five events in order, via the token.
  std::vector<std::string> seen;
  std::string query = "orderBy=eventTime&orderDirection=ASC&perPage=2";
  for (int page = 0; page < 10; ++page) {
    auto r = writer_->Get("/v1/events?" + query);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
    json doc = r->Json();
    EXPECT_EQ(doc["type"], "EPCISQueryDocument");
    for (const auto& e :
         doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) {
      seen.push_back(e["epcList"][0]);
      EXPECT_TRUE(e.contains("udi:index"));
      EXPECT_TRUE(e.contains("udi:eventId"));
    }
    if (!doc.contains("udi:nextPageToken")) break;
    EXPECT_NE(r->Header("link").find("rel=\"next\""), std::string::npos);
    query = "orderBy=eventTime&orderDirection=ASC&perPage=2&nextPageToken=" +
            doc["udi:nextPageToken"].get<std::string>();
  }
  ASSERT_EQ(seen.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(seen[i],
              "urn:epc:id:sgtin:0614141.107346." + std::to_string(100 + i));
  }
}

TEST_F(NodeTest, CheckpointAndProofsVerify) {
  auto key = ledger::VerifierKey::Parse(
      admin_->Get("/v1/node")->Json()["verifierKey"].get<std::string>());
  ASSERT_TRUE(key.ok());
  auto first =
      ledger::OpenCheckpoint(admin_->Get("/v1/checkpoint")->body, *key);
  ASSERT_TRUE(first.ok()) << first.status().ToString();

  std::vector<json> envelopes;
  for (int i = 0; i < 7; ++i)
    envelopes.push_back(Sign(MakeEvent("p" + std::to_string(i)), acme_));
  Submit(*writer_, envelopes);

  auto got = writer_->Get("/v1/events/" + udi_test::EncodePathSegment(EventIdOf(
                                              envelopes[3]["event"])));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->status, 200) << got->body;
  json j = got->Json();
  auto cp = ledger::OpenCheckpoint(j["checkpoint"].get<std::string>(), *key);
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->size, 8u);
  std::vector<ledger::Hash> proof;
  for (const auto& h : j["inclusionProof"]["hashes"])
    proof.push_back(*ledger::HashFromBase64(h.get<std::string>()));
  auto leaf = ledger::FromBase64(j["leaf"].get<std::string>());
  ASSERT_TRUE(leaf.has_value());
  EXPECT_TRUE(ledger::merkle::VerifyInclusion(j["index"], cp->size,
                                              ledger::merkle::LeafHash(*leaf),
                                              proof, cp->root)
                  .ok());
  // The leaf is exactly what /v1/log/entries serves.
  auto entries = writer_->Get(
      "/v1/log/entries?start=" + std::to_string(j["index"].get<uint64_t>()) +
      "&count=1");
  ASSERT_EQ(entries->status, 200) << entries->body;
  EXPECT_EQ(entries->Json()["entries"][0]["leaf"], j["leaf"]);

  // Inclusion via the proof endpoint, and consistency between the two
  // checkpoints.
  auto incl = admin_->Get("/v1/proof/inclusion?index=2&size=8");
  ASSERT_EQ(incl->status, 200) << incl->body;
  auto consistency = admin_->Get(
      "/v1/proof/consistency?from=" + std::to_string(first->size) + "&to=8");
  ASSERT_EQ(consistency->status, 200) << consistency->body;
  std::vector<ledger::Hash> cproof;
  json consistency_json = consistency->Json();
  for (const auto& h : consistency_json["hashes"])
    cproof.push_back(*ledger::HashFromBase64(h.get<std::string>()));
  ledger::Status consistent = ledger::merkle::VerifyConsistency(
      first->size, 8, first->root, cp->root, cproof);
  EXPECT_TRUE(consistent.ok()) << consistent.ToString() << " first size "
                               << first->size << ": " << consistency->body;
  EXPECT_EQ(admin_->Get("/v1/proof/inclusion?index=8&size=8")->Json()["field"],
            "index");
  EXPECT_EQ(admin_->Get("/v1/proof/consistency?from=1&to=99")->Json()["field"],
            "to");
}

TEST_F(NodeTest, CaptureJobCommitsSignedEpcisDocument) {
  json e1 = MakeEvent("c1"), e2 = MakeEvent("c2");
  auto signature = [&](const json& e) {
    json env = Sign(e, acme_);
    return json{{"signer", env["signer"]}, {"signature", env["signature"]}};
  };
  json s1 = e1, s2 = e2;
  s1["udi:signature"] = signature(e1);
  s2["udi:signature"] = signature(e2);
  json doc = {
      {"@context",
       {"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        {{"udi", "https://udi-ledger.org/ns/"}}}},
      {"type", "EPCISDocument"},
      {"schemaVersion", "2.0"},
      {"creationDate", "2026-11-26T10:00:00Z"},
      {"epcisBody", {{"eventList", {s1, s2}}}}};
  auto r = writer_->Post("/capture", doc);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 202) << r->body;
  std::string location = r->Header("location");
  ASSERT_EQ(location.rfind("/capture/", 0), 0u);
  json job;
  for (int i = 0; i < 100000; ++i) {  // bounded poll until the job finishes
    job = writer_->Get(location)->Json();
    if (!job["running"].get<bool>()) break;
  }
  EXPECT_FALSE(job["running"].get<bool>());
  EXPECT_TRUE(job["success"].get<bool>()) << job.dump();
  EXPECT_EQ(job["captureErrorBehaviour"], "rollback");
  auto found =
      writer_->Get("/v1/events?MATCH_epc=urn:epc:id:sgtin:0614141.107346.c2");
  ASSERT_EQ(
      found->Json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
          .size(),
      1u);

  // rollback: one bad signature fails the whole document.
  json s3 = MakeEvent("c3");
  s3["udi:signature"] = signature(MakeEvent("c4"));
  doc["epcisBody"]["eventList"] = {s3, MakeEvent("c5")};
  r = writer_->Post("/capture", doc);
  ASSERT_EQ(r->status, 202) << r->body;
  for (int i = 0; i < 100000; ++i) {
    job = writer_->Get(r->Header("location"))->Json();
    if (!job["running"].get<bool>()) break;
  }
  EXPECT_FALSE(job["success"].get<bool>()) << job.dump();
  EXPECT_EQ(job["errors"].size(), 2u) << job.dump();
}

// Every event the node holds, as the query answers them (ascending log order,
// or descending with `direction` "DESC").
json AllEvents(HttpClient& client, const std::string& extra = "",
               const std::string& direction = "ASC") {
  auto r = client.Get(
      "/v1/events?perPage=1000&orderBy=recordTime&"
      "orderDirection=" +
      direction + extra);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  return r->Json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"];
}

std::vector<uint64_t> IndexesOf(const json& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e["udi:index"].get<uint64_t>());
  return out;
}

TEST_F(NodeTest, RecordTimeBoundsSelectByReceivedAt) {
  for (int batch = 0; batch < 4; ++batch) {
    std::vector<json> envelopes;
    for (int i = 0; i < 3; ++i) {
      envelopes.push_back(Sign(
          MakeEvent("rt" + std::to_string(batch) + "-" + std::to_string(i)),
          acme_));
    }
    Submit(*writer_, envelopes);
  }
  json all = AllEvents(*writer_);
  ASSERT_EQ(all.size(), 12u);
  std::set<std::string> times;
  for (const auto& e : all)
    times.insert(e["udi:recordTime"].get<std::string>());
  for (const std::string& t : times) {
    SCOPED_TRACE(t);
    std::vector<uint64_t> want_ge, want_lt;
    for (const auto& e : all) {
      (e["udi:recordTime"].get<std::string>() >= t ? want_ge : want_lt)
          .push_back(e["udi:index"].get<uint64_t>());
    }
    for (const auto& [param, want] :
         {std::make_pair(std::string("GE_recordTime"), want_ge),
          std::make_pair(std::string("LT_recordTime"), want_lt)}) {
      std::vector<uint64_t> got;
      for (const auto& e : AllEvents(*writer_, "&" + param + "=" + t))
        got.push_back(e["udi:index"].get<uint64_t>());
      EXPECT_EQ(got, want) << param;
      // An index-driven query honours the bound too.
      got.clear();
      for (const auto& e :
           AllEvents(*writer_, "&EQ_bizStep=shipping&" + param + "=" + t))
        got.push_back(e["udi:index"].get<uint64_t>());
      EXPECT_EQ(got, want) << param << " EQ_bizStep";
      // Descending (newest first), sequential and index-driven: the same
      // events in reverse (this once answered an empty list).
      std::vector<uint64_t> reversed(want.rbegin(), want.rend());
      EXPECT_EQ(IndexesOf(AllEvents(*writer_, "&" + param + "=" + t, "DESC")),
                reversed)
          << param << " DESC";
      EXPECT_EQ(
          IndexesOf(AllEvents(
              *writer_, "&EQ_bizStep=shipping&" + param + "=" + t, "DESC")),
          reversed)
          << param << " DESC EQ_bizStep";
    }
  }
  for (std::string bad :
       {"GE_recordTime=yesterday", "LT_recordTime=2026-11-26T10:00:00",
        "GE_recordTime=2026-11-27T00:00:00Z&LT_recordTime="
        "2026-11-26T00:00:00Z"}) {
    SCOPED_TRACE(bad);
    auto r = writer_->Get("/v1/events?" + bad);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 400) << r->body;
    std::string field = bad.find("LT_") != std::string::npos ? "LT_recordTime"
                                                             : "GE_recordTime";
    EXPECT_EQ(r->Json()["field"], field) << r->body;
  }
}

// The udi:index of every event of a query, walking its pages through
// udi:nextPageToken (at most 100 pages).
std::vector<uint64_t> WalkPages(HttpClient& client, const std::string& query) {
  std::vector<uint64_t> got;
  std::string target = "/v1/events?" + query;
  for (int page = 0; page < 100; ++page) {
    auto r = client.Get(target);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return got;
    EXPECT_EQ(r->status, 200) << r->body;
    if (r->status != 200) return got;
    json doc = r->Json();
    for (uint64_t i : IndexesOf(
             doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]))
      got.push_back(i);
    if (!doc.contains("udi:nextPageToken")) return got;
    target = "/v1/events?" + query +
             "&nextPageToken=" + doc["udi:nextPageToken"].get<std::string>();
  }
  ADD_FAILURE() << "more than 100 pages: " << query;
  return got;
}

// Every combination of orderBy (eventTime|recordTime) x orderDirection x the
// bounded field (eventTime|recordTime) x bounds (none, GE only, LT only, both)
// x with/without MATCH_epc, walked in pages of 3, answers exactly what a
// brute-force filter and sort of all events gives.
TEST_F(NodeTest, QueryOrdersBoundsAndPagesAgreeWithBruteForce) {
  struct Event {
    uint64_t index;
    std::string record_time, event_time, epc;
  };
  std::vector<Event> events;
  std::set<std::string> record_times, event_times;
  // Batches of 4 (one commit, one receivedAt each) until there are at least 24
  // events over at least 4 distinct record times. Event times run out of log
  // order and repeat (24 events over 12 minutes), so ties are ordered by index.
  int submitted = 0;
  for (int round = 0; round < 50; ++round) {
    std::vector<json> envelopes;
    for (int i = 0; i < 4; ++i, ++submitted) {
      char time[32];
      std::snprintf(time, sizeof time, "2026-11-26T10:%02d:00.000Z",
                    (submitted * 7) % 12);
      envelopes.push_back(
          Sign(MakeEvent("bf" + std::to_string(submitted), "shipping", time),
               acme_));
    }
    for (const auto& res : Submit(*writer_, envelopes))
      ASSERT_EQ(res["status"], "accepted") << res.dump();
    events.clear();
    record_times.clear();
    event_times.clear();
    for (const auto& e : AllEvents(*writer_)) {
      events.push_back({e["udi:index"].get<uint64_t>(),
                        e["udi:recordTime"].get<std::string>(),
                        e["eventTime"].get<std::string>(),
                        e["epcList"][0].get<std::string>()});
      record_times.insert(events.back().record_time);
      event_times.insert(events.back().event_time);
    }
    if (submitted >= 24 && record_times.size() >= 4) break;
  }
  ASSERT_GE(record_times.size(), 4u);
  ASSERT_EQ(events.size(), static_cast<size_t>(submitted));
  // MATCH_epc names every third event.
  std::set<std::string> matched;
  std::string match_param = "MATCH_epc=";
  for (size_t i = 1; i < events.size(); i += 3) {
    if (!matched.empty()) match_param += "%7C";
    matched.insert(events[i].epc);
    match_param += events[i].epc;
  }

  for (std::string order : {"eventTime", "recordTime"}) {
    for (std::string direction : {"ASC", "DESC"}) {
      for (std::string field : {"eventTime", "recordTime"}) {
        const auto& values = field == "eventTime" ? event_times : record_times;
        std::vector<std::string> sorted(values.begin(), values.end());
        const std::string ge = sorted[sorted.size() / 4];
        const std::string lt = sorted[sorted.size() * 3 / 4];
        for (int bounds = 0; bounds < 4; ++bounds) {  // none, GE, LT, both
          for (bool match : {false, true}) {
            std::string query = "orderBy=" + order +
                                "&orderDirection=" + direction + "&perPage=3";
            if (bounds & 1) query += "&GE_" + field + "=" + ge;
            if (bounds & 2) query += "&LT_" + field + "=" + lt;
            if (match) query += "&" + match_param;
            SCOPED_TRACE(query);
            std::vector<const Event*> want;
            for (const auto& e : events) {
              const std::string& v =
                  field == "eventTime" ? e.event_time : e.record_time;
              if ((bounds & 1) && v < ge) continue;
              if ((bounds & 2) && v >= lt) continue;
              if (match && !matched.count(e.epc)) continue;
              want.push_back(&e);
            }
            std::sort(
                want.begin(), want.end(), [&](const Event* a, const Event* b) {
                  auto key = [&](const Event* e) {
                    return std::make_pair(
                        order == "eventTime" ? e->event_time : "", e->index);
                  };
                  return direction == "ASC" ? key(a) < key(b) : key(b) < key(a);
                });
            std::vector<uint64_t> want_indexes;
            for (const Event* e : want) want_indexes.push_back(e->index);
            EXPECT_EQ(WalkPages(*writer_, query), want_indexes);
          }
        }
      }
    }
  }
}

std::string Zstd(const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 1);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

TEST_F(NodeTest, ZstdRequestBodiesAreDecodedAndOtherCodingsRefused) {
  const std::vector<std::pair<std::string, std::string>> zstd = {
      {"Content-Encoding", "zstd"}};
  // A batch sent zstd-compressed is accepted like the plain one.
  json batch = {{"envelopes",
                 {Sign(MakeEvent("z1"), acme_), Sign(MakeEvent("z2"), acme_)}}};
  auto r = writer_->Send("POST", "/v1/events", Zstd(batch.dump()), zstd);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  for (const auto& res : r->Json()["results"])
    EXPECT_EQ(res["status"], "accepted") << res.dump();
  EXPECT_EQ(IndexesOf(AllEvents(*writer_)).size(), 2u);

  struct Case {
    std::string coding, body;
    int status;
    std::string field, message;
  };
  const Case cases[] = {
      {"br", batch.dump(), 415, "Content-Encoding", "not supported"},
      {"gzip", batch.dump(), 415, "Content-Encoding", "not supported"},
      {"zstd", "not zstd at all", 400, "body", "not valid zstd"},
      {"zstd", Zstd(batch.dump()).substr(0, 20), 400, "body", "truncated"},
      // 65 MiB of spaces: a few KiB on the wire, over the 64 MiB body limit
      // once decoded.
      {"zstd", Zstd(std::string(65u << 20, ' ')), 413, "body", "once decoded"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.coding + " " + std::to_string(c.status));
    auto bad = writer_->Send("POST", "/v1/events", c.body,
                             {{"Content-Encoding", c.coding}});
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ(bad->status, c.status) << bad->body;
    EXPECT_EQ(bad->Json()["field"], c.field) << bad->body;
    EXPECT_NE(bad->Json()["error"].get<std::string>().find(c.message),
              std::string::npos)
        << bad->body;
    if (c.status == 415) {
      EXPECT_EQ(bad->Header("accept-encoding"), "zstd");
    }
  }
  EXPECT_EQ(IndexesOf(AllEvents(*writer_)).size(), 2u);
}

json CaptureDocument(const std::vector<json>& events) {
  return {{"@context",
           {"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
            {{"udi", "https://udi-ledger.org/ns/"}}}},
          {"type", "EPCISDocument"},
          {"schemaVersion", "2.0"},
          {"creationDate", "2026-11-26T10:00:00Z"},
          {"epcisBody", {{"eventList", events}}}};
}

TEST_F(NodeTest, CaptureJobsSurviveSigkillAndRestart) {
  auto signed_event = [&](const std::string& serial) {
    json e = MakeEvent(serial);
    json env = Sign(e, acme_);
    e["udi:signature"] = {{"signer", env["signer"]},
                          {"signature", env["signature"]}};
    return e;
  };
  // A job that finished before the kill keeps its result.
  auto r = writer_->Post("/capture", CaptureDocument({signed_event("j1")}));
  ASSERT_EQ(r->status, 202) << r->body;
  std::string finished = r->Header("location");
  json job;
  for (int i = 0; i < 100000; ++i) {  // bounded poll until the job finishes
    job = writer_->Get(finished)->Json();
    if (!job["running"].get<bool>()) break;
  }
  ASSERT_TRUE(job["success"].get<bool>()) << job.dump();
  // A job answered 202 and killed at once: known after restart, and not
  // "running" forever.
  r = writer_->Post("/capture", CaptureDocument({signed_event("j2")}));
  ASSERT_EQ(r->status, 202) << r->body;
  std::string killed = r->Header("location");
  ASSERT_TRUE(node_->Stop(SIGKILL).ok());

  StartNode();
  HttpClient client("127.0.0.1", node_->port());
  client.SetBearerToken(node_->AdminToken());
  auto again = client.Get(finished);
  ASSERT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(again->Json(), job);
  auto second = client.Get(killed);
  ASSERT_EQ(second->status, 200) << second->body;
  EXPECT_FALSE(second->Json()["running"].get<bool>()) << second->body;
  EXPECT_EQ(client.Get("/capture/0123456789abcdef01234567")->status, 404);
  // A clean restart keeps them too.
  auto stopped = node_->Stop(SIGTERM);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->exit_code, 0) << stopped->stderr_text;
  StartNode();
  HttpClient after("127.0.0.1", node_->port());
  after.SetBearerToken(node_->AdminToken());
  EXPECT_EQ(after.Get(finished)->Json(), job);
}

TEST_F(NodeTest, MetricsCountEventsAndRequests) {
  Submit(*writer_, {Sign(MakeEvent("m1"), acme_)});
  auto r = admin_->Get("/metrics");
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("udi_events_total{result=\"accepted\",reason=\"\"} 1"),
            std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find("udi_commit_seconds_bucket"), std::string::npos);
  EXPECT_NE(
      r->body.find(
          "udi_http_requests_total{route=\"events.submit\",status=\"200\"}"),
      std::string::npos);
}

TEST_F(NodeTest, SecondNodeOnSameDataDirFailsFast) {
  auto r = udi_test::RunProgram(
      {udi_test::BinDir() + "/ledger-node", "--data", data_, "--listen",
       "127.0.0.1:0", "--name", "test-node"},
      30);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_NE(r->stderr_text.find("in use"), std::string::npos) << r->stderr_text;
}

TEST_F(NodeTest, SigtermExitsZeroAndRestartKeepsEverything) {
  json env = Sign(MakeEvent("t1"), acme_);
  Submit(*writer_, {env});
  auto stopped = node_->Stop(SIGTERM);
  ASSERT_TRUE(stopped.ok()) << stopped.status().ToString();
  EXPECT_EQ(stopped->exit_code, 0) << stopped->stderr_text;
  EXPECT_EQ(stopped->signal, 0);
  // A clean stop writes LevelDB's memtable to a table (Log::FlushStorage), so
  // that the restart has no write-ahead log (*.log) to replay.
  uint64_t wal_bytes = 0;
  for (const auto& f : std::filesystem::directory_iterator(data_)) {
    if (f.path().extension() == ".log") wal_bytes += f.file_size();
  }
  EXPECT_EQ(wal_bytes, 0u);
  StartNode();
  HttpClient client("127.0.0.1", node_->port());
  client.SetBearerToken(node_->AdminToken());
  auto r = client.Post("/v1/events", env);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->Json()["results"][0]["status"], "duplicate");
}

// Streams batches of signed events from another thread until at least
// `min_acked` are acknowledged, then ends the node with `sig`. Returns the
// acknowledged event ids.
std::vector<std::string> StreamThenSignal(NodeProcess* node,
                                          const ledger::SigningKey& key,
                                          const std::string& token, int sig,
                                          size_t min_acked,
                                          udi_test::ProcessResult* ended) {
  std::atomic<bool> stop{false};
  std::vector<std::string> acknowledged;
  std::mutex mu;  // guards acked and client_done
  std::condition_variable cv;
  size_t acked = 0;
  bool client_done = false;
  uint16_t port = node->port();
  std::thread client([&] {
    HttpClient c("127.0.0.1", port);
    c.SetBearerToken(token);
    for (int batch = 0; !stop; ++batch) {
      std::vector<json> envelopes;
      for (int i = 0; i < 20; ++i) {
        envelopes.push_back(Sign(
            MakeEvent("k" + std::to_string(batch) + "x" + std::to_string(i)),
            key));
      }
      auto r = c.Post("/v1/events", {{"envelopes", envelopes}});
      if (!r.ok() || r->status != 200) break;  // the node is gone or going
      json results = r->Json()["results"];
      std::lock_guard<std::mutex> lock(mu);
      for (size_t i = 0; i < results.size(); ++i) {
        if (results[i]["status"] == "accepted") {
          acknowledged.push_back(results[i]["eventId"]);
        }
      }
      acked = acknowledged.size();
      cv.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu);
    client_done = true;
    cv.notify_all();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::seconds(120),
                [&] { return acked >= min_acked || client_done; });
  }
  auto result = node->Stop(sig);  // while the client is still sending
  stop = true;
  client.join();
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (result.ok()) *ended = *result;
  EXPECT_GE(acknowledged.size(), min_acked) << "the client stopped early";
  return acknowledged;
}

TEST_F(NodeTest, AcknowledgedEventsSurviveSigkill) {
  udi_test::ProcessResult ended;
  auto acknowledged =
      StreamThenSignal(node_.get(), acme_, CreateToken("writer", acme_.KeyId()),
                       SIGKILL, 200, &ended);
  EXPECT_EQ(ended.signal, SIGKILL);

  StartNode();
  HttpClient reader("127.0.0.1", node_->port());
  reader.SetBearerToken(node_->AdminToken());
  for (const auto& id : acknowledged) {
    auto r = reader.Get("/v1/events/" + udi_test::EncodePathSegment(id));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200)
        << id << " acknowledged but missing after restart";
  }
  auto stopped = node_->Stop(SIGTERM);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->exit_code, 0);
  auto verify = udi_test::RunProgram(
      {udi_test::BinDir() + "/ledgerctl", "verify", "--data", data_}, 120);
  ASSERT_TRUE(verify.ok()) << verify.status().ToString();
  EXPECT_EQ(verify->exit_code, 0) << verify->stdout_text << verify->stderr_text;
}

TEST_F(NodeTest, SigtermWhileStreamingAnswersAdmittedBatchesAndExitsZero) {
  udi_test::ProcessResult ended;
  auto acknowledged =
      StreamThenSignal(node_.get(), acme_, CreateToken("writer", acme_.KeyId()),
                       SIGTERM, 100, &ended);
  EXPECT_EQ(ended.exit_code, 0) << ended.stderr_text;
  EXPECT_EQ(ended.signal, 0);
  StartNode();
  HttpClient reader("127.0.0.1", node_->port());
  reader.SetBearerToken(node_->AdminToken());
  auto info = reader.Get("/v1/node");
  ASSERT_TRUE(info.ok());
  // Every acknowledged event is there; nothing beyond what was admitted was
  // written twice.
  EXPECT_GE(info->Json()["size"].get<size_t>(), 1 + acknowledged.size());
  for (const auto& id : acknowledged) {
    ASSERT_EQ(
        reader.Get("/v1/events/" + udi_test::EncodePathSegment(id))->status,
        200)
        << id;
  }
}

}  // namespace

namespace {

TEST(NodeConfigTest, LimitsFromConfigFileAreEnforced) {
  TempDir tmp;
  std::string config = tmp.path() + "/node.json";
  std::ofstream(config)
      << R"({"bodyLimitBytes": 4096, "maxEnvelopesPerRequest": 2, "maxPendingEvents": 1})";
  auto node = NodeProcess::Start(tmp.path() + "/data", {"--config", config});
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  HttpClient admin("127.0.0.1", (*node)->port());
  admin.SetBearerToken((*node)->AdminToken());
  auto key = *ledger::SigningKey::Generate("acme");
  std::vector<json> three;
  for (int i = 0; i < 3; ++i)
    three.push_back(Sign(MakeEvent("l" + std::to_string(i)), key));
  auto too_many = admin.Post("/v1/events", {{"envelopes", three}});
  ASSERT_TRUE(too_many.ok());
  EXPECT_EQ(too_many->status, 413) << too_many->body;
  EXPECT_EQ(too_many->Json()["field"], "envelopes");
  // Two envelopes exceed the queue of one pending event: 503 with Retry-After.
  auto overloaded =
      admin.Post("/v1/events", {{"envelopes", {three[0], three[1]}}});
  ASSERT_TRUE(overloaded.ok());
  EXPECT_EQ(overloaded->status, 503) << overloaded->body;
  EXPECT_EQ(overloaded->Header("retry-after"), "1");
  auto too_big = admin.Send("POST", "/v1/events", std::string(5000, ' '));
  ASSERT_TRUE(too_big.ok()) << too_big.status().ToString();
  EXPECT_EQ(too_big->status, 413) << too_big->body;
  EXPECT_EQ(too_big->Json()["field"], "body");
  // The connection was closed after the 413; the client reconnects.
  EXPECT_EQ(admin.Get("/healthz")->status, 200);
}

TEST(NodeConfigTest, UnknownConfigKeyFailsByName) {
  TempDir tmp;
  std::string config = tmp.path() + "/node.json";
  std::ofstream(config) << R"({"bodyLimit": 4096})";
  auto r = udi_test::RunProgram({udi_test::BinDir() + "/ledger-node", "--data",
                                 tmp.path() + "/data", "--config", config},
                                30);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 2);
  EXPECT_NE(r->stderr_text.find("bodyLimit: unknown key"), std::string::npos)
      << r->stderr_text;
}

}  // namespace
