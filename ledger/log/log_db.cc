#include "ledger/log/log_db.h"

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

Result<std::unique_ptr<Db>> Open(const std::string& dir, bool create,
                                 size_t block_cache_bytes,
                                 size_t write_buffer_bytes) {
  auto db = std::make_unique<Db>();
  db->dir = dir;
  db->cache.reset(leveldb::NewLRUCache(block_cache_bytes));
  db->filter.reset(leveldb::NewBloomFilterPolicy(10));
  leveldb::Options o;
  // A node creates its log on first start; the offline verifier must never
  // create one.
  o.create_if_missing = create;
  o.error_if_exists = false;
  // Stop on any detected corruption (bad log record, bad table block) instead
  // of skipping it: silently dropping a committed batch would break the hash
  // chain and the signed checkpoint.
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
  // memtable must hold several large batches: 64 MiB (two of them at most in
  // memory, plus up to 64 MiB of write-ahead log to replay on open) by default
  // (LogOptions::write_buffer_bytes).
  // Measured (bench_log, 1M synced appends in batches of 10,000, 2 cores, load
  // 7-12; compaction CPU counted until LevelDB is idle again): every memtable
  // flush spans the whole key space (event ids and index keys are random), so
  // each one is merged through every level; tables written / stored = 3.9x at
  // 64 MiB, LevelDB's compaction thread ~14 us of CPU per event. 128 MiB gave
  // 2.9x and ~12 us, but the writer's and the process's CPU per event did not
  // fall measurably (the runs drift by more than that), for +128 MiB of memory
  // at peak and twice the log to replay on open, so the default stays 64 MiB;
  // a node that appends steadily may pass 128 MiB. Keeping a flushed
  // memtable's memory in the process (glibc M_TRIM_THRESHOLD 256 MiB,
  // M_MMAP_THRESHOLD 32 MiB) was tried and removed again: no change in CPU per
  // event over 7 alternating pairs of 200k-append runs. Turning glibc's fast
  // bins off (GLIBC_TUNABLES=glibc.malloc.mxfast=0, process-wide, so not set
  // here) cut LevelDB's compaction thread by ~1.2 us per event (it consolidates
  // the writer's freed small chunks while it frees a flushed memtable) and the
  // process by ~1.6 us in 6 of 6 pairs, the writer +0.3 us; its effect on the
  // rest of the node (ingest) is not measured.
  o.write_buffer_size = write_buffer_bytes;
  // Files of 32 MiB (default 2 MiB) keep a 10M-entry log at a few hundred
  // tables, all of which stay open (the process limit here is 20000
  // descriptors; LevelDB uses up to this many). 8 MiB files wrote as much
  // (3.92x vs 3.91x at 1M appends) and compacted at the same CPU per event.
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
  // trace's point read decompresses and checksums per key (not measured at
  // other sizes).
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
