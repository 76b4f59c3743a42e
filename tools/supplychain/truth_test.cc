// The ground truth against an independent replay of the envelopes
// (replay_testing.h), and its internal consistency.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "supplychain/generator.h"
#include "tools/supplychain/replay_testing.h"

namespace supplychain {
namespace {

struct Replayed {
  GenerationResult result;
  testing::Replay replay;
  std::vector<std::string> errors;
};

Replayed GenerateAndReplay(const GeneratorOptions& options) {
  std::vector<std::string> lines;
  ledger::Result<GenerationResult> r =
      Generate(options, [&](const GeneratedEvent& e) {
        lines.push_back(e.EnvelopeLine());
        return ledger::Status::OK();
      });
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  Replayed run{r.ok() ? std::move(r).value() : GenerationResult{},
               testing::Replay({}),
               {}};
  run.replay = testing::Replay(run.result.parties);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string error = run.replay.ApplyLine(lines[i]);
    if (!error.empty())
      run.errors.push_back("line " + std::to_string(i + 1) + ": " + error);
  }
  return run;
}

using AnomalyTuple = std::tuple<std::string, std::string, std::string>;
std::vector<AnomalyTuple> Sorted(const std::vector<AnomalyTruth>& anomalies) {
  std::vector<AnomalyTuple> out;
  for (const AnomalyTruth& a : anomalies)
    out.emplace_back(a.kind, a.unit, a.event_id);
  std::sort(out.begin(), out.end());
  return out;
}

void ExpectTruthMatchesReplay(const Replayed& run) {
  const GroundTruth& truth = run.result.truth;
  const testing::Replay& replay = run.replay;
  EXPECT_EQ(run.errors, std::vector<std::string>{});
  EXPECT_EQ(replay.violations, std::vector<std::string>{});
  ASSERT_EQ(truth.units.size(), replay.units.size());
  std::vector<std::string> truth_order;
  for (const UnitTruth& u : truth.units) {
    SCOPED_TRACE(u.key);
    truth_order.push_back(u.key);
    auto it = replay.units.find(u.key);
    ASSERT_NE(it, replay.units.end());
    const testing::Replay::Unit& r = it->second;
    EXPECT_EQ(u.status, r.status);
    EXPECT_EQ(u.custodian, r.custodian);
    EXPECT_EQ(u.location, r.location);
    EXPECT_EQ(u.lot_key, r.lot_key);
    EXPECT_EQ(r.commissioned, 1);
    ASSERT_EQ(u.events.size(), r.events.size());
    for (size_t i = 0; i < u.events.size(); ++i) {
      EXPECT_EQ(u.events[i].event_id, r.events[i].event_id) << "event " << i;
      EXPECT_EQ(u.events[i].inferred, r.events[i].inferred) << "event " << i;
    }
  }
  EXPECT_EQ(truth_order, replay.unit_order);
  for (const LotTruth& lot : truth.lots) {
    SCOPED_TRACE(lot.key);
    ASSERT_TRUE(replay.lot_units.count(lot.key));
    EXPECT_EQ(lot.units, replay.lot_units.at(lot.key));
  }
  EXPECT_EQ(Sorted(truth.anomalies), Sorted(replay.anomalies));
  ASSERT_EQ(truth.recalls.size(), replay.recalls.size());
  for (size_t i = 0; i < truth.recalls.size(); ++i) {
    const RecallTruth& t = truth.recalls[i];
    const RecallTruth& r = replay.recalls[i];
    EXPECT_EQ(t.event_id, r.event_id);
    EXPECT_EQ(t.signer, r.signer);
    std::vector<std::string> lot_keys;
    for (const std::string& lot : t.lots)
      lot_keys.push_back("01/" + t.gtin + "/10/" + lot);
    EXPECT_EQ(lot_keys, r.lots);
    EXPECT_EQ(t.units, r.units);
  }
}

TEST(TruthTest, MatchesAnIndependentReplayOfTheEvents) {
  struct Case {
    uint64_t seed;
    uint64_t units;
    double rate;
    int manufacturers, distributors, hospitals;
  };
  const Case cases[] = {
      {1, 400, 0.0, 3, 2, 4},    {2, 900, 0.03, 3, 2, 4},
      {3, 1500, 0.1, 5, 3, 8},   {4, 300, 0.5, 1, 1, 1},
      {5, 2000, 0.02, 6, 4, 10},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("seed " + std::to_string(c.seed));
    GeneratorOptions o;
    o.seed = c.seed;
    o.units = c.units;
    o.anomaly_rate = c.rate;
    o.manufacturers = c.manufacturers;
    o.distributors = c.distributors;
    o.hospitals = c.hospitals;
    Replayed run = GenerateAndReplay(o);
    ExpectTruthMatchesReplay(run);
  }
}

TEST(TruthTest, NoAnomaliesWithoutInjection) {
  for (uint64_t seed : {21, 22, 23}) {
    SCOPED_TRACE(seed);
    GeneratorOptions o;
    o.seed = seed;
    o.units = 1500;
    Replayed run = GenerateAndReplay(o);
    EXPECT_TRUE(run.result.truth.anomalies.empty());
    EXPECT_TRUE(run.replay.anomalies.empty());
  }
}

TEST(TruthTest, EveryAnomalyKindIsInjectedAndFoundWhereRecorded) {
  std::map<std::string, int> kinds;
  for (uint64_t seed : {31, 32, 33}) {
    GeneratorOptions o;
    o.seed = seed;
    o.units = 3000;
    o.anomaly_rate = 0.05;
    o.recalls = 3;
    Replayed run = GenerateAndReplay(o);
    ExpectTruthMatchesReplay(run);
    std::map<std::string, const UnitTruth*> units;
    for (const UnitTruth& u : run.result.truth.units) units[u.key] = &u;
    for (const AnomalyTruth& a : run.result.truth.anomalies) {
      SCOPED_TRACE(a.kind + " " + a.unit);
      kinds[a.kind]++;
      // The offending event touches the unit.
      ASSERT_TRUE(units.count(a.unit));
      const std::vector<EventRef>& events = units[a.unit]->events;
      EXPECT_TRUE(std::any_of(
          events.begin(), events.end(),
          [&](const EventRef& e) { return e.event_id == a.event_id; }));
    }
  }
  for (const char* kind :
       {"dispensed_twice", "received_without_shipment",
        "shipped_by_non_custodian", "event_after_decommissioning",
        "expired_shipped", "recalled_moved"}) {
    EXPECT_GT(kinds[kind], 0) << kind;
  }
}

TEST(TruthTest, IsSelfConsistent) {
  GeneratorOptions o;
  o.seed = 77;
  o.units = 2500;
  o.anomaly_rate = 0.02;
  Replayed run = GenerateAndReplay(o);
  const GroundTruth& truth = run.result.truth;
  std::set<std::string> recall_units;
  for (const RecallTruth& r : truth.recalls) {
    EXPECT_FALSE(r.units.empty());
    recall_units.insert(r.units.begin(), r.units.end());
  }
  EXPECT_FALSE(recall_units.empty());
  std::map<std::string, int> statuses;
  std::map<std::string, std::string> lot_of;
  for (const LotTruth& lot : truth.lots) {
    for (const std::string& u : lot.units)
      EXPECT_TRUE(lot_of.emplace(u, lot.key).second) << u;
  }
  for (const UnitTruth& u : truth.units) {
    SCOPED_TRACE(u.key);
    statuses[u.status]++;
    EXPECT_EQ(u.in_recall, recall_units.count(u.key) > 0);
    EXPECT_EQ(lot_of[u.key], u.lot_key);
    ASSERT_FALSE(u.events.empty());
    EXPECT_FALSE(u.events[0].inferred)
        << "the first event is the unit's commissioning";
    if (u.status == "recalled") {
      EXPECT_TRUE(u.in_recall);
    }
  }
  // A realistic spread of final states, not everything dispensed.
  for (const char* s : {"dispensed", "in_stock", "in_transit", "recalled",
                        "expired", "destroyed", "decommissioned"}) {
    EXPECT_GT(statuses[s], 0) << s;
  }
  // Both identifier forms occur, and every step of the flow.
  EXPECT_EQ(run.replay.identifier_forms, (std::set<std::string>{"dl", "epc"}));
  for (const char* step : {"commissioning", "packing", "unpacking", "shipping",
                           "receiving", "dispensing", "decommissioning",
                           "destroying", "inspecting", "holding"}) {
    EXPECT_GT(run.replay.biz_steps[step], 0) << step;
  }
}

}  // namespace
}  // namespace supplychain
