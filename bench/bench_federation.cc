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
//  2. Lag: events submitted to the source at a steady rate; for each batch,
//     the time from the source's acknowledgement until the replica serves a
//     log that includes it (polled every millisecond or so). p50/p99.
//
//   bench_federation [--entries N] [--rate R] [--seconds S] [--batch B]
//                    [--serve-batch M]
// --serve-batch: the source's maxLogEntries (entries per GET .../entries
// response, default 4096, as large as the replica's import chunks).
// Defaults are small (N=20000, R=5000/s, S=5); the figure is
// --entries 1000000.
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
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
  s.writer->SetBearerToken(w->Json()["token"].get<std::string>());
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

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
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
  // The ceilings are measured just before and just after the catch-up and the
  // ratio is to their mean: on a shared machine the load moves during a run.
  int cores =
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bench::Rates before1 =
      bench::Ed25519VerifyRate(std::string(400, 'x'), 1, 1.0);
  bench::Rates before =
      bench::Ed25519VerifyRate(std::string(400, 'x'), cores, 1.0);
  bench::Stopwatch catchup;
  auto replica = udi_test::NodeProcess::Start(
      tmp.path() + "/replica",
      {"--name", "bench.example/replica", "--peer", peer, "--peer-token-file",
       tmp.path() + "/peer.token"});
  if (!replica.ok()) Die(replica.status().ToString());
  udi_http::HttpClient rc("127.0.0.1", (*replica)->port());
  while (ReplicaSize(rc, origin) < target) ::poll(nullptr, 0, 20);
  double t = catchup.Seconds();
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
  std::fflush(stdout);

  // 2. Replication lag at a steady rate.
  const uint64_t per_tick = std::max<uint64_t>(1, rate / 100);  // every 10 ms
  const uint64_t total = rate * seconds;
  auto envs = SignRange(src.key, entries, total);
  std::mutex mu;
  std::vector<std::pair<uint64_t, Clock::time_point>> acked;  // (size, time)
  std::atomic<bool> writing{true};
  std::vector<double> lags;
  std::thread watcher([&] {
    udi_http::HttpClient c("127.0.0.1", (*replica)->port());
    size_t next = 0;
    while (true) {
      uint64_t size = ReplicaSize(c, origin);
      auto now = Clock::now();
      std::unique_lock<std::mutex> lock(mu);
      while (next < acked.size() && acked[next].first <= size) {
        lags.push_back(
            std::chrono::duration<double>(now - acked[next].second).count());
        ++next;
      }
      if (!writing && next == acked.size()) break;
      lock.unlock();
      ::poll(nullptr, 0, 1);  // ~1 ms between polls: resolution vs. load
    }
  });
  auto start = Clock::now();
  uint64_t sent = 0, size = target;
  for (uint64_t tick = 0; sent < total; ++tick) {
    auto due = start + std::chrono::milliseconds(10 * tick);
    while (Clock::now() < due) ::poll(nullptr, 0, 1);
    uint64_t n = std::min(per_tick, total - sent);
    Submit(*src.writer, envs, sent, n);
    sent += n;
    size += n;
    std::lock_guard<std::mutex> lock(mu);
    acked.emplace_back(size, Clock::now());
  }
  double achieved = static_cast<double>(sent) /
                    std::chrono::duration<double>(Clock::now() - start).count();
  writing = false;
  watcher.join();
  std::printf(
      "lag at %.0f events/s for %llu s (%zu batches of %llu): p50 %.1f ms, p99 "
      "%.1f ms, max %.1f ms\n",
      achieved, static_cast<unsigned long long>(seconds), lags.size(),
      static_cast<unsigned long long>(per_tick), 1000 * Percentile(lags, 0.5),
      1000 * Percentile(lags, 0.99), 1000 * Percentile(lags, 1.0));
  return 0;
}
