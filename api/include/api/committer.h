// Group commit in front of the Log. Envelopes from concurrent requests are
// verified in parallel on a worker pool (the steps of ledger::PrepareEvent:
// schema, signer lookup, Ed25519), then a writer thread, the only callers of
// Log::AppendEvents / AppendParticipant, commits everything queued so far in
// one durable batch and answers every request of that batch. With two writer
// threads (the default) the next batch is taken and built while the one
// before it is written; registry tasks (RunOnWriter) run alone, once every
// batch taken before them is committed and before any batch after them.
//
// Threads: Submit/RunOnWriter may be called from any thread. Callbacks run on a
// pool or a writer thread and must not block; they typically post the answer
// back to the connection's executor.
#ifndef UDI_API_COMMITTER_H_
#define UDI_API_COMMITTER_H_

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
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
  // Writer threads, i.e. commits in flight (at least 1): with 2, one batch is
  // built while the one before it is written (the log orders and pipelines
  // concurrent AppendEvents calls), and each writer answers its own batch's
  // requests once durable while the other commits.
  size_t writer_threads = 2;
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

// Where ingest requests (POST /v1/events) spend their wall time, summed over
// requests: per stage, the seconds and the number of requests that passed it.
// Over an interval, seconds / requests is a request's mean time in the stage
// and seconds / interval the mean number of requests in it (Little's law).
// Rendered by GET /metrics as udi_ingest_stage_seconds_total{stage} and
// udi_ingest_stage_requests_total{stage}. Thread-safe (relaxed atomics).
enum class IngestStage : int {
  kRead,        // header parsed -> body complete (server)
  kHandle,      // routing, auth, body parse, Submit (server, I/O thread)
  kVerifyWait,  // Submit -> a pool thread starts its first chunk
  kVerify,      // first chunk started -> last chunk verified
  kCommitWait,  // verified -> the writer takes it into a batch
  kCommit,      // its batch's AppendEvents (synced)
  kFinishWait,  // durable -> a pool thread starts answering it
  kFinish,      // metrics, the answer body and access log, post to I/O
  kReplyHop,    // answer posted -> the connection's strand starts sending
  kWrite,       // sending the answer (server)
  kCount,
};
class IngestStages {
 public:
  using Clock = std::chrono::steady_clock;
  void Add(IngestStage stage, Clock::duration d, uint64_t requests = 1);
  void Render(std::string* out) const;
  static const char* Name(IngestStage stage);

 private:
  static constexpr size_t kN = static_cast<size_t>(IngestStage::kCount);
  std::array<std::atomic<uint64_t>, kN> nanos_{};
  std::array<std::atomic<uint64_t>, kN> requests_{};
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

  // Stage times of ingest requests (the server adds its own stages).
  IngestStages& stages() { return *stages_; }

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
  // Whether a writer may take the front of writer_queue_ now (mu_ held).
  bool CanTakeLocked() const;
  void CommitBatch(const std::vector<std::shared_ptr<Job>>& jobs);
  void Finish(const std::shared_ptr<Job>& job);

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
  const size_t writer_count_;  // options_.writer_threads, at least 1
  // Shared with the metrics renderer, which may outlive this object.
  const std::shared_ptr<IngestStages> stages_ =
      std::make_shared<IngestStages>();

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable pool_cv_;
  std::condition_variable writer_cv_;
  bool stopping_ = false;
  bool pool_done_ = false;
  size_t pending_events_ = 0;
  size_t pool_busy_ = 0;
  std::deque<std::function<void()>> pool_queue_;
  std::deque<WriterItem> writer_queue_;
  size_t queued_events_ = 0;      // events of the jobs in writer_queue_
  size_t commits_in_flight_ = 0;  // batches taken, not yet committed
  size_t in_flight_events_ = 0;   // events of the batch taken last
  bool task_running_ = false;     // a registry task runs
  bool joined_ = false;           // Stop() has joined every thread
  std::vector<std::thread> pool_;
  std::vector<std::thread> writers_;

  std::mutex signers_mu_;  // guards the three members below
  std::unordered_map<std::string, std::shared_ptr<const Signer>> signers_;
  uint64_t registry_generation_ = 0;  // bumped when a writer task starts/ends
  bool registry_changing_ = false;    // a writer task is running
};

}  // namespace api

#endif  // UDI_API_COMMITTER_H_
