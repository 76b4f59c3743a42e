#include "node/replication/replication_stats.h"

#include <algorithm>

namespace replication {

namespace {
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace

void ReplicationStats::CountFailure(const std::string& peer,
                                    const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  ++failures_[{peer, reason}];
}

void ReplicationStats::CountImported(const std::string& origin,
                                     uint64_t entries) {
  std::lock_guard<std::mutex> lock(mu_);
  imported_[origin] += entries;
}

void ReplicationStats::SeeCheckpointSize(const std::string& origin,
                                         uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& v = largest_seen_[origin];
  v = std::max(v, size);
}

uint64_t ReplicationStats::LargestSeen(const std::string& origin) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = largest_seen_.find(origin);
  return it == largest_seen_.end() ? 0 : it->second;
}

uint64_t ReplicationStats::Failures(const std::string& peer,
                                    const std::string& reason) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find({peer, reason});
  return it == failures_.end() ? 0 : it->second;
}

void ReplicationStats::Render(std::string* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  *out +=
      "# HELP udi_replication_failures_total Failed pulls from a peer, by "
      "reason (nothing of a failed pull is stored).\n"
      "# TYPE udi_replication_failures_total counter\n";
  for (const auto& [key, n] : failures_) {
    *out += "udi_replication_failures_total{peer=\"" + Label(key.first) +
            "\",reason=\"" + Label(key.second) + "\"} " + std::to_string(n) +
            "\n";
  }
  *out +=
      "# HELP udi_replication_imported_entries_total Entries verified and "
      "stored in a replica, by origin.\n"
      "# TYPE udi_replication_imported_entries_total counter\n";
  for (const auto& [origin, n] : imported_) {
    *out += "udi_replication_imported_entries_total{origin=\"" + Label(origin) +
            "\"} " + std::to_string(n) + "\n";
  }
  *out +=
      "# HELP udi_replication_seen_size Largest verified checkpoint size seen "
      "from any peer, by origin.\n"
      "# TYPE udi_replication_seen_size gauge\n";
  for (const auto& [origin, n] : largest_seen_) {
    *out += "udi_replication_seen_size{origin=\"" + Label(origin) + "\"} " +
            std::to_string(n) + "\n";
  }
}

}  // namespace replication
