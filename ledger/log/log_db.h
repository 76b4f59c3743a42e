// The LevelDB handle of a log data dir: options, opening (with the lock error
// translated) and snapshot reads. Internal to ledger/log.
#ifndef UDI_LEDGER_LOG_LOG_DB_H_
#define UDI_LEDGER_LOG_LOG_DB_H_

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>

#include <memory>
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

  // Point read; nullopt when absent. `snapshot` may be null (latest state).
  Result<std::optional<std::string>> Get(
      std::string_view key, const leveldb::Snapshot* snapshot = nullptr) const;
  leveldb::ReadOptions ReadOptions(const leveldb::Snapshot* snapshot) const;
};

// Opens the LevelDB in `dir`. FailedPrecondition("data dir <dir> is in use by
// another process") when its LOCK is held; NotFound when !create and there is
// no database.
// `write_buffer_bytes` is LevelDB's memtable size (LogOptions).
Result<std::unique_ptr<Db>> Open(const std::string& dir, bool create,
                                 size_t block_cache_bytes,
                                 size_t write_buffer_bytes = 64 << 20);

// The smallest malloc trim threshold KeepFreedMemory sets.
inline constexpr size_t kMinTrimThreshold = 256 << 20;

// Makes glibc's malloc keep freed memory in the process instead of returning
// it to the kernel at once (called by Open; process-wide, and only ever
// raised). Without it, every LevelDB memtable (write_buffer_bytes of ~1 KB
// blocks, allocated by the writer, freed after the flush) was handed back
// (trimmed off the heap top) and the next one page-faulted it in again: ~38%
// of the append writer's CPU was in page faults (perf, 200k synced appends),
// the writer's CPU per event fell by ~1.5-2.5 us and the process's by 2-4 us
// with it (bench_log), at +60 MiB of RSS. Sets M_TRIM_THRESHOLD to at least
// max(kMinTrimThreshold, 2 x write_buffer_bytes) (a freed memtable and a
// batch beside it) and M_MMAP_THRESHOLD to 32 MiB (glibc's maximum), so that
// the write batches and the index helper's buffers (up to tens of MB) come
// from the heap and are reused instead of being mapped and faulted in anew
// each time. No-op without glibc.
void KeepFreedMemory(size_t write_buffer_bytes);

// Converts a LevelDB status, naming what was being done.
Status FromLevelDb(const leveldb::Status& s, std::string_view what);

// Perfect Merkle nodes read from N keys at one snapshot.
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
