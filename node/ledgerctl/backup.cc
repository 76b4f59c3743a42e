// ledgerctl backup / restore: consistent, zstd-compressed snapshots of a log
// (ledger/backup.h, spec/backup-format.md).
#include "ledger/backup.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "node/ledgerctl/client_common.h"
#include "node/ledgerctl/commands.h"

namespace ledgerctl {
namespace {

constexpr char kBackupUsage[] =
    R"(Usage: ledgerctl backup --node URL [--token TOKEN] OUT
       ledgerctl backup --data DIR OUT

Writes a consistent, zstd-compressed backup of a node's log to OUT: every
LevelDB key and value of one snapshot (whole committed batches), with the
signed checkpoint it corresponds to (spec/backup-format.md). The file is
written beside OUT, checked completely, then renamed to OUT.

  --node URL     a running node (http://HOST:PORT); needs an admin token
                 (--token, or $UDI_TOKEN); the node keeps serving
  --token TOKEN  admin bearer token
  --data DIR     a stopped node's data directory
  --help         this text

node.key, admin.token and tokens.json are not in the backup: keep a copy of
node.key apart (it is needed to run a node on a restored directory).
Prints {"file", "size", "records", "logFormat", "origin", "checkpoint"}.
Exit status: 0 written and checked, 1 failed, 2 usage error.
)";

constexpr char kRestoreUsage[] =
    R"(Usage: ledgerctl restore FILE --data DIR [--verifier-key KEY]

Rebuilds a node's data directory DIR (which must not exist or be empty) from
the backup FILE, then verifies it in full (as "ledgerctl verify"). Until that
succeeds DIR holds RESTORE-INCOMPLETE and ledger-node refuses to start on it.
Then copy the node's node.key (and tokens.json) into DIR and start the node.

  --data DIR          the directory to create
  --verifier-key KEY  also require the log's checkpoint key to be KEY (text,
                      or a file holding it)
  --help              this text

Prints {"data", "size", "records", "logFormat", "origin", "checkpoint"}.
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
  std::printf("%s\n", j.dump().c_str());
}

// Writes a backup to OUT via a temporary file: produce, check, rename.
int WriteChecked(
    const std::string& out_path,
    const std::function<ledger::Status(const ledger::BackupOutput&)>& produce) {
  std::string tmp = out_path + ".partial";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) {
    return Failed("backup", ledger::Status::IOError(tmp + ": cannot create"));
  }
  ledger::Status st = produce([&out, &tmp](std::string_view bytes) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return out ? ledger::Status::OK()
               : ledger::Status::IOError(tmp + ": write failed");
  });
  out.close();
  if (st.ok() && !out) st = ledger::Status::IOError(tmp + ": write failed");
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return Failed("backup", st);
  }
  auto info = ledger::ReadBackupInfo(tmp);
  if (!info.ok()) return Failed("backup", info.status());
  if (std::rename(tmp.c_str(), out_path.c_str()) != 0) {
    return Failed("backup",
                  ledger::Status::IOError(out_path + ": cannot rename " + tmp));
  }
  PrintInfo("file", out_path, *info);
  return 0;
}

}  // namespace

int RunBackup(const Args& args) {
  auto parsed = ParseClientArgs(args, {"--node", "--token", "--data"}, {});
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
  if (parsed->Has("--data")) {
    std::string dir = parsed->Option("--data");
    return WriteChecked(out_path, [&dir](const ledger::BackupOutput& out) {
      return ledger::WriteBackupOfDataDir(dir, out).status();
    });
  }
  auto client = ConnectToNode(*parsed);
  if (!client.ok())
    return Usage("backup", kBackupUsage, client.status().message());
  auto response = (*client)->Get("/v1/admin/backup");
  if (!response.ok()) return Failed("backup", response.status());
  if (response->status != 200) {
    return Failed("backup",
                  ledger::Status::FailedPrecondition(ServerError(*response)));
  }
  return WriteChecked(out_path, [&response](const ledger::BackupOutput& out) {
    return out(response->body);
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
