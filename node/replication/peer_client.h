// The HTTP side of replication: fetching a peer's log list, node info,
// checkpoints and entries (zstd) with bounded time and size. Checks the shape
// of every answer; verification of contents is ImportEntries' job.
//
// Not thread-safe: one PeerClient per puller thread.
#ifndef UDI_NODE_REPLICATION_PEER_CLIENT_H_
#define UDI_NODE_REPLICATION_PEER_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/status.h"
#include "node/client/http_client.h"
#include "node/replication/replication.h"

namespace replication {

// One row of a peer's GET /v1/logs.
struct PeerLog {
  std::string origin;
  std::string verifier_key;
  uint64_t size = 0;
  bool own = false;  // the peer's own log
};

// "http://HOST:PORT" → host and port. InvalidArgument naming the URL.
ledger::Status ParsePeerUrl(const std::string& url, std::string* host,
                            uint16_t* port);

class PeerClient {
 public:
  // InvalidArgument when the URL is not "http://HOST:PORT".
  static ledger::Result<std::unique_ptr<PeerClient>> Create(
      const PeerConfig& peer, std::chrono::milliseconds timeout);

  // GET /v1/node: the peer's own origin and checkpoint key.
  ledger::Result<PeerLog> NodeInfo();
  // GET /v1/logs.
  ledger::Result<std::vector<PeerLog>> ListLogs();
  // GET /v1/logs/{origin}/checkpoint: the signed note, verbatim.
  ledger::Result<std::string> Checkpoint(const std::string& origin);
  // GET /v1/logs/{origin}/entries from `start` up to (not including) `end`, in
  // requests of at most `batch` entries with Accept-Encoding: zstd. Checks
  // every index and base64 leaf; a peer that answers with no entries before
  // `end` is "truncated_entries".
  ledger::Result<std::vector<std::string>> Entries(const std::string& origin,
                                                   uint64_t start, uint64_t end,
                                                   size_t batch);

  // GET /v1/logs/{origin}/proof/consistency?from=&to=: the RFC 9162 proof
  // hashes (base64 in "hashes"). Checks the shape only (each hash 32 bytes);
  // Log::ImportPrefix verifies it.
  ledger::Result<std::vector<ledger::Hash>> ConsistencyProof(
      const std::string& origin, uint64_t from, uint64_t to);

  // The failure category (see replication_stats.h) of the last error.
  const std::string& last_reason() const { return last_reason_; }
  // How many responses so far arrived zstd-encoded.
  uint64_t zstd_responses() const { return zstd_responses_; }
  // How many .../entries responses were not in ledger-node's exact form and
  // were therefore parsed as a JSON document (slower, same checks).
  uint64_t json_entries_responses() const { return json_entries_responses_; }

 private:
  PeerClient(PeerConfig peer, std::unique_ptr<udi_http::HttpClient> http)
      : peer_(std::move(peer)), http_(std::move(http)) {}
  // GET `target`; fails unless 200.
  ledger::Result<udi_http::HttpResponse> Get(const std::string& target);
  ledger::Status Fail(const std::string& reason, ledger::Status status);

  PeerConfig peer_;
  std::unique_ptr<udi_http::HttpClient> http_;
  std::string last_reason_;
  uint64_t zstd_responses_ = 0;
  uint64_t json_entries_responses_ = 0;
};

// "/v1/logs/<percent-encoded origin>" (no trailing slash).
std::string LogPath(const std::string& origin);

}  // namespace replication

#endif  // UDI_NODE_REPLICATION_PEER_CLIENT_H_
