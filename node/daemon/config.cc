#include "node/daemon/config.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/logging.h"
#include "ledger/keys.h"

namespace node {

using ledger::Status;

const char* UsageText() {
  // Raw string: the text is kept in the man-page layout (NAME, SYNOPSIS, ...)
  // that deploy/man/ledger-node.1 repeats.
  return R"(Usage: ledger-node [OPTIONS]

Runs a udi-ledger node: an HTTP API over a verifiable, append-only Merkle log
of signed EPCIS 2.0 events (GS1), replicated and witnessed by peer nodes.

Options (each also settable in the --config file; a flag wins over the file):
  --data DIR           data directory (default ./data; config "dataDir"):
                       the LevelDB log, node.key, admin.token, tokens.json
  --listen HOST:PORT   address to serve on (default 127.0.0.1:7800; port 0 =
                       any free port; config "listen")
  --name NAME          node name: checkpoint origin and key name (default
                       udi-ledger-node; config "name")
  --key FILE           checkpoint signing key (default DATA/node.key; created
                       on first start, mode 0600; config "keyFile")
  --log-level LEVEL    debug | info | warn | error (default info; config
                       "logLevel"; change at run time with POST
                       /v1/admin/log-level)
  --config FILE        JSON settings file; every key is listed, with its
                       default, by --print-config and documented in
                       node/daemon/README.md; unknown keys are rejected
  --print-config       print the effective configuration as JSON and exit
  --peer URL           pull and verify every log the peer at http://HOST:PORT
                       holds (repeatable; config "peers")
  --peer-token-file FILE
                       bearer token (issued by that peer) for the preceding
                       --peer or --recover-from
  --recover-from URL   rebuild this node's own log from that peer's replica
                       before serving (needs the node key)
  --help               this text

Logs: one JSON object per line on stderr (time, level, msg, and for each HTTP
request requestId, method, path, route, status, latencyMs); the request id is
also returned as X-Request-Id. One plain start line goes to stdout:
  ledger-node: name=NAME listen=HOST:PORT verifier=KEY size=N data=DIR

Files: first start creates DATA/node.key and an admin bearer token in
DATA/admin.token (both mode 0600). A data dir holding RESTORE-INCOMPLETE (an
unfinished "ledgerctl restore") or a log format other than this build's is
refused with a message saying what to do.

Signals: SIGTERM/SIGINT stop accepting, finish every admitted batch, exit 0.
Exit status: 0 after a clean stop or --help/--print-config, 1 when the node
cannot start, 2 on a usage error.
)";
}

Status ParseListen(const std::string& value, std::string* host,
                   uint16_t* port) {
  size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) {
    return Status::InvalidArgument("--listen: want HOST:PORT, got \"" + value +
                                   "\"");
  }
  std::string h = value.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']')
    h = h.substr(1, h.size() - 2);
  unsigned p = 0;
  const char* begin = value.data() + colon + 1;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(begin, end, p);
  if (ec != std::errc() || ptr != end || p > 65535) {
    return Status::InvalidArgument("--listen: port must be 0..65535, got \"" +
                                   value.substr(colon + 1) + "\"");
  }
  *host = h;
  *port = static_cast<uint16_t>(p);
  return Status::OK();
}

namespace {

template <typename T>
std::function<void(uint64_t)> Set(T* field) {
  return [field](uint64_t v) { *field = static_cast<T>(v); };
}

std::function<void(uint64_t)> SetSeconds(std::chrono::seconds* field) {
  return [field](uint64_t v) { *field = std::chrono::seconds(v); };
}

ledger::Result<std::string> ReadTokenFile(const std::string& what,
                                          const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument(what + ": cannot read " + path);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (token.empty())
    return Status::InvalidArgument(what + ": " + path + " is empty");
  return token;
}

Status ApplyPeers(const nlohmann::json& value,
                  std::vector<replication::PeerConfig>* peers) {
  if (!value.is_array()) return Status::InvalidArgument("peers: want an array");
  for (size_t i = 0; i < value.size(); ++i) {
    std::string at = "peers[" + std::to_string(i) + "]";
    const auto& p = value[i];
    if (!p.is_object()) return Status::InvalidArgument(at + ": want an object");
    replication::PeerConfig peer;
    for (const auto& [k, v] : p.items()) {
      if (!v.is_string() || v.get<std::string>().empty())
        return Status::InvalidArgument(at + "." + k +
                                       ": want a non-empty string");
      std::string text = v.get<std::string>();
      if (k == "url") {
        peer.url = text;
      } else if (k == "token") {
        peer.token = text;
      } else if (k == "tokenFile") {
        auto token = ReadTokenFile(at + ".tokenFile", text);
        if (!token.ok()) return token.status();
        peer.token = *token;
      } else if (k == "verifierKey") {
        auto key = ledger::VerifierKey::Parse(text);
        if (!key.ok()) return key.status().WithPrefix(at + ".verifierKey");
        peer.verifier_key = text;
      } else {
        return Status::InvalidArgument(at + "." + k + ": unknown key");
      }
    }
    if (peer.url.empty()) return Status::InvalidArgument(at + ".url: required");
    peers->push_back(std::move(peer));
  }
  return Status::OK();
}

Status ApplyOrigins(const nlohmann::json& value,
                    std::map<std::string, std::string>* origins) {
  if (!value.is_object())
    return Status::InvalidArgument("origins: want an object");
  for (const auto& [origin, key] : value.items()) {
    std::string at = "origins[\"" + origin + "\"]";
    if (!key.is_string())
      return Status::InvalidArgument(at + ": want a verifier key string");
    auto parsed = ledger::VerifierKey::Parse(key.get<std::string>());
    if (!parsed.ok()) return parsed.status().WithPrefix(at);
    (*origins)[origin] = key.get<std::string>();
  }
  return Status::OK();
}

}  // namespace

// The string settings (issue 7). Returns true when `key` is one of them, with
// the outcome in *st; a flag given on the command line wins over the file.
static bool ApplyStringKey(const std::string& key, const nlohmann::json& value,
                           NodeConfig* c, Status* st) {
  static const std::map<std::string, std::string> kFlagOf = {
      {"dataDir", "--data"},
      {"listen", "--listen"},
      {"name", "--name"},
      {"keyFile", "--key"},
      {"logLevel", "--log-level"}};
  auto it = kFlagOf.find(key);
  if (it == kFlagOf.end()) return false;
  *st = Status::OK();
  if (!value.is_string() || value.get<std::string>().empty()) {
    *st = Status::InvalidArgument(key + ": want a non-empty string");
    return true;
  }
  if (c->flags_given.count(it->second)) return true;
  std::string v = value.get<std::string>();
  if (key == "dataDir") c->data_dir = v;
  if (key == "name") c->name = v;
  if (key == "keyFile") c->key_file = v;
  if (key == "logLevel") {
    if (!api::ParseLogLevel(v)) {
      *st = Status::InvalidArgument(
          "logLevel: want debug, info, warn or error, got \"" + v + "\"");
    }
    c->log_level = v;
  }
  if (key == "listen") {
    *st = ParseListen(v, &c->server.host, &c->server.port);
    if (!st->ok())
      *st = Status::InvalidArgument("listen" + st->message().substr(8));
  }
  return true;
}

Status ApplyConfigJson(const std::string& text, NodeConfig* c) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Status::InvalidArgument("not a JSON object");
  // key → (setter, minimum, maximum)
  struct Setting {
    std::function<void(uint64_t)> set;
    uint64_t min, max;
  };
  const std::map<std::string, Setting> settings = {
      {"threads", {Set(&c->server.threads), 0, 1024}},
      {"verifyThreads", {Set(&c->committer.verify_threads), 0, 1024}},
      {"bodyLimitBytes", {Set(&c->server.body_limit), 1024, 1ull << 32}},
      {"headerLimitBytes", {Set(&c->server.header_limit), 1024, 1 << 20}},
      {"readTimeoutSeconds", {SetSeconds(&c->server.read_timeout), 1, 3600}},
      {"writeTimeoutSeconds", {SetSeconds(&c->server.write_timeout), 1, 3600}},
      {"drainTimeoutSeconds", {SetSeconds(&c->server.drain_timeout), 1, 3600}},
      {"maxConnections", {Set(&c->server.max_connections), 1, 1000000}},
      {"maxEnvelopesPerRequest",
       {Set(&c->service.max_envelopes_per_request), 1, 100000}},
      {"maxPageSize", {Set(&c->service.max_page_size), 1, 100000}},
      {"defaultPageSize", {Set(&c->service.default_page_size), 1, 100000}},
      {"maxLogEntries", {Set(&c->service.max_log_entries), 1, 100000}},
      {"maxQueryScan", {Set(&c->service.max_query_scan), 1, 100000000}},
      {"maxCaptureJobs", {Set(&c->service.max_capture_jobs), 1, 10000000}},
      {"maxPendingEvents",
       {Set(&c->committer.max_pending_events), 1, 100000000}},
      {"maxBatchEvents", {Set(&c->committer.max_batch_events), 1, 10000000}},
      {"blockCacheBytes", {Set(&c->block_cache_bytes), 0, 1ull << 40}},
      {"peerTimeoutMillis", {Set(&c->peer_timeout_ms), 10, 3600000}},
      {"logWriteBufferBytes",
       {Set(&c->log_write_buffer_bytes), 1 << 20, 1ull << 32}},
      {"replicaWriteBufferBytes",
       {Set(&c->replica_write_buffer_bytes), 1 << 20, 1ull << 32}},
  };
  Status st;
  for (const auto& [key, value] : j.items()) {
    if (ApplyStringKey(key, value, c, &st)) {
      LEDGER_RETURN_IF_ERROR(st);
      continue;
    }
    if (key == "peers") {
      LEDGER_RETURN_IF_ERROR(ApplyPeers(value, &c->peers));
      continue;
    }
    if (key == "origins") {
      LEDGER_RETURN_IF_ERROR(ApplyOrigins(value, &c->origins));
      continue;
    }
    auto it = settings.find(key);
    if (it == settings.end())
      return Status::InvalidArgument(key + ": unknown key");
    if (!value.is_number_unsigned()) {
      return Status::InvalidArgument(key + ": want a non-negative integer");
    }
    uint64_t v = value.get<uint64_t>();
    if (v < it->second.min || v > it->second.max) {
      return Status::InvalidArgument(key + ": want " +
                                     std::to_string(it->second.min) + ".." +
                                     std::to_string(it->second.max));
    }
    it->second.set(v);
  }
  if (c->service.default_page_size > c->service.max_page_size) {
    return Status::InvalidArgument("defaultPageSize: larger than maxPageSize");
  }
  return Status::OK();
}

ledger::Result<NodeConfig> ParseCommandLine(
    const std::vector<std::string>& args) {
  NodeConfig c;
  c.server.host = "127.0.0.1";
  c.server.port = 7800;
  std::string listen;
  // The --peer or --recover-from a following --peer-token-file belongs to
  // (peers are reserved so the pointer stays valid).
  replication::PeerConfig* last_peer = nullptr;
  c.peers.reserve(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i], value;
    bool has_value = false;
    size_t eq = flag.find('=');
    if (flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_value = true;
    }
    if (flag == "--help" || flag == "-h") {
      c.help = true;
      continue;
    }
    if (flag == "--print-config") {
      c.print_config = true;
      continue;
    }
    static const char* kValued[] = {
        "--data",         "--listen",          "--name",
        "--key",          "--config",          "--peer",
        "--recover-from", "--peer-token-file", "--log-level"};
    bool known = false;
    for (const char* k : kValued) known |= (flag == k);
    if (!known)
      return Status::InvalidArgument(flag + ": unknown flag (see --help)");
    if (!has_value) {
      if (i + 1 >= args.size())
        return Status::InvalidArgument(flag + ": needs a value");
      value = args[++i];
    }
    if (value.empty()) return Status::InvalidArgument(flag + ": empty value");
    c.flags_given.insert(flag);
    if (flag == "--log-level") c.log_level = value;
    if (flag == "--data") c.data_dir = value;
    if (flag == "--listen") listen = value;
    if (flag == "--name") c.name = value;
    if (flag == "--key") c.key_file = value;
    if (flag == "--config") c.config_file = value;
    if (flag == "--peer") {
      c.peers.push_back({value, "", ""});
      last_peer = &c.peers.back();
    }
    if (flag == "--recover-from") {
      c.recover_from = replication::PeerConfig{value, "", ""};
      last_peer = &*c.recover_from;
    }
    if (flag == "--peer-token-file") {
      if (!last_peer) {
        return Status::InvalidArgument(
            "--peer-token-file: must follow a --peer or --recover-from");
      }
      auto token = ReadTokenFile("--peer-token-file", value);
      if (!token.ok()) return token.status();
      last_peer->token = *token;
    }
  }
  if (!listen.empty())
    LEDGER_RETURN_IF_ERROR(ParseListen(listen, &c.server.host, &c.server.port));
  // The file first, so that the (string) settings given as flags win.
  if (!c.config_file.empty()) {
    std::ifstream in(c.config_file);
    if (!in)
      return Status::InvalidArgument("--config: cannot read " + c.config_file);
    std::stringstream ss;
    ss << in.rdbuf();
    LEDGER_RETURN_IF_ERROR(
        ApplyConfigJson(ss.str(), &c).WithPrefix("--config " + c.config_file));
  }
  if (!ledger::IsValidKeyName(c.name)) {
    return Status::InvalidArgument(
        "--name: \"" + c.name +
        "\" is not a valid key name (non-empty, no spaces, no '+')");
  }
  if (!api::ParseLogLevel(c.log_level)) {
    return Status::InvalidArgument(
        "--log-level: want debug, info, warn or "
        "error, got \"" +
        c.log_level + "\"");
  }
  if (c.key_file.empty()) c.key_file = c.data_dir + "/node.key";
  c.service.name = c.name;
  c.service.data_dir = c.data_dir;  // state files for backups (issue 7)
  return c;
}

ledger::LogOptions OwnLogOptions(const NodeConfig& c,
                                 const ledger::SigningKey& key) {
  ledger::LogOptions o;
  o.data_dir = c.data_dir;
  o.origin = c.name;
  o.key = key;
  o.block_cache_bytes = c.block_cache_bytes;
  o.write_buffer_bytes = c.log_write_buffer_bytes;
  return o;
}

}  // namespace node
