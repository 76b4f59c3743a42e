// LogImpl: the one implementation of ledger::Log (ledger/log.h), split over
// log.cc (open, append, read, proofs, indexes) and log_import.cc (federation
// imports). Private to ledger/log.
#ifndef UDI_LEDGER_LOG_LOG_IMPL_H_
#define UDI_LEDGER_LOG_LOG_IMPL_H_

#include <leveldb/write_batch.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "ledger/log.h"
#include "ledger/log/event_batch.h"
#include "ledger/log/event_filter.h"
#include "ledger/log/log_backup.h"
#include "ledger/log/log_db.h"
#include "ledger/log/log_entry.h"
#include "ledger/log_pipeline.h"

namespace ledger {
namespace logimpl {

using logdb::Db;

// LogImpl::StorageProperty name, besides LevelDB's: where AppendEvents' wall
// time went since the log was opened, as "name=value" pairs separated by
// spaces (calls, then seconds: total, lock_wait, accept, entries, index_wait,
// write, write_cpu), for benchmarks.
inline constexpr std::string_view kAppendTimesProperty = "udi.append-times";
struct ImportCheck;  // a prechecked chunk (log_import.cc)

// Perfect nodes of the upper tree levels are kept in memory, so a proof reads
// only its lowest siblings from LevelDB: every level >= min_level(), the lowest
// level >= 1 whose nodes and those above it fit in the memory budget (levels
// >= L hold about size/2^(L-1) hashes of 32 bytes: for 10M entries and the
// default 512 MiB, levels >= 1, 320 MB, so a proof makes 1 LevelDB read). As
// the log grows past the budget the lowest cached level is dropped. Nodes never
// change once written, so the cache cannot go stale.
//
// After open the stored nodes are loaded on a background thread (format 4
// keeps them among the entries, so loading reads the whole log): StartLoading
// reserves the nodes of the stored size, LoadNodes fills them in index order
// per level, and until a node is loaded a lookup misses (the proof reads it
// from LevelDB). Nodes appended meanwhile are added after the reserved ones.
class UpperNodeCache {
 public:
  explicit UpperNodeCache(uint64_t budget_bytes) : budget_(budget_bytes) {}
  // Reserves the nodes of the cached levels of a tree of `size` leaves (call
  // after Fit(size), before any Add).
  void StartLoading(uint64_t size) {
    std::unique_lock lock(mu_);
    for (int level = min_level_; level < 64 && (size >> level) > 0; ++level) {
      if (levels_.size() <= static_cast<size_t>(level)) {
        levels_.resize(level + 1);
        loaded_.resize(level + 1, 0);
        reserved_.resize(level + 1, 0);
      }
      levels_[level].assign(size >> level, Hash{});
      loaded_[level] = 0;
      reserved_[level] = size >> level;
    }
  }
  // Nodes of the reserved range, each level's in index order from 0.
  void LoadNodes(const std::vector<merkle::CompactRange::NewNode>& nodes) {
    std::unique_lock lock(mu_);
    for (const auto& n : nodes) {
      const auto l = static_cast<size_t>(n.level);
      if (n.level < min_level_ || l >= reserved_.size() ||
          n.index >= reserved_[l] || n.index != loaded_[l]) {
        continue;  // a dropped level, or not the next node
      }
      levels_[l][n.index] = n.hash;
      loaded_[l] = n.index + 1;
    }
  }
  // True once every reserved node is loaded (from then on lookups of them
  // hit).
  bool Loaded() const {
    std::shared_lock lock(mu_);
    for (size_t l = static_cast<size_t>(min_level_); l < reserved_.size();
         ++l) {
      if (!levels_[l].empty() && loaded_[l] < reserved_[l]) return false;
    }
    return true;
  }
  // The lowest cached level for a tree of `size` leaves.
  int LevelFor(uint64_t size) const {
    int level = 1;
    while (level < 63 && (size >> (level - 1)) * sizeof(Hash) > budget_) {
      ++level;
    }
    return level;
  }
  // Raises min_level() to LevelFor(size) (dropping the levels below).
  void Fit(uint64_t size) {
    const int level = LevelFor(size);
    std::unique_lock lock(mu_);
    if (level <= min_level_) return;
    for (int l = min_level_; l < level && l < static_cast<int>(levels_.size());
         ++l) {
      std::vector<Hash>().swap(levels_[l]);
      if (static_cast<size_t>(l) < reserved_.size()) reserved_[l] = 0;
    }
    min_level_ = level;
  }
  int min_level() const {
    std::shared_lock lock(mu_);
    return min_level_;
  }
  // Node (level, index), kept if its level is cached and it is the next one
  // of the level.
  void Add(int level, uint64_t index, const Hash& h);
  // Lookups for one proof: the shared lock is taken at the first lookup and
  // kept for the next ones (a proof makes about 2·log2(size)), but released
  // before any LevelDB read (Release), so a writer waits at most for a few
  // in-memory lookups (the lock prefers readers).
  class Reader {
   public:
    explicit Reader(const UpperNodeCache* cache)
        : cache_(cache), lock_(cache->mu_, std::defer_lock) {}
    std::optional<Hash> Find(int level, uint64_t index) const {
      if (!lock_.owns_lock()) lock_.lock();
      if (level < cache_->min_level_ ||
          static_cast<size_t>(level) >= cache_->levels_.size()) {
        return std::nullopt;
      }
      const auto& v = cache_->levels_[level];
      if (index >= v.size()) return std::nullopt;
      const auto l = static_cast<size_t>(level);
      if (l < cache_->reserved_.size() && index < cache_->reserved_[l] &&
          index >= cache_->loaded_[l]) {
        return std::nullopt;  // reserved, not loaded yet
      }
      return v[index];
    }
    void Release() const {
      if (lock_.owns_lock()) lock_.unlock();
    }

   private:
    const UpperNodeCache* cache_;
    mutable std::shared_lock<std::shared_mutex> lock_;
  };

 private:
  const uint64_t budget_;
  mutable std::shared_mutex mu_;  // protects everything below
  int min_level_ = 1;
  std::vector<std::vector<Hash>>
      levels_;  // levels_[level][index], contiguous from index 0
  // Per level: the first reserved_ nodes are those stored at open, of which
  // the first loaded_ are loaded.
  std::vector<uint64_t> reserved_;
  std::vector<uint64_t> loaded_;
};

class CachedNodeReader : public merkle::NodeSource {
 public:
  CachedNodeReader(const Db* db, const leveldb::Snapshot* snap,
                   const UpperNodeCache* cache)
      : reader_(db, snap), cache_(cache) {}
  Result<Hash> PerfectNode(int level, uint64_t index) const override {
    if (auto h = cache_.Find(level, index)) return *h;
    cache_.Release();
    return reader_.PerfectNode(level, index);
  }

 private:
  logdb::NodeReader reader_;
  UpperNodeCache::Reader cache_;
};

// What readers see: one committed state, pinned by a LevelDB snapshot.
struct ReadState {
  uint64_t size = 0;
  Checkpoint checkpoint;
  std::string signed_checkpoint;
  std::shared_ptr<const leveldb::Snapshot> snapshot;
};

inline Hash HashFromBytes(std::string_view s) {
  Hash h{};
  std::copy(s.begin(), s.end(), h.begin());
  return h;
}

class LogImpl : public Log {
 public:
  LogImpl(LogOptions options, std::unique_ptr<Db> db)
      : options_(std::move(options)),
        db_(std::move(db)),
        replica_(options_.replica_verifier.has_value()),
        verifier_(replica_ ? *options_.replica_verifier
                           : options_.key.verifier()),
        upper_(options_.tree_cache_bytes) {}
  ~LogImpl() override {
    StopWriter();
    StopEventFilter();
    state_.reset();
  }

  Status Init();
  // The pipelined import (ledger/log_pipeline.h), in log_import.cc.
  std::shared_ptr<const PrecheckedEntries> Precheck(
      std::vector<std::string> entries, const PrecheckedEntries* previous);
  Status ImportChecked(const PrecheckedEntries& chunk, std::string_view note,
                       const std::vector<Hash>& proof);
  // Test hook: waits until the background loads started by Init (the
  // stored-event-id filter, then the tree cache) have ended; true when the
  // writer now uses the filter.
  bool WaitForEventFilter();
  // Test hook: the same wait; true when every tree node stored at open is in
  // the cache.
  bool WaitForTreeCache();

  Result<std::vector<AppendOutcome>> AppendEvents(
      std::vector<PreparedEvent> events, int64_t received_at_ms) override;
  Result<uint64_t> AppendParticipant(const Participant& p,
                                     int64_t received_at_ms) override;

  std::optional<Participant> LookupSigner(
      std::string_view key_id) const override;
  std::vector<Participant> Participants() const override;
  uint64_t Size() const override { return State()->size; }
  Checkpoint LatestCheckpoint() const override { return State()->checkpoint; }
  std::string SignedCheckpoint() const override {
    return State()->signed_checkpoint;
  }
  const VerifierKey& verifier() const override { return verifier_; }
  std::optional<std::string> StorageProperty(
      std::string_view name) const override {
    if (name == kAppendTimesProperty) return AppendTimesText();
    std::string value;
    if (!db_->db->GetProperty(leveldb::Slice(name.data(), name.size()),
                              &value)) {
      return std::nullopt;
    }
    return value;
  }
  Status FlushStorage() override;
  // For tests: waits until AppendEvents has built `n` batches since open (each
  // takes the next ticket under write_mu_ and is then queued for writing).
  void WaitUntilBuiltForTesting(uint64_t n) {
    std::unique_lock pipe_lock(pipe_mu_);
    // Polled: building a batch notifies no one.
    while (built_ < n) {
      pipe_cv_.wait_for(pipe_lock, std::chrono::milliseconds(1));
    }
  }
  Result<uint64_t> AppendQuery(const nlohmann::json& record,
                               int64_t received_at_ms) override;
  Status ImportEntries(const std::vector<std::string>& entry_bytes,
                       std::string_view signed_checkpoint) override;
  Status ImportPrefix(const std::vector<std::string>& entry_bytes,
                      std::string_view signed_checkpoint,
                      const std::vector<Hash>& consistency_proof) override;
  bool is_replica() const override { return replica_; }
  Status ExportSnapshot(const SnapshotSink& sink) const override {
    return logbackup::ExportDb(*db_, sink);
  }
  const std::string& origin() const override { return options_.origin; }

  Result<LogEntry> ReadEntry(uint64_t index) const override;
  Result<std::vector<LogEntry>> ReadEntries(uint64_t start,
                                            uint64_t count) const override;
  Result<Hash> RootAt(uint64_t size) const override;
  Result<std::vector<Hash>> InclusionProof(uint64_t index,
                                           uint64_t size) const override;
  Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size,
                                             uint64_t new_size) const override;
  std::optional<uint64_t> FindEvent(std::string_view event_id) const override;
  Result<std::vector<uint64_t>> ScanIndex(IndexKind kind, std::string_view key,
                                          uint64_t start_index,
                                          size_t limit) const override;
  Result<std::vector<uint64_t>> ScanEventTime(
      int64_t from_ms, int64_t to_ms,
      std::optional<std::pair<int64_t, uint64_t>> after,
      size_t limit) const override;
  // Bulk reads (log_scan.cc).
  Status ScanIndexKeys(IndexKind kind, const std::vector<std::string>& keys,
                       uint64_t end_index,
                       const IndexHitSink& sink) const override;
  Status ReadEntriesAt(const std::vector<uint64_t>& indexes,
                       const EntryBytesSink& sink) const override;

 private:
  // Where AppendEvents' wall time went, summed over its calls (seconds), for
  // StorageProperty(kAppendTimesProperty) (bench_log).
  struct AppendTimes {
    uint64_t calls = 0;
    double total = 0;       // whole calls
    double lock_wait = 0;   // waiting for write_mu_
    double pipe_wait = 0;   // then for all but one earlier batch's write
    double accept = 0;      // duplicate and signer checks
    double entries = 0;     // entry bytes, leaf hashes, tree nodes
    double index_wait = 0;  // waiting for the index helper's puts
    double order_wait = 0;  // waiting for the previous batch's write
    double write = 0;       // leveldb::DB::Write (WAL, fsync, memtable, stalls)
    double write_cpu = 0;   // the writer thread's CPU in it
  };
  std::string AppendTimesText() const;
  // A batch under construction: a copy of the tree border, so a failed write
  // changes nothing.
  struct Pending {
    merkle::CompactRange range;
    Hash last_leaf;
    leveldb::WriteBatch batch;
    std::vector<merkle::CompactRange::NewNode> nodes;
    // The puts are already grouped by key family and ascending in each
    // (AppendEvents): CommitWithNote writes them without reordering.
    bool in_order = false;
    // X keys of AddEventKeys (one per (kind, key, index)): CommitWithNote puts
    // them as one index list per (kind, key) (format 3).
    SortedPuts index_keys;
  };
  // Also waits until every batch AppendEvents built has been written
  // (SettleWrites(0)), so that the new batch follows them.
  Pending StartBatch() {
    SettleWrites(0, nullptr);
    Pending p;
    p.range = range_;
    p.last_leaf = last_leaf_;
    return p;
  }
  void AddEntry(Pending* p, const std::string& bytes);
  void AddEntry(Pending* p, const std::string& bytes, const Hash& leaf);
  // Adds the index keys of an event entry at `index` (and its id to the
  // writer's in-memory event-id filter).
  void AddEventKeys(Pending* p, const std::string& event_id,
                    const epcis::EventFacts& facts, std::string_view signer,
                    uint64_t index);
  // AppendEvents' steps (log.cc): the positions of the events to append, in
  // order, with every event's outcome set in *out (their ids also go into
  // recent_ids_); then their entries and tree nodes added to p, grouped and
  // ascending per key family.
  // The accepted ids of a batch AppendEvents built and has not yet written
  // (the duplicate check of the next batch needs them: LevelDB does not hold
  // them yet).
  struct UnwrittenIds {
    uint64_t ticket = 0;  // the batch's place in the write order
    uint64_t first = 0;   // index of ids[0]
    std::vector<std::string> ids;
  };
  Result<std::vector<size_t>> AcceptEvents(
      const std::vector<PreparedEvent>& events, uint64_t first,
      const UnwrittenIds* unwritten, std::vector<AppendOutcome>* out);
  // Pipelined appends: AppendEvents builds a batch under write_mu_ on the tip
  // (range_, last_leaf_: the state after every batch built so far), releases
  // it, and writes the batch in build order (WriteInOrder), so that another
  // caller builds the next batch while this one is written. Under write_mu_:
  // waits until at most `max_unwritten` built batches are unwritten (none
  // after a failed write); *unwritten (if given) gets the ids of the one left.
  // After a failed write (which failed every batch built on it), the tip goes
  // back to the last written state and this returns false.
  bool SettleWrites(uint64_t max_unwritten,
                    std::shared_ptr<const UnwrittenIds>* unwritten);
  // Waits for the write of every batch before `ticket`, then writes `batch`
  // (synced per options_) unless one of them failed, and publishes `cp`.
  // `base`/`base_leaf`: the tip the batch was built on (the state to go back
  // to if its write fails).
  Status WriteInOrder(uint64_t ticket, leveldb::WriteBatch* batch,
                      const merkle::CompactRange& base, const Hash& base_leaf,
                      const std::vector<merkle::CompactRange::NewNode>& nodes,
                      Checkpoint cp, std::string note, const std::string& what,
                      AppendTimes* t);
  // One WriteInOrder call, made by writer_thread_ (so that every pipelined
  // Write, and so LevelDB's memtable inserts, stay on one thread: writes that
  // alternate between the callers' threads, and cores, cost more CPU).
  struct WriteJob {
    std::function<Status()> run;
    Status result;
    bool done = false;  // pipe_mu_
  };
  // Queues `job` (under pipe_mu_, in ticket order: the caller holds
  // write_mu_); false when there is no writer thread (the caller runs it).
  bool QueueWrite(WriteJob* job);
  void WriterLoop();
  void StopWriter();
  std::unique_ptr<leveldb::WriteBatch> TakeAppendBatch();
  void KeepAppendBatch(std::unique_ptr<leveldb::WriteBatch> batch);
  // The entries and tree nodes go into *batch (p->batch or a kept
  // append batch), the tree border into p.
  void AddEventEntries(Pending* p, leveldb::WriteBatch* batch,
                       const std::vector<PreparedEvent>& events,
                       const std::vector<size_t>& accepted,
                       const std::string& received_at);
  // The index of an already stored event (writer only, under write_mu_): the
  // in-memory filters answer "not logged" for almost every new id without a
  // LevelDB read.
  Result<std::optional<uint64_t>> StoredEventIndex(std::string_view event_id);
  // The same with the id's filter digest (EventIdFilter::DigestOf).
  Result<std::optional<uint64_t>> StoredEventIndex(
      std::string_view event_id, const EventIdFilter::Digest& digest);
  // On a background thread, from the state at Init: scans the I keys into
  // stored_ids_, then loads the tree cache (LoadUpperNodes);
  // StopEventFilter ends and joins it.
  void StartEventFilter(uint64_t size);
  void StopEventFilter();
  // receivedAt (ms) of the latest entry, or INT64_MIN for an empty log: the
  // floor for the next entry's receivedAt (it never goes backwards).
  Result<int64_t> LastReceivedAt();
  // Adds size and a checkpoint signed by the node, writes the batch durably,
  // then publishes the new state.
  Status Commit(Pending* p, std::string_view what);
  // Same with a given checkpoint and its note (ImportEntries).
  Status CommitWithNote(Pending* p, Checkpoint cp, std::string note,
                        std::string_view what);
  // Both writing *batch instead of p->batch (which must then be empty): the
  // puts of p that are not in p->batch (index_keys, checkpoint, size) are added
  // to *batch.
  Status Commit(Pending* p, leveldb::WriteBatch* batch, std::string_view what);
  Status CommitWithNote(Pending* p, leveldb::WriteBatch* batch, Checkpoint cp,
                        std::string note, std::string_view what);
  Status CheckWritable(std::string_view what) const;
  // The checked checkpoint of an import of `n` entries ending in `p`.
  // An import's note, parsed and opened: canonical form, signed by the
  // checkpoint key, this origin (any size).
  Result<Checkpoint> OpenImportNote(std::string_view note) const;
  Result<Checkpoint> CheckImportCheckpoint(const Pending& p, size_t n,
                                           std::string_view note) const;
  // ImportEntries (proof == nullptr) and ImportPrefix (log_import.cc); with
  // `checked`, the entries' checks made ahead by Precheck when they still hold.
  Status Import(const std::vector<std::string>& entry_bytes,
                std::string_view note, const std::vector<Hash>* proof,
                const ImportCheck* checked = nullptr);
  // The stored m:checkpoint `note` checked against the stored tree on open
  // (Init): own log: for exactly range.size(); replica: "" (nothing imported
  // yet, size 0) or an origin note for a size <= range.size() whose root is
  // the root of that many entries (a prefix import, log_import.cc). Corruption
  // "m:checkpoint: ..." otherwise. Defined in log_import.cc.
  Result<Checkpoint> OpenStoredCheckpoint(
      const std::string& note, const merkle::NodeSource& nodes,
      const merkle::CompactRange& range) const;
  Status CheckMode(const std::optional<std::string>& replica,
                   const std::string& verifier) const;
  Status InitializeEmpty();
  Status LoadRegistry();
  // Loads the cached levels' nodes of a tree of `size` leaves from `it` (an
  // iterator at the state of Init) into upper_, in chunks; stops early when
  // the log closes. Corruption when a node is missing or malformed (the cache
  // then keeps missing it, and a proof that needs it reads LevelDB).
  Status LoadUpperNodes(uint64_t size, leveldb::Iterator* it);
  void Publish(uint64_t size, Checkpoint cp, std::string note);
  std::shared_ptr<const ReadState> State() const {
    std::lock_guard lock(state_mu_);
    return state_;
  }
  // The indexes >= start_index in the index lists of X key prefix `prefix`
  // (logkeys::IndexPrefix), ascending, at most `limit`.
  Result<std::vector<uint64_t>> ScanIndexLists(const std::string& prefix,
                                               uint64_t start_index,
                                               size_t limit) const;

  const LogOptions options_;
  const std::unique_ptr<Db> db_;
  const bool replica_;
  const VerifierKey verifier_;  // checkpoint key: own, or replica_verifier
  UpperNodeCache upper_;

  mutable std::mutex times_mu_;  // protects times_
  AppendTimes times_;

  std::mutex
      write_mu_;  // serialises Append*; protects range_, last_leaf_, registry_
  merkle::CompactRange range_;
  Hash last_leaf_{};
  logentry::Registry registry_;
  // The pipeline of AppendEvents (SettleWrites, WriteInOrder); pipe_mu_
  // protects the fields below it. A builder holds write_mu_ and may take
  // pipe_mu_; never the other way round.
  std::mutex pipe_mu_;
  // Notified when a write ends (written_, a WriteJob done, write_failed_).
  std::condition_variable pipe_cv_;
  // Notified when a WriteJob is queued or the write thread is to stop.
  std::condition_variable write_cv_;
  uint64_t built_ = 0;    // batches built (the next ticket)
  uint64_t written_ = 0;  // batches whose write has ended (ok or not), in order
  // A write failed: the batches built after it fail unwritten, and the next
  // SettleWrites moves the tip back to the failed batch's base.
  bool write_failed_ = false;
  std::string write_error_;
  merkle::CompactRange failed_base_;
  Hash failed_base_leaf_{};
  // The ids of the last built batch while it is unwritten (a builder that
  // takes them drops its reference under pipe_mu_).
  std::shared_ptr<const UnwrittenIds> unwritten_ids_;
  std::deque<WriteJob*> write_jobs_;
  bool writer_stop_ = false;
  bool writer_failed_ = false;  // the thread could not be started
  std::thread writer_thread_;   // started by the first QueueWrite
  // AppendEvents' write batches, cleared and refilled by later calls so that
  // their buffers are reused (up to two: one written, one built).
  std::vector<std::unique_ptr<leveldb::WriteBatch>> spare_batches_;
  // Its index puts (I, T, X), built by AppendEvents' helper thread.
  std::unique_ptr<leveldb::WriteBatch> index_batch_;
  // receivedAt of the latest entry once known (write_mu_); reset by every
  // commit that does not set it (imports), then re-read from the entry.
  std::optional<int64_t> last_received_at_ms_;
  // Event ids added since Init (write_mu_), and the ids stored before it
  // (built by filter_thread_; immutable once stored_ids_ready_).
  EventIdFilter recent_ids_;
  std::unique_ptr<const EventIdFilter> stored_ids_;
  std::atomic<bool> stored_ids_ready_{false};
  std::atomic<bool> stopping_{false};
  std::mutex filter_thread_mu_;  // protects joining filter_thread_
  std::thread filter_thread_;

  mutable std::mutex
      state_mu_;  // protects the state_ pointer (not the immutable state)
  std::shared_ptr<const ReadState> state_;
};

// Log::Open with LevelDB's file system `env` (null: leveldb::Env::Default()),
// which must outlive the log. For tests that inject write failures.
Result<std::unique_ptr<Log>> OpenWithEnv(LogOptions options, leveldb::Env* env);

// MigrateDataDir (log_migrate.cc) with `move_entries` entries (or event id
// keys) per batch of the version 3 → 4 step, stopping with an IOError before
// its synced write number max_writes + 1: what a crash there leaves. For
// tests.
Status MigrateDataDirForTesting(const std::string& dir, uint64_t move_entries,
                                uint64_t max_writes);

}  // namespace logimpl
}  // namespace ledger

#endif  // UDI_LEDGER_LOG_LOG_IMPL_H_
