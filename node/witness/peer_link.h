// The witness's HTTP calls to one peer (bounded by a socket timeout). Not
// thread-safe: the witness worker owns every PeerLink.
#ifndef UDI_NODE_WITNESS_PEER_LINK_H_
#define UDI_NODE_WITNESS_PEER_LINK_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/cosignature.h"
#include "ledger/status.h"
#include "node/client/http_client.h"
#include "node/replication/replication.h"

namespace witness {

class PeerLink {
 public:
  // InvalidArgument naming the URL unless it is "http://HOST:PORT".
  static ledger::Result<std::unique_ptr<PeerLink>> Create(
      const replication::PeerConfig& peer, std::chrono::milliseconds timeout);

  const std::string& url() const { return peer_.url; }
  // GET /v1/witness → the peer's cosigner key.
  ledger::Result<ledger::CosignerKey> CosignerKey();
  // GET /v1/logs/{origin}/checkpoint, verbatim.
  ledger::Result<std::string> Checkpoint(const std::string& origin);
  // GET /v1/logs/{origin}/proof/consistency?from=&to=. NotFound when the peer
  // does not hold that range (400/404), IOError when it does not answer.
  ledger::Result<std::vector<ledger::Hash>> ConsistencyProof(
      const std::string& origin, uint64_t from, uint64_t to);
  // POST /v1/logs/{origin}/checkpoint with `note`; the HTTP status.
  ledger::Result<int> PostCheckpoint(const std::string& origin,
                                     const std::string& note);

 private:
  PeerLink(replication::PeerConfig peer,
           std::unique_ptr<udi_http::HttpClient> http)
      : peer_(std::move(peer)), http_(std::move(http)) {}
  ledger::Result<udi_http::HttpResponse> Get(const std::string& target);

  replication::PeerConfig peer_;
  std::unique_ptr<udi_http::HttpClient> http_;
};

// "/v1/logs/<percent-encoded origin>".
std::string LogPath(const std::string& origin);

}  // namespace witness

#endif  // UDI_NODE_WITNESS_PEER_LINK_H_
