// Recall: explode a recall spec into affected units and report on them.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

#include "ledger/gs1.h"
#include "ledger/trace/trace_internal.h"

namespace ledger::trace {
namespace {

using namespace std::string_view_literals;

using internal::EventRecord;
using internal::Reader;

// CPU seconds of the calling thread (RecallTimings).
double ThreadCpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

Result<std::string> NormalizeGtin(const std::string& gtin) {
  if (gtin.empty() || gtin.size() > 14 ||
      gtin.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("gtin: '" + gtin +
                                   "' is not a GTIN of 8, 12, 13 or 14 digits");
  }
  std::string padded = std::string(14 - gtin.size(), '0') + gtin;
  Status st = gs1::ValidateAiValue("01", padded);
  if (!st.ok()) return st.WithPrefix("gtin");
  return padded;
}

// Keys of inputEPCList / outputEPCList of a TransformationEvent.
std::vector<std::string> ListKeys(const EventRecord& r,
                                  EventRecord::List list) {
  auto [begin, end] = r.ListKeys(list);
  return std::vector<std::string>(begin, end);
}

// The identifier as the event wrote it for `key` in its epcList (the key when
// the epcList does not name it).
const std::string& WrittenId(const EventRecord& r, const std::string& key) {
  const std::vector<std::string>& epcs = r.Epcs();
  auto it = std::find(epcs.begin(), epcs.end(), key);
  const size_t at = static_cast<size_t>(it - epcs.begin());
  if (it == epcs.end() || at >= r.list_size[EventRecord::kEpcList]) return key;
  return r.written[at];
}

bool IsAcknowledgement(const EventRecord& r) {
  const std::string& step = r.facts.biz_step;
  const std::string& disp = r.facts.disposition;
  return step == "holding"sv || step == "destroying"sv ||
         step == "decommissioning"sv || disp == "recalled"sv ||
         disp == "returned"sv || disp == "destroyed"sv ||
         disp == "non_sellable_other"sv || disp == "inactive"sv;
}

// One unit's line of the report: the unit's chain without building its hops
// (BuildChain with `applied`), every entry and every container's touches read
// once per recall through the Reader.
Result<RecalledUnit> ReportUnit(Reader& reader, const std::string& key,
                                int64_t issued_ms) {
  // The hops' records, in a buffer kept per thread (a recall has 100k units).
  thread_local std::vector<const EventRecord*> hops;
  hops.clear();
  Result<CustodyChain> chain =
      internal::BuildChain(reader, key, /*with_lists=*/false, &hops);
  if (!chain.ok()) return chain.status();
  RecalledUnit u;
  u.key = key;
  u.status = chain->status;
  u.custodian = std::move(chain->custodian);
  u.location = std::move(chain->location);
  if (!hops.empty()) u.last_event_time = hops.back()->facts.event_time;
  Result<const std::vector<const EventRecord*>*> events =
      reader.Events(IndexKind::kEpc, key);
  if (!events.ok()) return events.status();
  const std::string* epc = &key;
  for (const EventRecord* r : **events) {
    if (r->facts.biz_step == "commissioning"sv) {
      epc = &WrittenId(*r, key);
      break;
    }
  }
  u.epc = *epc;
  u.manufacturer = std::move(chain->commissioned_by.gln);
  if (!hops.empty()) u.last_event_id = hops.back()->EventId();
  for (const EventRecord* r : hops) {
    if (r->facts.event_time_ms >= issued_ms && IsAcknowledgement(*r) &&
        r->signer_gln == u.custodian.gln) {
      u.acknowledged = true;
      u.acknowledged_ms = r->facts.event_time_ms;
      break;
    }
  }
  u.in_transit = !hops.empty() && hops.back()->facts.biz_step == "shipping"sv;
  return u;
}

// Sorts rows by key, through an index: a RecalledUnit is nine strings, so
// moving each once is cheaper than the swaps of sorting them in place. On the
// batch's thread, so that the recall merges sorted runs (MergeRuns) instead of
// sorting every row on the caller's thread.
void SortByKey(std::vector<RecalledUnit>* rows) {
  // A lot's units come in the order their serials were commissioned, often
  // the key order already.
  if (std::is_sorted(rows->begin(), rows->end(),
                     [](const RecalledUnit& a, const RecalledUnit& b) {
                       return a.key < b.key;
                     })) {
    return;
  }
  std::vector<uint32_t> order(rows->size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [rows](uint32_t a, uint32_t b) {
    return (*rows)[a].key < (*rows)[b].key;
  });
  std::vector<RecalledUnit> sorted;
  sorted.reserve(order.size());
  for (uint32_t i : order) sorted.push_back(std::move((*rows)[i]));
  *rows = std::move(sorted);
}

// The keys a recall has seen, each copied once into blocks of its own (no
// allocation per key: a lot has 100k units) and looked up in an
// open-addressing table of views (std::unordered_set<std::string> allocated
// a node and a string per key, and was ~60% of the caller's lot phase).
class KeySet {
 public:
  // Adds `key` unless present: its stable copy, or nullopt if present.
  std::optional<std::string_view> Insert(std::string_view key) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    const size_t hash = std::hash<std::string_view>()(key);
    size_t i = hash & mask_;
    for (; slots_[i].used; i = (i + 1) & mask_) {
      if (slots_[i].hash == hash && slots_[i].key == key) return std::nullopt;
    }
    const std::string_view copy = Copy(key);
    slots_[i] = {copy, hash, true};
    ++size_;
    return copy;
  }
  size_t size() const { return size_; }

 private:
  struct Slot {
    std::string_view key;
    size_t hash = 0;
    bool used = false;
  };
  static constexpr size_t kBlock = 1 << 16;

  std::string_view Copy(std::string_view key) {
    if (key.size() > block_size_ - used_) {
      block_size_ = std::max(kBlock, key.size());
      blocks_.push_back(std::make_unique<char[]>(block_size_));
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    std::copy(key.begin(), key.end(), at);
    used_ += key.size();
    return {at, key.size()};
  }
  void Grow() {
    // Small at first (tests reach the growth path), doubling.
    std::vector<Slot> old = std::exchange(
        slots_, std::vector<Slot>(slots_.empty() ? 16 : 2 * slots_.size()));
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (!s.used) continue;
      size_t i = s.hash & mask_;
      while (slots_[i].used) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_size_ = 0;
  size_t used_ = 0;
};

// One batch of a generation: keys in, rows and passed-on keys out.
struct Batch {
  std::vector<std::string_view> keys;  // in the exploder's KeySet
  std::vector<std::string> passed_on;  // Follow's keys, in order
  std::vector<RecalledUnit> rows;
  Status status;  // OK also when not run (another batch failed first)
};

// The batches of one generation, published by the caller as their keys
// become known (the first generation while the lots are still being read)
// and taken by the workers in order.
class Generation {
 public:
  void Publish(std::vector<std::string_view> keys) {
    std::lock_guard<std::mutex> lock(mu_);
    batches_.emplace_back().keys = std::move(keys);
    cv_.notify_one();
  }
  // No more batches: workers return once the published ones are taken.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  // Stops every worker at its next Take.
  void Fail() {
    std::lock_guard<std::mutex> lock(mu_);
    failed_ = true;
    cv_.notify_all();
  }
  // The next batch not taken yet, waiting for one to be published; nullptr
  // once closed and all taken, or failed.
  Batch* Take() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock,
             [&] { return failed_ || closed_ || taken_ < batches_.size(); });
    if (failed_ || taken_ >= batches_.size()) return nullptr;
    return &batches_[taken_++];  // deque: elements do not move
  }
  // After the workers are joined.
  std::deque<Batch>& batches() { return batches_; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> batches_;
  size_t taken_ = 0;
  bool closed_ = false;
  bool failed_ = false;
};

class Exploder {
 public:
  Exploder(Reader& reader, const std::vector<const internal::Source*>& sources)
      : reader_(reader), sources_(sources) {}

  // The recall events of gtin+lot (class-level events with disposition
  // recalled in the class index): read before the units, so that the recall
  // time is known when the first batch starts.
  Status AddLotRecallEvents(const std::string& gtin, const std::string& lot,
                            RecallReport* report) {
    gs1::Gs1Key lgtin{gs1::KeyKind::kLgtin, {{"01", gtin}, {"10", lot}}};
    Result<const std::vector<const EventRecord*>*> events =
        reader_.Events(IndexKind::kEpcClass, lgtin.ToString());
    if (!events.ok()) return events.status();
    for (const EventRecord* r : **events) {
      if (!r->superseded && r->facts.disposition == "recalled"sv)
        AddRecallEvent(*r, report);
    }
    return Status::OK();
  }

  // Units of gtin+lot: commissioning events in the class index, else found by
  // their ilmd lot.
  Status AddLot(const std::string& gtin, const std::string& lot) {
    gs1::Gs1Key lgtin{gs1::KeyKind::kLgtin, {{"01", gtin}, {"10", lot}}};
    Result<const std::vector<const EventRecord*>*> events =
        reader_.Events(IndexKind::kEpcClass, lgtin.ToString());
    if (!events.ok()) return events.status();
    bool commissioning_found = false;
    for (const EventRecord* r : **events) {
      if (r->superseded) continue;
      if (r->facts.type == epcis::EventType::kTransformationEvent) {
        for (const std::string& k : ListKeys(*r, EventRecord::kOutputEpcs))
          Push(k);
      }
      if (r->facts.action == "ADD"sv &&
          r->facts.biz_step == "commissioning"sv) {
        commissioning_found = true;
        PushUnitsOfGtin(*r, gtin);
      }
    }
    if (commissioning_found) return Status::OK();
    // The log's ilmd lot index (IndexKind::kIlmdLot): commissioning events
    // whose ilmd lotNumber names this lot, without reading the others.
    Result<const std::vector<const EventRecord*>*> indexed =
        reader_.Events(IndexKind::kIlmdLot, lgtin.ToString());
    if (!indexed.ok()) return indexed.status();
    for (const EventRecord* r : **indexed) {
      if (r->superseded || r->facts.biz_step != "commissioning"sv) continue;
      commissioning_found = true;
      PushUnitsOfGtin(*r, gtin);
    }
    if (commissioning_found) return Status::OK();
    Result<std::vector<const EventRecord*>> by_ilmd =
        reader_.CommissioningOfLot(lot);
    if (!by_ilmd.ok()) return by_ilmd.status();
    for (const EventRecord* r : *by_ilmd) {
      if (!r->superseded) PushUnitsOfGtin(*r, gtin);
    }
    return Status::OK();
  }

  // Queues `key` unless seen already. While the first generation is produced
  // (ExplodeAndReport's `produce`), each full batch is handed to the workers
  // at once.
  void Push(std::string_view key) {
    std::optional<std::string_view> added = seen_.Insert(key);
    if (!added) return;
    queue_.push_back(*added);  // the set's copies do not move
    // A full batch is handed out once a further batch's keys are queued, so
    // that the generation's last RecallBatchSize() keys, at least, are left
    // for PublishLast to cut finer.
    if (open_ != nullptr && queue_.size() >= 2 * batch_size_) {
      open_->Publish(std::vector<std::string_view>(
          queue_.begin(), queue_.begin() + batch_size_));
      queue_.erase(queue_.begin(), queue_.begin() + batch_size_);
    }
  }

  // Publishes queue_ as the generation's last batches and clears it: full
  // batches, except that the last batch_size_ keys go in batches of
  // tail_batch_ (finer, so that the threads finish together).
  void PublishLast(Generation& gen) {
    const size_t n = queue_.size();
    const size_t tail =
        tail_batch_ < batch_size_ ? std::min(n, batch_size_) : 0;
    auto publish = [&](size_t from, size_t to) {
      gen.Publish(std::vector<std::string_view>(queue_.begin() + from,
                                                queue_.begin() + to));
    };
    size_t i = 0;
    for (; i < n - tail; i += batch_size_) {
      publish(i, std::min(n - tail, i + batch_size_));
    }
    for (i = n - tail; i < n; i += tail_batch_) {
      publish(i, std::min(n, i + tail_batch_));
    }
    queue_.clear();
  }

  // Calls `produce` (on the caller's thread, with the caller's Reader), which
  // queues the first generation's keys (Push); follows packing (everything
  // ever packed into an affected container) and transformations, and reports
  // each unit found (ReportUnit). Keys are taken in batches: the units' index
  // hits and entries are read in bulk (Reader::Prefetch: one ordered index
  // pass and one ordered entry pass), and once the batch's rows are made the
  // units' own events are forgotten (Reader::Release), so memory holds one
  // batch of units' events plus what they share (lots, cases, pallets), not
  // every event of the recall.
  // The keys queued at a time form a generation, cut into batches; each of
  // RecallThreads() threads, with a Reader of its own (a Reader is not
  // thread-safe; the logs are), takes the next batch not taken yet until
  // none is left, so a thread never waits for another one's batch before the
  // generation ends. The first generation's batches are handed out as
  // `produce` fills them, so the other threads start on the lot's first
  // units while the caller still reads the rest of the lot. Consecutive
  // batches share few containers, so little is read twice. Rows and what the
  // batches pass the recall on to (Follow) are collected per batch and taken
  // in batch order (batches are cut at the same keys however fast `produce`
  // runs), so the answer does not depend on the number of threads or on
  // which thread ran which batch.
  // Each batch's rows come sorted by key (sorted on the batch's thread); they
  // are appended to *runs as one run per batch, in batch order.
  Status ExplodeAndReport(int64_t issued_ms,
                          const std::function<Status()>& produce,
                          std::vector<std::vector<RecalledUnit>>* runs) {
    batch_size_ = std::max<size_t>(1, internal::RecallBatchSize());
    const size_t threads = std::max<size_t>(1, internal::RecallThreads());
    // One thread has no one to finish with.
    tail_batch_ = threads > 1 && internal::RecallTailBatchSize() > 0
                      ? internal::RecallTailBatchSize()
                      : batch_size_;
    internal::RecallTimings* timings = internal::RecallTimingsSink();
    if (readers_.empty()) readers_.emplace_back();  // [0] is reader_
    while (readers_.size() < threads) {
      readers_.push_back(std::make_unique<Reader>(sources_,
                                                  /*full_events=*/false));
    }
    if (timings != nullptr && timings->worker_cpu.size() < threads) {
      timings->worker_cpu.resize(threads);
      timings->worker_end_idle.resize(threads);
    }
    using Clock = std::chrono::steady_clock;
    std::vector<Clock::time_point> last_end(threads);
    auto work = [&](Reader& reader, size_t t, Generation& gen) {
      const double cpu = timings != nullptr ? ThreadCpu() : 0;
      while (Batch* b = gen.Take()) {
        b->status = RunBatch(reader, issued_ms, b);
        if (!b->status.ok()) gen.Fail();
        if (timings != nullptr) last_end[t] = Clock::now();
      }
      if (timings != nullptr) timings->worker_cpu[t] += ThreadCpu() - cpu;
    };
    for (bool first = true;; first = false) {
      Generation gen;
      size_t workers = threads;
      if (!first) {
        PublishLast(gen);
        workers = std::min(threads, gen.batches().size());
        gen.Close();
      }
      std::fill(last_end.begin(), last_end.end(), Clock::time_point());
      std::vector<std::thread> helpers;
      for (size_t t = 1; t < workers; ++t)
        helpers.emplace_back([&, t] { work(*readers_[t], t, gen); });
      if (first) {
        open_ = &gen;
        queue_.reserve(2 * batch_size_);
        Status produced = produce();
        open_ = nullptr;
        PublishLast(gen);
        if (!produced.ok()) gen.Fail();
        gen.Close();
        if (timings != nullptr) timings->lot_cpu += ThreadCpu() - lot_start_;
        if (!produced.ok()) {
          for (std::thread& t : helpers) t.join();
          return produced;
        }
      }
      const double main_cpu = timings != nullptr ? ThreadCpu() : 0;
      work(reader_, 0, gen);
      for (std::thread& t : helpers) t.join();
      for (Batch& b : gen.batches()) {
        if (!b.status.ok()) return b.status;
      }
      if (timings != nullptr) {
        timings->generations++;
        timings->batches += gen.batches().size();
        const Clock::time_point end =
            *std::max_element(last_end.begin(), last_end.end());
        for (size_t t = 0; t < workers; ++t) {
          if (last_end[t] != Clock::time_point()) {
            timings->worker_end_idle[t] +=
                std::chrono::duration<double>(end - last_end[t]).count();
          }
        }
      }
      for (Batch& b : gen.batches()) {
        for (const std::string& key : b.passed_on) Push(key);
        if (!b.rows.empty()) runs->push_back(std::move(b.rows));
      }
      if (timings != nullptr)
        timings->explode_main_cpu += ThreadCpu() - main_cpu;
      if (queue_.empty()) break;
    }
    return Status::OK();
  }

  // Where the caller's lot phase started (RecallTimings::lot_cpu).
  void set_lot_start(double cpu) { lot_start_ = cpu; }

  // The Readers of the helper threads (the first is the caller's), to be
  // freed off the caller's path.
  std::vector<std::unique_ptr<Reader>> TakeReaders() {
    return std::move(readers_);
  }

  std::optional<int64_t> earliest_recall_ms() const {
    return earliest_recall_ms_;
  }

 private:
  // One batch over `reader` (the only one using it meanwhile).
  static Status RunBatch(Reader& reader, int64_t issued_ms, Batch* b) {
    // The batch's unit keys, copied here (on the batch's thread, not the
    // caller's): the Reader's bulk reads take a vector of keys.
    std::vector<std::string> units;
    units.reserve(b->keys.size());
    for (std::string_view key : b->keys) {
      if (key.starts_with("01/"sv)) units.emplace_back(key);
    }
    LEDGER_RETURN_IF_ERROR(reader.Prefetch(IndexKind::kEpc, units));
    // The cases and pallets they were packed in, read in bulk too.
    LEDGER_RETURN_IF_ERROR(reader.PrefetchContainers(units));
    for (std::string_view key : b->keys) {
      LEDGER_RETURN_IF_ERROR(Follow(reader, key, &b->passed_on));
    }
    b->rows.reserve(units.size());
    for (const std::string& key : units) {
      Result<RecalledUnit> u = ReportUnit(reader, key, issued_ms);
      if (!u.ok()) return u.status();
      b->rows.push_back(std::move(u).value());
    }
    reader.Release(IndexKind::kEpc, units);
    SortByKey(&b->rows);
    return Status::OK();
  }

  // Appends to *out what `key` passes a recall on to: the children of
  // aggregations that packed into it, the outputs of transformations that
  // consumed it.
  static Status Follow(Reader& reader, std::string_view key,
                       std::vector<std::string>* out) {
    Result<const std::vector<const EventRecord*>*> events =
        reader.Events(IndexKind::kEpc, key);
    if (!events.ok()) return events.status();
    for (const EventRecord* r : **events) {
      if (r->superseded) continue;
      if (r->facts.type == epcis::EventType::kAggregationEvent &&
          r->facts.action == "ADD"sv && r->facts.parent == key) {
        for (const std::string& child : r->Epcs()) out->push_back(child);
      } else if (r->facts.type == epcis::EventType::kTransformationEvent) {
        auto [begin, end] = r->ListKeys(EventRecord::kInputEpcs);
        if (std::find(begin, end, key) == end) continue;
        auto [first, last] = r->ListKeys(EventRecord::kOutputEpcs);
        out->insert(out->end(), first, last);
      }
    }
    return Status::OK();
  }

  void AddRecallEvent(const EventRecord& r, RecallReport* report) {
    std::vector<std::string>& ids = report->recall_events;
    if (std::find(ids.begin(), ids.end(), r.EventId()) != ids.end()) return;
    ids.push_back(r.EventId());
    if (!earliest_recall_ms_ || r.facts.event_time_ms < *earliest_recall_ms_) {
      earliest_recall_ms_ = r.facts.event_time_ms;
    }
  }

  void PushUnitsOfGtin(const EventRecord& r, const std::string& gtin) {
    const std::string prefix = "01/" + gtin + "/";
    const std::vector<std::string>& keys = r.Epcs();
    for (const std::string& key : keys) {
      if (key.compare(0, prefix.size(), prefix) == 0) Push(key);
    }
  }

  Reader& reader_;  // batches of the first thread, and the lot lookups
  std::vector<const internal::Source*> sources_;
  std::vector<std::unique_ptr<Reader>> readers_;  // [0] unused
  KeySet seen_;
  std::vector<std::string_view> queue_;  // keys of seen_ not taken yet
  Generation* open_ = nullptr;           // the generation `produce` is filling
  size_t batch_size_ = 1;
  size_t tail_batch_ = 1;  // batch size of a generation's last keys
  double lot_start_ = 0;
  std::optional<int64_t> earliest_recall_ms_;
};

constexpr int64_t kMsPerDay = 86'400'000;

int64_t DayOf(int64_t ms) {
  return ms >= 0 ? ms / kMsPerDay : -((-ms + kMsPerDay - 1) / kMsPerDay);
}

double Share(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0 : static_cast<double>(part) / whole;
}

// Cumulative acknowledgements per UTC day, from the day of issue.
void Timeline(RecallReport* report,
              const std::map<std::string, int64_t>& consignee_ack_ms) {
  std::map<int64_t, std::pair<uint64_t, uint64_t>> per_day;  // units, parties
  int64_t last = DayOf(report->issued_ms);
  for (const RecalledUnit& u : report->units) {
    if (!u.acknowledged) continue;
    per_day[DayOf(u.acknowledged_ms)].first++;
    last = std::max(last, DayOf(u.acknowledged_ms));
  }
  for (const auto& [gln, ms] : consignee_ack_ms) per_day[DayOf(ms)].second++;
  uint64_t units = 0, consignees = 0;
  for (const auto& [day, n] : per_day) {
    if (day < DayOf(report->issued_ms)) {  // acknowledged before issue
      units += n.first;
      consignees += n.second;
    }
  }
  for (int64_t day = DayOf(report->issued_ms); day <= last; ++day) {
    auto it = per_day.find(day);
    if (it != per_day.end()) {
      units += it->second.first;
      consignees += it->second.second;
    }
    report->acknowledgement_timeline.push_back(
        {internal::DateOfDay(day), units, consignees,
         Share(units, report->units.size()),
         Share(consignees, report->consignees)});
  }
}

// Moves the rows of `runs` (each sorted by key; a key is in one run at most)
// into *units in key order: a merge of the batches' runs, each row moved once.
void MergeRuns(std::vector<std::vector<RecalledUnit>>* runs,
               std::vector<RecalledUnit>* units) {
  size_t total = 0;
  for (const std::vector<RecalledUnit>& run : *runs) total += run.size();
  units->reserve(units->size() + total);
  // Runs that follow each other in key order (a lot's batches, usually) are
  // appended as they are.
  bool ordered = true;
  for (size_t r = 1; r < runs->size() && ordered; ++r) {
    ordered = (*runs)[r - 1].back().key < (*runs)[r].front().key;
  }
  if (ordered) {
    for (std::vector<RecalledUnit>& run : *runs) {
      std::move(run.begin(), run.end(), std::back_inserter(*units));
    }
    return;
  }
  // Heap of (run, position), smallest key on top.
  std::vector<std::pair<size_t, size_t>> heap;
  for (size_t r = 0; r < runs->size(); ++r) {
    if (!(*runs)[r].empty()) heap.emplace_back(r, 0);
  }
  auto greater = [runs](const std::pair<size_t, size_t>& a,
                        const std::pair<size_t, size_t>& b) {
    return (*runs)[b.first][b.second].key < (*runs)[a.first][a.second].key;
  };
  std::make_heap(heap.begin(), heap.end(), greater);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), greater);
    auto& [r, i] = heap.back();
    units->push_back(std::move((*runs)[r][i]));
    if (++i < (*runs)[r].size()) {
      std::push_heap(heap.begin(), heap.end(), greater);
    } else {
      heap.pop_back();
    }
  }
}

void Summarize(RecallReport* report) {
  // Per custodian first, in a hash map keyed by views of the rows' GLNs (100k
  // units, a few hundred custodians), then into the report's ordered maps.
  struct Custodian {
    uint64_t units = 0;
    bool consignee = false;
    bool acknowledged = false;
    std::optional<int64_t> first_ack_ms;
  };
  std::unordered_map<std::string_view, Custodian> custodians;
  for (const RecalledUnit& u : report->units) {
    Custodian& c = custodians[u.custodian.gln];
    c.units++;
    if (u.status == UnitStatus::kDispensed) report->dispensed++;
    if (u.status == UnitStatus::kInStock ||
        (u.status == UnitStatus::kRecalled && !u.in_transit)) {
      report->in_stock++;
    }
    if (u.acknowledged) report->units_acknowledged++;
    if (!u.custodian.gln.empty() && u.manufacturer != u.custodian.gln) {
      c.consignee = true;
      c.acknowledged |= u.acknowledged;
      if (u.acknowledged) {
        c.first_ack_ms = c.first_ack_ms
                             ? std::min(*c.first_ack_ms, u.acknowledged_ms)
                             : u.acknowledged_ms;
      }
    }
  }
  std::map<std::string, int64_t> consignee_ack_ms;  // gln -> first ack
  for (const auto& [gln, c] : custodians) {
    report->counts_by_custodian[std::string(gln)] += c.units;
    if (!c.consignee) continue;
    report->consignees++;
    report->consignees_acknowledged += c.acknowledged ? 1 : 0;
    if (c.first_ack_ms) consignee_ack_ms.emplace(gln, *c.first_ack_ms);
  }
  report->unit_effectiveness =
      Share(report->units_acknowledged, report->units.size());
  report->consignee_effectiveness =
      Share(report->consignees_acknowledged, report->consignees);
  Timeline(report, consignee_ack_ms);
}

// Frees what recalls read after they have returned: each job on a thread of
// its own, tracked so that WaitForRecallCleanup (and the process's exit)
// can wait for them.
class Cleanup {
 public:
  static Cleanup& Get() {
    static Cleanup cleanup;
    return cleanup;
  }
  ~Cleanup() { Wait(); }

  void Run(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++running_;
    }
    std::thread([this, job = std::move(job)]() mutable {
      const double start = ThreadCpu();
      job();
      job = nullptr;
      const double cpu = ThreadCpu() - start;
      std::lock_guard<std::mutex> lock(mu_);
      cpu_.push_back(cpu);
      if (--running_ == 0) idle_.notify_all();
    }).detach();
  }

  std::vector<double> Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    idle_.wait(lock, [&] { return running_ == 0; });
    return std::exchange(cpu_, {});
  }

 private:
  std::mutex mu_;
  std::condition_variable idle_;
  size_t running_ = 0;
  std::vector<double> cpu_;  // of the jobs finished since the last Wait
};

// `free` may be move-only (it owns what it frees).
template <typename F>
void FreeLater(F free) {
  auto owned = std::make_shared<F>(std::move(free));
  Cleanup::Get().Run([owned] { (*owned)(); });
}

}  // namespace

size_t& internal::RecallBatchSize() {
  static size_t batch = 4096;
  return batch;
}

internal::RecallTimings*& internal::RecallTimingsSink() {
  static RecallTimings* sink = nullptr;
  return sink;
}

size_t& internal::RecallTailBatchSize() {
  static size_t batch = 512;
  return batch;
}

size_t& internal::RecallThreads() {
  static size_t threads =
      std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 2);
  return threads;
}

Result<RecallReport> Recall(const std::vector<const Log*>& logs,
                            const RecallSpec& spec) {
  if (spec.lots.empty() && spec.ids.empty()) {
    return Status::InvalidArgument("spec: names no lots and no ids");
  }
  internal::RecallTimings* timings = internal::RecallTimingsSink();
  const double lot_cpu = timings != nullptr ? ThreadCpu() : 0;
  RecallReport report;
  report.spec = spec;
  std::string gtin;
  if (!spec.lots.empty()) {
    Result<std::string> normalized = NormalizeGtin(spec.gtin);
    if (!normalized.ok()) return normalized.status();
    gtin = *normalized;
    report.spec.gtin = gtin;
    for (size_t i = 0; i < spec.lots.size(); ++i) {
      Status st = gs1::ValidateAiValue("10", spec.lots[i]);
      if (!st.ok()) return st.WithPrefix("lots[" + std::to_string(i) + "]");
    }
  }
  std::vector<std::string> id_keys;
  for (size_t i = 0; i < spec.ids.size(); ++i) {
    Result<gs1::Gs1Key> key = internal::ParseKeyOrUri(spec.ids[i]);
    if (!key.ok())
      return key.status().WithPrefix("ids[" + std::to_string(i) + "]");
    if (!key->is_instance()) {
      return Status::InvalidArgument("ids[" + std::to_string(i) + "]: '" +
                                     spec.ids[i] +
                                     "' names a class, not an instance");
    }
    id_keys.push_back(key->ToString());
  }
  std::vector<std::unique_ptr<internal::Source>> sources =
      internal::SourcesOf(logs);
  const std::vector<const internal::Source*> pointers =
      internal::Pointers(sources);
  auto reader = std::make_unique<Reader>(pointers, /*full_events=*/false);
  report.coverage = reader->coverage();
  auto exploder_owned = std::make_unique<Exploder>(*reader, pointers);
  Exploder& exploder = *exploder_owned;
  exploder.set_lot_start(lot_cpu);
  // The recall time first (it decides which events acknowledge), then the
  // units, handed to the workers batch by batch as they are found.
  for (const std::string& lot : spec.lots)
    LEDGER_RETURN_IF_ERROR(exploder.AddLotRecallEvents(gtin, lot, &report));
  if (spec.issued_ms) {
    report.issued_ms = *spec.issued_ms;
  } else {
    report.issued_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    if (exploder.earliest_recall_ms())
      report.issued_ms = *exploder.earliest_recall_ms();
  }
  std::vector<std::vector<RecalledUnit>> runs;
  LEDGER_RETURN_IF_ERROR(exploder.ExplodeAndReport(
      report.issued_ms,
      [&]() -> Status {
        for (const std::string& lot : spec.lots)
          LEDGER_RETURN_IF_ERROR(exploder.AddLot(gtin, lot));
        for (const std::string& key : id_keys) exploder.Push(key);
        return Status::OK();
      },
      &runs));
  const double tail_cpu = timings != nullptr ? ThreadCpu() : 0;
  // What the recall read (every Reader's events and lists, the keys seen:
  // hundreds of thousands of strings) is freed after the answer is made, on
  // threads of its own (FreeLater), not on the recall's path.
  for (std::unique_ptr<Reader>& helper : exploder.TakeReaders()) {
    if (helper) FreeLater([r = std::move(helper)]() mutable { r.reset(); });
  }
  // The Exploder's destructor does not use its reference to the Reader.
  FreeLater([e = std::move(exploder_owned)]() mutable { e.reset(); });
  FreeLater([r = std::move(reader)]() mutable { r.reset(); });
  MergeRuns(&runs, &report.units);
  Summarize(&report);
  if (timings != nullptr) timings->tail_cpu += ThreadCpu() - tail_cpu;
  return report;
}

std::vector<double> internal::WaitForRecallCleanup() {
  return Cleanup::Get().Wait();
}

}  // namespace ledger::trace
