// Small POSIX socket helpers shared by the TCP listener, the LLRP client and
// the LLRP reader simulator. Every blocking wait also watches a StopSignal so
// that shutdown interrupts it at once.
#ifndef UDI_SCANNERS_STATION_NET_H_
#define UDI_SCANNERS_STATION_NET_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace station {

// An eventfd that, once raised, wakes every Wait* that watches it. Thread-safe.
class StopSignal {
 public:
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;
  void Raise();
  bool raised() const;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& o) noexcept : fd_(o.Release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = o.Release();
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    const int f = fd_;
    fd_ = -1;
    return f;
  }
  void Reset();

 private:
  int fd_ = -1;
};

enum class WaitResult { kReady, kStopped, kTimeout };
// Waits until `fd` is readable (or writable), `stop` is raised, or timeout_ms
// passes (-1 = no timeout).
WaitResult WaitFd(int fd, bool for_write, const StopSignal* stop,
                  int timeout_ms);

// Connects to host:port within timeout_ms. IOError naming the address.
ledger::Result<Fd> ConnectTcp(const std::string& host, uint16_t port,
                              const StopSignal* stop, int timeout_ms);
// Listens on host:port (port 0 = any); *bound_port receives the actual port.
ledger::Result<Fd> ListenTcp(const std::string& host, uint16_t port,
                             uint16_t* bound_port);

// Writes everything (blocking socket writes; SIGPIPE is avoided with
// MSG_NOSIGNAL).
ledger::Status SendAll(int fd, std::string_view bytes);
// Reads what is available (waiting up to timeout_ms); empty string at EOF.
// Unavailable when stopped, IOError on errors or timeout.
ledger::Result<std::string> ReceiveSome(int fd, const StopSignal* stop,
                                        int timeout_ms);

// "ip:port" of the peer, for logs and spool records.
std::string PeerName(int fd);

}  // namespace station

#endif  // UDI_SCANNERS_STATION_NET_H_
