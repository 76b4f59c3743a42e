#include "tools/supplychain/events.h"

#include "tools/supplychain/identifiers.h"

namespace supplychain {
namespace {

using nlohmann::json;

json NewEvent(const char* type, const char* action, int64_t time_ms,
              const Party& party) {
  json e = json::object();
  e["type"] = type;
  if (action != nullptr) e["action"] = action;
  e["eventTime"] = FormatEventTime(time_ms, party.offset_minutes, party.use_z);
  e["eventTimeZoneOffset"] = FormatOffset(party.offset_minutes);
  return e;
}

json Place(const std::string& id) { return json{{"id", id}}; }

// Read point extensions: "1" receiving dock, "2" shipping dock, "3" packing
// line / dispensary.
constexpr char kReceivingDock[] = "1";
constexpr char kShippingDock[] = "2";
constexpr char kWorkArea[] = "3";

std::string BizTransaction(const Party& party, const char* kind,
                           uint64_t number) {
  return "urn:epcglobal:cbv:bt:" + party.gln + ":" + kind +
         std::to_string(number);
}

void AddTransferLists(json& e, const Transfer& t) {
  e["sourceList"] = json::array({
      {{"type", "owning_party"}, {"source", t.from->pgln}},
      {{"type", "possessing_party"}, {"source", t.from->pgln}},
      {{"type", "location"}, {"source", t.from->sites[t.from_site].sgln}},
  });
  e["destinationList"] = json::array({
      {{"type", "owning_party"}, {"destination", t.to->pgln}},
      {{"type", "possessing_party"}, {"destination", t.to->pgln}},
      {{"type", "location"}, {"destination", t.to->sites[t.to_site].sgln}},
  });
  e["bizTransactionList"] = json::array({
      {{"type", "po"},
       {"bizTransaction", BizTransaction(*t.to, "PO", t.number)}},
      {{"type", "desadv"},
       {"bizTransaction", BizTransaction(*t.from, "DA", t.number)}},
  });
}

}  // namespace

json CommissionEvent(int64_t time_ms, const Party& maker, size_t site,
                     const Ids& epcs, const std::string& lot,
                     const std::string& expiry) {
  json e = NewEvent("ObjectEvent", "ADD", time_ms, maker);
  e["epcList"] = epcs;
  e["bizStep"] = "commissioning";
  e["disposition"] = "active";
  e["readPoint"] = Place(maker.ReadPoint(site, kWorkArea));
  e["bizLocation"] = Place(maker.sites[site].sgln);
  e["ilmd"] = {{"cbvmda:lotNumber", lot},
               {"cbvmda:itemExpirationDate", expiry}};
  return e;
}

json AggregationEvent(int64_t time_ms, const Party& party, size_t site,
                      bool add, const std::string& parent,
                      const Ids& children) {
  json e = NewEvent("AggregationEvent", add ? "ADD" : "DELETE", time_ms, party);
  e["parentID"] = parent;
  e["childEPCs"] = children;
  e["bizStep"] = add ? "packing" : "unpacking";
  if (add) e["disposition"] = "in_progress";
  e["readPoint"] = Place(party.ReadPoint(site, kWorkArea));
  e["bizLocation"] = Place(party.sites[site].sgln);
  return e;
}

json ShipEvent(int64_t time_ms, const Transfer& transfer, const Ids& epcs) {
  json e = NewEvent("ObjectEvent", "OBSERVE", time_ms, *transfer.from);
  e["epcList"] = epcs;
  e["bizStep"] = "shipping";
  e["disposition"] = "in_transit";
  e["readPoint"] =
      Place(transfer.from->ReadPoint(transfer.from_site, kShippingDock));
  AddTransferLists(e, transfer);
  return e;
}

json ReceiveEvent(int64_t time_ms, const Transfer& transfer, const Ids& epcs) {
  json e = NewEvent("ObjectEvent", "OBSERVE", time_ms, *transfer.to);
  e["epcList"] = epcs;
  e["bizStep"] = "receiving";
  e["disposition"] = "in_progress";
  e["readPoint"] =
      Place(transfer.to->ReadPoint(transfer.to_site, kReceivingDock));
  e["bizLocation"] = Place(transfer.to->sites[transfer.to_site].sgln);
  AddTransferLists(e, transfer);
  return e;
}

json StatusEvent(int64_t time_ms, const Party& party, size_t site,
                 const char* action, const char* biz_step,
                 const char* disposition, const Ids& epcs) {
  json e = NewEvent("ObjectEvent", action, time_ms, party);
  e["epcList"] = epcs;
  e["bizStep"] = biz_step;
  e["disposition"] = disposition;
  e["readPoint"] = Place(party.ReadPoint(site, kWorkArea));
  e["bizLocation"] = Place(party.sites[site].sgln);
  return e;
}

json RecallEvent(int64_t time_ms, const Party& party,
                 const RecallNotice& notice) {
  json e = NewEvent("ObjectEvent", "OBSERVE", time_ms, party);
  e["@context"] = json::array({kEpcisContext, {{"udi", kUdiNamespace}}});
  json quantities = json::array();
  for (const std::string& lgtin : notice.lgtins)
    quantities.push_back({{"epcClass", lgtin}});
  e["quantityList"] = quantities;
  e["bizStep"] = "holding";
  e["disposition"] = "recalled";
  e["readPoint"] = Place(party.sites[0].sgln);
  e["udi:recall"] = {
      {"recallNumber", notice.number}, {"class", notice.recall_class},
      {"reason", notice.reason},       {"gtin", notice.gtin},
      {"lots", notice.lots},           {"issuer", party.pgln}};
  return e;
}

}  // namespace supplychain
