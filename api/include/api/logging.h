// Structured logging for ledger-node (issue 7): one JSON object per line on
// stderr (or a sink given by tests), e.g.
//
//   {"time":"2026-11-26T10:00:00.123Z","level":"info","msg":"request",
//    "requestId":"3f2a...","method":"GET","route":"healthz","status":200,
//    "latencyMs":0.412}
//
// Members: "time" (RFC 3339 UTC, milliseconds), "level" (debug | info | warn |
// error), "msg" (a short fixed text), then the caller's fields in the order
// given. Lines below the current level are dropped. The level can change at
// any time (POST /v1/admin/log-level, or --log-level / "logLevel" at start).
//
// Threads: every function may be called from any thread; one mutex serialises
// the writes so lines never interleave. Usable by api/ and node/.
#ifndef UDI_API_LOGGING_H_
#define UDI_API_LOGGING_H_

#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace api {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

const char* LogLevelName(LogLevel level);  // "debug", "info", "warn", "error"
// nullopt unless `name` is one of the four names above.
std::optional<LogLevel> ParseLogLevel(std::string_view name);

// The current threshold (default info).
LogLevel CurrentLogLevel();
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);

// Writes one line when `level` is enabled. `fields` must be a JSON object (or
// null); its members follow time, level and msg (members named time, level or
// msg are dropped).
void LogLine(LogLevel level, std::string_view msg,
             const nlohmann::ordered_json& fields = nullptr);

// The line LogLine writes, given its time text: for tests and for callers that
// build their lines themselves (FormatAccessLine must equal it).
std::string FormatLogLine(std::string_view time, LogLevel level,
                          std::string_view msg,
                          const nlohmann::ordered_json& fields = nullptr);

// Writes one complete line (ending in '\n') built by the caller, when `level`
// is enabled. Meant for the access log (a line per HTTP request): with stderr
// as the sink the line may wait up to 20 ms in a buffer (up to 64 KiB), so
// that one write carries many lines. Order is kept: LogLine and FlushLog write
// the buffered lines first, and they are written at process exit (not after
// SIGKILL or abort). A sink set with SetLogSink gets the line at once.
void LogBuffered(LogLevel level, std::string_view line);
// Writes the buffered lines now.
void FlushLog();

// Where lines go: each complete line (with its trailing '\n') is passed to
// `sink`. An empty function restores stderr. For tests.
void SetLogSink(std::function<void(std::string_view line)> sink);

// A request id: 16 lower-case hex characters from the OS random source.
std::string NewRequestId();
// True when `id` is acceptable as a caller-supplied X-Request-Id: 1..64
// characters of [A-Za-z0-9._-].
bool IsValidRequestId(std::string_view id);

}  // namespace api

#endif  // UDI_API_LOGGING_H_
