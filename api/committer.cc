#include "api/committer.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>

#include "api/http.h"
#include "ledger/envelope.h"
#include "ledger/epcis.h"
#include "ledger/keys.h"

namespace api {

struct Committer::Job {
  std::vector<nlohmann::json> envelopes;
  SubmitOptions options;
  Done done;
  std::vector<ledger::AppendOutcome> outcomes;  // one per envelope, input order
  std::vector<std::optional<ledger::PreparedEvent>> prepared;
  std::atomic<size_t> chunks_left{0};
  std::vector<size_t> positions;  // input position of each event in to_commit
  std::vector<ledger::PreparedEvent> to_commit;
  // Stage boundaries (IngestStages).
  using Clock = IngestStages::Clock;
  // verify_start is written by the first chunk to start, read by the last to
  // end (ordered by chunks_left).
  Clock::time_point submitted, verify_start, verified, picked, committed;
  std::atomic<bool> verify_started{false};
};

namespace {

// The event id of an event (any JSON value), when it can be computed.
std::string EventIdOfEvent(const nlohmann::json& event) {
  auto canonical = ledger::CanonicalEventBytes(event);
  return canonical.ok() ? ledger::EventIdFromCanonical(*canonical) : "";
}

// The event id of a (possibly invalid) envelope's event, when it can be
// computed.
std::string EventIdOf(const nlohmann::json& envelope) {
  if (!envelope.is_object() || !envelope.contains("event")) return "";
  return EventIdOfEvent(envelope["event"]);
}

}  // namespace

// A registered signer as the registry held it when it was looked up: its
// parsed key, or why envelopes it signs are refused.
struct Committer::Signer {
  ledger::Status refused;  // OK: `key` and `key_text` are set
  std::optional<ledger::VerifierKey> key;
  std::string key_text;  // key->ToText(), for PreparedEvent::verified_with
};

std::shared_ptr<const Committer::Signer> Committer::LookupSigner(
    const std::string& key_id) {
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(signers_mu_);
    if (!registry_changing_) {
      auto it = signers_.find(key_id);
      if (it != signers_.end()) return it->second;
    }
    generation = registry_generation_;
  }
  auto signer = std::make_shared<Signer>();
  auto participant = log_->LookupSigner(key_id);
  if (!participant) {
    // Not cached: unknown ids must not grow the cache.
    signer->refused = ledger::Status::InvalidArgument(
        "signer: " + key_id + " is not a registered participant");
    return signer;
  }
  if (participant->revoked) {
    signer->refused =
        ledger::Status::InvalidArgument("signer: " + key_id + " is revoked");
  } else if (auto key = ledger::VerifierKey::Parse(participant->verifier_key);
             key.ok()) {
    signer->key_text = key->ToText();
    signer->key = std::move(*key);
  } else {
    signer->refused =
        key.status().WithPrefix("signer: registered key does not parse");
  }
  std::lock_guard<std::mutex> lock(signers_mu_);
  // Cached only if no registry change started or finished meanwhile (this
  // lookup may have read the registry before it).
  if (registry_generation_ == generation && !registry_changing_) {
    if (signers_.size() >= kMaxCachedSigners) signers_.clear();
    signers_.emplace(key_id, signer);
  }
  return signer;
}

void Committer::RegistryChanging(bool changing) {
  std::lock_guard<std::mutex> lock(signers_mu_);
  ++registry_generation_;
  registry_changing_ = changing;
  signers_.clear();
}

ledger::Result<ledger::PreparedEvent> Committer::PrepareOne(
    nlohmann::json&& json, const std::string& bound_signer,
    std::string* rejected_event_id, std::shared_ptr<const Signer>* signer_out) {
  // The event is moved out of the request's envelope, not copied; `json` is
  // unchanged when the envelope's shape is wrong.
  auto envelope = ledger::Envelope::FromJson(std::move(json));
  if (!envelope.ok()) {
    *rejected_event_id = EventIdOf(json);
    return envelope.status();
  }
  const std::string& signer = envelope->signer;
  if (!bound_signer.empty() && signer != bound_signer) {
    *rejected_event_id = EventIdOfEvent(envelope->event);
    return ledger::Status::InvalidArgument(
        "signer: this token may only submit envelopes signed by " +
        bound_signer + ", not " + signer);
  }
  auto registered = LookupSigner(signer);
  if (!registered->refused.ok()) {
    *rejected_event_id = EventIdOfEvent(envelope->event);
    return registered->refused;
  }
  auto prepared =
      PrepareSigned(std::move(*envelope), *registered, rejected_event_id);
  if (prepared.ok()) *signer_out = std::move(registered);
  return prepared;
}

// ledger::PrepareEvent's steps and errors (validation, JCS, event id, leaf
// prefix) but the signature check, which comes next (VerifyChunk), with the
// canonical bytes computed once also for the event id of a rejected event,
// the signer's key text cached, and the parsed event freed here on the pool
// rather than on the writer.
ledger::Result<ledger::PreparedEvent> Committer::PrepareSigned(
    ledger::Envelope envelope, const Signer& signer,
    std::string* rejected_event_id) {
  auto facts = ledger::epcis::ValidateEvent(envelope.event);
  if (!facts.ok()) {
    *rejected_event_id = EventIdOfEvent(envelope.event);
    const std::string& msg = facts.status().message();
    // Paths come as "epcList[2]: ...", "[2]..." or JSON Pointers "/epcList/2:
    // ...".
    const bool joined = !msg.empty() && (msg[0] == '[' || msg[0] == '/');
    return ledger::Status::InvalidArgument((joined ? "event" : "event.") + msg);
  }
  auto canonical = ledger::CanonicalEventBytes(envelope.event);
  if (!canonical.ok()) return canonical.status().WithPrefix("event");
  std::string event_id = ledger::EventIdFromCanonical(*canonical);
  ledger::PreparedEvent out;
  out.event_id = std::move(event_id);
  out.canonical_event = std::move(canonical).value();
  out.envelope = std::move(envelope);
  // The log reads the event only as canonical_event (it frees the parsed
  // event itself before writing); free it here, in parallel, not on the
  // single writer.
  out.envelope.event = nullptr;
  out.facts = std::move(facts).value();
  out.verified_with = signer.key_text;
  ledger::PrecomputeLeafPrefix(&out);
  return out;
}

const char* IngestStages::Name(IngestStage stage) {
  switch (stage) {
    case IngestStage::kRead:
      return "read";
    case IngestStage::kHandle:
      return "handle";
    case IngestStage::kVerifyWait:
      return "verify_wait";
    case IngestStage::kVerify:
      return "verify";
    case IngestStage::kCommitWait:
      return "commit_wait";
    case IngestStage::kCommit:
      return "commit";
    case IngestStage::kFinishWait:
      return "finish_wait";
    case IngestStage::kFinish:
      return "finish";
    case IngestStage::kReplyHop:
      return "reply_hop";
    case IngestStage::kWrite:
      return "write";
    case IngestStage::kCount:
      break;
  }
  return "unknown";
}

void IngestStages::Add(IngestStage stage, Clock::duration d,
                       uint64_t requests) {
  const auto i = static_cast<size_t>(stage);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d);
  nanos_[i].fetch_add(static_cast<uint64_t>(std::max<int64_t>(0, ns.count())),
                      std::memory_order_relaxed);
  requests_[i].fetch_add(requests, std::memory_order_relaxed);
}

void IngestStages::Render(std::string* out) const {
  *out +=
      "# HELP udi_ingest_stage_seconds_total Wall seconds POST /v1/events "
      "requests spent in each stage, summed over requests.\n"
      "# TYPE udi_ingest_stage_seconds_total counter\n";
  char line[160];
  for (size_t i = 0; i < kN; ++i) {
    std::snprintf(
        line, sizeof line,
        "udi_ingest_stage_seconds_total{stage=\"%s\"} %.9g\n",
        Name(static_cast<IngestStage>(i)),
        1e-9 * static_cast<double>(nanos_[i].load(std::memory_order_relaxed)));
    *out += line;
  }
  *out +=
      "# HELP udi_ingest_stage_requests_total POST /v1/events requests that "
      "passed each stage.\n"
      "# TYPE udi_ingest_stage_requests_total counter\n";
  for (size_t i = 0; i < kN; ++i) {
    std::snprintf(line, sizeof line,
                  "udi_ingest_stage_requests_total{stage=\"%s\"} %llu\n",
                  Name(static_cast<IngestStage>(i)),
                  static_cast<unsigned long long>(
                      requests_[i].load(std::memory_order_relaxed)));
    *out += line;
  }
}

namespace {

// Where the log's AppendEvents calls spent their wall time (the log's
// "udi.append-times" property: calls=N total=S write=S ...), as
// udi_log_append_seconds_total{part} (calls as part="calls").
void RenderAppendTimes(const ledger::Log& log, std::string* out) {
  auto text = log.StorageProperty("udi.append-times");
  if (!text) return;
  *out +=
      "# HELP udi_log_append_seconds_total Wall seconds of the log's "
      "AppendEvents calls by part (write: the synced LevelDB write).\n"
      "# TYPE udi_log_append_seconds_total counter\n";
  size_t at = 0;
  while (at < text->size()) {
    size_t end = text->find(' ', at);
    if (end == std::string::npos) end = text->size();
    const std::string pair = text->substr(at, end - at);
    at = end + 1;
    const size_t eq = pair.find('=');
    if (eq == std::string::npos) continue;
    *out += "udi_log_append_seconds_total{part=\"" + pair.substr(0, eq) +
            "\"} " + pair.substr(eq + 1) + "\n";
  }
}

constexpr const char* kRolledBack = "rollback: not committed";

const char* StatusName(ledger::AppendStatus s) {
  switch (s) {
    case ledger::AppendStatus::kAccepted:
      return "accepted";
    case ledger::AppendStatus::kDuplicate:
      return "duplicate";
    case ledger::AppendStatus::kRejected:
      return "rejected";
  }
  return "rejected";
}

}  // namespace

Committer::Committer(ledger::Log* log, Metrics* metrics,
                     CommitterOptions options)
    : log_(log),
      metrics_(metrics),
      options_(options),
      writer_count_(std::max<size_t>(1, options.writer_threads)) {
  size_t threads = options_.verify_threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (metrics_ != nullptr) {
    metrics_->AddRenderer([stages = stages_, log](std::string* out) {
      stages->Render(out);
      RenderAppendTimes(*log, out);
    });
  }
  for (size_t i = 0; i < threads; ++i)
    pool_.emplace_back([this] { PoolLoop(); });
  for (size_t i = 0; i < writer_count_; ++i)
    writers_.emplace_back([this] { WriterLoop(); });
}

Committer::~Committer() { Stop(); }

size_t Committer::pending_events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_events_;
}

ledger::Status Committer::Submit(std::vector<nlohmann::json> envelopes,
                                 SubmitOptions options, Done done) {
  auto job = std::make_shared<Job>();
  size_t n = envelopes.size();
  job->envelopes = std::move(envelopes);
  job->options = std::move(options);
  job->done = std::move(done);
  job->outcomes.resize(n);
  job->prepared.resize(n);
  job->submitted = Job::Clock::now();
  if (n == 0) {
    job->done({});
    return ledger::Status::OK();
  }
  size_t chunk = std::max<size_t>(1, options_.verify_chunk);
  size_t chunks = (n + chunk - 1) / chunk;
  job->chunks_left = chunks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return ledger::Status::Unavailable("node is shutting down");
    if (pending_events_ + n > options_.max_pending_events) {
      return ledger::Status::Unavailable("too many events queued (" +
                                         std::to_string(pending_events_) +
                                         " pending)");
    }
    pending_events_ += n;
    for (size_t b = 0; b < n; b += chunk) {
      size_t e = std::min(n, b + chunk);
      pool_queue_.push_back([this, job, b, e] { VerifyChunk(job, b, e); });
    }
  }
  // As many pool threads as there are chunks (a single envelope wakes one).
  if (chunks >= pool_.size()) {
    pool_cv_.notify_all();
  } else {
    for (size_t i = 0; i < chunks; ++i) pool_cv_.notify_one();
  }
  return ledger::Status::OK();
}

ledger::Status Committer::RunOnWriter(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return ledger::Status::Unavailable("node is shutting down");
    writer_queue_.push_back(WriterItem{nullptr, std::move(task)});
  }
  writer_cv_.notify_one();
  return ledger::Status::OK();
}

void Committer::VerifyChunk(const std::shared_ptr<Job>& job, size_t begin,
                            size_t end) {
  auto reject = [&job](size_t i, const ledger::Status& why,
                       std::string event_id) {
    job->outcomes[i].status = ledger::AppendStatus::kRejected;
    job->outcomes[i].error = why.message();
    job->outcomes[i].event_id = std::move(event_id);
  };
  // Two passes: every check but the signatures, then the signatures one after
  // the other, so that the Ed25519 code and its tables stay in the caches and
  // branch predictors between verifications (interleaved with JSON and EPCIS
  // work they cost more CPU each). Each envelope's checks and errors keep
  // their order: the signature is checked last either way.
  if (!job->verify_started.exchange(true)) {
    job->verify_start = Job::Clock::now();
    stages_->Add(IngestStage::kVerifyWait, job->verify_start - job->submitted);
  }
  std::vector<std::shared_ptr<const Signer>> signers(end - begin);
  for (size_t i = begin; i < end; ++i) {
    std::string rejected_event_id;
    auto prepared =
        PrepareOne(std::move(job->envelopes[i]), job->options.bound_signer,
                   &rejected_event_id, &signers[i - begin]);
    job->envelopes[i] = nullptr;  // whatever is left of it
    if (prepared.ok()) {
      job->prepared[i] = std::move(*prepared);
    } else {
      reject(i, prepared.status(), std::move(rejected_event_id));
    }
  }
  for (size_t i = begin; i < end; ++i) {
    auto& p = job->prepared[i];
    if (!p) continue;
    ledger::Status verified = ledger::VerifyEnvelopeCanonical(
        p->envelope, p->canonical_event, *signers[i - begin]->key);
    if (!verified.ok()) {
      reject(i, verified, std::move(p->event_id));
      p.reset();
    }
  }
  if (job->chunks_left.fetch_sub(1) != 1) return;
  // The last chunk of the job: everything is verified.
  job->verified = Job::Clock::now();
  stages_->Add(IngestStage::kVerify, job->verified - job->verify_start);
  bool any_invalid = false;
  for (const auto& p : job->prepared) any_invalid |= !p.has_value();
  bool rollback = job->options.verify_only ||
                  (any_invalid && job->options.rollback_on_error);
  if (!rollback) job->to_commit.reserve(job->prepared.size());
  for (size_t i = 0; i < job->prepared.size(); ++i) {
    auto& p = job->prepared[i];
    if (!p) continue;
    if (rollback) {
      job->outcomes[i].status = ledger::AppendStatus::kRejected;
      job->outcomes[i].event_id = p->event_id;
      job->outcomes[i].error = std::string(kRolledBack) +
                               ": another event of the request is invalid";
      continue;
    }
    job->positions.push_back(i);
    job->to_commit.push_back(std::move(*p));
  }
  job->prepared.clear();
  if (job->to_commit.empty()) {
    Finish(job);
  } else {
    EnqueueCommit(job);
  }
}

void Committer::EnqueueCommit(std::shared_ptr<Job> job) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queued_events_ += job->to_commit.size();
    writer_queue_.push_back(WriterItem{std::move(job), nullptr});
    // A writer is woken only when it can take the queue now: while a batch is
    // in flight and fewer events wait than it holds, a woken writer would go
    // back to sleep (a futex wake and two context switches per request). The
    // end of every commit and task wakes the writers again.
    wake = CanTakeLocked();
  }
  if (wake) writer_cv_.notify_one();
}

void Committer::PoolLoop() {
  pthread_setname_np(pthread_self(), "udi-verify");
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      pool_cv_.wait(lock, [this] { return !pool_queue_.empty() || stopping_; });
      if (pool_queue_.empty()) return;
      task = std::move(pool_queue_.front());
      pool_queue_.pop_front();
    }
    task();
  }
}

bool Committer::CanTakeLocked() const {
  if (writer_queue_.empty() || task_running_) return false;
  // A registry task runs alone: after every batch taken before it.
  if (writer_queue_.front().task) return commits_in_flight_ == 0;
  if (commits_in_flight_ == 0) return true;
  if (commits_in_flight_ >= writer_count_) return false;
  // A batch is in flight: the next one is built while it is written, but
  // only once as many events wait as it holds (or a full batch), so that the
  // writers do not alternate a large batch with a small one (each costs a
  // synced write).
  return queued_events_ >=
         std::min(in_flight_events_, options_.max_batch_events);
}

void Committer::WriterLoop() {
  pthread_setname_np(pthread_self(), "udi-writer");
  for (;;) {
    std::vector<std::shared_ptr<Job>> jobs;
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      writer_cv_.wait(lock, [this] {
        return CanTakeLocked() || (pool_done_ && writer_queue_.empty());
      });
      if (!CanTakeLocked()) return;  // pool_done_ and nothing left
      if (writer_queue_.front().task) {
        task = std::move(writer_queue_.front().task);
        writer_queue_.pop_front();
        task_running_ = true;
      } else {
        size_t events = 0;
        while (!writer_queue_.empty() && writer_queue_.front().job) {
          size_t n = writer_queue_.front().job->to_commit.size();
          if (!jobs.empty() && events + n > options_.max_batch_events) break;
          events += n;
          jobs.push_back(std::move(writer_queue_.front().job));
          writer_queue_.pop_front();
        }
        queued_events_ -= events;
        ++commits_in_flight_;
        in_flight_events_ = events;
      }
    }
    if (task) {
      // Tasks change the registry (participants registered, revoked,
      // rotated) and answer their request before returning: while one runs,
      // signers are looked up afresh, and the ones cached before are stale.
      RegistryChanging(true);
      task();
      RegistryChanging(false);
      {
        std::lock_guard<std::mutex> lock(mu_);
        task_running_ = false;
      }
      writer_cv_.notify_all();
      continue;
    }
    const auto picked = Job::Clock::now();
    for (auto& job : jobs) {
      job->picked = picked;
      stages_->Add(IngestStage::kCommitWait, picked - job->verified);
    }
    CommitBatch(jobs);
    {
      std::lock_guard<std::mutex> lock(mu_);
      --commits_in_flight_;
    }
    writer_cv_.notify_all();
    // Answered here, durable, while the other writer commits the next batch
    // (no hand-off to the pool, whose threads may be verifying); the answers
    // go to the I/O threads together (one wake-up per batch).
    AnswerBatch answers;
    for (const auto& job : jobs) Finish(job);
  }
}

void Committer::CommitBatch(const std::vector<std::shared_ptr<Job>>& jobs) {
  std::vector<ledger::PreparedEvent> batch;
  if (jobs.size() == 1) {
    batch = std::move(jobs[0]->to_commit);  // no event moved
  } else {
    size_t total = 0;
    for (const auto& job : jobs) total += job->to_commit.size();
    batch.reserve(total);
    for (auto& job : jobs) {
      for (auto& e : job->to_commit) batch.push_back(std::move(e));
    }
  }
  for (auto& job : jobs) job->to_commit.clear();
  size_t n = batch.size();
  auto start = std::chrono::steady_clock::now();
  // The log keeps receivedAt from going backwards (max(now, last)).
  auto outcomes = log_->AppendEvents(std::move(batch), NowMillis());
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  if (outcomes.ok()) metrics_->ObserveBatch(n, took.count());
  const auto committed = Job::Clock::now();
  for (auto& job : jobs) {
    job->committed = committed;
    stages_->Add(IngestStage::kCommit, committed - job->picked);
  }
  size_t k = 0;
  for (auto& job : jobs) {
    for (size_t pos : job->positions) {
      if (outcomes.ok() && k < outcomes->size()) {
        job->outcomes[pos] = std::move((*outcomes)[k]);
      } else {
        job->outcomes[pos].status = ledger::AppendStatus::kRejected;
        job->outcomes[pos].error =
            "storage: " + (outcomes.ok() ? std::string("missing outcome")
                                         : outcomes.status().message());
      }
      ++k;
    }
  }
}

void Committer::Finish(const std::shared_ptr<Job>& job) {
  const auto start = Job::Clock::now();
  if (job->committed != Job::Clock::time_point{}) {
    stages_->Add(IngestStage::kFinishWait, start - job->committed);
  }
  // Counted per (result, reason) first: one metrics update per series, not
  // per event.
  std::map<std::pair<const char*, std::string>, uint64_t> counts;
  for (const auto& o : job->outcomes) {
    ++counts[{StatusName(o.status), o.status == ledger::AppendStatus::kRejected
                                        ? ReasonLabel(o.error)
                                        : ""}];
  }
  for (const auto& [series, n] : counts) {
    metrics_->CountEvents(series.first, series.second, n);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_events_ -= job->envelopes.size();
  }
  job->envelopes.clear();
  Done done = std::move(job->done);
  done(std::move(job->outcomes));
  stages_->Add(IngestStage::kFinish, Job::Clock::now() - start);
}

void Committer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (joined_) return;
    stopping_ = true;
  }
  pool_cv_.notify_all();
  for (auto& t : pool_) {
    if (t.joinable()) t.join();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    pool_done_ = true;
  }
  writer_cv_.notify_all();
  for (auto& t : writers_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard<std::mutex> lock(mu_);
  joined_ = true;
}

}  // namespace api
