#include "api/metrics.h"

#include <cstdio>

#include "api/regulator.h"

namespace api {

namespace {
std::string FormatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string EscapeLabel(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}
}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += v;
  ++count_;
}

void Histogram::Render(std::string_view name, std::string* out) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i];
    std::string le = i < bounds_.size() ? FormatDouble(bounds_[i]) : "+Inf";
    *out += std::string(name) + "_bucket{le=\"" + le + "\"} " +
            std::to_string(cumulative) + "\n";
  }
  *out += std::string(name) + "_sum " + FormatDouble(sum_) + "\n";
  *out += std::string(name) + "_count " + std::to_string(count_) + "\n";
}

Metrics::Metrics()
    : batch_sizes_({1, 10, 100, 1000, 10000, 100000}),
      commit_seconds_({0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                       1, 2.5, 5}) {}

void Metrics::CountEvent(std::string_view result, std::string_view reason) {
  std::lock_guard<std::mutex> lock(mu_);
  ++events_[{std::string(result), std::string(reason)}];
}

void Metrics::CountEvents(std::string_view result, std::string_view reason,
                          uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  events_[{std::string(result), std::string(reason)}] += n;
}

void Metrics::ObserveBatch(size_t events, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  batch_sizes_.Observe(static_cast<double>(events));
  commit_seconds_.Observe(seconds);
}

void Metrics::CountRequest(std::string_view route, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{std::string(route), status}];
}

void Metrics::AddRenderer(Renderer renderer) {
  std::lock_guard<std::mutex> lock(mu_);
  renderers_.push_back(std::move(renderer));
}

std::string Metrics::Render(uint64_t log_size) const {
  std::string out;
  std::vector<Renderer> renderers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    RenderOwn(log_size, &out);
    renderers = renderers_;
  }
  for (const auto& render : renderers) render(&out);
  return out;
}

void Metrics::RenderOwn(uint64_t log_size, std::string* out_ptr) const {
  std::string& out = *out_ptr;
  out +=
      "# HELP udi_events_total Submitted events by result and rejection "
      "reason.\n";
  out += "# TYPE udi_events_total counter\n";
  for (const auto& [key, n] : events_) {
    out += "udi_events_total{result=\"" + EscapeLabel(key.first) +
           "\",reason=\"" + EscapeLabel(key.second) + "\"} " +
           std::to_string(n) + "\n";
  }
  out += "# HELP udi_batch_events Events per committed batch.\n";
  out += "# TYPE udi_batch_events histogram\n";
  batch_sizes_.Render("udi_batch_events", &out);
  out += "# HELP udi_commit_seconds Time to commit one batch durably.\n";
  out += "# TYPE udi_commit_seconds histogram\n";
  commit_seconds_.Render("udi_commit_seconds", &out);
  out += "# HELP udi_log_size Entries in the log.\n";
  out += "# TYPE udi_log_size gauge\n";
  out += "udi_log_size " + std::to_string(log_size) + "\n";
  out += "# HELP udi_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE udi_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += "udi_http_requests_total{route=\"" + EscapeLabel(key.first) +
           "\",status=\"" + std::to_string(key.second) + "\"} " +
           std::to_string(n) + "\n";
  }
  // Regulator queries and their audit records (issue 6): "error" counts
  // queries answered without a record in the log (AppendQuery failed).
  const AuditCounts audit = RegulatorAuditCounts();
  out +=
      "# HELP udi_audit_records_total Regulator queries by whether their "
      "audit record was appended to the log (ok) or not (error).\n";
  out += "# TYPE udi_audit_records_total counter\n";
  out += "udi_audit_records_total{result=\"ok\"} " +
         std::to_string(audit.recorded) + "\n";
  out += "udi_audit_records_total{result=\"error\"} " +
         std::to_string(audit.failed) + "\n";
  RenderOps(out_ptr);
}

std::string ReasonLabel(std::string_view error) {
  size_t end = error.find_first_of(".[: ");
  return std::string(error.substr(0, end));
}

}  // namespace api
