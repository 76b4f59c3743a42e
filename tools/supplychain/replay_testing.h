// Test helper: an independent recomputation of the ground truth from the
// envelopes alone, using only the ledger's public parsing (Envelope::FromJson,
// epcis::ValidateEvent, canonical GS1 keys). It shares no code with the
// generator, so agreement means the truth says what the events say. The status
// rules are the ones README.md documents.
#ifndef UDI_TOOLS_SUPPLYCHAIN_REPLAY_TESTING_H_
#define UDI_TOOLS_SUPPLYCHAIN_REPLAY_TESTING_H_

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ledger/envelope.h"
#include "ledger/epcis.h"
#include "ledger/jcs.h"
#include "supplychain/generator.h"

namespace supplychain::testing {

class Replay {
 public:
  struct Unit {
    std::string lot_key;
    std::string status;
    std::string custodian;
    std::string location;
    std::vector<EventRef> events;
    bool pending = false;
    bool dispensed = false;
    int commissioned = 0;
  };

  explicit Replay(const std::vector<PartyInfo>& parties) {
    for (const PartyInfo& p : parties) {
      ledger::Result<ledger::VerifierKey> key =
          ledger::VerifierKey::Parse(p.verifier_key);
      if (key.ok()) gln_of_signer_[key->KeyId()] = p.gln;
    }
  }

  // Applies one envelope line; returns "" or what was wrong with it.
  std::string ApplyLine(const std::string& line) {
    ledger::Result<nlohmann::json> parsed = ledger::ParseJsonStrict(line);
    if (!parsed.ok()) return "line: " + parsed.status().message();
    ledger::Result<ledger::Envelope> env = ledger::Envelope::FromJson(*parsed);
    if (!env.ok()) return "envelope: " + env.status().message();
    ledger::Result<ledger::epcis::EventFacts> facts =
        ledger::epcis::ValidateEvent(env->event);
    if (!facts.ok()) return "event: " + facts.status().message();
    ledger::Result<std::string> canonical =
        ledger::CanonicalEventBytes(env->event);
    if (!canonical.ok()) return "canonical: " + canonical.status().message();
    auto signer = gln_of_signer_.find(env->signer);
    if (signer == gln_of_signer_.end()) return "unknown signer " + env->signer;
    if (facts->event_time_ms <= last_time_ms_)
      return "eventTime not after the previous event";
    last_time_ms_ = facts->event_time_ms;
    Apply(env->event, *facts, ledger::EventIdFromCanonical(*canonical),
          signer->second);
    return "";
  }

  std::map<std::string, Unit> units;
  std::vector<std::string> unit_order;
  std::map<std::string, std::vector<std::string>> lot_units;
  std::vector<AnomalyTruth> anomalies;
  // event_id, signer, lots (as EPC class keys), units.
  std::vector<RecallTruth> recalls;
  // Aggregation and commissioning rule breaks.
  std::vector<std::string> violations;
  std::map<std::string, int> biz_steps;
  std::set<std::string> identifier_forms;  // "epc", "dl" per identifier seen

 private:
  static bool IsUnit(const std::string& key) {
    return key.rfind("01/", 0) == 0;
  }

  void CollectUnits(const std::string& key,
                    std::vector<std::string>* out) const {
    if (IsUnit(key)) {
      out->push_back(key);
      return;
    }
    auto it = children_.find(key);
    if (it == children_.end()) return;
    for (const std::string& child : it->second) CollectUnits(child, out);
  }

  void Touch(const std::string& key, bool inferred,
             std::vector<std::pair<std::string, bool>>* out) {
    if (IsUnit(key)) {
      out->push_back({key, inferred});
      return;
    }
    std::vector<std::string> inside;
    CollectUnits(key, &inside);
    for (const std::string& u : inside) out->push_back({u, true});
  }

  void Anomaly(const char* kind, const std::string& unit,
               const std::string& id) {
    anomalies.push_back({kind, unit, id});
  }

  bool Expired(const Unit& u, int64_t time_ms) const {
    return time_ms >= lot_expiry_end_ms_.at(u.lot_key);
  }

  void Apply(const nlohmann::json& event, const ledger::epcis::EventFacts& f,
             const std::string& id, const std::string& signer) {
    biz_steps[f.biz_step]++;
    for (const char* member : {"epcList", "childEPCs"}) {
      if (!event.contains(member)) continue;
      for (const auto& uri : event[member]) {
        identifier_forms.insert(
            uri.get<std::string>().rfind("urn:epc:", 0) == 0 ? "epc" : "dl");
      }
    }
    if (f.disposition == "recalled" && !f.epc_classes.empty()) {
      ApplyRecall(f, id, signer);
      return;
    }
    std::vector<std::pair<std::string, bool>> touched;
    if (f.type == ledger::epcis::EventType::kAggregationEvent) {
      for (const std::string& child : f.children) Touch(child, false, &touched);
    } else {
      for (const std::string& epc : f.epcs) Touch(epc, false, &touched);
    }
    if (f.biz_step == "commissioning") Commission(event, f);
    for (const auto& [key, inferred] : touched)
      ApplyToUnit(key, inferred, f, id, signer);
    if (f.type == ledger::epcis::EventType::kAggregationEvent) Aggregate(f);
  }

  void Commission(const nlohmann::json& event,
                  const ledger::epcis::EventFacts& f) {
    const std::string lot = event["ilmd"]["cbvmda:lotNumber"];
    const std::string expiry = event["ilmd"]["cbvmda:itemExpirationDate"];
    for (const std::string& key : f.epcs) {
      const std::string gtin = key.substr(3, 14);
      const std::string lot_key = "01/" + gtin + "/10/" + lot;
      ledger::Result<int64_t> start =
          ledger::epcis::ParseRfc3339Millis(expiry + "T00:00:00Z");
      if (!start.ok()) violations.push_back("bad expiry " + expiry);
      lot_expiry_end_ms_[lot_key] = (start.ok() ? *start : 0) + 86'400'000;
      Unit& u = units[key];
      if (u.commissioned++ == 0) {
        unit_order.push_back(key);
        lot_units[lot_key].push_back(key);
      } else {
        violations.push_back(key + ": commissioned twice");
      }
      u.lot_key = lot_key;
    }
  }

  void Aggregate(const ledger::epcis::EventFacts& f) {
    for (const std::string& child : f.children) {
      if (f.action == "ADD") {
        if (parent_.count(child))
          violations.push_back(child + ": packed while already packed");
        parent_[child] = f.parent;
        children_[f.parent].insert(child);
      } else {
        auto it = parent_.find(child);
        if (it == parent_.end() || it->second != f.parent) {
          violations.push_back(child + ": unpacked from " + f.parent +
                               " without being in it");
          continue;
        }
        parent_.erase(it);
        children_[f.parent].erase(child);
      }
    }
  }

  void ApplyToUnit(const std::string& key, bool inferred,
                   const ledger::epcis::EventFacts& f, const std::string& id,
                   const std::string& signer) {
    auto it = units.find(key);
    if (it == units.end()) {
      violations.push_back(key + ": event " + id + " before commissioning");
      return;
    }
    Unit& u = it->second;
    u.events.push_back({id, inferred});
    if (u.status == "decommissioned" || u.status == "destroyed") {
      Anomaly("event_after_decommissioning", key, id);
    }
    const bool recalled_lot = recalled_lots_.count(u.lot_key) > 0;
    const std::string& step = f.biz_step;
    if (step == "commissioning") {
      u.status = "commissioned";
      u.custodian = signer;
      u.location = f.biz_location;
    } else if (step == "shipping") {
      if (signer != u.custodian) Anomaly("shipped_by_non_custodian", key, id);
      if (recalled_lot) Anomaly("recalled_moved", key, id);
      if (Expired(u, f.event_time_ms)) Anomaly("expired_shipped", key, id);
      u.pending = true;
      if (u.status != "recalled") u.status = "in_transit";
    } else if (step == "receiving") {
      if (!u.pending) Anomaly("received_without_shipment", key, id);
      u.pending = false;
      u.custodian = signer;
      u.location = f.biz_location;
      if (u.status != "recalled") u.status = "in_stock";
    } else if (step == "dispensing") {
      if (u.dispensed) Anomaly("dispensed_twice", key, id);
      if (recalled_lot) Anomaly("recalled_moved", key, id);
      u.dispensed = true;
      u.status = "dispensed";
    } else if (step == "decommissioning") {
      u.status = "decommissioned";
    } else if (step == "destroying") {
      u.status = "destroyed";
    } else if (f.disposition == "expired") {
      u.status = "expired";
    }
  }

  void ApplyRecall(const ledger::epcis::EventFacts& f, const std::string& id,
                   const std::string& signer) {
    RecallTruth r;
    r.event_id = id;
    r.signer = signer;
    for (const std::string& lot_key : f.epc_classes) {
      r.lots.push_back(lot_key);
      recalled_lots_.insert(lot_key);
      for (const std::string& key : lot_units[lot_key]) {
        r.units.push_back(key);
        std::string& s = units[key].status;
        if (s == "commissioned" || s == "in_transit" || s == "in_stock")
          s = "recalled";
      }
    }
    recalls.push_back(std::move(r));
  }

  std::map<std::string, std::string> gln_of_signer_;
  std::map<std::string, std::string> parent_;
  std::map<std::string, std::set<std::string>> children_;
  std::map<std::string, int64_t> lot_expiry_end_ms_;
  std::set<std::string> recalled_lots_;
  int64_t last_time_ms_ = INT64_MIN;
};

}  // namespace supplychain::testing

#endif  // UDI_TOOLS_SUPPLYCHAIN_REPLAY_TESTING_H_
