// A fault-injecting HTTP proxy for the replication tests: it forwards every
// request to a real ledger-node and alters the answers on the way back (a
// fault injector in front of a real node, not a mock). Test-only: included by
// *_test.cc files and implemented in fault_proxy_test.cc.
#ifndef UDI_NODE_REPLICATION_FAULT_PROXY_H_
#define UDI_NODE_REPLICATION_FAULT_PROXY_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace replication_test {

enum class Fault {
  kNone,              // pass through
  kGarbageEntries,    // .../entries answers "this is not json"
  kEmptyEntries,      // .../entries answers {"entries": []}
  kCutEntries,        // .../entries body cut in the middle
  kAlterEventLeaf,    // an event leaf's epcList changed (signature breaks)
  kAlterPrevHash,     // an entry's prevHash changed (chain breaks)
  kAlterEvent10,      // entry 10's event altered (its signature breaks)
  kBadCheckpointSig,  // a byte of the checkpoint signature flipped
  kOldCheckpoint,     // the first checkpoint ever seen is served again
  kHang,              // no answer until the proxy stops (a slow peer)
  kSilent,            // accepts connections, never reads or answers anything
};

class FaultProxy {
 public:
  explicit FaultProxy(uint16_t upstream_port);
  ~FaultProxy();
  uint16_t port() const { return port_; }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }
  void SetFault(Fault fault) { fault_ = fault; }
  // Passes every .../checkpoint answer (of GET /v1/logs/{origin}/checkpoint)
  // through `rewrite` before the fault; an empty function stops it.
  void SetCheckpointRewrite(
      std::function<std::string(const std::string&)> rewrite);
  // Requests seen for a path containing `needle`.
  int Seen(const std::string& needle) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
  std::atomic<Fault> fault_{Fault::kNone};
};

}  // namespace replication_test

#endif  // UDI_NODE_REPLICATION_FAULT_PROXY_H_
