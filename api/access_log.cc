#include "api/access_log.h"

#include "api/logging.h"

namespace api {

AccessLogStart::AccessLogStart(const Request& request, std::string id)
    : request_id(std::move(id)),
      method(request.method),
      path(request.path),
      start(std::chrono::steady_clock::now()) {}

void AccessLogStart::Finish(std::string_view route, int status,
                            Metrics* metrics) const {
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (metrics) metrics->ObserveRequest(seconds);
  LogLevel level = (route == "healthz" || route == "metrics")
                       ? LogLevel::kDebug
                       : (status >= 500 ? LogLevel::kWarn : LogLevel::kInfo);
  if (!LogEnabled(level)) return;
  LogLine(
      level, "request",
      {{"requestId", request_id},
       {"method", method},
       {"path", path},
       {"route", std::string(route)},
       {"status", status},
       {"latencyMs",
        static_cast<double>(static_cast<int64_t>(seconds * 1e6)) / 1000.0}});
}

}  // namespace api
