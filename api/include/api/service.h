// The node's request handling: authentication, routing and the handlers, over
// one Log, a token store and the group committer. No socket code: server.cc
// feeds it plain Requests.
//
// Threads: Handle may be called concurrently from any number of I/O threads.
// Replies for writes arrive on the committer's writer thread; the caller must
// post them back to its connection.
#ifndef UDI_API_SERVICE_H_
#define UDI_API_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/capture_jobs.h"
#include "api/committer.h"
#include "api/http.h"
#include "api/metrics.h"
#include "api/routes.h"
#include "api/tokens.h"
#include "ledger/log.h"

namespace api {

struct ServiceOptions {
  std::string name = "udi-ledger-node";  // node name (log origin and key name)
  std::string version = "0.1.0";
  size_t max_envelopes_per_request = 10000;
  size_t max_page_size = 1000;  // perPage upper bound
  size_t default_page_size = 100;
  size_t max_log_entries = 1000;  // GET /v1/log/entries count upper bound
  size_t max_query_scan =
      100000;  // index entries a query may examine before answering
  size_t max_capture_jobs =
      10000;  // finished capture jobs remembered (oldest dropped)
  // The node's data dir: GET /v1/admin/backup copies its non-secret state files
  // (ledger/backup.h kBackupStateFiles) into the backup. "" for none.
  std::string data_dir;
};

class Service {
 public:
  // All pointers must outlive the Service.
  Service(ServiceOptions options, ledger::Log* log, TokenStore* tokens,
          Committer* committer, Metrics* metrics);

  // Routes, authenticates and answers one request; `reply` is called exactly
  // once.
  void Handle(Request request, Reply reply);
  // After this, writes answer 503 (used while shutting down).
  void BeginShutdown() { shutting_down_ = true; }
  bool shutting_down() const { return shutting_down_; }

  const ServiceOptions& options() const { return options_; }
  ledger::Log& log() { return *log_; }
  // Every log this node holds: its own first, then the verified replicas of
  // other origins. The federation layer installs a source with SetLogSource
  // (before serving); without one, only the own log. Thread-safe; the shared
  // pointers keep a replica readable even if it is dropped meanwhile.
  using LogSource =
      std::function<std::vector<std::shared_ptr<const ledger::Log>>()>;
  void SetLogSource(LogSource source) { log_source_ = std::move(source); }
  std::vector<std::shared_ptr<const ledger::Log>> HeldLogs() const;
  // The largest verified checkpoint size of `origin` seen from peers (0 when
  // none); GET /v1/logs reports each log's lag against it. Installed by the
  // federation layer before serving; thread-safe.
  using SeenSizeSource = std::function<uint64_t(const std::string& origin)>;
  void SetSeenSizeSource(SeenSizeSource source) {
    seen_size_source_ = std::move(source);
  }
  uint64_t SeenSize(const std::string& origin) const {
    return seen_size_source_ ? seen_size_source_(origin) : 0;
  }
  // The held log whose origin is `origin`, or nullptr.
  std::shared_ptr<const ledger::Log> FindLog(std::string_view origin) const;
  TokenStore& tokens() { return *tokens_; }
  Committer& committer() { return *committer_; }
  Metrics& metrics() { return *metrics_; }

  // Capture jobs (thread-safe). In memory until OpenCaptureJobs persists them
  // (call it before serving; see capture_jobs.h). NewCaptureJob returns the
  // job once it is durable; IOError when it cannot be stored.
  ledger::Status OpenCaptureJobs(const std::string& path);
  ledger::Result<CaptureJob> NewCaptureJob(std::string error_behaviour);
  void FinishCaptureJob(const std::string& id, bool success,
                        nlohmann::json errors);
  std::optional<CaptureJob> FindCaptureJob(const std::string& id) const;

 private:
  const ServiceOptions options_;
  ledger::Log* const log_;
  TokenStore* const tokens_;
  Committer* const committer_;
  Metrics* const metrics_;
  std::atomic<bool> shutting_down_{false};
  LogSource log_source_;
  SeenSizeSource seen_size_source_;

  std::unique_ptr<CaptureJobStore> capture_jobs_;
};

}  // namespace api

#endif  // UDI_API_SERVICE_H_
