// ledgerctl verify: offline, full verification of a node's data directory
// (ledger::VerifyDataDir).
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "ledger/keys.h"
#include "ledger/log.h"
#include "node/ledgerctl/commands.h"

namespace ledgerctl {
namespace {

constexpr char kUsage[] =
    "Usage: ledgerctl verify --data DIR [--key VERIFIER_KEY_TEXT_OR_FILE]\n\n"
    "Verifies a node's data directory offline and in full: every entry's leaf "
    "hash and hash\n"
    "chain, every stored Merkle tree node and the root, every envelope "
    "signature against the\n"
    "participant registry as of that entry, every index entry, the registry, "
    "and the latest\n"
    "signed checkpoint. The node must not be running on DIR.\n\n"
    "  --data DIR   the node's data directory\n"
    "  --key KEY    the node's checkpoint verifier key (text, or a file "
    "holding it); when given,\n"
    "               the data dir must have been signed with exactly this key\n"
    "  --help       this text\n\n"
    "Exit status: 0 the data dir verifies, 1 it does not (the first problem is "
    "printed),\n"
    "2 usage error.\n";

int Usage(const std::string& problem) {
  std::fprintf(stderr, "ledgerctl verify: %s\n\n%s", problem.c_str(), kUsage);
  return 2;
}

std::string Trim(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s;
}

// The key as text, or else the contents of the file it names.
ledger::Result<ledger::VerifierKey> LoadKey(const std::string& arg) {
  auto direct = ledger::VerifierKey::Parse(arg);
  if (direct.ok()) return direct;
  std::ifstream in(arg);
  if (!in) {
    return ledger::Status::InvalidArgument(
        "--key: '" + arg + "' is neither a verifier key (" +
        direct.status().message() + ") nor a readable file");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto from_file = ledger::VerifierKey::Parse(Trim(ss.str()));
  if (!from_file.ok())
    return from_file.status().WithPrefix("--key file " + arg);
  return from_file;
}

}  // namespace

int RunVerify(const Args& args) {
  std::optional<std::string> data_dir, key_arg;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if ((a == "--data" || a == "--key") && i + 1 < args.size()) {
      (a == "--data" ? data_dir : key_arg) = args[++i];
    } else {
      return Usage("unexpected argument '" + a + "'");
    }
  }
  if (!data_dir) return Usage("--data DIR is required");
  std::optional<ledger::VerifierKey> key;
  if (key_arg) {
    auto k = LoadKey(*key_arg);
    if (!k.ok()) return Usage(k.status().message());
    key = *k;
  }
  auto report = key ? ledger::VerifyDataDir(*data_dir, *key)
                    : ledger::VerifyDataDir(*data_dir);
  if (!report.ok()) {
    std::fprintf(stderr, "FAILED: %s: %s\n", data_dir->c_str(),
                 report.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "OK: %s\nsize: %llu\nevents: %llu\nparticipants: %llu\nroot: %s\n",
      data_dir->c_str(), static_cast<unsigned long long>(report->size),
      static_cast<unsigned long long>(report->events),
      static_cast<unsigned long long>(report->participants),
      ledger::ToHex(report->root).c_str());
  return 0;
}

}  // namespace ledgerctl
