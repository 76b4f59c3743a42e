// Committer over a real Log in a temporary directory: each envelope is checked
// exactly as ledger::PrepareEvent checks it (same errors), rejected envelopes
// carry their event id when it can be computed, and Stop() answers every
// admitted request.
#include "api/committer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <optional>
#include <thread>

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

// Answers are given by the writer that committed the batch; Stop() must
// still answer every admitted request before it returns (the pool may
// already be gone when the writers commit the last batches).
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

// GET /metrics gets the stage times the committer measured (one request
// through verification, commit and answer: counted once per stage) and the
// log's AppendEvents time by part.
TEST_F(CommitterTest, MetricsHaveStageTimesAndAppendParts) {
  json env = ledger::SignEvent(MakeEvent("m1"), env_.acme)->ToJson();
  auto outcomes = SubmitAndWait({env});
  ASSERT_EQ(outcomes.size(), 1u);
  ASSERT_EQ(outcomes[0].status, ledger::AppendStatus::kAccepted);
  // The "finish" stage is counted once the answer callback has returned, which
  // may be after SubmitAndWait saw the answer: Stop() joins the writer that
  // ran it, so every stage of the request is counted before rendering.
  committer_->Stop();
  const std::string text = metrics_.Render(env_.log->Size());
  for (const char* stage : {"verify_wait", "verify", "commit_wait", "commit",
                            "finish_wait", "finish"}) {
    SCOPED_TRACE(stage);
    EXPECT_NE(text.find("\nudi_ingest_stage_requests_total{stage=\"" +
                        std::string(stage) + "\"} 1\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\nudi_ingest_stage_seconds_total{stage=\"" +
                        std::string(stage) + "\"} "),
              std::string::npos);
  }
  // The server's stages are not counted by the committer.
  EXPECT_NE(text.find("\nudi_ingest_stage_requests_total{stage=\"read\"} 0\n"),
            std::string::npos);
  for (const char* part : {"calls", "total", "write", "write_cpu"}) {
    SCOPED_TRACE(part);
    EXPECT_NE(text.find("\nudi_log_append_seconds_total{part=\"" +
                        std::string(part) + "\"} "),
              std::string::npos)
        << text;
  }
}

// Many requests at once, with one writer and with two (one batch built while
// the one before it is written): every envelope is answered in its request's
// input order, an envelope sent in several concurrent requests is accepted
// once and answered "duplicate" with that index elsewhere, a registry task
// queued among the batches is committed once, alone, and the log holds each
// accepted event exactly once at the index its answer names.
TEST(CommitterWritersTest, ConcurrentRequestsAcrossWriterCounts) {
  for (size_t writers : {1, 2, 3}) {
    SCOPED_TRACE("writer_threads " + std::to_string(writers));
    test_util::AcmeLog env;
    ASSERT_TRUE(env.Open("committer-writers").ok());
    Metrics metrics;
    CommitterOptions options;
    options.writer_threads = writers;
    options.verify_chunk = 4;  // several chunks per request
    Committer committer(env.log.get(), &metrics, options);
    constexpr int kThreads = 6, kRequests = 12, kPerRequest = 5;
    const json shared =
        ledger::SignEvent(MakeEvent("shared"), env.acme)->ToJson();
    std::vector<std::vector<std::vector<json>>> sent(kThreads);
    std::vector<std::vector<std::vector<ledger::AppendOutcome>>> got(kThreads);
    const auto beta = *ledger::SigningKey::Generate("beta");
    std::promise<ledger::Result<uint64_t>> registered;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int r = 0; r < kRequests; ++r) {
          std::vector<json> envelopes;
          for (int k = 0; k < kPerRequest; ++k) {
            envelopes.push_back(
                ledger::SignEvent(
                    MakeEvent("w" + std::to_string(t) + "-" +
                              std::to_string(r) + "-" + std::to_string(k)),
                    env.acme)
                    ->ToJson());
          }
          if (r % 4 == 1) envelopes.insert(envelopes.begin() + 2, shared);
          sent[t].push_back(envelopes);
          std::promise<std::vector<ledger::AppendOutcome>> done;
          auto f = done.get_future();
          ASSERT_TRUE(
              committer
                  .Submit(std::move(envelopes), SubmitOptions{},
                          [&done](std::vector<ledger::AppendOutcome> o) {
                            done.set_value(std::move(o));
                          })
                  .ok());
          if (t == 0 && r == kRequests / 2) {
            ASSERT_TRUE(
                committer
                    .RunOnWriter([&] {
                      ledger::Participant p{"0614141000005", "beta",
                                            "manufacturer",
                                            beta.verifier().ToText(), false};
                      registered.set_value(env.log->AppendParticipant(p, 2));
                    })
                    .ok());
          }
          got[t].push_back(f.get());
        }
      });
    }
    for (auto& th : threads) th.join();
    auto participant = registered.get_future().get();
    ASSERT_TRUE(participant.ok()) << participant.status().ToString();

    std::map<uint64_t, std::string> by_index;  // accepted index -> event id
    std::optional<uint64_t> shared_index;
    size_t duplicates = 0;
    for (int t = 0; t < kThreads; ++t) {
      ASSERT_EQ(got[t].size(), sent[t].size());
      for (size_t r = 0; r < sent[t].size(); ++r) {
        ASSERT_EQ(got[t][r].size(), sent[t][r].size());
        for (size_t k = 0; k < sent[t][r].size(); ++k) {
          const auto& o = got[t][r][k];
          SCOPED_TRACE("thread " + std::to_string(t) + " request " +
                       std::to_string(r) + " envelope " + std::to_string(k));
          ASSERT_EQ(o.event_id, EventIdOf(sent[t][r][k]["event"]));
          const bool is_shared = sent[t][r][k] == shared;
          if (o.status == ledger::AppendStatus::kDuplicate) {
            ASSERT_TRUE(is_shared) << "only the shared envelope repeats";
            ++duplicates;
            continue;
          }
          ASSERT_EQ(o.status, ledger::AppendStatus::kAccepted) << o.error;
          EXPECT_TRUE(by_index.emplace(o.index, o.event_id).second)
              << "index " << o.index << " answered twice";
          if (is_shared) {
            EXPECT_FALSE(shared_index.has_value()) << "shared accepted twice";
            shared_index = o.index;
          }
        }
      }
    }
    ASSERT_TRUE(shared_index.has_value());
    // Every duplicate of the shared envelope names the accepted index.
    for (int t = 0; t < kThreads; ++t) {
      for (size_t r = 0; r < sent[t].size(); ++r) {
        for (size_t k = 0; k < sent[t][r].size(); ++k) {
          if (got[t][r][k].status == ledger::AppendStatus::kDuplicate) {
            EXPECT_EQ(got[t][r][k].index, *shared_index);
          }
        }
      }
    }
    const size_t shared_sent = kThreads * (kRequests / 4);
    EXPECT_EQ(duplicates, shared_sent - 1);
    EXPECT_EQ(by_index.size(),
              static_cast<size_t>(kThreads * kRequests * kPerRequest) + 1);
    // Entries 0 (acme), the events, and the participant: each index once.
    ASSERT_EQ(env.log->Size(), 1 + by_index.size() + 1);
    EXPECT_EQ(by_index.count(*participant), 0u);
    for (const auto& [index, id] : by_index) {
      EXPECT_EQ(env.log->FindEvent(id), index) << id;
    }
    committer.Stop();
  }
}

}  // namespace
}  // namespace api
