// MigrateDataDir: log format version 1 → 2 → 3 → 4 in place
// (spec/log-format.md §7).
#include <leveldb/write_batch.h>

#include "ledger/jcs.h"
#include "ledger/log.h"
#include "ledger/log/event_batch.h"
#include "ledger/log/log_db.h"
#include "ledger/log/log_entry.h"
#include "ledger/log/log_impl.h"
#include "ledger/log/log_keys.h"

namespace ledger {
namespace {

// Above this many bytes of new keys, batches are flushed before the last one.
constexpr size_t kMaxBatchBytes = 64 << 20;
// Version 2 → 3 repacks the X keys of this many entries per synced batch.
constexpr uint64_t kRepackEntries = 16384;
// Version 3 → 4 moves the entries and nodes of this many entries (or this
// many event id keys) per synced batch.
constexpr uint64_t kMoveEntries = 16384;

std::string Entry(uint64_t i) { return "entry " + std::to_string(i); }

// The index keys version 2 adds for entry `i` (none for non-events).
Result<std::vector<std::string>> NewKeysOf(uint64_t i,
                                           const std::string& bytes) {
  auto j = ParseJsonStrict(bytes);
  if (!j.ok()) return j.status().WithPrefix(Entry(i));
  std::vector<std::string> keys;
  if (!j->is_object() || j->value("type", "") != logentry::kTypeEvent) {
    return keys;
  }
  auto env = Envelope::FromJson((*j)["envelope"]);
  if (!env.ok()) return env.status().WithPrefix(Entry(i) + ": envelope");
  auto facts = epcis::ValidateEvent(env->event);
  if (!facts.ok()) return facts.status().WithPrefix(Entry(i) + ": event");
  for (const auto& lot : facts->ilmd_lots) {
    keys.push_back(logkeys::IndexKey(IndexKind::kIlmdLot, lot, i));
  }
  return keys;
}

// One migration: the dir's LevelDB, the 3 → 4 step's run length, and (for
// tests) how many more synced writes it may make before it stops as a crash
// would.
struct Ctx {
  logdb::Db* db;
  uint64_t move_entries;
  uint64_t writes_left;
};

Status Write(Ctx* ctx, leveldb::WriteBatch* batch, std::string_view what) {
  if (ctx->writes_left == 0) {
    return Status::IOError("migration stopped for testing before " +
                           std::string(what));
  }
  --ctx->writes_left;
  logdb::Db* db = ctx->db;
  leveldb::WriteOptions w;
  w.sync = true;
  LEDGER_RETURN_IF_ERROR(db->Write(w, batch, what));
  batch->Clear();
  return Status::OK();
}

Result<uint64_t> StoredSize(logdb::Db* db, const std::string& dir) {
  auto size_v = db->Get(logkeys::kSizeKey);
  if (!size_v.ok()) return size_v.status();
  if (!size_v->has_value() || (*size_v)->size() != 8) {
    return Status::Corruption("data dir " + dir + ": m:size missing or bad");
  }
  return GetBigEndian64(**size_v);
}

// Version 1 → 2: the X m keys of every event, then m:version 2 (in the last
// batch).
Status MigrateFrom1(Ctx* ctx, uint64_t size) {
  logdb::Db* db = ctx->db;
  leveldb::WriteBatch batch;
  std::unique_ptr<leveldb::Iterator> it(
      db->db->NewIterator(db->ReadOptions(nullptr)));
  it->Seek(logkeys::v3::EntryKey(0));
  for (uint64_t i = 0; i < size; ++i, it->Next()) {
    if (!it->Valid() || it->key().ToString() != logkeys::v3::EntryKey(i)) {
      LEDGER_RETURN_IF_ERROR(logdb::FromLevelDb(it->status(), Entry(i)));
      return Status::Corruption(Entry(i) + ": missing");
    }
    auto keys = NewKeysOf(i, it->value().ToString());
    if (!keys.ok()) return keys.status();
    for (const auto& k : *keys) batch.Put(k, "");
    if (batch.ApproximateSize() > kMaxBatchBytes) {
      LEDGER_RETURN_IF_ERROR(Write(ctx, &batch, "migrating: index keys"));
    }
  }
  LEDGER_RETURN_IF_ERROR(logdb::FromLevelDb(it->status(), "reading entries"));
  it.reset();
  batch.Put(std::string(logkeys::kVersionKey), "2");
  return Write(ctx, &batch, "migrating: setting m:version 2");
}

// Version 2 → 3. A version-2 X key (empty value) is a one-element index list,
// so a version-2 dir is already a valid version-3 dir: m:version 3 is written
// first, then the X keys of each run of kRepackEntries entries are replaced by
// one list per (kind, key), one synced batch per run. A crash in between leaves
// a valid version-3 dir whose later runs keep one-element lists.
Status MigrateFrom2(Ctx* ctx, uint64_t size) {
  logdb::Db* db = ctx->db;
  leveldb::WriteBatch batch;
  batch.Put(std::string(logkeys::kVersionKey),
            std::string(logkeys::kFormatVersion3));
  LEDGER_RETURN_IF_ERROR(Write(ctx, &batch, "migrating: setting m:version 3"));
  std::unique_ptr<leveldb::Iterator> it(
      db->db->NewIterator(db->ReadOptions(nullptr)));
  it->Seek(logkeys::v3::EntryKey(0));
  std::string scratch;
  for (uint64_t start = 0; start < size; start += kRepackEntries) {
    const uint64_t end = std::min(size, start + kRepackEntries);
    logimpl::SortedPuts lists;
    std::vector<std::string> keys;
    for (uint64_t i = start; i < end; ++i, it->Next()) {
      if (!it->Valid() || it->key().ToString() != logkeys::v3::EntryKey(i)) {
        LEDGER_RETURN_IF_ERROR(logdb::FromLevelDb(it->status(), Entry(i)));
        return Status::Corruption(Entry(i) + ": missing");
      }
      auto j = ParseJsonStrict(it->value().ToString());
      if (!j.ok()) return j.status().WithPrefix(Entry(i));
      if (!j->is_object() || j->value("type", "") != logentry::kTypeEvent) {
        continue;
      }
      auto env = Envelope::FromJson((*j)["envelope"]);
      if (!env.ok()) return env.status().WithPrefix(Entry(i) + ": envelope");
      auto facts = epcis::ValidateEvent(env->event);
      if (!facts.ok()) return facts.status().WithPrefix(Entry(i) + ": event");
      logentry::ForEachEventIndexKey(*facts, env->signer, i, &scratch,
                                     [&](std::string_view k) {
                                       if (k[0] != logkeys::kIndexPrefix)
                                         return;
                                       lists.Add(k, {});
                                       keys.emplace_back(k);
                                     });
    }
    // Every old key of the run goes; the lists' keys (each the key of its
    // last index) are put after the deletes, so they stay.
    for (const auto& k : keys) batch.Delete(k);
    lists.PutAsIndexLists(&batch);
    LEDGER_RETURN_IF_ERROR(Write(ctx, &batch, "migrating: index lists"));
  }
  return logdb::FromLevelDb(it->status(), "reading entries");
}

// Version 3 → 4, part 1: the entries and tree nodes of each run of
// kMoveEntries entries move to the `s` family in one synced batch (the run's
// E keys and every N key whose last leaf is in the run are deleted, their
// values put under the new keys). A rerun resumes at the first E key left.
Status MoveEntriesAndNodes(Ctx* ctx, uint64_t size) {
  logdb::Db* db = ctx->db;
  const uint64_t run = ctx->move_entries;
  std::unique_ptr<leveldb::Iterator> first(
      db->db->NewIterator(db->ReadOptions(nullptr)));
  first->Seek(std::string(1, logkeys::v3::kEntryPrefix));
  uint64_t start = size;  // everything moved, unless an E key is left
  if (first->Valid()) {
    if (auto i = logkeys::v3::ParseEntryKey(
            std::string_view(first->key().data(), first->key().size()))) {
      start = *i;
    }
  }
  LEDGER_RETURN_IF_ERROR(
      logdb::FromLevelDb(first->status(), "reading entries"));
  first.reset();
  leveldb::WriteBatch batch;
  std::string key;
  for (; start < size; start += run) {
    const uint64_t end = std::min(size, start + run);
    std::unique_ptr<leveldb::Iterator> it(
        db->db->NewIterator(db->ReadOptions(nullptr)));
    it->Seek(logkeys::v3::EntryKey(start));
    for (uint64_t i = start; i < end; ++i, it->Next()) {
      const std::string old_key = logkeys::v3::EntryKey(i);
      if (!it->Valid() || it->key().ToString() != old_key) {
        LEDGER_RETURN_IF_ERROR(logdb::FromLevelDb(it->status(), Entry(i)));
        return Status::Corruption(Entry(i) + ": missing");
      }
      batch.Delete(old_key);
      logkeys::EntryKeyInto(&key, i);
      batch.Put(key, it->value());
    }
    // Nodes (level, k) with last leaf (k+1)·2^level − 1 in [start, end).
    for (int level = 0; level < 64 && (end >> level) > 0; ++level) {
      // last >= start: k + 1 >= ceil((start + 1) / 2^level) (at least 1);
      // last < end: k + 1 <= end / 2^level.
      const uint64_t k0 =
          ((start + 1 + (uint64_t{1} << level) - 1) >> level) - 1;
      const uint64_t stop_k = end >> level;
      if (k0 >= stop_k) continue;
      it->Seek(logkeys::v3::NodeKey(level, k0));
      for (uint64_t k = k0; k < stop_k; ++k, it->Next()) {
        const std::string old_key = logkeys::v3::NodeKey(level, k);
        if (!it->Valid() || it->key().ToString() != old_key) {
          LEDGER_RETURN_IF_ERROR(
              logdb::FromLevelDb(it->status(), "reading tree nodes"));
          return Status::Corruption("tree node (level " +
                                    std::to_string(level) + ", index " +
                                    std::to_string(k) + "): missing");
        }
        batch.Delete(old_key);
        logkeys::NodeKeyInto(&key, level, k);
        batch.Put(key, it->value());
      }
    }
    LEDGER_RETURN_IF_ERROR(logdb::FromLevelDb(it->status(), "reading"));
    it.reset();
    LEDGER_RETURN_IF_ERROR(
        Write(ctx, &batch, "migrating: entries and tree nodes"));
  }
  return Status::OK();
}

// Version 3 → 4, part 2: every I key holding an event id as text gets the
// id's 32 digest bytes instead, kMoveEntries keys per synced batch. A rerun
// converts whatever text keys are left.
Status ConvertEventIdKeys(Ctx* ctx) {
  logdb::Db* db = ctx->db;
  const std::string prefix(1, logkeys::kEventIdPrefix);
  std::string resume = prefix;
  leveldb::WriteBatch batch;
  std::string key;
  for (;;) {
    std::unique_ptr<leveldb::Iterator> it(
        db->db->NewIterator(db->ReadOptions(nullptr)));
    size_t n = 0;
    for (it->Seek(resume);
         it->Valid() && it->key().starts_with(prefix) && n < ctx->move_entries;
         it->Next()) {
      const std::string old_key = it->key().ToString();
      if (logkeys::EventIdOfKey(old_key)) continue;  // already converted
      if (!logkeys::EventIdKeyInto(&key, std::string_view(old_key).substr(1))) {
        return Status::Corruption("key " + logkeys::Describe(old_key) +
                                  ": not an event id key");
      }
      batch.Delete(old_key);
      batch.Put(key, it->value());
      resume = old_key;
      ++n;
    }
    LEDGER_RETURN_IF_ERROR(logdb::FromLevelDb(it->status(), "reading I keys"));
    if (n == 0) return Status::OK();
    LEDGER_RETURN_IF_ERROR(Write(ctx, &batch, "migrating: event id keys"));
  }
}

Status MigrateFrom3(Ctx* ctx, uint64_t size) {
  logdb::Db* db = ctx->db;
  LEDGER_RETURN_IF_ERROR(MoveEntriesAndNodes(ctx, size));
  LEDGER_RETURN_IF_ERROR(ConvertEventIdKeys(ctx));
  leveldb::WriteBatch batch;
  batch.Put(std::string(logkeys::kVersionKey),
            std::string(logkeys::kFormatVersion));
  LEDGER_RETURN_IF_ERROR(Write(ctx, &batch, "migrating: setting m:version 4"));
  // The deleted keys' space comes back when their tombstones are compacted.
  const std::string from(1, logkeys::v3::kEntryPrefix);
  const std::string to(1, logkeys::v3::kNodePrefix + 1);
  leveldb::Slice begin(from), end(to);
  db->db->CompactRange(&begin, &end);
  return Status::OK();
}

Status Migrate(const std::string& dir, uint64_t move_entries,
               uint64_t max_writes) {
  auto opened = logdb::Open(dir, /*create=*/false, 8 << 20);
  if (!opened.ok()) return opened.status();
  logdb::Db* db = opened->get();
  Ctx ctx{db, move_entries, max_writes};
  auto version = db->Get(logkeys::kVersionKey);
  if (!version.ok()) return version.status();
  if (!version->has_value()) {
    return Status::Corruption("data dir " + dir + ": m:version missing");
  }
  if (**version == logkeys::kFormatVersion) return Status::OK();
  if (**version != logkeys::kFormatVersion3 &&
      **version != logkeys::kFormatVersion2 &&
      **version != logkeys::kFormatVersion1) {
    return logkeys::CheckFormatVersion(dir, **version);
  }
  auto size = StoredSize(db, dir);
  if (!size.ok()) return size.status();
  if (**version == logkeys::kFormatVersion1) {
    LEDGER_RETURN_IF_ERROR(MigrateFrom1(&ctx, *size));
  }
  if (**version != logkeys::kFormatVersion3) {
    LEDGER_RETURN_IF_ERROR(MigrateFrom2(&ctx, *size));
  }
  return MigrateFrom3(&ctx, *size);
}

}  // namespace

Status MigrateDataDir(const std::string& dir) {
  return Migrate(dir, kMoveEntries, UINT64_MAX);
}

namespace logimpl {

Status MigrateDataDirForTesting(const std::string& dir, uint64_t move_entries,
                                uint64_t max_writes) {
  return Migrate(dir, move_entries, max_writes);
}

}  // namespace logimpl

}  // namespace ledger
