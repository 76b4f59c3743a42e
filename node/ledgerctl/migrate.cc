// ledgerctl migrate: upgrades a stopped node's data dir to this build's log
// format in place, only after a backup of exactly that dir exists.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "ledger/backup.h"
#include "ledger/log.h"
#include "node/ledgerctl/client_common.h"
#include "node/ledgerctl/commands.h"

namespace ledgerctl {
namespace {

constexpr char kUsage[] =
    R"(Usage: ledgerctl migrate --data DIR --backup FILE

Upgrades the log in DIR (node stopped) from an older on-disk format to this
build's format, in place (spec/log-format.md). FILE must be a backup of DIR as
it is now ("ledgerctl backup --data DIR FILE"): it is read and checked in full
and must carry the same origin, checkpoint key, size, signed checkpoint and
format as DIR, so that the pre-migration state can always be restored. After
the migration DIR is verified in full.

  --data DIR     the stopped node's data directory
  --backup FILE  a backup of DIR in its current state
  --help         this text

Prints {"data", "from", "to", "size"}.
Exit status: 0 migrated and verified (or already current), 1 refused or
failed, 2 usage error.
)";

int Fail(const std::string& message) {
  std::fprintf(stderr, "ledgerctl migrate: %s\n", message.c_str());
  return 1;
}

// Empty when `backup` describes exactly the state of the dir `dir`.
std::string Mismatch(const ledger::BackupInfo& backup,
                     const ledger::BackupInfo& dir) {
  if (backup.origin != dir.origin)
    return "origin \"" + backup.origin + "\" vs \"" + dir.origin + "\"";
  if (backup.verifier_key != dir.verifier_key) return "checkpoint key differs";
  if (backup.log_format != dir.log_format)
    return "format " + backup.log_format + " vs " + dir.log_format;
  if (backup.size != dir.size) {
    return "size " + std::to_string(backup.size) + " vs " +
           std::to_string(dir.size);
  }
  if (backup.signed_checkpoint != dir.signed_checkpoint)
    return "signed checkpoint differs";
  return "";
}

}  // namespace

int RunMigrate(const Args& args) {
  auto parsed = ParseClientArgs(args, {"--data", "--backup"}, {});
  if (!parsed.ok()) {
    std::fprintf(stderr, "ledgerctl migrate: %s\n\n%s",
                 parsed.status().message().c_str(), kUsage);
    return 2;
  }
  if (parsed->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!parsed->Has("--data") || !parsed->Has("--backup") ||
      !parsed->positional.empty()) {
    std::fprintf(stderr,
                 "ledgerctl migrate: want --data DIR --backup FILE\n\n%s",
                 kUsage);
    return 2;
  }
  const std::string dir = parsed->Option("--data");
  const std::string file = parsed->Option("--backup");
  auto before = ledger::ReadDataDirInfo(dir);
  if (!before.ok()) return Fail(before.status().message());
  const std::string to = ledger::CurrentLogFormat();
  nlohmann::ordered_json out = {{"data", dir},
                                {"from", before->log_format},
                                {"to", to},
                                {"size", before->size}};
  if (before->log_format == to) {
    std::printf("%s\n", out.dump().c_str());
    return 0;  // already current
  }
  auto backup = ledger::ReadBackupInfo(file);
  if (!backup.ok()) return Fail("--backup: " + backup.status().message());
  std::string mismatch = Mismatch(*backup, *before);
  if (!mismatch.empty()) {
    return Fail("--backup " + file + " is not a backup of " + dir +
                " as it is now (" + mismatch +
                "); make one with: ledgerctl backup --data " + dir + " FILE");
  }
  ledger::Status migrated = ledger::MigrateDataDir(dir);
  if (!migrated.ok()) return Fail(migrated.message());
  auto report = ledger::VerifyDataDir(dir);
  if (!report.ok()) {
    return Fail("after migrating, " + dir + " does not verify: " +
                report.status().message() + " (restore it from " + file + ")");
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace ledgerctl
