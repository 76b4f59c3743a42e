// Backups of a log data dir (issue 7; file format in spec/backup-format.md).
//
// A backup is every LevelDB key and value of one consistent snapshot of the
// data dir (whole committed batches only, so it matches the signed checkpoint
// stored in it), as a zstd-compressed stream of records with a trailer that
// repeats the checkpoint and carries the record count and a SHA-256 of the
// whole uncompressed stream. Restoring rebuilds the LevelDB, then verifies the
// result in full (VerifyDataDir) before declaring it usable.
//
// Besides the log, a backup carries the node's non-secret state files
// (kBackupStateFiles: token hashes, replica key pins, witness alarms and
// cosignatures, capture jobs) so that a restored node resumes service with the
// same tokens and trust. Its secrets (kBackupSecretFiles: node.key,
// witness.key, admin.token) are only included on request, from a stopped data
// dir (spec/backup-format.md §4, deploy/README.md).
//
// Memory: every function streams; none holds more than one record or state
// file plus ~1 MiB of buffers, whatever the size of the log.
//
// Threads: the functions are independent; WriteBackup may run while the log is
// being appended to.
#ifndef UDI_LEDGER_BACKUP_H_
#define UDI_LEDGER_BACKUP_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/log.h"
#include "ledger/status.h"

namespace ledger {

// What a backup (or a data dir) holds: the values of its m: keys.
struct BackupInfo {
  std::string log_format;         // m:version ("1", ...)
  std::string origin;             // m:origin
  std::string verifier_key;       // m:verifier
  uint64_t size = 0;              // m:size
  std::string signed_checkpoint;  // m:checkpoint (C2SP signed note)
  uint64_t records = 0;           // key/value records in the backup
  std::string created_at;         // RFC 3339 (backups only)
  // Data dir files in the backup (or restored), relative paths, ascending.
  std::vector<std::string> files;
  int backup_version = 0;  // header "version" (backups only)
};

// The node's state files a backup carries when they exist, relative to the
// data dir, in ascending order. Restore writes them with mode 0600.
inline constexpr std::array<std::string_view, 5> kBackupStateFiles = {
    "capture-jobs.jsonl", "replicas/pins.json", "tokens.json",
    "witness/alarms.json", "witness/cosigned.json"};
// The node's secrets: only in a backup of a stopped data dir written with
// include_secrets.
inline constexpr std::array<std::string_view, 3> kBackupSecretFiles = {
    "admin.token", "node.key", "witness.key"};

struct BackupOptions {
  // The data dir whose state files (kBackupStateFiles) go into the backup;
  // "" for none (the log only).
  std::string state_dir;
  // Also the secrets (kBackupSecretFiles) of state_dir.
  bool include_secrets = false;
};

// Receives the compressed bytes of a backup as they are produced; a non-OK
// status stops the backup and is returned.
using BackupOutput = std::function<Status(std::string_view bytes)>;

// Backs up a live log from one LevelDB snapshot taken now (Log::ExportSnapshot)
// while appends go on, then the files `options` names (each read whole, as it
// is at that moment; missing ones are skipped). FailedPrecondition when the
// log cannot export; IOError naming a file that exists but cannot be read.
Result<BackupInfo> WriteBackup(const Log& log, const BackupOutput& out,
                               const BackupOptions& options = {});

// Backs up a stopped data dir with its state files (and its secrets when
// `include_secrets`). FailedPrecondition ("... is in use") while a node holds
// it; NotFound when there is no log in `data_dir`.
Result<BackupInfo> WriteBackupOfDataDir(const std::string& data_dir,
                                        const BackupOutput& out,
                                        bool include_secrets = false);

// Checks a backup file completely (zstd frame checksum, record order, count,
// SHA-256, trailer against the m: records) without writing anything.
// Corruption naming the byte offset (in the uncompressed stream) and reason,
// e.g. "backup /x.udibak: truncated at offset 1048576 (no trailer)".
Result<BackupInfo> ReadBackupInfo(const std::string& backup_path);

// The file an unfinished restore leaves in the data dir; a node MUST refuse to
// start on a dir that has it.
inline constexpr std::string_view kRestoreMarker = "RESTORE-INCOMPLETE";

// Rebuilds `data_dir` from the backup at `backup_path`. `data_dir` must not
// exist or be empty (FailedPrecondition naming it otherwise). Writes the
// restore marker first, imports every record and writes every file (mode 0600,
// directories 0700, each synced; Corruption as ReadBackupInfo on a damaged
// file, after which the marker stays), migrates a log of an older format to
// the current one (MigrateDataDir: the backup of a node from before an
// upgrade), runs VerifyDataDir (with `expected_verifier` when given) and
// checks that the verified size and checkpoint are the backup's; only then
// removes the marker.
Result<BackupInfo> RestoreBackup(
    const std::string& backup_path, const std::string& data_dir,
    const std::optional<VerifierKey>& expected_verifier = std::nullopt);

// The m: keys of a stopped data dir (records = 0). NotFound when there is no
// log; FailedPrecondition while a node holds it.
Result<BackupInfo> ReadDataDirInfo(const std::string& data_dir);

// The log format version this build writes (m:version), e.g. "1".
std::string CurrentLogFormat();

}  // namespace ledger

#endif  // UDI_LEDGER_BACKUP_H_
