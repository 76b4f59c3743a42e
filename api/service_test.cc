// Service and Committer over a real Log in a temporary directory.
#include "api/service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "api/api_testing.h"
#include "ledger/envelope.h"

namespace api {
namespace {

using nlohmann::json;
using test_util::MakeEvent;

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.Open("api-test").ok());
    tokens_ = TokenStore::Open(env_.dir + "/tokens.json").value();
    committer_ = std::make_unique<Committer>(env_.log.get(), &metrics_,
                                             CommitterOptions{});
    service_ =
        std::make_unique<Service>(ServiceOptions{}, env_.log.get(),
                                  tokens_.get(), committer_.get(), &metrics_);
    admin_ = tokens_->Create(Role::kAdmin, "")->second;
    writer_ = tokens_->Create(Role::kWriter, env_.acme.KeyId())->second;
  }
  void TearDown() override {
    service_.reset();
    committer_.reset();
  }

  Response Call(const std::string& method, const std::string& target,
                const std::string& token, const std::string& body = "") {
    Request r;
    r.method = method;
    EXPECT_TRUE(ParseTarget(target, &r).ok());
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    r.body = body;
    std::promise<Response> promise;
    auto future = promise.get_future();
    service_->Handle(std::move(r), [&promise](Response res) {
      promise.set_value(std::move(res));
    });
    EXPECT_EQ(future.wait_for(std::chrono::seconds(60)),
              std::future_status::ready);
    return future.get();
  }

  test_util::AcmeLog env_;
  Metrics metrics_;
  std::unique_ptr<TokenStore> tokens_;
  std::unique_ptr<Committer> committer_;
  std::unique_ptr<Service> service_;
  std::string admin_, writer_;
};

TEST_F(ServiceTest, RoutingAndAuthErrors) {
  struct Case {
    std::string method, target, token;
    int status;
    std::string field;
  };
  const Case cases[] = {
      {"GET", "/healthz", "", 200, ""},
      {"GET", "/v1/node", "", 200, ""},
      {"GET", "/v1/nowhere", "", 404, ""},
      {"PATCH", "/v1/node", "", 405, ""},
      {"GET", "/v1/events", "", 401, "Authorization"},
      {"GET", "/v1/events", "udi_unknown", 401, "Authorization"},
      {"POST", "/v1/participants", "WRITER", 403, "Authorization"},
      {"GET", "/v1/events?perPage=2&bogus=1", "WRITER", 400, "bogus"},
      {"GET", "/v1/events?perPage=1&perPage=2", "WRITER", 400, "perPage"},
      {"GET", "/v1/log/entries?start=0", "WRITER", 400, "count"},
      {"GET", "/v1/proof/inclusion?index=5&size=9", "", 400, "size"},
      {"GET", "/v1/proof/inclusion?index=1&size=1", "", 400, "index"},
      {"GET", "/v1/events/ni%3A%2F%2F%2Fsha-256%3B00", "WRITER", 404,
       "eventId"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.target);
    Response r =
        Call(c.method, c.target, c.token == "WRITER" ? writer_ : c.token);
    EXPECT_EQ(r.status, c.status) << r.body;
    if (!c.field.empty()) {
      EXPECT_EQ(json::parse(r.body)["field"], c.field) << r.body;
    }
  }
}

TEST_F(ServiceTest, SubmitQueryAndFetch) {
  json env = ledger::SignEvent(MakeEvent("1"), env_.acme)->ToJson();
  Response r = Call("POST", "/v1/events", writer_, env.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  json result = json::parse(r.body)["results"][0];
  EXPECT_EQ(result["status"], "accepted");
  EXPECT_EQ(result["index"], 1);
  Response q = Call(
      "GET", "/v1/events?MATCH_epc=urn:epc:id:sgtin:0614141.107346.1", writer_);
  ASSERT_EQ(q.status, 200) << q.body;
  json events = json::parse(
      q.body)["epcisBody"]["queryResults"]["resultsBody"]["eventList"];
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["udi:eventId"], result["eventId"]);
  EXPECT_EQ(events[0]["udi:signature"]["signer"], env_.acme.KeyId());
  Response e = Call("GET", "/v1/log/entries?start=0&count=10", writer_);
  ASSERT_EQ(e.status, 200);
  EXPECT_EQ(json::parse(e.body)["entries"].size(), 2u);
}

// The results body is written without a JSON document: byte for byte what
// JsonResponse(200, {"results": [...]}) writes (sorted members, no spaces,
// one newline), for accepted, duplicate and rejected outcomes, with indexes
// of one and several digits.
TEST_F(ServiceTest, SubmitResultsBodyIsTheJsonDump) {
  json list = json::array();
  for (int i = 0; i < 12; ++i) {
    list.push_back(
        ledger::SignEvent(MakeEvent("r" + std::to_string(i)), env_.acme)
            ->ToJson());
  }
  list.push_back(list[3]);  // a duplicate
  json bad = list[4];
  bad["signature"] = "AAAA";  // rejected, with an error text
  list.push_back(bad);
  Response r =
      Call("POST", "/v1/events", writer_, json{{"envelopes", list}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  json parsed = json::parse(r.body);
  EXPECT_EQ(r.body, parsed.dump() + "\n");
  ASSERT_EQ(parsed["results"].size(), 14u);
  EXPECT_EQ(parsed["results"][11]["index"], 12);
  EXPECT_EQ(parsed["results"][12]["status"], "duplicate");
  EXPECT_EQ(parsed["results"][13]["status"], "rejected");
  EXPECT_TRUE(parsed["results"][13].contains("error"));
}

TEST_F(ServiceTest, TokensAndParticipantsThroughTheApi) {
  auto bob = *ledger::SigningKey::Generate("bob");
  json body = {{"gln", "0614141000005"},
               {"name", "Bob's pharmacy"},
               {"role", "dispenser"},
               {"verifierKey", bob.verifier().ToText()}};
  Response reg = Call("POST", "/v1/participants", admin_, body.dump());
  ASSERT_EQ(reg.status, 201) << reg.body;
  EXPECT_EQ(json::parse(reg.body)["keyId"], bob.KeyId());
  Response tok =
      Call("POST", "/v1/tokens", admin_,
           json{{"role", "writer"}, {"participant", bob.KeyId()}}.dump());
  ASSERT_EQ(tok.status, 201) << tok.body;
  std::string bob_token = json::parse(tok.body)["token"];
  json env = ledger::SignEvent(MakeEvent("b1"), bob)->ToJson();
  json res = json::parse(
      Call("POST", "/v1/events", bob_token, env.dump()).body)["results"][0];
  EXPECT_EQ(res["status"], "accepted") << res;

  auto bob2 = *ledger::SigningKey::Generate("bob");
  Response rot =
      Call("POST", "/v1/participants/" + bob.KeyId() + "/rotate", admin_,
           json{{"verifierKey", bob2.verifier().ToText()}}.dump());
  ASSERT_EQ(rot.status, 200) << rot.body;
  EXPECT_TRUE(env_.log->LookupSigner(bob.KeyId())->revoked);
  EXPECT_FALSE(env_.log->LookupSigner(bob2.KeyId())->revoked);
  json env2 = ledger::SignEvent(MakeEvent("b2"), bob)->ToJson();
  res = json::parse(
      Call("POST", "/v1/events", admin_, env2.dump()).body)["results"][0];
  EXPECT_EQ(res["status"], "rejected");
  EXPECT_NE(res["error"].get<std::string>().find("revoked"), std::string::npos)
      << res;
  EXPECT_EQ(Call("POST", "/v1/participants/" + bob.KeyId() + "/revoke", admin_)
                .status,
            409);
  EXPECT_EQ(
      Call("POST", "/v1/participants/nobody%2B00000000/revoke", admin_).status,
      404);
}

TEST_F(ServiceTest, ConcurrentSubmissionsAreGroupCommitted) {
  constexpr int kThreads = 4, kPerThread = 50;
  std::vector<std::thread> threads;
  std::mutex mu;  // guards indexes
  std::set<uint64_t> indexes;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::promise<std::vector<ledger::AppendOutcome>> done;
        auto f = done.get_future();
        json env = ledger::SignEvent(MakeEvent("g" + std::to_string(t) + "x" +
                                               std::to_string(i)),
                                     env_.acme)
                       ->ToJson();
        ASSERT_TRUE(committer_
                        ->Submit({env}, SubmitOptions{},
                                 [&done](std::vector<ledger::AppendOutcome> o) {
                                   done.set_value(std::move(o));
                                 })
                        .ok());
        auto outcomes = f.get();
        ASSERT_EQ(outcomes.size(), 1u);
        ASSERT_EQ(outcomes[0].status, ledger::AppendStatus::kAccepted)
            << outcomes[0].error;
        std::lock_guard<std::mutex> lock(mu);
        indexes.insert(outcomes[0].index);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(indexes.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(env_.log->Size(), 1u + kThreads * kPerThread);
}

TEST_F(ServiceTest, RollbackCommitsNothingWhenOneEnvelopeIsInvalid) {
  json good = ledger::SignEvent(MakeEvent("r1"), env_.acme)->ToJson();
  json bad = ledger::SignEvent(MakeEvent("r2"), env_.acme)->ToJson();
  bad["event"]["bizStep"] = "receiving";
  std::promise<std::vector<ledger::AppendOutcome>> done;
  auto f = done.get_future();
  SubmitOptions options;
  options.rollback_on_error = true;
  ASSERT_TRUE(committer_
                  ->Submit({good, bad}, options,
                           [&done](std::vector<ledger::AppendOutcome> o) {
                             done.set_value(std::move(o));
                           })
                  .ok());
  auto outcomes = f.get();
  EXPECT_EQ(outcomes[0].status, ledger::AppendStatus::kRejected);
  EXPECT_EQ(outcomes[1].status, ledger::AppendStatus::kRejected);
  EXPECT_EQ(env_.log->Size(), 1u);
}

TEST_F(ServiceTest, FullQueueAnswersUnavailable) {
  CommitterOptions small;
  small.max_pending_events = 2;
  Committer tiny(env_.log.get(), &metrics_, small);
  json env = ledger::SignEvent(MakeEvent("q"), env_.acme)->ToJson();
  ledger::Status st =
      tiny.Submit({env, env, env}, SubmitOptions{}, [](auto) {});
  EXPECT_EQ(st.code(), ledger::Status::Code::kUnavailable);
  EXPECT_EQ(StatusResponse(st).status, 503);
}

}  // namespace
}  // namespace api
