#include "scanners/station/spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "ledger/bytes.h"

namespace station {

namespace {

using ledger::Result;
using ledger::Status;

void PutU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint32_t GetU32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string Checksum(std::string_view payload) {
  const ledger::Hash h = ledger::Sha256(payload);
  return std::string(reinterpret_cast<const char*>(h.data()), 8);
}

bool AllZero(std::string_view s) {
  return s.find_first_not_of('\0') == std::string_view::npos;
}

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

Result<std::string> ReadWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno(path);
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Errno(path);
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

Status WriteAll(int fd, std::string_view bytes, const std::string& what) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno(what);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status FsyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno(dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : Errno("fsync " + dir);
}

// The cursor file, or a zero cursor when it does not exist.
Result<SpoolCursor> ReadCursor(const std::string& dir) {
  const std::string path = dir + "/cursor";
  if (!std::filesystem::exists(path)) return SpoolCursor{};
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  std::istringstream in(*text);
  std::string magic;
  int version = 0;
  SpoolCursor c;
  if (!(in >> magic >> version >> c.offset >> c.delivered) ||
      magic != "udi-spool-cursor" || version != 1) {
    return Status::Corruption(
        path + ": not \"udi-spool-cursor 1 <offset> <delivered>\"");
  }
  return c;
}

std::string LogPath(const std::string& dir) { return dir + "/spool.log"; }

}  // namespace

std::string EncodeSpoolRecord(std::string_view payload) {
  std::string out;
  out.reserve(kSpoolHeaderBytes + payload.size());
  PutU32(&out, kSpoolMagic);
  PutU32(&out, static_cast<uint32_t>(payload.size()));
  out += Checksum(payload);
  out.append(payload);
  return out;
}

Result<SpoolScan> ScanSpoolBytes(std::string_view data, uint64_t from) {
  SpoolScan scan;
  uint64_t pos = from;
  while (pos < data.size()) {
    const std::string_view rest = data.substr(pos);
    const std::string at = "spool.log: record at byte " + std::to_string(pos);
    if (rest.size() < kSpoolHeaderBytes) break;  // a torn header
    const uint32_t magic = GetU32(rest);
    const uint32_t len = GetU32(rest.substr(4));
    if (magic != kSpoolMagic || len == 0 || len > kMaxRecordBytes) {
      if (AllZero(rest))
        break;  // space the file system allocated, never written
      return Status::Corruption(at + ": bad header (magic " +
                                std::to_string(magic) + ", length " +
                                std::to_string(len) + ")");
    }
    if (rest.size() < kSpoolHeaderBytes + len) break;  // a torn payload
    const std::string_view payload = rest.substr(kSpoolHeaderBytes, len);
    if (Checksum(payload) != rest.substr(8, 8)) {
      if (rest.size() == kSpoolHeaderBytes + len)
        break;  // the last record, torn
      return Status::Corruption(at + ": checksum mismatch");
    }
    const uint64_t end = pos + kSpoolHeaderBytes + len;
    scan.records.push_back({pos, end, std::string(payload)});
    pos = end;
  }
  scan.valid_end = pos;
  scan.torn_tail_bytes = data.size() > pos ? data.size() - pos : 0;
  return scan;
}

Result<SpoolInspection> InspectSpool(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) {
    return Status::NotFound(dir + ": no spool directory");
  }
  SpoolInspection out;
  auto cursor = ReadCursor(dir);
  if (!cursor.ok()) return cursor.status();
  out.cursor = *cursor;
  std::string data;
  if (std::filesystem::exists(LogPath(dir))) {
    auto read = ReadWholeFile(LogPath(dir));
    if (!read.ok()) return read.status();
    data = std::move(*read);
  }
  out.file_bytes = data.size();
  const uint64_t from = std::min<uint64_t>(out.cursor.offset, data.size());
  auto scan = ScanSpoolBytes(data, from);
  if (!scan.ok()) return scan.status();
  out.torn_tail_bytes = scan->torn_tail_bytes;
  out.pending = std::move(scan->records);
  return out;
}

Result<std::unique_ptr<Spool>> Spool::Open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(dir + ": " + ec.message());
  std::unique_ptr<Spool> s(new Spool());
  s->dir_ = dir;
  s->lock_fd_ =
      ::open((dir + "/LOCK").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (s->lock_fd_ < 0) return Errno(dir + "/LOCK");
  if (::flock(s->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status::FailedPrecondition(
        dir + "/LOCK: the spool is in use by another process");
  }
  const std::string log = LogPath(dir);
  s->log_fd_ = ::open(log.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (s->log_fd_ < 0) return Errno(log);
  auto data = ReadWholeFile(log);
  if (!data.ok()) return data.status();
  auto scan = ScanSpoolBytes(*data, 0);
  if (!scan.ok()) return scan.status();
  if (scan->torn_tail_bytes > 0) {
    if (::ftruncate(s->log_fd_, static_cast<off_t>(scan->valid_end)) != 0 ||
        ::fdatasync(s->log_fd_) != 0) {
      return Errno(log + ": cutting the torn tail");
    }
  }
  s->recovered_torn_bytes_ = scan->torn_tail_bytes;
  s->end_ = scan->valid_end;
  auto cursor = ReadCursor(dir);
  if (!cursor.ok()) return cursor.status();
  s->cursor_ = *cursor;
  if (s->cursor_.offset > s->end_) {
    return Status::Corruption(dir + "/cursor: offset " +
                              std::to_string(s->cursor_.offset) +
                              " is past the end of spool.log (" +
                              std::to_string(s->end_) + " bytes)");
  }
  bool on_boundary = s->cursor_.offset == 0;
  for (const auto& r : scan->records) {
    if (r.offset >= s->cursor_.offset) ++s->pending_;
    if (r.end == s->cursor_.offset) on_boundary = true;
  }
  if (!on_boundary) {
    return Status::Corruption(dir + "/cursor: offset " +
                              std::to_string(s->cursor_.offset) +
                              " is not a record boundary");
  }
  if (::lseek(s->log_fd_, static_cast<off_t>(s->end_), SEEK_SET) < 0)
    return Errno(log);
  return s;
}

Spool::~Spool() {
  if (log_fd_ >= 0) ::close(log_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Status Spool::GroupCommit(std::string bytes, size_t records) {
  Commit me;
  me.bytes = std::move(bytes);
  me.records = records;
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&me);
  committed_.wait(lock, [&] { return me.done || !writing_; });
  if (me.done) return me.status;
  // Leader: take every queued append (ours included) and make them durable at
  // once.
  writing_ = true;
  std::vector<Commit*> group(queue_.begin(), queue_.end());
  queue_.clear();
  std::string all;
  size_t count = 0;
  for (Commit* c : group) {
    all += c->bytes;
    count += c->records;
  }
  const uint64_t start = end_;
  lock.unlock();
  const std::string log = LogPath(dir_);
  Status st = WriteAll(log_fd_, all, log);
  if (st.ok() && ::fdatasync(log_fd_) != 0) st = Errno("fdatasync " + log);
  if (!st.ok()) {
    // Never leave a half record behind a later good one: cut back to the last
    // whole record.
    if (::ftruncate(log_fd_, static_cast<off_t>(start)) != 0 ||
        ::lseek(log_fd_, static_cast<off_t>(start), SEEK_SET) < 0) {
      st = st.WithPrefix("and cutting back failed too");
    }
  }
  lock.lock();
  if (st.ok()) {
    end_ += all.size();
    pending_ += count;
  }
  for (Commit* c : group) {
    c->status = st;
    c->done = true;
  }
  writing_ = false;
  committed_.notify_all();
  return me.status;
}

Status Spool::Append(std::string_view payload) {
  if (payload.empty() || payload.size() > kMaxRecordBytes) {
    return Status::InvalidArgument(
        "spool record: " + std::to_string(payload.size()) + " bytes, want 1.." +
        std::to_string(kMaxRecordBytes));
  }
  return GroupCommit(EncodeSpoolRecord(payload), 1);
}

Status Spool::AppendBatch(const std::vector<std::string>& payloads) {
  std::string bytes;
  for (size_t i = 0; i < payloads.size(); ++i) {
    if (payloads[i].empty() || payloads[i].size() > kMaxRecordBytes) {
      return Status::InvalidArgument("spool record " + std::to_string(i) +
                                     ": " + std::to_string(payloads[i].size()) +
                                     " bytes, want 1.." +
                                     std::to_string(kMaxRecordBytes));
    }
    bytes += EncodeSpoolRecord(payloads[i]);
  }
  if (bytes.empty()) return Status::OK();
  return GroupCommit(std::move(bytes), payloads.size());
}

Result<std::vector<SpoolRecord>> Spool::ReadPending(size_t max_records) const {
  uint64_t from = 0, end = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    from = cursor_.offset;
    end = end_;
  }
  std::vector<SpoolRecord> out;
  std::string header(kSpoolHeaderBytes, '\0');
  while (from < end && out.size() < max_records) {
    if (::pread(log_fd_, header.data(), kSpoolHeaderBytes,
                static_cast<off_t>(from)) !=
        static_cast<ssize_t>(kSpoolHeaderBytes)) {
      return Errno("spool.log: reading the record at byte " +
                   std::to_string(from));
    }
    const uint32_t len = GetU32(std::string_view(header).substr(4));
    std::string payload(len, '\0');
    if (len > kMaxRecordBytes ||
        ::pread(log_fd_, payload.data(), len,
                static_cast<off_t>(from + kSpoolHeaderBytes)) !=
            static_cast<ssize_t>(len) ||
        Checksum(payload) != std::string_view(header).substr(8, 8)) {
      return Status::Corruption("spool.log: record at byte " +
                                std::to_string(from) + " changed on disk");
    }
    const uint64_t next = from + kSpoolHeaderBytes + len;
    out.push_back({from, next, std::move(payload)});
    from = next;
  }
  return out;
}

Status Spool::WriteCursorLocked(const SpoolCursor& c) {
  const std::string path = dir_ + "/cursor";
  const std::string tmp = path + ".tmp";
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(tmp);
  const std::string text = "udi-spool-cursor 1 " + std::to_string(c.offset) +
                           " " + std::to_string(c.delivered) + "\n";
  Status st = WriteAll(fd, text, tmp);
  if (st.ok() && ::fsync(fd) != 0) st = Errno("fsync " + tmp);
  ::close(fd);
  LEDGER_RETURN_IF_ERROR(st);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Errno("rename " + tmp);
  return FsyncDir(dir_);
}

Status Spool::MarkDelivered(uint64_t end, uint64_t count) {
  std::unique_lock<std::mutex> lock(mu_);
  if (end < cursor_.offset || end > end_ || count > pending_) {
    return Status::Internal("spool: MarkDelivered(" + std::to_string(end) +
                            ", " + std::to_string(count) + ") outside [" +
                            std::to_string(cursor_.offset) + ", " +
                            std::to_string(end_) + "]");
  }
  SpoolCursor next{end, cursor_.delivered + count};
  LEDGER_RETURN_IF_ERROR(WriteCursorLocked(next));
  cursor_ = next;
  pending_ -= count;
  committed_.wait(
      lock, [&] { return !writing_; });  // compaction must not race a leader
  if (pending_ == 0 && end_ > kCompactBytes) {
    // Cursor first, then the file: a crash in between re-sends only duplicates.
    SpoolCursor reset{0, cursor_.delivered};
    LEDGER_RETURN_IF_ERROR(WriteCursorLocked(reset));
    cursor_ = reset;
    if (::ftruncate(log_fd_, 0) != 0 || ::lseek(log_fd_, 0, SEEK_SET) < 0 ||
        ::fdatasync(log_fd_) != 0) {
      return Errno("spool.log: compacting");
    }
    end_ = 0;
  }
  return Status::OK();
}

uint64_t Spool::pending_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_;
}

SpoolCursor Spool::cursor() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cursor_;
}

}  // namespace station
