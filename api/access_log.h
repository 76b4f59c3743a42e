// The access log line of one HTTP request (issue 7). Private to api/.
#ifndef UDI_API_ACCESS_LOG_H_
#define UDI_API_ACCESS_LOG_H_

#include <chrono>
#include <string>
#include <string_view>

#include "api/http.h"
#include "api/logging.h"
#include "api/metrics.h"

namespace api {

// Made when a request arrives; Finish() writes one "request" line at info
// level (debug for /healthz and /metrics, which probes call often) with
// requestId, method, path, route, status and latencyMs, and records the
// latency in `metrics`. The line is the one LogLine would write, built without
// a JSON tree and written with LogBuffered (one write for many requests).
// Copyable; thread-compatible.
struct AccessLogStart {
  AccessLogStart(const Request& request, std::string id);
  void Finish(std::string_view route, int status, Metrics* metrics) const;

  std::string request_id;
  std::string method;
  std::string path;
  std::chrono::steady_clock::time_point start;
};

// The access line of a request: byte for byte FormatLogLine(time, level,
// "request", {{"requestId", ...}, {"method", ...}, {"path", ...},
// {"route", ...}, {"status", ...}, {"latencyMs", ...}}).
std::string FormatAccessLine(std::string_view time, LogLevel level,
                             std::string_view request_id,
                             std::string_view method, std::string_view path,
                             std::string_view route, int status,
                             double latency_ms);

}  // namespace api

#endif  // UDI_API_ACCESS_LOG_H_
