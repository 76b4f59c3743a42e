#include "node/daemon/config.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ledger/keys.h"

namespace node {

using ledger::Status;

const char* UsageText() {
  return "Usage: ledger-node [--data DIR] [--listen HOST:PORT] [--name NAME] "
         "[--key FILE]\n"
         "                   [--config FILE]\n\n"
         "Runs a udi-ledger node: an HTTP API over a verifiable, append-only "
         "log of signed\n"
         "EPCIS 2.0 events.\n\n"
         "  --data DIR          data directory (default ./data); holds the "
         "log, node.key,\n"
         "                      admin.token and tokens.json\n"
         "  --listen HOST:PORT  address to serve on (default 127.0.0.1:7800; "
         "port 0 = any)\n"
         "  --name NAME         node name: checkpoint origin and key name "
         "(default\n"
         "                      udi-ledger-node)\n"
         "  --key FILE          checkpoint signing key (default DATA/node.key; "
         "created on\n"
         "                      first start, mode 0600)\n"
         "  --config FILE       JSON settings; keys: threads, verifyThreads, "
         "bodyLimitBytes,\n"
         "                      headerLimitBytes, readTimeoutSeconds, "
         "writeTimeoutSeconds,\n"
         "                      maxConnections, drainTimeoutSeconds, "
         "maxEnvelopesPerRequest,\n"
         "                      maxPageSize, defaultPageSize, maxLogEntries, "
         "maxQueryScan,\n"
         "                      maxCaptureJobs, maxPendingEvents, "
         "maxBatchEvents,\n"
         "                      blockCacheBytes\n"
         "  --help              this text\n\n"
         "First start creates the node key and an admin bearer token in "
         "DATA/admin.token.\n"
         "SIGTERM/SIGINT: stop accepting, finish admitted batches, exit 0.\n";
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

}  // namespace

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
  };
  for (const auto& [key, value] : j.items()) {
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
    static const char* kValued[] = {"--data", "--listen", "--name", "--key",
                                    "--config"};
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
    if (flag == "--data") c.data_dir = value;
    if (flag == "--listen") listen = value;
    if (flag == "--name") c.name = value;
    if (flag == "--key") c.key_file = value;
    if (flag == "--config") c.config_file = value;
  }
  if (!listen.empty())
    LEDGER_RETURN_IF_ERROR(ParseListen(listen, &c.server.host, &c.server.port));
  if (!ledger::IsValidKeyName(c.name)) {
    return Status::InvalidArgument(
        "--name: \"" + c.name +
        "\" is not a valid key name (non-empty, no spaces, no '+')");
  }
  if (c.key_file.empty()) c.key_file = c.data_dir + "/node.key";
  c.service.name = c.name;
  if (!c.config_file.empty()) {
    std::ifstream in(c.config_file);
    if (!in)
      return Status::InvalidArgument("--config: cannot read " + c.config_file);
    std::stringstream ss;
    ss << in.rdbuf();
    LEDGER_RETURN_IF_ERROR(
        ApplyConfigJson(ss.str(), &c).WithPrefix("--config " + c.config_file));
  }
  return c;
}

}  // namespace node
