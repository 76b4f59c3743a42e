// The HTTP/1.1 server: a Beast async listener and session per connection
// (shaped like Beast's advanced server example), feeding plain api::Requests to
// a Service. All Beast code lives in server.cc; this header does not include
// Beast.
//
// Every input is bounded: header and body size, read timeout, connections, one
// request in flight per connection (pipelined requests wait in the read
// buffer). Overload answers 503 with Retry-After.
#ifndef UDI_API_SERVER_H_
#define UDI_API_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/service.h"
#include "ledger/status.h"

namespace api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 7800;               // 0: any free port (see Server::port())
  size_t threads = 0;                 // I/O threads; 0: one per core
  uint64_t body_limit = 64ull << 20;  // bytes; larger bodies get 413
  uint32_t header_limit = 16 << 10;   // bytes; larger headers get 431
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds write_timeout{30};
  size_t max_connections = 1024;  // beyond: 503 and close
  std::chrono::seconds drain_timeout{
      30};  // longest wait for in-flight answers at shutdown
};

class Server {
 public:
  Server(ServerOptions options, Service* service);
  ~Server();

  // Binds and listens. InvalidArgument for a bad host, IOError naming the
  // address when it cannot be bound (e.g. in use).
  ledger::Status Listen();
  // The bound port (after Listen).
  uint16_t port() const;

  // Serves until SIGINT/SIGTERM (or RequestStop): stops accepting, makes the
  // service refuse new writes, calls `drain` (which MUST finish and answer
  // every admitted write), waits until every in-flight response has been
  // written, then returns.
  void Run(std::function<void()> drain);
  // Triggers the same shutdown as a signal. Thread-safe.
  void RequestStop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace api

#endif  // UDI_API_SERVER_H_
