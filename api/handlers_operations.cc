// Operations handlers (issue 7): online backup (streamed) and the runtime log
// level.
#include "api/handlers_operations.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "api/logging.h"
#include "ledger/backup.h"

namespace api {

namespace {

// The bytes of one backup, produced by WriteBackup on a thread of its own and
// handed to the server piece by piece (api::BodySource) through a queue of at
// most kMaxQueuedBytes: the producer waits while the client is slower, so the
// node's memory stays bounded whatever the size of the log.
class BackupBody : public BodySource {
 public:
  static constexpr size_t kMaxQueuedBytes = 4 << 20;

  BackupBody(const ledger::Log& log, ledger::BackupOptions options,
             std::string token_id)
      : token_id_(std::move(token_id)) {
    thread_ = std::thread(
        [this, &log, options = std::move(options)] { Produce(log, options); });
  }
  // Stops the producer (its next write fails) and waits for it.
  ~BackupBody() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  ledger::Result<std::string> Next() override {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return !queue_.empty() || finished_; });
    if (!queue_.empty()) {
      std::string piece = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= piece.size();
      changed_.notify_all();
      return piece;
    }
    if (!result_.ok()) return result_;
    return std::string();
  }

 private:
  void Produce(const ledger::Log& log, const ledger::BackupOptions& options) {
    uint64_t bytes = 0;
    auto info = ledger::WriteBackup(
        log,
        [this, &bytes](std::string_view piece) {
          bytes += piece.size();
          return Push(piece);
        },
        options);
    if (info.ok()) {
      LogLine(LogLevel::kInfo, "backup served",
              {{"tokenId", token_id_},
               {"size", info->size},
               {"records", info->records},
               {"files", info->files},
               {"bytes", bytes}});
    } else {
      LogLine(LogLevel::kError, "backup failed",
              {{"tokenId", token_id_}, {"error", info.status().message()}});
    }
    std::lock_guard<std::mutex> lock(mu_);
    finished_ = true;
    result_ = info.status();
    changed_.notify_all();
  }

  ledger::Status Push(std::string_view piece) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(
        lock, [this] { return cancelled_ || queued_bytes_ < kMaxQueuedBytes; });
    if (cancelled_) {
      return ledger::Status::Unavailable(
          "backup: the connection closed before the end");
    }
    // Pieces of zstd output are up to 128 KiB; join small ones.
    if (!queue_.empty() && queue_.back().size() < (64u << 10)) {
      queue_.back().append(piece);
    } else {
      queue_.emplace_back(piece);
    }
    queued_bytes_ += piece.size();
    changed_.notify_all();
    return ledger::Status::OK();
  }

  const std::string token_id_;
  std::mutex mu_;  // guards everything below
  std::condition_variable changed_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  bool finished_ = false;
  bool cancelled_ = false;
  ledger::Status result_;
  std::thread thread_;  // last: started after the members it uses
};

}  // namespace

UDI_HANDLER(HandleBackup) {
  (void)request;
  ledger::BackupOptions options;
  options.state_dir = service.options().data_dir;  // secrets never leave
  Response r;
  r.content_type = "application/zstd";
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"udi-ledger-" +
                             std::to_string(service.log().Size()) +
                             ".udibak\"");
  r.stream = std::make_shared<BackupBody>(service.log(), std::move(options),
                                          caller.token.id);
  reply(std::move(r));
}

UDI_HANDLER(HandleGetLogLevel) {
  (void)service;
  (void)caller;
  (void)request;
  reply(JsonResponse(200, {{"level", LogLevelName(CurrentLogLevel())}}));
}

UDI_HANDLER(HandleSetLogLevel) {
  (void)service;
  auto body = ParseJsonBody(request);
  if (!body.ok()) return reply(StatusResponse(body.status(), "body"));
  if (!body->is_object() || !body->contains("level") ||
      !(*body)["level"].is_string()) {
    return reply(ErrorResponse(
        400, "level: want one of debug, info, warn, error", "level"));
  }
  if (body->size() != 1) {
    for (const auto& [key, value] : body->items()) {
      (void)value;
      if (key != "level")
        return reply(ErrorResponse(400, key + ": unknown member", key));
    }
  }
  auto level = ParseLogLevel((*body)["level"].get<std::string>());
  if (!level) {
    return reply(ErrorResponse(
        400, "level: want one of debug, info, warn, error", "level"));
  }
  LogLevel previous = CurrentLogLevel();
  SetLogLevel(*level);
  // Logged at warn so that the change is visible at every level.
  LogLine(LogLevel::kWarn, "log level changed",
          {{"to", LogLevelName(*level)},
           {"from", LogLevelName(previous)},
           {"tokenId", caller.token.id}});
  reply(JsonResponse(200, {{"level", LogLevelName(*level)},
                           {"previous", LogLevelName(previous)}}));
}

}  // namespace api
