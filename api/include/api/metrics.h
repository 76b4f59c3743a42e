// Counters and histograms for GET /metrics, rendered in the Prometheus text
// exposition format (version 0.0.4). Thread-safe: one mutex guards every series
// (updates are a few per request).
#ifndef UDI_API_METRICS_H_
#define UDI_API_METRICS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace api {

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // Appends the _bucket/_sum/_count lines of metric `name`.
  void Render(std::string_view name, std::string* out) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bound, non-cumulative; last is +Inf
  double sum_ = 0;
  uint64_t count_ = 0;
};

class Metrics {
 public:
  Metrics();
  // result: accepted | duplicate | rejected; reason: "" or the field/cause of a
  // rejection.
  void CountEvent(std::string_view result, std::string_view reason);
  // `n` events with the same result and reason (one update).
  void CountEvents(std::string_view result, std::string_view reason,
                   uint64_t n);
  // One committed AppendEvents batch: its size and how long the commit took.
  void ObserveBatch(size_t events, double seconds);
  void CountRequest(std::string_view route, int status);
  // Adds a source of further series (other layers, e.g. replication): Render
  // calls it, without holding this object's mutex, and appends what it writes
  // (complete "# HELP/# TYPE" blocks). Must be thread-safe; add before serving.
  using Renderer = std::function<void(std::string* out)>;
  void AddRenderer(Renderer renderer);
  std::string Render(uint64_t log_size) const;

  // Operations series (issue 7; metrics_ops.cc).
  // How long one answered HTTP request took (udi_http_request_seconds).
  void ObserveRequest(double seconds);
  // Gauges by label, for any module, e.g.
  //   SetGauge("udi_replication_lag_entries", "Entries a replica is behind.",
  //            {{"peer", "acme.example/log"}}, 12);
  // Open alarms go to "udi_alarms" with a "kind" label; it is always rendered
  // (a label-less 0 until some alarm is set). `name` MUST match
  // [a-zA-Z_:][a-zA-Z0-9_:]* and label names [a-zA-Z_][a-zA-Z0-9_]*; other
  // names are ignored. The first help text given for a name is kept.
  using Labels = std::vector<std::pair<std::string, std::string>>;
  void SetGauge(std::string_view name, std::string_view help,
                const Labels& labels, double value);
  // Drops one series (e.g. a peer that left the federation).
  void RemoveGauge(std::string_view name, const Labels& labels);

 private:
  void RenderOwn(uint64_t log_size, std::string* out) const;  // mu_ held
  void RenderOps(std::string* out) const;                     // mu_ held

  mutable std::mutex mu_;  // guards everything below
  std::map<std::pair<std::string, std::string>, uint64_t> events_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  Histogram batch_sizes_;
  Histogram commit_seconds_;
  std::vector<Renderer> renderers_;  // guarded by mu_ (copied out to render)
  Histogram request_seconds_{{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                              0.1, 0.25, 0.5, 1, 2.5, 5, 10}};
  struct GaugeFamily {
    std::string help;
    std::map<Labels, double> series;
  };
  std::map<std::string, GaugeFamily> gauges_;
};

// The label of a rejection reason: the leading member name of an error message
// ("event.epcList[2]: ..." → "event", "signature: ..." → "signature").
std::string ReasonLabel(std::string_view error);

}  // namespace api

#endif  // UDI_API_METRICS_H_
