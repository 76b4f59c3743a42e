#include "api/logging.h"

#include <sodium.h>

#include <atomic>
#include <mutex>

#include "api/http.h"
#include "ledger/bytes.h"

namespace api {

namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

std::mutex& SinkMutex() {
  static std::mutex mu;  // guards Sink() and the writes to stderr
  return mu;
}

std::function<void(std::string_view)>& Sink() {
  static std::function<void(std::string_view)> sink;
  return sink;
}

}  // namespace

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  for (LogLevel l :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (name == LogLevelName(l)) return l;
  }
  return std::nullopt;
}

LogLevel CurrentLogLevel() { return static_cast<LogLevel>(g_level.load()); }

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= g_level.load();
}

void LogLine(LogLevel level, std::string_view msg,
             const nlohmann::ordered_json& fields) {
  if (!LogEnabled(level)) return;
  nlohmann::ordered_json line;
  line["time"] = FormatRfc3339Millis(NowMillis());
  line["level"] = LogLevelName(level);
  line["msg"] = std::string(msg);
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      // time, level and msg are the line's own; a field cannot replace them.
      if (key != "time" && key != "level" && key != "msg") line[key] = value;
    }
  }
  // Invalid UTF-8 in a field (e.g. a malformed path) is replaced, not thrown.
  std::string text =
      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
      "\n";
  std::lock_guard<std::mutex> lock(SinkMutex());
  if (Sink()) {
    Sink()(text);
  } else {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  }
}

void SetLogSink(std::function<void(std::string_view line)> sink) {
  std::lock_guard<std::mutex> lock(SinkMutex());
  Sink() = std::move(sink);
}

std::string NewRequestId() {
  unsigned char raw[8];
  randombytes_buf(raw, sizeof raw);
  return ledger::ToHex(
      std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace api
