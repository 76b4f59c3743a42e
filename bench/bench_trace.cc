// bench_trace (issue 6): trace latency (p50/p99), recall time of a large lot
// and peak memory over a log built from the synthetic supply chain, each with
// its ratio to a ceiling measured in the same run: the rate of the primitive a
// trace is made of (one ScanIndex of a unit's key + one ReadEntry of its first
// hit).
//
//   build/bin/bench_trace [--events 100000] [--traces 2000] [--seed 7]
//                         [--big-lot N] [--dir DIR] [--build-only] [--partial]
//                         [--write-rate 1000] [--recall-only]
//                         [--recall-batch N] [--recall-threads N]
//                         [--recall-tail-batch N]
//                         [--recall-lot-only] [--recall-repeat N]
//                         [--no-filter-wait]
//
// The data set is built with LogOptions.sync = false and without re-verifying
// the generator's fresh signatures: building is not what is measured; queries
// read the same LevelDB either way. With --dir, the data set is kept: a later
// run with the same --dir reuses it (DIR/sample.json marks a finished build),
// so a 10M-event set is built once (--build-only) and measured many times.
// The first lot of the set has --big-lot units (default min(100000, units/4))
// so that a recall of a 100k-unit lot can be timed.
//
// Traces are measured twice over the same units: on a quiescent log (nothing
// else in this process writes), then under write load: a writer thread
// appends freshly signed commissioning events (new serials of a lot "WL...",
// so no sampled unit changes) through the same Log opened with sync = true,
// as a node does, at --write-rate events/s in batches of 100. Those events
// stay in the data set (the run prints how many). Each trace's wall time and
// its thread's CPU time are recorded: a wall tail much longer than the CPU
// tail is time spent waiting for a core (the machine is shared), not work.
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "ledger/envelope.h"
#include "ledger/gs1.h"
#include "ledger/log/log_impl.h"
#include "ledger/trace.h"
#include "ledger/trace/trace_internal.h"
#include "tests/regulator/generated_log.h"
#include "tools/supplychain/events.h"
#include "tools/supplychain/identifiers.h"
#include "tools/supplychain/world.h"

namespace {

// The recall's CPU per thread, and the wall time it would take with a core
// per thread (the machine is shared: wall times measure the load too).
std::string CriticalPath(const ledger::trace::internal::RecallTimings& t) {
  auto list = [](const std::vector<double>& v) {
    std::string out;
    for (double x : v) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%s%.3f", out.empty() ? "" : "/", x);
      out += buf;
    }
    return out;
  };
  // The other workers start on the lot's first batches while the caller
  // (worker 0) still reads the lot; the freeing runs after the answer.
  const double serial =
      t.explode_main_cpu - (t.worker_cpu.empty() ? 0 : t.worker_cpu[0]);
  double workers = t.lot_cpu;
  for (size_t i = 0; i < t.worker_cpu.size(); ++i)
    workers = std::max(workers, t.worker_cpu[i] + (i == 0 ? t.lot_cpu : 0));
  const double path = workers + serial + t.tail_cpu;
  // Under load the threads share batches by wall progress, so one thread's
  // CPU can exceed another's though both ran to the end together (see the
  // idle wall time at generation ends): the path if they split the CPU
  // evenly.
  double sum = t.lot_cpu;
  for (double w : t.worker_cpu) sum += w;
  const double even =
      (t.worker_cpu.empty() ? sum
                            : sum / static_cast<double>(t.worker_cpu.size())) +
      serial + t.tail_cpu;
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "thread CPU-s: lot %.3f, workers %s (%zu batches, %zu "
                "generations; idle wall s at generation ends %s), between "
                "generations %.3f, merge+count %.3f, "
                "freeing after the answer %s; critical path %.3f CPU-s "
                "(%.3f split evenly)",
                t.lot_cpu, list(t.worker_cpu).c_str(), t.batches, t.generations,
                list(t.worker_end_idle).c_str(), serial, t.tail_cpu,
                list(t.freeing_cpu).c_str(), path, even);
  return buf;
}

struct Sample {
  std::vector<std::string> units;  // reservoir of unit EPCs
  std::map<std::pair<std::string, std::string>, uint64_t>
      lot_sizes;  // (gtin, lot) -> units
  uint64_t commissioned = 0;
  uint64_t events = 0;
  double build_seconds = 0;

  nlohmann::json ToJson() const {
    // The largest lots only: the whole map is large at 10M events.
    std::vector<std::pair<uint64_t, std::pair<std::string, std::string>>> big;
    for (const auto& [lot, n] : lot_sizes) big.push_back({n, lot});
    std::sort(big.rbegin(), big.rend());
    big.resize(std::min<size_t>(big.size(), 5));
    nlohmann::json lots = nlohmann::json::array();
    for (const auto& [n, lot] : big)
      lots.push_back({{"gtin", lot.first}, {"lot", lot.second}, {"units", n}});
    return {{"units", units},
            {"lots", lots},
            {"commissioned", commissioned},
            {"events", events},
            {"buildSeconds", build_seconds}};
  }
  static Sample FromJson(const nlohmann::json& j) {
    Sample s;
    s.units = j.at("units").get<std::vector<std::string>>();
    for (const auto& l : j.at("lots"))
      s.lot_sizes[{l.at("gtin"), l.at("lot")}] = l.at("units");
    s.commissioned = j.at("commissioned");
    s.events = j.at("events");
    s.build_seconds = j.at("buildSeconds");
    return s;
  }
};

void Observe(const nlohmann::json& event, Sample* s, std::mt19937_64& rng,
             size_t want) {
  ++s->events;
  if (event.value("bizStep", "") != "commissioning") return;
  const nlohmann::json& epcs = event["epcList"];
  if (epcs.empty()) return;
  auto key = ledger::gs1::ParseIdentifier(epcs[0].get<std::string>());
  if (!key.ok()) return;
  const std::string lot = event["ilmd"].value("cbvmda:lotNumber", "");
  s->lot_sizes[{key->parts[0].second, lot}] += epcs.size();
  for (const auto& epc : epcs) {
    ++s->commissioned;
    if (s->units.size() < want) {
      s->units.push_back(epc.get<std::string>());
    } else if (std::uniform_int_distribution<uint64_t>(
                   0, s->commissioned - 1)(rng) < want) {
      s->units[std::uniform_int_distribution<size_t>(0, want - 1)(rng)] =
          epc.get<std::string>();
    }
  }
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// The LevelDB state a figure was measured in: level-0 files (each one an
// iterator, so every index scan, has to look into) and files per level,
// through Log::StorageProperty.
std::string StorageLevels(const ledger::Log* log) {
  auto level0 = log->StorageProperty("leveldb.num-files-at-level0");
  if (!level0) return "LevelDB levels unknown";
  std::string per_level;
  for (int level = 0; level < 7; ++level) {
    auto n = log->StorageProperty("leveldb.num-files-at-level" +
                                  std::to_string(level));
    per_level += (level == 0 ? "" : "/") + n.value_or("?");
  }
  // Compactions since the log was opened (LevelDB's own counters): reads
  // can start them (LevelDB compacts a table that too many reads had to look
  // past), and they take CPU from the measured phase.
  double read = 0, written = 0;
  if (auto stats = log->StorageProperty("leveldb.stats")) {
    for (const auto& [level, l] : bench::ParseLevelDbStats(*stats)) {
      read += l.read_mb;
      written += l.write_mb;
    }
  }
  char compacted[96];
  std::snprintf(compacted, sizeof(compacted),
                "; compactions since open: %.0f MB read, %.0f MB written", read,
                written);
  return "L0 files " + *level0 + ", files per level " + per_level + compacted;
}

void PrintStorage(const ledger::Log* log, const char* when) {
  std::printf("  [%s: %s]\n", when, StorageLevels(log).c_str());
}

double PeakMemoryMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is KiB
}

struct TraceStats {
  std::vector<double> wall_ms;
  std::vector<double> cpu_ms;  // the tracing thread's CPU time
  // Time the tracing thread was runnable but waiting for a core (Linux
  // /proc/thread-self/schedstat, 2nd field), and the rest of the wall time
  // (wall - CPU - run-queue wait): blocked on I/O or on a lock.
  std::vector<double> runqueue_ms;
  std::vector<double> blocked_ms;
  size_t hops = 0;
  bench::Rates rate;
};

// Milliseconds this thread has waited on a run queue (0 if unknown).
double RunQueueWaitMs() {
  std::ifstream in("/proc/thread-self/schedstat");
  uint64_t run_ns = 0, wait_ns = 0;
  if (!(in >> run_ns >> wait_ns)) return 0;
  return static_cast<double>(wait_ns) / 1e6;
}

TraceStats MeasureTraces(const ledger::Log* log,
                         const std::vector<std::string>& units) {
  TraceStats s;
  std::vector<const ledger::Log*> logs = {log};
  s.rate = bench::Measure(units.size(), [&] {
    for (const std::string& epc : units) {
      const double wait0 = RunQueueWaitMs();
      bench::Stopwatch w;
      const double cpu0 = bench::ThreadCpuSeconds();
      auto chain = ledger::trace::Trace(logs, epc);
      const double cpu = (bench::ThreadCpuSeconds() - cpu0) * 1e3;
      const double wall = w.Seconds() * 1e3;
      const double wait = RunQueueWaitMs() - wait0;
      s.cpu_ms.push_back(cpu);
      s.wall_ms.push_back(wall);
      s.runqueue_ms.push_back(wait);
      s.blocked_ms.push_back(std::max(0.0, wall - cpu - wait));
      if (chain.ok()) s.hops += chain->hops.size();
    }
  });
  return s;
}

void ReportTraces(const char* label, const TraceStats& s, bench::Rates ceiling,
                  double ceiling_ms) {
  bench::Report(label, s.rate, ceiling);
  const double p50 = Percentile(s.wall_ms, 0.5);
  const double p99 = Percentile(s.wall_ms, 0.99);
  std::printf(
      "  wall: p50 %.3f ms (%.1fx ceiling), p99 %.3f ms (%.1fx ceiling; goal "
      "< 5 ms), max %.3f ms\n"
      "  thread CPU: p50 %.3f ms, p99 %.3f ms, max %.3f ms; %.1f hops/unit\n",
      p50, p50 / ceiling_ms, p99, p99 / ceiling_ms, Percentile(s.wall_ms, 1.0),
      Percentile(s.cpu_ms, 0.5), Percentile(s.cpu_ms, 0.99),
      Percentile(s.cpu_ms, 1.0),
      static_cast<double>(s.hops) / std::max<size_t>(1, s.wall_ms.size()));
  std::printf(
      "  waiting for a core (run queue): p50 %.3f ms, p99 %.3f ms; blocked "
      "(I/O, locks): p50 %.3f ms, p99 %.3f ms\n",
      Percentile(s.runqueue_ms, 0.5), Percentile(s.runqueue_ms, 0.99),
      Percentile(s.blocked_ms, 0.5), Percentile(s.blocked_ms, 0.99));
  std::fflush(stdout);
}

// Appends freshly signed commissioning events (10 new units each) through
// `log` at about `rate` events/s, in batches of 100, until `stop`.
class WriteLoad {
 public:
  WriteLoad(ledger::Log* log, const supplychain::GeneratorOptions& gen,
            double rate)
      : log_(log), parties_(supplychain::BuildParties(gen)), rate_(rate) {
    thread_ = std::thread([this] { Run(); });
  }
  ~WriteLoad() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t appended() const { return appended_; }
  double seconds() const { return seconds_; }
  const std::string& error() const { return error_; }

 private:
  void Run() {
    const supplychain::Party& maker = parties_.front();
    auto key = ledger::VerifierKey::Parse(
        supplychain::ToPartyInfo(maker).verifier_key);
    if (!key.ok()) {
      error_ = key.status().ToString();
      return;
    }
    const std::string gtin = supplychain::MakeGtin14('0', maker.prefix, 9);
    const auto run = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count() %
                     1'000'000'000;
    const std::string lot = "WL" + std::to_string(run);
    bench::Stopwatch watch;
    uint64_t serial = 0;
    while (!stop_) {
      std::vector<ledger::PreparedEvent> batch;
      for (int i = 0; i < 100; ++i) {
        supplychain::Ids epcs;
        for (int u = 0; u < 10; ++u) {
          epcs.push_back(supplychain::SgtinEpc(
              maker.prefix, gtin,
              "W" + std::to_string(run) + "N" + std::to_string(serial++)));
        }
        const int64_t now =
            std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
        supplychain::GeneratedEvent e;
        e.envelope.event = supplychain::CommissionEvent(now, maker, 0, epcs,
                                                        lot, "2031-01-01");
        auto canonical = ledger::CanonicalEventBytes(e.envelope.event);
        if (!canonical.ok()) {
          error_ = canonical.status().ToString();
          return;
        }
        e.canonical_event = std::move(canonical).value();
        e.envelope.signer = maker.key_id;
        e.envelope.signature = maker.key.Sign(e.canonical_event);
        e.event_id = ledger::EventIdFromCanonical(e.canonical_event);
        auto prepared =
            regulator_testing::Prepare(std::move(e), *key, /*verify=*/true);
        if (!prepared.ok()) {
          error_ = prepared.status().ToString();
          return;
        }
        batch.push_back(std::move(prepared).value());
      }
      const int64_t now_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count();
      auto outcomes = log_->AppendEvents(std::move(batch), now_ms);
      if (!outcomes.ok()) {
        error_ = outcomes.status().ToString();
        return;
      }
      for (const auto& o : *outcomes)
        appended_ += o.status == ledger::AppendStatus::kAccepted ? 1 : 0;
      // Pace: the next batch when the rate allows it.
      while (!stop_ && appended_ > watch.Seconds() * rate_)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    seconds_ = watch.Seconds();
  }

  ledger::Log* log_;
  std::vector<supplychain::Party> parties_;
  double rate_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> appended_{0};
  double seconds_ = 0;
  std::string error_;
  std::thread thread_;
};

bool HasFlag(int argc, char** argv, const char* flag) {
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == flag) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (HasFlag(argc, argv, "--help")) {
    std::printf(
        "usage: bench_trace [--events N] [--traces N] [--seed N] [--big-lot "
        "N] [--dir DIR] [--build-only] [--partial] [--write-rate N] "
        "[--recall-only] [--recall-batch N] [--recall-threads N] "
        "[--recall-tail-batch N (0: none)] "
        "[--recall-lot-only] [--recall-repeat N] [--no-filter-wait]\n");
    return 0;
  }
  const uint64_t events = bench::FlagU64(argc, argv, "--events", 100000);
  const size_t traces = bench::FlagU64(argc, argv, "--traces", 2000);
  const uint64_t seed = bench::FlagU64(argc, argv, "--seed", 7);
  const bool build_only = HasFlag(argc, argv, "--build-only");
  std::string dir = bench::FlagString(argc, argv, "--dir", "");
  bool temp = dir.empty();
  if (temp) {
    char tmpl[] = "/tmp/bench_trace_XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return 1;
    dir = tmpl;
  }
  std::filesystem::create_directories(dir);

  // About 0.55 events per unit in this model (measured); the run prints the
  // real count.
  supplychain::GeneratorOptions gen;
  gen.seed = seed;
  gen.units = std::max<uint64_t>(100, events * 100 / 55);
  gen.big_lot_units = bench::FlagU64(argc, argv, "--big-lot",
                                     std::min<uint64_t>(100000, gen.units / 4));
  gen.anomaly_rate = 0.01;
  gen.threads = 2;
  gen.record_truth = false;
  regulator_testing::BuildOptions build;
  build.dir = dir + "/log";
  build.sync = false;  // benchmark data set only
  build.verify_signatures = false;
  const std::string sample_path = dir + "/sample.json";
  // Written every 2^18 events while building: a build stopped early (kill)
  // leaves a consistent log (appends are atomic batches) that --partial
  // measures at the size it reached.
  const std::string partial_path = dir + "/sample.partial.json";
  const bool use_partial = HasFlag(argc, argv, "--partial") &&
                           !std::filesystem::exists(sample_path) &&
                           std::filesystem::exists(partial_path);

  Sample sample;
  std::unique_ptr<ledger::Log> owned;
  const bool reused = std::filesystem::exists(sample_path) || use_partial;
  if (reused) {
    std::ifstream in(use_partial ? partial_path : sample_path);
    std::stringstream text;
    text << in.rdbuf();
    sample = Sample::FromJson(nlohmann::json::parse(text.str()));
    auto opened =
        bench::OpenMigrating(regulator_testing::GeneratedLogOptions(build));
    if (!opened.ok()) {
      std::fprintf(stderr, "open %s: %s\n", build.dir.c_str(),
                   opened.status().ToString().c_str());
      return 1;
    }
    owned = std::move(opened).value();
    std::printf("data set: reused %s (built in %.1f s)\n", dir.c_str(),
                sample.build_seconds);
  } else {
    std::mt19937_64 rng(seed);
    build.observe = [&](const supplychain::GeneratedEvent& e) {
      Observe(e.envelope.event, &sample, rng, traces);
      if (sample.events % (1 << 18) == 0) {
        std::ofstream(partial_path + ".tmp") << sample.ToJson().dump() << "\n";
        std::filesystem::rename(partial_path + ".tmp", partial_path);
      }
    };
    bench::Stopwatch build_watch;
    auto built = regulator_testing::BuildGeneratedLog(gen, build);
    if (!built.ok()) {
      std::fprintf(stderr, "build: %s\n", built.status().ToString().c_str());
      return 1;
    }
    sample.build_seconds = build_watch.Seconds();
    owned = std::move(built->log);
    std::ofstream(sample_path) << sample.ToJson().dump() << "\n";
  }
  std::printf(
      "data set: %llu units commissioned, %llu events, %llu log entries, "
      "built in %.1f s (sync=false)\n",
      static_cast<unsigned long long>(sample.commissioned),
      static_cast<unsigned long long>(sample.events),
      static_cast<unsigned long long>(owned->Size()), sample.build_seconds);
  if (build_only) return 0;
  // Measured with the log as a node opens it (sync = true: the write-load
  // appends below are durable, as a node's are).
  owned.reset();
  build.sync = true;
  {
    auto reopened =
        ledger::Log::Open(regulator_testing::GeneratedLogOptions(build));
    if (!reopened.ok()) {
      std::fprintf(stderr, "reopen %s: %s\n", build.dir.c_str(),
                   reopened.status().ToString().c_str());
      return 1;
    }
    owned = std::move(reopened).value();
  }
  const ledger::Log* log = owned.get();
  PrintStorage(log, "opened");
  // At open the log rebuilds its filter of stored event ids, then loads its
  // tree cache, on a background thread (udi-idfilter: a scan of every
  // event-id key, ~15 s of one core at 11M entries in format 3, then one of
  // the entries and tree nodes); a node does that once at start. Measuring
  // only after it ends keeps it from taking a core from the first traces and
  // recalls (--no-filter-wait measures right after the open).
  if (!HasFlag(argc, argv, "--no-filter-wait")) {
    if (auto* impl = dynamic_cast<ledger::logimpl::LogImpl*>(owned.get())) {
      bench::Stopwatch filter_watch;
      const bool built = impl->WaitForEventFilter();
      const bool loaded = impl->WaitForTreeCache();
      std::printf(
          "log's event-id filter %s, tree cache %s, %.1f s after the "
          "open\n",
          built ? "built" : "not built (read error)",
          loaded ? "loaded" : "not fully loaded (read error)",
          filter_watch.Seconds());
    }
  }

  // Ceiling: one ScanIndex of a unit's key + one ReadEntry of its first hit.
  std::vector<std::string> keys;
  for (const std::string& epc : sample.units) {
    auto k = ledger::gs1::ParseIdentifier(epc);
    if (k.ok()) keys.push_back(k->ToString());
  }
  bench::Rates ceiling = bench::Measure(keys.size(), [&] {
    for (const std::string& k : keys) {
      auto hits = log->ScanIndex(ledger::IndexKind::kEpc, k, 0, 64);
      if (hits.ok() && !hits->empty()) (void)log->ReadEntry(hits->front());
    }
  });
  bench::Report("ceiling: ScanIndex + ReadEntry", ceiling, ceiling);
  const double ceiling_ms = 1e3 / ceiling.wall;

  const bool recall_only = HasFlag(argc, argv, "--recall-only");
  if (!recall_only) {
    PrintStorage(log, "quiet traces start");
    TraceStats quiet = MeasureTraces(log, sample.units);
    ReportTraces("trace, quiescent log (per unit)", quiet, ceiling, ceiling_ms);
    PrintStorage(log, "quiet traces end");
  }
  const double write_rate =
      static_cast<double>(bench::FlagU64(argc, argv, "--write-rate", 1000));
  if (write_rate > 0 && !recall_only) {
    PrintStorage(log, "loaded traces start");
    WriteLoad load(owned.get(), gen, write_rate);
    TraceStats loaded = MeasureTraces(log, sample.units);
    load.Stop();
    ReportTraces("trace, under write load (per unit)", loaded, ceiling,
                 ceiling_ms);
    std::printf(
        "  write load: %llu events appended in %.1f s (%.0f /s, target %.0f "
        "/s, sync=true, batches of 100)%s%s\n",
        static_cast<unsigned long long>(load.appended()), load.seconds(),
        load.appended() / std::max(1e-9, load.seconds()), write_rate,
        load.error().empty() ? "" : "; stopped: ", load.error().c_str());
    PrintStorage(log, "loaded traces end");
  }

  std::vector<const ledger::Log*> logs = {log};
  if (const uint64_t batch = bench::FlagU64(argc, argv, "--recall-batch", 0))
    ledger::trace::internal::RecallBatchSize() = batch;
  if (const uint64_t tail =
          bench::FlagU64(argc, argv, "--recall-tail-batch", UINT64_MAX);
      tail != UINT64_MAX)
    ledger::trace::internal::RecallTailBatchSize() = tail;
  if (const uint64_t threads =
          bench::FlagU64(argc, argv, "--recall-threads", 0))
    ledger::trace::internal::RecallThreads() = threads;
  const double rss_before_recall = PeakMemoryMiB();
  auto largest = std::max_element(
      sample.lot_sizes.begin(), sample.lot_sizes.end(),
      [](const auto& a, const auto& b) { return a.second < b.second; });
  ledger::trace::RecallSpec spec;
  spec.gtin = largest->first.first;
  spec.lots = {largest->first.second};
  ledger::gs1::Gs1Key lot_key{ledger::gs1::KeyKind::kLgtin,
                              {{"01", spec.gtin}, {"10", spec.lots[0]}}};
  auto indexed =
      log->ScanIndex(ledger::IndexKind::kIlmdLot, lot_key.ToString(), 0, 1);
  const bool lot_indexed = indexed.ok() && !indexed->empty();
  // --recall-repeat N: the recall is run N times (a profile of the recall
  // alone; the best run is reported, the others are printed).
  const uint64_t repeats =
      std::max<uint64_t>(1, bench::FlagU64(argc, argv, "--recall-repeat", 1));
  ledger::Result<ledger::trace::RecallReport> report =
      ledger::Status::Internal("recall: not run");
  double recall_s = 0, recall_cpu = 0;
  PrintStorage(log, "recall start");
  for (uint64_t run = 0; run < repeats; ++run) {
    ledger::trace::internal::RecallTimings timings;
    ledger::trace::internal::RecallTimingsSink() = &timings;
    bench::Stopwatch recall_watch;
    report = ledger::trace::Recall(logs, spec);
    const double s = recall_watch.Seconds();
    const double cpu = recall_watch.CpuSeconds();
    ledger::trace::internal::RecallTimingsSink() = nullptr;
    // The recall frees what it read after returning: wait for that here, so
    // that it does not run into the next run.
    timings.freeing_cpu = ledger::trace::internal::WaitForRecallCleanup();
    if (!report.ok()) {
      std::fprintf(stderr, "recall: %s\n", report.status().ToString().c_str());
      return 1;
    }
    std::printf("  recall run %llu: %.3f s, %.3f CPU-s; %s\n",
                static_cast<unsigned long long>(run + 1), s, cpu,
                CriticalPath(timings).c_str());
    if (run == 0 || s < recall_s) recall_s = s;
    if (run == 0 || cpu < recall_cpu) recall_cpu = cpu;
  }
  // The answer's digest: a change that must not alter the answer is checked
  // by comparing it between builds on the same data set.
  // issuedMs is left out: without a recall event for the lot it is the time
  // of the call.
  PrintStorage(log, "recall end");
  nlohmann::json answer = report->ToJson();
  answer.erase("issuedMs");
  std::printf(
      "recall report digest (SHA-256 of its JSON without issuedMs): %s\n",
      ledger::ToHex(ledger::Sha256(answer.dump())).substr(0, 16).c_str());
  const double recall_ceiling_s = report->units.size() / ceiling.wall;
  const double recall_ceiling_cpu = report->units.size() / ceiling.cpu;
  std::printf(
      "recall of the largest lot (%s %s, lot index %s, %zu threads): %zu "
      "units in %.3f s "
      "(goal < 1 s), %.3f CPU-s; %.2fx ceiling wall, %.2fx ceiling CPU (%zu x "
      "ScanIndex+ReadEntry = %.3f s, %.3f CPU-s); peak memory %.1f -> %.1f "
      "MiB\n",
      spec.gtin.c_str(), spec.lots[0].c_str(),
      lot_indexed ? "used" : "absent: commissioning scan",
      ledger::trace::internal::RecallThreads(), report->units.size(), recall_s,
      recall_cpu, recall_s / recall_ceiling_s, recall_cpu / recall_ceiling_cpu,
      report->units.size(), recall_ceiling_s, recall_ceiling_cpu,
      rss_before_recall, PeakMemoryMiB());
  // The same units named one by one: the per-unit part of a recall without the
  // lot lookup.
  if (HasFlag(argc, argv, "--recall-lot-only")) return 0;
  ledger::trace::RecallSpec by_ids;
  for (const auto& u : report->units) by_ids.ids.push_back(u.key);
  bench::Stopwatch ids_watch;
  auto ids_report = ledger::trace::Recall(logs, by_ids);
  const double ids_s = ids_watch.Seconds();
  const double ids_cpu = ids_watch.CpuSeconds();
  PrintStorage(log, "recall by id end");
  if (ids_report.ok()) {
    std::printf(
        "recall of the same units by id (no lot lookup): %zu units in %.3f s, "
        "%.3f CPU-s (%.0f units/CPU-s)\n",
        ids_report->units.size(), ids_s, ids_cpu,
        ids_report->units.size() / ids_cpu);
  }
  std::printf("peak memory (getrusage ru_maxrss): %.1f MiB%s\n",
              PeakMemoryMiB(), reused ? "" : " (includes the build)");
  if (temp) std::filesystem::remove_all(dir);
  return 0;
}
