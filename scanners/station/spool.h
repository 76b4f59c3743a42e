// The station's store-and-forward spool: an append-only file of records that
// survives SIGKILL and power loss, plus a delivery cursor.
//
// Directory layout (format version 1):
//   DIR/spool.log   records, back to back:
//                     u32 magic 0x55535031 ("USP1"), big-endian
//                     u32 payload length N (1 .. kMaxRecordBytes), big-endian
//                     8 bytes: the first 8 bytes of SHA-256(payload)
//                     N bytes payload
//   DIR/cursor      "udi-spool-cursor 1 <offset> <records delivered>\n",
//   replaced
//                   atomically (write temp, fsync, rename, fsync DIR). <offset>
//                   is the byte offset in spool.log of the first record not yet
//                   delivered.
//   DIR/LOCK        flock()ed by the one process that opened the spool for
//                   writing.
//
// Durability: Append() returns OK only after the record is written and
// fdatasync()ed, so a scan acknowledged to the operator survives a crash.
// Recovery: Open() scans spool.log from the start; the first record that is
// incomplete or whose checksum does not match, when nothing but that record (or
// zero bytes) follows it, is a torn tail from a crash during Append and is cut
// off (the file is truncated to the last whole record). Anything else that does
// not parse is Corruption naming the byte offset; we never drop a record that
// was acknowledged.
// Compaction: when every record has been delivered and spool.log is larger than
// kCompactBytes, the cursor is first reset to 0 and then the file truncated (a
// crash in between only re-sends delivered records, which the node answers
// "duplicate").
//
// Threads: Append/AppendBatch/pending_count/cursor are thread-safe. Concurrent
// appends are group-committed: one caller (the leader) writes every queued
// record with one write and one fdatasync while the others wait for its result,
// so N scanners cost one fsync, not N. ReadPending and MarkDelivered are called
// by one delivery thread.
#ifndef UDI_SCANNERS_STATION_SPOOL_H_
#define UDI_SCANNERS_STATION_SPOOL_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace station {

constexpr uint32_t kSpoolMagic = 0x55535031;  // "USP1"
constexpr size_t kSpoolHeaderBytes = 16;
constexpr uint32_t kMaxRecordBytes = 1 << 20;
constexpr uint64_t kCompactBytes = 64 << 20;

// Encodes one record (header + payload), as Append writes it.
std::string EncodeSpoolRecord(std::string_view payload);

struct SpoolRecord {
  uint64_t offset = 0;  // where the record starts in spool.log
  uint64_t end = 0;     // offset of the next record
  std::string payload;
};

// What a pass over spool.log found.
struct SpoolScan {
  std::vector<SpoolRecord> records;  // whole records from `from`, in order
  uint64_t valid_end = 0;            // end of the last whole record
  uint64_t torn_tail_bytes = 0;  // bytes after valid_end that are a torn tail
};

// Reads whole records of `data` starting at byte `from`. Corruption naming the
// offset when an invalid record is followed by more data (not a torn tail).
// Pure.
ledger::Result<SpoolScan> ScanSpoolBytes(std::string_view data, uint64_t from);

struct SpoolCursor {
  uint64_t offset = 0;
  uint64_t delivered = 0;  // records delivered since the spool was created
};

// A read-only view for `ledger-scan status`: pending records and the cursor.
// Does not take the lock and does not modify anything; a record being written
// at this moment shows as a torn tail.
struct SpoolInspection {
  SpoolCursor cursor;
  uint64_t file_bytes = 0;
  uint64_t torn_tail_bytes = 0;
  std::vector<SpoolRecord> pending;
};
ledger::Result<SpoolInspection> InspectSpool(const std::string& dir);

class Spool {
 public:
  // Creates DIR if needed, takes DIR/LOCK (FailedPrecondition if another
  // process holds it), recovers a torn tail (see above) and reads the cursor.
  static ledger::Result<std::unique_ptr<Spool>> Open(const std::string& dir);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends one record and fdatasync()s it before returning. InvalidArgument
  // for an empty or too large payload, IOError when the disk fails (the file
  // is then cut back to the last whole record).
  ledger::Status Append(std::string_view payload);
  // Same for several payloads with one fdatasync (group commit).
  ledger::Status AppendBatch(const std::vector<std::string>& payloads);

  // Up to `max_records` undelivered records in order, from the cursor.
  ledger::Result<std::vector<SpoolRecord>> ReadPending(
      size_t max_records) const;
  // Marks every record before `end` delivered (`count` of them since the
  // cursor), durably. `end` MUST be a record boundary returned by ReadPending.
  ledger::Status MarkDelivered(uint64_t end, uint64_t count);

  uint64_t pending_count() const;
  SpoolCursor cursor() const;
  uint64_t recovered_torn_bytes() const { return recovered_torn_bytes_; }
  const std::string& dir() const { return dir_; }

 private:
  Spool() = default;
  struct Commit {
    std::string bytes;
    size_t records = 0;
    bool done = false;
    ledger::Status status;
  };
  ledger::Status WriteCursorLocked(const SpoolCursor& cursor);
  // Queues `bytes` and returns once they are durable (or failed), leading the
  // group commit when no other caller is writing.
  ledger::Status GroupCommit(std::string bytes, size_t records);

  std::string dir_;
  int lock_fd_ = -1;
  int log_fd_ = -1;
  uint64_t recovered_torn_bytes_ = 0;
  mutable std::mutex mu_;  // protects end_, cursor_, pending_, queue_, writing_
  std::condition_variable committed_;
  std::deque<Commit*> queue_;  // appends waiting for the next group commit
  bool writing_ = false;  // a leader is writing: only it touches the log's tail
  uint64_t end_ = 0;
  SpoolCursor cursor_;
  uint64_t pending_ = 0;
};

}  // namespace station

#endif  // UDI_SCANNERS_STATION_SPOOL_H_
