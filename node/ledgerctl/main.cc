// ledgerctl: the udi-ledger command-line tool. Dispatches to one function per
// sub-command.
#include <cstdio>
#include <cstring>
#include <string>

#include "node/ledgerctl/commands.h"

namespace {

struct Command {
  const char* name;
  int (*run)(const ledgerctl::Args&);
  const char* summary;
};

const Command kCommands[] = {
    {"keygen", ledgerctl::RunKeygen,
     "create an Ed25519 signing key (C2SP signed-note format)"},
    {"sign", ledgerctl::RunSign, "sign an EPCIS event, printing the envelope"},
    {"verify", ledgerctl::RunVerify,
     "verify a node's data directory offline, in full"},
    {"submit", ledgerctl::RunSubmit, "submit signed envelopes to a node"},
    {"query", ledgerctl::RunQuery, "run an EPCIS event query on a node"},
    {"participant", ledgerctl::RunParticipant,
     "add, list or revoke participants on a node"},
    {"token", ledgerctl::RunToken, "create or revoke API tokens on a node"},
    {"checkpoint", ledgerctl::RunCheckpoint,
     "print (and verify) a node's signed checkpoint"},
    {"proof", ledgerctl::RunProof,
     "fetch and verify inclusion/consistency proofs"},
    {"bundle", ledgerctl::RunBundle,
     "fetch the evidence bundle of a unit's trace from a node"},
    {"verify-bundle", ledgerctl::RunVerifyBundle,
     "check an evidence bundle offline"},
    {"backup", ledgerctl::RunBackup,
     "write a consistent, compressed backup of a node's log"},
    {"restore", ledgerctl::RunRestore,
     "rebuild a data directory from a backup and verify it"},
    {"migrate", ledgerctl::RunMigrate,
     "upgrade a stopped node's data directory to this build's format"},
};

void PrintUsage(FILE* out) {
  std::fprintf(out,
               "Usage: ledgerctl COMMAND [ARGS...]\n\n"
               "udi-ledger command-line tool. Run 'ledgerctl COMMAND --help' "
               "for a command's "
               "options.\n\nCommands:\n");
  for (const auto& c : kCommands)
    std::fprintf(out, "  %-14s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return 2;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(stdout);
    return 0;
  }
  for (const auto& c : kCommands) {
    if (name == c.name) return c.run(ledgerctl::Args(argv + 2, argv + argc));
  }
  std::fprintf(stderr, "ledgerctl: unknown command '%s'\n\n", name.c_str());
  PrintUsage(stderr);
  return 2;
}
