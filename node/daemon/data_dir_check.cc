// The checks a data dir must pass before a node opens it (issue 7).
#include <charconv>
#include <filesystem>

#include "ledger/backup.h"
#include "node/daemon/node_runner.h"

namespace node {

namespace {
// The format version as a number (0 when it is not one).
uint64_t FormatNumber(const std::string& text) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return (ec == std::errc() && ptr == text.data() + text.size()) ? v : 0;
}
}  // namespace

ledger::Status CheckDataDirUsable(const std::string& data_dir) {
  std::error_code ec;
  std::string marker = data_dir + "/" + std::string(ledger::kRestoreMarker);
  if (std::filesystem::exists(marker, ec)) {
    return ledger::Status::FailedPrecondition(
        "data dir " + data_dir + ": a restore into it did not finish (" +
        marker +
        " exists); restore the backup again into an empty directory with "
        "\"ledgerctl restore FILE --data DIR\"");
  }
  if (!std::filesystem::exists(data_dir + "/CURRENT", ec))
    return ledger::Status::OK();  // no log yet: a new node
  auto info = ledger::ReadDataDirInfo(data_dir);
  if (!info.ok()) return info.status();
  std::string want = ledger::CurrentLogFormat();
  if (info->log_format == want) return ledger::Status::OK();
  if (FormatNumber(info->log_format) > FormatNumber(want)) {
    return ledger::Status::FailedPrecondition(
        "data dir " + data_dir + ": log format " + info->log_format +
        " is newer than this ledger-node supports (format " + want +
        "); install the newer ledger-node that wrote it");
  }
  return ledger::Status::FailedPrecondition(
      "data dir " + data_dir + ": log format " + info->log_format +
      " is older than this ledger-node's format " + want +
      "; with the node stopped, back it up and migrate it in place: "
      "\"ledgerctl backup --data " +
      data_dir + " FILE && ledgerctl migrate --data " + data_dir +
      " --backup FILE\"");
}

}  // namespace node
