// One peer's replication round: list its logs, and for each origin fetch the
// checkpoint, check it, fetch the missing entries and import them into the
// replica (verified by Log::ImportEntries). Private to node/replication.
#ifndef UDI_NODE_REPLICATION_PULLER_H_
#define UDI_NODE_REPLICATION_PULLER_H_

#include <functional>
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
  std::function<bool()> stopping;  // the replicator is stopping
};

// The failure category of an ImportEntries error (see replication_stats.h).
std::string ImportFailureReason(const ledger::Status& status);

// The note to store when a peer serves `incoming` for the checkpoint a log
// already holds as `held` (same size). Same checkpoint text: `held` with the
// signature lines of `incoming` it lacks (matched by key name and key ID; the
// held line wins, so a cosigner's line never flips between two timestamps),
// at most kMaxMergedSignatures lines; "" when `incoming` adds nothing. Any
// other case (different text, unparsable note): `incoming` itself, which the
// import then checks (and rejects if its root differs). The cosignatures a
// replica serves thus never go away when another peer serves the same
// checkpoint with fewer of them (the witness cannot keep a line itself while
// it does not know the cosigner's key yet). Lines are not verified here: the
// import checks the origin's signature, GET .../checkpoint drops lines of
// known cosigners that do not verify, and readers check cosignatures with the
// keys they trust.
std::string MergeSameCheckpoint(const std::string& held,
                                const std::string& incoming);
constexpr size_t kMaxMergedSignatures = 32;

// How SyncLogFromPeer runs; every pointer may be null.
struct SyncContext {
  // Entries per ImportPrefix call (and per GET .../entries; the peer may
  // answer fewer, the rest is asked again): the memory bound of a catch-up.
  size_t batch_size = 4096;
  const Hooks* hooks = nullptr;
  ReplicationStats* stats = nullptr;
  // Asked between chunks: true stops a long catch-up early (OK, resumable).
  std::function<bool()> stopping;
};

// Brings `log` (own or replica of `origin`) up to the checkpoint `peer` serves
// for that origin, verified. A replica catches up chunk by chunk
// (Log::ImportPrefix, each chunk with the consistency proof from its end to the
// checkpoint) in a pipeline (ledger/log_pipeline.h): chunk k+2 is fetched and
// chunk k+1 checked on all cores while chunk k commits, so memory stays
// bounded by three chunks, a chunk is stored only after every chunk before
// it, nothing after a refused chunk is stored, and a restart resumes from
// Size(). An own
// log (recovery) is imported in one ImportEntries call. `reason` receives the
// failure category. Calls hooks->on_checkpoint_seen, and on_verified once the
// replica reaches the checkpoint. Sets *imported to the number of entries
// stored (also when a later chunk fails).
ledger::Status SyncLogFromPeer(PeerClient* peer, const std::string& peer_url,
                               const std::string& origin, ledger::Log* log,
                               const SyncContext& context, std::string* reason,
                               uint64_t* imported);

class Puller {
 public:
  Puller(PeerConfig peer, PullContext context)
      : peer_(std::move(peer)), ctx_(context) {}

  // One round over every log the peer lists (except our own origin). Every
  // origin is tried; failures are counted and logged; returns the first
  // failure, OK when every origin is in sync.
  ledger::Status PullOnce();
  // Entries imported by the last PullOnce (0 = nothing new anywhere).
  uint64_t last_imported() const { return last_imported_; }

 private:
  ledger::Status PullOrigin(const PeerLog& row);
  // Decides which key to trust for `row` (pinning it on first contact).
  ledger::Status TrustKey(const PeerLog& row, std::string* reason);
  ledger::Status Count(const std::string& origin, const std::string& reason,
                       ledger::Status status);

  PeerConfig peer_;
  PullContext ctx_;
  std::unique_ptr<PeerClient> client_;
  uint64_t last_imported_ = 0;
};

}  // namespace replication

#endif  // UDI_NODE_REPLICATION_PULLER_H_
