// Trace, recall and verification over a real Log filled by the synthetic supply
// chain, checked against the generator's ground truth
// (tools/supplychain/README.md).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "ledger/trace.h"
#include "ledger/trace/trace_internal.h"
#include "tests/regulator/generated_log.h"

namespace {

using ledger::trace::CustodyChain;
using ledger::trace::UnitStatusName;

class RegulatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/regulator_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = new std::string(tmpl);
    supplychain::GeneratorOptions gen;
    gen.seed = 32;
    gen.units = 3000;
    gen.anomaly_rate = 0.1;
    gen.recalls = 3;
    gen.recall_ack_rate = 0.6;
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

  static std::vector<const ledger::Log*> Logs() { return {data_->log.get()}; }
  static const supplychain::GroundTruth& Truth() { return data_->result.truth; }

  static std::string* dir_;
  static regulator_testing::GeneratedLog* data_;
};
std::string* RegulatorTest::dir_ = nullptr;
regulator_testing::GeneratedLog* RegulatorTest::data_ = nullptr;

using HopTuple = std::pair<std::string, bool>;  // event id, inferred

std::vector<HopTuple> HopsOf(const CustodyChain& c) {
  std::vector<HopTuple> out;
  for (const auto& h : c.hops) out.emplace_back(h.event_id, h.inferred);
  return out;
}

TEST_F(RegulatorTest, DataSetHasEveryAnomalyKindAndRecalls) {
  std::set<std::string> kinds;
  for (const auto& a : Truth().anomalies) kinds.insert(a.kind);
  EXPECT_EQ(kinds,
            (std::set<std::string>{
                "dispensed_twice", "received_without_shipment",
                "shipped_by_non_custodian", "event_after_decommissioning",
                "expired_shipped", "recalled_moved"}));
  EXPECT_FALSE(Truth().recalls.empty());
  EXPECT_EQ(Truth().units.size(), 3000u);
}

TEST_F(RegulatorTest, EveryUnitMatchesTruth) {
  std::vector<std::tuple<std::string, std::string, std::string>> anomalies;
  size_t mismatched = 0;
  for (const supplychain::UnitTruth& u : Truth().units) {
    SCOPED_TRACE(u.key);
    auto chain = ledger::trace::Trace(Logs(), u.epc);
    ASSERT_TRUE(chain.ok()) << chain.status().ToString();
    EXPECT_EQ(chain->key, u.key);
    std::vector<HopTuple> want;
    for (const auto& e : u.events) want.emplace_back(e.event_id, e.inferred);
    const bool ok = UnitStatusName(chain->status) == u.status &&
                    chain->custodian.gln == u.custodian &&
                    chain->location == u.location && HopsOf(*chain) == want;
    if (!ok && ++mismatched <= 5) {
      EXPECT_EQ(UnitStatusName(chain->status), u.status);
      EXPECT_EQ(chain->custodian.gln, u.custodian);
      EXPECT_EQ(chain->location, u.location);
      EXPECT_EQ(HopsOf(*chain), want);
    }
    EXPECT_EQ(chain->commissioned_by.gln, u.manufacturer);
    for (const auto& a : chain->anomalies)
      anomalies.emplace_back(a.kind, u.key, a.event_id);
  }
  EXPECT_EQ(mismatched, 0u);
  std::vector<std::tuple<std::string, std::string, std::string>> want;
  for (const auto& a : Truth().anomalies)
    want.emplace_back(a.kind, a.unit, a.event_id);
  std::sort(anomalies.begin(), anomalies.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(anomalies, want);
}

TEST_F(RegulatorTest, DigitalLinkEpcUriAndKeyGiveTheSameChain) {
  for (size_t i = 0; i < Truth().units.size(); i += 97) {
    const supplychain::UnitTruth& u = Truth().units[i];
    SCOPED_TRACE(u.key);
    auto by_epc = ledger::trace::Trace(Logs(), u.epc);
    auto by_dl = ledger::trace::Trace(Logs(), u.digital_link);
    auto by_key = ledger::trace::Trace(Logs(), u.key);
    ASSERT_TRUE(by_epc.ok() && by_dl.ok() && by_key.ok());
    EXPECT_EQ(by_epc->ToJson(), by_dl->ToJson());
    EXPECT_EQ(by_epc->ToJson(), by_key->ToJson());
  }
}

std::string LotNumber(const std::string& lot) {
  const size_t at = lot.find("/10/");
  return at == std::string::npos ? lot : lot.substr(at + 4);
}

TEST_F(RegulatorTest, RecallFindsExactlyTheTruthUnits) {
  std::map<std::string, const supplychain::UnitTruth*> units;
  for (const auto& u : Truth().units) units[u.key] = &u;
  for (const supplychain::RecallTruth& r : Truth().recalls) {
    SCOPED_TRACE(r.event_id);
    ledger::trace::RecallSpec spec;
    spec.gtin = r.gtin;
    for (const std::string& lot : r.lots) spec.lots.push_back(LotNumber(lot));
    auto report = ledger::trace::Recall(Logs(), spec);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    std::set<std::string> got, want(r.units.begin(), r.units.end());
    uint64_t dispensed = 0;
    for (const auto& u : report->units) {
      got.insert(u.key);
      ASSERT_TRUE(units.count(u.key)) << u.key;
      EXPECT_EQ(UnitStatusName(u.status), units[u.key]->status) << u.key;
      EXPECT_EQ(u.custodian.gln, units[u.key]->custodian) << u.key;
      if (units[u.key]->status == "dispensed") ++dispensed;
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ(report->dispensed, dispensed);
    EXPECT_NE(std::find(report->recall_events.begin(),
                        report->recall_events.end(), r.event_id),
              report->recall_events.end());
    uint64_t counted = 0;
    for (const auto& [gln, n] : report->counts_by_custodian) counted += n;
    EXPECT_EQ(counted, want.size());
    // CSV: header plus one line per unit.
    const std::string csv = report->ToCsv();
    EXPECT_EQ(static_cast<size_t>(std::count(csv.begin(), csv.end(), '\n')),
              want.size() + 1);
  }
}

// Recalls go through their units in batches, forgetting each batch's own
// events afterwards (Reader::Release): batches of 7 units give the same
// report, unit for unit, as one batch.
TEST_F(RegulatorTest, RecallInSmallBatchesGivesTheSameReport) {
  for (const supplychain::RecallTruth& r : Truth().recalls) {
    SCOPED_TRACE(r.event_id);
    ledger::trace::RecallSpec spec;
    spec.gtin = r.gtin;
    for (const std::string& lot : r.lots) spec.lots.push_back(LotNumber(lot));
    auto whole = ledger::trace::Recall(Logs(), spec);
    ASSERT_TRUE(whole.ok()) << whole.status().ToString();
    ASSERT_GT(whole->units.size(), 14u) << "want several batches";
    const size_t saved = ledger::trace::internal::RecallBatchSize();
    ledger::trace::internal::RecallBatchSize() = 7;
    auto batched = ledger::trace::Recall(Logs(), spec);
    ledger::trace::internal::RecallBatchSize() = saved;
    ASSERT_TRUE(batched.ok()) << batched.status().ToString();
    EXPECT_EQ(batched->ToJson(), whole->ToJson());
    EXPECT_EQ(batched->ToCsv(), whole->ToCsv());
  }
}

TEST_F(RegulatorTest, RecallSetIsTheUnionOfRecalls) {
  std::set<std::string> all;
  for (const supplychain::RecallTruth& r : Truth().recalls)
    all.insert(r.units.begin(), r.units.end());
  std::set<std::string> in_recall;
  for (const auto& u : Truth().units) {
    if (u.in_recall) in_recall.insert(u.key);
  }
  EXPECT_EQ(all, in_recall);
}

// Acknowledgement effectiveness over time against the generator's record of
// who quarantined, destroyed or decommissioned which recalled unit when.
TEST_F(RegulatorTest, RecallAcknowledgementMatchesTruth) {
  std::map<std::string, const supplychain::UnitTruth*> units;
  for (const auto& u : Truth().units) units[u.key] = &u;
  size_t acknowledged_somewhere = 0;
  for (const supplychain::RecallTruth& r : Truth().recalls) {
    SCOPED_TRACE(r.event_id);
    ledger::trace::RecallSpec spec;
    spec.gtin = r.gtin;
    for (const std::string& lot : r.lots) spec.lots.push_back(LotNumber(lot));
    auto report = ledger::trace::Recall(Logs(), spec);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    // Expected: a unit is acknowledged by its (final) custodian's first
    // acknowledging event; a consignee from its first acknowledged unit.
    std::map<std::string, int64_t> unit_ack;
    for (const auto& a : r.acknowledgements) {
      if (a.party != units.at(a.unit)->custodian) continue;
      auto [it, fresh] = unit_ack.emplace(a.unit, a.time_ms);
      if (!fresh) it->second = std::min(it->second, a.time_ms);
    }
    std::map<std::string, int64_t> consignee_ack;
    std::set<std::string> consignees;
    for (const std::string& key : r.units) {
      const supplychain::UnitTruth& u = *units.at(key);
      if (u.custodian == u.manufacturer) continue;
      consignees.insert(u.custodian);
      if (!unit_ack.count(key)) continue;
      auto [it, fresh] = consignee_ack.emplace(u.custodian, unit_ack[key]);
      if (!fresh) it->second = std::min(it->second, unit_ack[key]);
    }
    for (const auto& u : report->units) {
      SCOPED_TRACE(u.key);
      EXPECT_EQ(u.acknowledged, unit_ack.count(u.key) > 0);
      if (u.acknowledged) {
        EXPECT_EQ(u.acknowledged_ms, unit_ack[u.key]);
      }
    }
    acknowledged_somewhere += unit_ack.size();
    EXPECT_EQ(report->units_acknowledged, unit_ack.size());
    EXPECT_EQ(report->consignees, consignees.size());
    EXPECT_EQ(report->consignees_acknowledged, consignee_ack.size());
    EXPECT_DOUBLE_EQ(report->unit_effectiveness,
                     r.units.empty() ? 0.0
                                     : static_cast<double>(unit_ack.size()) /
                                           r.units.size());
    // The timeline: cumulative per UTC day from the day of issue.
    constexpr int64_t kDay = 86'400'000;
    const int64_t first = report->issued_ms / kDay;
    int64_t last = first;
    for (const auto& [key, ms] : unit_ack) last = std::max(last, ms / kDay);
    ASSERT_EQ(report->acknowledgement_timeline.size(),
              static_cast<size_t>(last - first + 1));
    for (int64_t day = first; day <= last; ++day) {
      uint64_t want_units = 0, want_consignees = 0;
      for (const auto& [key, ms] : unit_ack) want_units += ms / kDay <= day;
      for (const auto& [gln, ms] : consignee_ack)
        want_consignees += ms / kDay <= day;
      const auto& got = report->acknowledgement_timeline[day - first];
      SCOPED_TRACE(got.date);
      EXPECT_EQ(got.units, want_units);
      EXPECT_EQ(got.consignees, want_consignees);
    }
    EXPECT_EQ(report->ToJson()["acknowledgement"]["timeline"].size(),
              report->acknowledgement_timeline.size());
  }
  EXPECT_GT(acknowledged_somewhere, 0u)
      << "the data set has no acknowledgement";
}

TEST_F(RegulatorTest, VerifyUnitAgreesWithTruth) {
  const int64_t now_ms = 1'767'571'200'000;  // 2026-01-05, before any expiry
  for (size_t i = 0; i < Truth().units.size(); i += 41) {
    const supplychain::UnitTruth& u = Truth().units[i];
    SCOPED_TRACE(u.key);
    const std::string lot = LotNumber(u.lot_key);
    auto v =
        ledger::trace::VerifyUnit(Logs(), u.epc, lot, std::nullopt, now_ms);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_TRUE(v->exists);
    EXPECT_EQ(v->commissioned_by.gln, u.manufacturer);
    EXPECT_EQ(v->lot, lot);
    EXPECT_EQ(v->lot_matches, std::optional<bool>(true));
    EXPECT_EQ(UnitStatusName(v->status), u.status);
    EXPECT_EQ(v->recalled, u.in_recall);
    const bool active_status = u.status == "commissioned" ||
                               u.status == "in_transit" ||
                               u.status == "in_stock";
    EXPECT_EQ(v->active, active_status && !u.in_recall) << v->ToJson().dump();
    auto wrong = ledger::trace::VerifyUnit(Logs(), u.epc, lot + "X",
                                           std::nullopt, now_ms);
    ASSERT_TRUE(wrong.ok());
    EXPECT_EQ(wrong->lot_matches, std::optional<bool>(false));
    EXPECT_FALSE(wrong->active);
  }
}

}  // namespace
