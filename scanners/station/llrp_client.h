// LLRP 1.0.1 client for an RFID reader (the station connects to the reader,
// default port 5084).
//
// Per connection: wait for READER_EVENT_NOTIFICATION with a successful
// ConnectionAttemptEvent; DELETE_ROSPEC (our id, any status accepted: a reader
// keeps ROSpecs across connections), ADD_ROSPEC, ENABLE_ROSPEC, START_ROSPEC,
// each answered by its *_RESPONSE with LLRPStatus 0; then RO_ACCESS_REPORT tags
// go to the callback and every KEEPALIVE is answered by KEEPALIVE_ACK with the
// same message id. Any failure (refused connection, bad status, malformed
// message, EOF) closes the connection and reconnects after an exponential
// backoff (100 ms doubling up to max_backoff_ms, reset once a ROSpec runs).
// TCP keepalive (30 s idle, 3 probes 10 s apart) detects a reader that
// vanished.
//
// Threads: one internal thread; the callback runs on it. Stop() joins it.
#ifndef UDI_SCANNERS_STATION_LLRP_CLIENT_H_
#define UDI_SCANNERS_STATION_LLRP_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "ledger/status.h"
#include "scanners/station/llrp.h"
#include "scanners/station/net.h"

namespace station {

struct LlrpClientOptions {
  std::string host;
  uint16_t port = llrp::kDefaultPort;
  uint32_t rospec_id = 1;
  int64_t initial_backoff_ms = 100;
  int64_t max_backoff_ms = 30000;
  int response_timeout_ms =
      10000;  // for each *_RESPONSE and the first notification
};

struct LlrpClientStats {
  uint64_t connections = 0;  // connections that reached a running ROSpec
  uint64_t reports = 0;
  uint64_t tags = 0;
  uint64_t keepalives = 0;
};

class LlrpClient {
 public:
  using TagCallback = std::function<void(const llrp::TagRead& tag)>;
  LlrpClient(LlrpClientOptions options, TagCallback on_tag);
  ~LlrpClient();
  void Start();
  void Stop();
  LlrpClientStats stats() const;

 private:
  void Loop();
  // One connection, from connect to failure. Returns why it ended.
  ledger::Status RunConnection();
  ledger::Result<llrp::Message> Receive(int fd, int timeout_ms);
  ledger::Status Dispatch(int fd, const llrp::Message& m);
  ledger::Status Command(int fd, const llrp::Message& request,
                         uint16_t response_type, bool require_success);

  const LlrpClientOptions options_;
  TagCallback on_tag_;
  StopSignal stop_;
  std::thread thread_;
  std::string
      buffer_;  // bytes received and not yet decoded (client thread only)
  uint32_t next_id_ = 1;  // client thread only
  std::atomic<uint64_t> connections_{0}, reports_{0}, tags_{0}, keepalives_{0};
};

}  // namespace station

#endif  // UDI_SCANNERS_STATION_LLRP_CLIENT_H_
