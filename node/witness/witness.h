// The node's witness (issue 4, "Witnessing and split-view defence"):
//
// - Cosigns (C2SP tlog-cosignature v1) every peer checkpoint the replication
//   layer has verified, with its own witness key DATA/witness.key (created on
//   first start, mode 0600). Not the checkpoint key: a cosignature is a
//   different statement by a different role; keeping the keys apart lets an
//   operator rotate or revoke one without touching the other, keeps the
//   checkpoint key (needed for --recover-from) used for exactly one kind of
//   message, and follows the spec's rule that a cosigner key serves one
//   cosigner only.
// - Collects the cosignatures peers made of the same checkpoint (their served
//   checkpoints carry them; peer cosigner keys come from their GET
//   /v1/witness) and serves "origin note + cosignature lines".
// - Checks every checkpoint it sees (served by peers, or POSTed by anyone)
//   against the log it holds for that origin (split_view.h). On a split view
//   it records an alarm (alarm_store.h, survives restarts), halts replication
//   of that origin, logs a line to stderr, exports udi_witness_* gauges, and
//   forwards the conflicting checkpoint to every peer's POST
//   /v1/logs/{origin}/checkpoint.
//
// Threads: the api::Witness methods and the replication hooks may be called
// concurrently from any thread. One worker thread does the network work
// (consistency proofs, forwarding, polling peers); Stop joins it.
#ifndef UDI_NODE_WITNESS_WITNESS_H_
#define UDI_NODE_WITNESS_WITNESS_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/witness.h"
#include "ledger/cosignature.h"
#include "ledger/keys.h"
#include "ledger/log.h"
#include "ledger/status.h"
#include "node/replication/replication.h"

namespace witness {

struct WitnessOptions {
  std::string data_dir;    // DATA: key DATA/witness.key, state DATA/witness/
  std::string name;        // cosigner name (default "<own origin>/witness")
  std::string own_origin;  // the node's own log
  std::vector<replication::PeerConfig> peers;
  // The held log of `origin` (own or replica), or nullptr. Must be
  // thread-safe.
  std::function<std::shared_ptr<const ledger::Log>(const std::string& origin)>
      find_log;
  // How often the worker polls peers (own checkpoint, cosigner keys) and
  // flushes cosignatures.
  std::chrono::milliseconds poll_interval{500};
  // Bounds each connect, write and read of every call to a peer (ledger-node
  // passes config "peerTimeoutMillis").
  std::chrono::milliseconds request_timeout{5000};
  // Cosigner keys of peers known in advance (peer URL → key); the others are
  // learned from the peer's GET /v1/witness on first contact.
  std::map<std::string, ledger::CosignerKey> peer_cosigners;
};

// Reads the witness key at `path`, or creates one named `name` there (mode
// 0600, O_EXCL) when no file exists. InvalidArgument when the existing key has
// another name.
ledger::Result<ledger::SigningKey> LoadOrCreateWitnessKey(
    const std::string& path, const std::string& name);

class NodeWitness : public api::Witness {
 public:
  // Creates DATA/witness/ and the key if missing and loads the stores.
  // Errors name the file.
  static ledger::Result<std::unique_ptr<NodeWitness>> Open(
      WitnessOptions options);
  ~NodeWitness() override;  // Stop()

  // The callbacks for replication::Replicator::Open. They stay valid for the
  // life of this object.
  replication::Hooks Hooks();
  void Start();  // starts the worker
  void Stop();   // joins it; pending gossip answers 503; flushes state

  const ledger::CosignerKey& cosigner() const;
  // True once an alarm exists for `origin` (replication of it stops).
  bool Halted(const std::string& origin) const;
  // Appends udi_witness_* series (Prometheus text).
  void RenderMetrics(std::string* out) const;

  // api::Witness. Cosigned: `signed_note` with the cosignatures collected
  // for its text appended; lines by a known cosigner (this node or a peer)
  // that do not verify are dropped, so a peer's bad line is never passed on.
  // For the same checkpoint the served cosignatures only ever grow.
  std::string Cosigned(const std::string& origin,
                       const std::string& signed_note) const override;
  void SubmitCheckpoint(const std::string& origin, const std::string& note,
                        api::Reply reply) override;
  nlohmann::json Alarms() const override;
  nlohmann::json Info() const override;

 private:
  struct Impl;
  explicit NodeWitness(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace witness

#endif  // UDI_NODE_WITNESS_WITNESS_H_
