// udi-gen: writes a synthetic, signed supply-chain dataset and its ground
// truth.
//
//   udi-gen --seed S --units N [--manufacturers M] [--distributors D]
//   [--hospitals H]
//           [--anomaly-rate R] [--recalls K] [--threads T] [--no-truth] --out
//           DIR
//
// Writes DIR/participants.json, DIR/envelopes.jsonl (one signed envelope per
// line, in event order) and DIR/truth.json. Exit status 0 on success, 2 on a
// usage error, 1 otherwise.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>

#include "supplychain/generator.h"

namespace {

constexpr char kUsage[] =
    "usage: udi-gen --seed S --units N [--manufacturers M] [--distributors D] "
    "[--hospitals H]\n"
    "               [--anomaly-rate R] [--recalls K] [--threads T] "
    "[--no-truth] --out DIR\n";

int Usage(const std::string& problem) {
  std::fprintf(stderr, "udi-gen: %s\n%s", problem.c_str(), kUsage);
  return 2;
}

bool ParseUint(std::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 19) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

bool ParseInt(std::string_view text, int* out) {
  uint64_t v = 0;
  if (!ParseUint(text, &v) || v > 1'000'000) return false;
  *out = static_cast<int>(v);
  return true;
}

bool ParseRate(const std::string& text, double* out) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) return false;
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  supplychain::GeneratorOptions options;
  options.threads =
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string out_dir;
  bool have_seed = false, have_units = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (flag == "--no-truth") {
      options.record_truth = false;
      continue;
    }
    if (i + 1 >= argc) return Usage(flag + ": missing value");
    const std::string value = argv[++i];
    bool ok = true;
    if (flag == "--seed") {
      ok = ParseUint(value, &options.seed);
      have_seed = true;
    } else if (flag == "--units") {
      ok = ParseUint(value, &options.units);
      have_units = true;
    } else if (flag == "--manufacturers") {
      ok = ParseInt(value, &options.manufacturers);
    } else if (flag == "--distributors") {
      ok = ParseInt(value, &options.distributors);
    } else if (flag == "--hospitals") {
      ok = ParseInt(value, &options.hospitals);
    } else if (flag == "--recalls") {
      ok = ParseInt(value, &options.recalls);
    } else if (flag == "--threads") {
      ok = ParseInt(value, &options.threads);
    } else if (flag == "--anomaly-rate") {
      ok = ParseRate(value, &options.anomaly_rate);
    } else if (flag == "--out") {
      out_dir = value;
    } else {
      return Usage("unknown flag " + flag);
    }
    if (!ok) return Usage(flag + ": invalid value \"" + value + "\"");
  }
  if (!have_seed) return Usage("--seed is required");
  if (!have_units) return Usage("--units is required");
  if (out_dir.empty()) return Usage("--out is required");

  const auto started = std::chrono::steady_clock::now();
  ledger::Result<supplychain::GenerationResult> result =
      supplychain::WriteDataset(options, out_dir);
  if (!result.ok()) {
    std::fprintf(stderr, "udi-gen: %s\n", result.status().ToString().c_str());
    return result.status().IsInvalidArgument() ? 2 : 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  std::printf(
      "udi-gen: %llu events, %llu units, %zu parties, %zu anomalies, %zu "
      "recalls in %.2f s"
      " (%.0f events/s) -> %s\n",
      static_cast<unsigned long long>(result->truth.event_count),
      static_cast<unsigned long long>(options.units), result->parties.size(),
      result->truth.anomalies.size(), result->truth.recalls.size(), seconds,
      result->truth.event_count / (seconds > 0 ? seconds : 1), out_dir.c_str());
  return 0;
}
