// EPCIS 2.0 event JSON for each business step of the simulation (CBV 2.0
// bare-name vocabulary). Pure functions; identifiers arrive already formatted
// (EPC URI or GS1 Digital Link).
#ifndef UDI_TOOLS_SUPPLYCHAIN_EVENTS_H_
#define UDI_TOOLS_SUPPLYCHAIN_EVENTS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/supplychain/world.h"

namespace supplychain {

// The JSON-LD namespace of our extension members ("udi:recall").
inline constexpr char kUdiNamespace[] = "https://udi-ledger.example/ns/epcis#";
inline constexpr char kEpcisContext[] =
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

using Ids = std::vector<std::string>;

// ObjectEvent ADD, commissioning, active, with ilmd cbvmda:lotNumber /
// cbvmda:itemExpirationDate.
nlohmann::json CommissionEvent(int64_t time_ms, const Party& maker, size_t site,
                               const Ids& epcs, const std::string& lot,
                               const std::string& expiry);

// AggregationEvent ADD/packing or DELETE/unpacking at `site` of `party`.
nlohmann::json AggregationEvent(int64_t time_ms, const Party& party,
                                size_t site, bool add,
                                const std::string& parent, const Ids& children);

// A hand-over from one party's site to another's.
struct Transfer {
  const Party* from = nullptr;
  size_t from_site = 0;
  const Party* to = nullptr;
  size_t to_site = 0;
  uint64_t number = 0;  // purchase order / despatch advice number
};
// ObjectEvent OBSERVE, shipping, in_transit, signed by transfer.from.
nlohmann::json ShipEvent(int64_t time_ms, const Transfer& transfer,
                         const Ids& epcs);
// ObjectEvent OBSERVE, receiving, in_progress, signed by transfer.to.
nlohmann::json ReceiveEvent(int64_t time_ms, const Transfer& transfer,
                            const Ids& epcs);

// ObjectEvent with `action`, `biz_step`, `disposition` at `site` of `party`
// (dispensing, decommissioning, destroying, inspecting/expired).
nlohmann::json StatusEvent(int64_t time_ms, const Party& party, size_t site,
                           const char* action, const char* biz_step,
                           const char* disposition, const Ids& epcs);

struct RecallNotice {
  std::string number;  // e.g. "RCL-2026-0001"
  std::string recall_class;
  std::string reason;
  std::string gtin;
  std::vector<std::string> lots;
  Ids lgtins;  // epcClass of each lot (EPC class URI or Digital Link)
};
// ObjectEvent OBSERVE, holding, recalled, quantityList of the lots,
// "udi:recall" member.
nlohmann::json RecallEvent(int64_t time_ms, const Party& party,
                           const RecallNotice& notice);

}  // namespace supplychain

#endif  // UDI_TOOLS_SUPPLYCHAIN_EVENTS_H_
