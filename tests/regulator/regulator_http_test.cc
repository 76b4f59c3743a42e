// The regulator API over HTTP against a real ledger-node filled with the
// synthetic supply chain: trace (ids in every form, proofs, errors, roles),
// evidence bundles (and ledgerctl bundle / verify-bundle), recall reports in
// three formats, issuing recalls (who may), unit verification, and the audit
// record of regulator queries.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/envelope.h"
#include "ledger/evidence.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "node/client/http_client.h"
#include "supplychain/generator.h"
#include "tests/node_process.h"

namespace {

using nlohmann::json;
using udi_http::HttpClient;

class RegulatorHttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new udi_test::TempDir();
    auto node = udi_test::NodeProcess::Start(tmp_->path() + "/data");
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = node->release();
    admin_ = Client(node_->AdminToken());
    supplychain::GeneratorOptions gen;
    gen.seed = 11;
    gen.units = 300;
    gen.manufacturers = 2;
    gen.distributors = 1;
    gen.hospitals = 2;
    gen.recalls = 2;
    gen.recall_ack_rate = 0.5;
    gen.threads = 2;
    std::vector<json> envelopes;
    auto result =
        supplychain::Generate(gen, [&](const supplychain::GeneratedEvent& e) {
          envelopes.push_back(e.envelope.ToJson());
          return ledger::Status::OK();
        });
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    result_ = new supplychain::GenerationResult(std::move(result).value());
    for (const auto& p : result_->parties) {
      auto r =
          admin_->Post("/v1/participants", {{"gln", p.gln},
                                            {"name", p.name},
                                            {"role", p.role},
                                            {"verifierKey", p.verifier_key}});
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 201) << r->body;
    }
    for (size_t i = 0; i < envelopes.size(); i += 5000) {
      std::vector<json> part(
          envelopes.begin() + i,
          envelopes.begin() + std::min(envelopes.size(), i + 5000));
      auto r = admin_->Post("/v1/events", {{"envelopes", part}});
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 200) << r->body.substr(0, 400);
    }
    regulator_token_ = new std::string(Token("regulator"));
    regulator_ = Client(*regulator_token_);
    reader_ = Client(Token("reader"));
  }
  static void TearDownTestSuite() {
    delete admin_;
    delete regulator_;
    delete reader_;
    delete regulator_token_;
    delete result_;
    delete node_;
    delete tmp_;
  }

  static HttpClient* Client(const std::string& token) {
    auto* c = new HttpClient("127.0.0.1", node_->port());
    c->SetBearerToken(token);
    return c;
  }
  static std::string Token(const std::string& role,
                           const std::string& participant = "") {
    json body = {{"role", role}};
    if (!participant.empty()) body["participant"] = participant;
    auto r = admin_->Post("/v1/tokens", body);
    EXPECT_TRUE(r.ok() && r->status == 201) << (r.ok() ? r->body : "");
    return r.ok() ? r->Json().value("token", "") : "";
  }
  static const supplychain::PartyInfo& Party(const std::string& role,
                                             size_t nth = 0) {
    for (const auto& p : result_->parties) {
      if (p.role == role && nth-- == 0) return p;
    }
    return result_->parties.front();
  }
  static const supplychain::GroundTruth& Truth() { return result_->truth; }
  static const supplychain::UnitTruth& SomeUnit() {
    for (const auto& u : Truth().units) {
      if (u.status == "dispensed" && u.events.size() >= 6) return u;
    }
    return Truth().units.front();
  }
  static udi_http::HttpResponse Get(HttpClient* c, const std::string& target) {
    auto r = c->Get(target);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : udi_http::HttpResponse{};
  }

  static udi_test::TempDir* tmp_;
  static udi_test::NodeProcess* node_;
  static supplychain::GenerationResult* result_;
  static HttpClient* admin_;
  static HttpClient* regulator_;
  static HttpClient* reader_;
  static std::string* regulator_token_;
};
udi_test::TempDir* RegulatorHttpTest::tmp_ = nullptr;
udi_test::NodeProcess* RegulatorHttpTest::node_ = nullptr;
supplychain::GenerationResult* RegulatorHttpTest::result_ = nullptr;
HttpClient* RegulatorHttpTest::admin_ = nullptr;
HttpClient* RegulatorHttpTest::regulator_ = nullptr;
HttpClient* RegulatorHttpTest::reader_ = nullptr;
std::string* RegulatorHttpTest::regulator_token_ = nullptr;

TEST_F(RegulatorHttpTest, TraceByEveryIdFormMatchesTruth) {
  const supplychain::UnitTruth& u = SomeUnit();
  // GS1 element string of the unit as a scanner sends it (serial last).
  const std::string gtin = u.key.substr(3, 14);
  const std::string serial = u.key.substr(u.key.find("/21/") + 4);
  for (const std::string& id :
       {u.epc, u.digital_link, u.key, "]d201" + gtin + "21" + serial,
        "(01)" + gtin + "(21)" + serial}) {
    SCOPED_TRACE(id);
    auto r = Get(regulator_, "/v1/trace/" + udi_test::EncodePathSegment(id));
    ASSERT_EQ(r.status, 200) << r.body;
    json j = r.Json();
    EXPECT_EQ(j["key"], u.key);
    EXPECT_EQ(j["status"], u.status);
    EXPECT_EQ(j["custodian"]["gln"], u.custodian);
    ASSERT_EQ(j["hops"].size(), u.events.size());
    for (size_t i = 0; i < u.events.size(); ++i) {
      EXPECT_EQ(j["hops"][i]["eventId"], u.events[i].event_id);
      EXPECT_EQ(j["hops"][i]["inferred"], u.events[i].inferred);
    }
    EXPECT_EQ(j["coverage"].size(), 1u);
  }
}

TEST_F(RegulatorHttpTest, TraceWithProofsVerifiesAgainstTheCheckpoint) {
  auto r = Get(regulator_, "/v1/trace/" +
                               udi_test::EncodePathSegment(SomeUnit().epc) +
                               "?proofs=true");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.Json();
  auto cp = ledger::Checkpoint::Parse(
      ledger::SignedNote::Parse(
          j["coverage"][0]["checkpoint"].get<std::string>())
          ->text);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(j["coverage"][0]["size"], cp->size);
  for (const json& hop : j["hops"]) {
    const uint64_t index = hop["index"];
    auto e = Get(admin_,
                 "/v1/log/entries?start=" + std::to_string(index) + "&count=1");
    ASSERT_EQ(e.status, 200);
    auto leaf =
        ledger::FromBase64(e.Json()["entries"][0]["leaf"].get<std::string>());
    ASSERT_TRUE(leaf);
    std::vector<ledger::Hash> proof;
    for (const json& h : hop["inclusionProof"]["hashes"])
      proof.push_back(*ledger::HashFromBase64(h.get<std::string>()));
    EXPECT_EQ(hop["inclusionProof"]["treeSize"], cp->size);
    EXPECT_TRUE(ledger::merkle::VerifyInclusion(index, cp->size,
                                                ledger::merkle::LeafHash(*leaf),
                                                proof, cp->root)
                    .ok())
        << index;
  }
}

TEST_F(RegulatorHttpTest, TraceErrorsAndRoles) {
  struct Case {
    HttpClient* client;
    std::string target;
    int status;
    std::string field;
  };
  HttpClient anonymous("127.0.0.1", node_->port());
  const std::string lgtin = Truth().lots.front().key;
  const std::vector<Case> cases = {
      {regulator_,
       "/v1/trace/" + udi_test::EncodePathSegment("urn:epc:id:sgtin:nonsense"),
       400, "id"},
      {regulator_, "/v1/trace/" + udi_test::EncodePathSegment(lgtin), 400,
       "id"},
      {regulator_, "/v1/trace/" + udi_test::EncodePathSegment("]d2XYZ"), 400,
       "id"},
      {regulator_,
       "/v1/trace/" + udi_test::EncodePathSegment(SomeUnit().epc) +
           "?proofs=maybe",
       400, "proofs"},
      {regulator_,
       "/v1/trace/" + udi_test::EncodePathSegment(SomeUnit().epc) + "?x=1", 400,
       "x"},
      {reader_, "/v1/trace/" + udi_test::EncodePathSegment(SomeUnit().epc), 403,
       "Authorization"},
      {&anonymous, "/v1/trace/" + udi_test::EncodePathSegment(SomeUnit().epc),
       401, "Authorization"},
      {reader_, "/v1/recalls/" + udi_test::EncodePathSegment(lgtin), 403,
       "Authorization"},
      {reader_,
       "/v1/trace/" + udi_test::EncodePathSegment(SomeUnit().epc) + "/bundle",
       403, "Authorization"},
      {admin_, "/v1/trace/" + udi_test::EncodePathSegment(SomeUnit().epc), 200,
       ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target);
    auto r = Get(c.client, c.target);
    EXPECT_EQ(r.status, c.status) << r.body;
    if (!c.field.empty()) {
      EXPECT_EQ(r.Json().value("field", ""), c.field);
    }
  }
  // A unit no log knows is not an error.
  auto unknown =
      Get(regulator_, "/v1/trace/" + udi_test::EncodePathSegment(
                                         "urn:epc:id:sgtin:0614141.812345.1"));
  ASSERT_EQ(unknown.status, 200);
  EXPECT_EQ(unknown.Json()["status"], "unknown");
}

// Every regulator query is recorded in the log as a "query" entry naming the
// token, the method and the target.
TEST_F(RegulatorHttpTest, RegulatorQueriesAreRecordedInTheLog) {
  const std::string target =
      "/v1/trace/" + udi_test::EncodePathSegment(SomeUnit().epc);
  for (const std::string& t :
       {target, std::string("/v1/events?EQ_bizStep=receiving&perPage=1")}) {
    SCOPED_TRACE(t);
    auto r = Get(regulator_, t);
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    ASSERT_EQ(r.Header("udi-audit-error"), "");
    ASSERT_NE(r.Header("udi-audit-index"), "");
    const std::string index = r.Header("udi-audit-index");
    auto e = Get(admin_, "/v1/log/entries?start=" + index + "&count=1");
    ASSERT_EQ(e.status, 200);
    json entry = json::parse(
        *ledger::FromBase64(e.Json()["entries"][0]["leaf"].get<std::string>()));
    EXPECT_EQ(entry["type"], "query");
    EXPECT_EQ(entry["query"]["role"], "regulator");
    EXPECT_EQ(entry["query"]["method"], "GET");
    EXPECT_EQ(entry["query"]["target"], t);
    EXPECT_FALSE(entry["query"]["caller"].get<std::string>().empty());
  }
  // Other roles are not audited.
  auto by_admin = Get(admin_, target);
  EXPECT_EQ(by_admin.Header("udi-audit-index"), "");
}

TEST_F(RegulatorHttpTest, RecallReportInThreeFormats) {
  ASSERT_FALSE(Truth().recalls.empty());
  const supplychain::RecallTruth& recall = Truth().recalls.front();
  auto r = Get(regulator_,
               "/v1/recalls/" + udi_test::EncodePathSegment(recall.event_id));
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  json j = r.Json();
  std::set<std::string> got, want(recall.units.begin(), recall.units.end());
  for (const json& u : j["units"]) got.insert(u["key"]);
  EXPECT_EQ(got, want);
  EXPECT_EQ(j["recallEventId"], recall.event_id);
  EXPECT_TRUE(j["acknowledgement"].contains("timeline"));
  // By the bare hex of the id, too.
  auto hex = Get(regulator_, "/v1/recalls/" + recall.event_id.substr(14));
  EXPECT_EQ(hex.status, 200);
  auto csv = Get(regulator_, "/v1/recalls/" +
                                 udi_test::EncodePathSegment(recall.event_id) +
                                 "?format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.Header("content-type").rfind("text/csv", 0), 0u);
  EXPECT_EQ(
      static_cast<size_t>(std::count(csv.body.begin(), csv.body.end(), '\n')),
      want.size() + 1);
  auto epcis =
      Get(regulator_, "/v1/recalls/" +
                          udi_test::EncodePathSegment(recall.event_id) +
                          "?format=epcis");
  ASSERT_EQ(epcis.status, 200);
  json doc = epcis.Json();
  EXPECT_EQ(doc["type"], "EPCISDocument");
  ASSERT_FALSE(doc["epcisBody"]["eventList"].empty());
  EXPECT_EQ(doc["epcisBody"]["eventList"][0]["udi:eventId"], recall.event_id);
  EXPECT_EQ(Get(regulator_, "/v1/recalls/" +
                                udi_test::EncodePathSegment(recall.event_id) +
                                "?format=xml")
                .status,
            400);
  EXPECT_EQ(Get(regulator_, "/v1/recalls/" + std::string(64, 'a')).status, 404);
  EXPECT_EQ(Get(regulator_,
                "/v1/recalls/" + udi_test::EncodePathSegment(SomeUnit().epc))
                .status,
            400);
  // By its recallNumber (udi:recall.recallNumber of the recall event), with
  // the same answer as by its event id.
  const std::string number =
      doc["epcisBody"]["eventList"][0]["udi:recall"].value("recallNumber", "");
  ASSERT_FALSE(number.empty());
  auto by_number =
      Get(regulator_, "/v1/recalls/" + udi_test::EncodePathSegment(number));
  ASSERT_EQ(by_number.status, 200) << by_number.body.substr(0, 300);
  EXPECT_EQ(by_number.Json()["recallEventId"], recall.event_id);
  EXPECT_EQ(by_number.Json()["units"], j["units"]);
  EXPECT_EQ(by_number.Json()["id"], number);
  auto unknown = Get(regulator_, "/v1/recalls/RCL-NO-SUCH-NUMBER");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_NE(unknown.body.find("recallNumber"), std::string::npos);
  // By the GTIN+lot of a lot.
  const supplychain::LotTruth& lot = Truth().lots.front();
  auto by_lot =
      Get(regulator_, "/v1/recalls/" + udi_test::EncodePathSegment(lot.key));
  ASSERT_EQ(by_lot.status, 200) << by_lot.body.substr(0, 300);
  EXPECT_EQ(by_lot.Json()["unitCount"], lot.units.size());
}

json RecallEvent(const supplychain::PartyInfo& issuer,
                 const supplychain::LotTruth& lot, const std::string& cls) {
  return {{"type", "ObjectEvent"},
          {"@context",
           json::array({"https://ref.gs1.org/standards/epcis/2.0.0/"
                        "epcis-context.jsonld",
                        {{"udi", "https://udi-ledger.example/ns/epcis#"}}})},
          {"action", "OBSERVE"},
          {"eventTime", "2026-07-01T10:00:00.000Z"},
          {"eventTimeZoneOffset", "+00:00"},
          {"quantityList",
           json::array({{{"epcClass", "https://id.gs1.org/01/" + lot.gtin +
                                          "/10/" + lot.lot}}})},
          {"bizStep", "holding"},
          {"disposition", "recalled"},
          {"readPoint", {{"id", issuer.sites.at(0)}}},
          {"udi:recall",
           {{"recallNumber", "RCL-TEST-" + lot.lot},
            {"class", cls},
            {"reason", "test recall"},
            {"gtin", lot.gtin},
            {"lots", json::array({lot.lot})},
            {"issuer", issuer.pgln}}}};
}

json SignedBy(const supplychain::PartyInfo& p, const json& event) {
  auto key = ledger::SigningKey::Parse(p.private_key);
  EXPECT_TRUE(key.ok());
  auto env = ledger::SignEvent(event, *key);
  EXPECT_TRUE(env.ok());
  return env->ToJson();
}

TEST_F(RegulatorHttpTest, IssuingRecalls) {
  // A lot no recall named yet, and its manufacturer.
  const supplychain::LotTruth* lot = nullptr;
  for (const auto& l : Truth().lots) {
    bool recalled = false;
    for (const auto& r : Truth().recalls) {
      for (const auto& n : r.lots) recalled |= n == l.lot;
    }
    if (!recalled) lot = &l;
  }
  ASSERT_NE(lot, nullptr);
  const supplychain::PartyInfo* maker = nullptr;
  const supplychain::PartyInfo* other_maker = nullptr;
  for (const auto& p : result_->parties) {
    if (p.role != "manufacturer") continue;
    (p.gln == lot->manufacturer ? maker : other_maker) = &p;
  }
  ASSERT_NE(maker, nullptr);
  ASSERT_NE(other_maker, nullptr);
  std::unique_ptr<HttpClient> maker_writer(Client(Token(
      "writer", ledger::VerifierKey::Parse(maker->verifier_key)->KeyId())));
  std::unique_ptr<HttpClient> other_writer(Client(
      Token("writer",
            ledger::VerifierKey::Parse(other_maker->verifier_key)->KeyId())));
  json no_class = RecallEvent(*maker, *lot, "IV");
  struct Case {
    const char* name;
    HttpClient* client;
    json body;
    int status;
  };
  const std::vector<Case> cases = {
      {"bad class", maker_writer.get(), SignedBy(*maker, no_class), 400},
      {"not an envelope", maker_writer.get(), json{{"event", 1}}, 400},
      {"another manufacturer's lot", other_writer.get(),
       SignedBy(*other_maker, RecallEvent(*other_maker, *lot, "II")), 403},
      {"a distributor", regulator_,
       SignedBy(Party("distributor"),
                RecallEvent(Party("distributor"), *lot, "II")),
       403},
      {"writer bound to another signer", other_writer.get(),
       SignedBy(*maker, RecallEvent(*maker, *lot, "III")), 400},
      {"reader token", reader_,
       SignedBy(*maker, RecallEvent(*maker, *lot, "II")), 403},
      {"the manufacturer", maker_writer.get(),
       SignedBy(*maker, RecallEvent(*maker, *lot, "II")), 201},
      {"a regulator", regulator_,
       SignedBy(Party("regulator"), RecallEvent(Party("regulator"), *lot, "I")),
       201},
  };
  std::string issued;
  std::vector<std::string> all_issued;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = c.client->Post("/v1/recalls", c.body);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, c.status) << r->body;
    if (r->status == 201) {
      issued = r->Json().value("eventId", "");
      all_issued.push_back(issued);
    }
  }
  ASSERT_FALSE(issued.empty());
  // The manufacturer and the regulator both used recallNumber RCL-TEST-<lot>:
  // asking by that number is ambiguous (409 naming both events), each event
  // id still addresses its own report.
  ASSERT_EQ(all_issued.size(), 2u);
  auto ambiguous =
      Get(regulator_,
          "/v1/recalls/" + udi_test::EncodePathSegment("RCL-TEST-" + lot->lot));
  EXPECT_EQ(ambiguous.status, 409) << ambiguous.body;
  EXPECT_EQ(ambiguous.Json().value("field", ""), "id");
  for (const std::string& id : all_issued)
    EXPECT_NE(ambiguous.body.find(id), std::string::npos) << id;
  auto report =
      Get(regulator_, "/v1/recalls/" + udi_test::EncodePathSegment(issued));
  ASSERT_EQ(report.status, 200) << report.body.substr(0, 300);
  EXPECT_EQ(report.Json()["unitCount"], lot->units.size());
  // Its units now trace as recalled (unless already out of circulation).
  auto unit =
      Get(regulator_,
          "/v1/trace/" + udi_test::EncodePathSegment(lot->units.front()));
  ASSERT_EQ(unit.status, 200);
  EXPECT_FALSE(unit.Json()["recalls"].empty());
}

TEST_F(RegulatorHttpTest, VerifyUnit) {
  const supplychain::UnitTruth& u = SomeUnit();
  const std::string lot = u.lot_key.substr(u.lot_key.find("/10/") + 4);
  auto r = Get(reader_, "/v1/verify/" + udi_test::EncodePathSegment(u.epc) +
                            "?lot=" + udi_test::EncodePathSegment(lot));
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.Json();
  EXPECT_TRUE(j["exists"].get<bool>());
  EXPECT_EQ(j["lotMatches"], true);
  EXPECT_EQ(j["commissionedBy"]["gln"], u.manufacturer);
  EXPECT_EQ(j["status"], u.status);
  auto wrong = Get(
      reader_, "/v1/verify/" + udi_test::EncodePathSegment(u.epc) + "?lot=X1");
  EXPECT_EQ(wrong.Json()["lotMatches"], false);
  EXPECT_FALSE(wrong.Json()["active"].get<bool>());
  auto bad = Get(reader_, "/v1/verify/" + udi_test::EncodePathSegment(u.epc) +
                              "?expiry=2026-13");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json().value("field", ""), "expiry");
}

// The value of the series `series` (name and labels) in a /metrics text; -1
// when absent.
double MetricValue(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

// A regulator query whose audit record cannot be appended is still answered,
// with Udi-Audit-Error, and counted in /metrics as
// udi_audit_records_total{result="error"}; recorded ones count as "ok". The
// failure is real: a request target that is not UTF-8 cannot be written into
// a JCS (RFC 8785) log entry.
TEST_F(RegulatorHttpTest, AuditFailuresAreCountedInMetrics) {
  const std::string ok_series = "udi_audit_records_total{result=\"ok\"}";
  const std::string error_series = "udi_audit_records_total{result=\"error\"}";
  auto before = Get(admin_, "/metrics");
  ASSERT_EQ(before.status, 200);
  const double ok0 = MetricValue(before.body, ok_series);
  const double error0 = MetricValue(before.body, error_series);
  ASSERT_GE(ok0, 0) << before.body.substr(0, 2000);
  ASSERT_GE(error0, 0);

  auto recorded = Get(
      regulator_, "/v1/trace/" + udi_test::EncodePathSegment(SomeUnit().epc));
  ASSERT_EQ(recorded.status, 200);
  ASSERT_NE(recorded.Header("udi-audit-index"), "");
  // A raw 0xFF byte in the path (not percent-encoded): the node answers the
  // query (400: not an identifier) but cannot record it.
  auto failed = Get(regulator_, "/v1/trace/X\xff");
  ASSERT_EQ(failed.status, 400) << failed.body;
  EXPECT_NE(failed.Header("udi-audit-error"), "");
  EXPECT_EQ(failed.Header("udi-audit-index"), "");

  auto after = Get(admin_, "/metrics");
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(MetricValue(after.body, ok_series), ok0 + 1);
  EXPECT_EQ(MetricValue(after.body, error_series), error0 + 1);
  EXPECT_NE(after.body.find("# TYPE udi_audit_records_total counter\n"),
            std::string::npos);
}

TEST_F(RegulatorHttpTest, BundleOverHttpAndLedgerctl) {
  const supplychain::UnitTruth& u = SomeUnit();
  auto r = Get(regulator_,
               "/v1/trace/" + udi_test::EncodePathSegment(u.epc) + "/bundle");
  ASSERT_EQ(r.status, 200);
  auto info = Get(admin_, "/v1/node");
  auto key =
      ledger::VerifierKey::Parse(info.Json()["verifierKey"].get<std::string>());
  ASSERT_TRUE(key.ok());
  auto summary = ledger::evidence::VerifyTraceBundle(r.body, {*key});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->key, u.key);

  udi_test::TempDir dir;
  const std::string file = dir.path() + "/bundle.json";
  const std::string ledgerctl = udi_test::BinDir() + "/ledgerctl";
  const std::string node_url =
      "http://127.0.0.1:" + std::to_string(node_->port());
  auto fetched =
      udi_test::RunProgram({ledgerctl, "bundle", "--node", node_url, "--token",
                            *regulator_token_, u.digital_link, "-o", file});
  ASSERT_TRUE(fetched.ok());
  ASSERT_EQ(fetched->exit_code, 0) << fetched->stderr_text;
  auto verified = udi_test::RunProgram(
      {ledgerctl, "verify-bundle", file, "--key", key->ToText()});
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->exit_code, 0) << verified->stderr_text;
  EXPECT_NE(verified->stdout_text.find("verified: " + u.key), std::string::npos)
      << verified->stdout_text;
  // One changed byte: not verified (exit 1), and the message says where.
  std::string text;
  {
    std::ifstream in(file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text[text.size() / 2] ^= 0x01;
  std::ofstream(file, std::ios::trunc) << text;
  auto tampered = udi_test::RunProgram({ledgerctl, "verify-bundle", file});
  ASSERT_TRUE(tampered.ok());
  EXPECT_EQ(tampered->exit_code, 1);
  EXPECT_NE(tampered->stderr_text.find("NOT verified"), std::string::npos);
  auto usage = udi_test::RunProgram({ledgerctl, "verify-bundle"});
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->exit_code, 2);
}

// `ledgerctl token create --role regulator` makes a token the regulator
// endpoints accept (and audit).
TEST_F(RegulatorHttpTest, LedgerctlRegulatorTokenWorks) {
  const std::string ledgerctl = udi_test::BinDir() + "/ledgerctl";
  auto created = udi_test::RunProgram(
      {ledgerctl, "token", "create", "--node",
       "http://127.0.0.1:" + std::to_string(node_->port()), "--token",
       node_->AdminToken(), "--role", "regulator"});
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->exit_code, 0) << created->stderr_text;
  std::string token;
  for (size_t at = created->stdout_text.find("udi_"); at != std::string::npos;
       at = std::string::npos) {
    token = created->stdout_text.substr(at, 4 + 64);
  }
  ASSERT_EQ(token.size(), 68u) << created->stdout_text;
  std::unique_ptr<HttpClient> client(Client(token));
  auto r = Get(client.get(),
               "/v1/trace/" + udi_test::EncodePathSegment(SomeUnit().epc));
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
