// Internals of ledger/trace: the Reader decodes log entries once per query and
// answers index lookups across a list of logs in the global event order;
// Timeline collects the events that touch a unit (directly or through
// containers); UnitState applies the status rules.
#ifndef UDI_LEDGER_TRACE_TRACE_INTERNAL_H_
#define UDI_LEDGER_TRACE_TRACE_INTERNAL_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ledger/epcis.h"
#include "ledger/gs1.h"
#include "ledger/log.h"
#include "ledger/trace.h"

namespace ledger::trace::internal {

// Position of an event in the global order: (eventTime, log position, index).
using Pos = std::tuple<int64_t, size_t, uint64_t>;
inline constexpr Pos kMinPos{INT64_MIN, 0, 0};
inline constexpr Pos kMaxPos{INT64_MAX, SIZE_MAX, UINT64_MAX};

// What the queries read of a log: a real Log (LogSource) or the entries of an
// evidence bundle (evidence.cc). Implementations answer as Log does for the
// methods of the same name.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::string origin() const = 0;
  // The tree size the query covers (entries at or beyond it are ignored).
  virtual uint64_t size() const = 0;
  virtual std::vector<Participant> Participants() const = 0;
  virtual std::optional<Participant> LookupSigner(
      std::string_view key_id) const = 0;
  virtual Result<LogEntry> ReadEntry(uint64_t index) const = 0;
  virtual Result<std::vector<uint64_t>> ScanIndex(IndexKind kind,
                                                  std::string_view key,
                                                  uint64_t start_index,
                                                  size_t limit) const = 0;
  // Bulk forms (as Log::ScanIndexKeys / Log::ReadEntriesAt); the defaults call
  // ScanIndex / ReadEntry per item.
  virtual Status ScanIndexKeys(IndexKind kind,
                               const std::vector<std::string>& keys,
                               uint64_t end_index,
                               const Log::IndexHitSink& sink) const;
  virtual Status ReadEntriesAt(const std::vector<uint64_t>& indexes,
                               const Log::EntryBytesSink& sink) const;
};

// A Log read at its latest checkpoint, or at `size` when given (<= the
// checkpoint's size).
class LogSource : public Source {
 public:
  explicit LogSource(const Log* log, std::optional<uint64_t> size = {})
      : log_(log),
        origin_(log->LatestCheckpoint().origin),
        size_(size ? *size : log->LatestCheckpoint().size) {}
  std::string origin() const override { return origin_; }
  uint64_t size() const override { return size_; }
  std::vector<Participant> Participants() const override {
    return log_->Participants();
  }
  std::optional<Participant> LookupSigner(
      std::string_view key_id) const override {
    return log_->LookupSigner(key_id);
  }
  Result<LogEntry> ReadEntry(uint64_t index) const override {
    return log_->ReadEntry(index);
  }
  Result<std::vector<uint64_t>> ScanIndex(IndexKind kind, std::string_view key,
                                          uint64_t start_index,
                                          size_t limit) const override {
    return log_->ScanIndex(kind, key, start_index, limit);
  }
  Status ScanIndexKeys(IndexKind kind, const std::vector<std::string>& keys,
                       uint64_t end_index,
                       const Log::IndexHitSink& sink) const override {
    return log_->ScanIndexKeys(kind, keys, end_index, sink);
  }
  Status ReadEntriesAt(const std::vector<uint64_t>& indexes,
                       const Log::EntryBytesSink& sink) const override {
    return log_->ReadEntriesAt(indexes, sink);
  }

 private:
  const Log* log_;
  std::string origin_;
  uint64_t size_;
};

// Sources for a list of logs at their latest checkpoints (owning).
std::vector<std::unique_ptr<Source>> SourcesOf(
    const std::vector<const Log*>& logs);
std::vector<const Source*> Pointers(
    const std::vector<std::unique_ptr<Source>>& sources);

// One event entry, decoded. The log validated every event when it was appended,
// so an entry is not validated again: only the members the queries use are
// read, straight from the canonical (JCS) event text without building a JSON
// tree, and the instance identifiers are turned into keys on first use (a
// packing event can name thousands).
struct EventRecord {
  // The four EPC lists, in the order of Epcs().
  enum List { kEpcList = 0, kChildEpcs, kInputEpcs, kOutputEpcs };

  size_t log = 0;
  uint64_t index = 0;
  // The JSON text of sourceList, destinationList, bizTransactionList as the
  // event has them ("" if absent): only from a Reader made with full_events
  // (traces and bundles, whose hops copy those lists); a recall's Reader
  // leaves them empty.
  std::string source_list_text;
  std::string destination_list_text;
  std::string biz_transaction_list_text;
  // Filled: type, action, event_time(_ms), epcis_event_id, parent (key),
  // biz_step, disposition (bare names), is_error_declaration.
  // epcs/children/epc_classes stay empty.
  epcis::EventFacts facts;
  std::string signer;      // key id
  std::string signer_gln;  // "" if the signer is not registered in any log
  // Members read from the event text: the string members of epcList,
  // childEPCs, inputEPCList, outputEPCList as written, in that order
  // (list_size[List] of each); the number of childEPCs items; bizLocation.id
  // and readPoint.id ("" if none); the first string ilmd member named
  // lotNumber / itemExpirationDate under any prefix ("" if none); the first
  // string destination of a destinationList item of type possessing_party /
  // owning_party.
  std::vector<std::string> written;
  uint32_t list_size[4] = {0, 0, 0, 0};
  size_t child_count = 0;
  std::string biz_location;
  std::string read_point;
  std::string ilmd_lot;
  std::string ilmd_expiry;
  std::optional<std::string> destination_possessing;
  std::optional<std::string> destination_owning;
  bool superseded = false;
  // Held by a list the Reader keeps (not released by Reader::Release).
  mutable bool pinned = false;

  Pos pos() const { return {facts.event_time_ms, log, index}; }
  // Back to a default-constructed record's values, keeping the buffers of
  // its strings (the Reader reuses released records), except `written`,
  // which ReadEventText then overwrites whole.
  void Clear();
  // The event id (ni:///sha-256;... of the canonical event), hashed on first
  // use: a recall reads hundreds of thousands of events and names few of them.
  const std::string& EventId() const;
  // The canonical event text EventId() hashes (kept until it does).
  void SetCanonical(std::string_view canonical) {
    canonical_.assign(canonical);
  }
  // For a record found in the kEpc index of `key`: true unless it names `key`
  // only as parentID.
  bool Names(const std::string& key) const { return key != facts.parent; }
  // Keys of epcList, childEPCs, inputEPCList, outputEPCList, in order (parsed
  // once).
  const std::vector<std::string>& Epcs() const;
  // Keys of one of the lists (a range of Epcs()).
  std::pair<const std::string*, const std::string*> ListKeys(List list) const;
  // Number of childEPCs (an AggregationEvent DELETE without children empties
  // the parent).
  size_t ChildCount() const { return child_count; }
  // Canonical key of bizLocation.id ("" if none), parsed once (chain.cc).
  const std::string& LocationKey() const;
  // GLN of the receiver of a receiving event: destination possessing party,
  // else owning party, else the signer (computed once; chain.cc).
  const std::string& ReceiverGln() const;
  // Key of the GTIN+lot class ("01/<gtin>/10/<lot>") of `gtin` and ilmd_lot
  // ("" when the event has no ilmd lot), built once (chain.cc).
  const std::string& LotKey(const std::string& gtin) const;

 private:
  mutable std::string event_id_;   // "" until EventId()
  mutable std::string canonical_;  // "" once EventId() hashed it
  // Epcs() and LocationKey(), valid when the flag says so: a reused record
  // keeps their buffers.
  mutable std::vector<std::string> epcs_;
  mutable bool epcs_valid_ = false;
  mutable std::string location_key_;
  mutable bool location_key_valid_ = false;
  mutable std::optional<std::string> receiver_gln_;
  mutable std::optional<std::pair<std::string, std::string>> lot_key_;
};

// Reads the members EventRecord keeps (facts and the members above) from the
// canonical text of an event (any JSON text of an object is read the same
// way). Corruption naming the member or the offset when the text is not a
// JSON object or the type / eventTime are unusable.
// With `list_texts`, also the *_list_text members.
Status ReadEventText(std::string_view text, EventRecord* record,
                     bool list_texts = false);

// An event touching a unit.
struct Touch {
  const EventRecord* record = nullptr;
  bool inferred = false;
  // Container key when inferred: points into an EventRecord's facts.parent or
  // into the Reader's memo keys, both alive as long as the Reader.
  std::string_view via;
};

struct PairHash {
  size_t operator()(const std::pair<size_t, uint64_t>& p) const {
    return std::hash<uint64_t>()(p.second * 31 + p.first);
  }
};

// The Reader's records by (log position, index): an open-addressing table
// (linear probing, erase by backward shift), so that a recall's ~100k
// inserts, lookups and erases allocate nothing per record (std::unordered_map
// allocates and frees a node per record, and was ~7% of a recall's workers).
// Log positions MUST be < 2^16 and indexes < 2^48.
class RecordMap {
 public:
  EventRecord* Find(size_t log, uint64_t index) const {
    if (size_ == 0) return nullptr;
    const uint64_t key = Key(log, index);
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      if (slots_[i].record == nullptr) return nullptr;
      if (slots_[i].key == key) return slots_[i].record;
    }
  }
  bool contains(size_t log, uint64_t index) const {
    return Find(log, index) != nullptr;
  }
  // Sets the record of (log, index) (`record` MUST NOT be null).
  void Insert(size_t log, uint64_t index, EventRecord* record);
  // Forgets (log, index); nothing if absent.
  void Erase(size_t log, uint64_t index);
  size_t size() const { return size_; }
  // Calls f(log, index, record) for every record, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Slot_& s : slots_) {
      if (s.record != nullptr)
        f(static_cast<size_t>(s.key & 0xffff), s.key >> 16, s.record);
    }
  }

 private:
  struct Slot_ {
    uint64_t key = 0;
    EventRecord* record = nullptr;  // null: empty
  };
  static uint64_t Key(size_t log, uint64_t index) {
    return (index << 16) | static_cast<uint64_t>(log);
  }
  size_t Slot(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void Grow();

  std::vector<Slot_> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

// Per-query access to the logs. Not thread-safe (one per call).
class Reader {
 public:
  // With `full_events`, each record also holds the text of the event's
  // source/destination/bizTransaction lists; recalls go without.
  explicit Reader(const std::vector<const Source*>& logs,
                  bool full_events = true);

  const std::vector<Coverage>& coverage() const { return coverage_; }
  const std::string& origin(size_t log) const { return coverage_[log].origin; }

  // Events whose index `kind` holds `key`, over all logs, in global order,
  // deduplicated by event id, error declarations left out; superseded events
  // are included with superseded = true. The list is read once per Reader and
  // stays valid (and unchanged) as long as the Reader, or until Release.
  Result<const std::vector<const EventRecord*>*> Events(IndexKind kind,
                                                        std::string_view key);
  // Makes Events(kind, key) of every key cheap: the lists of the keys not
  // read yet are read in bulk (one ordered index pass and one ordered entry
  // pass per log, Source::ScanIndexKeys / ReadEntriesAt). Same answers as
  // Events.
  // With `pin`, the records of those lists are pinned as Events pins them.
  Status Prefetch(IndexKind kind, const std::vector<std::string>& keys,
                  bool pin = false);
  // Prefetch (pinned) of the containers the kEpc lists of `keys` (read
  // already) were packed into by an AggregationEvent ADD, and of theirs in
  // turn (up to 8 levels): what CollectTouches follows for those keys.
  Status PrefetchContainers(const std::vector<std::string>& keys);
  // Recalls go through hundreds of thousands of units in batches: after a
  // batch, Release(kind, keys) forgets the lists of those keys and every
  // record only they hold (entries read for them and not pinned), so memory
  // stays bounded by a batch plus what is shared (containers, lots). Lists
  // returned for other keys, and records read through them, are pinned and
  // stay valid. Pointers into released lists and records MUST NOT be used.
  void Release(IndexKind kind, const std::vector<std::string>& keys);
  PartyRef Party(const std::string& gln) const;
  // Commissioning events (bizStep index) whose ilmd lotNumber is `lot`: for
  // logs that do not index the ilmd lot under the GTIN+lot class. Reads every
  // commissioning entry once; only the matching ones are decoded.
  Result<std::vector<const EventRecord*>> CommissioningOfLot(
      const std::string& lot);
  // Every (log position, index) decoded so far, for evidence bundles.
  std::vector<std::pair<size_t, uint64_t>> EntriesRead() const;

  // Per-query memo of the touches a container passes on (timeline.cc): the
  // same case or pallet is followed for each of its units, over the same
  // window, so its inherited events are collected once per query.
  // Looked up with a ContainerKeyView (no copy of the key per unit).
  using ContainerKey = std::tuple<std::string, Pos, Pos, int>;
  using ContainerKeyView = std::tuple<std::string_view, Pos, Pos, int>;
  struct ContainerKeyHash {
    using is_transparent = void;
    size_t operator()(const ContainerKeyView& k) const {
      return std::hash<std::string_view>()(std::get<0>(k)) ^
             (static_cast<size_t>(std::get<0>(std::get<1>(k))) * 0x9e3779b1u) ^
             (static_cast<size_t>(std::get<2>(std::get<1>(k))) << 7) ^
             (static_cast<size_t>(std::get<0>(std::get<2>(k))) * 31) ^
             static_cast<size_t>(std::get<3>(k));
    }
    size_t operator()(const ContainerKey& k) const {
      return (*this)(ContainerKeyView(std::get<0>(k), std::get<1>(k),
                                      std::get<2>(k), std::get<3>(k)));
    }
  };
  struct ContainerKeyEqual {
    using is_transparent = void;
    static ContainerKeyView View(const ContainerKey& k) {
      return {std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k)};
    }
    static const ContainerKeyView& View(const ContainerKeyView& k) { return k; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return View(a) == View(b);
    }
  };
  using ContainerMemo = std::unordered_map<ContainerKey, std::vector<Touch>,
                                           ContainerKeyHash, ContainerKeyEqual>;
  ContainerMemo& container_touches() { return container_touches_; }
  // Per-query memo of RecallEvents by lot key (timeline.cc).
  std::unordered_map<std::string, std::vector<const EventRecord*>>&
  recall_events() {
    return recall_events_;
  }

 private:
  Result<const EventRecord*> Load(size_t log, uint64_t index);
  // Decodes the entries of `hits` not read yet in bulk when they are many
  // (Events); Load reads the others.
  Status ReadMany(const std::vector<std::pair<size_t, uint64_t>>& hits);
  // Decodes event entry `bytes` of (log, index) into records_[{log, index}].
  Result<const EventRecord*> Decode(size_t log, uint64_t index,
                                    std::string_view bytes);
  // The list of (kind, key) from index hits already loaded (Events, Prefetch).
  Result<std::vector<const EventRecord*>> ListOf(
      const std::vector<std::pair<size_t, uint64_t>>& hits);
  // scans_ keys: (kind, key), looked up by a view (no copy of the key per
  // lookup; a recall looks each unit up a dozen times).
  using ScanKey = std::pair<IndexKind, std::string>;
  using ScanKeyView = std::pair<IndexKind, std::string_view>;
  struct ScanKeyHash {
    using is_transparent = void;
    size_t operator()(const ScanKeyView& k) const {
      return std::hash<std::string_view>()(k.second) ^
             static_cast<size_t>(k.first);
    }
    size_t operator()(const ScanKey& k) const {
      return (*this)(ScanKeyView(k.first, k.second));
    }
  };
  struct ScanKeyEqual {
    using is_transparent = void;
    static ScanKeyView View(const ScanKey& k) { return {k.first, k.second}; }
    static const ScanKeyView& View(const ScanKeyView& k) { return k; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return View(a) == View(b);
    }
  };
  Status MarkSuperseded(EventRecord* record);
  const std::string& SignerGln(const std::string& key_id);

  std::vector<const Source*> logs_;
  bool full_events_ = true;
  std::vector<Coverage> coverage_;
  // Records live in pool_ (stable addresses); released ones wait in free_
  // to be reused.
  RecordMap records_;
  std::deque<EventRecord> pool_;
  std::vector<EventRecord*> free_;
  std::unordered_map<std::string, const EventRecord*> by_event_id_;
  std::unordered_map<std::string, std::string> signer_gln_;
  std::unordered_map<std::string, std::string> party_names_;  // gln -> name
  // (kind, key) -> events; node-based, so references stay valid.
  std::unordered_map<ScanKey, std::vector<const EventRecord*>, ScanKeyHash,
                     ScanKeyEqual>
      scans_;
  ContainerMemo container_touches_;
  std::unordered_map<std::string, std::vector<const EventRecord*>>
      recall_events_;
};

// Every event touching `key`: events naming it, and events naming a container
// while it was in that container (between the AggregationEvent ADD and DELETE),
// recursively. Superseded events are returned too (the caller lists them).
// Sorted by position; one Touch per event (direct wins over inferred).
Result<std::vector<Touch>> CollectTouches(Reader& reader,
                                          const std::string& key);

// Recall events (disposition recalled, class-level) naming lot_key or the GTIN
// alone, in global order (memoized per Reader).
Result<const std::vector<const EventRecord*>*> RecallEvents(
    Reader& reader, const std::string& gtin, const std::string& lot_key);

// The ilmd member `name` (e.g. "lotNumber") under any prefix
// ("cbvmda:lotNumber") or none.
std::string IlmdValue(const nlohmann::json& event, std::string_view name);
// GLN-13 of a party id (PGLN / SGLN EPC URI, Digital Link 417/414, canonical
// key); "" if none.
std::string GlnOf(std::string_view id);
// Parses an EPC URI, Digital Link or canonical key (errors as
// gs1::ParseIdentifier).
Result<gs1::Gs1Key> ParseKeyOrUri(std::string_view id);
// Canonical key of `id`, or the id unchanged when it is not a GS1 identifier.
std::string KeyOf(std::string_view id);
// KeyOf into *out (its buffer reused).
void KeyInto(std::string_view id, std::string* out);
// End of the expiry day (YYYY-MM-DD) in ms UTC: eventTime >= this means
// expired. nullopt if bad.
std::optional<int64_t> ExpiryEndMs(const std::string& expiry);

// YYYY-MM-DD of a day number since 1970-01-01 (UTC).
std::string DateOfDay(int64_t days);

nlohmann::json CoverageJsonList(const std::vector<Coverage>& coverage);

// Builds the chain for `key` from its touches (status, custodian, hops,
// anomalies...). Without `with_lists` the hops' source/destination/
// bizTransaction lists stay empty. With `applied` (recall summaries), no Hop
// is built: the records the hops would be made of are appended to *applied
// instead (same order), and only what a recall's row uses is filled: status,
// custodian, location and commissioned_by.gln, as without it (key, lot,
// expiry, hops, anomalies, recalls, superseded and coverage stay empty, so a
// recall's 100k units copy no event ids or anomaly texts).
Result<CustodyChain> BuildChain(
    Reader& reader, const std::string& key, bool with_lists,
    std::vector<const EventRecord*>* applied = nullptr);

// Units per batch of a recall (Reader::Prefetch / Release; default 4096).
// Tests lower it so that a small data set runs through several batches; set
// it only while no recall runs.
size_t& RecallBatchSize();
// Units per batch at the end of each generation of a recall (default 512): the
// last RecallBatchSize() keys of a generation are cut into batches of this
// size, so that the threads run out of work at nearly the same time instead
// of one finishing a full batch while the others wait. 0, or a size >=
// RecallBatchSize(), cuts the whole generation into full batches. Cuts depend
// only on the keys, not on timing. Set it only while no recall runs.
size_t& RecallTailBatchSize();
// Batches of a recall run at once, each on a thread and a Reader of its own
// (default: 2, or 1 on a single core). Set it only while no recall runs.
size_t& RecallThreads();

// Where a recall's CPU time goes, per thread (CLOCK_THREAD_CPUTIME_ID
// seconds), for benchmarks: on a shared machine the wall time says little,
// but max(lot + worker_cpu[0], other workers) + (explode_main_cpu -
// worker_cpu[0]) + tail is the wall time the recall would take with a core
// per thread (the other workers start on the lot's first batches while the
// caller still reads the lot; exact for a recall of one generation, a lower
// bound otherwise). Filled by Recall when RecallTimingsSink() is set (set it
// only while no recall runs).
struct RecallTimings {
  double lot_cpu = 0;              // caller: spec, lot lookups (AddLot)
  std::vector<double> worker_cpu;  // per worker thread, all generations
  double explode_main_cpu = 0;     // caller in the batches: worker 0 + serial
  size_t generations = 0;
  size_t batches = 0;
  double tail_cpu = 0;  // caller: merge and counts
  // Per worker, wall seconds from the end of its last batch of a generation
  // to the end of the generation's last batch (summed over generations):
  // the time it had no batch left while another thread still ran one.
  std::vector<double> worker_end_idle;
  // Per freeing thread, after the recall returned: not filled by Recall
  // (WaitForRecallCleanup gives them).
  std::vector<double> freeing_cpu;
};
RecallTimings*& RecallTimingsSink();

// A recall frees what it read (its Readers, the keys seen) on threads of its
// own after it has returned. Waits until every such thread has finished and
// returns their CPU seconds (each thread's, since the last call): for
// benchmarks, so that one recall's freeing does not run into the next's
// measurement.
std::vector<double> WaitForRecallCleanup();

// Trace over `reader`: `id` parsed as Trace does (InvalidArgument "id: ...").
Result<CustodyChain> TraceWith(Reader& reader, std::string_view id);

}  // namespace ledger::trace::internal

#endif  // UDI_LEDGER_TRACE_TRACE_INTERNAL_H_
