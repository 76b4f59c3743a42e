// bench_ingest: the node's batch ingest path without HTTP, for counting
// instructions per event (valgrind --tool=callgrind) and CPU per event.
//
// Each round does what ledger-node does with one POST /v1/events body of
// --batch envelopes: ledger::ParseJsonStrict of the body (as the I/O thread's
// ParseJsonBody), the envelopes moved out of it, api::Committer::Submit
// (verify pool: envelope shape, signer, EPCIS validation, JCS, event id, leaf
// prefix, Ed25519; writers: Log::AppendEvents, synced) and the answer's
// results body. The envelopes are signed like bench_node's (same events, the
// same JSON text) before anything is measured.
//
//   bench_ingest [--batch 1000] [--rounds 4] [--warmup 1]
//   valgrind --tool=callgrind --instr-atstart=no bench_ingest --rounds 2
//
// Under callgrind only the measured rounds are instrumented (client requests
// CALLGRIND_START/STOP_INSTRUMENTATION); elsewhere they do nothing.
#include <sodium.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

#include "api/committer.h"
#include "api/metrics.h"
#include "bench/bench_util.h"
#include "ledger/bytes.h"
#include "ledger/envelope.h"
#include "ledger/jcs.h"
#include "ledger/log.h"

namespace {

using json = nlohmann::json;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench_ingest: %s\n", what.c_str());
  std::exit(1);
}

// One request body per round, as bench_node sends them.
std::vector<std::string> SignBodies(size_t rounds, size_t batch,
                                    const ledger::SigningKey& key) {
  std::vector<std::string> bodies(rounds);
  uint64_t serial = 0;
  for (auto& body : bodies) {
    body = "{\"envelopes\":[";
    for (size_t i = 0; i < batch; ++i, ++serial) {
      auto env = ledger::SignEvent(bench::MakeScanEvent(serial, "i"), key);
      if (!env.ok()) Die(env.status().ToString());
      if (i > 0) body += ',';
      body += env->ToJson().dump();
    }
    body += "]}";
  }
  return bodies;
}

// What HandleSubmitEvents does with a body, then waits for the answer.
// Returns the results body's size.
size_t Ingest(api::Committer* committer, const std::string& body) {
  auto parsed = ledger::ParseJsonStrict(body);
  if (!parsed.ok()) Die(parsed.status().ToString());
  auto& list = (*parsed)["envelopes"];
  std::vector<json> envelopes;
  envelopes.reserve(list.size());
  for (auto& e : list) envelopes.push_back(std::move(e));
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  size_t answer_size = 0;
  ledger::Status st =
      committer->Submit(std::move(envelopes), {},
                        [&](std::vector<ledger::AppendOutcome> outcomes) {
                          size_t bytes = 0;
                          for (const auto& o : outcomes) {
                            if (o.status != ledger::AppendStatus::kAccepted)
                              Die(o.error);
                            bytes += o.event_id.size();
                          }
                          std::lock_guard lock(mu);
                          answer_size = bytes;
                          done = true;
                          cv.notify_all();
                        });
  if (!st.ok()) Die(st.ToString());
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  return answer_size;
}

// CPU microseconds of one Ed25519 verification on this thread, over the
// distinct envelopes of `body` (as the node meets them).
double VerifyMicros(const std::string& body, const ledger::SigningKey& key) {
  auto parsed = ledger::ParseJsonStrict(body);
  if (!parsed.ok()) Die(parsed.status().ToString());
  std::vector<std::pair<std::string, std::string>> signed_events;
  for (const auto& e : (*parsed)["envelopes"]) {
    auto env = ledger::Envelope::FromJson(e);
    if (!env.ok()) Die(env.status().ToString());
    signed_events.emplace_back(*ledger::CanonicalEventBytes(env->event),
                               env->signature);
  }
  const ledger::VerifierKey verifier = key.verifier();
  const double t0 = bench::ThreadCpuSeconds();
  for (const auto& [event, signature] : signed_events) {
    if (!verifier.Verify(event, signature)) Die("signature does not verify");
  }
  return 1e6 * (bench::ThreadCpuSeconds() - t0) /
         static_cast<double>(signed_events.size());
}

}  // namespace

int main(int argc, char** argv) {
  size_t batch = 1000, rounds = 4, warmup = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const size_t v = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--batch") {
      batch = v;
    } else if (flag == "--rounds") {
      rounds = v;
    } else if (flag == "--warmup") {
      warmup = v;
    } else {
      Die("unknown flag " + flag + " (--batch N, --rounds N, --warmup N)");
    }
  }
  if (sodium_init() < 0) Die("sodium_init");
  char templ[] = "/tmp/udi-bench-ingest-XXXXXX";
  if (mkdtemp(templ) == nullptr) Die("mkdtemp");
  const std::string dir = templ;
  auto acme_key = ledger::SigningKey::Generate("acme");
  if (!acme_key.ok()) Die(acme_key.status().ToString());
  const ledger::SigningKey& acme = *acme_key;
  ledger::LogOptions o;
  o.data_dir = dir + "/log";
  o.origin = "udi-ledger.example/bench-ingest";
  auto log_key = ledger::SigningKey::Generate(o.origin);
  if (!log_key.ok()) Die(log_key.status().ToString());
  o.key = *log_key;
  auto log = ledger::Log::Open(o);
  if (!log.ok()) Die(log.status().ToString());
  ledger::Participant p;
  p.gln = "0614141000005";
  p.name = acme.name();
  p.role = "manufacturer";
  p.verifier_key = acme.verifier().ToText();
  if (!(*log)->AppendParticipant(p, 0).ok()) Die("AppendParticipant");
  const auto bodies = SignBodies(warmup + rounds, batch, acme);
  const double verify_us = VerifyMicros(bodies.back(), acme);
  {
    api::Metrics metrics;
    api::Committer committer(log->get(), &metrics, {});
    for (size_t r = 0; r < warmup; ++r) Ingest(&committer, bodies[r]);
    const auto threads_before = bench::ThreadCpuTimes();
    bench::Stopwatch watch;
    CALLGRIND_START_INSTRUMENTATION;
    for (size_t r = warmup; r < warmup + rounds; ++r)
      Ingest(&committer, bodies[r]);
    CALLGRIND_STOP_INSTRUMENTATION;
    const double cpu = watch.CpuSeconds(), wall = watch.Seconds();
    const auto threads_after = bench::ThreadCpuTimes();
    const double events = static_cast<double>(rounds * batch);
    auto per_event = [&](double seconds) { return 1e6 * seconds / events; };
    std::printf(
        "%zu rounds of %zu envelopes: %.2f us wall, %.2f us process CPU per "
        "event = %.3f x one verification (%.2f us, this thread, distinct "
        "envelopes)\n",
        rounds, batch, per_event(wall), per_event(cpu),
        per_event(cpu) / verify_us, verify_us);
    // Per thread role (name); threads started and ended within the rounds
    // (the log's index helpers) are what the process used beyond the rest.
    std::map<std::string, double> by_role;
    double live = 0;
    for (const auto& [tid, t] : threads_after) {
      auto was = threads_before.find(tid);
      const double used =
          t.seconds - (was == threads_before.end() ? 0 : was->second.seconds);
      by_role[t.main ? "main (body parse)" : t.name] += used;
      live += used;
    }
    by_role["exited (udi-index)"] = cpu - live;
    for (const auto& [role, seconds] : by_role) {
      std::printf("  %-20s %7.2f us/event  %.3f x\n", role.c_str(),
                  per_event(seconds), per_event(seconds) / verify_us);
    }
    std::printf("SHA-256 on the CPU's SHA extensions: %s\n",
                ledger::Sha256UsesCpuExtensions() ? "yes" : "no (libsodium)");
  }
  log->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
