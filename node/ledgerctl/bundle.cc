// ledgerctl bundle / verify-bundle: fetch an evidence bundle for a unit from a
// node, and check one offline with no node (ledger/evidence.h,
// spec/evidence-bundle.md).
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "ledger/evidence.h"
#include "node/ledgerctl/client_common.h"
#include "node/ledgerctl/commands.h"

namespace ledgerctl {
namespace {

const char kBundleUsage[] =
    "Usage: ledgerctl bundle --node URL [--token T] ID -o FILE\n"
    "Fetches the evidence bundle of the trace of ID (EPC URI, GS1 Digital "
    "Link,\nkey or raw scan) from GET /v1/trace/{ID}/bundle (a regulator or "
    "admin token;\n--token or $UDI_TOKEN) and writes it to FILE.\n";

const char kVerifyBundleUsage[] =
    "Usage: ledgerctl verify-bundle FILE [--key VERIFIERKEY]...\n"
    "Checks an evidence bundle offline: every leaf and inclusion proof "
    "against its\nsigned checkpoint, every checkpoint signature line, every "
    "envelope signature\nagainst the registry entries, and that the trace "
    "answer follows from the\nentries. --key (key text or a file holding it, "
    "repeatable) pins the log keys:\nevery log in the bundle must be signed by "
    "one of them. Exit 0 verified,\n1 not verified, 2 usage error.\n";

int UsageError(const char* cmd, const std::string& problem, const char* usage) {
  std::fprintf(stderr, "ledgerctl %s: %s\n\n%s", cmd, problem.c_str(), usage);
  return 2;
}

int Failure(const char* cmd, const std::string& problem) {
  std::fprintf(stderr, "ledgerctl %s: %s\n", cmd, problem.c_str());
  return 1;
}

}  // namespace

int RunBundle(const Args& args) {
  const char* cmd = "bundle";
  auto parsed = ParseClientArgs(args, {"--node", "--token", "-o"}, {});
  if (!parsed.ok())
    return UsageError(cmd, parsed.status().message(), kBundleUsage);
  if (parsed->help) return std::fputs(kBundleUsage, stdout), 0;
  if (parsed->positional.size() != 1)
    return UsageError(cmd, "want exactly one ID", kBundleUsage);
  if (!parsed->Has("-o")) return UsageError(cmd, "-o: required", kBundleUsage);
  auto client = ConnectToNode(*parsed);
  if (!client.ok())
    return UsageError(cmd, client.status().message(), kBundleUsage);
  auto r = (*client)->Get("/v1/trace/" + PercentEncode(parsed->positional[0]) +
                          "/bundle");
  if (!r.ok()) return Failure(cmd, r.status().message());
  if (r->status != 200) return Failure(cmd, ServerError(*r));
  const std::string path = parsed->Option("-o");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(r->body.data(), static_cast<std::streamsize>(r->body.size()));
  out.close();
  if (!out) return Failure(cmd, path + ": cannot write");
  std::fprintf(stderr, "ledgerctl bundle: wrote %zu bytes to %s\n",
               r->body.size(), path.c_str());
  return 0;
}

int RunVerifyBundle(const Args& args) {
  const char* cmd = "verify-bundle";
  std::vector<ledger::VerifierKey> keys;
  std::string file;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help")
      return std::fputs(kVerifyBundleUsage, stdout), 0;
    if (a == "--key" || a.rfind("--key=", 0) == 0) {
      std::string value;
      if (a == "--key") {
        if (i + 1 == args.size())
          return UsageError(cmd, "--key: needs a value", kVerifyBundleUsage);
        value = args[++i];
      } else {
        value = a.substr(6);
      }
      auto key = LoadVerifierKey(value);
      if (!key.ok())
        return UsageError(cmd, key.status().message(), kVerifyBundleUsage);
      keys.push_back(*key);
    } else if (a.size() > 1 && a[0] == '-') {
      return UsageError(cmd, "unknown option '" + a + "'", kVerifyBundleUsage);
    } else if (file.empty()) {
      file = a;
    } else {
      return UsageError(cmd, "unexpected argument '" + a + "'",
                        kVerifyBundleUsage);
    }
  }
  if (file.empty())
    return UsageError(cmd, "FILE: required", kVerifyBundleUsage);
  auto bytes = ReadInput(file);
  if (!bytes.ok()) return Failure(cmd, bytes.status().message());
  auto summary = ledger::evidence::VerifyTraceBundle(*bytes, keys);
  if (!summary.ok()) {
    return Failure(cmd, file + ": NOT verified: " + summary.status().message());
  }
  std::printf("verified: %s status %s, %zu hops, %zu entries, %zu signatures\n",
              summary->key.c_str(), summary->status.c_str(), summary->hops,
              summary->entries, summary->signatures);
  for (const std::string& log : summary->logs)
    std::printf("  log %s\n", log.c_str());
  for (const std::string& key : summary->unpinned_keys) {
    std::printf(
        "  warning: log key %s was not pinned with --key (the bundle is "
        "consistent, but whose log it is was not checked)\n",
        key.c_str());
  }
  return 0;
}

}  // namespace ledgerctl
