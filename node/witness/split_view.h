// Split-view detection: is a checkpoint signed by a log's origin consistent
// with the copy of that log this node holds? Pure over a ledger::Log (local
// reads only); the network part (fetching a consistency proof for a checkpoint
// ahead of the held log) is the caller's.
#ifndef UDI_NODE_WITNESS_SPLIT_VIEW_H_
#define UDI_NODE_WITNESS_SPLIT_VIEW_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/log.h"
#include "ledger/note.h"
#include "ledger/status.h"

namespace witness {

enum class Verdict {
  kConsistent,    // the held log has the checkpoint's root at its size
  kAhead,         // larger than the held log: needs a consistency proof
  kInconsistent,  // provably another history (see reason and evidence)
};

struct Comparison {
  Verdict verdict = Verdict::kConsistent;
  uint64_t held_size = 0;
  ledger::Hash held_root{};  // root of the held signed checkpoint
  std::string reason;  // for kInconsistent: "size 5: root <b64> != held <b64>"
  // kInconsistent: what a third party needs to check the claim against the
  // held signed checkpoint: {"heldCheckpoint": note, "heldRootAtSize": b64,
  // "consistencyProof": [b64...] (from the conflicting size to the held size;
  // empty when the sizes are equal)}.
  nlohmann::json evidence;
};

// Compares `cp` (whose origin signature the caller has verified) with `log`.
// A checkpoint of the node's own log (`own` = true) that is larger than the
// log is inconsistent outright: only this node writes its own log.
// Errors: those of Log::RootAt / ConsistencyProof (storage failures).
ledger::Result<Comparison> CompareWithLog(const ledger::Log& log,
                                          const ledger::Checkpoint& cp,
                                          bool own);

// For a kAhead comparison: checks that `proof` proves the held tree
// (held_size, held_root) is a prefix of `cp`. Corruption with the
// consistency-proof message otherwise.
ledger::Status CheckAheadProof(uint64_t held_size,
                               const ledger::Hash& held_root,
                               const ledger::Checkpoint& cp,
                               const std::vector<ledger::Hash>& proof);

}  // namespace witness

#endif  // UDI_NODE_WITNESS_SPLIT_VIEW_H_
