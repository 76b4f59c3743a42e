// Federation benchmark (issue 4): real ledger-node processes on loopback.
//
//  1. Catch-up: a source node holds N signed events; a fresh node started with
//     --peer replicates and verifies them (ImportEntries: hash chain, registry,
//     every event signature, Merkle root against the signed checkpoint).
//     Reported in entries/s and as a ratio to the raw Ed25519 verify rate
//     measured in the same run just before and just after the catch-up (the
//     mean of both, bench_util.h), since signature checks are
//     the floor of the work per entry. The replica verifies signatures on
//     every core (Log::ImportPrefix), so the ratio that counts is the one to
//     the all-core ceiling; the 1-thread ratio is printed for reference. The
//     replica's peak RSS (VmHWM) shows the bounded-memory catch-up.
//  2. Lag: events offered to the source at a steady rate by G site gateways
//     (default 5), each posting its stations' events every P ms (default 100)
//     on its own connection; for each batch, the time from the source's
//     acknowledgement until the replica lists a log that includes it (polled
//     every Q ms, default 5). p50/p99.
//
//   bench_federation [--entries N] [--rate R] [--seconds S] [--batch B]
//                    [--serve-batch M] [--gateways G] [--period-ms P]
//                    [--poll-ms Q] [--source-only-seconds A]
//                    [--replica-write-buffer-mib W] [--ab A,B [--pairs N]]
// --ab A,B: after filling the source, N alternating catch-ups (A B A B ...)
// by the ledger-node binaries A and B (paths), each into a fresh replica;
// prints each run's rate, ratio and CPU per entry (replica + source) and the
// medians, then exits. For before/after comparisons on a shared machine (a
// `perf record -a` alongside gives each replica's libsodium share by pid).
// --replica-write-buffer-mib: the replica's config replicaWriteBufferBytes
// (its replicas' LevelDB memtable size; default: the node's, 256 MiB; 64 is an
// own log's). The catch-up prints what the replica's LevelDB wrote in flushes
// and compactions, and the source's CPU for serving the entries.
// --serve-batch: the source's maxLogEntries (entries per GET .../entries
// response, default 4096, as large as the replica's import chunks).
// Defaults are small (N=20000, R=5000/s, S=5); the issue's figure is
// --entries 1000000.
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "ledger/envelope.h"
#include "ledger/keys.h"
#include "node/client/http_client.h"
#include "tests/node_process.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench_federation: %s\n", what.c_str());
  std::exit(1);
}

json Event(uint64_t n) {
  return {{"type", "ObjectEvent"},
          {"eventTime", "2026-11-26T10:00:00.000Z"},
          {"eventTimeZoneOffset", "+00:00"},
          {"action", "OBSERVE"},
          {"epcList", {"urn:epc:id:sgtin:0614141.107346." + std::to_string(n)}},
          {"bizStep", "shipping"},
          {"disposition", "in_transit"},
          {"readPoint", {{"id", "urn:epc:id:sgln:0614141.07346.1234"}}}};
}

// Signed envelopes [from, from+count) on all cores.
std::vector<json> SignRange(const ledger::SigningKey& key, uint64_t from,
                            uint64_t count) {
  std::vector<json> out(count);
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (uint64_t i = t; i < count; i += threads)
        out[i] = ledger::SignEvent(Event(from + i), key)->ToJson();
    });
  }
  for (auto& th : pool) th.join();
  return out;
}

struct Source {
  std::unique_ptr<udi_test::NodeProcess> node;
  ledger::SigningKey key;
  std::unique_ptr<udi_http::HttpClient> writer;
  std::string writer_token;
  std::string reader_token;
};

Source StartSource(const std::string& dir, uint64_t serve_batch) {
  Source s;
  const std::string config = dir + ".config.json";
  std::ofstream(config) << json{{"maxLogEntries", serve_batch}}.dump() << "\n";
  auto node = udi_test::NodeProcess::Start(
      dir, {"--name", "bench.example/source", "--config", config});
  if (!node.ok()) Die(node.status().ToString());
  s.node = std::move(*node);
  udi_http::HttpClient admin("127.0.0.1", s.node->port());
  admin.SetBearerToken(s.node->AdminToken());
  s.key = *ledger::SigningKey::Generate("bench-maker");
  auto reg = admin.Post("/v1/participants",
                        {{"gln", "0614141000005"},
                         {"name", "bench-maker"},
                         {"role", "manufacturer"},
                         {"verifierKey", s.key.verifier().ToText()}});
  if (!reg.ok() || reg->status != 201) Die("cannot register the participant");
  auto w = admin.Post("/v1/tokens",
                      {{"role", "writer"}, {"participant", s.key.KeyId()}});
  auto r = admin.Post("/v1/tokens", {{"role", "reader"}});
  if (!w.ok() || !r.ok() || w->status != 201 || r->status != 201)
    Die("cannot create tokens");
  s.writer =
      std::make_unique<udi_http::HttpClient>("127.0.0.1", s.node->port());
  s.writer_token = w->Json()["token"].get<std::string>();
  s.writer->SetBearerToken(s.writer_token);
  s.reader_token = r->Json()["token"].get<std::string>();
  return s;
}

void Submit(udi_http::HttpClient& writer, const std::vector<json>& envelopes,
            size_t from, size_t count) {
  json batch = json::array();
  for (size_t i = from; i < from + count; ++i) batch.push_back(envelopes[i]);
  auto r = writer.Post("/v1/events", {{"envelopes", batch}});
  if (!r.ok() || r->status != 200) Die("submit failed");
}

// The replica's size of `origin` (0 when not held yet).
uint64_t ReplicaSize(udi_http::HttpClient& c, const std::string& origin) {
  auto r = c.Get("/v1/logs");
  if (!r.ok() || r->status != 200) return 0;
  const json body = r->Json();
  for (const auto& l : body["logs"]) {
    if (l["origin"] == origin) return l["size"].get<uint64_t>();
  }
  return 0;
}

// Peak resident set of a process in MiB (VmHWM), or -1.
double PeakRssMiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0)
      return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return -1;
}

// The live threads of `pid` that used at least 0.1 CPU-s: "name tid: CPU-s"
// (threads that have exited, such as the import's check workers, are not
// listed; their CPU is in the process's total). A thread inherits the name of
// the thread that starts it: in a replica, the first "udi-pull" fetches and
// commits, and the other long-lived "udi-pull" is LevelDB's background thread
// (memtable flushes and compactions), started by the first commit that fills a
// memtable.
std::string ThreadCpu(pid_t pid) {
  std::string out;
  for (const auto& [tid, t] : bench::TaskCpuTimes(pid)) {
    if (t.seconds < 0.1) continue;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s%s %d%s: %.1f", out.empty() ? "" : ", ",
                  t.name.c_str(), tid, t.main ? " (main)" : "", t.seconds);
    out += buf;
  }
  return out;
}

// What LevelDB wrote into the info LOG files under `dir` (any depth): the
// megabytes written by level-0 flushes ("Level-0 table #N: B bytes OK") and by
// compactions ("Compacted ... => B bytes").
struct LevelDbWrites {
  double flushed_mib = 0, compacted_mib = 0;
};
LevelDbWrites ReadLevelDbLogs(const std::string& dir) {
  LevelDbWrites w;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name != "LOG" && name != "LOG.old") continue;
    std::ifstream in(it->path());
    std::string line;
    while (std::getline(in, line)) {
      size_t at;
      if (line.find("Level-0 table #") != std::string::npos &&
          (at = line.find(": ", line.find("Level-0 table #"))) !=
              std::string::npos &&
          line.find(" bytes OK") != std::string::npos) {
        w.flushed_mib += std::strtod(line.c_str() + at + 2, nullptr) / 1048576;
      } else if (line.find("Compacted ") != std::string::npos &&
                 (at = line.find("=> ")) != std::string::npos) {
        w.compacted_mib +=
            std::strtod(line.c_str() + at + 3, nullptr) / 1048576;
      }
    }
  }
  return w;
}

double MonotonicSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) +
         1e-9 * static_cast<double>(ts.tv_nsec);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// One catch-up of a fresh replica run by `program` (a ledger-node binary; ""
// for build/bin's) from `peer` into `dir`, for --ab: wall rate, ratio to the
// mean 2-thread ceiling measured just before and after, and the CPU per entry
// of the replica and of the source in verifications' worth (against the
// 1-thread ceiling's verifications per CPU-s, measured in the same way).
struct CatchUpRun {
  double rate = 0, ratio = 0, replica_vpe = 0, source_vpe = 0;
  pid_t replica_pid = 0;
};
CatchUpRun CatchUpOnce(const std::string& program, const std::string& dir,
                       const std::string& peer, const std::string& token_file,
                       const std::string& origin, uint64_t target,
                       pid_t source_pid) {
  const int cores =
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::string msg(400, 'x');
  const bench::Rates before1 = bench::Ed25519VerifyRate(msg, 1, 0.5);
  const bench::Rates before = bench::Ed25519VerifyRate(msg, cores, 0.5);
  const double source_cpu0 = bench::ProcessCpuSeconds(source_pid);
  bench::Stopwatch watch;
  auto replica =
      udi_test::NodeProcess::Start(dir,
                                   {"--name", "bench.example/replica", "--peer",
                                    peer, "--peer-token-file", token_file},
                                   program);
  if (!replica.ok()) Die(replica.status().ToString());
  udi_http::HttpClient rc("127.0.0.1", (*replica)->port());
  while (ReplicaSize(rc, origin) < target) ::poll(nullptr, 0, 20);
  const double t = watch.Seconds();
  const pid_t replica_pid = (*replica)->pid();
  const double replica_cpu = bench::ProcessCpuSeconds(replica_pid);
  const double source_cpu = bench::ProcessCpuSeconds(source_pid) - source_cpu0;
  replica->reset();  // SIGKILL: the replica is not used again
  const bench::Rates after1 = bench::Ed25519VerifyRate(msg, 1, 0.5);
  const bench::Rates after = bench::Ed25519VerifyRate(msg, cores, 0.5);
  const double per_cpu_s = (before1.cpu + after1.cpu) / 2;
  CatchUpRun r;
  r.rate = static_cast<double>(target) / t;
  r.ratio = r.rate / ((before.wall + after.wall) / 2);
  r.replica_vpe = per_cpu_s * replica_cpu / static_cast<double>(target);
  r.source_vpe = per_cpu_s * source_cpu / static_cast<double>(target);
  r.replica_pid = replica_pid;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) Die("sodium_init failed");
  const uint64_t entries = bench::FlagU64(argc, argv, "--entries", 20000);
  const uint64_t rate = bench::FlagU64(argc, argv, "--rate", 5000);
  const uint64_t seconds = bench::FlagU64(argc, argv, "--seconds", 5);
  const uint64_t batch =
      std::max<uint64_t>(1, bench::FlagU64(argc, argv, "--batch", 1000));
  const uint64_t serve_batch =
      std::max<uint64_t>(1, bench::FlagU64(argc, argv, "--serve-batch", 4096));
  const std::string origin = "bench.example/source";
  udi_test::TempDir tmp;
  Source src = StartSource(tmp.path() + "/source", serve_batch);

  // 1. Catch-up of a fresh replica.
  std::printf("signing and submitting %llu events to the source...\n",
              static_cast<unsigned long long>(entries));
  std::fflush(stdout);
  for (uint64_t done = 0; done < entries; done += 20 * batch) {
    uint64_t n = std::min<uint64_t>(20 * batch, entries - done);
    auto envs = SignRange(src.key, done, n);
    for (uint64_t i = 0; i < n; i += batch)
      Submit(*src.writer, envs, i, std::min<uint64_t>(batch, n - i));
  }
  udi_http::HttpClient src_reader("127.0.0.1", src.node->port());
  const uint64_t target = ReplicaSize(src_reader, origin);
  std::ofstream(tmp.path() + "/peer.token") << src.reader_token << "\n";
  std::string peer = "http://127.0.0.1:" + std::to_string(src.node->port());
  // --ab A,B: alternating catch-ups (A B A B ..., --pairs N, default 3) of
  // fresh replicas run by the ledger-node binaries A and B from this one
  // source; then exit (no lag phase). For before/after comparisons.
  if (const std::string ab = bench::FlagString(argc, argv, "--ab", "");
      !ab.empty()) {
    const size_t comma = ab.find(',');
    if (comma == std::string::npos) Die("--ab wants A,B");
    const std::string programs[2] = {ab.substr(0, comma), ab.substr(comma + 1)};
    const uint64_t pairs = bench::FlagU64(argc, argv, "--pairs", 3);
    std::vector<double> vpe[2], ratio[2];
    for (uint64_t k = 0; k < pairs; ++k) {
      for (int side = 0; side < 2; ++side) {
        CatchUpRun r = CatchUpOnce(
            programs[side],
            tmp.path() + "/replica-" + std::to_string(k) + "-" +
                std::to_string(side),
            peer, tmp.path() + "/peer.token", origin, target, src.node->pid());
        vpe[side].push_back(r.replica_vpe + r.source_vpe);
        ratio[side].push_back(r.ratio);
        std::printf(
            "ab pair %llu %c: %.0f entries/s = %.2fx the 2-thread ceiling; CPU "
            "per entry, verifications' worth: replica %.3f + source %.3f = "
            "%.3f (replica pid %d)\n",
            static_cast<unsigned long long>(k), side == 0 ? 'A' : 'B', r.rate,
            r.ratio, r.replica_vpe, r.source_vpe, r.replica_vpe + r.source_vpe,
            static_cast<int>(r.replica_pid));
        std::fflush(stdout);
      }
    }
    for (int side = 0; side < 2; ++side) {
      std::printf(
          "ab %c (%s): median CPU per entry %.3f verifications' worth, median "
          "ratio %.2fx\n",
          side == 0 ? 'A' : 'B', programs[side].c_str(),
          Percentile(vpe[side], 0.5), Percentile(ratio[side], 0.5));
    }
    return 0;
  }
  // The ceilings are measured just before and just after the catch-up and the
  // ratio is to their mean: on a shared machine the load moves during a run.
  int cores =
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bench::Rates before1 =
      bench::Ed25519VerifyRate(std::string(400, 'x'), 1, 1.0);
  bench::Rates before =
      bench::Ed25519VerifyRate(std::string(400, 'x'), cores, 1.0);
  std::vector<std::string> replica_args{
      "--name", "bench.example/replica", "--peer",
      peer,     "--peer-token-file",     tmp.path() + "/peer.token"};
  if (const uint64_t mib =
          bench::FlagU64(argc, argv, "--replica-write-buffer-mib", 0)) {
    const std::string config = tmp.path() + "/replica.config.json";
    std::ofstream(config) << json{{"replicaWriteBufferBytes", mib << 20}}.dump()
                          << "\n";
    replica_args.insert(replica_args.end(), {"--config", config});
  }
  const double source_cpu0 = bench::ProcessCpuSeconds(src.node->pid());
  const double mono_start = MonotonicSeconds();
  bench::Stopwatch catchup;
  auto replica =
      udi_test::NodeProcess::Start(tmp.path() + "/replica", replica_args);
  if (!replica.ok()) Die(replica.status().ToString());
  udi_http::HttpClient rc("127.0.0.1", (*replica)->port());
  // (entries held, replica CPU-s) about every 2 s: the replica's CPU per entry
  // along the catch-up (does it grow with the log?).
  std::vector<std::pair<uint64_t, double>> progress{{0, 0.0}};
  auto next_sample = Clock::now() + std::chrono::seconds(2);
  for (uint64_t held = 0; (held = ReplicaSize(rc, origin)) < target;) {
    if (Clock::now() >= next_sample) {
      progress.emplace_back(held, bench::ProcessCpuSeconds((*replica)->pid()));
      next_sample += std::chrono::seconds(2);
    }
    ::poll(nullptr, 0, 20);
  }
  double t = catchup.Seconds();
  const double mono_end = MonotonicSeconds();
  const double replica_cpu = bench::ProcessCpuSeconds((*replica)->pid());
  const double source_cpu =
      bench::ProcessCpuSeconds(src.node->pid()) - source_cpu0;
  bench::Rates caught{static_cast<double>(target) / t, 0};
  caught.cpu = caught.wall;  // the replica's CPU is another process
  bench::Rates after1 = bench::Ed25519VerifyRate(std::string(400, 'x'), 1, 1.0);
  bench::Rates after =
      bench::Ed25519VerifyRate(std::string(400, 'x'), cores, 1.0);
  bench::Rates ceiling1{(before1.wall + after1.wall) / 2, 0};
  bench::Rates ceiling{(before.wall + after.wall) / 2, 0};
  std::printf(
      "%d-thread Ed25519 verify ceiling: %.0f /s before the catch-up, %.0f /s "
      "after (1-thread: %.0f, %.0f)\n",
      cores, before.wall, after.wall, before1.wall, after1.wall);
  std::printf(
      "catch-up: %llu entries in %.2f s (incl. node start); replica peak RSS "
      "%.0f MiB\n",
      static_cast<unsigned long long>(target), t,
      PeakRssMiB((*replica)->pid()));
  std::printf(
      "%-40s %9.0f /s = %.2fx the %d-thread Ed25519 verify ceiling (%.0f /s; "
      "mean of before and after; the import verifies on %d threads, so THIS is "
      "the ratio) [1-thread "
      "ceiling %.0f /s: %.2fx]\n",
      "catch-up (fresh replica, all checks)", caught.wall,
      caught.wall / ceiling.wall, cores, ceiling.wall, cores, ceiling1.wall,
      caught.wall / ceiling1.wall);
  // Load-independent: the replica's CPU per entry against one verification
  // (verifications per CPU-second of the 1-thread ceiling runs).
  const double verify_per_cpu_s = (before1.cpu + after1.cpu) / 2;
  std::printf(
      "catch-up CPU: the replica used %.1f CPU-s = %.0f entries per CPU-s = "
      "%.2fx the verify rate per CPU-s (%.0f /s), i.e. %.2f verifications' "
      "worth of CPU per entry\n",
      replica_cpu, static_cast<double>(target) / replica_cpu,
      static_cast<double>(target) / replica_cpu / verify_per_cpu_s,
      verify_per_cpu_s,
      verify_per_cpu_s * replica_cpu / static_cast<double>(target));
  const LevelDbWrites writes = ReadLevelDbLogs(tmp.path() + "/replica");
  std::printf(
      "catch-up CPU of the source serving the entries: %.1f CPU-s = %.2f "
      "verifications' worth per entry; both nodes: %.2f; replica LevelDB "
      "wrote %.0f MiB in level-0 flushes and %.0f MiB in compactions (its "
      "LOG files)\n",
      source_cpu, verify_per_cpu_s * source_cpu / static_cast<double>(target),
      verify_per_cpu_s * (source_cpu + replica_cpu) /
          static_cast<double>(target),
      writes.flushed_mib, writes.compacted_mib);
  // For `perf record -k mono -e sched:...` (bench/sched_busy.py or by hand):
  // the catch-up's window on CLOCK_MONOTONIC and the two processes.
  std::printf(
      "catch-up window (CLOCK_MONOTONIC): %.6f .. %.6f s; source pid %d, "
      "replica pid %d\n",
      mono_start, mono_end, static_cast<int>(src.node->pid()),
      static_cast<int>((*replica)->pid()));
  std::printf("replica threads alive, CPU-s: %s\n",
              ThreadCpu((*replica)->pid()).c_str());
  // The same per fifth of the log (between the samples nearest to the fifths).
  progress.emplace_back(target, replica_cpu);
  auto nearest = [&](uint64_t want) {
    return *std::min_element(
        progress.begin(), progress.end(), [&](const auto& a, const auto& b) {
          return std::llabs(static_cast<long long>(a.first - want)) <
                 std::llabs(static_cast<long long>(b.first - want));
        });
  };
  for (uint64_t q = 0; q < 5; ++q) {
    const auto a = nearest(target * q / 5), b = nearest(target * (q + 1) / 5);
    if (b.first <= a.first) continue;
    const double per =
        (b.second - a.second) / static_cast<double>(b.first - a.first);
    std::printf(
        "  replica CPU for entries %llu..%llu: %.1f us per entry = %.2f "
        "verifications' worth\n",
        static_cast<unsigned long long>(a.first),
        static_cast<unsigned long long>(b.first), 1e6 * per,
        verify_per_cpu_s * per);
  }
  std::fflush(stdout);

  // 2. Replication lag at a steady rate, offered as real sites do: G gateways
  // (one per site, each with its own keep-alive connection and thread) collect
  // their scanner stations' signed events and post what has arrived every
  // `period` ms in one batch (at most 1000 events, the source's request cap);
  // the gateways' ticks are staggered over the period. Event i "arrives" at
  // start + i/rate. A gateway that falls behind sends its backlog in its next
  // batch, so the offered rate stays the target one; the achieved rate is what
  // the source acknowledged. The request bodies are built from envelope texts
  // serialised before the run (a lean client: the bench takes almost no CPU
  // from the nodes). Lag of a batch: from the source's acknowledgement until
  // the replica lists a size covering the batch's highest index (polled every
  // `poll` ms); the time from an event's arrival to the acknowledgement of its
  // batch is reported separately.
  const uint64_t gateways =
      std::max<uint64_t>(1, bench::FlagU64(argc, argv, "--gateways", 5));
  const uint64_t period_ms =
      std::max<uint64_t>(1, bench::FlagU64(argc, argv, "--period-ms", 100));
  const uint64_t poll_ms =
      std::max<uint64_t>(1, bench::FlagU64(argc, argv, "--poll-ms", 5));
  // The gateways offering texts[i] at start + i/rate; on_ack(end, when) per
  // acknowledged batch (end: its highest source index + 1). Returns the
  // acknowledged rate; *arrival_to_ack gets each event's wait.
  auto offer =
      [&](const std::vector<std::string>& texts,
          const std::function<void(uint64_t, Clock::time_point)>& on_ack,
          std::vector<double>* arrival_to_ack) {
        const uint64_t total = texts.size();
        std::mutex waits_mu;
        std::atomic<uint64_t> acked_events{0};
        auto start = Clock::now() + std::chrono::milliseconds(50);
        auto arrival = [&](uint64_t i) {
          return start + std::chrono::nanoseconds(i * 1000000000ull / rate);
        };
        // Gateway g posts events i with i % gateways == g.
        std::vector<std::thread> sites;
        for (uint64_t g = 0; g < gateways; ++g) {
          sites.emplace_back([&, g] {
            udi_http::HttpClient w("127.0.0.1", src.node->port());
            w.SetBearerToken(src.writer_token);
            uint64_t next = g;  // the gateway's next event
            auto tick = start + std::chrono::microseconds(1000 * period_ms * g /
                                                          gateways);
            std::vector<double> waits;
            while (next < total) {
              std::this_thread::sleep_until(tick);
              tick += std::chrono::milliseconds(period_ms);
              const auto now = Clock::now();
              std::string body = "{\"envelopes\":[";
              const uint64_t first = next;
              size_t n = 0;
              while (next < total && arrival(next) <= now && n < 1000) {
                if (n++) body += ',';
                body += texts[next];
                next += gateways;
              }
              if (n == 0) continue;
              body += "]}";
              auto r = w.Send("POST", "/v1/events", body);
              const auto done = Clock::now();
              if (!r.ok() || r->status != 200) Die("submit failed");
              uint64_t end = 0;
              for (const auto& o : r->Json()["results"]) {
                if (!o.contains("index")) Die("an event was not accepted");
                end = std::max(end, o["index"].get<uint64_t>() + 1);
              }
              for (uint64_t i = first; i < next; i += gateways) {
                waits.push_back(
                    std::chrono::duration<double>(done - arrival(i)).count());
              }
              acked_events += n;
              on_ack(end, done);
            }
            std::lock_guard<std::mutex> lock(waits_mu);
            arrival_to_ack->insert(arrival_to_ack->end(), waits.begin(),
                                   waits.end());
          });
        }
        for (auto& t : sites) t.join();
        return static_cast<double>(acked_events) /
               std::chrono::duration<double>(Clock::now() - start).count();
      };
  auto sign_texts = [&](uint64_t from, uint64_t n) {
    std::vector<std::string> texts(n);
    auto envs = SignRange(src.key, from, n);
    for (uint64_t i = 0; i < n; ++i) texts[i] = envs[i].dump();
    return texts;
  };
  const uint64_t total = rate * seconds;
  const std::vector<std::string> texts = sign_texts(entries, total);
  std::mutex mu;
  std::vector<std::pair<uint64_t, Clock::time_point>> acked;  // (end, time)
  std::atomic<bool> offering{true};
  std::vector<double> lags, arrival_to_ack;
  std::thread watcher([&] {
    udi_http::HttpClient c("127.0.0.1", (*replica)->port());
    std::vector<std::pair<uint64_t, Clock::time_point>> pending;
    while (true) {
      const bool last = !offering;
      {
        std::lock_guard<std::mutex> lock(mu);
        pending.insert(pending.end(), acked.begin(), acked.end());
        acked.clear();
      }
      uint64_t size = ReplicaSize(c, origin);
      auto now = Clock::now();
      std::erase_if(pending, [&](const auto& a) {
        if (a.first > size) return false;
        lags.push_back(std::chrono::duration<double>(now - a.second).count());
        return true;
      });
      if (last && pending.empty()) break;
      ::poll(nullptr, 0, static_cast<int>(poll_ms));
    }
  });
  const double src_cpu0 = bench::ProcessCpuSeconds(src.node->pid());
  const double rep_cpu0 = bench::ProcessCpuSeconds((*replica)->pid());
  const double achieved = offer(
      texts,
      [&](uint64_t end, Clock::time_point when) {
        std::lock_guard<std::mutex> lock(mu);
        acked.emplace_back(end, when);
      },
      &arrival_to_ack);
  offering = false;
  watcher.join();
  const double src_cpu = bench::ProcessCpuSeconds(src.node->pid()) - src_cpu0;
  const double rep_cpu = bench::ProcessCpuSeconds((*replica)->pid()) - rep_cpu0;
  std::printf(
      "lag at %.0f events/s acknowledged (offered %llu/s for %llu s by %llu "
      "gateways posting every %llu ms; %zu batches): replica p50 %.1f ms, p99 "
      "%.1f ms, max %.1f ms after the source's ack (polled every %llu ms); "
      "event arrival to ack p50 %.1f ms, p99 %.1f ms\n",
      achieved, static_cast<unsigned long long>(rate),
      static_cast<unsigned long long>(seconds),
      static_cast<unsigned long long>(gateways),
      static_cast<unsigned long long>(period_ms), lags.size(),
      1000 * Percentile(lags, 0.5), 1000 * Percentile(lags, 0.99),
      1000 * Percentile(lags, 1.0), static_cast<unsigned long long>(poll_ms),
      1000 * Percentile(arrival_to_ack, 0.5),
      1000 * Percentile(arrival_to_ack, 0.99));
  // What the load costs both nodes, per event, in verifications (both verify
  // every signature): the cores the lag goal's load needs on this machine.
  const double per_event_src =
      verify_per_cpu_s * src_cpu / static_cast<double>(total);
  const double per_event_rep =
      verify_per_cpu_s * rep_cpu / static_cast<double>(total);
  std::printf(
      "CPU during the lag run: source %.1f CPU-s (%.2f verifications' worth "
      "per event), replica %.1f CPU-s (%.2f); %llu events/s need about %.2f "
      "cores for both\n",
      src_cpu, per_event_src, rep_cpu, per_event_rep,
      static_cast<unsigned long long>(rate),
      static_cast<double>(rate) * (per_event_src + per_event_rep) /
          verify_per_cpu_s);
  std::fflush(stdout);

  // 3. (--source-only-seconds S) The same offer with the replica stopped
  // (SIGSTOP): what the source takes when it has the machine to itself, as it
  // would on its own server.
  const uint64_t alone = bench::FlagU64(argc, argv, "--source-only-seconds", 0);
  if (alone > 0) {
    const auto more = sign_texts(entries + total, rate * alone);
    ::kill((*replica)->pid(), SIGSTOP);
    std::vector<double> waits;
    const double cpu0 = bench::ProcessCpuSeconds(src.node->pid());
    const double took = offer(
        more, [](uint64_t, Clock::time_point) {}, &waits);
    const double src_cpu = bench::ProcessCpuSeconds(src.node->pid()) - cpu0;
    ::kill((*replica)->pid(), SIGCONT);
    const double per_event =
        verify_per_cpu_s * src_cpu / static_cast<double>(more.size());
    std::printf(
        "source alone (replica stopped): %.0f events/s acknowledged of %llu/s "
        "offered for %llu s; event arrival to ack p50 %.1f ms, p99 %.1f ms; "
        "the source used %.1f CPU-s = %.2f verifications' worth per event, so "
        "%d idle cores would take about %.0f events/s\n",
        took, static_cast<unsigned long long>(rate),
        static_cast<unsigned long long>(alone), 1000 * Percentile(waits, 0.5),
        1000 * Percentile(waits, 0.99), src_cpu, per_event, cores,
        cores * verify_per_cpu_s / per_event);
  }
  return 0;
}
