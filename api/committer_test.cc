// Committer over a real Log in a temporary directory: each envelope is checked
// exactly as ledger::PrepareEvent checks it (same errors), rejected envelopes
// carry their event id when it can be computed, and Stop() answers every
// admitted request.
#include "api/committer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>

#include "api/api_testing.h"
#include "ledger/bytes.h"
#include "ledger/envelope.h"
#include "ledger/jcs.h"

namespace api {
namespace {

using nlohmann::json;
using test_util::MakeEvent;

std::string EventIdOf(const json& event) {
  return ledger::EventIdFromCanonical(*ledger::CanonicalEventBytes(event));
}

class CommitterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.Open("committer-test").ok());
    committer_ = std::make_unique<Committer>(env_.log.get(), &metrics_,
                                             CommitterOptions{});
  }
  void TearDown() override { committer_.reset(); }

  std::vector<ledger::AppendOutcome> SubmitAndWait(std::vector<json> envelopes,
                                                   SubmitOptions options = {}) {
    std::promise<std::vector<ledger::AppendOutcome>> done;
    auto f = done.get_future();
    ledger::Status st =
        committer_->Submit(std::move(envelopes), std::move(options),
                           [&done](std::vector<ledger::AppendOutcome> o) {
                             done.set_value(std::move(o));
                           });
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok()) return {};
    return f.get();
  }

  test_util::AcmeLog env_;
  Metrics metrics_;
  std::unique_ptr<Committer> committer_;
};

TEST_F(CommitterTest, RejectionsMatchPrepareEventAndNameTheEventId) {
  auto other = *ledger::SigningKey::Generate("other");  // not registered
  json wrong_signature =
      ledger::SignEvent(MakeEvent("s1"), env_.acme)->ToJson();
  wrong_signature["signature"] = ledger::ToBase64(std::string(64, 'x'));
  json invalid_event = ledger::SignEvent(MakeEvent("s2"), env_.acme)->ToJson();
  invalid_event["event"]["bizStep"] = "not a step";
  json bad_epc = ledger::SignEvent(MakeEvent("s3"), env_.acme)->ToJson();
  bad_epc["event"]["epcList"] = {"urn:epc:id:sgtin:0614141.107346.ok",
                                 "urn:epc:id:sgtin:bad"};
  json unknown_signer = ledger::SignEvent(MakeEvent("s4"), other)->ToJson();
  json no_signature = ledger::SignEvent(MakeEvent("s5"), env_.acme)->ToJson();
  no_signature.erase("signature");
  json valid = ledger::SignEvent(MakeEvent("s6"), env_.acme)->ToJson();
  struct Case {
    std::string name;
    json envelope;
    bool prepare_event_applies;  // signed by the registered acme key
  };
  const std::vector<Case> cases = {
      {"wrong signature", wrong_signature, true},
      {"invalid bizStep", invalid_event, true},
      {"bad EPC in a list", bad_epc, true},
      {"unknown signer", unknown_signer, false},
      {"no signature", no_signature, false},
      {"not an object", json::array({1, 2}), false},
  };
  std::vector<json> envelopes;
  for (const Case& c : cases) envelopes.push_back(c.envelope);
  envelopes.push_back(valid);
  auto outcomes = SubmitAndWait(envelopes);
  ASSERT_EQ(outcomes.size(), cases.size() + 1);
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.name);
    const auto& o = outcomes[i];
    EXPECT_EQ(o.status, ledger::AppendStatus::kRejected);
    if (c.envelope.is_object()) {
      EXPECT_EQ(o.event_id, EventIdOf(c.envelope["event"]));
    } else {
      EXPECT_EQ(o.event_id, "");
    }
    if (c.prepare_event_applies) {
      auto env = ledger::Envelope::FromJson(c.envelope);
      ASSERT_TRUE(env.ok());
      auto want = ledger::PrepareEvent(std::move(*env), env_.acme.verifier());
      ASSERT_FALSE(want.ok());
      EXPECT_EQ(o.error, want.status().message());
    }
  }
  EXPECT_EQ(outcomes[0].error,
            "signature: does not verify for signer " + env_.acme.KeyId());
  EXPECT_EQ(outcomes[2].error,
            ledger::PrepareEvent(*ledger::Envelope::FromJson(bad_epc),
                                 env_.acme.verifier())
                .status()
                .message());
  EXPECT_NE(outcomes[2].error.find("event.epcList[1]"), std::string::npos)
      << outcomes[2].error;
  EXPECT_EQ(outcomes[3].error,
            "signer: " + other.KeyId() + " is not a registered participant");
  EXPECT_EQ(outcomes[4].error, "signature: missing");
  EXPECT_EQ(outcomes[5].error, "envelope: must be a JSON object");

  // The valid one is committed with the entry PrepareEvent would have made.
  const auto& ok = outcomes.back();
  ASSERT_EQ(ok.status, ledger::AppendStatus::kAccepted) << ok.error;
  EXPECT_EQ(ok.event_id, EventIdOf(valid["event"]));
  auto entry = env_.log->ReadEntry(ok.index);
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->json["envelope"], valid);
  EXPECT_EQ(entry->json["type"], "event");
}

// Signatures are checked after the other checks of a whole chunk (64
// envelopes): across several chunks, each outcome still belongs to its own
// envelope, in input order, and only the valid ones are stored, in order.
TEST_F(CommitterTest, OutcomesStayWithTheirEnvelopesAcrossChunks) {
  constexpr size_t kEnvelopes = 150;  // 3 chunks of CommitterOptions{}
  std::vector<json> envelopes;
  std::vector<const char*> want;  // "ok", "signature" or "event"
  for (size_t i = 0; i < kEnvelopes; ++i) {
    json env =
        ledger::SignEvent(MakeEvent("chunk" + std::to_string(i)), env_.acme)
            ->ToJson();
    if (i % 7 == 3) {
      env["signature"] = ledger::ToBase64(std::string(64, 'x'));
      want.push_back("signature");
    } else if (i % 11 == 5) {
      env["event"]["bizStep"] = "not a step";
      want.push_back("event");
    } else {
      want.push_back("ok");
    }
    envelopes.push_back(std::move(env));
  }
  auto outcomes = SubmitAndWait(envelopes);
  ASSERT_EQ(outcomes.size(), kEnvelopes);
  uint64_t next_index = 0;
  size_t stored = 0;
  for (size_t i = 0; i < kEnvelopes; ++i) {
    SCOPED_TRACE("envelope " + std::to_string(i) + " (" + want[i] + ")");
    const auto& o = outcomes[i];
    EXPECT_EQ(o.event_id, EventIdOf(envelopes[i]["event"]));
    if (std::string(want[i]) == "ok") {
      ASSERT_EQ(o.status, ledger::AppendStatus::kAccepted) << o.error;
      EXPECT_GT(o.index, next_index);
      next_index = o.index;
      auto entry = env_.log->ReadEntry(o.index);
      ASSERT_TRUE(entry.ok()) << entry.status().ToString();
      EXPECT_EQ(entry->json["envelope"], envelopes[i]);
      ++stored;
    } else {
      EXPECT_EQ(o.status, ledger::AppendStatus::kRejected);
      EXPECT_EQ(o.error.rfind(want[i], 0), 0u) << o.error;
    }
  }
  EXPECT_EQ(env_.log->Size(), 1u + stored);
}

TEST_F(CommitterTest, BoundSignerIsEnforcedWithTheEventId) {
  json env = ledger::SignEvent(MakeEvent("b1"), env_.acme)->ToJson();
  SubmitOptions options;
  options.bound_signer = "someone+00000000";
  auto outcomes = SubmitAndWait({env}, options);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, ledger::AppendStatus::kRejected);
  EXPECT_EQ(outcomes[0].event_id, EventIdOf(env["event"]));
  EXPECT_EQ(outcomes[0].error,
            "signer: this token may only submit envelopes signed by "
            "someone+00000000, not " +
                env_.acme.KeyId());
}

// Answers run on the pool once a batch is durable; Stop() must still answer
// every admitted request before it returns (the pool may already be gone
// when the writer commits the last batches).
TEST_F(CommitterTest, StopAnswersEveryAdmittedRequest) {
  constexpr int kRequests = 200;
  std::atomic<int> answered{0}, accepted{0};
  for (int i = 0; i < kRequests; ++i) {
    json env =
        ledger::SignEvent(MakeEvent("stop" + std::to_string(i)), env_.acme)
            ->ToJson();
    ASSERT_TRUE(committer_
                    ->Submit({env}, SubmitOptions{},
                             [&](std::vector<ledger::AppendOutcome> o) {
                               if (o.size() == 1 &&
                                   o[0].status ==
                                       ledger::AppendStatus::kAccepted)
                                 ++accepted;
                               ++answered;
                             })
                    .ok());
  }
  committer_->Stop();
  EXPECT_EQ(answered.load(), kRequests);
  EXPECT_EQ(accepted.load(), kRequests);
  EXPECT_EQ(env_.log->Size(), 1u + kRequests);
}

}  // namespace
}  // namespace api
