// Counters of the replication layer, rendered for GET /metrics. Thread-safe:
// one mutex guards every series.
#ifndef UDI_NODE_REPLICATION_REPLICATION_STATS_H_
#define UDI_NODE_REPLICATION_REPLICATION_STATS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace replication {

// Why a pull from a peer failed: the `reason` label of
// udi_replication_failures_total.
//   unreachable         no HTTP response (refused, reset, closed)
//   timeout             no response within the peer timeout (a slow peer)
//   http_status         a response other than 200
//   malformed_response  a body that is not the documented JSON / text
//   truncated_entries   fewer entries than the checkpoint promises
//   bad_checkpoint      the checkpoint does not parse, names another origin,
//                       or is not signed by the origin's pinned key
//   shorter_log         the checkpoint is smaller than the verified replica
//   key_mismatch        a verifier key that differs from the pinned one
//   bad_signature       an event or registry signature does not verify
//   chain_mismatch      an entry's index / prevHash / form is wrong
//   root_mismatch       the entries do not hash to the checkpoint's root
//   verification_failed any other ImportEntries refusal
//   storage             the replica could not be opened or written
//   halted              the origin was stopped by the witness (split view)
struct ReplicationStats {
  void CountFailure(const std::string& peer, const std::string& reason);
  void CountImported(const std::string& origin, uint64_t entries);
  void SeeCheckpointSize(const std::string& origin, uint64_t size);
  uint64_t LargestSeen(const std::string& origin) const;
  uint64_t Failures(const std::string& peer, const std::string& reason) const;
  void Render(std::string* out) const;

 private:
  mutable std::mutex mu_;  // guards the maps
  std::map<std::pair<std::string, std::string>, uint64_t> failures_;
  std::map<std::string, uint64_t> imported_;
  std::map<std::string, uint64_t> largest_seen_;
};

}  // namespace replication

#endif  // UDI_NODE_REPLICATION_REPLICATION_STATS_H_
