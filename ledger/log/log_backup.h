// Backup stream encoding and decoding (spec/backup-format.md) and the LevelDB
// side of backups. Internal to ledger/log; the public face is
// ledger/backup.h.
#ifndef UDI_LEDGER_LOG_LOG_BACKUP_H_
#define UDI_LEDGER_LOG_LOG_BACKUP_H_

#include <sodium.h>
#include <zstd.h>

#include <string>
#include <string_view>

#include "ledger/backup.h"
#include "ledger/log.h"
#include "ledger/log/log_db.h"

namespace ledger::logbackup {

inline constexpr std::string_view kMagic = "udibak1\n";
inline constexpr char kRecordTag = 'K';
inline constexpr char kFileTag = 'F';
inline constexpr char kTrailerTag = 'Z';
// The backup format version written (header "version"); 1 is still read.
inline constexpr int kBackupVersion = 2;

// Calls `sink` with every key/value of a snapshot of `db` taken now, in key
// order (Log::ExportSnapshot of the live log).
Status ExportDb(const logdb::Db& db, const Log::SnapshotSink& sink);

// Writes the uncompressed stream (magic, header, records, files, trailer)
// through a zstd compressor (level 3, frame checksum) to `out`. Add() requires
// strictly ascending keys; AddFile() comes after the last Add(), with names of
// kBackupStateFiles/kBackupSecretFiles in ascending order. Not thread-safe.
class Encoder {
 public:
  Encoder(BackupOutput out, std::string source);
  ~Encoder();
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  Status Add(std::string_view key, std::string_view value);
  Status AddFile(std::string_view name, std::string_view content);
  // Writes the trailer and ends the zstd frame. Corruption when the records
  // lacked an m: key the trailer repeats.
  Result<BackupInfo> Finish();

 private:
  Status Write(std::string_view bytes, bool hash);
  Status Flush(ZSTD_EndDirective mode);

  BackupOutput out_;
  ZSTD_CCtx* cctx_;
  crypto_hash_sha256_state sha_;
  std::string pending_;  // uncompressed bytes not yet compressed
  std::string last_key_;
  bool any_ = false;
  BackupInfo info_;
};

// Reads and checks a backup file, calling `on_record` for every record and
// then `on_file` for every file item, in order (either may be empty). All
// checks of ReadBackupInfo; errors name the path and the offset in the
// uncompressed stream.
using ItemCallback =
    std::function<Status(std::string_view name, std::string_view bytes)>;
Result<BackupInfo> Decode(const std::string& path,
                          const ItemCallback& on_record,
                          const ItemCallback& on_file = nullptr);

// True iff `name` is one of kBackupStateFiles or kBackupSecretFiles.
bool IsBackupFileName(std::string_view name);

// Fills the m: members of `info` from one record (other keys are ignored).
void NoteMetaRecord(std::string_view key, std::string_view value,
                    BackupInfo* info);

}  // namespace ledger::logbackup

#endif  // UDI_LEDGER_LOG_LOG_BACKUP_H_
