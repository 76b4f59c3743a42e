// A tiny timing helper shared by the benchmarks (bench/). Benchmarks are
// programs, not tests: they print figures and are not registered with ctest.
#ifndef UDI_BENCH_BENCH_UTIL_H_
#define UDI_BENCH_BENCH_UTIL_H_

#include <dirent.h>
#include <sodium.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ledger/log.h"

namespace bench {

class Stopwatch {
 public:
  Stopwatch()
      : start_(std::chrono::steady_clock::now()),
        cpu_start_(ProcessCpuSeconds()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start_)
        .count();
  }
  // CPU time of the whole process (all threads, LevelDB's background thread
  // included) since construction: on a loaded machine, ops per CPU-second is
  // the figure that still means something.
  double CpuSeconds() const { return ProcessCpuSeconds() - cpu_start_; }

 private:
  static double ProcessCpuSeconds() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) +
           static_cast<double>(ts.tv_nsec) * 1e-9;
  }
  std::chrono::steady_clock::time_point start_;
  double cpu_start_;
};

// CPU time of the calling thread.
inline double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) +
         static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Rates {
  double wall = 0;  // operations per second of elapsed time
  double cpu = 0;   // operations per CPU-second of the process
};

// Rates of `f()`, which performs `ops` operations.
template <typename F>
Rates Measure(uint64_t ops, F&& f) {
  Stopwatch w;
  f();
  return {static_cast<double>(ops) / w.Seconds(),
          static_cast<double>(ops) / w.CpuSeconds()};
}

// The ceiling every throughput figure is compared with: raw libsodium Ed25519
// verifications of `message` per second on `threads` threads, each verifying
// for about `seconds`. Measured in the same run as the figure it divides.
inline Rates Ed25519VerifyRate(const std::string& message, int threads,
                               double seconds) {
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_keypair(pk, sk);
  crypto_sign_detached(sig, nullptr, msg, message.size(), sk);
  std::atomic<uint64_t> total{0};
  std::atomic<bool> bad{false};
  Stopwatch w;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      uint64_t n = 0;
      while (w.Seconds() < seconds) {
        for (int i = 0; i < 64; ++i, ++n) {
          if (crypto_sign_verify_detached(sig, msg, message.size(), pk) != 0)
            bad = true;
        }
      }
      total += n;
    });
  }
  for (auto& t : pool) t.join();
  if (bad) std::abort();
  return {static_cast<double>(total) / w.Seconds(),
          static_cast<double>(total) / w.CpuSeconds()};
}

// Prints one figure and its ratio to the ceiling (wall to wall, CPU to CPU).
inline void Report(const char* what, Rates r, Rates ceiling) {
  std::printf("%-50s %9.0f /s %5.2fx | %9.0f /CPU-s %5.2fx\n", what, r.wall,
              r.wall / ceiling.wall, r.cpu, r.cpu / ceiling.cpu);
  std::fflush(stdout);
}

// Value of "--name N" in argv, or `fallback`.
inline uint64_t FlagU64(int argc, char** argv, const char* name,
                        uint64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0)
      return std::strtoull(argv[i + 1], nullptr, 10);
  }
  return fallback;
}
inline std::string FlagString(int argc, char** argv, const char* name,
                              std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return fallback;
}

// Log::Open of `options`; a kept data dir of an older log format is first
// upgraded in place with ledger::MigrateDataDir (printing how long it took),
// so that data sets built by an older build can still be measured.
inline ledger::Result<std::unique_ptr<ledger::Log>> OpenMigrating(
    const ledger::LogOptions& options) {
  auto log = ledger::Log::Open(options);
  if (log.ok() ||
      log.status().message().find("ledgerctl migrate") == std::string::npos) {
    return log;
  }
  std::printf("migrating %s to the current log format (MigrateDataDir): %s\n",
              options.data_dir.c_str(), log.status().message().c_str());
  std::fflush(stdout);
  Stopwatch w;
  ledger::Status m = ledger::MigrateDataDir(options.data_dir);
  if (!m.ok()) return m;
  std::printf("  migrated in %.0f s\n", w.Seconds());
  return ledger::Log::Open(options);
}

// CPU time of every live thread of this process (Linux: /proc/self/task), by
// thread id, with the thread's name (comm; the main thread's is the program's)
// and whether it is the main thread. Threads that have exited are not listed:
// their CPU is what a phase's process CPU has beyond the live threads'.
struct ThreadCpu {
  std::string name;
  bool main = false;
  double seconds = 0;
};
inline std::map<int, ThreadCpu> ThreadCpuTimes() {
  std::map<int, ThreadCpu> out;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return out;
  while (dirent* e = readdir(dir)) {
    const int tid = std::atoi(e->d_name);
    if (tid <= 0) continue;
    // The kernel's per-thread CPU clock of `tid` (same thread group only).
    const clockid_t clock =
        static_cast<clockid_t>((~static_cast<unsigned>(tid) << 3) | 6);
    timespec ts;
    if (clock_gettime(clock, &ts) != 0) continue;  // exited meanwhile
    ThreadCpu t;
    t.seconds =
        static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    t.main = tid == getpid();
    std::ifstream comm("/proc/self/task/" + std::to_string(tid) + "/comm");
    std::getline(comm, t.name);
    out[tid] = std::move(t);
  }
  closedir(dir);
  return out;
}

// CPU seconds (user + system) in a /proc .../stat file (a process's or one
// thread's; 10 ms ticks); -1 when unknown.
inline double StatCpuSeconds(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return -1;
  char buf[1024];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // Fields after the ")" that ends the command name: state is field 3, utime
  // and stime are fields 14 and 15.
  const char* p = std::strrchr(buf, ')');
  if (!p) return -1;
  unsigned long long utime = 0, stime = 0;
  if (std::sscanf(p + 2,
                  "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                  &utime, &stime) != 2)
    return -1;
  return static_cast<double>(utime + stime) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CPU seconds the process `pid` has used so far; -1 when unknown (pid <= 0:
// a process this bench did not start).
inline double ProcessCpuSeconds(pid_t pid) {
  if (pid <= 0) return -1;
  return StatCpuSeconds("/proc/" + std::to_string(pid) + "/stat");
}

// CPU time of every live thread of another process (/proc/PID/task, 10 ms
// ticks), by thread id, with its name (comm) and whether it is the main
// thread. Threads that exit meanwhile are left out.
inline std::map<int, ThreadCpu> TaskCpuTimes(pid_t pid) {
  std::map<int, ThreadCpu> out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    const int tid = std::atoi(e->d_name);
    if (tid <= 0) continue;
    const std::string task = dir + "/" + e->d_name;
    ThreadCpu t;
    t.seconds = StatCpuSeconds(task + "/stat");
    std::ifstream comm(task + "/comm");
    std::getline(comm, t.name);
    if (t.seconds < 0 || t.name.empty()) continue;  // exited meanwhile
    t.main = tid == pid;
    out[tid] = std::move(t);
  }
  closedir(d);
  return out;
}

// One level's row of LevelDB's "leveldb.stats" property: the compactions INTO
// that level since the DB was opened (level 0: memtable flushes).
struct LevelDbLevel {
  int files = 0;
  double size_mb = 0, seconds = 0, read_mb = 0, write_mb = 0;
};
// The rows of a "leveldb.stats" text by level (levels without any are absent).
inline std::map<int, LevelDbLevel> ParseLevelDbStats(const std::string& text) {
  std::map<int, LevelDbLevel> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    int level;
    LevelDbLevel l;
    if (std::sscanf(line.c_str(), "%d %d %lf %lf %lf %lf", &level, &l.files,
                    &l.size_mb, &l.seconds, &l.read_mb, &l.write_mb) == 6) {
      out[level] = l;
    }
  }
  return out;
}

// An ObjectEvent like the ones scanners send (bench_node, bench_ingest);
// `serial` and `run` make it unique.
inline nlohmann::json MakeScanEvent(uint64_t serial, const char* run) {
  return {{"type", "ObjectEvent"},
          {"eventTime", "2026-11-26T10:00:00.000Z"},
          {"eventTimeZoneOffset", "+00:00"},
          {"action", "OBSERVE"},
          {"epcList",
           {"urn:epc:id:sgtin:0614141.107346." + std::string(run) +
            std::to_string(serial)}},
          {"bizStep", "shipping"},
          {"disposition", "in_transit"},
          {"readPoint", {{"id", "urn:epc:id:sgln:0614141.07346.1234"}}}};
}

}  // namespace bench

#endif  // UDI_BENCH_BENCH_UTIL_H_
