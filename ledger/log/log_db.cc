#include "ledger/log/log_db.h"

#include <leveldb/env.h>

#include <algorithm>
#include <vector>

#include "ledger/log/log_keys.h"

namespace ledger::logdb {

Status FromLevelDb(const leveldb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  std::string msg = std::string(what) + ": leveldb: " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(std::move(msg));
  if (s.IsNotFound()) return Status::NotFound(std::move(msg));
  if (s.IsInvalidArgument()) return Status::InvalidArgument(std::move(msg));
  return Status::IOError(std::move(msg));
}

Status Db::Write(const leveldb::WriteOptions& options,
                 leveldb::WriteBatch* batch, std::string_view what) {
  {
    std::lock_guard lock(wal_mu_);
    if (!wal_damage_.empty()) {
      return Status::IOError(std::string(what) + ": refused: " + wal_damage_);
    }
  }
  const leveldb::Status s = db->Write(options, batch);
  if (s.ok()) return Status::OK();
  Status failed = FromLevelDb(s, what);
  if (!ReplaceWriteAheadLog()) {
    std::lock_guard lock(wal_mu_);
    wal_damage_ = "the write-ahead log of data dir " + dir +
                  " may be damaged by a failed write (" + failed.message() +
                  ") and could not be replaced; restart to recover it";
  }
  return failed;
}

bool Db::ReplaceWriteAheadLog() {
  std::vector<std::string> before;
  if (!env->GetChildren(dir, &before).ok()) return false;
  FlushMemtable();
  std::vector<std::string> after;
  if (!env->GetChildren(dir, &after).ok()) return false;
  std::sort(after.begin(), after.end());
  for (const std::string& name : before) {
    if (name.ends_with(".log") &&
        std::binary_search(after.begin(), after.end(), name)) {
      return false;
    }
  }
  return true;
}

void Db::FlushMemtable() {
  // leveldb::DB has no public flush: CompactRange first writes the memtable to
  // a level-0 table and waits for it, then compacts the given range at the
  // levels holding it. A range past every key of the log (all keys start with
  // a printable family letter) holds nothing, so that second step does no
  // work.
  const leveldb::Slice past_all_keys("\xff\xff\xff\xff", 4);
  db->CompactRange(&past_all_keys, &past_all_keys);
}

Result<std::unique_ptr<Db>> Open(const std::string& dir, bool create,
                                 size_t block_cache_bytes,
                                 size_t write_buffer_bytes, leveldb::Env* env) {
  auto db = std::make_unique<Db>();
  db->dir = dir;
  db->cache.reset(leveldb::NewLRUCache(block_cache_bytes));
  db->filter.reset(leveldb::NewBloomFilterPolicy(10));
  leveldb::Options o;
  if (env != nullptr) o.env = env;
  db->env = o.env;
  // A node creates its log on first start; the offline verifier must never
  // create one.
  o.create_if_missing = create;
  o.error_if_exists = false;
  // Stop on any detected corruption (bad log record, bad table block) instead
  // of skipping it: silently dropping a committed batch would break the hash
  // chain and the signed checkpoint. It also makes compactions verify the
  // block checksums of the tables they read: turned off, the compaction thread
  // did the same work in 1-2% less CPU (session 11, 4M appends replayed, one
  // run each; within the noise).
  o.paranoid_checks = true;
  // Uncompressed blocks cached in memory: tree nodes for proofs and recent
  // entries stay hot.
  o.block_cache = db->cache.get();
  // 10 bits/key (~1% false positives): Get() of tree nodes and of event ids
  // (the duplicate check, which usually misses) skips tables that cannot hold
  // the key.
  o.filter_policy = db->filter.get();
  // A 1000-event batch is ~1.3 MB, a 10000-event one ~13 MB. LevelDB makes a
  // write wait while the previous memtable is still being flushed, so the
  // memtable must hold several large batches. Its size is
  // LogOptions::write_buffer_bytes, by default 256 MiB (session 8; it was 64
  // MiB): at most two memtables in memory, and after a crash up to that much
  // write-ahead log to replay on open.
  // Every memtable flush spans the whole key space (event ids and index keys
  // are random, mixed with the sequential entry and tree keys), so each one is
  // merged through every level; fewer, larger flushes mean fewer merges.
  // Measured with bench_log (synced appends in batches of 10,000, 2 cores, load
  // 4-8, alternating runs; CPU counted until LevelDB is idle again, including
  // the flush of the last memtable, us per event):
  //              1M appends (3 runs each)            2M appends (1 run each)
  //              process      compaction  writer    process  compaction
  //   64 MiB     19.1-22.7    11.6-13.9   5.0-6.4   28.3     19.2
  //   128 MiB    15.8-18.2     8.1-9.2    5.2-6.2
  //   256 MiB    12.1-13.6     4.0-4.5    5.6-6.4   20.7     10.4
  // Write amplification (tables written / stored) at 1M: 3.85x, 2.75x, 1.50x;
  // at 2M 4.81x and 2.59x. LevelDB compacts on one thread, so its CPU per event
  // bounds a steady append rate: at 1M ~75k/s at 64 MiB (below the 100k/s
  // goal whatever the writer does) and ~230k/s at 256 MiB; over the second
  // million (2M minus 1M, the same two level-0 tables pending at both ends for
  // 256 MiB) ~39k/s and ~60k/s: compaction grows with the log either way. The
  // writer pays a little for the deeper skip list (+0-0.5 us). The price:
  // reopening after kill -9 with a full memtable's write-ahead log (48 vs 192
  // MiB) took 1.0-1.6 s vs 4.1-5.4 s and 77 vs 290 MiB of RSS; bench_log's peak
  // RSS rose by ~120 MiB. A node short of memory lowers it (config
  // logWriteBufferBytes). 512 MiB (session 11, the first 4M appends of a
  // bench_log log replayed in synced batches of 10,000 with the keys
  // AppendEvents writes, one run) skipped level 0 (each flush went to level 1)
  // and wrote 7% fewer table bytes, but the writing thread spent 10.4
  // against 5.9-8.1 us per event in DB::Write (write-ahead log and memtable
  // inserts), and memory and reopen time double: not taken.
  // Keeping a flushed memtable's memory in the process (glibc
  // M_TRIM_THRESHOLD 256 MiB, M_MMAP_THRESHOLD 32 MiB) was tried and removed
  // again: no change in CPU per event over 7 alternating pairs of 200k-append
  // runs. Turning glibc's fast bins off (GLIBC_TUNABLES=glibc.malloc.mxfast=0,
  // process-wide, so not set here) cut LevelDB's compaction thread by ~1.2 us
  // per event (it consolidates the writer's freed small chunks while it frees
  // a flushed memtable) and the process by ~1.6 us in 6 of 6 pairs at 64 MiB,
  // the writer +0.3 us; its effect on the rest of the node (ingest) is not
  // measured.
  o.write_buffer_size = write_buffer_bytes;
  // Files of 32 MiB (default 2 MiB) keep a 10M-entry log at a few hundred
  // tables, all of which stay open (the process limit here is 20000
  // descriptors; LevelDB uses up to this many). 8 MiB files wrote as much
  // (3.92x vs 3.91x at 1M appends) and compacted at the same CPU per event.
  // 64, 128 and 256 MiB (session 11, 4M appends replayed as for the memtable
  // above) wrote 1%, 1% and 6% fewer table bytes (5105, 5133 and 4870 MB
  // against 5166 MB) in the same compaction CPU within the noise (runs of one
  // setting differ by up to 20%); a 256 MiB file makes one level-to-level
  // compaction up to 11 x 256 MiB, tens of seconds in which level 0 can reach
  // LevelDB's 12-table write stop at 100k appends/s. The level sizes (10 MiB
  // times 10 per level), the level-0 trigger (4 tables) and the single
  // compaction thread are fixed in LevelDB 1.23, so no option here changes how
  // a growing log's random keys (I, X) are merged through every level
  // (ledger/log/README.md, "Compaction as the log grows").
  o.max_file_size = 32 << 20;
  o.max_open_files = 2000;
  // Blocks are Snappy-compressed: the JSON entries shrink about 2x at low CPU
  // cost, and LevelDB stores a block uncompressed when Snappy saves less than
  // 1/8 (hash-only node blocks), so hashes cost nothing. Debian's LevelDB has
  // no zstd; compressing values with zstd in the application would put
  // compression on the single writer thread and gains little over Snappy blocks
  // for values of ~1 KB without a shared dictionary, so values are stored as
  // they are. Without compression (measured, 1M appends) the tables were 2.2x
  // larger (770 vs 342 MB), compactions wrote 2.2x more and took more CPU per
  // event (17 vs 14 us), although Snappy is ~40% of the compaction thread's
  // profile. The block size stays LevelDB's 4 KiB: it sets what a proof's or
  // trace's point read decompresses and checksums per key. 8 and 16 KiB
  // blocks (session 11, 4M appends replayed) compressed the entries better
  // (tables 8% and 12.5% smaller) and wrote 5% and 8% fewer table bytes, at no
  // less compaction CPU, while a random point read of a tree node (a proof's
  // leaf sibling) took 6.4 and 8.3 us of CPU against 4.5-4.6 us, and of an
  // entry 11.8 and 14.2 against 9.7-10.0 us.
  o.compression = leveldb::kSnappyCompression;
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(o, dir, &raw);
  if (!s.ok()) {
    const std::string text = s.ToString();
    if (s.IsIOError() && text.find("/LOCK") != std::string::npos) {
      return Status::FailedPrecondition(
          "data dir " + dir + " is in use by another process (" + text + ")");
    }
    if (!create && s.IsInvalidArgument() &&
        text.find("does not exist") != std::string::npos) {
      return Status::NotFound("data dir " + dir + ": no log there (" + text +
                              ")");
    }
    return FromLevelDb(s, "opening data dir " + dir);
  }
  db->db.reset(raw);
  return db;
}

leveldb::ReadOptions Db::ReadOptions(const leveldb::Snapshot* snapshot) const {
  leveldb::ReadOptions r;
  // Check block CRCs on every read from disk, so a flipped bit is reported,
  // never served.
  r.verify_checksums = true;
  r.snapshot = snapshot;
  return r;
}

Result<std::optional<std::string>> Db::Get(
    std::string_view key, const leveldb::Snapshot* snapshot) const {
  std::string value;
  leveldb::Status s = db->Get(ReadOptions(snapshot),
                              leveldb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromLevelDb(s, "reading " + logkeys::Describe(key));
  return std::optional<std::string>(std::move(value));
}

bool AtEntry(leveldb::Iterator* it, uint64_t index) {
  while (it->Valid()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (auto i = logkeys::ParseEntryKey(key)) return *i == index;
    if (!logkeys::ParseNodeKey(key)) return false;
    it->Next();
  }
  return false;
}

Result<Hash> NodeReader::PerfectNode(int level, uint64_t index) const {
  const std::string key = logkeys::NodeKey(level, index);
  auto v = db_->Get(key, snapshot_);
  if (!v.ok()) return v.status();
  if (!v->has_value()) {
    return Status::Corruption("merkle node (level " + std::to_string(level) +
                              ", index " + std::to_string(index) +
                              ") not stored");
  }
  if ((*v)->size() != 32) {
    return Status::Corruption("merkle node (level " + std::to_string(level) +
                              ", index " + std::to_string(index) + ") has " +
                              std::to_string((*v)->size()) + " bytes, want 32");
  }
  Hash h;
  std::copy((*v)->begin(), (*v)->end(), h.begin());
  return h;
}

}  // namespace ledger::logdb
