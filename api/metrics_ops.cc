// The operations series of Metrics (issue 7): request latency and gauges by
// label (replication lag per peer, alarms).
#include <cstdio>

#include "api/metrics.h"

namespace api {

namespace {

bool IsName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsSeries(std::string_view name, const Metrics::Labels& labels) {
  if (!IsName(name, true)) return false;
  for (const auto& label : labels) {
    if (!IsName(label.first, false)) return false;
  }
  return true;
}

// Exposition format 0.0.4: HELP escapes \ and line feed; label values also ".
std::string Escape(std::string_view v, bool quote) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

constexpr std::string_view kAlarms = "udi_alarms";

}  // namespace

void Metrics::ObserveRequest(double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  request_seconds_.Observe(seconds);
}

void Metrics::SetGauge(std::string_view name, std::string_view help,
                       const Labels& labels, double value) {
  if (!IsSeries(name, labels)) return;
  std::lock_guard<std::mutex> lock(mu_);
  GaugeFamily& family = gauges_[std::string(name)];
  if (family.help.empty()) family.help = std::string(help);
  family.series[labels] = value;
}

void Metrics::RemoveGauge(std::string_view name, const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = gauges_.find(std::string(name));
  if (it != gauges_.end()) it->second.series.erase(labels);
}

void Metrics::RenderOps(std::string* out) const {
  *out += "# HELP udi_http_request_seconds Time to answer one HTTP request.\n";
  *out += "# TYPE udi_http_request_seconds histogram\n";
  request_seconds_.Render("udi_http_request_seconds", out);
  if (!gauges_.count(std::string(kAlarms))) {
    *out += "# HELP udi_alarms Open alarms by kind.\n";
    *out += "# TYPE udi_alarms gauge\nudi_alarms 0\n";
  }
  for (const auto& [name, family] : gauges_) {
    *out += "# HELP " + name + " " + Escape(family.help, false) + "\n";
    *out += "# TYPE " + name + " gauge\n";
    for (const auto& [labels, value] : family.series) {
      *out += name;
      for (size_t i = 0; i < labels.size(); ++i) {
        *out += (i ? "," : "{") + labels[i].first + "=\"" +
                Escape(labels[i].second, true) + "\"";
      }
      if (!labels.empty()) *out += "}";
      *out += " " + Number(value) + "\n";
    }
  }
}

}  // namespace api
