// Trace / Recall / VerifyUnit over real Logs in temp dirs, with hand-made
// signed events.
#include "ledger/trace.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ledger/envelope.h"
#include "ledger/gs1.h"
#include "ledger/log.h"
#include "ledger/trace/trace_internal.h"

namespace ledger::trace {
namespace {

using nlohmann::json;

SigningKey Key(const std::string& name, uint8_t b) {
  std::array<uint8_t, 32> seed;
  seed.fill(b);
  return SigningKey::FromSeed(name, seed);
}

std::string Sgtin(const std::string& serial) {
  return "urn:epc:id:sgtin:0614141.812345." + serial;
}
std::string DigitalLink(const std::string& serial) {
  return "https://id.gs1.org/01/80614141123458/21/" + serial;
}
std::string KeyOf(const std::string& uri) {
  return gs1::ParseIdentifier(uri)->ToString();
}

const char kCase[] = "urn:epc:id:sscc:0614141.1123456789";
const char kPallet[] = "urn:epc:id:sscc:0614141.1123456790";
const char kCase2[] = "urn:epc:id:sscc:0614141.1123456791";

struct PartyDef {
  std::string name, gln, pgln, sgln;
};
const PartyDef kMaker{"maker", "0614141000005", "urn:epc:id:pgln:0614141.00000",
                      "urn:epc:id:sgln:0614141.00000.0"};
const PartyDef kDistributor{"distributor", "4012345000009",
                            "urn:epc:id:pgln:4012345.00000",
                            "urn:epc:id:sgln:4012345.00000.0"};
const PartyDef kHospital{"hospital", "9520001000003",
                         "urn:epc:id:pgln:9520001.00000",
                         "urn:epc:id:sgln:9520001.00000.0"};

class TraceTest : public ::testing::Test {
 public:
  void SetUp() override {
    char tmpl[] = "/tmp/trace_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    logs_.push_back(OpenLog("a"));
    logs_.push_back(OpenLog("b"));
  }
  void TearDown() override {
    logs_.clear();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Log> OpenLog(const std::string& name) {
    LogOptions o;
    o.data_dir = dir_ + "/" + name;
    o.origin = "trace-test.example/" + name;
    o.key = Key(o.origin, 0x40 + static_cast<uint8_t>(name[0]));
    auto log = Log::Open(std::move(o));
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    uint8_t b = 1;
    for (const PartyDef* p : {&kMaker, &kDistributor, &kHospital}) {
      Participant part{p->gln, p->name, "manufacturer",
                       Key(p->name, b++).verifier().ToText(), false};
      EXPECT_TRUE((*log)->AppendParticipant(part, 1000).ok());
    }
    return std::move(log).value();
  }

  static SigningKey KeyOfParty(const PartyDef& p) {
    return Key(p.name, &p == &kMaker ? 1 : &p == &kDistributor ? 2 : 3);
  }

  // Appends `event` signed by `party` to log `log`; returns the event id.
  std::string Append(const json& event, const PartyDef& party, size_t log = 0) {
    auto env = SignEvent(event, KeyOfParty(party));
    EXPECT_TRUE(env.ok());
    auto prepared =
        PrepareEvent(std::move(env).value(), KeyOfParty(party).verifier());
    EXPECT_TRUE(prepared.ok()) << prepared.status().ToString() << "\n"
                               << event.dump();
    std::string id = prepared->event_id;
    std::vector<PreparedEvent> batch;
    batch.push_back(std::move(prepared).value());
    auto out = logs_[log]->AppendEvents(std::move(batch), 2000);
    EXPECT_TRUE(out.ok());
    EXPECT_EQ((*out)[0].status, AppendStatus::kAccepted) << (*out)[0].error;
    return id;
  }

  // An event at minute `minute` of 2026-03-01 UTC.
  static json Event(const char* type, int minute, const char* action,
                    const char* step, const char* disposition,
                    const PartyDef& at) {
    char when[40];
    std::snprintf(when, sizeof(when), "2026-03-01T%02d:%02d:00.000Z",
                  minute / 60, minute % 60);
    json e = {{"type", type},
              {"eventTime", when},
              {"eventTimeZoneOffset", "+00:00"},
              {"bizStep", step},
              {"readPoint", {{"id", at.sgln}}},
              {"bizLocation", {{"id", at.sgln}}}};
    if (action != nullptr) e["action"] = action;
    if (disposition != nullptr) e["disposition"] = disposition;
    return e;
  }
  std::string Commission(int minute, const std::vector<std::string>& epcs,
                         const std::string& lot = "LOT1",
                         const std::string& expiry = "2027-01-31",
                         size_t log = 0) {
    json e =
        Event("ObjectEvent", minute, "ADD", "commissioning", "active", kMaker);
    e["epcList"] = epcs;
    e["ilmd"] = {{"cbvmda:lotNumber", lot},
                 {"cbvmda:itemExpirationDate", expiry}};
    return Append(e, kMaker, log);
  }
  std::string Pack(int minute, bool add, const std::string& parent,
                   const std::vector<std::string>& children,
                   const PartyDef& who, size_t log = 0) {
    json e = Event("AggregationEvent", minute, add ? "ADD" : "DELETE",
                   add ? "packing" : "unpacking", nullptr, who);
    e["parentID"] = parent;
    e["childEPCs"] = children;
    return Append(e, who, log);
  }
  static void AddTransfer(json& e, const PartyDef& from, const PartyDef& to) {
    e["sourceList"] = {{{"type", "possessing_party"}, {"source", from.pgln}}};
    e["destinationList"] = {
        {{"type", "possessing_party"}, {"destination", to.pgln}},
        {{"type", "location"}, {"destination", to.sgln}}};
    e["bizTransactionList"] = {
        {{"type", "po"},
         {"bizTransaction", "urn:epcglobal:cbv:bt:" + to.gln + ":PO1"}}};
  }
  std::string Ship(int minute, const std::vector<std::string>& epcs,
                   const PartyDef& from, const PartyDef& to,
                   const PartyDef& signer, size_t log = 0) {
    json e =
        Event("ObjectEvent", minute, "OBSERVE", "shipping", "in_transit", from);
    e.erase("bizLocation");
    e["epcList"] = epcs;
    AddTransfer(e, from, to);
    return Append(e, signer, log);
  }
  std::string Receive(int minute, const std::vector<std::string>& epcs,
                      const PartyDef& from, const PartyDef& to,
                      size_t log = 0) {
    json e =
        Event("ObjectEvent", minute, "OBSERVE", "receiving", "in_progress", to);
    e["epcList"] = epcs;
    AddTransfer(e, from, to);
    return Append(e, to, log);
  }
  std::string Status(int minute, const std::vector<std::string>& epcs,
                     const char* action, const char* step,
                     const char* disposition, const PartyDef& who,
                     size_t log = 0) {
    json e = Event("ObjectEvent", minute, action, step, disposition, who);
    e["epcList"] = epcs;
    return Append(e, who, log);
  }
  std::string RecallEvent(int minute, const std::string& lot) {
    json e =
        Event("ObjectEvent", minute, "OBSERVE", "holding", "recalled", kMaker);
    e.erase("bizLocation");
    e["quantityList"] = {
        {{"epcClass", "urn:epc:class:lgtin:0614141.812345." + lot}}};
    return Append(e, kMaker);
  }

  std::vector<const Log*> Logs() const {
    std::vector<const Log*> out;
    for (const auto& l : logs_) out.push_back(l.get());
    return out;
  }
  CustodyChain MustTrace(const std::string& id) {
    auto chain = Trace(Logs(), id);
    EXPECT_TRUE(chain.ok()) << chain.status().ToString();
    return chain.ok() ? std::move(chain).value() : CustodyChain{};
  }

  std::string dir_;
  std::vector<std::unique_ptr<Log>> logs_;
};

struct HopView {
  std::string event_id;
  bool inferred;
  std::string via;
  bool operator==(const HopView&) const = default;
};
std::vector<HopView> Hops(const CustodyChain& c) {
  std::vector<HopView> out;
  for (const Hop& h : c.hops) out.push_back({h.event_id, h.inferred, h.via});
  return out;
}
std::ostream& operator<<(std::ostream& os, const HopView& h) {
  return os << "{" << h.event_id.substr(14, 8)
            << (h.inferred ? " via " + h.via : "") << "}";
}

std::set<std::string> Kinds(const CustodyChain& c) {
  std::set<std::string> out;
  for (const Anomaly& a : c.anomalies) out.insert(a.kind);
  return out;
}

TEST_F(TraceTest, InheritsContainerEventsBetweenPackingAndUnpacking) {
  const std::string u1 = Sgtin("1001"), u2 = Sgtin("1002");
  const std::string c = KeyOf(kCase), p = KeyOf(kPallet);
  std::string commission = Commission(1, {u1, u2});
  std::string pack_case = Pack(2, true, kCase, {u1, u2}, kMaker);
  std::string pack_pallet = Pack(3, true, kPallet, {kCase}, kMaker);
  std::string ship = Ship(4, {kPallet}, kMaker, kDistributor, kMaker);
  std::string receive = Receive(5, {kPallet}, kMaker, kDistributor, /*log=*/1);
  std::string unpack_pallet = Pack(6, false, kPallet, {kCase}, kDistributor, 1);
  std::string ship_pallet_again =
      Ship(7, {kPallet}, kDistributor, kHospital, kDistributor, 1);
  std::string ship_case =
      Ship(8, {kCase}, kDistributor, kHospital, kDistributor, 1);
  std::string receive_case = Receive(9, {kCase}, kDistributor, kHospital, 1);
  std::string unpack_u1 = Pack(10, false, kCase, {u1}, kHospital, 1);
  std::string case_after =
      Status(11, {kCase}, "OBSERVE", "inspecting", nullptr, kHospital, 1);
  std::string dispense =
      Status(12, {u1}, "OBSERVE", "dispensing", "dispensed", kHospital, 1);

  CustodyChain chain = MustTrace(u1);
  EXPECT_EQ(Hops(chain), (std::vector<HopView>{{commission, false, ""},
                                               {pack_case, false, ""},
                                               {pack_pallet, true, c},
                                               {ship, true, p},
                                               {receive, true, p},
                                               {unpack_pallet, true, c},
                                               {ship_case, true, c},
                                               {receive_case, true, c},
                                               {unpack_u1, false, ""},
                                               {dispense, false, ""}}));
  EXPECT_EQ(chain.status, UnitStatus::kDispensed);
  EXPECT_EQ(chain.custodian.gln, kHospital.gln);
  EXPECT_EQ(chain.custodian.name, "hospital");
  EXPECT_EQ(chain.location, "414/9520001000003");
  EXPECT_EQ(chain.lot, "LOT1");
  EXPECT_TRUE(chain.anomalies.empty()) << chain.ToJson().dump(1);
  EXPECT_EQ(chain.hops[3].origin, "trace-test.example/a");
  EXPECT_EQ(chain.hops[4].origin, "trace-test.example/b");
  ASSERT_EQ(chain.coverage.size(), 2u);
  EXPECT_EQ(chain.coverage[1].size, logs_[1]->Size());
  // A hop carries the event's places and lists as the event wrote them.
  json transfer;
  AddTransfer(transfer, kDistributor, kHospital);
  const Hop& shipped = chain.hops[6];
  EXPECT_EQ(shipped.source_list, transfer["sourceList"]);
  EXPECT_EQ(shipped.destination_list, transfer["destinationList"]);
  EXPECT_EQ(shipped.biz_transaction_list, transfer["bizTransactionList"]);
  EXPECT_EQ(shipped.read_point, kDistributor.sgln);
  EXPECT_EQ(shipped.biz_location, "");
  EXPECT_EQ(chain.hops[0].biz_location, kMaker.sgln);
  EXPECT_EQ(chain.hops[0].source_list, json::array());

  // u2 stays in the case after u1 is unpacked, so it inherits the later case
  // event.
  CustodyChain chain2 = MustTrace(u2);
  EXPECT_EQ(chain2.hops.back().event_id, case_after);
  EXPECT_EQ(chain2.status, UnitStatus::kInStock);
}

TEST_F(TraceTest, DigitalLinkEpcUriAndCanonicalKeyGiveTheSameChain) {
  Commission(1, {Sgtin("77")});
  Ship(2, {DigitalLink("77")}, kMaker, kDistributor, kMaker);
  Receive(3, {Sgtin("77")}, kMaker, kDistributor);
  const json by_epc = MustTrace(Sgtin("77")).ToJson();
  EXPECT_EQ(by_epc["hops"].size(), 3u);
  EXPECT_EQ(by_epc, MustTrace(DigitalLink("77")).ToJson());
  EXPECT_EQ(by_epc, MustTrace("01/80614141123458/21/77").ToJson());
  EXPECT_EQ(by_epc["status"], "in_stock");
  EXPECT_EQ(by_epc["custodian"]["gln"], kDistributor.gln);
}

TEST_F(TraceTest, EachAnomalyKind) {
  struct Case {
    const char* kind;
    std::function<std::string(TraceTest*, const std::string&)>
        make;  // returns offending id
  };
  const Case cases[] = {
      {"dispensed_twice",
       [](TraceTest* t, const std::string& u) {
         t->Status(2, {u}, "OBSERVE", "dispensing", "dispensed", kMaker);
         return t->Status(3, {u}, "OBSERVE", "dispensing", "dispensed", kMaker);
       }},
      {"received_without_shipment",
       [](TraceTest* t, const std::string& u) {
         return t->Receive(2, {u}, kMaker, kDistributor);
       }},
      {"shipped_by_non_custodian",
       [](TraceTest* t, const std::string& u) {
         return t->Ship(2, {u}, kDistributor, kHospital, kDistributor);
       }},
      {"event_after_decommissioning",
       [](TraceTest* t, const std::string& u) {
         t->Status(2, {u}, "DELETE", "decommissioning", "inactive", kMaker);
         return t->Status(3, {u}, "OBSERVE", "inspecting", nullptr, kMaker);
       }},
      {"expired_shipped",
       [](TraceTest* t, const std::string& u) {
         return t->Ship(2, {u}, kMaker, kDistributor, kMaker);
       }},
      {"recalled_moved",
       [](TraceTest* t, const std::string& u) {
         t->RecallEvent(2, "RLOT");
         return t->Ship(3, {u}, kMaker, kDistributor, kMaker);
       }},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.kind);
    const std::string unit = Sgtin("A" + std::to_string(n++));
    const std::string kind = c.kind;
    const std::string lot =
        kind == "recalled_moved" ? "RLOT" : "LOT" + std::to_string(n);
    // expired_shipped: the lot expired on 2026-02-28, shipped on 2026-03-01.
    Commission(1, {unit}, lot,
               kind == "expired_shipped" ? "2026-02-28" : "2027-01-31");
    const std::string offending = c.make(this, unit);
    CustodyChain chain = MustTrace(unit);
    ASSERT_EQ(chain.anomalies.size(), 1u) << chain.ToJson().dump(1);
    EXPECT_EQ(chain.anomalies[0].kind, kind);
    EXPECT_EQ(chain.anomalies[0].event_id, offending);
    EXPECT_FALSE(chain.anomalies[0].detail.empty());
  }
  // Expiry is the end of the expiry day: shipping on it is fine.
  Commission(1, {Sgtin("B1")}, "LOTB", "2026-03-01");
  Ship(2, {Sgtin("B1")}, kMaker, kDistributor, kMaker);
  EXPECT_TRUE(MustTrace(Sgtin("B1")).anomalies.empty());
}

TEST_F(TraceTest, ErrorDeclarationBySignerSupersedesTheEvent) {
  const std::string u = Sgtin("E1");
  Commission(1, {u});
  json dispense =
      Event("ObjectEvent", 2, "OBSERVE", "dispensing", "dispensed", kMaker);
  dispense["epcList"] = {u};
  dispense["eventID"] = "urn:uuid:2b9c5b6e-1a53-4b2a-9a7e-3f1f6d0b6a11";
  const std::string wrong = Append(dispense, kMaker);
  EXPECT_EQ(MustTrace(u).status, UnitStatus::kDispensed);

  // A declaration by another party is ignored.
  json foreign = dispense;
  foreign["errorDeclaration"] = {
      {"declarationTime", "2026-03-01T00:05:00.000Z"},
      {"reason", "incorrect_data"}};
  Append(foreign, kHospital);
  EXPECT_EQ(MustTrace(u).status, UnitStatus::kDispensed);

  json declaration = dispense;
  declaration["errorDeclaration"] = {
      {"declarationTime", "2026-03-01T00:06:00.000Z"},
      {"reason", "did_not_occur"}};
  Append(declaration, kMaker, /*log=*/1);
  CustodyChain chain = MustTrace(u);
  EXPECT_EQ(chain.status, UnitStatus::kCommissioned);
  EXPECT_EQ(chain.hops.size(), 1u);
  EXPECT_EQ(chain.superseded, std::vector<std::string>{wrong});
  EXPECT_EQ(chain.ToJson()["superseded"][0], wrong);
}

TEST_F(TraceTest, RecallMakesHeldUnitsRecalledButNotDispensedOnes) {
  Commission(1, {Sgtin("R1"), Sgtin("R2")}, "RL");
  Status(2, {Sgtin("R2")}, "OBSERVE", "dispensing", "dispensed", kMaker);
  const std::string recall = RecallEvent(3, "RL");
  Ship(4, {Sgtin("R1")}, kMaker, kDistributor, kMaker);
  Receive(5, {Sgtin("R1")}, kMaker, kDistributor);
  CustodyChain r1 = MustTrace(Sgtin("R1"));
  EXPECT_EQ(r1.status, UnitStatus::kRecalled);
  EXPECT_EQ(r1.custodian.gln, kDistributor.gln);
  EXPECT_EQ(r1.recalls, std::vector<std::string>{recall});
  EXPECT_EQ(Kinds(r1), std::set<std::string>{"recalled_moved"});
  EXPECT_EQ(MustTrace(Sgtin("R2")).status, UnitStatus::kDispensed);
}

TEST_F(TraceTest, UnknownUnitAndBadIds) {
  CustodyChain none = MustTrace(Sgtin("NOPE"));
  EXPECT_EQ(none.status, UnitStatus::kUnknown);
  EXPECT_TRUE(none.hops.empty());
  EXPECT_EQ(none.ToJson()["status"], "unknown");
  const struct {
    const char* id;
    const char* message_part;
  } bad[] = {
      {"urn:epc:class:lgtin:0614141.812345.LOT1", "names a class"},
      {"https://id.gs1.org/01/80614141123458", "names a class"},
      {"not an id", "id: "},
  };
  for (const auto& b : bad) {
    SCOPED_TRACE(b.id);
    auto r = Trace(Logs(), b.id);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_NE(r.status().message().find(b.message_part), std::string::npos)
        << r.status().message();
  }
}

TEST_F(TraceTest, RecallExplodesLotsContainersAndTransformations) {
  Commission(1, {Sgtin("L1"), Sgtin("L2")}, "LOTR");
  Commission(2, {Sgtin("O1")}, "OTHER");
  Commission(3, {Sgtin("P1")}, "OTHER");
  Pack(4, true, kPallet, {Sgtin("P1")}, kMaker);
  json transform =
      Event("TransformationEvent", 5, nullptr, "repackaging", "active", kMaker);
  transform["inputEPCList"] = {Sgtin("L2")};
  transform["outputEPCList"] = {Sgtin("T1")};
  Append(transform, kMaker);
  const std::string recall = RecallEvent(6, "LOTR");
  Ship(7, {Sgtin("L1")}, kMaker, kDistributor, kMaker);
  Receive(8, {Sgtin("L1")}, kMaker, kDistributor);
  Status(9, {Sgtin("L1")}, "OBSERVE", "holding", "recalled", kDistributor);

  RecallSpec spec;
  spec.gtin = "80614141123458";
  spec.lots = {"LOTR"};
  spec.ids = {kPallet};
  auto report = Recall(Logs(), spec);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::vector<std::string> keys;
  for (const RecalledUnit& u : report->units) keys.push_back(u.key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{KeyOf(Sgtin("L1")), KeyOf(Sgtin("L2")),
                                      KeyOf(Sgtin("P1")), KeyOf(Sgtin("T1"))}));
  EXPECT_EQ(report->recall_events, std::vector<std::string>{recall});
  EXPECT_EQ(report->units[0].epc, Sgtin("L1"));
  EXPECT_EQ(report->units[0].status, UnitStatus::kRecalled);
  EXPECT_TRUE(report->units[0].acknowledged);
  EXPECT_EQ(report->units_acknowledged, 1u);
  EXPECT_EQ(report->consignees,
            1u);  // the distributor; the maker's own stock is no consignee
  EXPECT_EQ(report->consignees_acknowledged, 1u);
  EXPECT_EQ(report->counts_by_custodian.at(kDistributor.gln), 1u);
  const std::string csv = report->ToCsv();
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "key,epc,status,custodianGln,custodianName,location,lastEventTime,"
            "acknowledged,acknowledgedAt");
  EXPECT_NE(
      csv.find("01/80614141123458/21/L1," + Sgtin("L1") +
               ",recalled,4012345000009,"
               "distributor,414/4012345000009,2026-03-01T00:09:00.000Z,true,"
               "2026-03-01T00:09:00.000Z\r\n"),
      std::string::npos)
      << csv;
  // Acknowledged on the recall's day: one timeline entry, everything done.
  ASSERT_EQ(report->acknowledgement_timeline.size(), 1u);
  EXPECT_EQ(report->acknowledgement_timeline[0].date, "2026-03-01");
  EXPECT_EQ(report->acknowledgement_timeline[0].units, 1u);
  EXPECT_EQ(report->acknowledgement_timeline[0].consignees, 1u);
  EXPECT_DOUBLE_EQ(report->acknowledgement_timeline[0].consignee_share, 1.0);

  RecallSpec bad;
  bad.gtin = "80614141123457";
  bad.lots = {"X"};
  auto r = Recall(Logs(), bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("gtin"), std::string::npos)
      << r.status().message();
  EXPECT_FALSE(Recall(Logs(), RecallSpec{}).ok());
}

// Units packed in one case share the case's and the pallet's hops but not
// their own last events: each unit's row comes from its own events, whatever
// the batch size (Reader::Prefetch / Release) and the number of threads.
TEST_F(TraceTest, UnitsOfOneCaseKeepTheirOwnEventsInEveryBatchAndThread) {
  std::vector<std::string> case1, case2;
  for (int i = 1; i <= 4; ++i) case1.push_back(Sgtin("C" + std::to_string(i)));
  for (int i = 5; i <= 8; ++i) case2.push_back(Sgtin("C" + std::to_string(i)));
  std::vector<std::string> all = case1;
  all.insert(all.end(), case2.begin(), case2.end());
  Commission(1, all, "LOTC");
  Pack(2, true, kCase, case1, kMaker);
  Pack(3, true, kCase2, case2, kMaker);
  Pack(4, true, kPallet, {kCase, kCase2}, kMaker);
  Ship(5, {kPallet}, kMaker, kDistributor, kMaker);
  Receive(6, {kPallet}, kMaker, kDistributor);
  Pack(7, false, kPallet, {kCase, kCase2}, kDistributor);
  Ship(8, {kCase}, kDistributor, kHospital, kDistributor);
  Receive(9, {kCase}, kDistributor, kHospital);
  Pack(10, false, kCase, case1, kHospital);
  const std::string dispensed =
      Status(11, {case1[0]}, "OBSERVE", "dispensing", "dispensed", kHospital);
  Status(12, {case1[1]}, "DELETE", "decommissioning", "inactive", kHospital);
  Status(13, {case1[2]}, "OBSERVE", "destroying", "destroyed", kHospital);
  Status(14, {case2[1]}, "OBSERVE", "dispensing", "dispensed", kDistributor);
  const std::string recall = RecallEvent(15, "LOTC");

  RecallSpec spec;
  spec.gtin = "80614141123458";
  spec.lots = {"LOTC"};
  auto one = Recall(Logs(), spec);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  const struct {
    std::string epc;
    UnitStatus status;
    const PartyDef* custodian;
    int last_minute;
  } want[] = {
      {case1[0], UnitStatus::kDispensed, &kHospital, 11},
      {case1[1], UnitStatus::kDecommissioned, &kHospital, 12},
      {case1[2], UnitStatus::kDestroyed, &kHospital, 13},
      {case1[3], UnitStatus::kRecalled, &kHospital, 10},
      {case2[0], UnitStatus::kRecalled, &kDistributor, 7},
      {case2[1], UnitStatus::kDispensed, &kDistributor, 14},
      {case2[2], UnitStatus::kRecalled, &kDistributor, 7},
      {case2[3], UnitStatus::kRecalled, &kDistributor, 7},
  };
  ASSERT_EQ(one->units.size(), std::size(want));
  for (const auto& w : want) {
    SCOPED_TRACE(w.epc);
    auto u =
        std::find_if(one->units.begin(), one->units.end(),
                     [&](const RecalledUnit& r) { return r.epc == w.epc; });
    ASSERT_NE(u, one->units.end());
    EXPECT_EQ(u->status, w.status);
    EXPECT_EQ(u->custodian.gln, w.custodian->gln);
    char when[40];
    std::snprintf(when, sizeof(when), "2026-03-01T00:%02d:00.000Z",
                  w.last_minute);
    EXPECT_EQ(u->last_event_time, when);
  }
  EXPECT_EQ(one->units[0].last_event_id, dispensed);
  EXPECT_EQ(one->recall_events, std::vector<std::string>{recall});

  // Batches of 1, 3 or 4096 units, the last ones (each generation's last
  // batch_size keys) cut finer (tail batches of 1 or 2 units) or not (0).
  const size_t saved_batch = internal::RecallBatchSize();
  const size_t saved_threads = internal::RecallThreads();
  const size_t saved_tail = internal::RecallTailBatchSize();
  for (size_t threads : {1, 2, 3}) {
    for (size_t batch : {1, 3, 4096}) {
      for (size_t tail : {0, 1, 2}) {
        SCOPED_TRACE("threads " + std::to_string(threads) + ", batch " +
                     std::to_string(batch) + ", tail batch " +
                     std::to_string(tail));
        internal::RecallThreads() = threads;
        internal::RecallBatchSize() = batch;
        internal::RecallTailBatchSize() = tail;
        auto again = Recall(Logs(), spec);
        ASSERT_TRUE(again.ok()) << again.status().ToString();
        EXPECT_EQ(again->ToJson(), one->ToJson());
        EXPECT_EQ(again->ToCsv(), one->ToCsv());
      }
    }
  }
  internal::RecallBatchSize() = saved_batch;
  internal::RecallThreads() = saved_threads;
  internal::RecallTailBatchSize() = saved_tail;
}

// The Reader's record table answers as a map would over inserts, overwrites,
// lookups and erases (erase shifts later keys of a probe run back), across
// growth, for dense runs of indexes (a batch's entries), sparse ones and
// several logs.
TEST(RecordMapTest, AgreesWithAMapOverRandomOperations) {
  const struct {
    const char* name;
    uint64_t index_range;
    size_t logs;
    int operations;
  } cases[] = {
      {"dense, one log", 3000, 1, 40000},
      {"sparse, one log", uint64_t{1} << 40, 1, 40000},
      {"dense, three logs", 500, 3, 40000},
      {"few keys, many erases", 64, 2, 20000},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<internal::EventRecord> records(16);
    internal::RecordMap map;
    std::map<std::pair<size_t, uint64_t>, internal::EventRecord*> want;
    uint64_t state = 12345;
    auto next = [&state] {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      return state >> 17;
    };
    for (int op = 0; op < c.operations; ++op) {
      const size_t log = next() % c.logs;
      const uint64_t index = next() % c.index_range;
      internal::EventRecord* r = &records[next() % records.size()];
      switch (next() % 4) {
        case 0:
        case 1:
          map.Insert(log, index, r);
          want[{log, index}] = r;
          break;
        case 2:
          map.Erase(log, index);
          want.erase({log, index});
          break;
        default: {
          auto it = want.find({log, index});
          ASSERT_EQ(map.Find(log, index),
                    it == want.end() ? nullptr : it->second)
              << "op " << op << ": (" << log << ", " << index << ")";
        }
      }
      ASSERT_EQ(map.size(), want.size()) << "op " << op;
    }
    // Every key still present is found, and ForEach lists exactly them.
    for (const auto& [at, r] : want) {
      ASSERT_EQ(map.Find(at.first, at.second), r)
          << "(" << at.first << ", " << at.second << ")";
    }
    std::map<std::pair<size_t, uint64_t>, internal::EventRecord*> listed;
    map.ForEach([&](size_t log, uint64_t index, internal::EventRecord* r) {
      listed[{log, index}] = r;
    });
    EXPECT_EQ(listed, want);
    for (const auto& [at, r] : listed) map.Erase(at.first, at.second);
    EXPECT_EQ(map.size(), 0u);
    EXPECT_EQ(map.Find(0, 0), nullptr);
  }
}

// KeyOf's shortcuts for plain SGTIN and SSCC URIs and Digital Links give
// exactly what the full GS1 parser gives, and leave every other form
// (escapes, bad lengths, non-digits, check digits, path prefixes, queries) to
// it.
TEST(KeyOfTest, PlainEpcUrisGiveTheParsersKey) {
  std::vector<std::string> ids;
  const std::string digits = "061414112345678901";
  for (size_t cp = 5; cp <= 13; ++cp) {
    for (size_t total : {12, 13, 14}) {
      if (cp > total) continue;
      const std::string cps = digits.substr(0, cp);
      const std::string ref = digits.substr(cp, total - cp);
      for (const char* serial :
           {"1", "6789", "ABC123xyz", "A%2FB", "x.y", "a-b", "",
            "12345678901234567890", "123456789012345678901"}) {
        ids.push_back("urn:epc:id:sgtin:" + cps + "." + ref + "." + serial);
      }
    }
    for (size_t total : {16, 17, 18}) {
      if (cp > total) continue;
      const std::string ref = (digits + digits).substr(cp, total - cp);
      ids.push_back("urn:epc:id:sscc:" + digits.substr(0, cp) + "." + ref);
      ids.push_back("urn:epc:id:sscc:" + digits.substr(0, cp) + "." + ref +
                    ".1");
    }
  }
  for (const char* id :
       {"urn:epc:id:sgtin:06a4141.812345.1",
        "urn:epc:id:sgtin:0614141.8a2345.1", "urn:epc:id:sgtin:0614141..1",
        "urn:epc:id:sgtin:0614141.812345", "urn:epc:id:sgtin:.0614141812345.1",
        "urn:epc:id:sscc:0614141.", "urn:epc:id:sscc:0614141",
        "urn:epc:id:sscc:06141411123456789a",
        "URN:EPC:ID:SGTIN:0614141.812345.1", "urn:epc:id:sgln:0614141.00000.0",
        "urn:epc:class:lgtin:0614141.812345.LOT1",
        "https://id.gs1.org/01/80614141123458/21/1", "01/80614141123458/21/1",
        "00/106141411234567897", "not an id"}) {
    ids.push_back(id);
  }
  // Digital Links: the plain form (host, /01/GTIN-14/21/serial or
  // /00/SSCC-18) and its near misses.
  for (const char* host :
       {"https://id.gs1.org", "https://dl.udi-ledger.example",
        "https://ID.GS1.org", "https://a-b.c1", "HTTPS://id.gs1.org",
        "http://id.gs1.org", "https://id.gs1.org:443", "https://a_b",
        "https://", "https://id.gs1.org/prefix"}) {
    for (const char* path : {"/01/80614141123458/21/1",
                             "/01/80614141123458/21/ABC123xyz",
                             "/01/80614141123459/21/1",
                             "/01/00614141123452/21/12345678901234567890",
                             "/01/00614141123452/21/123456789012345678901",
                             "/01/0614141123452/21/1",
                             "/01/806141411234580/21/1",
                             "/01/80614141123458/21/",
                             "/01/80614141123458/21/A%2FB",
                             "/01/80614141123458/21/a-b",
                             "/01/80614141123458/21/1/",
                             "/01/80614141123458/21/1?17=261231",
                             "/01/80614141123458/21/1#x",
                             "/01/80614141123458/10/L1",
                             "/01/80614141123458",
                             "/01/8061414112345a/21/1",
                             "/00/106141411234567897",
                             "/00/106141411234567898",
                             "/00/10614141123456789",
                             "/00/1061414112345678970",
                             "/414/0614141000005",
                             "/01/80614141123458/22/1/10/L/21/2"}) {
      ids.push_back(std::string(host) + path);
    }
  }
  for (const std::string& id : ids) {
    SCOPED_TRACE(id);
    Result<gs1::Gs1Key> key = gs1::ParseIdentifier(id);
    const std::string want = key.ok() ? key->ToString()
                             : internal::ParseKeyOrUri(id).ok()
                                 ? internal::ParseKeyOrUri(id)->ToString()
                                 : id;
    EXPECT_EQ(internal::KeyOf(id), want);
    // KeyInto overwrites whatever its buffer held.
    std::string reused = "01/00000000000000/21/a previous, longer key";
    internal::KeyInto(id, &reused);
    EXPECT_EQ(reused, want);
  }
}

// ReadEventText skips the members a query does not use without copying them,
// but still rejects text a full JSON parse would (bad escapes, raw control
// characters, lone surrogates, unterminated strings), in skipped strings and
// member names as in read ones.
TEST(ReadEventTextTest, SkippedStringsAreCheckedAsReadOnes) {
  const std::string head =
      R"({"type":"ObjectEvent","eventTime":"2026-03-01T00:00:00.000Z",)";
  const std::string tail =
      R"("bizStep":"shipping","epcList":["urn:epc:id:sgtin:0614141.812345.7"]})";
  struct Case {
    std::string name;
    std::string member;  // inserted between head and tail
    bool ok;
  };
  const std::vector<Case> cases = {
      {"plain skipped string", R"("x":"abc",)", true},
      {"short escapes", R"("x":"a\"b\\c\/d\b\f\n\r\t",)", true},
      {"unicode escapes and a surrogate pair", R"("x":"\u00e9\ud83d\ude00",)",
       true},
      {"escaped member name", R"("\u0078y":{"a":["b\n",1,true,null]},)", true},
      {"nested skipped object", R"("x":{"k":{"l":"\u0041"}},)", true},
      {"bad short escape", R"("x":"a\qb",)", false},
      {"bad unicode escape", R"("x":"\u00g9",)", false},
      {"lone low surrogate", R"("x":"\udc00",)", false},
      {"high surrogate without its low half", R"("x":"\ud83dx",)", false},
      {"raw control character", "\"x\":\"a\tb\",", false},
      {"bad escape in a skipped member name", R"("\qx":1,)", false},
      {"bad escape in a nested string", R"("x":["\u12"],)", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    internal::EventRecord r;
    Status st = internal::ReadEventText(head + c.member + tail, &r);
    EXPECT_EQ(st.ok(), c.ok) << st.ToString();
    if (c.ok) {
      EXPECT_EQ(r.facts.biz_step, "shipping");
      EXPECT_EQ(r.written,
                std::vector<std::string>{"urn:epc:id:sgtin:0614141.812345.7"});
    } else {
      EXPECT_NE(st.ToString().find("offset"), std::string::npos)
          << st.ToString();
    }
  }
  // Unterminated: the text ends inside a skipped string.
  internal::EventRecord r;
  EXPECT_FALSE(internal::ReadEventText(head + R"("x":"abc)", &r).ok());
}

TEST_F(TraceTest, VerifyUnitAnswers) {
  Commission(1, {Sgtin("V1")}, "LOTV", "2026-12-31");
  const int64_t march = 1772409600000;  // 2026-03-02T00:00:00Z
  auto ok = VerifyUnit(Logs(), DigitalLink("V1") + "?17=261231", "LOTV",
                       std::nullopt, march);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->exists);
  EXPECT_TRUE(ok->active) << ok->ToJson().dump();
  EXPECT_EQ(ok->expiry_matches, std::optional<bool>(true));
  EXPECT_EQ(ok->commissioned_by.gln, kMaker.gln);

  auto wrong = VerifyUnit(Logs(), Sgtin("V1"), "LOTX", "2027-01-01", march);
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->lot_matches, std::optional<bool>(false));
  EXPECT_EQ(wrong->expiry_matches, std::optional<bool>(false));
  EXPECT_FALSE(wrong->active);

  auto later = VerifyUnit(Logs(), Sgtin("V1"), std::nullopt, std::nullopt,
                          march + 400LL * 86400000);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->expired);
  EXPECT_FALSE(later->active);

  auto unknown =
      VerifyUnit(Logs(), Sgtin("V9"), std::nullopt, std::nullopt, march);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->exists);
  EXPECT_FALSE(unknown->active);

  auto bad = VerifyUnit(Logs(), Sgtin("V1"), std::nullopt, "31.12.2026", march);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("expiry"), std::string::npos);
}

}  // namespace
}  // namespace ledger::trace
