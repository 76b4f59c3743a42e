#include "scanners/scan.h"

#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string>

#include "ledger/gs1.h"
#include "scanners/charset_internal.h"

namespace scanners {
namespace {

using ledger::Result;
using ledger::Status;
using Json = nlohmann::ordered_json;

// AIM symbology identifiers whose data is a GS1 element string (GS1 General
// Specifications §5.1.2 / ISO/IEC 15424).
constexpr std::array<std::string_view, 5> kGs1Symbologies = {
    "]C1", "]d2", "]Q3", "]e0", "]J1"};

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i])
      return false;
  }
  return true;
}

bool IsUri(std::string_view s) {
  return StartsWithNoCase(s, "https://") || StartsWithNoCase(s, "http://");
}

// Fills the convenience fields and the canonical Digital Link.
Status Complete(Gs1Scan& scan, int today_year) {
  for (const Gs1Element& e : scan.elements) {
    if (e.ai == "01") scan.gtin = e.value;
    if (e.ai == "10") scan.lot = e.value;
    if (e.ai == "21") scan.serial = e.value;
    if (e.ai == "17") {
      Result<std::string> date =
          ledger::gs1::ExpandYymmdd(e.value, today_year, true);
      if (!date.ok()) return date.status().WithPrefix("AI 17");
      scan.expiry = *date;
    }
  }
  scan.digital_link = BuildDigitalLink(scan.elements);
  return Status::OK();
}

Result<Scan> Gs1FromElements(Result<std::vector<Gs1Element>> elements,
                             std::string symbology, int today_year) {
  if (!elements.ok()) return elements.status();
  Scan scan;
  scan.gs1.symbology = std::move(symbology);
  scan.gs1.elements = std::move(*elements);
  LEDGER_RETURN_IF_ERROR(Complete(scan.gs1, today_year));
  return scan;
}

Result<Scan> ParseDigitalLinkScan(std::string_view uri, std::string symbology,
                                  int today_year) {
  Result<ledger::gs1::DigitalLink> dl = ledger::gs1::ParseDigitalLink(uri);
  if (!dl.ok()) return dl.status();
  Scan scan;
  scan.gs1.symbology = std::move(symbology);
  scan.gs1.from_digital_link = true;
  for (const auto& [ai, value] : dl->path)
    scan.gs1.elements.push_back({ai, value});
  for (const auto& [ai, value] : dl->attributes)
    scan.gs1.elements.push_back({ai, value});
  scan.gs1.other_query = dl->other_query;
  LEDGER_RETURN_IF_ERROR(CheckAiCombination(scan.gs1.elements));
  LEDGER_RETURN_IF_ERROR(Complete(scan.gs1, today_year));
  return scan;
}

Result<Scan> ParseHibcScan(std::string_view data) {
  Result<HibcData> hibc = ParseHibc(data);
  if (!hibc.ok()) return hibc.status();
  Scan scan;
  scan.scheme = ScanScheme::kHibc;
  scan.hibc = std::move(*hibc);
  return scan;
}

// Data after a non-GS1 symbology identifier, or without one.
Result<Scan> ParseOther(std::string_view data, const std::string& symbology,
                        int today_year) {
  if (IsUri(data)) return ParseDigitalLinkScan(data, symbology, today_year);
  if (!data.empty() && data[0] == '+') return ParseHibcScan(data);
  if (!symbology.empty()) {
    return Status::InvalidArgument("not GS1 data (symbology identifier " +
                                   symbology + ")");
  }
  if (!data.empty() && data[0] == '(') {
    return Gs1FromElements(ParseBracketedElementString(data), "", today_year);
  }
  if (!data.empty() &&
      (data[0] == kGroupSeparator || (data[0] >= '0' && data[0] <= '9'))) {
    return Gs1FromElements(ParseElementString(data), "", today_year);
  }
  if (data.empty()) return Status::InvalidArgument("empty scan");
  return Status::InvalidArgument(
      "position 0: " + DescribeChar(data[0]) +
      " starts no GS1 element string, Digital Link or HIBC data");
}

// Compact JSON with a space after ':' and ',' (the layout of the examples in
// the issue).
void Write(const Json& j, std::string& out) {
  if (j.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, value] : j.items()) {
      if (!first) out += ", ";
      first = false;
      out += Json(key).dump();
      out += ": ";
      Write(value, out);
    }
    out += '}';
  } else if (j.is_array()) {
    out += '[';
    for (size_t i = 0; i < j.size(); ++i) {
      if (i > 0) out += ", ";
      Write(j[i], out);
    }
    out += ']';
  } else {
    out += j.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

std::string Dump(const Json& j) {
  std::string out;
  Write(j, out);
  return out;
}

std::string ErrorJson(const Status& status) {
  Json j;
  j["ok"] = false;
  j["error"] = status.message();
  return Dump(j);
}

void PutIfSet(Json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

Json Gs1Json(const Gs1Scan& scan) {
  Json j;
  j["ok"] = true;
  j["scheme"] = "GS1";
  Json elements = Json::array();
  for (const Gs1Element& e : scan.elements) {
    Json element;
    element["ai"] = e.ai;
    element["value"] = e.value;
    elements.push_back(std::move(element));
  }
  j["elements"] = std::move(elements);
  PutIfSet(j, "gtin", scan.gtin);
  PutIfSet(j, "lot", scan.lot);
  PutIfSet(j, "serial", scan.serial);
  PutIfSet(j, "expiry", scan.expiry);
  PutIfSet(j, "digitalLink", scan.digital_link);
  if (!scan.other_query.empty()) {
    Json other = Json::array();
    for (const auto& [name, value] : scan.other_query) {
      Json param;
      param["name"] = name;
      param["value"] = value;
      other.push_back(std::move(param));
    }
    j["otherQuery"] = std::move(other);
  }
  return j;
}

Json HibcJson(const HibcData& d) {
  Json j;
  j["ok"] = true;
  j["scheme"] = "HIBC";
  PutIfSet(j, "lic", d.lic);
  PutIfSet(j, "pcn", d.pcn);
  if (d.unit_of_measure) j["unitOfMeasure"] = *d.unit_of_measure;
  PutIfSet(j, "lot", d.lot);
  PutIfSet(j, "serial", d.serial);
  if (d.expiry) j["expiry"] = *d.expiry;
  if (d.expiry_hour) j["expiryHour"] = *d.expiry_hour;
  if (d.manufacture_date) j["manufactureDate"] = *d.manufacture_date;
  if (d.quantity) j["quantity"] = *d.quantity;
  if (d.link) j["link"] = std::string(1, *d.link);
  return j;
}

}  // namespace

Result<Scan> ParseScan(std::string_view data, int today_year) {
  if (data.size() >= 3 && data[0] == ']') {
    const std::string symbology(data.substr(0, 3));
    const std::string_view rest = data.substr(3);
    for (std::string_view gs1 : kGs1Symbologies) {
      if (symbology == gs1)
        return Gs1FromElements(ParseElementString(rest), symbology, today_year);
    }
    return ParseOther(rest, symbology, today_year);
  }
  return ParseOther(data, "", today_year);
}

std::string ScanToJson(const Result<Scan>& scan) {
  if (!scan.ok()) return ErrorJson(scan.status());
  return Dump(scan->scheme == ScanScheme::kHibc ? HibcJson(scan->hibc)
                                                : Gs1Json(scan->gs1));
}

std::string EpcToJson(const Result<EpcTag>& tag) {
  if (!tag.ok()) return ErrorJson(tag.status());
  Json j;
  j["ok"] = true;
  j["scheme"] = std::string(EpcSchemeName(tag->scheme));
  j["filter"] = tag->filter;
  switch (tag->scheme) {
    case EpcScheme::kSgtin96:
    case EpcScheme::kSgtin198:
      j["gtin"] = tag->gtin;
      j["serial"] = tag->serial;
      break;
    case EpcScheme::kSscc96:
      j["sscc"] = tag->sscc;
      break;
    case EpcScheme::kSgln96:
      j["gln"] = tag->gln;
      PutIfSet(j, "extension", tag->gln_extension);
      break;
    case EpcScheme::kGrai96:
      j["grai"] = tag->grai;
      j["serial"] = tag->serial;
      break;
    case EpcScheme::kGiai96:
      j["giai"] = tag->giai;
      break;
  }
  j["epc"] = tag->pure_uri;
  return Dump(j);
}

std::string DecodeGsEscapes(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size(); ++i) {
    if (line.substr(i, 4) == "\\x1d" || line.substr(i, 4) == "\\x1D") {
      out.push_back('\x1d');
      i += 3;
    } else {
      out.push_back(line[i]);
    }
  }
  return out;
}

}  // namespace scanners
