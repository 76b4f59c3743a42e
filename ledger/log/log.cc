// Log: the single-writer, hash-chained Merkle log over LevelDB (see
// ledger/log.h and spec/log-format.md). Imports are in log_import.cc.
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cstdio>
#include <ctime>
#include <future>
#include <system_error>
#include <thread>

#include "ledger/jcs.h"
#include "ledger/log/event_batch.h"
#include "ledger/log/log_check.h"
#include "ledger/log/log_impl.h"
#include "ledger/log/log_keys.h"

namespace ledger {
namespace logimpl {
namespace {

// Batches of at least this many accepted events have their index puts built
// on a second thread (below, a thread costs more than it saves).
constexpr size_t kParallelAppendMin = 256;
// AppendEvents keeps the buffer of its last write batch unless it grew beyond
// this (the node's largest batches, 20,000 events, take about 26 MB).
constexpr size_t kMaxKeptAppendBatchBytes = 64 << 20;

// `*kept`, emptied for reuse (its buffer stays allocated), or a new batch when
// there is none or the last one grew beyond kMaxKeptAppendBatchBytes.
leveldb::WriteBatch* ReuseBatch(std::unique_ptr<leveldb::WriteBatch>* kept) {
  if (!*kept || (*kept)->ApproximateSize() > kMaxKeptAppendBatchBytes) {
    *kept = std::make_unique<leveldb::WriteBatch>();
  }
  (*kept)->Clear();
  return kept->get();
}

// Wall and this thread's CPU clocks, in seconds.
double WallSeconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

}  // namespace

std::string LogImpl::AppendTimesText() const {
  AppendTimes t;
  {
    std::lock_guard lock(times_mu_);
    t = times_;
  }
  char text[512];
  std::snprintf(text, sizeof text,
                "calls=%llu total=%.3f lock_wait=%.3f pipe_wait=%.3f "
                "accept=%.3f entries=%.3f index_wait=%.3f order_wait=%.3f "
                "write=%.3f write_cpu=%.3f",
                static_cast<unsigned long long>(t.calls), t.total, t.lock_wait,
                t.pipe_wait, t.accept, t.entries, t.index_wait, t.order_wait,
                t.write, t.write_cpu);
  return text;
}

Status LogImpl::InitializeEmpty() {
  Checkpoint cp{options_.origin, 0, merkle::EmptyRoot(), {}};
  leveldb::WriteBatch b;
  b.Put(std::string(logkeys::kVersionKey),
        std::string(logkeys::kFormatVersion));
  b.Put(std::string(logkeys::kOriginKey), options_.origin);
  b.Put(std::string(logkeys::kVerifierKey), verifier_.ToText());
  b.Put(std::string(logkeys::kSizeKey), logkeys::Be64(0));
  // A replica has no note of its origin until its first import.
  b.Put(std::string(logkeys::kCheckpointKey),
        replica_ ? std::string() : SignCheckpoint(cp, options_.key));
  if (replica_) b.Put(std::string(logkeys::kReplicaKey), "1");
  leveldb::WriteOptions w;
  w.sync = true;
  return db_->Write(w, &b, "initialising data dir " + db_->dir);
}

Status LogImpl::Init() {
  auto version = db_->Get(logkeys::kVersionKey);
  if (!version.ok()) return version.status();
  if (!version->has_value()) {
    std::unique_ptr<leveldb::Iterator> it(
        db_->db->NewIterator(db_->ReadOptions(nullptr)));
    it->SeekToFirst();
    if (it->Valid()) {
      return Status::Corruption("data dir " + db_->dir +
                                ": m:version missing in a non-empty db");
    }
    LEDGER_RETURN_IF_ERROR(InitializeEmpty());
  } else {
    LEDGER_RETURN_IF_ERROR(logkeys::CheckFormatVersion(db_->dir, **version));
  }
  auto origin = db_->Get(logkeys::kOriginKey);
  auto verifier = db_->Get(logkeys::kVerifierKey);
  auto size_v = db_->Get(logkeys::kSizeKey);
  auto note = db_->Get(logkeys::kCheckpointKey);
  for (const auto* r : {&origin, &verifier, &size_v, &note}) {
    if (!r->ok()) return r->status();
    if (!r->value().has_value()) {
      return Status::Corruption("data dir " + db_->dir +
                                ": a m: metadata key is missing");
    }
  }
  if (**origin != options_.origin) {
    return Status::FailedPrecondition("data dir " + db_->dir +
                                      " holds the log of origin '" + **origin +
                                      "', not '" + options_.origin + "'");
  }
  auto replica = db_->Get(logkeys::kReplicaKey);
  if (!replica.ok()) return replica.status();
  LEDGER_RETURN_IF_ERROR(CheckMode(*replica, **verifier));
  if ((*size_v)->size() != 8) return Status::Corruption("m:size: not 8 bytes");
  const uint64_t size = GetBigEndian64(**size_v);
  logdb::NodeReader reader(db_.get(), nullptr);
  auto range = merkle::CompactRange::FromStore(reader, size);
  if (!range.ok())
    return range.status().WithPrefix("rebuilding the tree of size " +
                                     std::to_string(size));
  // Hook (log_import.cc): a replica's note may be for a smaller size after a
  // prefix import.
  Result<Checkpoint> cp = OpenStoredCheckpoint(**note, reader, *range);
  if (!cp.ok()) return cp.status();
  auto beyond = db_->Get(logkeys::EntryKey(size));
  if (!beyond.ok()) return beyond.status();
  if (beyond->has_value()) {
    return Status::Corruption("entry " + std::to_string(size) +
                              " exists beyond m:size");
  }
  if (size > 0) {
    auto last = reader.PerfectNode(0, size - 1);
    if (!last.ok()) return last.status();
    last_leaf_ = *last;
  }
  range_ = std::move(range).value();
  LEDGER_RETURN_IF_ERROR(LoadRegistry());
  // The stored nodes are loaded in the background (StartEventFilter).
  upper_.Fit(size);
  upper_.StartLoading(size);
  Publish(size, std::move(cp).value(), std::move(note)->value());
  StartEventFilter(size);
  return Status::OK();
}

void LogImpl::StartEventFilter(uint64_t size) {
  // The iterator is created here, before any append: its implicit snapshot
  // holds every event stored before Init, and every later one goes through
  // AddEventKeys into recent_ids_.
  leveldb::ReadOptions r = db_->ReadOptions(nullptr);
  r.fill_cache = false;  // a one-off scan must not evict the hot blocks
  std::unique_ptr<leveldb::Iterator> it(db_->db->NewIterator(r));
  std::unique_ptr<leveldb::Iterator> tree_it(db_->db->NewIterator(r));
  filter_thread_ = std::thread(
      [this, size, it = std::move(it), tree_it = std::move(tree_it)] {
        // A background rebuild: at a lower priority (nice +10, this thread only
        // on Linux) so that it yields the cores to queries and appends on a
        // busy node; until it is done the writer looks ids up in LevelDB
        // anyway.
        setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
        pthread_setname_np(pthread_self(), "udi-idfilter");
        auto filter = std::make_unique<EventIdFilter>(size);
        const std::string prefix(1, logkeys::kEventIdPrefix);
        uint64_t n = 0;
        for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
             it->Next()) {
          if (++n % 4096 == 0 && stopping_.load(std::memory_order_relaxed))
            return;
          // I + the id's 32 digest bytes (a malformed key is the verifier's to
          // report; the filter then may only answer "maybe" more often).
          if (it->key().size() == 33) {
            filter->Add(EventIdFilter::DigestOfBytes(
                std::string_view(it->key().data() + 1, 32)));
          }
        }
        // On a read error the writer keeps looking every id up in LevelDB.
        if (it->status().ok()) {
          stored_ids_ = std::move(filter);
          stored_ids_ready_.store(true, std::memory_order_release);
        }
        // Until a node is loaded, a proof reads it from LevelDB; a node the
        // load finds missing or malformed stays so (the verifier names it).
        (void)LoadUpperNodes(size, tree_it.get());
      });
}

void LogImpl::StopEventFilter() {
  stopping_ = true;
  std::lock_guard lock(filter_thread_mu_);
  if (filter_thread_.joinable()) filter_thread_.join();
}

bool LogImpl::WaitForEventFilter() {
  std::lock_guard lock(filter_thread_mu_);
  if (filter_thread_.joinable()) filter_thread_.join();
  return stored_ids_ready_.load(std::memory_order_acquire);
}

Result<std::optional<uint64_t>> LogImpl::StoredEventIndex(
    std::string_view event_id) {
  return StoredEventIndex(event_id, EventIdFilter::DigestOf(event_id));
}

Result<std::optional<uint64_t>> LogImpl::StoredEventIndex(
    std::string_view event_id, const EventIdFilter::Digest& digest) {
  if (stored_ids_ready_.load(std::memory_order_acquire) &&
      !stored_ids_->MayContain(digest) && !recent_ids_.MayContain(digest)) {
    return std::optional<uint64_t>();
  }
  const auto key = logkeys::EventIdKey(event_id);
  if (!key) return std::optional<uint64_t>();  // not an id the log can hold
  auto v = db_->Get(*key);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return std::optional<uint64_t>();
  if ((*v)->size() != 8) {
    return Status::Corruption(logkeys::Describe(*key) +
                              ": value is not 8 bytes");
  }
  return std::optional<uint64_t>(GetBigEndian64(**v));
}

Result<int64_t> LogImpl::LastReceivedAt() {
  if (last_received_at_ms_) return *last_received_at_ms_;
  const uint64_t size = range_.size();
  if (size == 0) return int64_t{INT64_MIN};
  const std::string at = "entry " + std::to_string(size - 1);
  auto v = db_->Get(logkeys::EntryKey(size - 1));
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Status::Corruption(at + ": missing");
  auto j = ParseJsonStrict(**v);
  if (!j.ok()) return j.status().WithPrefix(at);
  if (!j->is_object() || !j->contains("receivedAt") ||
      !(*j)["receivedAt"].is_string()) {
    return Status::Corruption(at + ": receivedAt missing or not a string");
  }
  auto ms = epcis::ParseRfc3339Millis((*j)["receivedAt"].get<std::string>());
  if (!ms.ok()) return ms.status().WithPrefix(at + ": receivedAt");
  last_received_at_ms_ = *ms;
  return *ms;
}

Status LogImpl::CheckMode(const std::optional<std::string>& replica,
                          const std::string& verifier) const {
  const std::string& dir = db_->dir;
  if (replica.has_value() && !replica_) {
    return Status::FailedPrecondition(
        "data dir " + dir + " is a replica of origin '" + options_.origin +
        "' (checkpoint key " + verifier +
        "): open it with replica_verifier, not as the node's own log");
  }
  if (!replica.has_value() && replica_) {
    return Status::FailedPrecondition(
        "data dir " + dir + " holds a node's own log (checkpoint key " +
        verifier + "), not a replica");
  }
  if (verifier != verifier_.ToText()) {
    return Status::FailedPrecondition("data dir " + dir +
                                      " was created with checkpoint key " +
                                      verifier + ", not " + verifier_.ToText());
  }
  return Status::OK();
}

Status LogImpl::LoadRegistry() {
  std::unique_ptr<leveldb::Iterator> it(
      db_->db->NewIterator(db_->ReadOptions(nullptr)));
  const std::string prefix(1, logkeys::kRegistryPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    const std::string key = it->key().ToString();
    auto j = ParseJsonStrict(it->value().ToString());
    if (!j.ok()) return j.status().WithPrefix(logkeys::Describe(key));
    auto p = Participant::FromJson(*j);
    if (!p.ok()) return p.status().WithPrefix(logkeys::Describe(key));
    registry_[key.substr(1)] = std::move(p).value();
  }
  return logdb::FromLevelDb(it->status(), "loading the registry");
}

void UpperNodeCache::Add(int level, uint64_t index, const Hash& h) {
  std::unique_lock lock(mu_);
  if (level < min_level_) return;
  if (levels_.size() <= static_cast<size_t>(level)) levels_.resize(level + 1);
  auto& v = levels_[level];
  if (index == v.size()) v.push_back(h);
}

bool LogImpl::WaitForTreeCache() {
  WaitForEventFilter();
  return upper_.Loaded();
}

Status LogImpl::LoadUpperNodes(uint64_t size, leveldb::Iterator* it) {
  const int min_level = upper_.min_level();
  // Nodes of the cached levels are interleaved with the entries (format 4):
  // one pass over the family, from the first leaf that completes a node of
  // min_level (each level's nodes then come in index order).
  std::vector<uint64_t> want(64, 0);  // next index per level
  std::vector<merkle::CompactRange::NewNode> chunk;
  chunk.reserve(4096);
  uint64_t keys = 0;
  if ((size >> min_level) > 0) {
    for (it->Seek(logkeys::NodeKey(min_level, 0)); it->Valid(); it->Next()) {
      if (++keys % 4096 == 0) {
        if (stopping_.load(std::memory_order_relaxed)) return Status::OK();
        upper_.LoadNodes(chunk);
        chunk.clear();
      }
      const std::string_view key(it->key().data(), it->key().size());
      if (key.empty() || key[0] != logkeys::kSeqPrefix) break;
      auto id = logkeys::ParseNodeKey(key);
      if (!id) {
        if (logkeys::ParseEntryKey(key)) continue;
        return Status::Corruption("key " + logkeys::Describe(key) +
                                  ": not an entry or tree node key");
      }
      if (id->level < min_level) continue;
      if ((size >> id->level) <= id->index) break;  // beyond m:size
      if (id->index != want[id->level] || it->value().size() != 32) {
        return Status::Corruption(
            "merkle node (level " + std::to_string(id->level) + ", index " +
            std::to_string(want[id->level]) + ") missing or malformed");
      }
      chunk.push_back(
          {id->level, id->index,
           HashFromBytes(std::string_view(it->value().data(), 32))});
      ++want[id->level];
    }
  }
  upper_.LoadNodes(chunk);
  LEDGER_RETURN_IF_ERROR(
      logdb::FromLevelDb(it->status(), "loading tree nodes"));
  for (int level = min_level; level < 64 && (size >> level) > 0; ++level) {
    if (want[level] != (size >> level)) {
      return Status::Corruption("merkle level " + std::to_string(level) + ": " +
                                std::to_string(want[level]) +
                                " nodes stored, want " +
                                std::to_string(size >> level));
    }
  }
  return Status::OK();
}

void LogImpl::Publish(uint64_t size, Checkpoint cp, std::string note) {
  auto state = std::make_shared<ReadState>();
  state->size = size;
  state->checkpoint = std::move(cp);
  state->signed_checkpoint = std::move(note);
  leveldb::DB* db = db_->db.get();
  state->snapshot = std::shared_ptr<const leveldb::Snapshot>(
      db->GetSnapshot(),
      [db](const leveldb::Snapshot* s) { db->ReleaseSnapshot(s); });
  std::lock_guard lock(state_mu_);
  state_ = std::move(state);
}

void LogImpl::AddEntry(Pending* p, const std::string& bytes) {
  AddEntry(p, bytes, merkle::LeafHash(bytes));
}

void LogImpl::AddEntry(Pending* p, const std::string& bytes, const Hash& leaf) {
  const uint64_t index = p->range.size();
  std::string key;
  key.reserve(16);
  logkeys::EntryKeyInto(&key, index);
  p->batch.Put(key, bytes);
  p->last_leaf = leaf;
  p->range.Append(p->last_leaf, [&](const merkle::CompactRange::NewNode& n) {
    logkeys::NodeKeyInto(&key, n.level, n.index);
    p->batch.Put(key,
                 leveldb::Slice(reinterpret_cast<const char*>(n.hash.data()),
                                n.hash.size()));
    if (n.level >= 1) p->nodes.push_back(n);  // the cache keeps what fits
  });
}

Status LogImpl::Commit(Pending* p, std::string_view what) {
  return Commit(p, &p->batch, what);
}

Status LogImpl::Commit(Pending* p, leveldb::WriteBatch* batch,
                       std::string_view what) {
  Checkpoint cp{options_.origin, p->range.size(), p->range.Root(), {}};
  std::string note = SignCheckpoint(cp, options_.key);
  return CommitWithNote(p, batch, std::move(cp), std::move(note), what);
}

namespace {

// Reorders a batch's puts for LevelDB's memtable, which inserts them one by one
// into a skip list: puts are grouped by key family (E, I, N, T, X per index
// kind, the rest), and a family whose keys are not already ascending (event
// ids, EPCs) is sorted, so that consecutive inserts land next to each other and
// find their search path still in the CPU cache (this halves the cost of the
// write on a batch of 1000 events). Puts of the same key stay in their order
// (stable sort, same family), so the written state is exactly that of the
// original batch. A batch with deletes is left as it is.
class BatchSorter : public leveldb::WriteBatch::Handler {
 public:
  void Put(const leveldb::Slice& key, const leveldb::Slice& value) override {
    const size_t f = Family(key);
    auto& v = families_[f];
    if (!v.empty() && v.back().first.compare(key) > 0) unsorted_[f] = true;
    if (f != last_family_ && !v.empty()) grouped_ = false;  // family resumed
    last_family_ = f;
    v.emplace_back(key, value);
  }
  void Delete(const leveldb::Slice&) override { has_delete_ = true; }
  // The reordered batch; false when `in` must be written as it is (a batch
  // with deletes, or one already grouped by family and ascending in each, as
  // AppendEvents builds it).
  bool Sort(const leveldb::WriteBatch& in, leveldb::WriteBatch* out) {
    if (!in.Iterate(this).ok() || has_delete_) return false;
    if (grouped_ && std::find(unsorted_.begin(), unsorted_.end(), true) ==
                        unsorted_.end()) {
      return false;
    }
    for (size_t f = 0; f < families_.size(); ++f) {
      auto& v = families_[f];
      if (unsorted_[f]) {
        std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
          return a.first.compare(b.first) < 0;
        });
      }
      for (const auto& [key, value] : v) out->Put(key, value);
    }
    return true;
  }

 private:
  static constexpr size_t kKinds = 26;  // X families, by kind 'a'..'z'
  static size_t Family(const leveldb::Slice& key) {
    if (key.size() >= 2 && key[0] == logkeys::kIndexPrefix && key[1] >= 'a' &&
        key[1] <= 'z') {
      return 5 + static_cast<size_t>(key[1] - 'a');
    }
    switch (key.empty() ? '\0' : key[0]) {
      case logkeys::kSeqPrefix:  // entries and tree nodes
        return 0;
      case logkeys::kEventIdPrefix:
        return 1;
      case logkeys::kTimePrefix:
        return 3;
      default:
        return 5 + kKinds;  // R, m: and anything else
    }
  }
  // Slices point into the input batch, which outlives the sort (family 2 is
  // unused since format 4).
  std::array<std::vector<std::pair<leveldb::Slice, leveldb::Slice>>, 6 + kKinds>
      families_;
  std::array<bool, 6 + kKinds> unsorted_{};
  size_t last_family_ = families_.size();
  bool grouped_ = true;  // each family's puts are contiguous
  bool has_delete_ = false;
};

}  // namespace

Status LogImpl::CommitWithNote(Pending* p, Checkpoint cp, std::string note,
                               std::string_view what) {
  return CommitWithNote(p, &p->batch, std::move(cp), std::move(note), what);
}

Status LogImpl::CommitWithNote(Pending* p, leveldb::WriteBatch* batch,
                               Checkpoint cp, std::string note,
                               std::string_view what) {
  if (!p->index_keys.empty()) p->index_keys.PutAsIndexLists(batch);
  // m:checkpoint < m:size: put in key order, so that a batch built in order
  // stays in order.
  batch->Put(std::string(logkeys::kCheckpointKey), note);
  batch->Put(std::string(logkeys::kSizeKey), logkeys::Be64(p->range.size()));
  leveldb::WriteOptions w;
  w.sync = options_.sync;
  leveldb::WriteBatch sorted;
  const bool reordered = !p->in_order && BatchSorter().Sort(*batch, &sorted);
  LEDGER_RETURN_IF_ERROR(db_->Write(w, reordered ? &sorted : batch, what));
  // Appends set it again after this returns; an import leaves it to be read
  // from its last entry.
  last_received_at_ms_.reset();
  range_ = std::move(p->range);
  last_leaf_ = p->last_leaf;
  upper_.Fit(range_.size());
  for (const auto& n : p->nodes) upper_.Add(n.level, n.index, n.hash);
  Publish(range_.size(), std::move(cp), std::move(note));
  return Status::OK();
}

void LogImpl::AddEventKeys(Pending* p, const std::string& event_id,
                           const epcis::EventFacts& facts,
                           std::string_view signer, uint64_t index) {
  std::string key;
  key.reserve(128);
  // event_id was computed by PrepareEvent (always the canonical form).
  if (!logkeys::EventIdKeyInto(&key, event_id)) key.assign("I" + event_id);
  char be[8];
  for (int i = 0; i < 8; ++i) be[i] = static_cast<char>(index >> (56 - 8 * i));
  p->batch.Put(key, leveldb::Slice(be, 8));
  logentry::ForEachEventIndexKey(
      facts, signer, index, &key, [p](std::string_view k) {
        if (k[0] == logkeys::kIndexPrefix) {
          p->index_keys.Add(k, {});  // listed per (kind, key) at the commit
        } else {
          p->batch.Put(leveldb::Slice(k.data(), k.size()), leveldb::Slice());
        }
      });
  // A batch that then fails to commit leaves its ids here: harmless (the
  // filter may only answer "maybe").
  recent_ids_.Add(event_id);
}

Status LogImpl::FlushStorage() {
  db_->FlushMemtable();
  return Status::OK();
}

Status LogImpl::CheckWritable(std::string_view what) const {
  if (!replica_) return Status::OK();
  return Status::FailedPrecondition(
      std::string(what) + ": the log of '" + options_.origin +
      "' is a replica; entries arrive only through ImportEntries");
}

Result<std::vector<AppendOutcome>> LogImpl::AppendEvents(
    std::vector<PreparedEvent> events, int64_t received_at_ms) {
  LEDGER_RETURN_IF_ERROR(CheckWritable("AppendEvents"));
  AppendTimes t;
  const double start = WallSeconds();
  std::unique_lock lock(write_mu_);
  double now = WallSeconds();
  t.lock_wait = now - start;
  // Adds the seconds since the last step to *field.
  auto step = [&now](double* field) {
    const double was = now;
    now = WallSeconds();
    *field += now - was;
  };
  // This batch is built while the previous one (if any) is being written.
  std::shared_ptr<const UnwrittenIds> unwritten;
  SettleWrites(1, &unwritten);
  step(&t.pipe_wait);
  auto floor = LastReceivedAt();
  if (!floor.ok()) return floor.status();
  const int64_t at_ms = std::max(received_at_ms, *floor);
  std::vector<AppendOutcome> out(events.size());
  Pending p;
  p.range = range_;
  p.last_leaf = last_leaf_;
  const uint64_t first = p.range.size();
  auto accepted = AcceptEvents(events, first, unwritten.get(), &out);
  const bool after_unwritten = unwritten != nullptr;
  if (after_unwritten) {  // see the end of this function
    std::lock_guard pipe_lock(pipe_mu_);
    unwritten.reset();
  }
  if (!accepted.ok()) return accepted.status();
  if (accepted->empty()) {  // nothing accepted, nothing to write
    // Duplicates of the unwritten batch are answered once it is durable.
    if (after_unwritten && !SettleWrites(0, nullptr)) {
      return Status::IOError(
          "appending events: the batch that holds some of their ids was not "
          "written (a write failed)");
    }
    return out;
  }
  step(&t.accept);
  // The index puts (I, T, X) need only each event's facts and index: a large
  // batch has them built on a second thread while this one chains and hashes
  // the entries, which it must do in order. That thread then frees the
  // events' parsed JSON (no longer needed), and once this one has made the
  // entries, everything else the events hold, while this one writes (freeing
  // ~10 allocations per event costs the writer several us per event).
  // Their batch is kept like the append batches (below): freeing it here would
  // make this thread consolidate the small chunks the helper freed into its
  // malloc arena (~1 us per event).
  leveldb::WriteBatch& index_puts = *ReuseBatch(&index_batch_);
  std::thread helper;
  std::promise<void> index_ready;
  std::promise<void> entries_made;
  if (accepted->size() >= kParallelAppendMin) {
    try {
      helper = std::thread([&] {
        // Named for profiles and per-thread CPU figures (bench_log).
        pthread_setname_np(pthread_self(), "udi-index");
        PutEventIndexKeys(events, *accepted, first, &index_puts);
        index_ready.set_value();
        // Moved out and destroyed here (assigning a default value would keep
        // the strings' buffers, to be freed by the caller's thread).
        for (size_t i : *accepted) {
          events[i].envelope.event = nullptr;
          epcis::EventFacts gone(std::move(events[i].facts));
        }
        entries_made.get_future().wait();
        for (PreparedEvent& ev : events) PreparedEvent gone(std::move(ev));
      });
    } catch (const std::system_error&) {
      // No thread: this one builds them below.
    }
  }
  // The batch's buffer is kept from one call to the next: a 10,000-event batch
  // is ~13 MB, and growing a new one each time (copies, page faults, frees
  // that make malloc consolidate) cost the writer ~1 us per event.
  std::unique_ptr<leveldb::WriteBatch> batch = TakeAppendBatch();
  AddEventEntries(&p, batch.get(), events, *accepted,
                  logentry::FormatReceivedAt(at_ms));
  step(&t.entries);
  if (helper.joinable()) {
    index_ready.get_future().wait();
  } else {
    PutEventIndexKeys(events, *accepted, first, &index_puts);
  }
  step(&t.index_wait);
  // Nothing else reads the accepted events' ids (AcceptEvents copied the
  // others'): they move to the duplicate check of the next batch until this one
  // is written, then to the outcomes; the helper frees the events.
  auto ids = std::make_shared<UnwrittenIds>();
  ids->first = first;
  ids->ids.reserve(accepted->size());
  for (size_t i : *accepted) ids->ids.push_back(std::move(events[i].event_id));
  entries_made.set_value();
  batch->Append(index_puts);
  // m:checkpoint < m:size: put in key order, so that the batch stays in order
  // (its puts are grouped by family, ascending in each: see BatchSorter).
  Checkpoint cp{options_.origin, p.range.size(), p.range.Root(), {}};
  std::string note = SignCheckpoint(cp, options_.key);
  batch->Put(std::string(logkeys::kCheckpointKey), note);
  batch->Put(std::string(logkeys::kSizeKey), logkeys::Be64(p.range.size()));
  // The tip moves on to this batch; the next one is built on it while this one
  // is written, in build order.
  merkle::CompactRange base = std::move(range_);
  const Hash base_leaf = last_leaf_;
  range_ = std::move(p.range);
  last_leaf_ = p.last_leaf;
  last_received_at_ms_ = at_ms;
  uint64_t ticket = 0;
  {
    std::lock_guard pipe_lock(pipe_mu_);
    ticket = built_++;
    ids->ticket = ticket;
    unwritten_ids_ = ids;
  }
  const std::string what =
      "appending " + std::to_string(accepted->size()) + " events";
  WriteJob job;
  job.run = [&] {
    return WriteInOrder(ticket, batch.get(), base, base_leaf, p.nodes,
                        std::move(cp), std::move(note), what, &t);
  };
  const bool queued = QueueWrite(&job);
  lock.unlock();
  Status committed;
  if (queued) {
    std::unique_lock pipe_lock(pipe_mu_);
    pipe_cv_.wait(pipe_lock, [&] { return job.done; });
    committed = std::move(job.result);
    step(&t.order_wait);
    t.order_wait -= t.write;  // the rest: waiting for the writes before it
  } else {
    committed = job.run();
    pipe_cv_.notify_all();  // its write has ended (WriteInOrder)
  }
  KeepAppendBatch(std::move(batch));
  if (helper.joinable()) helper.join();
  LEDGER_RETURN_IF_ERROR(committed);
  // WriteInOrder dropped unwritten_ids_; a builder that took them for its
  // duplicate check drops them under pipe_mu_ once done, so unless one still
  // holds them the ids move on instead of being copied.
  bool sole = false;
  {
    std::lock_guard pipe_lock(pipe_mu_);
    sole = ids.use_count() == 1;
  }
  for (size_t k = 0; k < accepted->size(); ++k) {
    std::string& id = ids->ids[k];
    out[(*accepted)[k]].event_id = sole ? std::move(id) : id;
  }
  {
    std::lock_guard times_lock(times_mu_);
    ++times_.calls;
    times_.total += WallSeconds() - start;
    times_.lock_wait += t.lock_wait;
    times_.pipe_wait += t.pipe_wait;
    times_.order_wait += t.order_wait;
    times_.accept += t.accept;
    times_.entries += t.entries;
    times_.index_wait += t.index_wait;
    times_.write += t.write;
    times_.write_cpu += t.write_cpu;
  }
  return out;
}

bool LogImpl::SettleWrites(uint64_t max_unwritten,
                           std::shared_ptr<const UnwrittenIds>* unwritten) {
  std::unique_lock pipe_lock(pipe_mu_);
  pipe_cv_.wait(pipe_lock, [&] {
    return built_ - written_ <= (write_failed_ ? 0 : max_unwritten);
  });
  if (write_failed_) {
    // Every batch built on the failed one failed too: back to the last
    // written state. Their ids stay in recent_ids_ (it may only answer
    // "maybe").
    range_ = std::move(failed_base_);
    last_leaf_ = failed_base_leaf_;
    last_received_at_ms_.reset();
    write_failed_ = false;
    return false;
  }
  if (unwritten != nullptr) {
    *unwritten = built_ > written_ ? unwritten_ids_ : nullptr;
  }
  return true;
}

Status LogImpl::WriteInOrder(
    uint64_t ticket, leveldb::WriteBatch* batch,
    const merkle::CompactRange& base, const Hash& base_leaf,
    const std::vector<merkle::CompactRange::NewNode>& nodes, Checkpoint cp,
    std::string note, const std::string& what, AppendTimes* t) {
  std::unique_lock pipe_lock(pipe_mu_);
  pipe_cv_.wait(pipe_lock, [&] { return written_ == ticket; });
  Status s;
  if (write_failed_) {
    s = Status::IOError(what +
                        ": not written, because the write of the batch "
                        "before it failed (" +
                        write_error_ + ")");
  } else {
    pipe_lock.unlock();
    leveldb::WriteOptions w;
    w.sync = options_.sync;
    const double wall0 = WallSeconds();
    const double cpu0 = ThreadCpuSeconds();
    s = db_->Write(w, batch, what);
    t->write += WallSeconds() - wall0;
    t->write_cpu += ThreadCpuSeconds() - cpu0;
    const uint64_t size = cp.size;
    if (s.ok()) {
      upper_.Fit(size);
      for (const auto& n : nodes) upper_.Add(n.level, n.index, n.hash);
      Publish(size, std::move(cp), std::move(note));
    }
    pipe_lock.lock();
    if (!s.ok()) {
      write_failed_ = true;
      write_error_ = s.message();
      failed_base_ = base;
      failed_base_leaf_ = base_leaf;
    }
  }
  if (unwritten_ids_ != nullptr && unwritten_ids_->ticket == ticket) {
    unwritten_ids_.reset();
  }
  ++written_;
  // The caller notifies pipe_cv_ (once, with its job marked done).
  return s;
}

bool LogImpl::QueueWrite(WriteJob* job) {
  {
    std::lock_guard pipe_lock(pipe_mu_);
    if (!writer_thread_.joinable() && !writer_failed_) {
      try {
        writer_thread_ = std::thread([this] { WriterLoop(); });
      } catch (const std::system_error&) {
        writer_failed_ = true;
      }
    }
    if (writer_failed_) return false;
    write_jobs_.push_back(job);
  }
  // Only the write thread waits on write_cv_: the callers waiting on pipe_cv_
  // (for their own write, or to build the next batch) have nothing to do
  // until a write ends. Notified after the unlock, so that the thread does
  // not wake up only to wait for pipe_mu_.
  write_cv_.notify_one();
  return true;
}

void LogImpl::WriterLoop() {
  pthread_setname_np(pthread_self(), "udi-logwrite");
  for (;;) {
    WriteJob* job = nullptr;
    {
      std::unique_lock pipe_lock(pipe_mu_);
      write_cv_.wait(pipe_lock,
                     [this] { return !write_jobs_.empty() || writer_stop_; });
      if (write_jobs_.empty()) return;
      job = write_jobs_.front();
      write_jobs_.pop_front();
    }
    Status s = job->run();  // WriteInOrder takes pipe_mu_ itself
    {
      std::lock_guard pipe_lock(pipe_mu_);
      job->result = std::move(s);
      job->done = true;
    }
    // One wake-up per write, for its caller and the callers waiting for
    // written_ (`job` may be gone once its caller has seen it done).
    pipe_cv_.notify_all();
  }
}

void LogImpl::StopWriter() {
  {
    std::lock_guard pipe_lock(pipe_mu_);
    writer_stop_ = true;
  }
  write_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
}

std::unique_ptr<leveldb::WriteBatch> LogImpl::TakeAppendBatch() {
  std::unique_ptr<leveldb::WriteBatch> batch;
  {
    std::lock_guard pipe_lock(pipe_mu_);
    if (!spare_batches_.empty()) {
      batch = std::move(spare_batches_.back());
      spare_batches_.pop_back();
    }
  }
  if (batch == nullptr) return std::make_unique<leveldb::WriteBatch>();
  batch->Clear();
  return batch;
}

void LogImpl::KeepAppendBatch(std::unique_ptr<leveldb::WriteBatch> batch) {
  if (batch->ApproximateSize() > kMaxKeptAppendBatchBytes) return;
  std::lock_guard pipe_lock(pipe_mu_);
  if (spare_batches_.size() < 2) spare_batches_.push_back(std::move(batch));
}

Result<std::vector<size_t>> LogImpl::AcceptEvents(
    const std::vector<PreparedEvent>& events, uint64_t first,
    const UnwrittenIds* unwritten, std::vector<AppendOutcome>* out) {
  std::vector<size_t> accepted;
  accepted.reserve(events.size());
  // Ids accepted in this batch → index. Built only once the writer's filter
  // of recent ids (which holds them all) first answers "maybe" for an id.
  std::unordered_map<std::string_view, uint64_t> in_batch;
  bool in_batch_built = false;
  // The same for the ids of the batch still being written (not yet in
  // LevelDB), built at the first "maybe" too.
  std::unordered_map<std::string_view, uint64_t> unwritten_index;
  bool unwritten_built = false;
  // The registry does not change during the call: a signer and key pair that
  // passed once passes again.
  const PreparedEvent* signer_ok = nullptr;
  auto duplicate_of = [](const PreparedEvent& ev, uint64_t index,
                         AppendOutcome* o) {
    o->event_id = ev.event_id;
    o->status = AppendStatus::kDuplicate;
    o->index = index;
  };
  for (size_t i = 0; i < events.size(); ++i) {
    const PreparedEvent& ev = events[i];
    AppendOutcome& o = (*out)[i];
    const EventIdFilter::Digest digest = EventIdFilter::DigestOf(ev.event_id);
    if (recent_ids_.MayContain(digest)) {
      if (!in_batch_built) {
        in_batch.reserve(events.size());
        for (size_t k = 0; k < accepted.size(); ++k) {
          in_batch.emplace(events[accepted[k]].event_id, first + k);
        }
        in_batch_built = true;
      }
      if (auto it = in_batch.find(ev.event_id); it != in_batch.end()) {
        duplicate_of(ev, it->second, &o);
        continue;
      }
      if (unwritten != nullptr) {
        if (!unwritten_built) {
          unwritten_index.reserve(unwritten->ids.size());
          for (size_t k = 0; k < unwritten->ids.size(); ++k) {
            unwritten_index.emplace(unwritten->ids[k], unwritten->first + k);
          }
          unwritten_built = true;
        }
        if (auto it = unwritten_index.find(ev.event_id);
            it != unwritten_index.end()) {
          duplicate_of(ev, it->second, &o);
          continue;
        }
      }
    }
    auto existing = StoredEventIndex(ev.event_id, digest);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      duplicate_of(ev, **existing, &o);
      continue;
    }
    if (signer_ok == nullptr ||
        signer_ok->envelope.signer != ev.envelope.signer ||
        signer_ok->verified_with != ev.verified_with) {
      Status signer = logentry::CheckSigner(registry_, ev.envelope.signer);
      if (signer.ok() &&
          ev.verified_with != registry_.at(ev.envelope.signer).verifier_key) {
        signer = Status::FailedPrecondition(
            "signer " + ev.envelope.signer +
            ": the event was verified with another key than the "
            "registered one");
      }
      if (!signer.ok()) {
        o.event_id = ev.event_id;
        o.status = AppendStatus::kRejected;
        o.error = signer.message();
        continue;
      }
      signer_ok = &ev;
    }
    const uint64_t index = first + accepted.size();
    o.status = AppendStatus::kAccepted;
    o.index = index;
    if (in_batch_built) in_batch.emplace(ev.event_id, index);
    accepted.push_back(i);
    // A batch that then fails to commit leaves its ids here: harmless (the
    // filter may only answer "maybe").
    recent_ids_.Add(digest);
  }
  return accepted;
}

void LogImpl::AddEventEntries(Pending* p, leveldb::WriteBatch* batch,
                              const std::vector<PreparedEvent>& events,
                              const std::vector<size_t>& accepted,
                              const std::string& received_at) {
  std::string key;
  key.reserve(16);
  std::string bytes;  // reused for every entry
  for (size_t i : accepted) {
    const PreparedEvent& ev = events[i];
    const uint64_t index = p->range.size();
    // The leaf hash continues the SHA-256 state PrepareEvent left after the
    // entry's prefix, whose bytes it also kept.
    if (!ev.entry_prefix.empty()) {
      bytes.assign(ev.entry_prefix);
    } else {
      bytes = logentry::EventEntryPrefix(ev.envelope, ev.canonical_event);
    }
    const size_t prefix_size = bytes.size();
    logentry::AppendEventEntrySuffix(&bytes, index, p->last_leaf, received_at);
    std::optional<Hash> leaf;
    if (!ev.entry_prefix.empty()) {
      leaf = logentry::LeafHashFromPrefixState(
          ev.leaf_prefix_state, std::string_view(bytes).substr(prefix_size));
    }
    if (!leaf) leaf = merkle::LeafHash(bytes);
    logkeys::EntryKeyInto(&key, index);
    batch->Put(key, bytes);
    p->last_leaf = *leaf;
    // The nodes the leaf completes, level 0 first: their keys follow the
    // entry's, so the batch's puts stay in key order (see event_batch.h).
    p->range.Append(*leaf, [&](const merkle::CompactRange::NewNode& n) {
      logkeys::NodeKeyInto(&key, n.level, n.index);
      batch->Put(key,
                 leveldb::Slice(reinterpret_cast<const char*>(n.hash.data()),
                                n.hash.size()));
      if (n.level >= 1) p->nodes.push_back(n);  // the cache keeps what fits
    });
  }
}

Result<uint64_t> LogImpl::AppendParticipant(const Participant& participant,
                                            int64_t received_at_ms) {
  LEDGER_RETURN_IF_ERROR(CheckWritable("AppendParticipant"));
  std::lock_guard lock(write_mu_);
  LEDGER_RETURN_IF_ERROR(logentry::CheckRegistryChange(registry_, participant));
  auto floor = LastReceivedAt();
  if (!floor.ok()) return floor.status();
  const int64_t at_ms = std::max(received_at_ms, *floor);
  Pending p = StartBatch();
  const uint64_t index = p.range.size();
  auto bytes = logentry::ParticipantEntryBytes(
      index, p.last_leaf, logentry::FormatReceivedAt(at_ms), participant);
  if (!bytes.ok()) return bytes.status();
  auto value = logentry::ParticipantBytes(participant);
  if (!value.ok()) return value.status();
  AddEntry(&p, *bytes);
  const std::string key_id = participant.KeyId();
  p.batch.Put(logkeys::RegistryKey(key_id), *value);
  LEDGER_RETURN_IF_ERROR(Commit(&p, "appending participant " + key_id));
  last_received_at_ms_ = at_ms;
  registry_[key_id] = participant;
  return index;
}

Result<uint64_t> LogImpl::AppendQuery(const nlohmann::json& record,
                                      int64_t received_at_ms) {
  LEDGER_RETURN_IF_ERROR(CheckWritable("AppendQuery"));
  std::lock_guard lock(write_mu_);
  auto floor = LastReceivedAt();
  if (!floor.ok()) return floor.status();
  const int64_t at_ms = std::max(received_at_ms, *floor);
  Pending p = StartBatch();
  const uint64_t index = p.range.size();
  auto bytes = logentry::QueryEntryBytes(
      index, p.last_leaf, logentry::FormatReceivedAt(at_ms), record);
  if (!bytes.ok()) return bytes.status();
  // The verifier's own check, so that nothing is logged that it would refuse
  // (e.g. an integer beyond 2^53 that does not survive JCS).
  auto checked = logcheck::CheckEntry(index, p.last_leaf, *bytes, &registry_);
  if (!checked.ok()) {
    return Status::InvalidArgument("query: " + checked.status().message());
  }
  AddEntry(&p, *bytes, checked->leaf);
  LEDGER_RETURN_IF_ERROR(Commit(&p, "appending a query record"));
  last_received_at_ms_ = at_ms;
  return index;
}

std::optional<Participant> LogImpl::LookupSigner(
    std::string_view key_id) const {
  auto state = State();
  auto v = db_->Get(logkeys::RegistryKey(key_id), state->snapshot.get());
  if (!v.ok() || !v->has_value()) return std::nullopt;
  auto j = ParseJsonStrict(**v);
  if (!j.ok()) return std::nullopt;
  auto p = Participant::FromJson(*j);
  if (!p.ok()) return std::nullopt;
  return std::move(p).value();
}

std::vector<Participant> LogImpl::Participants() const {
  auto state = State();
  std::vector<Participant> out;
  std::unique_ptr<leveldb::Iterator> it(
      db_->db->NewIterator(db_->ReadOptions(state->snapshot.get())));
  const std::string prefix(1, logkeys::kRegistryPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    auto j = ParseJsonStrict(it->value().ToString());
    if (!j.ok()) continue;
    auto p = Participant::FromJson(*j);
    if (p.ok()) out.push_back(std::move(p).value());
  }
  return out;
}

Result<LogEntry> LogImpl::ReadEntry(uint64_t index) const {
  auto state = State();
  if (index >= state->size) {
    return Status::NotFound("entry " + std::to_string(index) +
                            ": the log has " + std::to_string(state->size) +
                            " entries");
  }
  auto v = db_->Get(logkeys::EntryKey(index), state->snapshot.get());
  if (!v.ok()) return v.status();
  if (!v->has_value())
    return Status::Corruption("entry " + std::to_string(index) + ": missing");
  auto j = ParseJsonStrict(**v);
  if (!j.ok()) return j.status().WithPrefix("entry " + std::to_string(index));
  return LogEntry{index, std::move(*v).value(), std::move(j).value()};
}

Result<std::vector<LogEntry>> LogImpl::ReadEntries(uint64_t start,
                                                   uint64_t count) const {
  auto state = State();
  std::vector<LogEntry> out;
  if (start >= state->size) return out;
  const uint64_t end = start + std::min(count, state->size - start);
  std::unique_ptr<leveldb::Iterator> it(
      db_->db->NewIterator(db_->ReadOptions(state->snapshot.get())));
  it->Seek(logkeys::EntryKey(start));
  for (uint64_t i = start; i < end; ++i, it->Next()) {
    if (!logdb::AtEntry(it.get(), i)) {
      LEDGER_RETURN_IF_ERROR(
          logdb::FromLevelDb(it->status(), "reading entries"));
      return Status::Corruption("entry " + std::to_string(i) + ": missing");
    }
    std::string bytes = it->value().ToString();
    auto j = ParseJsonStrict(bytes);
    if (!j.ok()) return j.status().WithPrefix("entry " + std::to_string(i));
    out.push_back(LogEntry{i, std::move(bytes), std::move(j).value()});
  }
  return out;
}

static Status CheckSize(uint64_t size, uint64_t log_size) {
  if (size > log_size) {
    return Status::InvalidArgument("tree size " + std::to_string(size) +
                                   " exceeds the log size " +
                                   std::to_string(log_size));
  }
  return Status::OK();
}

Result<Hash> LogImpl::RootAt(uint64_t size) const {
  auto state = State();
  LEDGER_RETURN_IF_ERROR(CheckSize(size, state->size));
  if (size == 0) return merkle::EmptyRoot();
  return merkle::RootAt(
      CachedNodeReader(db_.get(), state->snapshot.get(), &upper_), size);
}

Result<std::vector<Hash>> LogImpl::InclusionProof(uint64_t index,
                                                  uint64_t size) const {
  auto state = State();
  LEDGER_RETURN_IF_ERROR(CheckSize(size, state->size));
  return merkle::InclusionProof(
      CachedNodeReader(db_.get(), state->snapshot.get(), &upper_), index, size);
}

Result<std::vector<Hash>> LogImpl::ConsistencyProof(uint64_t old_size,
                                                    uint64_t new_size) const {
  auto state = State();
  LEDGER_RETURN_IF_ERROR(CheckSize(new_size, state->size));
  return merkle::ConsistencyProof(
      CachedNodeReader(db_.get(), state->snapshot.get(), &upper_), old_size,
      new_size);
}

std::optional<uint64_t> LogImpl::FindEvent(std::string_view event_id) const {
  auto state = State();
  const auto key = logkeys::EventIdKey(event_id);
  if (!key) return std::nullopt;  // not an event id the log can hold
  auto v = db_->Get(*key, state->snapshot.get());
  if (!v.ok() || !v->has_value() || (*v)->size() != 8) return std::nullopt;
  return GetBigEndian64(**v);
}

Result<std::vector<uint64_t>> LogImpl::ScanIndexLists(const std::string& prefix,
                                                      uint64_t start_index,
                                                      size_t limit) const {
  auto state = State();
  std::vector<uint64_t> out;
  if (limit == 0) return out;
  std::unique_ptr<leveldb::Iterator> it(
      db_->db->NewIterator(db_->ReadOptions(state->snapshot.get())));
  // Lists are keyed by their last index: the first key at or after
  // prefix + be64(start_index) is the first list holding an index >=
  // start_index.
  std::vector<uint64_t> list;
  for (it->Seek(prefix + logkeys::Be64(start_index));
       it->Valid() && out.size() < limit && it->key().starts_with(prefix);
       it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (key.size() != prefix.size() + 8) continue;  // not (prefix, be64)
    LEDGER_RETURN_IF_ERROR(
        logkeys::DecodeIndexList(
            GetBigEndian64(key.substr(prefix.size())),
            std::string_view(it->value().data(), it->value().size()), &list)
            .WithPrefix("key " + logkeys::Describe(key)));
    for (uint64_t i : list) {
      if (i < start_index) continue;
      out.push_back(i);
      if (out.size() == limit) break;
    }
  }
  LEDGER_RETURN_IF_ERROR(logdb::FromLevelDb(it->status(), "scanning an index"));
  return out;
}

Result<std::vector<uint64_t>> LogImpl::ScanIndex(IndexKind kind,
                                                 std::string_view key,
                                                 uint64_t start_index,
                                                 size_t limit) const {
  if (kind == IndexKind::kEventId) {
    std::vector<uint64_t> out;
    if (auto i = FindEvent(key); i && *i >= start_index && limit > 0)
      out.push_back(*i);
    return out;
  }
  return ScanIndexLists(logkeys::IndexPrefix(kind, key), start_index, limit);
}

Result<std::vector<uint64_t>> LogImpl::ScanEventTime(
    int64_t from_ms, int64_t to_ms,
    std::optional<std::pair<int64_t, uint64_t>> after, size_t limit) const {
  auto state = State();
  std::vector<uint64_t> out;
  if (from_ms >= to_ms || limit == 0) return out;
  std::string start = logkeys::TimeKey(from_ms, 0);
  if (after && after->first >= from_ms) {
    start = logkeys::TimeKey(after->first, after->second);
    start.push_back('\0');  // strictly after the (time, index) position
  }
  const std::string end = logkeys::TimeKey(to_ms, 0);
  std::unique_ptr<leveldb::Iterator> it(
      db_->db->NewIterator(db_->ReadOptions(state->snapshot.get())));
  for (it->Seek(start); it->Valid() && out.size() < limit; it->Next()) {
    const std::string k = it->key().ToString();
    if (k >= end || k[0] != logkeys::kTimePrefix) break;
    if (k.size() == 17) out.push_back(GetBigEndian64(k.substr(9)));
  }
  LEDGER_RETURN_IF_ERROR(
      logdb::FromLevelDb(it->status(), "scanning eventTime"));
  return out;
}

}  // namespace logimpl

namespace logimpl {

Result<std::unique_ptr<Log>> OpenWithEnv(LogOptions options,
                                         leveldb::Env* env) {
  if (options.origin.empty()) return Status::InvalidArgument("origin: empty");
  auto db =
      logdb::Open(options.data_dir, /*create=*/true, options.block_cache_bytes,
                  options.write_buffer_bytes, env);
  if (!db.ok()) return db.status();
  auto log =
      std::make_unique<LogImpl>(std::move(options), std::move(db).value());
  LEDGER_RETURN_IF_ERROR(log->Init());
  return std::unique_ptr<Log>(std::move(log));
}

}  // namespace logimpl

Result<std::unique_ptr<Log>> Log::Open(LogOptions options) {
  return logimpl::OpenWithEnv(std::move(options), nullptr);
}

}  // namespace ledger
