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
  // One committed AppendEvents batch: its size and how long the commit took.
  void ObserveBatch(size_t events, double seconds);
  void CountRequest(std::string_view route, int status);
  // Adds a source of further series (other layers, e.g. replication): Render
  // calls it, without holding this object's mutex, and appends what it writes
  // (complete "# HELP/# TYPE" blocks). Must be thread-safe; add before serving.
  using Renderer = std::function<void(std::string* out)>;
  void AddRenderer(Renderer renderer);
  std::string Render(uint64_t log_size) const;

 private:
  void RenderOwn(uint64_t log_size, std::string* out) const;  // mu_ held

  mutable std::mutex mu_;  // guards everything below
  std::map<std::pair<std::string, std::string>, uint64_t> events_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  Histogram batch_sizes_;
  Histogram commit_seconds_;
  std::vector<Renderer> renderers_;  // guarded by mu_ (copied out to render)
};

// The label of a rejection reason: the leading member name of an error message
// ("event.epcList[2]: ..." → "event", "signature: ..." → "signature").
std::string ReasonLabel(std::string_view error);

}  // namespace api

#endif  // UDI_API_METRICS_H_
