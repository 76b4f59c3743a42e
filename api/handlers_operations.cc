// Operations handlers (issue 7): online backup and the runtime log level.
#include "api/handlers_operations.h"

#include "api/logging.h"
#include "ledger/backup.h"

namespace api {

UDI_HANDLER(HandleBackup) {
  (void)request;
  // The whole backup is built in memory (the server sends string bodies);
  // compressed it is about a third of the LevelDB size. The I/O thread running
  // this is busy until it is done; other connections use the other threads.
  std::string body;
  auto info = ledger::WriteBackup(service.log(), [&body](std::string_view b) {
    body.append(b);
    return ledger::Status::OK();
  });
  if (!info.ok()) return reply(StatusResponse(info.status()));
  LogLine(LogLevel::kInfo, "backup served",
          {{"tokenId", caller.token.id},
           {"size", info->size},
           {"records", info->records},
           {"bytes", body.size()}});
  Response r;
  r.content_type = "application/zstd";
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"udi-ledger-" +
                             std::to_string(info->size) + ".udibak\"");
  r.headers.emplace_back("X-Udi-Log-Size", std::to_string(info->size));
  r.headers.emplace_back("X-Udi-Backup-Records", std::to_string(info->records));
  r.body = std::move(body);
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
