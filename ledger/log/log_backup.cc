// Backups of a log data dir: export from a LevelDB snapshot, restore into a
// fresh LevelDB, then full verification (ledger/backup.h).
#include "ledger/log/log_backup.h"

#include <fcntl.h>
#include <leveldb/write_batch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledger/log/log_keys.h"

namespace ledger {

namespace logbackup {

Status ExportDb(const logdb::Db& db, const Log::SnapshotSink& sink) {
  std::shared_ptr<const leveldb::Snapshot> snapshot(
      db.db->GetSnapshot(),
      [&db](const leveldb::Snapshot* s) { db.db->ReleaseSnapshot(s); });
  leveldb::ReadOptions options = db.ReadOptions(snapshot.get());
  // A backup reads everything once: do not evict the serving working set.
  options.fill_cache = false;
  std::unique_ptr<leveldb::Iterator> it(db.db->NewIterator(options));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    LEDGER_RETURN_IF_ERROR(
        sink(std::string_view(it->key().data(), it->key().size()),
             std::string_view(it->value().data(), it->value().size())));
  }
  return logdb::FromLevelDb(it->status(), "backup: reading " + db.dir);
}

}  // namespace logbackup

namespace {

constexpr size_t kCacheBytes = 8 << 20;
constexpr size_t kBatchBytes = 4 << 20;

// The names of the files of `options` to back up, ascending.
std::vector<std::string_view> FileNames(const BackupOptions& options) {
  std::vector<std::string_view> names;
  if (options.state_dir.empty()) return names;
  names.assign(kBackupStateFiles.begin(), kBackupStateFiles.end());
  if (options.include_secrets) {
    names.insert(names.end(), kBackupSecretFiles.begin(),
                 kBackupSecretFiles.end());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Adds each existing file of `options` to `encoder`.
Status AddFiles(const BackupOptions& options, logbackup::Encoder* encoder) {
  for (std::string_view name : FileNames(options)) {
    std::string path = options.state_dir + "/" + std::string(name);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) continue;
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    if (!in) return Status::IOError("backup: " + path + ": cannot read");
    LEDGER_RETURN_IF_ERROR(encoder->AddFile(name, content.str()));
  }
  return Status::OK();
}

Result<BackupInfo> Encode(
    const std::string& source, const BackupOutput& out,
    const BackupOptions& options,
    const std::function<Status(const Log::SnapshotSink&)>& export_all) {
  logbackup::Encoder encoder(out, source);
  LEDGER_RETURN_IF_ERROR(
      export_all([&encoder](std::string_view key, std::string_view value) {
        return encoder.Add(key, value);
      }));
  LEDGER_RETURN_IF_ERROR(AddFiles(options, &encoder));
  return encoder.Finish();
}

// Writes a restored file (mode 0600, synced) under `dir`, creating its
// directory (0700). The name was checked by the decoder (IsBackupFileName).
Status WriteRestoredFile(const std::string& dir, std::string_view name,
                         std::string_view content) {
  std::string path = dir + "/" + std::string(name);
  std::string parent = std::filesystem::path(path).parent_path().string();
  if (parent != dir && ::mkdir(parent.c_str(), 0700) != 0 && errno != EEXIST)
    return Status::IOError("restore: " + parent + ": cannot create");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("restore: " + path + ": cannot create");
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  bool ok = done == content.size() && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok) return Status::IOError("restore: " + path + ": write failed");
  return Status::OK();
}

Status CheckEmptyDir(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IOError("--data " + dir + ": " + ec.message());
    return Status::OK();
  }
  if (!std::filesystem::is_directory(dir, ec) ||
      !std::filesystem::is_empty(dir, ec)) {
    return Status::FailedPrecondition(
        "--data " + dir +
        ": exists and is not an empty directory (restore only into a new "
        "directory)");
  }
  return Status::OK();
}

Status WriteMarker(const std::string& path) {
  std::ofstream f(path, std::ios::trunc);
  f << "a restore into this directory has not finished; run ledgerctl "
       "restore again into an empty directory\n";
  f.close();
  if (!f) return Status::IOError(path + ": cannot write");
  return Status::OK();
}

// Writes every record into a new LevelDB in `dir`, in batches.
Result<BackupInfo> Import(const std::string& backup_path,
                          const std::string& dir) {
  auto db = logdb::Open(dir, true, kCacheBytes);
  if (!db.ok()) return db.status();
  leveldb::WriteBatch batch;
  auto flush = [&](bool sync) -> Status {
    leveldb::WriteOptions w;
    w.sync = sync;
    Status st = (*db)->Write(w, &batch, "restore: writing " + dir);
    batch.Clear();
    return st;
  };
  auto info = logbackup::Decode(
      backup_path,
      [&](std::string_view key, std::string_view value) {
        batch.Put(leveldb::Slice(key.data(), key.size()),
                  leveldb::Slice(value.data(), value.size()));
        if (batch.ApproximateSize() >= kBatchBytes) return flush(false);
        return Status::OK();
      },
      [&dir](std::string_view name, std::string_view content) {
        return WriteRestoredFile(dir, name, content);
      });
  if (!info.ok()) return info.status();
  LEDGER_RETURN_IF_ERROR(flush(true));
  return info;
}

}  // namespace

Result<BackupInfo> WriteBackup(const Log& log, const BackupOutput& out,
                               const BackupOptions& options) {
  return Encode("node", out, options, [&log](const Log::SnapshotSink& sink) {
    return log.ExportSnapshot(sink);
  });
}

Result<BackupInfo> WriteBackupOfDataDir(const std::string& data_dir,
                                        const BackupOutput& out,
                                        bool include_secrets) {
  auto db = logdb::Open(data_dir, false, kCacheBytes);
  if (!db.ok()) return db.status();
  BackupOptions options;
  options.state_dir = data_dir;
  options.include_secrets = include_secrets;
  return Encode("data-dir", out, options, [&db](const Log::SnapshotSink& sink) {
    return logbackup::ExportDb(**db, sink);
  });
}

Result<BackupInfo> ReadBackupInfo(const std::string& backup_path) {
  return logbackup::Decode(backup_path, nullptr);
}

Result<BackupInfo> RestoreBackup(
    const std::string& backup_path, const std::string& data_dir,
    const std::optional<VerifierKey>& expected_verifier) {
  LEDGER_RETURN_IF_ERROR(CheckEmptyDir(data_dir));
  std::string marker = data_dir + "/" + std::string(kRestoreMarker);
  LEDGER_RETURN_IF_ERROR(WriteMarker(marker));
  auto info = Import(backup_path, data_dir);
  if (!info.ok()) return info.status();
  if (info->log_format != CurrentLogFormat()) {
    // Refuses a newer format (FailedPrecondition naming it).
    LEDGER_RETURN_IF_ERROR(MigrateDataDir(data_dir).WithPrefix(
        "restore: migrating " + data_dir + " from log format " +
        info->log_format));
  }
  auto report = expected_verifier ? VerifyDataDir(data_dir, *expected_verifier)
                                  : VerifyDataDir(data_dir);
  if (!report.ok()) {
    return report.status().WithPrefix("restore: verifying " + data_dir);
  }
  if (report->size != info->size) {
    return Status::Corruption("restore: verified size " +
                              std::to_string(report->size) +
                              " differs from the backup's checkpoint size " +
                              std::to_string(info->size));
  }
  std::error_code ec;
  std::filesystem::remove(marker, ec);
  if (ec) return Status::IOError(marker + ": " + ec.message());
  return info;
}

Result<BackupInfo> ReadDataDirInfo(const std::string& data_dir) {
  auto db = logdb::Open(data_dir, false, kCacheBytes);
  if (!db.ok()) return db.status();
  BackupInfo info;
  for (std::string_view key :
       {logkeys::kVersionKey, logkeys::kOriginKey, logkeys::kVerifierKey,
        logkeys::kSizeKey, logkeys::kCheckpointKey}) {
    auto value = (*db)->Get(key);
    if (!value.ok()) return value.status();
    if (*value) logbackup::NoteMetaRecord(key, **value, &info);
  }
  return info;
}

std::string CurrentLogFormat() { return std::string(logkeys::kFormatVersion); }

}  // namespace ledger
