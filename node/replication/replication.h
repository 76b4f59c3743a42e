// Federation: pulling every log a peer holds, verifying it and keeping a
// replica (issue 4, "Model" and "Recovery").
//
// A Replicator owns DATA/replicas/ (one ledger::Log in replica mode per
// foreign origin, see replica_store.h) and one puller thread per peer. Each
// puller loops: GET /v1/logs, then per origin GET .../checkpoint and
// .../entries (zstd) from the replica's Size() up to the checkpoint's size, and
// Log::ImportEntries, which verifies the hash chain, the registry and every
// event signature, and the Merkle root against the origin-signed checkpoint.
// Nothing unverified is ever stored. Failures are counted per (peer, reason)
// in /metrics, logged to stderr, and retried with exponential backoff.
//
// The node's own origin is never pulled from peers (only --recover-from
// rebuilds it, see recovery.h).
//
// Threads: every public method is thread-safe. Hooks are called on puller
// threads.
#ifndef UDI_NODE_REPLICATION_REPLICATION_H_
#define UDI_NODE_REPLICATION_REPLICATION_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/log.h"
#include "ledger/status.h"

namespace replication {

// Callbacks for the witness layer (cosigning, gossip, split-view defence).
// Every member is optional; each may be called concurrently from several
// puller threads and must not block for long.
struct Hooks {
  // Every checkpoint note a peer served for `origin` (GET
  // /v1/logs/{origin}/checkpoint), verbatim and BEFORE verification: evidence
  // input for split-view detection. `peer_url` is the peer's base URL.
  std::function<void(const std::string& origin, const std::string& note,
                     const std::string& peer_url)>
      on_checkpoint_seen;
  // After each successful ImportEntries for `origin` (also when only a newer
  // checkpoint for the same size was accepted): the signed checkpoint note now
  // stored for it (what the witness cosigns).
  std::function<void(const std::string& origin, const std::string& signed_note)>
      on_verified;
  // True when `origin` must not be replicated any more (split-view evidence).
  // Asked before every fetch and import of that origin; a halted origin is
  // skipped and counted with reason "halted".
  std::function<bool(const std::string& origin)> halted;
};

struct PeerConfig {
  std::string url;    // "http://host:port" (no path)
  std::string token;  // bearer token the peer issued us ("" = none)
  // Pins the checkpoint key of the peer's own origin (C2SP verifier key text);
  // empty: learned from the peer's /v1/node on first contact.
  std::string verifier_key;
};

// The default ReplicationOptions::write_buffer_bytes: 4x an own log's (see
// node/replication/README.md § Memory for the measurements).
inline constexpr size_t kDefaultReplicaWriteBufferBytes = size_t{256} << 20;

struct ReplicationOptions {
  std::string data_dir;    // the node's DATA; replicas live in DATA/replicas/
  std::string own_origin;  // never pulled from peers
  std::vector<PeerConfig> peers;
  // origin → verifier key text, pinned by configuration (wins over anything
  // learned).
  std::map<std::string, std::string> pinned_origins;
  // Entries per import during a catch-up (Log::ImportPrefix) and per GET
  // .../entries (the peer may answer fewer): memory stays about two batches.
  size_t batch_size = 4096;
  // Between rounds that found nothing new (a round that imported something is
  // followed at once by the next).
  std::chrono::milliseconds poll_interval{50};
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{10000};
  std::chrono::milliseconds request_timeout{10000};
  // LevelDB memtable size of each replica (ledger::LogOptions::
  // write_buffer_bytes). A catch-up writes event ids in random order, so every
  // memtable flush overlaps almost all older tables: a larger memtable means
  // fewer, cheaper compactions, at the cost of up to 2x this much memory per
  // replica while it is written to (node/replication/README.md).
  size_t write_buffer_bytes = kDefaultReplicaWriteBufferBytes;
};

// The replication view of one held log, for GET /v1/logs.
struct LogStatus {
  std::string origin;
  uint64_t size = 0;
  uint64_t largest_seen = 0;  // largest checkpoint size seen from any peer
};

class Replicator {
 public:
  // Opens DATA/replicas/ (creating it) and every replica in it; checks the
  // configured pins against the pins on disk (FailedPrecondition naming the
  // origin when they differ). Does not start pulling.
  static ledger::Result<std::unique_ptr<Replicator>> Open(
      ReplicationOptions options, Hooks hooks);
  ~Replicator();  // Stop()

  // Starts one puller thread per peer.
  void Start();
  // Stops and joins the pullers (an import in progress finishes first).
  void Stop();

  // The replicas held, sorted by origin (never the own log).
  std::vector<std::shared_ptr<const ledger::Log>> Replicas() const;
  // The largest checkpoint size any peer served for `origin` (0 if none).
  uint64_t LargestSeenSize(const std::string& origin) const;
  const std::vector<PeerConfig>& peers() const;
  // Appends the replication series (udi_replication_*) in Prometheus text,
  // including the lag per peer and origin (replication_stats.h):
  //   udi_replication_lag_entries{peer,origin}  entries of the peer's latest
  //       checkpoint not held here
  //   udi_replication_lag_seconds{peer,origin}  seconds since this node first
  //       saw, from that peer, a checkpoint covering an entry it still lacks
  //       (0 when it holds everything that peer has served)
  void RenderMetrics(std::string* out) const;

 private:
  struct Impl;
  explicit Replicator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace replication

#endif  // UDI_NODE_REPLICATION_REPLICATION_H_
