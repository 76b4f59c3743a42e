// Test and benchmark helper: a real Log filled with the synthetic supply chain
// (tools/supplychain), its parties registered first. Header-only.
#ifndef UDI_TESTS_REGULATOR_GENERATED_LOG_H_
#define UDI_TESTS_REGULATOR_GENERATED_LOG_H_

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ledger/envelope.h"
#include "ledger/epcis.h"
#include "ledger/log.h"
#include "supplychain/generator.h"

namespace regulator_testing {

struct GeneratedLog {
  std::unique_ptr<ledger::Log> log;
  supplychain::GenerationResult result;
};

struct BuildOptions {
  std::string dir;
  std::string origin = "udi-ledger.example/regulator-test";
  // sync=false is for building benchmark data sets only (the log's own
  // durability is not what a trace benchmark measures); tests keep the default.
  bool sync = true;
  // true: PrepareEvent (validation + signature check), as a node does. false:
  // validation only, the generator having just signed the events (benchmarks,
  // to build large sets quickly).
  bool verify_signatures = true;
  // Events per AppendEvents call.
  size_t batch = 4096;
  // Called with every generated event before it is appended (benchmarks sample
  // units and lots here instead of generating twice).
  std::function<void(const supplychain::GeneratedEvent&)> observe;
};

// The options BuildGeneratedLog opens its log with (same origin and key), so a
// log built earlier can be reopened.
inline ledger::LogOptions GeneratedLogOptions(const BuildOptions& options) {
  ledger::LogOptions lo;
  lo.data_dir = options.dir;
  lo.origin = options.origin;
  std::array<uint8_t, 32> seed{};
  seed.fill(0x5a);
  lo.key = ledger::SigningKey::FromSeed(options.origin, seed);
  lo.sync = options.sync;
  return lo;
}

// The event as the log takes it: with `verify`, ledger::PrepareEvent (as a node
// does); without, validation only (the generator has just signed it), with the
// leaf prefix precomputed either way.
inline ledger::Result<ledger::PreparedEvent> Prepare(
    supplychain::GeneratedEvent e, const ledger::VerifierKey& key,
    bool verify) {
  if (verify) return ledger::PrepareEvent(std::move(e.envelope), key);
  ledger::Result<ledger::epcis::EventFacts> facts =
      ledger::epcis::ValidateEvent(e.envelope.event);
  if (!facts.ok()) return facts.status();
  ledger::PreparedEvent p;
  p.envelope = std::move(e.envelope);
  p.canonical_event = std::move(e.canonical_event);
  p.event_id = std::move(e.event_id);
  p.facts = std::move(facts).value();
  p.verified_with = key.ToText();
  ledger::PrecomputeLeafPrefix(&p);
  return p;
}

// Validates (and with `verify` checks the signature of) generated events and
// appends them in order, on a thread of its own: while one batch is prepared
// (on `threads` threads) and appended, the generator already simulates and
// signs the next ones. Push and Finish are called from one thread.
class PipelinedAppender {
 public:
  PipelinedAppender(ledger::Log* log,
                    const std::vector<ledger::VerifierKey>& keys, bool verify,
                    int threads)
      : log_(log),
        keys_(keys),
        verify_(verify),
        threads_(std::max(1, threads)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~PipelinedAppender() { (void)Finish(); }

  // Queues a batch; blocks while two batches wait. Returns the first error so
  // far (the batch is then dropped).
  ledger::Status Push(std::vector<supplychain::GeneratedEvent> batch) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return queue_.size() < 2 || !status_.ok(); });
    if (!status_.ok()) return status_;
    queue_.push_back(std::move(batch));
    changed_.notify_all();
    return ledger::Status::OK();
  }
  // Appends everything queued, stops the thread and returns the first error.
  ledger::Status Finish() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
      changed_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  void Run() {
    for (;;) {
      std::vector<supplychain::GeneratedEvent> batch;
      {
        std::unique_lock lock(mu_);
        changed_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty() || !status_.ok()) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
        changed_.notify_all();
      }
      ledger::Status st = Append(batch);
      if (!st.ok()) {
        std::lock_guard lock(mu_);
        status_ = st;
        changed_.notify_all();
        return;
      }
    }
  }

  ledger::Status Append(std::vector<supplychain::GeneratedEvent>& batch) {
    std::vector<ledger::PreparedEvent> prepared(batch.size());
    std::vector<ledger::Status> errors(threads_);
    auto prepare = [&](int w) {
      for (size_t i = w; i < batch.size(); i += threads_) {
        const uint64_t seq = batch[i].seq;
        const size_t signer = batch[i].signer;
        ledger::Result<ledger::PreparedEvent> p =
            Prepare(std::move(batch[i]), keys_[signer], verify_);
        if (!p.ok()) {
          errors[w] = p.status().WithPrefix("event " + std::to_string(seq));
          return;
        }
        prepared[i] = std::move(p).value();
        // The writer reads only the precomputed entry bytes, the signer and
        // the facts (log.h, PreparedEvent): the event trees are freed here, in
        // parallel, rather than by the single writer.
        prepared[i].envelope.event = nullptr;
      }
    };
    {
      std::vector<std::jthread> helpers;
      for (int w = 1; w < threads_; ++w) helpers.emplace_back(prepare, w);
      prepare(0);
    }
    for (const ledger::Status& st : errors) LEDGER_RETURN_IF_ERROR(st);
    auto outcomes = log_->AppendEvents(std::move(prepared), 1'800'000'000'000);
    if (!outcomes.ok()) return outcomes.status();
    for (const ledger::AppendOutcome& o : *outcomes) {
      if (o.status != ledger::AppendStatus::kAccepted)
        return ledger::Status::Internal("append " + o.event_id + ": " +
                                        o.error);
    }
    return ledger::Status::OK();
  }

  ledger::Log* log_;
  const std::vector<ledger::VerifierKey>& keys_;
  const bool verify_;
  const int threads_;
  std::mutex mu_;  // protects queue_, done_, status_
  std::condition_variable changed_;
  std::deque<std::vector<supplychain::GeneratedEvent>> queue_;
  bool done_ = false;
  ledger::Status status_;
  std::thread thread_;  // last: started once the members above exist
};

inline ledger::Result<GeneratedLog> BuildGeneratedLog(
    const supplychain::GeneratorOptions& gen, const BuildOptions& options) {
  ledger::Result<std::unique_ptr<ledger::Log>> log =
      ledger::Log::Open(GeneratedLogOptions(options));
  if (!log.ok()) return log.status();
  ledger::Result<std::vector<supplychain::PartyInfo>> parties =
      supplychain::MakeParties(gen);
  if (!parties.ok()) return parties.status();
  std::vector<ledger::VerifierKey> keys;
  for (const supplychain::PartyInfo& p : *parties) {
    ledger::Result<ledger::VerifierKey> key =
        ledger::VerifierKey::Parse(p.verifier_key);
    if (!key.ok()) return key.status();
    keys.push_back(*key);
    ledger::Participant participant{p.gln, p.name, p.role, p.verifier_key,
                                    false};
    ledger::Result<uint64_t> r =
        (*log)->AppendParticipant(participant, 1'700'000'000'000);
    if (!r.ok()) return r.status();
  }
  PipelinedAppender appender(log->get(), keys, options.verify_signatures,
                             gen.threads);
  std::vector<supplychain::GeneratedEvent> batch;
  ledger::Result<supplychain::GenerationResult> result = supplychain::Generate(
      gen, [&](supplychain::GeneratedEvent& e) -> ledger::Status {
        if (options.observe) options.observe(e);
        batch.push_back(std::move(e));
        if (batch.size() < options.batch) return ledger::Status::OK();
        ledger::Status st = appender.Push(std::move(batch));
        batch.clear();
        return st;
      });
  ledger::Status pushed =
      result.ok() ? appender.Push(std::move(batch)) : ledger::Status::OK();
  ledger::Status finished = appender.Finish();
  if (!result.ok()) return result.status();
  LEDGER_RETURN_IF_ERROR(pushed);
  LEDGER_RETURN_IF_ERROR(finished);
  return GeneratedLog{std::move(log).value(), std::move(result).value()};
}

}  // namespace regulator_testing

#endif  // UDI_TESTS_REGULATOR_GENERATED_LOG_H_
