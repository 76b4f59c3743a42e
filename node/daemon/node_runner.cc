#include "node/daemon/node_runner.h"

#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <functional>

#include "api/committer.h"
#include "api/logging.h"
#include "api/metrics.h"
#include "api/server.h"
#include "api/service.h"
#include "ledger/log.h"
#include "node/replication/recovery.h"
#include "node/replication/replication.h"
#include "node/witness/witness.h"

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

  if (c.recover_from && !std::filesystem::exists(c.key_file, ec)) {
    return Fail("--recover-from: needs the node's existing key " + c.key_file +
                " (a new key would start a new log)");
  }
  auto key = LoadOrCreateNodeKey(c.key_file, c.name);
  if (!key.ok()) return Fail(key.status().message());
  auto log = ledger::Log::Open(OwnLogOptions(c, *key));
  if (!log.ok()) return Fail("cannot open the log: " + log.status().message());
  if (c.recover_from) {
    uint64_t recovered = 0;
    ledger::Status st = replication::RecoverOwnLog(
        *c.recover_from, log->get(),
        std::chrono::milliseconds(c.peer_timeout_ms), 1000, &recovered);
    if (!st.ok()) return Fail(st.message());
    std::fprintf(stderr, "ledger-node: recovered %llu entries of %s from %s\n",
                 static_cast<unsigned long long>(recovered), c.name.c_str(),
                 c.recover_from->url.c_str());
  }
  // Federation: replicas of other origins, pulled from the peers. The witness
  // layer installs its callbacks in `hooks`.
  replication::ReplicationOptions replication_options;
  replication_options.data_dir = c.data_dir;
  replication_options.own_origin = c.name;
  replication_options.peers = c.peers;
  replication_options.pinned_origins = c.origins;
  replication_options.request_timeout =
      std::chrono::milliseconds(c.peer_timeout_ms);
  replication_options.write_buffer_bytes = c.replica_write_buffer_bytes;
  // The witness cosigns verified peer checkpoints and checks gossip for split
  // views (node/witness/README.md); it finds logs through the service below.
  std::function<std::shared_ptr<const ledger::Log>(const std::string&)>
      find_log;
  witness::WitnessOptions witness_options;
  witness_options.data_dir = c.data_dir;
  witness_options.own_origin = c.name;
  witness_options.peers = c.peers;
  witness_options.request_timeout =
      std::chrono::milliseconds(c.peer_timeout_ms);
  witness_options.find_log = [&find_log](const std::string& origin) {
    return find_log ? find_log(origin) : nullptr;
  };
  auto witness = witness::NodeWitness::Open(std::move(witness_options));
  if (!witness.ok()) return Fail(witness.status().message());
  replication::Hooks hooks = (*witness)->Hooks();
  auto replicator =
      replication::Replicator::Open(replication_options, std::move(hooks));
  if (!replicator.ok()) return Fail(replicator.status().message());

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
  std::shared_ptr<const ledger::Log> own_log(
      std::shared_ptr<const ledger::Log>(), log->get());  // non-owning
  service.SetLogSource([own_log, r = replicator->get()] {
    std::vector<std::shared_ptr<const ledger::Log>> logs = {own_log};
    for (auto& replica : r->Replicas()) logs.push_back(std::move(replica));
    return logs;
  });
  service.SetSeenSizeSource([r = replicator->get()](const std::string& o) {
    return r->LargestSeenSize(o);
  });
  metrics.AddRenderer(
      [r = replicator->get()](std::string* out) { r->RenderMetrics(out); });
  find_log = [&service](const std::string& origin) {
    return service.FindLog(origin);
  };
  api::InstallWitness(service, witness->get());
  metrics.AddRenderer(
      [w = witness->get()](std::string* out) { w->RenderMetrics(out); });
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
  (*replicator)->Start();
  (*witness)->Start();
  server.Run([&committer, r = replicator->get(), w = witness->get()] {
    r->Stop();
    w->Stop();
    committer.Stop();
  });
  (*replicator)->Stop();
  (*witness)->Stop();
  api::InstallWitness(service, nullptr);
  committer.Stop();
  // Every append since LevelDB's last memtable flush is also in its
  // write-ahead log, which the next start would replay (up to
  // logWriteBufferBytes, seconds at the 256 MiB default): written to a table
  // now, on a clean stop, the next start replays nothing.
  if (ledger::Status flushed = (*log)->FlushStorage(); !flushed.ok()) {
    api::LogLine(api::LogLevel::kWarn, "memtable not flushed at stop",
                 {{"error", flushed.message()}});
  }
  std::printf("ledger-node: stopped; log size %llu\n",
              static_cast<unsigned long long>((*log)->Size()));
  std::fflush(stdout);
  return 0;
}

}  // namespace node
