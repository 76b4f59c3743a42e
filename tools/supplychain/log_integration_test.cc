// The generated data through the real ledger log (LevelDB in a temporary
// directory): every party registers, every envelope is prepared and accepted,
// and the log's identifier index finds each unit's direct events under its
// canonical key whichever identifier form the events used.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ledger/keys.h"
#include "ledger/log.h"
#include "supplychain/generator.h"

namespace supplychain {
namespace {

namespace fs = std::filesystem;

TEST(LogIntegrationTest, EveryEventIsAcceptedAndIndexedUnderItsUnitKey) {
  std::string tmpl =
      (fs::temp_directory_path() / "udi-gen-log-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const fs::path dir = tmpl;

  GeneratorOptions o;
  o.seed = 8;
  o.units = 500;
  o.anomaly_rate = 0.05;
  ledger::Result<std::vector<PartyInfo>> parties = MakeParties(o);
  ASSERT_TRUE(parties.ok());

  ledger::LogOptions options;
  options.data_dir = (dir / "data").string();
  options.origin = "udi-ledger.example/test";
  options.key = ledger::SigningKey::FromSeed("udi-ledger.example-test", {});
  ledger::Result<std::unique_ptr<ledger::Log>> log =
      ledger::Log::Open(std::move(options));
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  std::map<std::string, ledger::VerifierKey> keys;
  for (const PartyInfo& p : *parties) {
    ledger::Result<uint64_t> index =
        (*log)->AppendParticipant(ToParticipant(p), 0);
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    ledger::Result<ledger::VerifierKey> key =
        ledger::VerifierKey::Parse(p.verifier_key);
    ASSERT_TRUE(key.ok());
    keys.emplace(key->KeyId(), *key);
  }
  const uint64_t first_event_index = (*log)->Size();

  std::vector<ledger::PreparedEvent> batch;
  std::vector<std::string> errors;
  auto append = [&]() {
    ledger::Result<std::vector<ledger::AppendOutcome>> outcomes =
        (*log)->AppendEvents(std::move(batch), 0);
    batch.clear();
    if (!outcomes.ok()) {
      errors.push_back(outcomes.status().ToString());
      return;
    }
    for (const ledger::AppendOutcome& out : *outcomes) {
      if (out.status != ledger::AppendStatus::kAccepted) {
        errors.push_back(out.event_id + ": not accepted: " + out.error);
      }
    }
  };
  ledger::Result<GenerationResult> result =
      Generate(o, [&](const GeneratedEvent& e) {
        ledger::Result<ledger::PreparedEvent> prepared =
            ledger::PrepareEvent(e.envelope, keys.at(e.envelope.signer));
        if (!prepared.ok()) return prepared.status().WithPrefix("PrepareEvent");
        EXPECT_EQ(prepared->event_id, e.event_id);
        batch.push_back(std::move(prepared).value());
        if (batch.size() == 500) append();
        return ledger::Status::OK();
      });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  append();
  EXPECT_EQ(errors, std::vector<std::string>{});
  EXPECT_EQ((*log)->Size() - first_event_index, result->truth.event_count);

  // Each unit's direct events, in order, are what the identifier index holds
  // for its key.
  for (const UnitTruth& u : result->truth.units) {
    SCOPED_TRACE(u.key);
    std::vector<uint64_t> want;
    for (const EventRef& e : u.events) {
      if (e.inferred) continue;
      std::optional<uint64_t> index = (*log)->FindEvent(e.event_id);
      ASSERT_TRUE(index.has_value()) << e.event_id;
      want.push_back(*index);
    }
    ledger::Result<std::vector<uint64_t>> got =
        (*log)->ScanIndex(ledger::IndexKind::kEpc, u.key, 0, 1000);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, want);
  }
  // Recall events are found under the lot's class key.
  for (const RecallTruth& r : result->truth.recalls) {
    std::optional<uint64_t> index = (*log)->FindEvent(r.event_id);
    ASSERT_TRUE(index.has_value());
    for (const std::string& lot : r.lots) {
      ledger::Result<std::vector<uint64_t>> got = (*log)->ScanIndex(
          ledger::IndexKind::kEpcClass, "01/" + r.gtin + "/10/" + lot, 0, 1000);
      ASSERT_TRUE(got.ok());
      EXPECT_EQ(*got, std::vector<uint64_t>{*index}) << lot;
    }
  }
  log.value().reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace supplychain
