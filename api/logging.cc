#include "api/logging.h"

#include <sodium.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "api/http.h"
#include "ledger/bytes.h"

namespace api {

namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

std::mutex& SinkMutex() {
  static std::mutex mu;  // guards Sink() and the writes to stderr
  return mu;
}

// Lines waiting for one write to stderr (LogBuffered). Never destroyed: the
// flusher thread is detached and may run while the process exits.
struct Pending {
  std::mutex mu;  // guards text and flusher_started; taken after SinkMutex()
  std::condition_variable cv;  // text became non-empty
  std::string text;
  bool flusher_started = false;
};
Pending& ThePending() {
  static Pending* pending = new Pending;
  return *pending;
}
constexpr size_t kPendingLimit = 64 * 1024;
constexpr auto kPendingDelay = std::chrono::milliseconds(20);

// Writes `text` to stderr. SinkMutex() held.
void WriteStderr(std::string_view text) {
  if (text.empty()) return;
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

// Takes the pending lines and writes them. SinkMutex() held.
void FlushPendingLocked() {
  std::string text;
  {
    std::lock_guard<std::mutex> lock(ThePending().mu);
    text.swap(ThePending().text);
  }
  WriteStderr(text);
}

void FlusherLoop() {
  Pending& p = ThePending();
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(p.mu);
      p.cv.wait(lock, [&p] { return !p.text.empty(); });
    }
    std::this_thread::sleep_for(kPendingDelay);  // let more lines gather
    std::lock_guard<std::mutex> lock(SinkMutex());
    FlushPendingLocked();
  }
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

std::string FormatLogLine(std::string_view time, LogLevel level,
                          std::string_view msg,
                          const nlohmann::ordered_json& fields) {
  nlohmann::ordered_json line;
  line["time"] = std::string(time);
  line["level"] = LogLevelName(level);
  line["msg"] = std::string(msg);
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      // time, level and msg are the line's own; a field cannot replace them.
      if (key != "time" && key != "level" && key != "msg") line[key] = value;
    }
  }
  // Invalid UTF-8 in a field (e.g. a malformed path) is replaced, not thrown.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

void LogLine(LogLevel level, std::string_view msg,
             const nlohmann::ordered_json& fields) {
  if (!LogEnabled(level)) return;
  std::string text =
      FormatLogLine(FormatRfc3339Millis(NowMillis()), level, msg, fields);
  std::lock_guard<std::mutex> lock(SinkMutex());
  if (Sink()) {
    Sink()(text);
  } else {
    FlushPendingLocked();  // lines logged before this one come first
    WriteStderr(text);
  }
}

void LogBuffered(LogLevel level, std::string_view line) {
  if (!LogEnabled(level)) return;
  {
    std::lock_guard<std::mutex> lock(SinkMutex());
    if (Sink()) return Sink()(line);
  }
  Pending& p = ThePending();
  bool full = false, start = false;
  {
    std::lock_guard<std::mutex> lock(p.mu);
    const bool was_empty = p.text.empty();
    p.text.append(line);
    full = p.text.size() >= kPendingLimit;
    if (!p.flusher_started) {
      p.flusher_started = start = true;
    } else if (was_empty) {
      p.cv.notify_one();
    }
  }
  if (start) {
    std::atexit(FlushLog);
    std::thread(FlusherLoop).detach();
  }
  if (full) FlushLog();
}

void FlushLog() {
  std::lock_guard<std::mutex> lock(SinkMutex());
  FlushPendingLocked();
}

void SetLogSink(std::function<void(std::string_view line)> sink) {
  std::lock_guard<std::mutex> lock(SinkMutex());
  Sink() = std::move(sink);
}

std::string NewRequestId() {
  // Random bytes fetched 256 at a time per thread (one getrandom call per 32
  // ids rather than one per request); each byte is used once.
  thread_local unsigned char pool[256];
  thread_local size_t used = sizeof pool;
  if (used + 8 > sizeof pool) {
    randombytes_buf(pool, sizeof pool);
    used = 0;
  }
  std::string id = ledger::ToHex(
      std::string_view(reinterpret_cast<const char*>(pool + used), 8));
  sodium_memzero(pool + used, 8);
  used += 8;
  return id;
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
