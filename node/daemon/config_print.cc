// --print-config: the effective configuration as a config file.
#include "node/daemon/config.h"

namespace node {

nlohmann::ordered_json ConfigToJson(const NodeConfig& c) {
  nlohmann::ordered_json j;
  j["dataDir"] = c.data_dir;
  j["listen"] =
      (c.server.host.find(':') != std::string::npos ? "[" + c.server.host + "]"
                                                    : c.server.host) +
      ":" + std::to_string(c.server.port);
  j["name"] = c.name;
  j["keyFile"] = c.key_file;
  j["logLevel"] = c.log_level;
  j["threads"] = c.server.threads;
  j["verifyThreads"] = c.committer.verify_threads;
  j["bodyLimitBytes"] = c.server.body_limit;
  j["headerLimitBytes"] = c.server.header_limit;
  j["readTimeoutSeconds"] = c.server.read_timeout.count();
  j["writeTimeoutSeconds"] = c.server.write_timeout.count();
  j["drainTimeoutSeconds"] = c.server.drain_timeout.count();
  j["maxConnections"] = c.server.max_connections;
  j["maxEnvelopesPerRequest"] = c.service.max_envelopes_per_request;
  j["maxPageSize"] = c.service.max_page_size;
  j["defaultPageSize"] = c.service.default_page_size;
  j["maxLogEntries"] = c.service.max_log_entries;
  j["maxQueryScan"] = c.service.max_query_scan;
  j["maxCaptureJobs"] = c.service.max_capture_jobs;
  j["maxPendingEvents"] = c.committer.max_pending_events;
  j["maxBatchEvents"] = c.committer.max_batch_events;
  j["blockCacheBytes"] = c.block_cache_bytes;
  nlohmann::ordered_json peers = nlohmann::ordered_json::array();
  for (const auto& p : c.peers) {
    nlohmann::ordered_json peer;
    peer["url"] = p.url;
    if (!p.token.empty()) peer["token"] = "<redacted>";
    if (!p.verifier_key.empty()) peer["verifierKey"] = p.verifier_key;
    peers.push_back(std::move(peer));
  }
  j["peers"] = std::move(peers);
  nlohmann::ordered_json origins = nlohmann::ordered_json::object();
  for (const auto& [origin, key] : c.origins) origins[origin] = key;
  j["origins"] = std::move(origins);
  j["peerTimeoutMillis"] = c.peer_timeout_ms;
  j["logWriteBufferBytes"] = c.log_write_buffer_bytes;
  j["replicaWriteBufferBytes"] = c.replica_write_buffer_bytes;
  return j;
}

}  // namespace node
