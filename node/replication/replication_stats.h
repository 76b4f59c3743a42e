// Counters of the replication layer, rendered for GET /metrics. Thread-safe:
// one mutex guards every series.
#ifndef UDI_NODE_REPLICATION_REPLICATION_STATS_H_
#define UDI_NODE_REPLICATION_REPLICATION_STATS_H_

#include <chrono>
#include <cstdint>
#include <deque>
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
// Lag per (peer, origin), as /metrics shows it:
//   udi_replication_lag_entries = the size of the latest checkpoint of the
//     origin that peer served, minus the replica's Size() (0 if not larger);
//   udi_replication_lag_seconds = now minus the time this node first saw, from
//     that peer, the oldest checkpoint whose size exceeds the replica's Size()
//     (0 when none does). It counts from when a checkpoint was seen here (at
//     most one poll interval after the peer published it), not from when the
//     origin wrote the entries.
struct ReplicationStats {
  using Clock = std::chrono::steady_clock;

  void CountFailure(const std::string& peer, const std::string& reason);
  void CountImported(const std::string& origin, uint64_t entries);
  void SeeCheckpointSize(const std::string& origin, uint64_t size);
  uint64_t LargestSeen(const std::string& origin) const;
  uint64_t Failures(const std::string& peer, const std::string& reason) const;
  // A checkpoint of `size` for `origin` served by `peer`, seen now while the
  // replica holds `held` entries.
  void SeePeerCheckpoint(const std::string& peer, const std::string& origin,
                         uint64_t size, uint64_t held);
  // udi_replication_lag_entries / _seconds of (peer, origin) given the
  // replica's size `held`.
  uint64_t LagEntries(const std::string& peer, const std::string& origin,
                      uint64_t held) const;
  double LagSeconds(const std::string& peer, const std::string& origin,
                    uint64_t held, Clock::time_point now) const;
  // (peer, origin) → the size of the latest checkpoint that peer served.
  std::map<std::pair<std::string, std::string>, uint64_t> PeerSizes() const;
  // `held`: origin → the replica's Size(), for the lag series.
  void Render(std::string* out,
              const std::map<std::string, uint64_t>& held = {}) const;

 private:
  mutable std::mutex mu_;  // guards the maps
  std::map<std::pair<std::string, std::string>, uint64_t> failures_;
  std::map<std::string, uint64_t> imported_;
  std::map<std::string, uint64_t> largest_seen_;
  // (peer, origin) → checkpoint sizes seen from that peer that exceeded the
  // replica's size then, increasing, each with when it was first seen; trimmed
  // to the sizes still beyond the replica at each SeePeerCheckpoint, and at
  // most kMaxPending long (the oldest are kept: they define the lag).
  struct Seen {
    uint64_t size;
    Clock::time_point at;
  };
  static constexpr size_t kMaxPending = 4096;
  std::map<std::pair<std::string, std::string>, std::deque<Seen>> pending_;
  std::map<std::pair<std::string, std::string>, uint64_t> peer_size_;
};

}  // namespace replication

#endif  // UDI_NODE_REPLICATION_REPLICATION_STATS_H_
