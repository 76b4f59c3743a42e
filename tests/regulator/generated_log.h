// Test and benchmark helper: a real Log filled with the synthetic supply chain
// (tools/supplychain), its parties registered first. Header-only.
#ifndef UDI_TESTS_REGULATOR_GENERATED_LOG_H_
#define UDI_TESTS_REGULATOR_GENERATED_LOG_H_

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ledger/envelope.h"
#include "ledger/epcis.h"
#include "ledger/log.h"
#include "supplychain/generator.h"

namespace regulator_testing {

struct GeneratedLog {
  std::unique_ptr<ledger::Log> log;
  supplychain::GenerationResult result;
};

struct BuildOptions {
  std::string dir;
  std::string origin = "udi-ledger.example/regulator-test";
  // sync=false is for building benchmark data sets only (the log's own
  // durability is not what a trace benchmark measures); tests keep the default.
  bool sync = true;
  // true: PrepareEvent (validation + signature check), as a node does. false:
  // validation only, the generator having just signed the events (benchmarks,
  // to build large sets quickly).
  bool verify_signatures = true;
  size_t batch = 1024;
  // Called with every generated event before it is appended (benchmarks sample
  // units and lots here instead of generating twice).
  std::function<void(const supplychain::GeneratedEvent&)> observe;
};

// The options BuildGeneratedLog opens its log with (same origin and key), so a
// log built earlier can be reopened.
inline ledger::LogOptions GeneratedLogOptions(const BuildOptions& options) {
  ledger::LogOptions lo;
  lo.data_dir = options.dir;
  lo.origin = options.origin;
  std::array<uint8_t, 32> seed{};
  seed.fill(0x5a);
  lo.key = ledger::SigningKey::FromSeed(options.origin, seed);
  lo.sync = options.sync;
  return lo;
}

inline ledger::Result<ledger::PreparedEvent> Prepare(
    const supplychain::GeneratedEvent& e, const ledger::VerifierKey& key,
    bool verify) {
  if (verify) return ledger::PrepareEvent(e.envelope, key);
  ledger::Result<ledger::epcis::EventFacts> facts =
      ledger::epcis::ValidateEvent(e.envelope.event);
  if (!facts.ok()) return facts.status();
  ledger::PreparedEvent p;
  p.envelope = e.envelope;
  p.canonical_event = e.canonical_event;
  p.event_id = e.event_id;
  p.facts = std::move(facts).value();
  p.verified_with = key.ToText();
  return p;
}

inline ledger::Result<GeneratedLog> BuildGeneratedLog(
    const supplychain::GeneratorOptions& gen, const BuildOptions& options) {
  ledger::Result<std::unique_ptr<ledger::Log>> log =
      ledger::Log::Open(GeneratedLogOptions(options));
  if (!log.ok()) return log.status();
  ledger::Result<std::vector<supplychain::PartyInfo>> parties =
      supplychain::MakeParties(gen);
  if (!parties.ok()) return parties.status();
  std::vector<ledger::VerifierKey> keys;
  for (const supplychain::PartyInfo& p : *parties) {
    ledger::Result<ledger::VerifierKey> key =
        ledger::VerifierKey::Parse(p.verifier_key);
    if (!key.ok()) return key.status();
    keys.push_back(*key);
    ledger::Participant participant{p.gln, p.name, p.role, p.verifier_key,
                                    false};
    ledger::Result<uint64_t> r =
        (*log)->AppendParticipant(participant, 1'700'000'000'000);
    if (!r.ok()) return r.status();
  }
  std::vector<ledger::PreparedEvent> batch;
  auto flush = [&]() -> ledger::Status {
    if (batch.empty()) return ledger::Status::OK();
    auto outcomes = (*log)->AppendEvents(std::move(batch), 1'800'000'000'000);
    batch.clear();
    if (!outcomes.ok()) return outcomes.status();
    for (const ledger::AppendOutcome& o : *outcomes) {
      if (o.status != ledger::AppendStatus::kAccepted)
        return ledger::Status::Internal("append " + o.event_id + ": " +
                                        o.error);
    }
    return ledger::Status::OK();
  };
  ledger::Result<supplychain::GenerationResult> result = supplychain::Generate(
      gen, [&](const supplychain::GeneratedEvent& e) -> ledger::Status {
        if (options.observe) options.observe(e);
        ledger::Result<ledger::PreparedEvent> p =
            Prepare(e, keys[e.signer], options.verify_signatures);
        if (!p.ok())
          return p.status().WithPrefix("event " + std::to_string(e.seq));
        batch.push_back(std::move(p).value());
        return batch.size() >= options.batch ? flush() : ledger::Status::OK();
      });
  if (!result.ok()) return result.status();
  LEDGER_RETURN_IF_ERROR(flush());
  return GeneratedLog{std::move(log).value(), std::move(result).value()};
}

}  // namespace regulator_testing

#endif  // UDI_TESTS_REGULATOR_GENERATED_LOG_H_
