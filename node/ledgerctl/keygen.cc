// ledgerctl keygen NAME [--out FILE]: creates an Ed25519 signing key in the
// C2SP signed-note format, writes the private key file (mode 0600, never
// overwriting) and prints the verifier key.
#include <cstdio>
#include <optional>
#include <string>

#include "ledger/keys.h"
#include "node/ledgerctl/commands.h"

namespace ledgerctl {
namespace {

constexpr char kUsage[] =
    "Usage: ledgerctl keygen NAME [--out FILE]\n"
    "\n"
    "Creates an Ed25519 signing key named NAME in the C2SP signed-note format\n"
    "(https://c2sp.org/signed-note). NAME is the key name partners will see, "
    "e.g.\n"
    "acme.example/ledger; it must not contain spaces or '+'.\n"
    "\n"
    "Writes the private key (PRIVATE+KEY+NAME+HASH+DATA) to FILE with mode "
    "0600 and\n"
    "prints the verifier key (NAME+HASH+DATA) on stdout; share only the "
    "verifier key.\n"
    "An existing FILE is never overwritten.\n"
    "\n"
    "Options:\n"
    "  --out FILE  where to write the private key (default: NAME.key in the "
    "current\n"
    "              directory, with each '/' of NAME replaced by '_')\n"
    "  -h, --help  show this help\n"
    "\n"
    "Exit status: 0 written, 1 the key could not be written, 2 usage error.\n";

int UsageError(const std::string& message) {
  std::fprintf(stderr, "ledgerctl keygen: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

std::string DefaultKeyFile(std::string name) {
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return name + ".key";
}

struct KeygenArgs {
  std::string name;
  std::string out;  // empty: DefaultKeyFile(name)
};

// Parses the arguments; returns an exit code when the command is done (help or
// usage error), nullopt to go on.
std::optional<int> ParseArgs(const Args& args, KeygenArgs* parsed) {
  bool have_name = false, have_out = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--out" || arg.rfind("--out=", 0) == 0) {
      if (have_out) return UsageError("--out given twice");
      if (arg == "--out") {
        if (i + 1 == args.size()) return UsageError("--out needs a FILE");
        parsed->out = args[++i];
      } else {
        parsed->out = arg.substr(6);
      }
      if (parsed->out.empty())
        return UsageError("--out needs a non-empty FILE");
      have_out = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return UsageError("unknown option '" + arg + "'");
    } else if (have_name) {
      return UsageError("unexpected argument '" + arg + "' (only one NAME)");
    } else {
      parsed->name = arg;
      have_name = true;
    }
  }
  if (!have_name) return UsageError("missing NAME");
  if (!ledger::IsValidKeyName(parsed->name)) {
    return UsageError("invalid key name '" + parsed->name +
                      "': must be non-empty UTF-8 without spaces, control "
                      "characters or '+'");
  }
  if (!have_out) parsed->out = DefaultKeyFile(parsed->name);
  return std::nullopt;
}

}  // namespace

int RunKeygen(const Args& args) {
  KeygenArgs parsed;
  if (auto done = ParseArgs(args, &parsed)) return *done;

  auto key = ledger::SigningKey::Generate(parsed.name);
  if (!key.ok()) {
    std::fprintf(stderr, "ledgerctl keygen: %s\n",
                 key.status().ToString().c_str());
    return 1;
  }
  ledger::Status st = ledger::WritePrivateKeyFile(parsed.out, *key);
  if (!st.ok()) {
    std::fprintf(stderr, "ledgerctl keygen: %s\n", st.ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "ledgerctl keygen: wrote private key %s (mode 0600)\n",
               parsed.out.c_str());
  std::printf("%s\n", key->verifier().ToText().c_str());
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace ledgerctl
