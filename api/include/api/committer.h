// Group commit in front of the Log. Envelopes from concurrent requests are
// verified in parallel on a worker pool (the steps of ledger::PrepareEvent:
// schema, signer lookup, Ed25519), then one writer thread, the only caller of
// Log::AppendEvents / AppendParticipant, commits everything queued so far in
// one durable batch and answers every request of that batch.
//
// Threads: Submit/RunOnWriter may be called from any thread. Callbacks run on a
// pool or the writer thread and must not block; they typically post the answer
// back to the connection's executor.
#ifndef UDI_API_COMMITTER_H_
#define UDI_API_COMMITTER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/metrics.h"
#include "ledger/log.h"

namespace api {

struct CommitterOptions {
  size_t verify_threads = 0;  // 0: one per core
  size_t max_pending_events =
      200000;  // admitted but not yet answered; beyond → Unavailable
  size_t max_batch_events =
      20000;                 // events per AppendEvents call (whole requests)
  size_t verify_chunk = 64;  // envelopes per pool task
};

struct SubmitOptions {
  std::string
      bound_signer;  // non-empty: every envelope must be signed by this key id
  bool rollback_on_error = false;  // any invalid envelope → none is committed
  bool verify_only = false;  // verify and report, commit nothing (a rollback
                             // decided before submitting)
};

class Committer {
 public:
  Committer(ledger::Log* log, Metrics* metrics, CommitterOptions options);
  ~Committer();  // Stop()

  // Outcomes in input order; for envelopes that failed verification status is
  // kRejected with the error naming the member. When the batch could not be
  // written, every envelope of it is rejected with "storage: ...".
  using Done = std::function<void(std::vector<ledger::AppendOutcome>)>;
  // Admits `envelopes` (JSON envelopes as received). Unavailable if the queue
  // is full or the committer is stopping; then `done` is never called.
  ledger::Status Submit(std::vector<nlohmann::json> envelopes,
                        SubmitOptions options, Done done);

  // Runs `task` on the writer thread between batches (registry changes).
  // Unavailable when stopping; then `task` is never run.
  ledger::Status RunOnWriter(std::function<void()> task);

  // Stops admitting work, finishes everything admitted (verifies, commits,
  // answers), joins.
  void Stop();

  size_t pending_events() const;

 private:
  struct Job;
  struct WriterItem {
    std::shared_ptr<Job> job;    // a commit, or
    std::function<void()> task;  // a registry task
  };
  void VerifyChunk(const std::shared_ptr<Job>& job, size_t begin, size_t end);
  void EnqueueCommit(std::shared_ptr<Job> job);
  void PoolLoop();
  void WriterLoop();
  void CommitBatch(std::vector<std::shared_ptr<Job>> jobs);
  void Finish(const std::shared_ptr<Job>& job);
  // Finish on pool threads, ahead of queued verification, so that the writer
  // starts the next batch at once (inline when the pool has stopped).
  void FinishOffWriter(std::vector<std::shared_ptr<Job>> jobs);

  // Registered signers, cached between registry changes (every writer task
  // may change the registry: the cache is cleared before and after it and
  // bypassed while it runs).
  struct Signer;
  static constexpr size_t kMaxCachedSigners = 4096;
  std::shared_ptr<const Signer> LookupSigner(const std::string& key_id);
  void RegistryChanging(bool changing);
  // Checks one envelope (moved from), all but its signature, which the
  // caller checks against *signer (set on success) with
  // ledger::VerifyEnvelopeCanonical; on failure sets *rejected_event_id when
  // the event id can be computed.
  ledger::Result<ledger::PreparedEvent> PrepareOne(
      nlohmann::json&& json, const std::string& bound_signer,
      std::string* rejected_event_id, std::shared_ptr<const Signer>* signer);
  ledger::Result<ledger::PreparedEvent> PrepareSigned(
      ledger::Envelope envelope, const Signer& signer,
      std::string* rejected_event_id);

  ledger::Log* const log_;
  Metrics* const metrics_;
  const CommitterOptions options_;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable pool_cv_;
  std::condition_variable writer_cv_;
  bool stopping_ = false;
  bool pool_done_ = false;
  size_t pending_events_ = 0;
  size_t pool_busy_ = 0;
  std::deque<std::function<void()>> pool_queue_;
  std::deque<WriterItem> writer_queue_;
  std::vector<std::thread> pool_;
  std::thread writer_;

  std::mutex signers_mu_;  // guards the three members below
  std::unordered_map<std::string, std::shared_ptr<const Signer>> signers_;
  uint64_t registry_generation_ = 0;  // bumped when a writer task starts/ends
  bool registry_changing_ = false;    // a writer task is running
};

}  // namespace api

#endif  // UDI_API_COMMITTER_H_
