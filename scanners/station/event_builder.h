// From a parsed scan or RFID read to an EPCIS 2.0 event (JSON, unsigned).
//
// Identification (barcodes):
//   AI 01 + AI 21      -> an instance: epcList
//   "https://id.gs1.org/01/<gtin>/21/<serial>" AI 01 + AI 10      -> a class:
//   quantityList {"epcClass": ".../01/<gtin>/10/<lot>",
//                         "quantity": 1} (the LGTIN class)
//   AI 01 alone        -> a class: quantityList {"epcClass": ".../01/<gtin>",
//   "quantity": 1} AI 00              -> an instance ".../00/<sscc>" AI 8003
//   (with a serial part) / AI 8004 -> an instance (GRAI / GIAI)
// HIBC (no GS1 key) is named in the CBV 2.0 HTTP URL form for non-GS1
// identifiers (CBV 8.3: "https://<domain>/obj/..." for instances,
// ".../class/..." for classes) under kHibcUriBase, with the HIBC UDI-DI
// P = labeler code + product number + unit of measure digit:
//   serial present     -> instance ".../hibc/obj/<P>/<serial>"
//   lot, no serial     -> class    ".../hibc/class/<P>/<lot>"
//   neither            -> class    ".../hibc/class/<P>"
// (segments percent-encoded; a secondary-only symbol names no product).
// RFID tags are instances named by their EPC pure-identity URI
// ("urn:epc:id:sgtin:0614141.812345.6789").
//
// Pure functions, thread-safe.
#ifndef UDI_SCANNERS_STATION_EVENT_BUILDER_H_
#define UDI_SCANNERS_STATION_EVENT_BUILDER_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ledger/status.h"
#include "scanners/epc_binary.h"
#include "scanners/scan.h"
#include "scanners/station/config.h"

namespace station {

// The namespace of HIBC identifiers (scanners/README.md, "HIBC scans").
inline constexpr char kHibcUriBase[] = "https://udi-ledger.org/hibc";

struct Identified {
  bool is_class = false;  // quantityList / childQuantityList rather than
                          // epcList / childEPCs
  bool is_logistic_unit = false;  // an SSCC: can be a packing parent
  std::string uri;                // EPC URI or GS1 Digital Link
  std::string lot;                // AI 10, for the ilmd of commissioning events
  std::string expiry;    // "YYYY-MM-DD", for the ilmd of commissioning events
  bool is_hibc = false;  // named by a non-GS1 (HIBC) URI
};

// InvalidArgument naming why the scan names no object ("HIBC: ...").
ledger::Result<Identified> IdentifyBarcode(const scanners::Scan& scan);
// Every supported tag scheme has a pure-identity URI; SSCC-96 tags are logistic
// units.
Identified IdentifyTag(const scanners::EpcTag& tag);

// "2026-11-26T10:15:30.123Z" for milliseconds since the epoch.
std::string FormatEventTime(int64_t unix_ms);

// An ObjectEvent with config.action, bizStep, disposition, readPoint,
// bizLocation, sourceList, destinationList. With action ADD, lot and expiry go
// into ilmd (cbvmda:lotNumber, cbvmda:itemExpirationDate).
nlohmann::json BuildObjectEvent(const StationConfig& config,
                                const Identified& what, int64_t unix_ms);

// An AggregationEvent (action ADD) packing `children` into `parent`.
// Class-level children are counted per class into childQuantityList.
nlohmann::json BuildAggregationEvent(const StationConfig& config,
                                     const Identified& parent,
                                     const std::vector<Identified>& children,
                                     int64_t unix_ms);

}  // namespace station

#endif  // UDI_SCANNERS_STATION_EVENT_BUILDER_H_
