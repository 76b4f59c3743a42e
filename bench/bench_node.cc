// bench_node: end-to-end capture throughput of a real ledger-node over HTTP
// (issue 3), each figure also given as a ratio to the raw 2-thread libsodium
// Ed25519 verify rate measured in the same run (the ceiling: verification is
// what durable, verified ingest spends its CPU on).
//
//   (a) batch capture: POST /v1/events with batches of --batch (1000)
//       envelopes over keep-alive connections from --batch-clients (4; 2
//       before session 10) client threads, one request in flight each
//       (goal >= 85% of the ceiling);
//       (--zstd 1: the batch bodies are sent zstd-compressed,
//       Content-Encoding: zstd);
//   (b) --clients (64) concurrent clients, one envelope per request, each
//       answered once durable (goal >= 50%); p50/p99 request latency. The
//       clients' kept-alive connections are driven by --client-threads (2)
//       threads with epoll (0: a blocking thread per client, as before
//       session 10).
//
// Each ceiling is measured just before and just after its phase (the figure
// divides by their mean); with the node started by the bench, its CPU per
// event is also given against one Ed25519 verification's CPU (measured by the
// same two runs), a figure that holds better on a loaded machine, and split by
// thread role (I/O, verify pool, writer, threads the writer started, exited
// per-batch helpers; from /proc/PID/task/*/stat, 10 ms ticks) so that the
// non-verify CPU can be placed. Each phase also gives the node's synced
// commits (from GET /metrics): their number, mean events and mean wall time
// (the writer's CPU per event depends on them). The node's pid is printed
// (for perf -p).
//
// Usage: bench_node [--events N] [--single-events N] [--batch N] [--zstd 1]
//                   [--batch-clients N] [--clients N] [--client-threads N]
//                   [--node http://HOST:PORT
//                   --token ADMIN]
//                   [--program PATH]
//   Without --node it starts build/bin/ledger-node (or --program, another
//   ledger-node binary, e.g. an older build for A/B runs) in a temp dir (and
//   stops it). Envelopes are signed before the clock starts; every one must be
//   answered "accepted" or the run aborts.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sodium.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "ledger/bytes.h"
#include "ledger/envelope.h"
#include "ledger/jcs.h"
#include "ledger/keys.h"
#include "ledger/merkle.h"
#include "node/client/http_client.h"
#include "tests/node_process.h"

namespace {

using json = nlohmann::json;

// The Ed25519 ceiling over a message the size of a canonical event.
bench::Rates Ed25519VerifyRates(int threads, double seconds) {
  return bench::Ed25519VerifyRate(
      *ledger::CanonicalizeJson(bench::MakeScanEvent(12345, "c")), threads,
      seconds);
}

// CPU microseconds of one Ed25519 verification on this thread, over 1024
// distinct events and signatures in turn (as the node meets them) and, for
// comparison, over one signature again and again (as the ceiling loop does:
// libsodium's variable-time verification then runs the same branches every
// time, which the CPU learns). Alternated 4 times; the medians.
std::pair<double, double> VerifyCpuSameAndDistinct() {
  constexpr int kDistinct = 1024, kPerRound = 1500;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  std::vector<std::string> messages(kDistinct);
  std::vector<std::array<unsigned char, crypto_sign_BYTES>> sigs(kDistinct);
  for (int i = 0; i < kDistinct; ++i) {
    messages[i] = *ledger::CanonicalizeJson(bench::MakeScanEvent(i, "d"));
    crypto_sign_detached(
        sigs[i].data(), nullptr,
        reinterpret_cast<const unsigned char*>(messages[i].data()),
        messages[i].size(), sk);
  }
  std::vector<double> same, distinct;
  for (int round = 0; round < 4; ++round) {
    for (int d = 0; d < 2; ++d) {
      const double t0 = bench::ThreadCpuSeconds();
      for (int n = 0; n < kPerRound; ++n) {
        const int i = d ? n % kDistinct : 0;
        if (crypto_sign_verify_detached(
                sigs[i].data(),
                reinterpret_cast<const unsigned char*>(messages[i].data()),
                messages[i].size(), pk) != 0)
          std::abort();
      }
      (d ? distinct : same)
          .push_back(1e6 * (bench::ThreadCpuSeconds() - t0) / kPerRound);
    }
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return (v[1] + v[2]) / 2;
  };
  return {median(same), median(distinct)};
}

// The node's CPU by thread role. The node names the threads it creates
// (udi-io, udi-verify, udi-writer); a thread inherits its creator's name, so
// the threads the writer starts (the log's per-batch helper, LevelDB's
// background compaction thread when a write starts it) are also "udi-writer":
// the writers are those started before the I/O threads. The main thread runs
// the io_context too. Threads that exited during a phase (per-batch helpers)
// are the process's CPU beyond its live threads'.
struct NodeCpu {
  double process = -1;
  std::map<int, bench::ThreadCpu> threads;  // by tid
};

NodeCpu ReadNodeCpu(pid_t pid) {
  NodeCpu out;
  out.process = bench::ProcessCpuSeconds(pid);
  if (out.process >= 0) out.threads = bench::TaskCpuTimes(pid);
  return out;
}

// Per role, the CPU microseconds per event between two readings.
void PrintNodeCpuSplit(pid_t pid, const NodeCpu& before, const NodeCpu& after,
                       uint64_t events, double verify_cpu_us) {
  if (before.process < 0 || after.process < 0) return;
  // The writers (one, or two since session 10) start before the I/O threads;
  // the threads they start come later.
  int first_io_tid = std::numeric_limits<int>::max();
  for (const auto& [tid, t] : after.threads) {
    if (t.name == "udi-io") first_io_tid = std::min(first_io_tid, tid);
  }
  std::map<std::string, double> role;
  double live = 0;
  for (const auto& [tid, t] : after.threads) {
    auto was = before.threads.find(tid);
    const double d =
        t.seconds - (was == before.threads.end() ? 0 : was->second.seconds);
    live += t.seconds;
    std::string r;
    if (tid == pid || t.name == "udi-io") {
      r = "io (Beast/Asio, body parse, answers)";
    } else if (t.name == "udi-verify") {
      r = "verify threads";
    } else if (t.name == "udi-writer" && tid < first_io_tid) {
      r = "writers (log append, sync, answers)";
    } else if (t.name == "udi-writer") {
      r = "writer-started (LevelDB compaction, log helper)";
    } else {
      r = "other (" + t.name + ")";
    }
    role[r] += d;
  }
  // The process's CPU counts its exited threads' too: what it has beyond its
  // live threads grew by what exited threads used (threads that ended during
  // the phase: their whole CPU, less what they had at the start).
  double before_live = 0;
  for (const auto& [tid, t] : before.threads) before_live += t.seconds;
  const double exited = (after.process - live) - (before.process - before_live);
  role["exited threads (log per-batch helpers)"] += exited;
  const double n = static_cast<double>(events);
  for (const auto& [r, seconds] : role) {
    const double us = 1e6 * seconds / n;
    if (us < 0.05) continue;
    std::printf("      %-52s %6.1f us/event = %.2fx verify\n", r.c_str(), us,
                us / verify_cpu_us);
  }
}

// Prints a phase's rate against the ceiling (the mean of the verify rates
// measured just before and just after it, so that a load change on a shared
// machine shows up as a gap between the two), and the node's CPU per event
// against one verification's CPU (from the same two measurements: CPU time
// per verification moves less than wall rates under load, but it moves).
void PrintPhase(const std::string& what, double rate, double goal_percent,
                const bench::Rates& before, const bench::Rates& after,
                pid_t node_pid, const NodeCpu& node_before,
                const NodeCpu& node_after, uint64_t events) {
  const double node_cpu_seconds =
      node_before.process < 0 || node_after.process < 0
          ? -1
          : node_after.process - node_before.process;
  const double ceiling_before = before.wall, ceiling_after = after.wall;
  const double ceiling = (ceiling_before + ceiling_after) / 2;
  const double verify_cpu_us = 1e6 / ((before.cpu + after.cpu) / 2);
  std::printf("%-58s %9.0f /s %5.1f%% of ceiling (goal %.0f%%)\n", what.c_str(),
              rate, 100 * rate / ceiling, goal_percent);
  std::printf("    ceiling before %.0f /s, after %.0f /s\n", ceiling_before,
              ceiling_after);
  if (node_cpu_seconds >= 0) {
    const double us = 1e6 * node_cpu_seconds / static_cast<double>(events);
    std::printf(
        "    node CPU %.1f us/event = %.2fx one Ed25519 verify (%.1f us); "
        "verify-bound share %.1f%%\n",
        us, us / verify_cpu_us, verify_cpu_us, 100 * verify_cpu_us / us);
    PrintNodeCpuSplit(node_pid, node_before, node_after, events, verify_cpu_us);
  }
  std::fflush(stdout);
}

// The load generator's own CPU in a phase: it runs on the same cores as the
// node, so whatever it spends is not available to the node.
void PrintClientCpu(double cpu_seconds, uint64_t events) {
  std::printf("    load generator CPU %.1f us/event (on the same cores)\n",
              1e6 * cpu_seconds / static_cast<double>(events));
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "bench_node: %s\n", message.c_str());
  std::exit(1);
}

// The machine's CPU time so far from /proc/stat's "cpu" line, in seconds:
// busy (user, nice, system, irq, softirq, steal), idle and iowait. Over a
// phase: busy beyond the node's and the load generator's CPU is other
// processes'; idle is what nobody used.
struct MachineCpu {
  double busy = -1, idle = -1, iowait = -1, steal = -1;
};

MachineCpu ReadMachineCpu() {
  MachineCpu out;
  std::ifstream stat("/proc/stat");
  std::string cpu;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0,
                     irq = 0, softirq = 0, steal = 0;
  if (!(stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >>
        softirq >> steal) ||
      cpu != "cpu") {
    return out;
  }
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  out.busy =
      static_cast<double>(user + nice + system + irq + softirq + steal) / tick;
  out.idle = static_cast<double>(idle) / tick;
  out.iowait = static_cast<double>(iowait) / tick;
  out.steal = static_cast<double>(steal) / tick;
  return out;
}

// Where the machine's cores went during a phase of `wall` seconds, in cores
// (CPU-seconds per second): the node, the load generator, other processes,
// idle (and iowait: idle while some task waited for the disk).
void PrintCores(double wall, const MachineCpu& before, const MachineCpu& after,
                double node_cpu, double client_cpu) {
  if (before.busy < 0 || after.busy < 0 || wall <= 0) return;
  const double busy = (after.busy - before.busy) / wall;
  const double node = node_cpu >= 0 ? node_cpu / wall : 0;
  const double client = client_cpu / wall;
  std::printf(
      "    cores: node %.2f, load generator %.2f, others %.2f, idle %.2f "
      "(+ iowait %.2f), steal %.2f\n",
      node, client, busy - node - client, (after.idle - before.idle) / wall,
      (after.iowait - before.iowait) / wall,
      (after.steal - before.steal) / wall);
}

// Sums of the node's ingest stage times (udi_ingest_stage_seconds_total and
// udi_ingest_stage_requests_total by stage, from GET /metrics), in the order
// the node renders them.
struct Stages {
  std::vector<std::string> names;
  std::vector<double> seconds, requests;
};

Stages ReadStages(const std::string& metrics) {
  Stages out;
  for (const bool seconds : {true, false}) {
    const std::string prefix = std::string("\nudi_ingest_stage_") +
                               (seconds ? "seconds" : "requests") +
                               "_total{stage=\"";
    for (size_t at = metrics.find(prefix); at != std::string::npos;
         at = metrics.find(prefix, at + 1)) {
      const size_t name_at = at + prefix.size();
      const size_t quote = metrics.find('"', name_at);
      const double v = std::strtod(metrics.c_str() + quote + 3, nullptr);
      if (seconds) {
        out.names.push_back(metrics.substr(name_at, quote - name_at));
        out.seconds.push_back(v);
      } else {
        out.requests.push_back(v);
      }
    }
  }
  if (out.requests.size() != out.names.size()) return {};
  return out;
}

// Per stage: the mean time a request spent in it and the mean number of
// requests in it over the phase (Little's law: stage seconds / wall); the
// rest of the clients' mean latency is outside the node's stages (the
// kernel, waiting for an I/O thread, the load generator).
void PrintStages(const Stages& before, const Stages& after, double wall,
                 double mean_latency_ms) {
  if (before.names.empty() || before.names.size() != after.names.size()) return;
  double requests = 0, inside = 0;
  std::string line = "    stages (mean ms per request / mean requests in it):";
  for (size_t i = 0; i < after.names.size(); ++i) {
    const double n = after.requests[i] - before.requests[i];
    const double s = after.seconds[i] - before.seconds[i];
    if (after.names[i] == "read") requests = n;
    const double ms = n > 0 ? 1e3 * s / n : 0;
    inside += ms;
    char part[96];
    std::snprintf(part, sizeof part, "%s %s %.3f/%.1f",
                  i % 5 == 0 ? "\n     " : "", after.names[i].c_str(), ms,
                  s / wall);
    line += part;
  }
  std::printf("%s\n", line.c_str());
  if (mean_latency_ms > 0 && requests > 0) {
    std::printf(
        "    node stages %.2f ms of the clients' mean latency %.2f ms "
        "(outside: %.2f ms)\n",
        inside, mean_latency_ms, mean_latency_ms - inside);
  }
}

// The node's committed batches so far: their number, events and wall seconds
// (udi_batch_events_count, udi_batch_events_sum and udi_commit_seconds_sum
// from GET /metrics); -1 each when they cannot be read.
struct Commits {
  double batches = -1, events = -1, seconds = -1;
  // The log's AppendEvents time by part (udi_log_append_seconds_total).
  std::map<std::string, double> parts;
};

Commits ReadCommits(udi_http::HttpClient& client, Stages* stages) {
  Commits out;
  auto r = client.Get("/metrics");
  if (!r.ok() || r->status != 200) return out;
  *stages = ReadStages(r->body);
  auto value = [&](std::string_view name) {
    std::string line = "\n" + std::string(name) + " ";
    size_t at = r->body.find(line);
    return at == std::string::npos
               ? -1.0
               : std::strtod(r->body.c_str() + at + line.size(), nullptr);
  };
  out.batches = value("udi_batch_events_count");
  out.events = value("udi_batch_events_sum");
  out.seconds = value("udi_commit_seconds_sum");
  const std::string part = "\nudi_log_append_seconds_total{part=\"";
  for (size_t at = r->body.find(part); at != std::string::npos;
       at = r->body.find(part, at + 1)) {
    const size_t name_at = at + part.size();
    const size_t quote = r->body.find('"', name_at);
    out.parts[r->body.substr(name_at, quote - name_at)] =
        std::strtod(r->body.c_str() + quote + 3, nullptr);
  }
  return out;
}

// How many synced batches a phase committed, their mean size and the mean
// wall time of one (Log::AppendEvents, sync included).
void PrintCommits(const Commits& before, const Commits& after, double wall) {
  if (before.batches < 0 || after.batches < 0) return;
  const double batches = after.batches - before.batches;
  const double events = after.events - before.events;
  const double seconds = after.seconds - before.seconds;
  std::printf(
      "    %.0f synced commits, %.1f events and %.2f ms each on average; "
      "writer committing %.0f%% of the phase\n",
      batches, batches > 0 ? events / batches : 0.0,
      batches > 0 ? 1e3 * seconds / batches : 0.0, 100 * seconds / wall);
  auto part = [&](const char* name) {
    auto a = after.parts.find(name);
    auto b = before.parts.find(name);
    if (a == after.parts.end() || b == before.parts.end() || batches <= 0)
      return -1.0;
    return 1e3 * (a->second - b->second) / batches;
  };
  const double write = part("write"), write_cpu = part("write_cpu"),
               total = part("total");
  if (write >= 0 && total >= 0) {
    std::printf(
        "    per commit: LevelDB write %.2f ms (its CPU %.2f ms), the rest of "
        "AppendEvents %.2f ms (waits: lock %.2f, pipe %.2f, order %.2f)\n",
        write, write_cpu, total - write, part("lock_wait"), part("pipe_wait"),
        part("order_wait"));
  }
}

// Thread CPU microseconds of one `hash(bytes)` (the node's ledger::Sha256 or
// merkle::LeafHash: the CPU's SHA extensions where it has them, else
// libsodium); the median of 4 rounds.
double HashCpuUs(ledger::Hash (*hash)(std::string_view),
                 const std::string& bytes) {
  constexpr int kPerRound = 20000;
  std::vector<double> us;
  volatile unsigned char sink = 0;  // keeps the hashes
  for (int round = 0; round < 4; ++round) {
    const double t0 = bench::ThreadCpuSeconds();
    for (int n = 0; n < kPerRound; ++n) sink = sink ^ hash(bytes)[0];
    us.push_back(1e6 * (bench::ThreadCpuSeconds() - t0) / kPerRound);
  }
  std::sort(us.begin(), us.end());
  return (us[1] + us[2]) / 2;
}

// The batch goal's bound. Per event a node cannot avoid: the Ed25519 verify of
// a distinct signature, the SHA-256 of the event's canonical bytes
// (its id) and of 0x00 || the entry (its leaf hash), measured over the last
// entry the node wrote, and LevelDB's write of the batch (its CPU per event in
// the phase's commits: write-ahead log, CRC, memtable inserts of the entry,
// tree and index keys). The ceiling's 2 threads each verify one signature
// per `verify_same_us`; a node on the same 2 cores that did only this work
// would reach verify_same_us / floor of the ceiling, even if HTTP, JSON,
// EPCIS validation, JCS and the tree cost nothing.
void PrintBatchBound(udi_http::HttpClient& client, double verify_same_us,
                     double verify_distinct_us, const Commits& before,
                     const Commits& after) {
  auto node = client.Get("/v1/node");
  if (!node.ok() || node->status != 200) return;
  const auto size =
      nlohmann::json::parse(node->body, nullptr, false).value("size", 0ULL);
  if (size == 0) return;
  auto got = client.Get("/v1/log/entries?start=" + std::to_string(size - 1) +
                        "&count=1");
  if (!got.ok() || got->status != 200) return;
  const auto page = nlohmann::json::parse(got->body, nullptr, false);
  if (!page.contains("entries") || page["entries"].empty()) return;
  const auto entry =
      ledger::FromBase64(page["entries"][0].value("leaf", std::string()));
  if (!entry) return;
  const auto parsed = nlohmann::json::parse(*entry, nullptr, false);
  if (!parsed.contains("envelope")) return;
  const auto event = ledger::CanonicalizeJson(parsed["envelope"]["event"]);
  if (!event.ok()) return;
  const double events = after.events - before.events;
  auto cpu = [](const Commits& c) {
    auto it = c.parts.find("write_cpu");
    return it == c.parts.end() ? -1.0 : it->second;
  };
  if (events <= 0 || cpu(before) < 0 || cpu(after) < 0) return;
  const double write_us = 1e6 * (cpu(after) - cpu(before)) / events;
  const double id_us = HashCpuUs(ledger::Sha256, *event);
  const double leaf_us = HashCpuUs(ledger::merkle::LeafHash, *entry);
  const double floor = verify_distinct_us + id_us + leaf_us + write_us;
  std::printf(
      "    bound: a distinct verify %.1f + SHA-256 of the event (%zu B) %.1f "
      "+ of the entry (%zu B) %.1f + LevelDB write %.1f = %.1f us/event; with "
      "nothing else, at most %.1f%% of the ceiling on 2 cores (goal 85%%)\n",
      verify_distinct_us, event->size(), id_us, entry->size() + 1, leaf_us,
      write_us, floor, 100 * verify_same_us / floor);
}

// `n` envelopes (canonical JSON text), signed on 2 threads.
std::vector<std::string> SignMany(uint64_t n, const char* run,
                                  const ledger::SigningKey& key) {
  std::vector<std::string> out(n);
  std::vector<std::thread> pool;
  for (int t = 0; t < 2; ++t) {
    pool.emplace_back([&, t] {
      for (uint64_t i = static_cast<uint64_t>(t); i < n; i += 2) {
        auto env = ledger::SignEvent(bench::MakeScanEvent(i, run), key);
        if (!env.ok()) Die(env.status().ToString());
        out[i] = env->ToJson().dump();
      }
    });
  }
  for (auto& t : pool) t.join();
  return out;
}

// Takes one complete HTTP/1.1 answer (with Content-Length) off the front of
// `buf`: false while it is incomplete. Sets the status, the body and whether
// the server will close the connection.
bool TakeAnswer(std::string* buf, int* status, std::string* body, bool* close) {
  const size_t end = buf->find("\r\n\r\n");
  if (end == std::string::npos) return false;
  std::string lower = buf->substr(0, end + 2);
  if (lower.compare(0, 9, "HTTP/1.1 ") != 0) Die("bad status line");
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  const size_t cl = lower.find("\r\ncontent-length:");
  if (cl == std::string::npos) Die("answer without Content-Length");
  const size_t length = std::strtoull(lower.c_str() + cl + 17, nullptr, 10);
  if (buf->size() < end + 4 + length) return false;
  *status = std::atoi(buf->c_str() + 9);
  body->assign(*buf, end + 4, length);
  buf->erase(0, end + 4 + length);
  *close = lower.find("\r\nconnection: close") != std::string::npos;
  return true;
}

// A connected TCP socket to host:port with TCP_NODELAY (blocking).
int ConnectTo(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) !=
          0 ||
      res == nullptr) {
    Die("cannot resolve " + host);
  }
  int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    freeaddrinfo(res);
    Die("cannot connect to " + host + ":" + std::to_string(port) + ": " +
        std::strerror(errno));
  }
  freeaddrinfo(res);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// The head of a POST /v1/events request with a body of `length` bytes.
std::string PostHead(const std::string& host, uint16_t port,
                     const std::string& token, size_t length, bool zstd) {
  std::string head = "POST /v1/events HTTP/1.1\r\nHost: " + host + ":" +
                     std::to_string(port) + "\r\nAuthorization: Bearer " +
                     token + "\r\nContent-Type: application/json\r\n";
  if (zstd) head += "Content-Encoding: zstd\r\n";
  head += "Content-Length: " + std::to_string(length) + "\r\n\r\n";
  return head;
}

// The load loops' HTTP/1.1 client: blocking POSIX socket calls on one
// kept-alive connection, TCP_NODELAY, header and body in one writev. The load
// generator shares the machine's cores with the node, so it must cost little
// (a Beast client with its own io_context and timers per call cost about half
// as much CPU as the node itself per single-envelope request).
class LoadClient {
 public:
  LoadClient(std::string host, uint16_t port, std::string token)
      : host_(std::move(host)), port_(port), token_(std::move(token)) {}
  ~LoadClient() { Close(); }
  LoadClient(const LoadClient&) = delete;
  LoadClient& operator=(const LoadClient&) = delete;

  // POST /v1/events; sets the HTTP status and the body. Reconnects once when
  // a kept-alive connection turns out closed.
  void Post(const std::string& body, bool zstd, int* status,
            std::string* response) {
    for (int attempt = 0;; ++attempt) {
      if (fd_ < 0) Connect();
      if (Exchange(body, zstd, status, response)) return;
      Close();
      if (attempt == 1) Die("POST /v1/events: connection closed twice");
    }
  }

 private:
  void Connect() {
    fd_ = ConnectTo(host_, port_);
    buf_.clear();
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // One request and its answer; false when the connection was found closed
  // before any answer byte arrived.
  bool Exchange(const std::string& body, bool zstd, int* status,
                std::string* response) {
    std::string head = PostHead(host_, port_, token_, body.size(), zstd);
    iovec iov[2] = {{head.data(), head.size()},
                    {const_cast<char*>(body.data()), body.size()}};
    size_t total = head.size() + body.size(), sent = 0;
    while (sent < total) {
      ssize_t n = ::writev(fd_, iov, 2);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
      // Advance the two buffers past what was written.
      for (iovec& v : iov) {
        size_t k = std::min(v.iov_len, static_cast<size_t>(n));
        v.iov_base = static_cast<char*>(v.iov_base) + k;
        v.iov_len -= k;
        n -= static_cast<ssize_t>(k);
      }
    }
    bool close = false;
    while (!TakeAnswer(&buf_, status, response, &close)) {
      if (!ReadMore()) {
        if (buf_.empty()) return false;
        Die("POST /v1/events: connection closed inside an answer");
      }
    }
    if (close) Close();
    return true;
  }

  bool ReadMore() {
    char chunk[16384];
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  const std::string host_;
  const uint16_t port_;
  const std::string token_;
  int fd_ = -1;
  std::string buf_;  // bytes read but not yet consumed
};

size_t CountOf(std::string_view text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string_view::npos;
       at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

// POSTs `body` (retrying 503 "busy" answers) and checks that all `count`
// results are "accepted": {"results":[...]} with exactly `count` members
// "status", each "accepted" (the node writes them without whitespace).
void PostEvents(LoadClient& client, const std::string& body, size_t count,
                std::atomic<uint64_t>* retries, bool zstd = false) {
  int status = 0;
  std::string answer;
  for (;;) {
    client.Post(body, zstd, &status, &answer);
    if (status == 503) {
      ++*retries;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (status != 200) {
      Die("POST /v1/events: HTTP " + std::to_string(status) + " " + answer);
    }
    if (answer.rfind("{\"results\":[", 0) != 0 ||
        CountOf(answer, "\"status\":") != count ||
        CountOf(answer, "\"status\":\"accepted\"") != count) {
      Die("want " + std::to_string(count) + " accepted results: " + answer);
    }
    return;
  }
}

// Phase (b)'s load generator: `connections` kept-alive connections driven by
// this one thread with epoll (non-blocking sockets), each with one
// single-envelope request in flight, the next envelope taken from `*next`
// as soon as its answer (checked: one "accepted") is in. One thread for many
// connections costs the shared cores less than a blocking thread per client
// (one wake-up per burst of answers instead of one per answer). Appends each
// request's latency (ms) to *latencies; 503 answers are sent again at once.
void RunEpollClients(const std::string& host, uint16_t port,
                     const std::string& token, int connections,
                     const std::vector<std::string>& envelopes,
                     std::atomic<uint64_t>* next,
                     std::atomic<uint64_t>* retries,
                     std::vector<double>* latencies) {
  using Clock = std::chrono::steady_clock;
  struct Conn {
    int fd = -1;
    uint64_t event = 0;
    std::string out, in, answer;
    size_t sent = 0;
    bool want_write = false;
    Clock::time_point t0;
  };
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) Die(std::string("epoll_create1: ") + std::strerror(errno));
  std::vector<Conn> conns(static_cast<size_t>(connections));
  auto watch = [&](size_t c, bool write) {
    epoll_event ev{};
    ev.events = write ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
    ev.data.u64 = c;
    if (epoll_ctl(ep, EPOLL_CTL_MOD, conns[c].fd, &ev) != 0)
      Die(std::string("epoll_ctl: ") + std::strerror(errno));
    conns[c].want_write = write;
  };
  // Writes what the socket takes; waits for EPOLLOUT for the rest.
  auto flush = [&](size_t c) {
    Conn& k = conns[c];
    while (k.sent < k.out.size()) {
      ssize_t n = ::write(k.fd, k.out.data() + k.sent, k.out.size() - k.sent);
      if (n > 0) {
        k.sent += static_cast<size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!k.want_write) watch(c, true);
        return;
      } else {
        Die(std::string("POST /v1/events: write: ") + std::strerror(errno));
      }
    }
    if (k.want_write) watch(c, false);
  };
  auto send = [&](size_t c) {
    Conn& k = conns[c];
    const std::string body = "{\"envelopes\":[" + envelopes[k.event] + "]}";
    k.out = PostHead(host, port, token, body.size(), false) + body;
    k.sent = 0;
    flush(c);
  };
  size_t active = 0;
  // Starts the connection's next request; false when none is left.
  auto start_next = [&](size_t c) {
    const uint64_t i = (*next)++;
    if (i >= envelopes.size()) {
      ::close(conns[c].fd);
      conns[c].fd = -1;
      --active;
      return;
    }
    conns[c].event = i;
    conns[c].t0 = Clock::now();
    send(c);
  };
  for (size_t c = 0; c < conns.size(); ++c) {
    conns[c].fd = ConnectTo(host, port);
    fcntl(conns[c].fd, F_SETFL, fcntl(conns[c].fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = c;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, conns[c].fd, &ev) != 0)
      Die(std::string("epoll_ctl: ") + std::strerror(errno));
    ++active;
  }
  for (size_t c = 0; c < conns.size(); ++c) start_next(c);
  std::vector<epoll_event> events(conns.size());
  char chunk[16384];
  while (active > 0) {
    const int n =
        epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      Die(std::string("epoll_wait: ") + std::strerror(errno));
    }
    for (int e = 0; e < n; ++e) {
      const size_t c = events[e].data.u64;
      Conn& k = conns[c];
      if (k.fd < 0) continue;
      if (events[e].events & EPOLLOUT) flush(c);
      if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      for (;;) {
        ssize_t r = ::read(k.fd, chunk, sizeof chunk);
        if (r > 0) {
          k.in.append(chunk, static_cast<size_t>(r));
          continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        Die("POST /v1/events: the node closed a kept-alive connection");
      }
      int status = 0;
      bool close = false;
      if (!TakeAnswer(&k.in, &status, &k.answer, &close)) continue;
      if (close) Die("POST /v1/events: the node closes the connection");
      if (status == 503) {
        ++*retries;
        send(c);
        continue;
      }
      if (status != 200 || k.answer.rfind("{\"results\":[{", 0) != 0 ||
          CountOf(k.answer, "\"status\":") != 1 ||
          CountOf(k.answer, "\"status\":\"accepted\"") != 1) {
        Die("POST /v1/events: want 1 accepted result: HTTP " +
            std::to_string(status) + " " + k.answer);
      }
      latencies->push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - k.t0)
              .count());
      start_next(c);
    }
  }
  ::close(ep);
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) Die("sodium_init failed");
  const uint64_t events = bench::FlagU64(argc, argv, "--events", 50000);
  const uint64_t single_events =
      bench::FlagU64(argc, argv, "--single-events", 20000);
  const bool zstd = bench::FlagU64(argc, argv, "--zstd", 0) != 0;
  const uint64_t batch =
      std::max<uint64_t>(1, bench::FlagU64(argc, argv, "--batch", 1000));
  // Connections (client threads) of the batch phase, each with one request
  // in flight: with 2, the verify pool runs dry while one request is being
  // committed and answered and the next one read and parsed (session 10).
  const int batch_clients = static_cast<int>(
      std::max<uint64_t>(1, bench::FlagU64(argc, argv, "--batch-clients", 4)));
  // Threads of phase (b)'s load generator, each driving its share of the
  // clients' connections with epoll; 0: a blocking thread per client (the
  // load generator before session 10).
  const int client_threads =
      static_cast<int>(bench::FlagU64(argc, argv, "--client-threads", 2));
  const int clients = static_cast<int>(
      std::max<uint64_t>(1, bench::FlagU64(argc, argv, "--clients", 64)));
  std::string url = bench::FlagString(argc, argv, "--node", "");
  const std::string program = bench::FlagString(argc, argv, "--program", "");
  std::string admin = bench::FlagString(argc, argv, "--token", "");

  std::unique_ptr<udi_test::TempDir> tmp;
  std::unique_ptr<udi_test::NodeProcess> node;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  if (url.empty()) {
    tmp = std::make_unique<udi_test::TempDir>();
    auto started =
        udi_test::NodeProcess::Start(tmp->path() + "/data", {}, program);
    if (!started.ok()) Die(started.status().ToString());
    node = std::move(*started);
    port = node->port();
    admin = node->AdminToken();
  } else {
    auto colon = url.rfind(':');
    if (url.rfind("http://", 0) != 0 || colon == std::string::npos) {
      Die("--node: want http://HOST:PORT");
    }
    host = url.substr(7, colon - 7);
    port = static_cast<uint16_t>(std::stoul(url.substr(colon + 1)));
    if (admin.empty()) Die("--node needs --token ADMIN");
  }

  // A participant (fresh name per run) and a writer token bound to it.
  auto key = ledger::SigningKey::Generate(
      "bench" + std::to_string(static_cast<unsigned>(randombytes_random())));
  if (!key.ok()) Die(key.status().ToString());
  udi_http::HttpClient admin_client(host, port);
  admin_client.SetBearerToken(admin);
  auto reg = admin_client.Post("/v1/participants",
                               {{"gln", "0614141000005"},
                                {"name", key->name()},
                                {"role", "manufacturer"},
                                {"verifierKey", key->verifier().ToText()}});
  if (!reg.ok() || reg->status / 100 != 2) {
    Die("register participant: " +
        (reg.ok() ? reg->body : reg.status().ToString()));
  }
  auto tok = admin_client.Post(
      "/v1/tokens", {{"role", "writer"}, {"participant", key->KeyId()}});
  if (!tok.ok() || tok->status != 201) Die("create token failed");
  const std::string writer = tok->Json().value("token", "");

  if (node) {
    std::printf(
        "bench_node: %u hardware threads; node %s:%u (started by the bench, "
        "pid %d)\n",
        std::thread::hardware_concurrency(), host.c_str(), port,
        static_cast<int>(node->pid()));
  } else {
    std::printf("bench_node: %u hardware threads; node %s:%u (given)\n",
                std::thread::hardware_concurrency(), host.c_str(), port);
  }
  std::fflush(stdout);
  bench::Stopwatch signing;
  const auto batch_envs = SignMany(events, "a", *key);
  const auto single_envs = SignMany(single_events, "b", *key);
  std::vector<std::string> bodies;
  std::vector<size_t> counts;
  for (uint64_t i = 0; i < events; i += batch) {
    std::string body = "{\"envelopes\":[";
    uint64_t end = std::min(events, i + batch);
    for (uint64_t j = i; j < end; ++j) {
      if (j > i) body += ',';
      body += batch_envs[j];
    }
    body += "]}";
    if (zstd) {  // compressed before the clock starts, like the signing
      std::string packed(ZSTD_compressBound(body.size()), '\0');
      size_t n = ZSTD_compress(packed.data(), packed.size(), body.data(),
                               body.size(), 1);
      if (ZSTD_isError(n)) Die("zstd compression failed");
      packed.resize(n);
      body = std::move(packed);
    }
    bodies.push_back(std::move(body));
    counts.push_back(end - i);
  }
  std::printf("signed %llu + %llu envelopes in %.1f s (not timed below)\n",
              static_cast<unsigned long long>(events),
              static_cast<unsigned long long>(single_events),
              signing.Seconds());

  const pid_t node_pid = node ? node->pid() : -1;
  // CPU of one verification (1 thread, per CPU-second: load-independent).
  const bench::Rates ceiling = Ed25519VerifyRates(2, 2.0);
  std::printf("%-58s %9.0f /s\n", "Ed25519 verify, 2 threads (ceiling)",
              ceiling.wall);
  std::fflush(stdout);
  const auto [verify_same_us, verify_distinct_us] = VerifyCpuSameAndDistinct();
  {
    const double same = verify_same_us, distinct = verify_distinct_us;
    std::printf(
        "    one verify's CPU: %.1f us over one signature (the ceiling's "
        "loop), %.1f us over 1024 distinct ones (%+.0f%%)\n",
        same, distinct, 100 * (distinct / same - 1));
    std::fflush(stdout);
  }

  // (a) batches over 2 keep-alive connections.
  std::atomic<uint64_t> retries_a{0};
  bench::Rates ceiling_a = ceiling;
  {
    std::atomic<size_t> next{0};
    Stages stages0, stages1;
    const Commits commits0 = ReadCommits(admin_client, &stages0);
    const NodeCpu cpu0 = ReadNodeCpu(node_pid);
    const MachineCpu machine0 = ReadMachineCpu();
    bench::Stopwatch w;
    std::vector<std::thread> pool;
    for (int t = 0; t < batch_clients; ++t) {
      pool.emplace_back([&] {
        LoadClient c(host, port, writer);
        for (size_t i; (i = next++) < bodies.size();) {
          PostEvents(c, bodies[i], counts[i], &retries_a, zstd);
        }
      });
    }
    for (auto& t : pool) t.join();
    const double wall = w.Seconds();
    const double rate = static_cast<double>(events) / wall;
    const double client_cpu = w.CpuSeconds();
    const MachineCpu machine1 = ReadMachineCpu();
    const NodeCpu cpu1 = ReadNodeCpu(node_pid);
    const Commits commits1 = ReadCommits(admin_client, &stages1);
    ceiling_a = Ed25519VerifyRates(2, 2.0);
    PrintPhase("(a) batch capture, " + std::to_string(batch) +
                   (zstd ? " zstd" : "") + "/request, " +
                   std::to_string(batch_clients) + " client threads",
               rate, 85, ceiling, ceiling_a, node_pid, cpu0, cpu1, events);
    PrintClientCpu(client_cpu, events);
    PrintCores(wall, machine0, machine1,
               cpu0.process < 0 ? -1 : cpu1.process - cpu0.process, client_cpu);
    PrintCommits(commits0, commits1, wall);
    PrintBatchBound(admin_client, verify_same_us, verify_distinct_us, commits0,
                    commits1);
    PrintStages(stages0, stages1, wall, -1);
    std::printf("    %llu requests answered 503 and were retried\n",
                static_cast<unsigned long long>(retries_a.load()));
    std::fflush(stdout);
  }

  // (b) many clients, one envelope per request.
  {
    std::atomic<uint64_t> next{0}, retries{0};
    std::mutex mu;
    std::vector<double> latencies;
    latencies.reserve(single_events);
    Stages stages0, stages1;
    const Commits commits0 = ReadCommits(admin_client, &stages0);
    const NodeCpu cpu0 = ReadNodeCpu(node_pid);
    const MachineCpu machine0 = ReadMachineCpu();
    bench::Stopwatch w;
    std::vector<std::thread> pool;
    if (client_threads == 0) {  // a blocking thread per client (before)
      for (int t = 0; t < clients; ++t) {
        pool.emplace_back([&] {
          LoadClient c(host, port, writer);
          std::vector<double> mine;
          for (uint64_t i; (i = next++) < single_events;) {
            const std::string body = "{\"envelopes\":[" + single_envs[i] + "]}";
            auto t0 = std::chrono::steady_clock::now();
            PostEvents(c, body, 1, &retries);
            mine.push_back(std::chrono::duration<double, std::milli>(
                               std::chrono::steady_clock::now() - t0)
                               .count());
          }
          std::lock_guard<std::mutex> lock(mu);
          latencies.insert(latencies.end(), mine.begin(), mine.end());
        });
      }
    } else {
      for (int t = 0; t < client_threads; ++t) {
        // The clients spread over the threads.
        const int mine_count =
            clients / client_threads + (t < clients % client_threads ? 1 : 0);
        if (mine_count == 0) continue;
        pool.emplace_back([&, mine_count] {
          std::vector<double> mine;
          RunEpollClients(host, port, writer, mine_count, single_envs, &next,
                          &retries, &mine);
          std::lock_guard<std::mutex> lock(mu);
          latencies.insert(latencies.end(), mine.begin(), mine.end());
        });
      }
    }
    for (auto& t : pool) t.join();
    const double wall = w.Seconds();
    const double rate = static_cast<double>(single_events) / wall;
    const double client_cpu = w.CpuSeconds();
    const MachineCpu machine1 = ReadMachineCpu();
    const NodeCpu cpu1 = ReadNodeCpu(node_pid);
    const Commits commits1 = ReadCommits(admin_client, &stages1);
    std::sort(latencies.begin(), latencies.end());
    auto pct = [&](double p) {
      if (latencies.empty()) return 0.0;
      size_t i =
          static_cast<size_t>(p * static_cast<double>(latencies.size() - 1));
      return latencies[i];
    };
    PrintPhase(
        "(b) " + std::to_string(clients) +
            " concurrent clients, 1 envelope/request" +
            (client_threads == 0
                 ? std::string(", a thread each")
                 : " on " + std::to_string(client_threads) + " epoll threads"),
        rate, 50, ceiling_a, Ed25519VerifyRates(2, 2.0), node_pid, cpu0, cpu1,
        single_events);
    PrintClientCpu(client_cpu, single_events);
    PrintCores(wall, machine0, machine1,
               cpu0.process < 0 ? -1 : cpu1.process - cpu0.process, client_cpu);
    PrintCommits(commits0, commits1, wall);
    double mean_latency = 0;
    for (double l : latencies) mean_latency += l;
    if (!latencies.empty())
      mean_latency /= static_cast<double>(latencies.size());
    PrintStages(stages0, stages1, wall, mean_latency);
    std::printf("    latency p50 %.2f ms, p99 %.2f ms; %llu retried 503s\n",
                pct(0.50), pct(0.99),
                static_cast<unsigned long long>(retries.load()));
  }

  if (node) {
    auto stopped = node->Stop(SIGTERM);
    if (!stopped.ok() || stopped->exit_code != 0) {
      Die("node did not stop cleanly: " +
          (stopped.ok() ? stopped->stderr_text : stopped.status().ToString()));
    }
  }
  return 0;
}
