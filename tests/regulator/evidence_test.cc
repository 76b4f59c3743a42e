// Evidence bundles (ledger/evidence.h) of real traces over a generated supply
// chain: they verify offline, pinning works, and a bundle with any byte
// changed (every byte of a real bundle, flipped) or an entry left out fails.
#include "ledger/evidence.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "ledger/jcs.h"
#include "ledger/trace.h"
#include "tests/regulator/generated_log.h"

namespace {

using ledger::evidence::BuildTraceBundle;
using ledger::evidence::VerifyTraceBundle;

class EvidenceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/evidence_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = new std::string(tmpl);
    supplychain::GeneratorOptions gen;
    gen.seed = 5;
    gen.units = 400;
    gen.manufacturers = 2;
    gen.distributors = 1;
    gen.hospitals = 2;
    gen.anomaly_rate = 0.05;
    gen.recalls = 2;
    gen.threads = 2;
    regulator_testing::BuildOptions build;
    build.dir = *dir_ + "/log";
    auto built = regulator_testing::BuildGeneratedLog(gen, build);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    data_ = new regulator_testing::GeneratedLog(std::move(built).value());
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
    if (dir_ != nullptr) std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override { ASSERT_NE(data_, nullptr); }

  static std::vector<ledger::evidence::LogInput> Inputs() {
    const ledger::Log& log = *data_->log;
    auto participants =
        ledger::evidence::FindParticipantEntries(log, 0, log.Size());
    EXPECT_TRUE(participants.ok());
    return {{&log,
             participants.ok() ? *participants : std::vector<uint64_t>{},
             {}}};
  }
  // A unit that moved with its containers (inferred hops) to a hospital.
  static const supplychain::UnitTruth& TravelledUnit() {
    for (const auto& u : data_->result.truth.units) {
      size_t inferred = 0;
      for (const auto& e : u.events) inferred += e.inferred ? 1 : 0;
      if (inferred >= 4 && u.status == "dispensed") return u;
    }
    return data_->result.truth.units.front();
  }

  static std::string* dir_;
  static regulator_testing::GeneratedLog* data_;
};
std::string* EvidenceTest::dir_ = nullptr;
regulator_testing::GeneratedLog* EvidenceTest::data_ = nullptr;

// The registrations of a registry's participants are found by reading the
// log only up to the last of them (participants register before their
// events), not the whole log, and a bundle made with just those entries
// verifies like one made with every participant entry.
TEST_F(EvidenceTest, ParticipantRegistrationsFoundWithoutScanningTheLog) {
  const ledger::Log& log = *data_->log;
  std::set<std::string> missing;
  for (const ledger::Participant& p : log.Participants())
    missing.insert(p.KeyId());
  ASSERT_FALSE(missing.empty());
  const size_t participants = missing.size();
  std::vector<uint64_t> found;
  std::set<std::string> registered;
  auto stopped = ledger::evidence::FindParticipantEntriesUntil(
      log, 0, log.Size(), &missing, &found, &registered);
  ASSERT_TRUE(stopped.ok()) << stopped.status().ToString();
  EXPECT_TRUE(missing.empty());
  EXPECT_EQ(registered.size(), participants);
  EXPECT_EQ(found.size(), participants);
  // The generated log registers its parties first: the scan stops at the end
  // of the first page (1000 entries) at the latest.
  EXPECT_LE(*stopped, std::min<uint64_t>(1000, log.Size()));
  // Resumable: the first two registrations, then the rest from there.
  std::set<std::string> again;
  for (const ledger::Participant& p : log.Participants())
    again.insert(p.KeyId());
  std::vector<uint64_t> first, rest;
  auto at =
      ledger::evidence::FindParticipantEntriesUntil(log, 0, 2, &again, &first);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(*at, 2u);
  EXPECT_EQ(first.size(), 2u);
  EXPECT_EQ(again.size(), participants - 2);
  auto end = ledger::evidence::FindParticipantEntriesUntil(log, *at, log.Size(),
                                                           &again, &rest);
  ASSERT_TRUE(end.ok());
  EXPECT_TRUE(again.empty());
  first.insert(first.end(), rest.begin(), rest.end());
  EXPECT_EQ(first, found);
  auto all = ledger::evidence::FindParticipantEntries(log, 0, log.Size());
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(found, *all);
  // Nothing missing: nothing read.
  std::vector<uint64_t> none;
  auto idle = ledger::evidence::FindParticipantEntriesUntil(log, 7, log.Size(),
                                                            &missing, &none);
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(*idle, 7u);
  EXPECT_TRUE(none.empty());
  // A bundle from those entries verifies.
  auto bundle = BuildTraceBundle({{&log, found, {}}}, TravelledUnit().epc);
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  auto summary = VerifyTraceBundle(*bundle, {});
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
}

TEST_F(EvidenceTest, BundleOfATravelledUnitVerifiesOffline) {
  const supplychain::UnitTruth& u = TravelledUnit();
  auto bundle = BuildTraceBundle(Inputs(), u.epc);
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  auto summary = VerifyTraceBundle(*bundle, {});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->key, u.key);
  EXPECT_EQ(summary->status, u.status);
  EXPECT_EQ(summary->hops, u.events.size());
  EXPECT_GE(summary->signatures, u.events.size());
  EXPECT_EQ(summary->unpinned_keys.size(), 1u);
  // The answer in the bundle is the trace answer.
  auto chain = ledger::trace::Trace({data_->log.get()}, u.epc);
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(nlohmann::json::parse(*bundle)["trace"], chain->ToJson());
}

TEST_F(EvidenceTest, PinnedKeysAreEnforced) {
  auto bundle = BuildTraceBundle(Inputs(), TravelledUnit().epc);
  ASSERT_TRUE(bundle.ok());
  auto pinned = VerifyTraceBundle(*bundle, {data_->log->verifier()});
  ASSERT_TRUE(pinned.ok()) << pinned.status().ToString();
  EXPECT_TRUE(pinned->unpinned_keys.empty());
  auto other = ledger::SigningKey::Generate("someone-else");
  ASSERT_TRUE(other.ok());
  auto wrong = VerifyTraceBundle(*bundle, {other->verifier()});
  EXPECT_TRUE(wrong.status().code() ==
              ledger::Status::Code::kFailedPrecondition)
      << wrong.status().ToString();
}

TEST_F(EvidenceTest, RecalledUnitBundleCarriesTheRecallEvent) {
  for (const auto& u : data_->result.truth.units) {
    if (!u.in_recall) continue;
    SCOPED_TRACE(u.key);
    auto bundle = BuildTraceBundle(Inputs(), u.digital_link);
    ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
    auto summary = VerifyTraceBundle(*bundle, {data_->log->verifier()});
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_FALSE(nlohmann::json::parse(*bundle)["trace"]["recalls"].empty());
    return;
  }
  FAIL() << "the data set has no recalled unit";
}

// Flips each byte of a real bundle (XOR 0x01, and XOR 0x20 which swaps letter
// case): every changed bundle must fail verification.
TEST_F(EvidenceTest, EveryChangedByteFails) {
  auto bundle = BuildTraceBundle(Inputs(), TravelledUnit().epc);
  ASSERT_TRUE(bundle.ok());
  std::vector<size_t> accepted;
  for (uint8_t mask : {0x01, 0x20}) {
    for (size_t i = 0; i < bundle->size(); ++i) {
      std::string changed = *bundle;
      changed[i] = static_cast<char>(changed[i] ^ mask);
      if (VerifyTraceBundle(changed, {}).ok()) accepted.push_back(i);
    }
  }
  EXPECT_TRUE(accepted.empty())
      << accepted.size() << " changed bundles verified, first at byte "
      << accepted[0] << ": ..."
      << bundle->substr(accepted[0] < 40 ? 0 : accepted[0] - 40, 80);
  std::printf("[ checked %zu x 2 changed bundles of %zu bytes ]\n",
              bundle->size(), bundle->size());
}

// Leaving out any event the answer rests on (a hop) fails.
TEST_F(EvidenceTest, BundleMissingAHopFails) {
  auto bundle = BuildTraceBundle(Inputs(), TravelledUnit().epc);
  ASSERT_TRUE(bundle.ok());
  const nlohmann::json j = nlohmann::json::parse(*bundle);
  std::set<uint64_t> hops;
  for (const auto& hop : j["trace"]["hops"])
    hops.insert(hop["index"].get<uint64_t>());
  ASSERT_FALSE(hops.empty());
  const auto& entries = j["logs"][0]["entries"];
  for (size_t k = 0; k < entries.size(); ++k) {
    if (!hops.count(entries[k]["index"])) continue;
    SCOPED_TRACE(entries[k]["index"].dump());
    nlohmann::json copy = j;
    copy["logs"][0]["entries"].erase(k);
    auto text = ledger::CanonicalizeJson(copy);
    ASSERT_TRUE(text.ok());
    EXPECT_FALSE(VerifyTraceBundle(*text, {}).ok());
  }
}

TEST_F(EvidenceTest, BadIdIsInvalidArgument) {
  auto bundle = BuildTraceBundle(Inputs(), "urn:epc:id:sgtin:nonsense");
  EXPECT_TRUE(bundle.status().IsInvalidArgument())
      << bundle.status().ToString();
}

}  // namespace
