// MigrateDataDir: log format version 1 → 2 → 3 in place (spec/log-format.md
// §7).
#include <leveldb/write_batch.h>

#include "ledger/jcs.h"
#include "ledger/log.h"
#include "ledger/log/event_batch.h"
#include "ledger/log/log_db.h"
#include "ledger/log/log_entry.h"
#include "ledger/log/log_keys.h"

namespace ledger {
namespace {

// Above this many bytes of new keys, batches are flushed before the last one.
constexpr size_t kMaxBatchBytes = 64 << 20;
// Version 2 → 3 repacks the X keys of this many entries per synced batch.
constexpr uint64_t kRepackEntries = 16384;

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

Status Write(logdb::Db* db, leveldb::WriteBatch* batch, std::string_view what) {
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
Status MigrateFrom1(logdb::Db* db, uint64_t size) {
  leveldb::WriteBatch batch;
  std::unique_ptr<leveldb::Iterator> it(
      db->db->NewIterator(db->ReadOptions(nullptr)));
  it->Seek(logkeys::EntryKey(0));
  for (uint64_t i = 0; i < size; ++i, it->Next()) {
    if (!it->Valid() || it->key().ToString() != logkeys::EntryKey(i)) {
      LEDGER_RETURN_IF_ERROR(logdb::FromLevelDb(it->status(), Entry(i)));
      return Status::Corruption(Entry(i) + ": missing");
    }
    auto keys = NewKeysOf(i, it->value().ToString());
    if (!keys.ok()) return keys.status();
    for (const auto& k : *keys) batch.Put(k, "");
    if (batch.ApproximateSize() > kMaxBatchBytes) {
      LEDGER_RETURN_IF_ERROR(Write(db, &batch, "migrating: index keys"));
    }
  }
  LEDGER_RETURN_IF_ERROR(logdb::FromLevelDb(it->status(), "reading entries"));
  it.reset();
  batch.Put(std::string(logkeys::kVersionKey), "2");
  return Write(db, &batch, "migrating: setting m:version 2");
}

// Version 2 → 3. A version-2 X key (empty value) is a one-element index list,
// so a version-2 dir is already a valid version-3 dir: m:version 3 is written
// first, then the X keys of each run of kRepackEntries entries are replaced by
// one list per (kind, key), one synced batch per run. A crash in between leaves
// a valid version-3 dir whose later runs keep one-element lists.
Status MigrateFrom2(logdb::Db* db, uint64_t size) {
  leveldb::WriteBatch batch;
  batch.Put(std::string(logkeys::kVersionKey),
            std::string(logkeys::kFormatVersion));
  LEDGER_RETURN_IF_ERROR(Write(db, &batch, "migrating: setting m:version 3"));
  std::unique_ptr<leveldb::Iterator> it(
      db->db->NewIterator(db->ReadOptions(nullptr)));
  it->Seek(logkeys::EntryKey(0));
  std::string scratch;
  for (uint64_t start = 0; start < size; start += kRepackEntries) {
    const uint64_t end = std::min(size, start + kRepackEntries);
    logimpl::SortedPuts lists;
    std::vector<std::string> keys;
    for (uint64_t i = start; i < end; ++i, it->Next()) {
      if (!it->Valid() || it->key().ToString() != logkeys::EntryKey(i)) {
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
    LEDGER_RETURN_IF_ERROR(Write(db, &batch, "migrating: index lists"));
  }
  return logdb::FromLevelDb(it->status(), "reading entries");
}

}  // namespace

Status MigrateDataDir(const std::string& dir) {
  auto opened = logdb::Open(dir, /*create=*/false, 8 << 20);
  if (!opened.ok()) return opened.status();
  logdb::Db* db = opened->get();
  auto version = db->Get(logkeys::kVersionKey);
  if (!version.ok()) return version.status();
  if (!version->has_value()) {
    return Status::Corruption("data dir " + dir + ": m:version missing");
  }
  if (**version == logkeys::kFormatVersion) return Status::OK();
  if (**version != logkeys::kPreviousFormatVersion &&
      **version != logkeys::kFormatVersion1) {
    return logkeys::CheckFormatVersion(dir, **version);
  }
  auto size = StoredSize(db, dir);
  if (!size.ok()) return size.status();
  if (**version == logkeys::kFormatVersion1) {
    LEDGER_RETURN_IF_ERROR(MigrateFrom1(db, *size));
  }
  return MigrateFrom2(db, *size);
}

}  // namespace ledger
