#include "scanners/station/net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace station {

using ledger::Result;
using ledger::Status;

StopSignal::StopSignal() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
StopSignal::~StopSignal() {
  if (fd_ >= 0) ::close(fd_);
}
void StopSignal::Raise() {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(fd_, &one, sizeof one);
}
bool StopSignal::raised() const {
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

void Fd::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

WaitResult WaitFd(int fd, bool for_write, const StopSignal* stop,
                  int timeout_ms) {
  pollfd p[2] = {{fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0},
                 {stop ? stop->fd() : -1, POLLIN, 0}};
  for (;;) {
    const int n = ::poll(p, stop ? 2 : 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return WaitResult::kTimeout;
    if (stop && (p[1].revents & POLLIN)) return WaitResult::kStopped;
    return WaitResult::kReady;  // readable, writable, or an error the next call
                                // reports
  }
}

Result<Fd> ConnectTcp(const std::string& host, uint16_t port,
                      const StopSignal* stop, int timeout_ms) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int rc =
      ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) return Status::IOError(where + ": " + ::gai_strerror(rc));
  Status last = Status::IOError(where + ": no address");
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    Fd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                   a->ai_protocol));
    if (!fd.valid()) continue;
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) != 0 &&
        errno != EINPROGRESS) {
      last = Status::IOError(where + ": connect: " + std::strerror(errno));
      continue;
    }
    const WaitResult w = WaitFd(fd.get(), true, stop, timeout_ms);
    if (w != WaitResult::kReady) {
      last = w == WaitResult::kStopped
                 ? Status::Unavailable(where + ": stopped")
                 : Status::IOError(where + ": connect timed out");
      continue;
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      last = Status::IOError(where + ": connect: " + std::strerror(err));
      continue;
    }
    const int flags = ::fcntl(fd.get(), F_GETFL);
    ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
    const int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::freeaddrinfo(res);
    return fd;
  }
  ::freeaddrinfo(res);
  return last;
}

Result<Fd> ListenTcp(const std::string& host, uint16_t port,
                     uint16_t* bound_port) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  const int rc =
      ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) return Status::IOError(where + ": " + ::gai_strerror(rc));
  Fd fd(::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC,
                 res->ai_protocol));
  const int one = 1;
  if (!fd.valid() ||
      ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      ::bind(fd.get(), res->ai_addr, res->ai_addrlen) != 0 ||
      ::listen(fd.get(), 64) != 0) {
    Status st = Status::IOError(where + ": listen: " + std::strerror(errno));
    ::freeaddrinfo(res);
    return st;
  }
  ::freeaddrinfo(res);
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  *bound_port = ntohs(addr.ss_family == AF_INET6
                          ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                          : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return fd;
}

Status SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return Status::IOError(std::string("send: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Result<std::string> ReceiveSome(int fd, const StopSignal* stop,
                                int timeout_ms) {
  const WaitResult w = WaitFd(fd, false, stop, timeout_ms);
  if (w == WaitResult::kStopped) return Status::Unavailable("stopped");
  if (w == WaitResult::kTimeout) return Status::IOError("receive timed out");
  char buf[16384];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return Status::IOError(std::string("recv: ") + std::strerror(errno));
    return std::string(buf, static_cast<size_t>(n));
  }
}

std::string PeerName(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return "?";
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (addr.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace station
