// --recover-from: rebuilding a node's own log from a peer's replica of it
// (issue 4, "Recovery").
#ifndef UDI_NODE_REPLICATION_RECOVERY_H_
#define UDI_NODE_REPLICATION_RECOVERY_H_

#include <chrono>
#include <cstdint>

#include "ledger/log.h"
#include "ledger/status.h"
#include "node/replication/replication.h"

namespace replication {

// Fetches GET {peer}/v1/logs/{own origin}/checkpoint and the entries from
// own->Size() up to its size, and imports them into `own` (the node's own
// log, opened with its signing key) with Log::ImportEntries: the checkpoint
// must verify under the node's own key, and the entries must hash to its root
// and pass every chain, registry and signature check. All or nothing. On
// success *recovered is the number of entries added (0 when the peer holds
// nothing newer). Errors name the peer, the failure category (see
// replication_stats.h) and the reason; a peer serving a smaller checkpoint
// than `own` already holds is refused ("shorter_log").
ledger::Status RecoverOwnLog(const PeerConfig& peer, ledger::Log* own,
                             std::chrono::milliseconds timeout,
                             size_t batch_size, uint64_t* recovered);

}  // namespace replication

#endif  // UDI_NODE_REPLICATION_RECOVERY_H_
