// A tiny synchronous HTTP/1.1 client (Boost.Beast) for ledgerctl, replication,
// the witness, benchmarks and functional tests. Keeps one keep-alive
// connection and reconnects when the server closed it. Every connect, write and
// read is bounded by the timeout (SetTimeout), so a peer that is slow, silent
// or stalls mid-response fails the request instead of hanging the caller.
// Beast is confined to http_client.cc. Not thread-safe: use one client per
// thread.
#ifndef UDI_NODE_CLIENT_HTTP_CLIENT_H_
#define UDI_NODE_CLIENT_HTTP_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/status.h"

namespace udi_http {

struct HttpResponse {
  int status = 0;
  // Names lower-cased. "content-encoding" stays as received ("zstd") although
  // the body below is already decoded.
  std::map<std::string, std::string> headers;
  std::string body;  // decoded (Content-Encoding: zstd is undone)

  // The body parsed as JSON (a discarded value when it is not JSON).
  nlohmann::json Json() const {
    return nlohmann::json::parse(body, nullptr, false);
  }
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpClient {
 public:
  HttpClient(std::string host, uint16_t port);
  ~HttpClient();

  // Sends "Authorization: Bearer <token>" with every request ("" for none).
  void SetBearerToken(std::string token) { token_ = std::move(token); }
  // Sends "Accept-Encoding: zstd" with every request. Responses with
  // Content-Encoding: zstd are decoded whether or not this is set.
  void SetAcceptZstd(bool on) { accept_zstd_ = on; }
  // Bounds each phase of every later request (default 60 s; at least 1 ms):
  // connecting, writing the request, and reading the whole response (however
  // slowly it trickles in). A request thus takes at most about 3 timeouts
  // (plus name resolution for a host name, which is the system resolver's).
  // A timed-out request is not retried, and its connection is closed.
  void SetTimeout(std::chrono::milliseconds timeout);

  // IOError "<METHOD> http://<host>:<port><target>: <phase>: <reason>" when no
  // response arrives, phase being connect, write or read; on a timeout the
  // reason reads "<phase> timed out after <N> ms". A kept-alive connection the
  // server closed meanwhile (write fails, or the read ends before any byte) is
  // replaced once by a new one.
  ledger::Result<HttpResponse> Send(
      const std::string& method, const std::string& target,
      const std::string& body = "",
      const std::vector<std::pair<std::string, std::string>>& headers = {});
  ledger::Result<HttpResponse> Get(const std::string& target) {
    return Send("GET", target);
  }
  ledger::Result<HttpResponse> Post(const std::string& target,
                                    const nlohmann::json& body) {
    return Send("POST", target, body.dump());
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string token_;
  bool accept_zstd_ = false;
};

// Decodes one or more zstd frames. InvalidArgument when `in` is not valid zstd
// or decodes to more than `max_bytes`.
ledger::Result<std::string> ZstdDecompress(std::string_view in,
                                           size_t max_bytes = size_t{1} << 30);

}  // namespace udi_http

#endif  // UDI_NODE_CLIENT_HTTP_CLIENT_H_
