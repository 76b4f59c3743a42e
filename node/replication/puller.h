// One peer's replication round: list its logs, and for each origin fetch the
// checkpoint, check it, fetch the missing entries and import them into the
// replica (verified by Log::ImportEntries). Private to node/replication.
#ifndef UDI_NODE_REPLICATION_PULLER_H_
#define UDI_NODE_REPLICATION_PULLER_H_

#include <memory>
#include <string>

#include "ledger/log.h"
#include "ledger/status.h"
#include "node/replication/peer_client.h"
#include "node/replication/replica_store.h"
#include "node/replication/replication.h"
#include "node/replication/replication_stats.h"

namespace replication {

// What every puller shares; all pointees outlive the pullers.
struct PullContext {
  const ReplicationOptions* options = nullptr;
  const Hooks* hooks = nullptr;
  ReplicaStore* store = nullptr;
  ReplicationStats* stats = nullptr;
};

// The failure category of an ImportEntries error (see replication_stats.h).
std::string ImportFailureReason(const ledger::Status& status);

// Brings `log` (own or replica of `origin`) up to the checkpoint `peer` serves
// for that origin, verified. `reason` receives the failure category. Calls
// hooks->on_checkpoint_seen / on_verified when hooks is not null. Sets
// *imported to the number of entries stored.
ledger::Status SyncLogFromPeer(PeerClient* peer, const std::string& peer_url,
                               const std::string& origin, ledger::Log* log,
                               size_t batch_size, const Hooks* hooks,
                               ReplicationStats* stats, std::string* reason,
                               uint64_t* imported);

class Puller {
 public:
  Puller(PeerConfig peer, PullContext context)
      : peer_(std::move(peer)), ctx_(context) {}

  // One round over every log the peer lists (except our own origin). Every
  // origin is tried; failures are counted and logged; returns the first
  // failure, OK when every origin is in sync.
  ledger::Status PullOnce();

 private:
  ledger::Status PullOrigin(const PeerLog& row);
  // Decides which key to trust for `row` (pinning it on first contact).
  ledger::Status TrustKey(const PeerLog& row, std::string* reason);
  ledger::Status Count(const std::string& origin, const std::string& reason,
                       ledger::Status status);

  PeerConfig peer_;
  PullContext ctx_;
  std::unique_ptr<PeerClient> client_;
};

}  // namespace replication

#endif  // UDI_NODE_REPLICATION_PULLER_H_
