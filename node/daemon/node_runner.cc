#include "node/daemon/node_runner.h"

#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "api/committer.h"
#include "api/logging.h"
#include "api/metrics.h"
#include "api/server.h"
#include "api/service.h"
#include "ledger/log.h"

namespace node {

ledger::Result<ledger::SigningKey> LoadOrCreateNodeKey(
    const std::string& path, const std::string& name) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    auto key = ledger::SigningKey::Generate(name);
    if (!key.ok()) return key.status();
    LEDGER_RETURN_IF_ERROR(ledger::WritePrivateKeyFile(path, *key));
    return key;
  }
  auto key = ledger::ReadPrivateKeyFile(path);
  if (!key.ok()) return key.status();
  if (key->name() != name) {
    return ledger::Status::InvalidArgument(
        "--key " + path + ": key name \"" + key->name() +
        "\" differs from --name \"" + name + "\"");
  }
  return key;
}

ledger::Result<bool> EnsureAdminToken(const std::string& path,
                                      api::TokenStore* tokens) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return false;
  auto created = tokens->Create(api::Role::kAdmin, "");
  if (!created.ok()) return created.status();
  LEDGER_RETURN_IF_ERROR(
      api::WriteFileAtomically(path, created->second + "\n", 0600));
  return true;
}

namespace {
int Fail(const std::string& message) {
  api::LogLine(api::LogLevel::kError, "cannot start", {{"error", message}});
  return 1;
}
}  // namespace

int RunNode(const NodeConfig& c) {
  ::signal(SIGPIPE, SIG_IGN);
  std::error_code ec;
  std::filesystem::create_directories(c.data_dir, ec);
  if (ec) return Fail("--data " + c.data_dir + ": " + ec.message());
  ::chmod(c.data_dir.c_str(), 0700);
  api::SetLogLevel(
      api::ParseLogLevel(c.log_level).value_or(api::LogLevel::kInfo));
  // Restore marker and log format (issue 7; data_dir_check.cc).
  ledger::Status usable = CheckDataDirUsable(c.data_dir);
  if (!usable.ok()) return Fail(usable.message());

  auto key = LoadOrCreateNodeKey(c.key_file, c.name);
  if (!key.ok()) return Fail(key.status().message());
  ledger::LogOptions log_options;
  log_options.data_dir = c.data_dir;
  log_options.origin = c.name;
  log_options.key = *key;
  log_options.block_cache_bytes = c.block_cache_bytes;
  auto log = ledger::Log::Open(std::move(log_options));
  if (!log.ok()) return Fail("cannot open the log: " + log.status().message());

  auto tokens = api::TokenStore::Open(c.data_dir + "/tokens.json");
  if (!tokens.ok()) return Fail(tokens.status().message());
  auto admin = EnsureAdminToken(c.data_dir + "/admin.token", tokens->get());
  if (!admin.ok()) return Fail(admin.status().message());

  api::Metrics metrics;
  api::Committer committer(log->get(), &metrics, c.committer);
  api::Service service(c.service, log->get(), tokens->get(), &committer,
                       &metrics);
  ledger::Status jobs =
      service.OpenCaptureJobs(c.data_dir + "/capture-jobs.jsonl");
  if (!jobs.ok()) return Fail(jobs.message());
  api::Server server(c.server, &service);
  ledger::Status listening = server.Listen();
  if (!listening.ok()) return Fail(listening.message());

  std::printf(
      "ledger-node: name=%s listen=%s:%u verifier=%s size=%llu data=%s%s\n",
      c.name.c_str(), c.server.host.c_str(),
      static_cast<unsigned>(server.port()), (*log)->verifier().ToText().c_str(),
      static_cast<unsigned long long>((*log)->Size()), c.data_dir.c_str(),
      *admin ? " (new admin token in admin.token)" : "");
  std::fflush(stdout);
  api::LogLine(api::LogLevel::kInfo, "serving",
               {{"name", c.name},
                {"listen", c.server.host + ":" + std::to_string(server.port())},
                {"size", (*log)->Size()},
                {"data", c.data_dir}});
  server.Run([&committer] { committer.Stop(); });
  committer.Stop();
  std::printf("ledger-node: stopped; log size %llu\n",
              static_cast<unsigned long long>((*log)->Size()));
  std::fflush(stdout);
  return 0;
}

}  // namespace node
