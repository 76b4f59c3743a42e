// ledger-node's command line and configuration file.
//
//   ledger-node [--data DIR] [--listen HOST:PORT] [--name NAME] [--key FILE]
//   [--config FILE] [--peer URL [--peer-token-file FILE]]...
//   [--recover-from URL [--peer-token-file FILE]]
//
// Everything not on the command line comes from the JSON config file; unknown
// keys are rejected by name so that a typo never silently falls back to a
// default.
#ifndef UDI_NODE_DAEMON_CONFIG_H_
#define UDI_NODE_DAEMON_CONFIG_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/committer.h"
#include "api/server.h"
#include "api/service.h"
#include "ledger/log.h"
#include "ledger/status.h"
#include "node/replication/replication.h"

namespace node {

struct NodeConfig {
  std::string data_dir = "./data";
  std::string name = "udi-ledger-node";  // log origin and checkpoint key name
  std::string key_file;                  // default DATA/node.key
  std::string config_file;
  bool help = false;
  size_t block_cache_bytes = 64 << 20;
  api::ServerOptions server;
  api::ServiceOptions service;
  api::CommitterOptions committer;
  // Federation (node/replication/README.md): peers to pull from (--peer,
  // config "peers"), pinned origin keys (config "origins": origin → C2SP
  // verifier key) and the peer to rebuild the own log from (--recover-from).
  std::vector<replication::PeerConfig> peers;
  std::map<std::string, std::string> origins;
  std::optional<replication::PeerConfig> recover_from;
  uint64_t peer_timeout_ms = 10000;  // config "peerTimeoutMillis"
  // config "logWriteBufferBytes": the own log's LevelDB memtable
  // (ledger::LogOptions::write_buffer_bytes).
  size_t log_write_buffer_bytes = ledger::kDefaultLogWriteBufferBytes;
  // config "replicaWriteBufferBytes": each replica's LevelDB memtable.
  size_t replica_write_buffer_bytes =
      replication::kDefaultReplicaWriteBufferBytes;
  // Operations (issue 7): log threshold (--log-level, config "logLevel"),
  // --print-config, and which flags were given (they win over the file).
  std::string log_level = "info";
  bool print_config = false;
  std::set<std::string> flags_given;
};

// Parses the arguments after the program name. InvalidArgument naming the flag
// on a bad or unknown flag; reads --config (InvalidArgument naming the file and
// key) when given.
ledger::Result<NodeConfig> ParseCommandLine(
    const std::vector<std::string>& args);

// Applies a JSON config document to `config`. Errors name the key.
ledger::Status ApplyConfigJson(const std::string& text, NodeConfig* config);

// Splits "HOST:PORT" ("[v6]:PORT" too). InvalidArgument naming --listen.
ledger::Status ParseListen(const std::string& value, std::string* host,
                           uint16_t* port);

// The --help text.
const char* UsageText();

// The effective configuration as a config file (every key of ApplyConfigJson,
// plus dataDir, listen, name, keyFile, logLevel); peer tokens are replaced by
// "<redacted>". For --print-config. (config_print.cc)
nlohmann::ordered_json ConfigToJson(const NodeConfig& config);

// The options the node opens its own log with: data dir, origin (the node
// name), checkpoint key `key`, block cache and memtable (logWriteBufferBytes).
ledger::LogOptions OwnLogOptions(const NodeConfig& c,
                                 const ledger::SigningKey& key);

}  // namespace node

#endif  // UDI_NODE_DAEMON_CONFIG_H_
