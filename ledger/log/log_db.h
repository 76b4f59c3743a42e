// The LevelDB handle of a log data dir: options, opening (with the lock error
// translated) and snapshot reads. Internal to ledger/log.
#ifndef UDI_LEDGER_LOG_LOG_DB_H_
#define UDI_LEDGER_LOG_LOG_DB_H_

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/merkle.h"
#include "ledger/status.h"

namespace ledger::logdb {

struct Db {
  // Destroyed in reverse order: the DB before the cache and filter policy it
  // uses.
  std::unique_ptr<leveldb::Cache> cache;
  std::unique_ptr<const leveldb::FilterPolicy> filter;
  std::unique_ptr<leveldb::DB> db;
  std::string dir;
  leveldb::Env* env = nullptr;  // the DB's (Open)

  // Point read; nullopt when absent. `snapshot` may be null (latest state).
  Result<std::optional<std::string>> Get(
      std::string_view key, const leveldb::Snapshot* snapshot = nullptr) const;
  leveldb::ReadOptions ReadOptions(const leveldb::Snapshot* snapshot) const;
  // db->Write, its error converted (FromLevelDb, naming `what`). A failed
  // write (e.g. ENOSPC while appending to the write-ahead log) can leave
  // LevelDB's log writer out of step with its file (it counts the failed
  // record's bytes as written), so that the records written after it could
  // not be read back on reopen ("Corruption: bad record length"), although
  // LevelDB accepts them (it makes only failed syncs sticky). So after a
  // failed write the memtable is flushed at once: LevelDB starts a new
  // write-ahead log and deletes the damaged one once the memtable is in a
  // table. Unless every write-ahead log present before is then gone, this
  // refuses every later write (IOError "... restart to recover it"), so that
  // nothing follows the failed record in the damaged file (reopening replays
  // it up to the failed record, which it drops as cut short).
  Status Write(const leveldb::WriteOptions& options, leveldb::WriteBatch* batch,
               std::string_view what);
  // Writes the memtable to a level-0 table (after switching to a new
  // write-ahead log) and waits for it (Log::FlushStorage).
  void FlushMemtable();

 private:
  // After a failed write: flushes the memtable; false unless every
  // write-ahead log (*.log) present before is gone.
  bool ReplaceWriteAheadLog();
  std::mutex wal_mu_;
  std::string wal_damage_;  // why writes are refused (wal_mu_)
};

// Opens the LevelDB in `dir`. FailedPrecondition("data dir <dir> is in use by
// another process") when its LOCK is held; NotFound when !create and there is
// no database.
// `write_buffer_bytes` is LevelDB's memtable size (LogOptions). `env` is
// LevelDB's file system (null: leveldb::Env::Default()); tests pass one that
// injects write failures. It must outlive the Db.
Result<std::unique_ptr<Db>> Open(const std::string& dir, bool create,
                                 size_t block_cache_bytes,
                                 size_t write_buffer_bytes = 64 << 20,
                                 leveldb::Env* env = nullptr);

// Converts a LevelDB status, naming what was being done.
Status FromLevelDb(const leveldb::Status& s, std::string_view what);

// Entries in key order (format 4 stores each entry's completed tree nodes
// right after it): skips the node keys at `it`; true if `it` is then at the
// key of entry `index`. Usage: it->Seek(EntryKey(start)), then for each i
// AtEntry(it, i) ... it->Next().
bool AtEntry(leveldb::Iterator* it, uint64_t index);

// Perfect Merkle nodes read from their keys at one snapshot.
class NodeReader : public merkle::NodeSource {
 public:
  NodeReader(const Db* db, const leveldb::Snapshot* snapshot)
      : db_(db), snapshot_(snapshot) {}
  Result<Hash> PerfectNode(int level, uint64_t index) const override;

 private:
  const Db* db_;
  const leveldb::Snapshot* snapshot_;
};

}  // namespace ledger::logdb

#endif  // UDI_LEDGER_LOG_LOG_DB_H_
