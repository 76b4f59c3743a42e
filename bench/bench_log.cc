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
// Usage: bench_log [--entries N] [--append-events N] [--batch N] [--proofs N]
// [--data DIR] [--block-cache-mb N] [--tree-cache-mb N]
//   --data DIR keeps the large log in DIR and reuses it on the next run (it is
//   built once; 10M entries take several minutes). A dir of an older log
//   format there is first upgraded with MigrateDataDir. Without --data the log
//   goes to a temp dir that is removed.
#include <leveldb/write_batch.h>
#include <sodium.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "bench/bench_util.h"
#include "ledger/jcs.h"
#include "ledger/log.h"
#include "ledger/log/log_db.h"
#include "ledger/log/log_entry.h"
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
// VerifyDataDir.
ledger::PreparedEvent Prepare(uint64_t n, const std::string& marker,
                              const ledger::SigningKey& key, bool verify) {
  auto event = SyntheticEvent(n, marker);
  if (verify) return ledger::logtesting::SignAndPrepare(event, key);
  auto canonical = ledger::CanonicalEventBytes(event);
  ledger::Envelope env{event, key.KeyId(), std::string(64, '\x5a')};
  auto facts = ledger::epcis::ValidateEvent(event);
  if (!canonical.ok() || !facts.ok()) std::abort();
  ledger::PreparedEvent p;
  p.event_id = ledger::EventIdFromCanonical(*canonical);
  p.canonical_event = std::move(canonical).value();
  p.envelope = std::move(env);
  p.facts = std::move(facts).value();
  p.verified_with = key.verifier().ToText();
  ledger::PrecomputeLeafPrefix(&p);
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
    auto db = ledger::logdb::Open(dir, /*create=*/true, g_block_cache_mb << 20);
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

// Appends `prepared` in batches of g_batch to a fresh log; also reports the
// writer thread's CPU time per event.
bench::Rates AppendRate(std::vector<ledger::PreparedEvent> prepared,
                        const ledger::SigningKey& acme, bool sync,
                        double* writer_us_per_event) {
  const uint64_t events = prepared.size();
  const std::string dir = ledger::logtesting::MakeTempDir("bench-append");
  bench::Rates rate;
  {
    auto log = OpenLog(dir, acme, sync);
    // The batches are made before the clock starts, as a caller has them
    // ready when it calls AppendEvents.
    std::vector<std::vector<ledger::PreparedEvent>> batches;
    for (uint64_t i = 0; i < events; i += g_batch) {
      const uint64_t end = std::min<uint64_t>(events, i + g_batch);
      batches.emplace_back(std::make_move_iterator(prepared.begin() + i),
                           std::make_move_iterator(prepared.begin() + end));
    }
    const double cpu0 = bench::ThreadCpuSeconds();
    rate = bench::Measure(events, [&] {
      for (auto& batch : batches) AppendOrDie(log.get(), std::move(batch));
    });
    *writer_us_per_event = (bench::ThreadCpuSeconds() - cpu0) * 1e6 / events;
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

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--help") {
      std::printf(
          "Usage: bench_log [--entries N] [--append-events N] [--batch N] "
          "[--proofs N] [--data DIR] [--block-cache-mb N] [--tree-cache-mb "
          "N]\n");
      return 0;
    }
  }
  if (sodium_init() < 0) return 1;
  const uint64_t entries =
      std::max<uint64_t>(2, bench::FlagU64(argc, argv, "--entries", 10000000));
  const uint64_t append_events =
      bench::FlagU64(argc, argv, "--append-events", 200000);
  const uint64_t proofs = bench::FlagU64(argc, argv, "--proofs", 200000);
  g_batch = std::max<uint64_t>(1, bench::FlagU64(argc, argv, "--batch", 10000));
  std::string data = bench::FlagString(argc, argv, "--data", "");
  g_block_cache_mb = bench::FlagU64(argc, argv, "--block-cache-mb", 64);
  g_tree_cache_mb = bench::FlagU64(argc, argv, "--tree-cache-mb", 0);
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
        PrepareMany(0, append_events, "append", acme, /*verify=*/true);
    const bench::Rates storage = StorageCeiling(prepared);
    bench::Report("storage ceiling: SHA-256 leaf + synced LevelDB write",
                  storage, v2);
    auto copy = prepared;
    const std::string label = "append pre-verified events, batches of " +
                              std::to_string(g_batch) + ", sync";
    const bench::Rates appends =
        AppendRate(std::move(prepared), acme, /*sync=*/true, &writer_us);
    bench::Report(label.c_str(), appends, v2);
    std::printf("  = %.2fx (wall) | %.2fx (CPU) of the storage ceiling\n",
                appends.wall / storage.wall, appends.cpu / storage.cpu);
    std::printf(
        "  writer thread CPU: %.1f us/event (%.0f events/s of one core); "
        "process CPU (writer, its index thread, LevelDB compaction): %.1f "
        "us/event\n",
        writer_us, 1e6 / writer_us, 1e6 / appends.cpu);
    const bench::Rates unsynced =
        AppendRate(std::move(copy), acme, /*sync=*/false, &writer_us);
    bench::Report("  same, sync=false (the fsync share)", unsynced, v2);
    std::printf("  writer thread CPU: %.1f us/event\n", writer_us);
  }

  {
    // Setup, not measured: the big log is filled without fsync.
    bench::Stopwatch open;
    auto log = OpenLog(data, acme, /*sync=*/false);
    std::printf("log opened in %.1f s (%llu entries)\n", open.Seconds(),
                static_cast<unsigned long long>(log->Size()));
    bench::Stopwatch fill;
    Fill(log.get(), entries, acme);
    std::printf(
        "log of %llu entries ready in %.0f s (%s; placeholder signatures)\n",
        static_cast<unsigned long long>(log->Size()), fill.Seconds(),
        data.c_str());
    CheckProofs(*log);
    bench::Report("inclusion proofs, 1 thread", ProofRate(*log, proofs, 1), v2);
    bench::Report("inclusion proofs, 2 threads", ProofRate(*log, proofs, 2),
                  v2);
  }
  if (temp) std::filesystem::remove_all(data);
  return 0;
}
