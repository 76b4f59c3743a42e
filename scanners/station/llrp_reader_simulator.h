// An LLRP 1.0.1 reader simulator for tests and the benchmark: a real TCP server
// on loopback speaking the binary protocol through the same codec. It is driven
// step by step from the calling thread; every wait is bounded by timeout_ms and
// fails with a message saying what it was waiting for.
#ifndef UDI_SCANNERS_STATION_LLRP_READER_SIMULATOR_H_
#define UDI_SCANNERS_STATION_LLRP_READER_SIMULATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ledger/status.h"
#include "scanners/station/llrp.h"
#include "scanners/station/net.h"

namespace station {

class LlrpReaderSimulator {
 public:
  // Listens on 127.0.0.1, any free port.
  static ledger::Result<std::unique_ptr<LlrpReaderSimulator>> Start(
      int timeout_ms = 20000);
  uint16_t port() const { return port_; }

  // Accepts the next client connection.
  ledger::Status Accept();
  // Sends READER_EVENT_NOTIFICATION (ConnectionAttemptEvent success), then
  // expects DELETE_ROSPEC (optional), ADD_ROSPEC, ENABLE_ROSPEC and
  // START_ROSPEC for the same ROSpec id, answering each with status 0.
  // `received` gets the message types in order.
  ledger::Status Handshake(std::vector<uint16_t>* received,
                           uint32_t* rospec_id);
  ledger::Status SendTags(const std::vector<llrp::TagRead>& tags);
  // Sends KEEPALIVE with `id` and waits for KEEPALIVE_ACK with the same id.
  ledger::Status KeepaliveRoundTrip(uint32_t id);
  // Closes the client connection (the client must reconnect).
  void Drop();

 private:
  LlrpReaderSimulator() = default;
  ledger::Result<llrp::Message> Receive();
  ledger::Status Send(const llrp::Message& m);

  int timeout_ms_ = 20000;
  Fd listen_;
  Fd client_;
  uint16_t port_ = 0;
  std::string buffer_;
  uint32_t next_id_ = 1000;
};

}  // namespace station

#endif  // UDI_SCANNERS_STATION_LLRP_READER_SIMULATOR_H_
