// ledgerctl sign --key FILE [EVENT.json|-]: signs one EPCIS event and prints
// the envelope.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

#include "ledger/envelope.h"
#include "ledger/jcs.h"
#include "ledger/keys.h"
#include "node/ledgerctl/commands.h"

namespace ledgerctl {
namespace {

constexpr char kUsage[] =
    "Usage: ledgerctl sign --key FILE [EVENT.json|-]\n"
    "\n"
    "Signs one EPCIS 2.0 event (a JSON object) with the private key in FILE "
    "(as made by\n"
    "'ledgerctl keygen') and prints the signed envelope on stdout, in RFC "
    "8785\n"
    "canonical form:\n"
    "  {\"event\":{...},\"signature\":\"<base64 Ed25519 over JCS(event)>\",\n"
    "   \"signer\":\"<name>+<key hash>\"}\n"
    "The event is read from EVENT.json, or from stdin when it is '-' or "
    "omitted, and\n"
    "parsed strictly (I-JSON: no duplicate names, UTF-8 only, integers within "
    "2^53).\n"
    "\n"
    "Options:\n"
    "  --key FILE  the private key file (required)\n"
    "  -h, --help  show this help\n"
    "\n"
    "Exit status: 0 signed, 1 the event or key is bad or unreadable, 2 usage "
    "error.\n";

constexpr size_t kMaxEventBytes = 16 << 20;

int UsageError(const std::string& message) {
  std::fprintf(stderr, "ledgerctl sign: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "ledgerctl sign: %s\n", message.c_str());
  return 1;
}

// Reads all of `in` (at most kMaxEventBytes); false if it is larger or
// unreadable.
bool ReadAll(std::istream& in, std::string* out) {
  char buf[65536];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    out->append(buf, static_cast<size_t>(in.gcount()));
    if (out->size() > kMaxEventBytes) return false;
  }
  return !in.bad();
}

// The event text from `input` (a path, or "-" for stdin); errors name it.
ledger::Result<std::string> ReadEventText(const std::string& input) {
  const std::string source = input == "-" ? "<stdin>" : input;
  std::string text;
  bool read_ok;
  if (input == "-") {
    read_ok = ReadAll(std::cin, &text);
  } else {
    std::ifstream file(input, std::ios::binary);
    if (!file) return ledger::Status::IOError(source + ": cannot open");
    read_ok = ReadAll(file, &text);
  }
  if (!read_ok) {
    return ledger::Status::IOError(source + ": unreadable or larger than " +
                                   std::to_string(kMaxEventBytes) + " bytes");
  }
  return text;
}

struct SignArgs {
  std::string key_file;
  std::string input = "-";
};

// Parses the arguments; returns an exit code when the command is done (help or
// usage error), nullopt to go on.
std::optional<int> ParseArgs(const Args& args, SignArgs* out) {
  bool have_key = false, have_input = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--key" || arg.rfind("--key=", 0) == 0) {
      if (have_key) return UsageError("--key given twice");
      if (arg == "--key") {
        if (i + 1 == args.size()) return UsageError("--key needs a FILE");
        out->key_file = args[++i];
      } else {
        out->key_file = arg.substr(6);
      }
      if (out->key_file.empty()) {
        return UsageError("--key needs a non-empty FILE");
      }
      have_key = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return UsageError("unknown option '" + arg + "'");
    } else if (have_input) {
      return UsageError("unexpected argument '" + arg +
                        "' (only one EVENT.json)");
    } else {
      out->input = arg;
      have_input = true;
    }
  }
  if (!have_key) return UsageError("missing --key FILE");
  return std::nullopt;
}

}  // namespace

int RunSign(const Args& args) {
  SignArgs parsed;
  if (auto done = ParseArgs(args, &parsed)) return *done;

  auto key = ledger::ReadPrivateKeyFile(parsed.key_file);
  if (!key.ok()) return Fail(key.status().message());
  auto text = ReadEventText(parsed.input);
  if (!text.ok()) return Fail(text.status().message());

  const std::string source = parsed.input == "-" ? "<stdin>" : parsed.input;
  auto event = ledger::ParseJsonStrict(*text);
  if (!event.ok()) return Fail(source + ": " + event.status().message());
  auto envelope = ledger::SignEvent(*event, *key);
  if (!envelope.ok()) return Fail(source + ": " + envelope.status().message());
  auto out = ledger::CanonicalizeJson(envelope->ToJson());
  if (!out.ok()) return Fail(source + ": " + out.status().message());
  std::printf("%s\n", out->c_str());
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace ledgerctl
