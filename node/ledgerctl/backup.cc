// ledgerctl backup / restore: consistent, zstd-compressed snapshots of a log
// (ledger/backup.h, spec/backup-format.md).
#include "ledger/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "node/ledgerctl/backup_download.h"
#include "node/ledgerctl/client_common.h"
#include "node/ledgerctl/commands.h"

namespace ledgerctl {
namespace {

constexpr char kBackupUsage[] =
    R"(Usage: ledgerctl backup --node URL [--token TOKEN] OUT
       ledgerctl backup --data DIR [--include-secrets] OUT

Writes a consistent, zstd-compressed backup of a node to OUT: every LevelDB
key and value of one snapshot of its log (whole committed batches), with the
signed checkpoint it corresponds to, and the node's state files (tokens.json,
replicas/pins.json, witness/alarms.json, witness/cosigned.json,
capture-jobs.jsonl; spec/backup-format.md). The bytes are written to
OUT.partial (mode 0600) as they arrive, in bounded memory whatever the size of
the log; the file is synced, checked completely, then renamed to OUT.

  --node URL          a running node (http://HOST:PORT); needs an admin token
                      (--token, or $UDI_TOKEN); the node keeps serving
  --token TOKEN       admin bearer token
  --data DIR          a stopped node's data directory
  --include-secrets   (--data only) also node.key, witness.key and
                      admin.token: the file then holds the node's signing
                      keys; store it like the keys themselves
  --help              this text

Without --include-secrets the backup holds no secret: keep a copy of node.key
apart (a node on a restored directory needs it to append to the same log).
Prints {"file", "size", "records", "logFormat", "origin", "checkpoint",
"files"}.
Exit status: 0 written and checked, 1 failed, 2 usage error.
)";

constexpr char kRestoreUsage[] =
    R"(Usage: ledgerctl restore FILE --data DIR [--verifier-key KEY]

Rebuilds a node's data directory DIR (which must not exist or be empty) from
the backup FILE, then verifies it in full (as "ledgerctl verify"). Until that
succeeds DIR holds RESTORE-INCOMPLETE and ledger-node refuses to start on it.
The node's state files in the backup are restored with it (mode 0600). Then,
unless the backup was made with --include-secrets, copy the node's node.key
(and witness.key) into DIR, and start the node.

  --data DIR          the directory to create
  --verifier-key KEY  also require the log's checkpoint key to be KEY (text,
                      or a file holding it)
  --help              this text

Prints {"data", "size", "records", "logFormat", "origin", "checkpoint",
"files"}.
Exit status: 0 restored and verified, 1 failed (the reason names the offset
or entry), 2 usage error.
)";

int Usage(const char* command, const char* usage, const std::string& problem) {
  std::fprintf(stderr, "ledgerctl %s: %s\n\n%s", command, problem.c_str(),
               usage);
  return 2;
}

int Failed(const char* command, const ledger::Status& status) {
  std::fprintf(stderr, "ledgerctl %s: %s\n", command, status.message().c_str());
  return 1;
}

void PrintInfo(const std::string& what, const std::string& where,
               const ledger::BackupInfo& info) {
  nlohmann::ordered_json j;
  j[what] = where;
  j["size"] = info.size;
  j["records"] = info.records;
  j["logFormat"] = info.log_format;
  j["origin"] = info.origin;
  j["checkpoint"] = info.signed_checkpoint;
  j["files"] = info.files;
  std::printf("%s\n", j.dump().c_str());
}

// Writes every byte given to it to a file, as it comes (no buffering here).
class FileSink {
 public:
  explicit FileSink(std::string path) : path_(std::move(path)) {
    // 0600: a backup may hold secrets (--include-secrets) and always holds
    // the log.
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  }
  ~FileSink() {
    if (fd_ >= 0) ::close(fd_);
  }
  ledger::Status status() const {
    return fd_ >= 0 ? ledger::Status::OK()
                    : ledger::Status::IOError(path_ + ": cannot create");
  }
  ledger::Status Write(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n <= 0) return ledger::Status::IOError(path_ + ": write failed");
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return ledger::Status::OK();
  }
  // fsync and close.
  ledger::Status Finish() {
    bool ok = ::fsync(fd_) == 0;
    ok = ::close(fd_) == 0 && ok;
    fd_ = -1;
    return ok ? ledger::Status::OK()
              : ledger::Status::IOError(path_ + ": fsync failed");
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// Syncs the directory holding `path` (so that a rename into it is durable).
void SyncParentDir(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Writes a backup to OUT via OUT.partial: write as produced, fsync, check the
// whole file, rename, sync the directory.
int WriteChecked(
    const std::string& out_path,
    const std::function<ledger::Status(const ledger::BackupOutput&)>& produce) {
  std::string tmp = out_path + ".partial";
  FileSink sink(tmp);
  if (!sink.status().ok()) return Failed("backup", sink.status());
  ledger::Status st =
      produce([&sink](std::string_view bytes) { return sink.Write(bytes); });
  ledger::Status synced = sink.Finish();
  if (st.ok()) st = synced;
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return Failed("backup", st);
  }
  auto info = ledger::ReadBackupInfo(tmp);
  if (!info.ok()) {
    ::unlink(tmp.c_str());
    return Failed("backup", info.status());
  }
  if (std::rename(tmp.c_str(), out_path.c_str()) != 0) {
    return Failed("backup",
                  ledger::Status::IOError(out_path + ": cannot rename " + tmp));
  }
  SyncParentDir(out_path);
  PrintInfo("file", out_path, *info);
  return 0;
}

}  // namespace

int RunBackup(const Args& args) {
  auto parsed = ParseClientArgs(args, {"--node", "--token", "--data"},
                                {"--include-secrets"});
  if (!parsed.ok())
    return Usage("backup", kBackupUsage, parsed.status().message());
  if (parsed->help) {
    std::fputs(kBackupUsage, stdout);
    return 0;
  }
  if (parsed->positional.size() != 1)
    return Usage("backup", kBackupUsage, "want exactly one OUT file");
  if (parsed->Has("--node") == parsed->Has("--data"))
    return Usage("backup", kBackupUsage, "give either --node or --data");
  const std::string out_path = parsed->positional[0];
  const bool secrets = parsed->flags.count("--include-secrets") > 0;
  if (parsed->Has("--data")) {
    std::string dir = parsed->Option("--data");
    return WriteChecked(out_path, [&](const ledger::BackupOutput& out) {
      return ledger::WriteBackupOfDataDir(dir, out, secrets).status();
    });
  }
  if (secrets) {
    return Usage("backup", kBackupUsage,
                 "--include-secrets: only with --data (a node never sends "
                 "its keys over the network)");
  }
  auto node = ParseNodeAddress(*parsed);
  if (!node.ok()) return Usage("backup", kBackupUsage, node.status().message());
  return WriteChecked(out_path, [&node](const ledger::BackupOutput& out) {
    auto got = DownloadToSink(*node, "/v1/admin/backup",
                              std::chrono::seconds(60), out);
    if (!got.ok()) return got.status();
    if (got->status != 200) {
      udi_http::HttpResponse response;
      response.status = got->status;
      response.body = got->error_body;
      return ledger::Status::FailedPrecondition(ServerError(response));
    }
    return ledger::Status::OK();
  });
}

int RunRestore(const Args& args) {
  auto parsed = ParseClientArgs(args, {"--data", "--verifier-key"}, {});
  if (!parsed.ok())
    return Usage("restore", kRestoreUsage, parsed.status().message());
  if (parsed->help) {
    std::fputs(kRestoreUsage, stdout);
    return 0;
  }
  if (parsed->positional.size() != 1)
    return Usage("restore", kRestoreUsage, "want exactly one backup FILE");
  if (!parsed->Has("--data"))
    return Usage("restore", kRestoreUsage, "--data: required");
  std::optional<ledger::VerifierKey> expected;
  if (parsed->Has("--verifier-key")) {
    auto key = LoadVerifierKey(parsed->Option("--verifier-key"));
    if (!key.ok())
      return Usage("restore", kRestoreUsage, key.status().message());
    expected = *key;
  }
  std::string dir = parsed->Option("--data");
  auto info = ledger::RestoreBackup(parsed->positional[0], dir, expected);
  if (!info.ok()) return Failed("restore", info.status());
  PrintInfo("data", dir, *info);
  return 0;
}

}  // namespace ledgerctl
