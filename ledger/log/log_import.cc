// LogImpl::ImportEntries / ImportPrefix: entries written by the log's origin,
// verified before anything is stored (federation and recovery; ledger/log.h,
// spec/log-format.md §2a–2b).
//
// Two phases. Check: the per-entry checks (logcheck::CheckEntry: JCS, chain,
// registry, EPCIS, Ed25519) run on every core, in order-preserving slots; a
// sequential pass then replays the registry exactly as a one-thread import
// would (re-checking the few entries whose outcome a registry change inside the
// batch can alter). Commit (under the write lock): duplicates, the batch, the
// checkpoint and proof, one synced write. Precheck runs the check phase of a
// chunk ahead, without the write lock (ledger/log_pipeline.h), so a replica
// checks chunk k+1 while chunk k commits; Import reuses that outcome only for
// the exact state (size, last leaf, registry) it was computed for.
#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <unordered_map>

#include "ledger/log/log_check.h"
#include "ledger/log/log_impl.h"
#include "ledger/log/log_keys.h"
#include "ledger/log_pipeline.h"
#include "ledger/merkle.h"

namespace ledger {
namespace logimpl {
namespace {

// Batches smaller than this are checked on the calling thread only (a thread
// start costs about as much as checking a few entries).
constexpr size_t kParallelMin = 32;
// Entries a worker claims at a time.
constexpr size_t kClaim = 16;

unsigned CheckThreads(size_t n) {
  if (n < kParallelMin) return 1;
  unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<size_t>({hw, 16, n / kClaim + 1}));
}

// CheckEntry of entries[i] (log index first + i) against the registry at the
// start of the batch, on every core. results[i] is exactly what a sequential
// import would get for entry i unless the registry changed earlier in the
// batch (see CheckChunk). Each entry's leaf is hashed once (a claim hashes the
// entry before it once more, for its first prevHash).
std::vector<Result<logcheck::CheckedEntry>> CheckInParallel(
    uint64_t first, const Hash& last_leaf,
    const std::vector<std::string>& entries,
    const logentry::Registry& registry) {
  const size_t n = entries.size();
  std::vector<std::optional<Result<logcheck::CheckedEntry>>> slots(n);
  std::atomic<size_t> next{0};
  auto work = [&] {
    logentry::Registry scratch = registry;  // CheckEntry applies participants
    for (;;) {
      const size_t begin = next.fetch_add(kClaim);
      if (begin >= n) return;
      Hash prev = begin == 0 ? last_leaf : merkle::LeafHash(entries[begin - 1]);
      for (size_t i = begin; i < std::min(n, begin + kClaim); ++i) {
        const Hash leaf = merkle::LeafHash(entries[i]);
        slots[i] =
            logcheck::CheckEntry(first + i, prev, entries[i], &scratch, leaf);
        prev = leaf;
        if (slots[i]->ok() &&
            (*slots[i])->type == logcheck::EntryType::kParticipant) {
          scratch = registry;
        }
      }
    }
  };
  const unsigned threads = CheckThreads(n);
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  std::vector<Result<logcheck::CheckedEntry>> out;
  out.reserve(n);
  for (auto& s : slots) out.push_back(std::move(*s));
  return out;
}

bool SameRegistry(const logentry::Registry& a, const logentry::Registry& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
    const Participant &x = i->second, &y = j->second;
    if (i->first != j->first || x.gln != y.gln || x.name != y.name ||
        x.role != y.role || x.verifier_key != y.verifier_key ||
        x.revoked != y.revoked) {
      return false;
    }
  }
  return true;
}

}  // namespace

// The outcome of the per-entry checks of a chunk (the check phase): what a
// sequential import from (first, prev_leaf, *start) gets for each entry, in
// order, up to and including the first failure.
struct ImportCheck : PrecheckedEntries {
  const LogImpl* log = nullptr;
  uint64_t first = 0;
  Hash prev_leaf{};  // the log's last leaf before the chunk
  std::shared_ptr<const logentry::Registry> start;  // as of entry `first`
  std::shared_ptr<const logentry::Registry> end;    // after the checked ones
  std::vector<Result<logcheck::CheckedEntry>> checked;
  Hash last_leaf{};  // of the chunk's last entry (prev_leaf when empty)
  bool failed() const { return !checked.empty() && !checked.back().ok(); }
};

namespace {

// The check phase for `entries` (c->entries, or the bytes of a plain
// import): every entry checked in parallel, then replayed in order
// exactly as a one-thread import would. Until the chunk changes the registry,
// every parallel outcome is the sequential one. After that, an event is
// re-checked when its signer changed in the chunk (CheckEntry reads only
// registry[signer]), a participant entry always (it must apply to the true
// registry), and a failure always (so the first error is the one a sequential
// import gives).
void CheckChunk(const std::vector<std::string>& entries, ImportCheck* c) {
  c->checked = CheckInParallel(c->first, c->prev_leaf, entries, *c->start);
  auto registry = std::make_shared<logentry::Registry>(*c->start);
  std::set<std::string, std::less<>> changed;
  Hash prev = c->prev_leaf;
  for (size_t k = 0; k < c->checked.size(); ++k) {
    Result<logcheck::CheckedEntry>& e = c->checked[k];
    if (!changed.empty() &&
        (!e.ok() || e->type == logcheck::EntryType::kParticipant ||
         (e->type == logcheck::EntryType::kEvent &&
          changed.count(e->signer)))) {
      e = logcheck::CheckEntry(c->first + k, prev, entries[k], registry.get());
    } else if (e.ok() && e->type == logcheck::EntryType::kParticipant) {
      (*registry)[e->participant->KeyId()] = *e->participant;  // as CheckEntry
    }
    if (!e.ok()) {
      c->checked.resize(k + 1, Status::OK());  // nothing after it counts
      break;
    }
    if (e->type == logcheck::EntryType::kParticipant) {
      changed.insert(e->participant->KeyId());
    }
    prev = e->leaf;
  }
  c->last_leaf = prev;
  c->end = std::move(registry);
}

}  // namespace

std::shared_ptr<const PrecheckedEntries> LogImpl::Precheck(
    std::vector<std::string> entries, const PrecheckedEntries* previous) {
  auto c = std::make_shared<ImportCheck>();
  c->log = this;
  c->entries = std::move(entries);
  const auto* prev = dynamic_cast<const ImportCheck*>(previous);
  if (prev != nullptr && prev->log == this && !prev->failed()) {
    c->first = prev->first + prev->entries.size();
    c->prev_leaf = prev->last_leaf;
    c->start = prev->end;
  } else {  // the log's end now (waits for an import in progress)
    std::lock_guard lock(write_mu_);
    c->first = range_.size();
    c->prev_leaf = last_leaf_;
    c->start = std::make_shared<const logentry::Registry>(registry_);
  }
  CheckChunk(c->entries, c.get());
  return c;
}

Status LogImpl::ImportChecked(const PrecheckedEntries& chunk,
                              std::string_view note,
                              const std::vector<Hash>& proof) {
  return Import(chunk.entries, note, &proof,
                dynamic_cast<const ImportCheck*>(&chunk));
}

Status LogImpl::ImportEntries(const std::vector<std::string>& entry_bytes,
                              std::string_view signed_checkpoint) {
  return Import(entry_bytes, signed_checkpoint, nullptr);
}

Status LogImpl::ImportPrefix(const std::vector<std::string>& entry_bytes,
                             std::string_view signed_checkpoint,
                             const std::vector<Hash>& consistency_proof) {
  return Import(entry_bytes, signed_checkpoint, &consistency_proof);
}

Status LogImpl::Import(const std::vector<std::string>& entry_bytes,
                       std::string_view signed_checkpoint,
                       const std::vector<Hash>* proof,
                       const ImportCheck* prechecked) {
  std::lock_guard lock(write_mu_);
  Pending p = StartBatch();
  const uint64_t first = p.range.size();
  // The check phase's outcome holds only for the state it was made for (and
  // for exactly these bytes); otherwise the entries are checked now.
  ImportCheck own;
  const ImportCheck* c = prechecked;
  if (c == nullptr || c->log != this || &c->entries != &entry_bytes ||
      c->first != first || c->prev_leaf != p.last_leaf ||
      !SameRegistry(*c->start, registry_)) {
    own.log = this;
    own.first = first;
    own.prev_leaf = p.last_leaf;
    own.start = std::make_shared<const logentry::Registry>(registry_);
    CheckChunk(entry_bytes, &own);
    c = &own;
  }
  // The commit phase: duplicates, index keys, tree, checkpoint, one write.
  std::unordered_map<std::string_view, uint64_t> in_batch;
  in_batch.reserve(c->checked.size());
  for (size_t k = 0; k < c->checked.size(); ++k) {
    const Result<logcheck::CheckedEntry>& e = c->checked[k];
    if (!e.ok()) return Status::InvalidArgument(e.status().message());
    const std::string& bytes = entry_bytes[k];
    const uint64_t index = p.range.size();
    if (e->type == logcheck::EntryType::kEvent) {
      std::optional<uint64_t> earlier;
      if (auto it = in_batch.find(e->event_id); it != in_batch.end()) {
        earlier = it->second;
      } else {
        auto existing = StoredEventIndex(e->event_id);
        if (!existing.ok()) return existing.status();
        earlier = *existing;
      }
      if (earlier) {
        return Status::InvalidArgument(
            "entry " + std::to_string(index) + ": event " + e->event_id +
            " is already logged at entry " + std::to_string(*earlier));
      }
      AddEventKeys(&p, e->event_id, e->facts, e->signer, index);
      in_batch.emplace(e->event_id, index);
    } else if (e->type == logcheck::EntryType::kParticipant) {
      auto value = logentry::ParticipantBytes(*e->participant);
      if (!value.ok()) {
        return value.status().WithPrefix("entry " + std::to_string(index));
      }
      p.batch.Put(logkeys::RegistryKey(e->participant->KeyId()), *value);
    }
    AddEntry(&p, bytes, e->leaf);
  }
  logentry::Registry registry = *c->end;
  const size_t n = entry_bytes.size();
  const std::string what = "importing " + std::to_string(n) + " entries";
  if (proof == nullptr) {
    auto cp = CheckImportCheckpoint(p, n, signed_checkpoint);
    if (!cp.ok()) return cp.status();
    LEDGER_RETURN_IF_ERROR(CommitWithNote(
        &p, std::move(cp).value(), std::string(signed_checkpoint), what));
    registry_ = std::move(registry);
    return Status::OK();
  }
  // Prefix import: the note is checked as for ImportEntries except its size.
  auto cp = OpenImportNote(signed_checkpoint);
  if (!cp.ok()) return cp.status();
  const uint64_t size = p.range.size();
  if (cp->size < size) {
    return Status::InvalidArgument(
        "checkpoint: size " + std::to_string(cp->size) +
        " is smaller than the log extended by the entries (" +
        std::to_string(first) + " + " + std::to_string(n) + " = " +
        std::to_string(size) + ")");
  }
  if (cp->size == size) {
    if (!proof->empty()) {
      return Status::InvalidArgument(
          "checkpoint: consistency proof from " + std::to_string(size) +
          " to " + std::to_string(size) + ": must be empty, got " +
          std::to_string(proof->size()) + " hashes");
    }
    auto exact = CheckImportCheckpoint(p, n, signed_checkpoint);
    if (!exact.ok()) return exact.status();
    LEDGER_RETURN_IF_ERROR(CommitWithNote(
        &p, std::move(exact).value(), std::string(signed_checkpoint), what));
    registry_ = std::move(registry);
    return Status::OK();
  }
  if (!replica_) {
    return Status::FailedPrecondition(
        "checkpoint: size " + std::to_string(cp->size) + " is beyond " +
        std::to_string(size) +
        ": an own log imports only up to a checkpoint of its size (it signs "
        "its next checkpoint itself)");
  }
  Status consistent = merkle::VerifyConsistency(size, cp->size, p.range.Root(),
                                                cp->root, *proof);
  if (!consistent.ok()) {
    return Status::InvalidArgument(
        "checkpoint: " + consistent.message() + " (from size " +
        std::to_string(size) + ", entries 0.." +
        (size == 0 ? std::string("(none)") : std::to_string(size - 1)) +
        ", to the checkpoint's size " + std::to_string(cp->size) + ")");
  }
  if (n == 0) return Status::OK();  // the log is a prefix of the note
  // The served checkpoint stays the latest note whose size was reached.
  auto state = State();
  LEDGER_RETURN_IF_ERROR(
      CommitWithNote(&p, state->checkpoint, state->signed_checkpoint,
                     what + " (prefix of " + std::to_string(cp->size) + ")"));
  registry_ = std::move(registry);
  return Status::OK();
}

Result<Checkpoint> LogImpl::OpenStoredCheckpoint(
    const std::string& note, const merkle::NodeSource& nodes,
    const merkle::CompactRange& range) const {
  const uint64_t size = range.size();
  Checkpoint cp{options_.origin, 0, merkle::EmptyRoot(), {}};
  if (!(replica_ && note.empty())) {
    auto opened = OpenCheckpoint(note, verifier_);
    if (!opened.ok()) return opened.status().WithPrefix("m:checkpoint");
    cp = std::move(opened).value();
  }
  // A replica's note may cover a prefix (ImportPrefix); an own log's covers
  // everything.
  Result<Hash> want = range.Root();
  if (replica_ && cp.size < size) want = merkle::RootAt(nodes, cp.size);
  if (!want.ok()) return want.status().WithPrefix("m:checkpoint");
  if ((replica_ ? cp.size > size : cp.size != size) || cp.root != *want ||
      cp.origin != options_.origin) {
    return Status::Corruption(
        "m:checkpoint: signed checkpoint (size " + std::to_string(cp.size) +
        ", root " + ToHex(cp.root) + ") does not match the stored tree " +
        "(size " + std::to_string(size) + ", root " + ToHex(range.Root()) +
        (replica_ && cp.size < size
             ? ", root at " + std::to_string(cp.size) + " " + ToHex(*want)
             : std::string()) +
        ")");
  }
  return cp;
}

Result<Checkpoint> LogImpl::OpenImportNote(std::string_view note) const {
  auto parsed = SignedNote::Parse(note);
  if (!parsed.ok()) {
    return Status::InvalidArgument("checkpoint: " + parsed.status().message());
  }
  if (parsed->ToString() != note) {
    return Status::InvalidArgument("checkpoint: not in canonical note form");
  }
  // Only the signature of the log's checkpoint key counts; other lines
  // (witness cosignatures, other keys) are ignored.
  auto cp = OpenCheckpoint(note, verifier_);
  if (!cp.ok()) return Status::InvalidArgument(cp.status().message());
  if (cp->origin != options_.origin) {
    return Status::InvalidArgument("checkpoint: origin '" + cp->origin +
                                   "' is not this log's origin '" +
                                   options_.origin + "'");
  }
  return cp;
}

Result<Checkpoint> LogImpl::CheckImportCheckpoint(const Pending& p, size_t n,
                                                  std::string_view note) const {
  auto cp = OpenImportNote(note);
  if (!cp.ok()) return cp.status();
  const uint64_t size = p.range.size();
  if (cp->size != size) {
    return Status::InvalidArgument(
        "checkpoint: size " + std::to_string(cp->size) +
        " does not match the log extended by the entries (" +
        std::to_string(size - n) + " + " + std::to_string(n) + " = " +
        std::to_string(size) + ")");
  }
  if (cp->root != p.range.Root()) {
    return Status::InvalidArgument(
        "checkpoint: root does not match entries 0.." +
        (size == 0 ? std::string("(none)") : std::to_string(size - 1)) +
        " (got " + ToHex(cp->root) + ", want " + ToHex(p.range.Root()) + ")");
  }
  return cp;
}

}  // namespace logimpl

std::shared_ptr<const PrecheckedEntries> PrecheckImport(
    Log& log, std::vector<std::string> entries,
    const PrecheckedEntries* previous) {
  if (auto* impl = dynamic_cast<logimpl::LogImpl*>(&log)) {
    return impl->Precheck(std::move(entries), previous);
  }
  auto chunk = std::make_shared<PrecheckedEntries>();
  chunk->entries = std::move(entries);
  return chunk;
}

Status ImportPrefixChecked(Log& log, const PrecheckedEntries& chunk,
                           std::string_view signed_checkpoint,
                           const std::vector<Hash>& consistency_proof) {
  if (auto* impl = dynamic_cast<logimpl::LogImpl*>(&log)) {
    return impl->ImportChecked(chunk, signed_checkpoint, consistency_proof);
  }
  return log.ImportPrefix(chunk.entries, signed_checkpoint, consistency_proof);
}

}  // namespace ledger
