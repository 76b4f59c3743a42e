// The access log line of one HTTP request (issue 7). Private to api/.
#ifndef UDI_API_ACCESS_LOG_H_
#define UDI_API_ACCESS_LOG_H_

#include <chrono>
#include <string>
#include <string_view>

#include "api/http.h"
#include "api/metrics.h"

namespace api {

// Made when a request arrives; Finish() writes one "request" line at info
// level (debug for /healthz and /metrics, which probes call often) with
// requestId, method, path, route, status and latencyMs, and records the
// latency in `metrics`. Copyable; thread-compatible.
struct AccessLogStart {
  AccessLogStart(const Request& request, std::string id);
  void Finish(std::string_view route, int status, Metrics* metrics) const;

  std::string request_id;
  std::string method;
  std::string path;
  std::chrono::steady_clock::time_point start;
};

}  // namespace api

#endif  // UDI_API_ACCESS_LOG_H_
