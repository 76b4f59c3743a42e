// truth.json, written one unit at a time so that large truths need no second
// copy as a JSON tree.
#include <ostream>

#include "supplychain/generator.h"

namespace supplychain {
namespace {

using nlohmann::json;

json UnitJson(const UnitTruth& u) {
  json events = json::array();
  for (const EventRef& e : u.events) {
    events.push_back({{"eventId", e.event_id}, {"inferred", e.inferred}});
  }
  return {{"epc", u.epc},
          {"digitalLink", u.digital_link},
          {"lot", u.lot_key},
          {"manufacturer", u.manufacturer},
          {"status", u.status},
          {"custodian", u.custodian},
          {"location", u.location},
          {"locationEpc", u.location_epc},
          {"inRecall", u.in_recall},
          {"events", events}};
}

}  // namespace

void GroundTruth::WriteJson(std::ostream& out) const {
  out << "{\"format\":\"udi-gen-truth/1\",\"eventCount\":" << event_count
      << ",\n\"units\":{";
  for (size_t i = 0; i < units.size(); ++i) {
    out << (i ? ",\n" : "\n") << json(units[i].key).dump() << ':'
        << UnitJson(units[i]).dump();
  }
  out << "},\n\"lots\":{";
  for (size_t i = 0; i < lots.size(); ++i) {
    const LotTruth& l = lots[i];
    json j = {{"gtin", l.gtin},
              {"lot", l.lot},
              {"expiry", l.expiry},
              {"manufacturer", l.manufacturer},
              {"units", l.units}};
    out << (i ? ",\n" : "\n") << json(l.key).dump() << ':' << j.dump();
  }
  out << "},\n\"anomalies\":[";
  for (size_t i = 0; i < anomalies.size(); ++i) {
    const AnomalyTruth& a = anomalies[i];
    json j = {{"kind", a.kind}, {"unit", a.unit}, {"eventId", a.event_id}};
    out << (i ? ",\n" : "\n") << j.dump();
  }
  out << "],\n\"recalls\":[";
  json recall_set = json::array();
  for (size_t i = 0; i < recalls.size(); ++i) {
    const RecallTruth& r = recalls[i];
    json j = {{"eventId", r.event_id},   {"signer", r.signer},
              {"gtin", r.gtin},          {"lots", r.lots},
              {"class", r.recall_class}, {"units", r.units}};
    if (!r.acknowledgements.empty()) {
      json acks = json::array();
      for (const AcknowledgementTruth& a : r.acknowledgements) {
        acks.push_back({{"unit", a.unit},
                        {"party", a.party},
                        {"eventId", a.event_id},
                        {"timeMs", a.time_ms}});
      }
      j["acknowledgements"] = std::move(acks);
    }
    out << (i ? ",\n" : "\n") << j.dump();
    for (const std::string& u : r.units) recall_set.push_back(u);
  }
  out << "],\n\"recallSet\":" << recall_set.dump() << "}\n";
}

}  // namespace supplychain
