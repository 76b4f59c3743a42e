#include "api/capture_jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "api/http.h"
#include "api/tokens.h"
#include "ledger/bytes.h"

namespace api {

namespace {

constexpr const char* kInterrupted =
    "the node stopped before this capture job finished; some of its events "
    "may have been committed (query them by eventID)";

ledger::Status Errno(const std::string& what, const std::string& path) {
  return ledger::Status::IOError(what + " " + path + ": " +
                                 std::strerror(errno));
}

ledger::Status WriteAll(int fd, std::string_view data,
                        const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ledger::Status::OK();
}

ledger::Result<std::string> StringMember(const nlohmann::json& j,
                                         const char* name, bool required) {
  auto it = j.find(name);
  if (it == j.end()) {
    if (!required) return std::string();
    return ledger::Status::InvalidArgument(std::string(name) + ": missing");
  }
  if (!it->is_string())
    return ledger::Status::InvalidArgument(std::string(name) +
                                           ": not a string");
  return it->get<std::string>();
}

}  // namespace

nlohmann::json CaptureJob::ToJson() const {
  nlohmann::json j = {{"captureID", id},
                      {"createdAt", created_at},
                      {"running", running},
                      {"success", success},
                      {"captureErrorBehaviour", error_behaviour},
                      {"errors", errors}};
  if (!finished_at.empty()) j["finishedAt"] = finished_at;
  return j;
}

ledger::Result<CaptureJob> CaptureJob::FromJson(const nlohmann::json& j) {
  if (!j.is_object())
    return ledger::Status::InvalidArgument("job: not a JSON object");
  CaptureJob job;
  auto id = StringMember(j, "captureID", true);
  if (!id.ok()) return id.status();
  auto created = StringMember(j, "createdAt", true);
  if (!created.ok()) return created.status();
  auto finished = StringMember(j, "finishedAt", false);
  if (!finished.ok()) return finished.status();
  auto behaviour = StringMember(j, "captureErrorBehaviour", true);
  if (!behaviour.ok()) return behaviour.status();
  for (const char* flag : {"running", "success"}) {
    if (!j.contains(flag) || !j[flag].is_boolean())
      return ledger::Status::InvalidArgument(std::string(flag) +
                                             ": missing or not a boolean");
  }
  if (!j.contains("errors") || !j["errors"].is_array())
    return ledger::Status::InvalidArgument("errors: missing or not an array");
  job.id = *id;
  job.created_at = *created;
  job.finished_at = *finished;
  job.error_behaviour = *behaviour;
  job.running = j["running"].get<bool>();
  job.success = j["success"].get<bool>();
  job.errors = j["errors"];
  return job;
}

CaptureJobStore::CaptureJobStore(size_t max_jobs)
    : max_jobs_(max_jobs == 0 ? 1 : max_jobs) {}

CaptureJobStore::~CaptureJobStore() {
  if (fd_ >= 0) ::close(fd_);
}

ledger::Result<std::unique_ptr<CaptureJobStore>> CaptureJobStore::Open(
    const std::string& path, size_t max_jobs) {
  auto store = std::make_unique<CaptureJobStore>(max_jobs);
  store->path_ = path;
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  const std::string all = text.str();
  size_t start = 0;
  for (size_t line = 1; start < all.size(); ++line) {
    size_t end = all.find('\n', start);
    if (end == std::string::npos) break;  // a torn last line: never answered
    auto j =
        nlohmann::json::parse(all.substr(start, end - start), nullptr, false);
    auto job = CaptureJob::FromJson(j);
    if (!job.ok()) {
      return ledger::Status::Corruption(path + ": line " +
                                        std::to_string(line) + ": " +
                                        job.status().message());
    }
    if (job->running) {
      job->running = false;
      job->success = false;
      job->finished_at = FormatRfc3339Millis(NowMillis());
      job->errors = nlohmann::json::array(
          {{{"type", "epcisException:ImplementationException"},
            {"title", kInterrupted},
            {"status", 500}}});
    }
    if (!store->jobs_.count(job->id)) store->order_.push_back(job->id);
    store->jobs_[job->id] = std::move(*job);
    start = end + 1;
  }
  std::lock_guard<std::mutex> lock(store->mu_);
  store->DropOldest();
  LEDGER_RETURN_IF_ERROR(store->Compact());
  return store;
}

void CaptureJobStore::DropOldest() {
  while (order_.size() > max_jobs_) {
    auto it = jobs_.find(order_.front());
    if (it != jobs_.end() && it->second.running) break;  // never a running job
    if (it != jobs_.end()) jobs_.erase(it);
    order_.pop_front();
  }
}

ledger::Status CaptureJobStore::Compact() {
  if (path_.empty()) return ledger::Status::OK();
  std::string contents;
  for (const auto& id : order_) contents += jobs_.at(id).ToJson().dump() + "\n";
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  LEDGER_RETURN_IF_ERROR(WriteFileAtomically(path_, contents, 0600));
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) return Errno("open", path_);
  lines_ = order_.size();
  return ledger::Status::OK();
}

ledger::Status CaptureJobStore::Append(const CaptureJob& job) {
  if (path_.empty()) return ledger::Status::OK();
  if (lines_ > 2 * max_jobs_ + 16) return Compact();
  if (fd_ < 0) return ledger::Status::IOError(path_ + ": not open");
  LEDGER_RETURN_IF_ERROR(WriteAll(fd_, job.ToJson().dump() + "\n", path_));
  if (::fdatasync(fd_) != 0) return Errno("fdatasync", path_);
  ++lines_;
  return ledger::Status::OK();
}

ledger::Result<CaptureJob> CaptureJobStore::Create(
    std::string error_behaviour) {
  std::string raw(12, '\0');
  randombytes_buf(raw.data(), raw.size());  // unguessable job ids
  CaptureJob job;
  job.id = ledger::ToHex(raw);
  job.created_at = FormatRfc3339Millis(NowMillis());
  job.error_behaviour = std::move(error_behaviour);
  std::lock_guard<std::mutex> lock(mu_);
  jobs_[job.id] = job;
  order_.push_back(job.id);
  DropOldest();
  ledger::Status st = Append(job);
  if (!st.ok()) {
    jobs_.erase(job.id);
    order_.pop_back();
    return st;
  }
  return job;
}

ledger::Status CaptureJobStore::Finish(const std::string& id, bool success,
                                       nlohmann::json errors) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return ledger::Status::OK();
  it->second.running = false;
  it->second.success = success;
  it->second.errors = std::move(errors);
  it->second.finished_at = FormatRfc3339Millis(NowMillis());
  return Append(it->second);
}

std::optional<CaptureJob> CaptureJobStore::Find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

size_t CaptureJobStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_.size();
}

}  // namespace api
