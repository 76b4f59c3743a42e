#include "api/access_log.h"

#include "api/logging.h"

namespace api {

namespace {

// `s` as a JSON string the way the ordered_json dump in FormatLogLine writes
// it: printable ASCII other than '"' and '\\' as is, anything else through the
// library (escapes, U+FFFD for invalid UTF-8).
void AppendJsonString(std::string_view s, std::string* out) {
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      *out +=
          nlohmann::json(std::string(s))
              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
  }
  *out += '"';
  *out += s;
  *out += '"';
}

void AppendMember(std::string_view name, std::string_view value,
                  std::string* out) {
  *out += ",\"";
  *out += name;
  *out += "\":";
  AppendJsonString(value, out);
}

}  // namespace

std::string FormatAccessLine(std::string_view time, LogLevel level,
                             std::string_view request_id,
                             std::string_view method, std::string_view path,
                             std::string_view route, int status,
                             double latency_ms) {
  std::string out;
  out.reserve(192 + path.size());
  out += "{\"time\":";
  AppendJsonString(time, &out);
  AppendMember("level", LogLevelName(level), &out);
  AppendMember("msg", "request", &out);
  AppendMember("requestId", request_id, &out);
  AppendMember("method", method, &out);
  AppendMember("path", path, &out);
  AppendMember("route", route, &out);
  out += ",\"status\":";
  out += std::to_string(status);
  out += ",\"latencyMs\":";
  out += nlohmann::json(latency_ms).dump();
  out += "}\n";
  return out;
}

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
  LogBuffered(
      level,
      FormatAccessLine(
          FormatRfc3339Millis(NowMillis()), level, request_id, method, path,
          route, status,
          static_cast<double>(static_cast<int64_t>(seconds * 1e6)) / 1000.0));
}

}  // namespace api
