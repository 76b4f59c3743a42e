// EPCIS capture jobs (POST /capture answers with one, GET /capture/{id} shows
// it), kept in memory and, when opened on a file, persisted so that they
// survive a node restart.
//
// File format (`DATA/capture-jobs.jsonl`): one JSON object per line, the job as
// GET /capture/{id} shows it (CaptureJob::ToJson). A later line for the same
// captureID replaces the earlier one. Open rewrites the file compactly
// (temp file, fsync, rename); appends are fdatasync'ed before Create/Finish
// return. A torn last line (a crash mid-append; never acknowledged) is ignored;
// a malformed line elsewhere fails Open naming the line.
//
// A job that was still running when the node stopped is loaded as finished,
// unsuccessful, with one ImplementationException saying so: its events may or
// may not have been committed (query them by eventID).
//
// Bounded: at most `max_jobs` jobs are remembered; the oldest finished ones are
// dropped first (a running job is never dropped). The file is compacted when
// it holds more than twice as many lines as remembered jobs.
//
// Threads: every method is thread-safe (mu_ guards all state and the file).
#ifndef UDI_API_CAPTURE_JOBS_H_
#define UDI_API_CAPTURE_JOBS_H_

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ledger/status.h"

namespace api {

// One EPCIS capture job (GET /capture/{id}).
struct CaptureJob {
  std::string id;
  std::string created_at;
  std::string finished_at;
  bool running = true;
  bool success = false;
  std::string error_behaviour = "rollback";  // "rollback" | "proceed"
  nlohmann::json errors = nlohmann::json::array();
  nlohmann::json ToJson() const;
  // The inverse of ToJson; InvalidArgument naming the member.
  static ledger::Result<CaptureJob> FromJson(const nlohmann::json& j);
};

class CaptureJobStore {
 public:
  // A store that keeps jobs in memory only.
  explicit CaptureJobStore(size_t max_jobs);
  ~CaptureJobStore();
  CaptureJobStore(const CaptureJobStore&) = delete;
  CaptureJobStore& operator=(const CaptureJobStore&) = delete;

  // Loads (or creates, mode 0600) the job file at `path` and keeps appending to
  // it. IOError naming the path; Corruption naming the line.
  static ledger::Result<std::unique_ptr<CaptureJobStore>> Open(
      const std::string& path, size_t max_jobs);

  // A new running job with an unguessable id; on disk (when persisted) before
  // it returns. IOError when it cannot be stored.
  ledger::Result<CaptureJob> Create(std::string error_behaviour);
  // Marks job `id` finished. IOError when it cannot be stored (the job is
  // finished in memory regardless). OK and nothing when `id` is unknown.
  ledger::Status Finish(const std::string& id, bool success,
                        nlohmann::json errors);
  std::optional<CaptureJob> Find(const std::string& id) const;
  size_t size() const;

 private:
  ledger::Status Append(const CaptureJob& job);  // mu_ held
  ledger::Status Compact();                      // mu_ held
  void DropOldest();                             // mu_ held

  const size_t max_jobs_;
  std::string path_;       // empty: memory only
  mutable std::mutex mu_;  // guards everything below and the file
  int fd_ = -1;
  size_t lines_ = 0;  // lines in the file
  std::map<std::string, CaptureJob> jobs_;
  std::deque<std::string> order_;  // ids, oldest first
};

}  // namespace api

#endif  // UDI_API_CAPTURE_JOBS_H_
