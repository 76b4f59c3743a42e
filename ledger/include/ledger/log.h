// The node's append-only, hash-chained Merkle log on LevelDB.
//
// Each entry's bytes are the JCS canonical JSON of
//   {"index": n, "prevHash": "<hex leaf hash of entry n-1, or 64 zeros>",
//   "receivedAt": "<RFC 3339
//    UTC, ms>", "type": "event", "envelope": {...}}           (a signed EPCIS
//    event), or
//   {..., "type": "participant", "participant": {...}}         (a registry
//   change), or
//   {..., "type": "query", "query": {...}}     (an audit record, AppendQuery)
// The Merkle leaf of entry n is SHA-256(0x00 || bytes); spec/log-format.md has
// the full format and the LevelDB key layout.
//
// Threads: one writer at a time (Append* are serialised internally); every
// const method may be called concurrently with the writer and sees a consistent
// committed state. Durability: when Append* returns OK, everything it changed
// (entries, tree nodes, indexes, the new signed checkpoint) MUST be on disk in
// one synced LevelDB WriteBatch; a crash leaves all of a batch or none of it.
#ifndef UDI_LEDGER_LOG_H_
#define UDI_LEDGER_LOG_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/envelope.h"
#include "ledger/epcis.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "ledger/status.h"

namespace ledger {

// A registered participant: a party allowed to sign events into this log.
struct Participant {
  std::string gln;  // GLN-13 of the party
  std::string name;
  std::string role;  // manufacturer | repackager | distributor | dispenser |
                     // regulator | ...
  std::string verifier_key;  // C2SP verifier key text
  bool revoked = false;

  std::string KeyId()
      const;  // "<name>+<hash>" of verifier_key ("" if it does not parse)
  nlohmann::json ToJson() const;
  static Result<Participant> FromJson(const nlohmann::json& j);
};

// An envelope whose event validated and whose signature verified: made by
// PrepareEvent on any thread, so that the expensive checks run in parallel
// before the single writer appends.
struct PreparedEvent {
  Envelope envelope;
  std::string canonical_event;  // JCS(envelope.event)
  std::string event_id;         // ni:///sha-256;<hex>
  epcis::EventFacts facts;
  // Verifier key text the signature was checked with. AppendEvents rejects the
  // event unless it equals the registered key of envelope.signer (a 4-byte key
  // hash alone can collide).
  std::string verified_with;
  // The entry's leaf hash up to (not including) the index: SHA-256 state after
  // 0x00 || {"envelope":{...},"index":  (bytes that depend on the envelope
  // only), so this part of hashing runs in parallel here and the single writer
  // hashes only the short tail (index, prevHash, receivedAt). Set by
  // PrepareEvent / PrecomputeLeafPrefix; empty = the writer hashes the whole
  // entry. Opaque bytes. Whoever changes envelope or canonical_event afterwards
  // MUST clear it (or call PrecomputeLeafPrefix again): the writer trusts it.
  std::string leaf_prefix_state;
  // The entry bytes that state covers (the JCS of {"envelope":{...},"index":
  // without the leading 0x00), set with it, so the single writer copies them
  // instead of serialising the envelope again. Same rule: clear both, or call
  // PrecomputeLeafPrefix again, after changing envelope or canonical_event.
  std::string entry_prefix;
};

// Validates the event (epcis::ValidateEvent), checks the signature against
// `signer` and computes the canonical bytes and event id. Errors name the field
// ("event.epcList[2]: ...", "signature: does not verify for signer ...").
Result<PreparedEvent> PrepareEvent(Envelope envelope,
                                   const VerifierKey& signer);
// Fills event->leaf_prefix_state and event->entry_prefix from envelope and
// canonical_event
// (PrepareEvent calls it; for callers that build a PreparedEvent themselves,
// e.g. benchmarks).
void PrecomputeLeafPrefix(PreparedEvent* event);

enum class AppendStatus { kAccepted, kDuplicate, kRejected };

struct AppendOutcome {
  AppendStatus status = AppendStatus::kRejected;
  uint64_t index =
      0;  // the new index (accepted) or the existing one (duplicate)
  std::string event_id;
  std::string error;  // why it was rejected
};

// One stored entry, decoded.
struct LogEntry {
  uint64_t index = 0;
  std::string bytes;    // the exact leaf data
  nlohmann::json json;  // the parsed bytes
};

// Secondary indexes kept for every event entry. Keys are canonical GS1 key
// strings (see gs1.h) or verbatim URIs / names.
enum class IndexKind : char {
  kEventId = 'e',       // ni:///sha-256;... → index (unique)
  kEpcisEventId = 'i',  // the event's own eventID member
  kEpc = 'p',  // instance identifiers (epcList, childEPCs, input/output EPCs,
               // parentID)
  kEpcClass = 'c',  // class identifiers from quantity lists (GTIN+lot, GTIN)
  kParent = 'a',    // parentID
  kChild = 'h',     // childEPCs
  kBizLocation = 'l',
  kReadPoint = 'r',
  kSigner = 's',  // envelope signer key id
  kBizStep = 'b',
  kDisposition = 'd',
  kCorrection =
      'x',  // eventID an errorDeclaration corrects → index of the declaration
  kIlmdLot = 'm',  // class keys (GTIN+lot, "01/<gtin14>/10/<lot>") named by a
                   // commissioning event's ilmd (lotNumber with the GTIN of
                   // its EPCs), so recalls of a lot find serialised units
};

// The default LogOptions::write_buffer_bytes: 256 MiB, as a replica's (the
// measurements are in ledger/log/log_db.cc).
inline constexpr size_t kDefaultLogWriteBufferBytes = size_t{256} << 20;

struct LogOptions {
  std::string data_dir;  // LevelDB directory; created if missing
  std::string origin;  // checkpoint origin line, e.g. "udi-ledger.example/acme"
  SigningKey key;      // signs checkpoints; key name is usually the origin
  // Replica mode (federation): when set, the log belongs to another node whose
  // checkpoint key is `replica_verifier`; `key` is ignored, AppendEvents /
  // AppendParticipant / AppendQuery answer FailedPrecondition, and entries
  // arrive only through ImportEntries. SignedCheckpoint() is then the origin's
  // latest verified checkpoint note.
  std::optional<VerifierKey> replica_verifier;
  bool sync = true;  // MUST stay true outside benchmarks of the storage itself
  size_t block_cache_bytes = 64 << 20;
  // Memory for the Merkle tree levels >= 1, so that a proof reads only its
  // lowest siblings from LevelDB: about 32 bytes per entry caches every level
  // >= 1 (a proof then makes one read; 10M entries: 320 MB), 16 bytes levels
  // >= 2 (two reads), and so on; the lowest levels that do not fit are read.
  size_t tree_cache_bytes = 512 << 20;
  // LevelDB memtable size (leveldb::Options::write_buffer_size): up to two of
  // them are in memory at once, and up to this much write-ahead log is
  // replayed on open (after a crash; FlushStorage before a clean close avoids
  // it). Larger means fewer, larger level-0 flushes and much less compaction.
  size_t write_buffer_bytes = kDefaultLogWriteBufferBytes;
};

class Log {
 public:
  // Opens or creates the log. FailedPrecondition("data dir ... is in use by
  // another process") when another process (or another Log in this process)
  // holds it; Corruption when the stored format version is unknown or the
  // stored checkpoint does not match the stored tree; FailedPrecondition when
  // the dir was created with another origin or checkpoint key. On first open it
  // writes the format version, origin, verifier key and a signed checkpoint for
  // size 0.
  static Result<std::unique_ptr<Log>> Open(LogOptions options);
  virtual ~Log() = default;

  // Appends events in order as one durable batch. Per event: kDuplicate (with
  // the existing index) if its event id is already logged or earlier in the
  // same batch; kRejected if its signer is not a registered, unrevoked
  // participant; otherwise kAccepted. A non-OK Status means nothing of the
  // batch was written.
  virtual Result<std::vector<AppendOutcome>> AppendEvents(
      std::vector<PreparedEvent> events, int64_t received_at_ms) = 0;
  // Appends a registry change (register, revoke, rotate = register the new key
  // + revoke the old). Returns the new entry's index. InvalidArgument for a
  // malformed participant; AlreadyExists when registering a key id that is
  // registered; FailedPrecondition when re-registering a revoked key. A
  // revocation must repeat gln, name and role unchanged.
  virtual Result<uint64_t> AppendParticipant(const Participant& p,
                                             int64_t received_at_ms) = 0;
  // Appends an audit record of a regulator/auditor query (issue 6: "every
  // regulator query is itself recorded in the log"): entry type "query" with
  // member "query" = `record`, a JSON object such as {"caller": "<token
  // name>", "participant": "<key id or empty>", "role": "regulator",
  // "method": "GET", "target": "/v1/trace/...", "at": "<RFC 3339>"}.
  // InvalidArgument unless `record` is an object. Returns the new index.
  virtual Result<uint64_t> AppendQuery(const nlohmann::json& record,
                                       int64_t received_at_ms) = 0;

  // Federation and recovery: appends entries written by this log's origin,
  // given as their exact bytes, for indexes Size() .. Size()+n-1, together
  // with the origin's signed checkpoint `signed_checkpoint` (C2SP signed note;
  // extra signature lines such as cosignatures are allowed and ignored) for
  // size Size()+n. Before anything is stored it checks: each entry is the JCS
  // form of a valid entry with the right index and prevHash; the registry
  // rules and every event signature as of that entry (as VerifyDataDir does);
  // the checkpoint verifies under the log's checkpoint verifier key (own key,
  // or replica_verifier), names this origin, and its root equals the Merkle
  // root of the log extended by the entries (which also proves consistency
  // with every earlier stored checkpoint). All or nothing, one synced batch;
  // indexes are built exactly as for appended entries. Errors name the entry
  // index and reason ("entry 17: prevHash mismatch", "checkpoint: root does
  // not match entries 0..41"). n may be 0 (a newer checkpoint for the same
  // size is then only checked for equality of root).
  virtual Status ImportEntries(const std::vector<std::string>& entry_bytes,
                               std::string_view signed_checkpoint) = 0;
  // Federation catch-up in bounded memory (spec/log-format.md §2b): imports
  // entries Size() .. Size()+n-1 that are a verified PREFIX of the origin's
  // signed checkpoint `signed_checkpoint` for a size N >= Size()+n, proven by
  // `consistency_proof`, the RFC 9162 §2.1.4 consistency proof from Size()+n
  // to N (GET /v1/logs/{origin}/proof/consistency?from=Size()+n&to=N; empty
  // when N == Size()+n). The same per-entry checks as ImportEntries and the
  // same note checks (signature by the checkpoint key, canonical form, this
  // origin); then the proof must verify from (Size()+n, root of the log
  // extended by the entries) to (N, the note's root). All or nothing, one
  // synced batch. Errors are InvalidArgument naming the entry or the
  // checkpoint ("checkpoint: consistency proof from 40 to 100: ...",
  // "checkpoint: size 30 is smaller than the log extended by the entries (0 +
  // 40 = 40)").
  // - N == Size()+n: exactly ImportEntries (the proof must be empty); the note
  //   becomes the checkpoint SignedCheckpoint() serves.
  // - N > Size()+n (replicas only; an own log answers FailedPrecondition, it
  //   must hold a checkpoint for its size before it appends): the entries are
  //   stored and Size() grows, but SignedCheckpoint()/LatestCheckpoint() stay
  //   the latest origin note whose size the replica reached (its size may then
  //   be < Size(); its root is RootAt(its size)), so a peer pulling from this
  //   replica is always served a note it can verify against entries held
  //   here. A crash between calls resumes from Size(). n == 0 only checks
  //   that the log is a prefix of N.
  // Default: FailedPrecondition (implementations other than the LevelDB log).
  virtual Status ImportPrefix(const std::vector<std::string>& entry_bytes,
                              std::string_view signed_checkpoint,
                              const std::vector<Hash>& consistency_proof) {
    (void)entry_bytes;
    (void)signed_checkpoint;
    (void)consistency_proof;
    return Status::FailedPrecondition("this log cannot import a prefix");
  }
  // True when this log is a replica (opened with replica_verifier).
  virtual bool is_replica() const = 0;

  // Backup (issue 7; ledger/backup.h): calls `sink` with every stored LevelDB
  // key and value of one snapshot taken now (whole committed batches only, so
  // the stored checkpoint matches the entries), in bytewise key order, while
  // appends go on. Returns the first non-OK status of `sink`, or the read
  // error. Any thread.
  using SnapshotSink =
      std::function<Status(std::string_view key, std::string_view value)>;
  virtual Status ExportSnapshot(const SnapshotSink& sink) const {
    (void)sink;
    return Status::FailedPrecondition("this log cannot export a snapshot");
  }
  // The checkpoint origin line of this log.
  virtual const std::string& origin() const = 0;

  // Registry as of the latest entry. Lookup by signer key id.
  virtual std::optional<Participant> LookupSigner(
      std::string_view key_id) const = 0;
  virtual std::vector<Participant> Participants() const = 0;

  virtual uint64_t Size() const = 0;
  virtual Checkpoint LatestCheckpoint() const = 0;
  // The latest checkpoint as a signed note, verbatim (own log: signed by the
  // node; replica: as received from the origin, verified).
  virtual std::string SignedCheckpoint() const = 0;
  virtual const VerifierKey& verifier() const = 0;
  // A LevelDB property of the store (leveldb::DB::GetProperty), e.g.
  // "leveldb.num-files-at-level0" or "leveldb.stats", for benchmarks and
  // operators; nullopt when unknown or when this log has no LevelDB.
  virtual std::optional<std::string> StorageProperty(
      std::string_view name) const {
    (void)name;
    return std::nullopt;
  }
  // Writes LevelDB's memtable (the appends since its last flush, which a
  // reopen would replay from the write-ahead log) to a level-0 table and waits
  // until it is written; the compactions that may follow run in the
  // background. For benchmarks (the flush a growing log pays once per
  // memtable) and for a clean shutdown, so that the next open replays nothing.
  // FailedPrecondition when this log has no LevelDB.
  virtual Status FlushStorage() {
    return Status::FailedPrecondition("this log has no LevelDB memtable");
  }

  // NotFound when index >= Size(). Ranges beyond Size() for RootAt/proofs are
  // InvalidArgument.
  virtual Result<LogEntry> ReadEntry(uint64_t index) const = 0;
  // Up to `count` entries from `start` (fewer at the end of the log).
  virtual Result<std::vector<LogEntry>> ReadEntries(uint64_t start,
                                                    uint64_t count) const = 0;
  virtual Result<Hash> RootAt(uint64_t size) const = 0;
  virtual Result<std::vector<Hash>> InclusionProof(uint64_t index,
                                                   uint64_t size) const = 0;
  virtual Result<std::vector<Hash>> ConsistencyProof(
      uint64_t old_size, uint64_t new_size) const = 0;

  virtual std::optional<uint64_t> FindEvent(
      std::string_view event_id) const = 0;
  // Log indexes of entries with `key` in index `kind`, ascending, >=
  // start_index, at most limit.
  virtual Result<std::vector<uint64_t>> ScanIndex(IndexKind kind,
                                                  std::string_view key,
                                                  uint64_t start_index,
                                                  size_t limit) const = 0;
  // Log indexes of events with from_ms <= eventTime < to_ms, ordered by
  // (eventTime, index), starting after the (time, index) position `after` when
  // given; at most limit.
  virtual Result<std::vector<uint64_t>> ScanEventTime(
      int64_t from_ms, int64_t to_ms,
      std::optional<std::pair<int64_t, uint64_t>> after,
      size_t limit) const = 0;

  // Bulk reads for queries over many keys or entries (recalls; the LevelDB
  // log implements them in ledger/log/log_scan.cc with one iterator at one
  // snapshot, stepping to near keys and seeking only to distant ones, without
  // filling the block cache). The defaults call ScanIndex / ReadEntry per item.
  //
  // The index hits of many keys of one kind in one ordered pass: calls
  // sink(i, index) for every entry index < end_index that index `kind` holds
  // under keys[i]; keys are visited in ascending order of their stored form
  // (bytewise order of the keys for keys without bytes 0x00/0x01), indexes
  // ascending per key. Duplicate keys are visited once (the first position).
  // Returns the sink's first non-OK status (and stops) or the read error.
  // kEventId is not a secondary index: InvalidArgument.
  using IndexHitSink = std::function<Status(size_t key, uint64_t index)>;
  virtual Status ScanIndexKeys(IndexKind kind,
                               const std::vector<std::string>& keys,
                               uint64_t end_index,
                               const IndexHitSink& sink) const;
  // The stored bytes (the exact leaf data, not parsed) of the entries at
  // `indexes`, which MUST be ascending: sink(index, bytes), bytes valid during
  // the call only. NotFound naming the index when one is >= Size();
  // InvalidArgument when the list is not ascending; Corruption when an entry
  // is missing. Returns the sink's first non-OK status (and stops).
  using EntryBytesSink =
      std::function<Status(uint64_t index, std::string_view bytes)>;
  virtual Status ReadEntriesAt(const std::vector<uint64_t>& indexes,
                               const EntryBytesSink& sink) const;
};

// ScanIndexKeys by pages of one key's ScanIndex (what Log::ScanIndexKeys does
// by default; also for readers of other stores, e.g. evidence bundles):
// keys in ascending order, duplicates once, scan(key, start_index, limit)
// giving that key's next page of ascending indexes (as Log::ScanIndex).
using IndexPageScan = std::function<Result<std::vector<uint64_t>>(
    std::string_view key, uint64_t start_index, size_t limit)>;
Status ScanIndexKeysByPages(const std::vector<std::string>& keys,
                            uint64_t end_index, const IndexPageScan& scan,
                            const Log::IndexHitSink& sink);

// Upgrades the log data dir `dir` of a stopped node in place to the current
// format version 4, one step after the other (spec/log-format.md §7):
//   1 → 2 adds the keys of the index kind version 2 introduced (kIlmdLot);
//   2 → 3 sets m:version 3 first (a version-2 dir is a valid version-3 dir),
//         then repacks the X keys into index lists, one synced batch per run;
//   3 → 4 moves the entries and tree nodes into the `s` family (one synced
//         batch per run of 16384 entries: the run's old keys deleted, the new
//         ones put), then rewrites the I keys as digest bytes, then sets
//         m:version 4 and compacts the old key range.
// Entries, tree hashes, checkpoint and registry are copied, never recomputed.
// A crash at any point leaves a dir this build refuses with a pointer to
// `ledgerctl migrate` (m:version is still 1, 2 or 3 until the last step) and
// running MigrateDataDir again completes it. OK with nothing done when the dir
// is already version 4; FailedPrecondition for a newer version or when the
// dir is in use; Corruption when an entry or node cannot be read. Back the dir
// up first (ledgerctl migrate does). Not thread-safe with a Log on the same
// dir (the LevelDB lock refuses that).
Status MigrateDataDir(const std::string& dir);

// Offline full verification of a data directory (used by `ledgerctl verify`):
// recomputes every leaf, the hash chain, every stored tree node and the root,
// every envelope signature against the registry as of that entry, and every
// index entry, and checks the latest signed checkpoint against the node's
// verifier key stored in the data dir. Returns the first problem precisely
// (Corruption("entry 1042: prev hash mismatch (got ..., want ...)")).
struct VerifyReport {
  uint64_t size = 0;
  uint64_t events = 0;
  uint64_t participants = 0;
  Hash root{};
};
Result<VerifyReport> VerifyDataDir(const std::string& data_dir);
// Same, and additionally requires the data dir's stored verifier key to be
// `expected_verifier` (a verifier key obtained out of band), so a rewritten log
// with a new key is caught.
Result<VerifyReport> VerifyDataDir(const std::string& data_dir,
                                   const VerifierKey& expected_verifier);

}  // namespace ledger

#endif  // UDI_LEDGER_LOG_H_
