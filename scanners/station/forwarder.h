// Delivery of the spool to ledger-node: POST /v1/events {"envelopes": [...]}
// with "Authorization: Bearer <token>", in spool order, in batches.
//
// Exactly once in the log: a record leaves the spool (the cursor moves past it,
// durably) only after the node answered "accepted" or "duplicate" for it; event
// ids are content hashes, so a batch re-sent after a crash or a lost answer is
// answered "duplicate" and counts as delivered. A "rejected" envelope stops the
// queue at that record (nothing is skipped or lost): it is retried with backoff
// and the reason is logged and shown by `ledger-scan status` via the log.
// Transport errors, HTTP errors (401, 503, ...) and a node that is down are
// retried with exponential backoff (retry_initial_ms doubling up to
// retry_max_ms).
//
// Threads: one delivery thread; Notify() and stats() are thread-safe.
#ifndef UDI_SCANNERS_STATION_FORWARDER_H_
#define UDI_SCANNERS_STATION_FORWARDER_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ledger/status.h"
#include "scanners/station/spool.h"

namespace station {

struct NodeEndpoint {
  std::string host;
  uint16_t port = 0;
  std::string token;
  int timeout_ms = 10000;
};

struct DeliveryOutcome {
  std::string status;  // "accepted" | "duplicate" | "rejected"
  std::string event_id;
  std::string error;
};

// A Boost.Beast synchronous HTTP/1.1 client with one keep-alive connection.
// Not thread-safe: one owner.
class NodeClient {
 public:
  explicit NodeClient(NodeEndpoint endpoint);
  ~NodeClient();
  // POSTs `envelopes` (a JSON array text) and returns one outcome per envelope.
  // IOError on transport failure, Unavailable on HTTP 429/503,
  // FailedPrecondition on other HTTP errors (the body's message included).
  ledger::Result<std::vector<DeliveryOutcome>> PostEnvelopes(
      const std::string& envelopes_json, size_t count);
  // GET `target`, returning the status code and body (used by tests and
  // status).
  ledger::Result<std::pair<int, std::string>> Get(const std::string& target);
  // POST a JSON body to `target` (tests and tools: participants, tokens).
  ledger::Result<std::pair<int, std::string>> Post(
      const std::string& target, const std::string& json_body);

 private:
  struct Impl;
  ledger::Result<std::pair<int, std::string>> Request(bool post,
                                                      const std::string& target,
                                                      const std::string& body);
  std::unique_ptr<Impl> impl_;
};

struct ForwarderStats {
  uint64_t delivered = 0;  // records delivered by this process
  uint64_t failures = 0;   // failed delivery attempts
  std::string last_error;
};

class Forwarder {
 public:
  Forwarder(Spool* spool, NodeEndpoint endpoint, size_t batch_size,
            int64_t retry_initial_ms, int64_t retry_max_ms);
  ~Forwarder();
  void Start();
  void Stop();
  // Wakes the delivery thread (called after each spool append).
  void Notify();
  ForwarderStats stats() const;

 private:
  void Loop();
  // Sends one batch; OK when every record of it was delivered.
  ledger::Status DeliverBatch(NodeClient* client,
                              const std::vector<SpoolRecord>& records);
  // Waits up to `ms` or until stopped; false when stopped.
  bool Backoff(int64_t ms);

  Spool* const spool_;
  const NodeEndpoint endpoint_;
  const size_t batch_size_;
  const int64_t retry_initial_ms_, retry_max_ms_;
  std::thread thread_;
  mutable std::mutex mu_;  // protects stop_, notified_, stats_
  std::condition_variable cv_;
  bool stop_ = false;
  bool notified_ = false;
  ForwarderStats stats_;
};

}  // namespace station

#endif  // UDI_SCANNERS_STATION_FORWARDER_H_
