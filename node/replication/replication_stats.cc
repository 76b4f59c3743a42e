#include "node/replication/replication_stats.h"

#include <algorithm>
#include <cstdio>

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

void ReplicationStats::SeePeerCheckpoint(const std::string& peer,
                                         const std::string& origin,
                                         uint64_t size, uint64_t held) {
  const auto now = Clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  const auto key = std::make_pair(peer, origin);
  peer_size_[key] = size;
  auto& q = pending_[key];
  while (!q.empty() && q.front().size <= held) q.pop_front();
  if (size > held && (q.empty() || size > q.back().size) &&
      q.size() < kMaxPending) {
    q.push_back({size, now});
  }
}

std::map<std::pair<std::string, std::string>, uint64_t>
ReplicationStats::PeerSizes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peer_size_;
}

uint64_t ReplicationStats::LagEntries(const std::string& peer,
                                      const std::string& origin,
                                      uint64_t held) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = peer_size_.find({peer, origin});
  if (it == peer_size_.end() || it->second <= held) return 0;
  return it->second - held;
}

double ReplicationStats::LagSeconds(const std::string& peer,
                                    const std::string& origin, uint64_t held,
                                    Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find({peer, origin});
  if (it == pending_.end()) return 0;
  for (const Seen& s : it->second) {  // increasing sizes: the first beyond
    if (s.size > held)
      return std::max(0.0, std::chrono::duration<double>(now - s.at).count());
  }
  return 0;
}

void ReplicationStats::Render(
    std::string* out, const std::map<std::string, uint64_t>& held) const {
  const auto now = Clock::now();
  std::string lag_entries, lag_seconds;
  for (const auto& [key, size] : PeerSizes()) {
    auto h = held.find(key.second);
    const uint64_t have = h == held.end() ? 0 : h->second;
    const std::string labels = "{peer=\"" + Label(key.first) + "\",origin=\"" +
                               Label(key.second) + "\"} ";
    lag_entries += "udi_replication_lag_entries" + labels +
                   std::to_string(size > have ? size - have : 0) + "\n";
    char secs[32];
    std::snprintf(secs, sizeof(secs), "%.3f",
                  LagSeconds(key.first, key.second, have, now));
    lag_seconds += "udi_replication_lag_seconds" + labels + secs + "\n";
  }
  *out +=
      "# HELP udi_replication_lag_entries Entries of the latest checkpoint a "
      "peer served for an origin that this node does not hold yet.\n"
      "# TYPE udi_replication_lag_entries gauge\n" +
      lag_entries +
      "# HELP udi_replication_lag_seconds Seconds since this node first saw, "
      "from the peer, a checkpoint of the origin covering an entry it still "
      "lacks (0 when in sync with what the peer served).\n"
      "# TYPE udi_replication_lag_seconds gauge\n" +
      lag_seconds;
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
