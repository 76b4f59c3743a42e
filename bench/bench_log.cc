// bench_log: the issue-2 storage benchmarks, each figure given with its ratio
// to a ceiling measured in the same run, so that the figures still mean
// something on a loaded machine:
//
//   1. raw libsodium Ed25519 verifications/s on 1 and 2 threads (the ceiling
//      the issue asks for; verification is what durable, verified ingest
//      spends its CPU on);
//   2. the storage ceiling for appends: SHA-256 leaf hashing of the same entry
//      bytes plus one synced LevelDB WriteBatch of them per batch (only the E
//      keys: no tree, no indexes, no checkpoint);
//   3. appends of pre-verified events/s, --batch events per AppendEvents call
//      (default 10000; the node commits up to 20000), sync=true (goal >=
//      100k/s), with the writer thread's CPU time per event;
//   4. inclusion proofs/s in a log of --entries entries (default 10M; goal >=
//      50k/s).
//
// The append figure (3) also splits the process CPU per event by thread (the
// writer, the index helper threads AppendEvents starts, LevelDB's compaction
// thread), gives the LevelDB compaction traffic of the phase (MB flushed from
// memtables, MB compactions read and wrote, and their ratio: the write
// amplification), the CPU that the compactions the phase left pending take
// once the appends are over, then that of flushing the memtable's last appends
// and the compactions this sets off, and the process's memory. It ends with a
// sustained figure next to the burst one: events / (append time + the time
// until LevelDB's compaction thread is idle again with every append in a
// table), and the rate at which that single thread keeps up with the
// compaction work per event.
//
// --replay 1 measures only what a memtable costs at start-up: a child process
// appends until its write-ahead log is about one memtable (--write-buffer-mb),
// is killed with SIGKILL, and the reopen is timed.
//
// Usage: bench_log [--entries N] [--append-events N] [--batch N] [--proofs N]
// [--data DIR] [--block-cache-mb N] [--tree-cache-mb N] [--write-buffer-mb N]
// [--ceiling 0|1] [--unsynced 0|1] [--append-signed 0|1] [--replay 0|1]
// [--appenders N]
//   --appenders N: threads calling AppendEvents at once (default 2, as the
//   node's committer has 2 writer threads), each taking the next batch: the
//   log builds one batch while it writes the one before (the appending
//   threads are "writer (main)" and "udi-appender"; 1: one caller).
//   --write-buffer-mb: LogOptions::write_buffer_bytes of the append logs (0:
//   the LogOptions default). --ceiling 0 / --unsynced 0 skip the storage
//   ceiling / the sync=false append run. --append-signed 0: the appended
//   events carry placeholder signatures (quicker to prepare for long runs;
//   appends do not verify signatures, so they cost the same).
//   --data DIR keeps the large log in DIR and reuses it on the next run (it is
//   built once; 10M entries take several minutes). A dir of an older log
//   format there is first upgraded with MigrateDataDir. Without --data the log
//   goes to a temp dir that is removed.
#include <leveldb/write_batch.h>
#include <pthread.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "bench/bench_util.h"
#include "ledger/jcs.h"
#include "ledger/log.h"
#include "ledger/log/log_db.h"
#include "ledger/log/log_entry.h"
#include "ledger/log/log_impl.h"
#include "ledger/log/log_keys.h"
#include "ledger/log/log_testing.h"
#include "ledger/merkle.h"

namespace {

using ledger::logtesting::SyntheticEvent;
using ledger::logtesting::TestKey;

constexpr char kOrigin[] = "udi-ledger.example/bench";
constexpr size_t kFillBatch = 1000;
size_t g_batch = 10000;        // --batch: events per AppendEvents call
size_t g_block_cache_mb = 64;  // --block-cache-mb (LogOptions default: 64)
// --tree-cache-mb (0: the LogOptions default).
size_t g_tree_cache_mb = 0;
// --write-buffer-mb (0: the LogOptions default).
size_t g_write_buffer_mb = 0;
// --appenders: threads calling AppendEvents at once, each taking the next
// batch; the log builds one batch while it writes the one before. 2 by
// default: the node's committer calls AppendEvents from 2 writer threads.
size_t g_appenders = 2;

// The Ed25519 ceiling over a message the size of a canonical event.
bench::Rates Ed25519VerifyRate(int threads, double seconds) {
  return bench::Ed25519VerifyRate(
      *ledger::CanonicalizeJson(SyntheticEvent(12345, "ceiling")), threads,
      seconds);
}

// A prepared event the way the node makes it. With !verify (only used to fill
// the big proof log, whose content does not matter to proofs) the envelope
// carries a placeholder signature instead of a real one: signing 10M events
// would dominate the run. Such a log is a correct Merkle log but does not pass
// VerifyDataDir. Like the node's committer (api/committer.cc,
// PrepareSigned), it drops the parsed event once its canonical bytes, facts
// and leaf prefix exist: the log reads only those, and the node frees the
// parsed JSON on its verify threads, so the appends measured here get what the
// node's writer gets.
ledger::PreparedEvent Prepare(uint64_t n, const std::string& marker,
                              const ledger::SigningKey& key, bool verify) {
  auto event = SyntheticEvent(n, marker);
  ledger::PreparedEvent p;
  if (verify) {
    p = ledger::logtesting::SignAndPrepare(event, key);
  } else {
    auto canonical = ledger::CanonicalEventBytes(event);
    ledger::Envelope env{event, key.KeyId(), std::string(64, '\x5a')};
    auto facts = ledger::epcis::ValidateEvent(event);
    if (!canonical.ok() || !facts.ok()) std::abort();
    p.event_id = ledger::EventIdFromCanonical(*canonical);
    p.canonical_event = std::move(canonical).value();
    p.envelope = std::move(env);
    p.facts = std::move(facts).value();
    p.verified_with = key.verifier().ToText();
  }
  p.envelope.event = nullptr;
  ledger::PrecomputeLeafPrefix(&p);  // after the change, as the node does
  return p;
}

// Prepares events [first, first + count) on 2 threads.
std::vector<ledger::PreparedEvent> PrepareMany(uint64_t first, uint64_t count,
                                               const std::string& marker,
                                               const ledger::SigningKey& key,
                                               bool verify) {
  std::vector<ledger::PreparedEvent> out(count);
  std::vector<std::thread> pool;
  for (int t = 0; t < 2; ++t) {
    pool.emplace_back([&, t] {
      for (uint64_t i = t; i < count; i += 2)
        out[i] = Prepare(first + i, marker, key, verify);
    });
  }
  for (auto& t : pool) t.join();
  return out;
}

std::unique_ptr<ledger::Log> OpenLog(const std::string& dir,
                                     const ledger::SigningKey& acme,
                                     bool sync = true) {
  ledger::LogOptions o;
  o.sync = sync;
  o.block_cache_bytes = g_block_cache_mb << 20;
  if (g_tree_cache_mb > 0) o.tree_cache_bytes = g_tree_cache_mb << 20;
  if (g_write_buffer_mb > 0) o.write_buffer_bytes = g_write_buffer_mb << 20;
  o.data_dir = dir;
  o.origin = kOrigin;
  o.key = TestKey(kOrigin, 1);
  auto log = bench::OpenMigrating(o);
  if (!log.ok()) {
    std::fprintf(stderr, "bench_log: %s\n", log.status().ToString().c_str());
    std::exit(1);
  }
  if (!(*log)->LookupSigner(acme.KeyId())) {
    if (!(*log)
             ->AppendParticipant(ledger::logtesting::MakeParticipant(acme), 0)
             .ok()) {
      std::exit(1);
    }
  }
  return std::move(log).value();
}

void AppendOrDie(ledger::Log* log, std::vector<ledger::PreparedEvent> batch) {
  auto out = log->AppendEvents(std::move(batch), 1795680000000);
  if (!out.ok()) {
    std::fprintf(stderr, "bench_log: %s\n", out.status().ToString().c_str());
    std::exit(1);
  }
  for (const auto& o : *out) {
    if (o.status != ledger::AppendStatus::kAccepted) std::abort();
  }
}

// The storage ceiling: the entry bytes `prepared` turn into, leaf-hashed and
// written as E keys in synced batches of g_batch to a fresh LevelDB with the
// log's options.
bench::Rates StorageCeiling(
    const std::vector<ledger::PreparedEvent>& prepared) {
  std::vector<std::string> entries;
  entries.reserve(prepared.size());
  const std::string at = ledger::logentry::FormatReceivedAt(1795680000000);
  ledger::Hash prev{};
  for (uint64_t i = 0; i < prepared.size(); ++i) {
    entries.push_back(ledger::logentry::EventEntryBytes(
        i, prev, at, prepared[i].envelope, prepared[i].canonical_event));
  }
  const std::string dir = ledger::logtesting::MakeTempDir("bench-ceiling");
  bench::Rates rate;
  {
    auto db = ledger::logdb::Open(dir, /*create=*/true, g_block_cache_mb << 20,
                                  g_write_buffer_mb > 0
                                      ? g_write_buffer_mb << 20
                                      : ledger::kDefaultLogWriteBufferBytes);
    if (!db.ok()) std::abort();
    uint8_t sink = 0;
    rate = bench::Measure(entries.size(), [&] {
      for (uint64_t i = 0; i < entries.size(); i += g_batch) {
        leveldb::WriteBatch batch;
        const uint64_t end = std::min<uint64_t>(entries.size(), i + g_batch);
        for (uint64_t k = i; k < end; ++k) {
          sink ^= ledger::merkle::LeafHash(entries[k])[0];
          batch.Put(ledger::logkeys::EntryKey(k), entries[k]);
        }
        leveldb::WriteOptions w;
        w.sync = true;
        if (!(*db)->db->Write(w, &batch).ok()) std::abort();
      }
    });
    if (sink == 0xff) std::printf(" ");  // keeps the hashing
  }
  std::filesystem::remove_all(dir);
  return rate;
}

// A field of /proc/self/status in MiB ("VmRSS", "VmHWM"); 0 if absent.
double ProcStatusMb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::strtod(line.c_str() + field.size() + 1, nullptr) / 1024.0;
    }
  }
  return 0;
}

// Where the process CPU of an append phase went, per event (us), from thread
// CPU snapshots taken before and after it: the main thread (the writer),
// named threads of ours ("udi-..."), the remaining live thread (LevelDB's
// compaction thread, unnamed) and the threads that exited during the phase
// (AppendEvents' index helpers, one per batch). The appender threads are
// known by id: LevelDB's thread takes the name of the thread that started it,
// which may be one of them.
std::mutex g_appender_tids_mu;
std::set<int> g_appender_tids;  // the live --appenders threads (gettid)
std::map<std::string, double> CpuByRole(
    const std::map<int, bench::ThreadCpu>& before,
    const std::map<int, bench::ThreadCpu>& after, double process_seconds) {
  std::map<std::string, double> by_role;
  double live = 0;
  for (const auto& [tid, t] : after) {
    auto b = before.find(tid);
    const double d = t.seconds - (b == before.end() ? 0 : b->second.seconds);
    live += d;
    bool appender = false;
    {
      std::lock_guard lock(g_appender_tids_mu);
      appender = g_appender_tids.count(tid) > 0;
    }
    const std::string role =
        t.main     ? "writer (main)"
        : appender ? "udi-appender"
        : t.name.rfind("udi-", 0) == 0 && t.name != "udi-appender"
            ? t.name
            : "leveldb compaction";
    by_role[role] += d;
  }
  by_role["exited threads (index helpers)"] += process_seconds - live;
  return by_role;
}

void PrintThreadCpu(const std::map<int, bench::ThreadCpu>& before,
                    const std::map<int, bench::ThreadCpu>& after,
                    double process_seconds, uint64_t events) {
  std::printf("  process CPU by thread, us/event:");
  for (const auto& [role, seconds] :
       CpuByRole(before, after, process_seconds)) {
    std::printf(" %s %.2f |", role.c_str(), seconds * 1e6 / events);
  }
  std::printf(" total %.2f\n", process_seconds * 1e6 / events);
}

// Waits until LevelDB's compaction thread stops using CPU (the process used
// less than 5 ms of CPU in 0.5 s; at most 300 s) and returns the seconds until
// the last 0.1 s in which it still did.
double WaitForIdle(const bench::Stopwatch& phase) {
  bench::Stopwatch w;
  double busy_until = 0;
  std::deque<double> cpu{phase.CpuSeconds()};  // one sample per 0.1 s
  while (w.Seconds() < 300) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cpu.push_back(phase.CpuSeconds());
    if (cpu.back() - cpu[cpu.size() - 2] >= 0.001) busy_until = w.Seconds();
    if (cpu.size() > 5) {
      cpu.pop_front();
      if (cpu.back() - cpu.front() < 0.005) break;
    }
  }
  return busy_until;
}

// Compactions between two "leveldb.stats" texts of a log that was empty at
// the first: MB of tables written (memtable flushes and compactions) and read
// (compactions), and their write amplification: table MB written per MB of
// tables stored at the second text.
void PrintCompactions(const std::string& before, const std::string& after) {
  const auto b = bench::ParseLevelDbStats(before);
  const auto a = bench::ParseLevelDbStats(after);
  double read = 0, written = 0, seconds = 0, stored = 0;
  std::string levels;
  for (const auto& [level, l] : a) {
    const auto it = b.find(level);
    const bench::LevelDbLevel z =
        it == b.end() ? bench::LevelDbLevel{} : it->second;
    read += l.read_mb - z.read_mb;
    written += l.write_mb - z.write_mb;
    seconds += l.seconds - z.seconds;
    stored += l.size_mb;
    levels += " L" + std::to_string(level) + " " + std::to_string(l.files) +
              "/" + std::to_string(static_cast<long>(l.size_mb));
  }
  std::printf(
      "  leveldb tables: %.0f MB written, %.0f MB read (%.0f s of "
      "compaction), %.0f MB stored: write amplification %.2fx; files/MB:%s\n",
      written, read, seconds, stored, stored > 0 ? written / stored : 0.0,
      levels.c_str());
}

// Where AppendEvents' wall time went (LogImpl's kAppendTimesProperty), per
// event (us), and how often LevelDB made a write wait (its info log in `dir`:
// for the previous memtable's flush, or at 12 level-0 files; the 1 ms pauses
// at 8 level-0 files are not logged, they are in "write" minus "write_cpu").
void PrintAppendTimes(const ledger::Log& log, const std::string& dir,
                      uint64_t events, double wall_seconds) {
  const auto text = log.StorageProperty(ledger::logimpl::kAppendTimesProperty);
  if (!text) return;
  std::printf("  AppendEvents wall time, us/event (wall %.2f):",
              wall_seconds * 1e6 / events);
  std::istringstream in(*text);
  std::string pair;
  while (in >> pair) {
    const size_t eq = pair.find('=');
    const std::string name = pair.substr(0, eq);
    const double v = std::strtod(pair.c_str() + eq + 1, nullptr);
    if (name == "calls") continue;
    std::printf(" %s %.2f", name.c_str(), v * 1e6 / events);
  }
  std::ifstream info(dir + "/LOG");
  std::string line;
  int memtable_waits = 0, level0_stops = 0;
  while (std::getline(info, line)) {
    if (line.find("Current memtable full; waiting") != std::string::npos) {
      ++memtable_waits;
    }
    if (line.find("Too many L0 files; waiting") != std::string::npos) {
      ++level0_stops;
    }
  }
  std::printf("; leveldb waits: %d for a memtable flush, %d at 12 L0 files\n",
              memtable_waits, level0_stops);
}

// Appends `prepared` in batches of g_batch to a fresh log; also reports the
// writer thread's CPU time per event, where the process CPU went, the LevelDB
// compactions and the memory.
bench::Rates AppendRate(std::vector<ledger::PreparedEvent> prepared,
                        const ledger::SigningKey& acme, bool sync,
                        double* writer_us_per_event, bool details) {
  const uint64_t events = prepared.size();
  const std::string dir = ledger::logtesting::MakeTempDir("bench-append");
  bench::Rates rate;
  {
    auto log = OpenLog(dir, acme, sync);
    // LevelDB starts its one compaction thread (per process) at the first
    // table write, named like the thread that makes it: made here by this
    // thread (a one-entry table), not by the log's write thread or an
    // appender during the phase, so that CpuByRole tells them apart.
    if (!log->FlushStorage().ok()) std::abort();
    // The batches are made before the clock starts, as a caller has them
    // ready when it calls AppendEvents.
    std::vector<std::vector<ledger::PreparedEvent>> batches;
    for (uint64_t i = 0; i < events; i += g_batch) {
      const uint64_t end = std::min<uint64_t>(events, i + g_batch);
      batches.emplace_back(std::make_move_iterator(prepared.begin() + i),
                           std::make_move_iterator(prepared.begin() + end));
    }
    const std::string stats0 = *log->StorageProperty("leveldb.stats");
    const auto threads0 = bench::ThreadCpuTimes();
    const double cpu0 = bench::ThreadCpuSeconds();
    bench::Stopwatch phase;
    // With --appenders N, this thread and N - 1 "udi-appender" threads take
    // the batches in turn; the others stay alive until their CPU is read.
    std::atomic<size_t> next{0};
    auto append_all = [&] {
      for (size_t i; (i = next.fetch_add(1)) < batches.size();) {
        AppendOrDie(log.get(), std::move(batches[i]));
      }
    };
    std::mutex done_mu;
    std::condition_variable done_cv;
    size_t finished = 0;
    bool counted = false;
    std::vector<std::thread> appenders;
    rate = bench::Measure(events, [&] {
      for (size_t a = 1; a < g_appenders; ++a) {
        appenders.emplace_back([&] {
          pthread_setname_np(pthread_self(), "udi-appender");
          {
            std::lock_guard lock(g_appender_tids_mu);
            g_appender_tids.insert(static_cast<int>(gettid()));
          }
          append_all();
          std::unique_lock lock(done_mu);
          ++finished;
          done_cv.notify_all();
          done_cv.wait(lock, [&] { return counted; });
        });
      }
      append_all();
      std::unique_lock lock(done_mu);
      done_cv.wait(lock, [&] { return finished == appenders.size(); });
    });
    const auto threads1 = bench::ThreadCpuTimes();
    {
      std::lock_guard lock(done_mu);
      counted = true;
      done_cv.notify_all();
    }
    for (auto& t : appenders) t.join();
    // (their ids stay in g_appender_tids: CpuByRole is called again below
    // with the same snapshots)
    *writer_us_per_event = (bench::ThreadCpuSeconds() - cpu0) * 1e6 / events;
    {
      // The writer's work: the calling threads' and the log's write thread's
      // (it makes every leveldb::DB::Write of AppendEvents).
      const auto roles = CpuByRole(threads0, threads1, phase.CpuSeconds());
      for (const char* role : {"udi-appender", "udi-logwrite"}) {
        auto it = roles.find(role);
        *writer_us_per_event +=
            it == roles.end() ? 0 : it->second * 1e6 / events;
      }
    }
    if (details) {
      const double rate_seconds = events / rate.wall;
      const double append_cpu = phase.CpuSeconds();
      PrintThreadCpu(threads0, threads1, append_cpu, events);
      PrintAppendTimes(*log, dir, events, events / rate.wall);
      const double compaction_during =
          CpuByRole(threads0, threads1, append_cpu)["leveldb compaction"] *
          1e6 / events;
      PrintCompactions(stats0, *log->StorageProperty("leveldb.stats"));
      // The compactions the appends left pending, as a sustained stream of
      // appends would pay for them.
      const double process_at_end = phase.CpuSeconds();
      const double pending_seconds = WaitForIdle(phase);
      std::printf(
          "  + pending compactions after the appends: %.2f us/event of CPU "
          "(%.1f s); process total with them %.2f us/event\n",
          (phase.CpuSeconds() - process_at_end) * 1e6 / events, pending_seconds,
          phase.CpuSeconds() * 1e6 / events);
      PrintCompactions(stats0, *log->StorageProperty("leveldb.stats"));
      // The appends still in the memtable (up to a whole one: with a larger
      // memtable, more of them) have not been written to a table yet; a
      // growing log pays for that flush and what it sets off too, so they are
      // counted before the sustained figures.
      const double process_before_flush = phase.CpuSeconds();
      bench::Stopwatch flush;
      if (!log->FlushStorage().ok()) std::abort();
      const double flush_seconds = flush.Seconds() + WaitForIdle(phase);
      const double total_us = phase.CpuSeconds() * 1e6 / events;
      std::printf(
          "  + flushing the last memtable and its compactions: %.2f us/event "
          "of CPU (%.1f s); process total with them %.2f us/event\n",
          (phase.CpuSeconds() - process_before_flush) * 1e6 / events,
          flush_seconds, total_us);
      PrintCompactions(stats0, *log->StorageProperty("leveldb.stats"));
      // Sustained: LevelDB compacts on one thread, so a steady stream of
      // appends cannot go faster than that thread gets through the
      // compactions it causes; and the appends plus the time until all their
      // table work is done give the wall rate of a log that grows this much.
      // Both fall as the log grows (more levels to merge through).
      // After the appends, only LevelDB's thread works.
      const double compaction_us =
          (phase.CpuSeconds() - append_cpu) * 1e6 / events + compaction_during;
      std::printf(
          "  sustained (appends, then until every table write they caused is "
          "done): %.0f events/s wall (%.1f + %.1f s); LevelDB compaction "
          "thread %.2f us/event in all: it keeps up with at most %.0f "
          "events/s; process %.2f us/event\n",
          events / (rate_seconds + pending_seconds + flush_seconds),
          rate_seconds, pending_seconds + flush_seconds, compaction_us,
          1e6 / compaction_us, total_us);
      std::printf(
          "  memory: leveldb %.0f MiB (approximate-memory-usage); process RSS "
          "%.0f MiB, peak %.0f MiB (prepared events included)\n",
          std::strtod(
              log->StorageProperty("leveldb.approximate-memory-usage")->c_str(),
              nullptr) /
              1048576.0,
          ProcStatusMb("VmRSS"), ProcStatusMb("VmHWM"));
    }
  }
  std::filesystem::remove_all(dir);
  return rate;
}

// Fills `log` up to `entries` entries: two threads sign batches while this
// thread appends.
void Fill(ledger::Log* log, uint64_t entries, const ledger::SigningKey& acme) {
  if (log->Size() >= entries) return;
  const uint64_t first =
      log->Size() - 1;  // events already there (entry 0 is the participant)
  const uint64_t todo = entries - log->Size();
  std::mutex mu;  // protects queue and next
  std::condition_variable changed;
  std::deque<std::vector<ledger::PreparedEvent>> queue;
  uint64_t next = 0;
  std::vector<std::thread> producers;
  for (int t = 0; t < 2; ++t) {
    producers.emplace_back([&] {
      for (;;) {
        uint64_t start;
        {
          std::unique_lock lock(mu);
          changed.wait(lock, [&] { return queue.size() < 8; });
          if (next >= todo) return;
          start = next;
          next += kFillBatch;
        }
        std::vector<ledger::PreparedEvent> batch;
        for (uint64_t i = start; i < std::min(todo, start + kFillBatch); ++i) {
          batch.push_back(Prepare(first + i, "fill", acme, /*verify=*/false));
        }
        std::lock_guard lock(mu);
        queue.push_back(std::move(batch));
        changed.notify_all();
      }
    });
  }
  bench::Stopwatch w;
  for (uint64_t done = 0; done < todo;) {
    std::vector<ledger::PreparedEvent> batch;
    {
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return !queue.empty(); });
      batch = std::move(queue.front());
      queue.pop_front();
      changed.notify_all();
    }
    done += batch.size();
    AppendOrDie(log, std::move(batch));
    if (done % 1000000 < kFillBatch) {
      std::printf("  filled %llu / %llu entries (%.0f s)\n",
                  static_cast<unsigned long long>(log->Size()),
                  static_cast<unsigned long long>(entries), w.Seconds());
      std::fflush(stdout);
    }
  }
  for (auto& t : producers) t.join();
}

bench::Rates ProofRate(const ledger::Log& log, uint64_t proofs, int threads) {
  const uint64_t size = log.Size();
  return bench::Measure(proofs, [&] {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        std::mt19937_64 rng(t + 1);
        for (uint64_t i = t; i < proofs; i += threads) {
          auto proof = log.InclusionProof(rng() % size, size);
          if (!proof.ok()) std::abort();
        }
      });
    }
    for (auto& t : pool) t.join();
  });
}

// Checks a sample of proofs against the signed checkpoint, so the figure is for
// correct proofs.
void CheckProofs(const ledger::Log& log) {
  const ledger::Checkpoint cp = log.LatestCheckpoint();
  std::mt19937_64 rng(99);
  for (int i = 0; i < 200; ++i) {
    const uint64_t index = rng() % cp.size;
    auto entry = log.ReadEntry(index);
    auto proof = log.InclusionProof(index, cp.size);
    if (!entry.ok() || !proof.ok() ||
        !ledger::merkle::VerifyInclusion(index, cp.size,
                                         ledger::merkle::LeafHash(entry->bytes),
                                         *proof, cp.root)
             .ok()) {
      std::fprintf(stderr, "bench_log: proof of %llu does not verify\n",
                   static_cast<unsigned long long>(index));
      std::exit(1);
    }
  }
}

// The newest write-ahead log file of LevelDB dir `dir`: {number, bytes}.
std::pair<uint64_t, uint64_t> NewestWal(const std::string& dir) {
  std::pair<uint64_t, uint64_t> newest{0, 0};
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    const std::string name = f.path().filename().string();
    if (name.size() < 5 || name.substr(name.size() - 4) != ".log") continue;
    const uint64_t number = std::strtoull(name.c_str(), nullptr, 10);
    if (number >= newest.first) newest = {number, f.file_size()};
  }
  return newest;
}

// The cost of a larger memtable at start-up: a child process appends (batches
// of g_batch, unsynced events prepared as it goes) until its memtable is as
// full as the first one was when LevelDB switched to a new one, minus one
// batch, and is killed (SIGKILL, as kill -9); this process then times the
// reopen, which replays that write-ahead log into a memtable and writes it to
// a level-0 table.
void ReplayAfterKill(const ledger::SigningKey& acme) {
  const std::string dir = ledger::logtesting::MakeTempDir("bench-replay");
  std::fflush(stdout);
  const pid_t child = fork();
  if (child < 0) std::abort();
  if (child == 0) {
    auto log = OpenLog(dir, acme, /*sync=*/true);
    uint64_t full = 0, grown = 0, n = 0;
    for (auto wal = NewestWal(dir);;) {
      AppendOrDie(log.get(), PrepareMany(n, g_batch, "replay", acme, false));
      n += g_batch;
      const auto now = NewestWal(dir);
      if (now.first != wal.first) {
        full = wal.second;  // the log LevelDB just switched from
      } else {
        grown = std::max(grown, now.second - wal.second);
      }
      wal = now;
      if (full > 0 && wal.second + grown >= full) {
        std::printf(
            "replay: killing the appender (kill -9) after %llu events, with "
            "%.0f MiB of write-ahead log (a full one was %.0f MiB)\n",
            static_cast<unsigned long long>(n), wal.second / 1048576.0,
            full / 1048576.0);
        std::fflush(stdout);
        raise(SIGKILL);
      }
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) std::abort();
  const double rss0 = ProcStatusMb("VmRSS");
  bench::Stopwatch open;
  {
    auto log = OpenLog(dir, acme, /*sync=*/true);
    std::printf(
        "replay: reopened in %.2f s (%.2f s of CPU) with %llu entries; RSS "
        "%.0f -> %.0f MiB (peak %.0f MiB); leveldb now %s level-0 tables\n",
        open.Seconds(), open.CpuSeconds(),
        static_cast<unsigned long long>(log->Size()), rss0,
        ProcStatusMb("VmRSS"), ProcStatusMb("VmHWM"),
        log->StorageProperty("leveldb.num-files-at-level0")->c_str());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--help") {
      std::printf(
          "Usage: bench_log [--entries N] [--append-events N] [--batch N] "
          "[--proofs N] [--data DIR] [--block-cache-mb N] [--tree-cache-mb "
          "N] [--write-buffer-mb N] [--ceiling 0|1] [--unsynced 0|1] "
          "[--append-signed 0|1] [--replay 0|1] [--appenders N]\n");
      return 0;
    }
  }
  if (sodium_init() < 0) return 1;
  if (bench::FlagU64(argc, argv, "--replay", 0) != 0) {
    g_batch =
        std::max<uint64_t>(1, bench::FlagU64(argc, argv, "--batch", 10000));
    g_write_buffer_mb = bench::FlagU64(argc, argv, "--write-buffer-mb", 0);
    ReplayAfterKill(TestKey("acme", 2));
    return 0;
  }
  const uint64_t entries =
      std::max<uint64_t>(2, bench::FlagU64(argc, argv, "--entries", 10000000));
  const uint64_t append_events =
      bench::FlagU64(argc, argv, "--append-events", 200000);
  const uint64_t proofs = bench::FlagU64(argc, argv, "--proofs", 200000);
  g_batch = std::max<uint64_t>(1, bench::FlagU64(argc, argv, "--batch", 10000));
  std::string data = bench::FlagString(argc, argv, "--data", "");
  g_block_cache_mb = bench::FlagU64(argc, argv, "--block-cache-mb", 64);
  g_tree_cache_mb = bench::FlagU64(argc, argv, "--tree-cache-mb", 0);
  g_write_buffer_mb = bench::FlagU64(argc, argv, "--write-buffer-mb", 0);
  g_appenders =
      std::max<uint64_t>(1, bench::FlagU64(argc, argv, "--appenders", 2));
  const bool ceiling = bench::FlagU64(argc, argv, "--ceiling", 1) != 0;
  const bool unsynced = bench::FlagU64(argc, argv, "--unsynced", 1) != 0;
  const bool signed_appends =
      bench::FlagU64(argc, argv, "--append-signed", 1) != 0;
  const bool temp = data.empty();
  if (temp) data = ledger::logtesting::MakeTempDir("bench-proofs");
  const ledger::SigningKey acme = TestKey("acme", 2);

  std::printf("bench_log: %u hardware threads\n",
              std::thread::hardware_concurrency());
  const bench::Rates v1 = Ed25519VerifyRate(1, 2.0);
  const bench::Rates v2 = Ed25519VerifyRate(2, 2.0);
  std::printf(
      "figures: per second of wall time and per CPU-second of the process; "
      "ratios are to\n"
      "the 2-thread Ed25519 verify ceiling\n");
  bench::Report("Ed25519 verify, 1 thread", v1, v2);
  bench::Report("Ed25519 verify, 2 threads (ceiling)", v2, v2);

  double writer_us = 0;
  if (append_events > 0) {
    auto prepared =
        PrepareMany(0, append_events, "append", acme, signed_appends);
    bench::Rates storage;
    if (ceiling) {
      storage = StorageCeiling(prepared);
      bench::Report("storage ceiling: SHA-256 leaf + synced LevelDB write",
                    storage, v2);
    }
    std::vector<ledger::PreparedEvent> copy;
    if (unsynced) copy = prepared;
    const std::string label =
        "append pre-verified events, batches of " + std::to_string(g_batch) +
        ", sync" +
        (g_appenders > 1 ? ", " + std::to_string(g_appenders) + " appenders"
                         : "");
    const bench::Rates appends = AppendRate(std::move(prepared), acme,
                                            /*sync=*/true, &writer_us, true);
    bench::Report(label.c_str(), appends, v2);
    if (ceiling) {
      std::printf("  = %.2fx (wall) | %.2fx (CPU) of the storage ceiling\n",
                  appends.wall / storage.wall, appends.cpu / storage.cpu);
    }
    std::printf(
        "  writer thread CPU: %.1f us/event (%.0f events/s of one core); "
        "process CPU (writer, its index thread, LevelDB compaction): %.1f "
        "us/event\n",
        writer_us, 1e6 / writer_us, 1e6 / appends.cpu);
    if (unsynced) {
      const bench::Rates unsynced_rate =
          AppendRate(std::move(copy), acme, /*sync=*/false, &writer_us, false);
      bench::Report("  same, sync=false (the fsync share)", unsynced_rate, v2);
      std::printf("  writer thread CPU: %.1f us/event\n", writer_us);
    }
  }

  {
    // Setup, not measured: the big log is filled without fsync.
    bench::Stopwatch open;
    auto log = OpenLog(data, acme, /*sync=*/false);
    std::printf("log opened in %.1f s (%llu entries)\n", open.Seconds(),
                static_cast<unsigned long long>(log->Size()));
    // The tree cache and the event-id filter load in the background after
    // the open; proofs are measured with them loaded.
    if (auto* impl = dynamic_cast<ledger::logimpl::LogImpl*>(log.get())) {
      const bool loaded = impl->WaitForTreeCache();
      std::printf(
          "  tree cache %s, event-id filter built, %.1f s after the "
          "open began\n",
          loaded ? "loaded" : "NOT loaded", open.Seconds());
    }
    bench::Stopwatch fill;
    Fill(log.get(), entries, acme);
    std::printf(
        "log of %llu entries ready in %.0f s (%s; placeholder signatures)\n",
        static_cast<unsigned long long>(log->Size()), fill.Seconds(),
        data.c_str());
    CheckProofs(*log);
    if (proofs > 0) {
      bench::Report("inclusion proofs, 1 thread", ProofRate(*log, proofs, 1),
                    v2);
      bench::Report("inclusion proofs, 2 threads", ProofRate(*log, proofs, 2),
                    v2);
    }
  }
  if (temp) std::filesystem::remove_all(data);
  return 0;
}
