// One barcode scan, as a scanner transmits it, recognised and parsed; and its
// JSON form (the output of `ledger-scan parse`).
//
// Recognition:
//   "]C1" GS1-128, "]d2" GS1 DataMatrix, "]Q3" GS1 QR Code, "]e0" GS1 DataBar,
//   "]J1" GS1 DotCode:
//       a GS1 element string (unbracketed, FNC1 as GS).
//   any other AIM symbology identifier ("]d1", "]Q1", "]C0", "]A0", ...): a GS1
//   Digital Link URI
//       if the data starts with http:// or https://, HIBC if it starts with
//       '+', otherwise the error "not GS1 data (symbology identifier ]d1)".
//   no symbology identifier: '(' starts the bracketed form, http(s):// a
//   Digital Link, '+' HIBC,
//       a digit or GS an unbracketed element string.
//
// Pure functions, no I/O, thread-safe.
#ifndef UDI_SCANNERS_SCAN_H_
#define UDI_SCANNERS_SCAN_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/status.h"
#include "scanners/epc_binary.h"
#include "scanners/gs1_element_string.h"
#include "scanners/hibc.h"

namespace scanners {

enum class ScanScheme { kGs1, kHibc };

struct Gs1Scan {
  std::string symbology;  // "]d2", ... or "" when the scanner sent none
  bool from_digital_link = false;
  std::vector<Gs1Element>
      elements;  // in the order read (Digital Link: path, then query)
  // Digital Link query parameters that are not AIs (e.g. "linkType"): ignored
  // for the identification but kept, in order.
  std::vector<std::pair<std::string, std::string>> other_query;
  // Convenience copies: AI 01, 10, 21, and AI 17 as "YYYY-MM-DD" (day 00 = end
  // of month).
  std::string gtin, lot, serial, expiry;
  std::string digital_link;  // canonical https://id.gs1.org/... form; empty
                             // without a primary key
};

struct Scan {
  ScanScheme scheme = ScanScheme::kGs1;
  Gs1Scan gs1;    // when scheme == kGs1
  HibcData hibc;  // when scheme == kHibc
};

// Replaces "\x1d" written out as four characters (either case) with the GS
// byte, so scans can be typed or stored as text.
std::string DecodeGsEscapes(std::string_view line);

// Recognises and parses one scan. `today_year` anchors the GS1 two-digit-year
// window (§7.12).
ledger::Result<Scan> ParseScan(std::string_view data, int today_year);

// One JSON object (no newline) for a scan or its error:
//   {"ok":true,"scheme":"GS1","elements":[{"ai":"01","value":"..."},...],"gtin":...,"lot":...,
//    "serial":...,"expiry":"YYYY-MM-DD","digitalLink":"https://id.gs1.org/..."}
//   {"ok":true,"scheme":"HIBC","lic":...,"pcn":...,"unitOfMeasure":1,"lot":...,"serial":...,
//    "expiry":"YYYY-MM-DD"}
//   {"ok":false,"error":"..."}
// Fields without a value are left out. GS1 adds "otherQuery"
// ([{"name":..,"value":..}]) when a Digital Link carried unknown query
// parameters; HIBC adds "expiryHour", "manufactureDate", "quantity" and "link"
// when present.
std::string ScanToJson(const ledger::Result<Scan>& scan);

// {"ok":true,"scheme":"SGTIN-96","filter":3,"gtin":...,"serial":...,"epc":"urn:epc:id:..."};
// SSCC-96: "sscc"; SGLN-96: "gln", "extension"; GRAI-96: "grai" (the AI 8003
// value); GIAI-96: "giai". Errors as above.
std::string EpcToJson(const ledger::Result<EpcTag>& tag);

}  // namespace scanners

#endif  // UDI_SCANNERS_SCAN_H_
