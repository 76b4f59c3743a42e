// Log: the single-writer, hash-chained Merkle log over LevelDB (see
// ledger/log.h and spec/log-format.md). Imports are in log_import.cc.
#include "ledger/jcs.h"
#include "ledger/log/log_check.h"
#include "ledger/log/log_impl.h"
#include "ledger/log/log_keys.h"

namespace ledger {
namespace logimpl {

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
  return logdb::FromLevelDb(db_->db->Write(w, &b),
                            "initialising data dir " + db_->dir);
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
  LEDGER_RETURN_IF_ERROR(LoadUpperNodes(size));
  Publish(size, std::move(cp).value(), std::move(note)->value());
  return Status::OK();
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

Status LogImpl::LoadUpperNodes(uint64_t size) {
  std::unique_ptr<leveldb::Iterator> it(
      db_->db->NewIterator(db_->ReadOptions(nullptr)));
  for (int level = kCachedLevel; level < 64 && (size >> level) > 0; ++level) {
    const uint64_t count = size >> level;
    const std::string prefix = logkeys::NodeKey(level, 0).substr(0, 2);
    uint64_t want = 0;
    for (it->Seek(prefix);
         it->Valid() && it->key().starts_with(prefix) && want < count;
         it->Next(), ++want) {
      auto id = logkeys::ParseNodeKey(it->key().ToString());
      if (!id || id->index != want || it->value().size() != 32) {
        return Status::Corruption(
            "merkle node (level " + std::to_string(level) + ", index " +
            std::to_string(want) + ") missing or malformed");
      }
      upper_.Add(level, want, HashFromBytes(it->value().ToString()));
    }
    if (want != count) {
      return Status::Corruption("merkle level " + std::to_string(level) + ": " +
                                std::to_string(want) + " nodes stored, want " +
                                std::to_string(count));
    }
  }
  return logdb::FromLevelDb(it->status(), "loading tree nodes");
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
  p->batch.Put(logkeys::EntryKey(index), bytes);
  p->last_leaf = leaf;
  p->range.Append(p->last_leaf, [p](const merkle::CompactRange::NewNode& n) {
    p->batch.Put(logkeys::NodeKey(n.level, n.index),
                 std::string(AsStringView(n.hash)));
    if (n.level >= kCachedLevel) p->nodes.push_back(n);
  });
}

Status LogImpl::Commit(Pending* p, std::string_view what) {
  Checkpoint cp{options_.origin, p->range.size(), p->range.Root(), {}};
  std::string note = SignCheckpoint(cp, options_.key);
  return CommitWithNote(p, std::move(cp), std::move(note), what);
}

Status LogImpl::CommitWithNote(Pending* p, Checkpoint cp, std::string note,
                               std::string_view what) {
  p->batch.Put(std::string(logkeys::kSizeKey), logkeys::Be64(p->range.size()));
  p->batch.Put(std::string(logkeys::kCheckpointKey), note);
  leveldb::WriteOptions w;
  w.sync = options_.sync;
  LEDGER_RETURN_IF_ERROR(
      logdb::FromLevelDb(db_->db->Write(w, &p->batch), what));
  range_ = std::move(p->range);
  last_leaf_ = p->last_leaf;
  for (const auto& n : p->nodes) upper_.Add(n.level, n.index, n.hash);
  Publish(range_.size(), std::move(cp), std::move(note));
  return Status::OK();
}

void LogImpl::AddEventKeys(Pending* p, const std::string& event_id,
                           const epcis::EventFacts& facts,
                           std::string_view signer, uint64_t index) {
  p->batch.Put(logkeys::EventIdKey(event_id), logkeys::Be64(index));
  for (const auto& key : logentry::EventIndexKeys(facts, signer, index)) {
    p->batch.Put(key, "");
  }
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
  std::lock_guard lock(write_mu_);
  Pending p = StartBatch();
  const std::string received_at = logentry::FormatReceivedAt(received_at_ms);
  std::unordered_map<std::string, uint64_t> in_batch;
  std::vector<AppendOutcome> out(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const PreparedEvent& ev = events[i];
    AppendOutcome& o = out[i];
    o.event_id = ev.event_id;
    if (auto it = in_batch.find(ev.event_id); it != in_batch.end()) {
      o.status = AppendStatus::kDuplicate;
      o.index = it->second;
      continue;
    }
    auto existing = db_->Get(logkeys::EventIdKey(ev.event_id));
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      o.status = AppendStatus::kDuplicate;
      o.index = GetBigEndian64(**existing);
      continue;
    }
    Status signer = logentry::CheckSigner(registry_, ev.envelope.signer);
    if (signer.ok()) {
      if (ev.verified_with != registry_.at(ev.envelope.signer).verifier_key) {
        signer = Status::FailedPrecondition(
            "signer " + ev.envelope.signer +
            ": the event was verified with another key than the "
            "registered one");
      }
    }
    if (!signer.ok()) {
      o.status = AppendStatus::kRejected;
      o.error = signer.message();
      continue;
    }
    const uint64_t index = p.range.size();
    // The leaf hash continues the SHA-256 state PrepareEvent left after the
    // entry's prefix.
    const std::string suffix =
        logentry::EventEntrySuffix(index, p.last_leaf, received_at);
    const std::string bytes =
        logentry::EventEntryPrefix(ev.envelope, ev.canonical_event) + suffix;
    if (auto leaf =
            logentry::LeafHashFromPrefixState(ev.leaf_prefix_state, suffix)) {
      AddEntry(&p, bytes, *leaf);
    } else {
      AddEntry(&p, bytes);
    }
    AddEventKeys(&p, ev.event_id, ev.facts, ev.envelope.signer, index);
    in_batch.emplace(ev.event_id, index);
    o.status = AppendStatus::kAccepted;
    o.index = index;
  }
  if (p.range.size() == range_.size())
    return out;  // nothing accepted, nothing to write
  LEDGER_RETURN_IF_ERROR(
      Commit(&p, "appending " + std::to_string(in_batch.size()) + " events"));
  return out;
}

Result<uint64_t> LogImpl::AppendParticipant(const Participant& participant,
                                            int64_t received_at_ms) {
  LEDGER_RETURN_IF_ERROR(CheckWritable("AppendParticipant"));
  std::lock_guard lock(write_mu_);
  LEDGER_RETURN_IF_ERROR(logentry::CheckRegistryChange(registry_, participant));
  Pending p = StartBatch();
  const uint64_t index = p.range.size();
  auto bytes = logentry::ParticipantEntryBytes(
      index, p.last_leaf, logentry::FormatReceivedAt(received_at_ms),
      participant);
  if (!bytes.ok()) return bytes.status();
  auto value = logentry::ParticipantBytes(participant);
  if (!value.ok()) return value.status();
  AddEntry(&p, *bytes);
  const std::string key_id = participant.KeyId();
  p.batch.Put(logkeys::RegistryKey(key_id), *value);
  LEDGER_RETURN_IF_ERROR(Commit(&p, "appending participant " + key_id));
  registry_[key_id] = participant;
  return index;
}

Result<uint64_t> LogImpl::AppendQuery(const nlohmann::json& record,
                                      int64_t received_at_ms) {
  LEDGER_RETURN_IF_ERROR(CheckWritable("AppendQuery"));
  std::lock_guard lock(write_mu_);
  Pending p = StartBatch();
  const uint64_t index = p.range.size();
  auto bytes = logentry::QueryEntryBytes(
      index, p.last_leaf, logentry::FormatReceivedAt(received_at_ms), record);
  if (!bytes.ok()) return bytes.status();
  // The verifier's own check, so that nothing is logged that it would refuse
  // (e.g. an integer beyond 2^53 that does not survive JCS).
  auto checked = logcheck::CheckEntry(index, p.last_leaf, *bytes, &registry_);
  if (!checked.ok()) {
    return Status::InvalidArgument("query: " + checked.status().message());
  }
  AddEntry(&p, *bytes, checked->leaf);
  LEDGER_RETURN_IF_ERROR(Commit(&p, "appending a query record"));
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
    if (!it->Valid() || it->key().ToString() != logkeys::EntryKey(i)) {
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
  auto v = db_->Get(logkeys::EventIdKey(event_id), state->snapshot.get());
  if (!v.ok() || !v->has_value() || (*v)->size() != 8) return std::nullopt;
  return GetBigEndian64(**v);
}

Result<std::vector<uint64_t>> LogImpl::ScanPrefix(const std::string& prefix,
                                                  const std::string& start,
                                                  size_t limit) const {
  auto state = State();
  std::vector<uint64_t> out;
  std::unique_ptr<leveldb::Iterator> it(
      db_->db->NewIterator(db_->ReadOptions(state->snapshot.get())));
  for (it->Seek(start);
       it->Valid() && out.size() < limit && it->key().starts_with(prefix);
       it->Next()) {
    if (it->key().size() != prefix.size() + 8)
      continue;  // a longer key sharing the prefix
    out.push_back(GetBigEndian64(it->key().ToString().substr(prefix.size())));
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
  const std::string prefix = logkeys::IndexPrefix(kind, key);
  return ScanPrefix(prefix, prefix + logkeys::Be64(start_index), limit);
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

Result<std::unique_ptr<Log>> Log::Open(LogOptions options) {
  if (options.origin.empty()) return Status::InvalidArgument("origin: empty");
  auto db =
      logdb::Open(options.data_dir, /*create=*/true, options.block_cache_bytes);
  if (!db.ok()) return db.status();
  auto log = std::make_unique<logimpl::LogImpl>(std::move(options),
                                                std::move(db).value());
  LEDGER_RETURN_IF_ERROR(log->Init());
  return std::unique_ptr<Log>(std::move(log));
}

}  // namespace ledger
