#include "node/replication/recovery.h"

#include <string>

#include "node/replication/peer_client.h"
#include "node/replication/puller.h"

namespace replication {

ledger::Status RecoverOwnLog(const PeerConfig& peer, ledger::Log* own,
                             std::chrono::milliseconds timeout,
                             size_t batch_size, uint64_t* recovered) {
  *recovered = 0;
  auto client = PeerClient::Create(peer, timeout);
  if (!client.ok()) return client.status().WithPrefix("--recover-from");
  std::string reason;
  SyncContext sync;
  sync.batch_size = batch_size;
  ledger::Status st = SyncLogFromPeer(client->get(), peer.url, own->origin(),
                                      own, sync, &reason, recovered);
  if (!st.ok())
    return st.WithPrefix("--recover-from " + peer.url + ": " + reason);
  return st;
}

}  // namespace replication
