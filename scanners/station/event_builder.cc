#include "scanners/station/event_builder.h"

#include <cctype>
#include <ctime>
#include <map>

#include "ledger/gs1.h"

namespace station {

namespace {

using json = nlohmann::json;
using ledger::Result;
using ledger::Status;
using ledger::gs1::KeyKind;

// The members every station event shares, in EPCIS order.
void AddCommonMembers(const StationConfig& c, int64_t unix_ms, json* e) {
  (*e)["eventTime"] = FormatEventTime(unix_ms);
  (*e)["eventTimeZoneOffset"] = c.time_zone_offset;
}

void AddWhyWhere(const StationConfig& c, json* e) {
  if (!c.biz_step.empty()) (*e)["bizStep"] = c.biz_step;
  if (!c.disposition.empty()) (*e)["disposition"] = c.disposition;
  if (!c.read_point.empty()) (*e)["readPoint"] = {{"id", c.read_point}};
  if (!c.biz_location.empty()) (*e)["bizLocation"] = {{"id", c.biz_location}};
  if (!c.source_list.empty()) {
    json list = json::array();
    for (const auto& p : c.source_list)
      list.push_back({{"type", p.type}, {"source", p.id}});
    (*e)["sourceList"] = list;
  }
  if (!c.destination_list.empty()) {
    json list = json::array();
    for (const auto& p : c.destination_list) {
      list.push_back({{"type", p.type}, {"destination", p.id}});
    }
    (*e)["destinationList"] = list;
  }
}

std::string HibcPathSegment(std::string_view value) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    // RFC 3986 unreserved characters stay; HIBC's space $ / + % are escaped.
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

Result<Identified> IdentifyHibc(const scanners::HibcData& h) {
  if (!h.has_primary) {
    return Status::InvalidArgument(
        "HIBC: a secondary-only symbol names no product (scan the primary or "
        "the concatenated symbol)");
  }
  // The HIBC UDI-DI: labeler code + product number + unit of measure.
  std::string product = h.lic + h.pcn;
  if (h.unit_of_measure) product += std::to_string(*h.unit_of_measure);
  Identified out;
  out.is_hibc = true;
  out.lot = h.lot;
  out.expiry = h.expiry.value_or("");
  const std::string base = std::string(kHibcUriBase) + "/";
  if (!h.serial.empty()) {
    out.uri = base + "obj/" + HibcPathSegment(product) + "/" +
              HibcPathSegment(h.serial);
  } else {
    out.is_class = true;
    out.uri = base + "class/" + HibcPathSegment(product);
    if (!h.lot.empty()) out.uri += "/" + HibcPathSegment(h.lot);
  }
  return out;
}

}  // namespace

Result<Identified> IdentifyBarcode(const scanners::Scan& scan) {
  if (scan.scheme == scanners::ScanScheme::kHibc)
    return IdentifyHibc(scan.hibc);
  const scanners::Gs1Scan& g = scan.gs1;
  if (g.digital_link.empty()) {
    return Status::InvalidArgument(
        "no GS1 primary key (want AI 01, 00, 8003 or 8004)");
  }
  auto key = ledger::gs1::ParseIdentifier(g.digital_link);
  if (!key.ok()) return key.status();
  Identified out;
  out.lot = g.lot;
  out.expiry = g.expiry;
  switch (key->kind) {
    case KeyKind::kSgtin:
    case KeyKind::kSscc:
    case KeyKind::kGiai:
      break;
    case KeyKind::kGrai:
      if (!key->is_instance()) {
        return Status::InvalidArgument(
            "AI 8003: a GRAI without a serial names no one asset");
      }
      break;
    case KeyKind::kLgtin:
    case KeyKind::kGtin:
      out.is_class = true;
      break;
    default:
      return Status::InvalidArgument(
          "AI " + key->parts.front().first +
          ": not an object key (want AI 01, 00, 8003 or 8004)");
  }
  out.is_logistic_unit = key->kind == KeyKind::kSscc;
  out.uri = key->ToDigitalLink();
  return out;
}

Identified IdentifyTag(const scanners::EpcTag& tag) {
  Identified out;
  out.uri = tag.pure_uri;
  out.is_logistic_unit = tag.scheme == scanners::EpcScheme::kSscc96;
  return out;
}

std::string FormatEventTime(int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
  return buf;
}

json BuildObjectEvent(const StationConfig& c, const Identified& what,
                      int64_t unix_ms) {
  json e = {{"type", "ObjectEvent"}};
  AddCommonMembers(c, unix_ms, &e);
  if (what.is_class) {
    e["quantityList"] =
        json::array({{{"epcClass", what.uri}, {"quantity", 1}}});
  } else {
    e["epcList"] = json::array({what.uri});
  }
  e["action"] = c.action;
  AddWhyWhere(c, &e);
  if (c.action == "ADD" && (!what.lot.empty() || !what.expiry.empty())) {
    json ilmd = json::object();
    if (!what.lot.empty()) ilmd["cbvmda:lotNumber"] = what.lot;
    if (!what.expiry.empty()) ilmd["cbvmda:itemExpirationDate"] = what.expiry;
    e["ilmd"] = ilmd;
  }
  return e;
}

json BuildAggregationEvent(const StationConfig& c, const Identified& parent,
                           const std::vector<Identified>& children,
                           int64_t unix_ms) {
  json e = {{"type", "AggregationEvent"}};
  AddCommonMembers(c, unix_ms, &e);
  e["parentID"] = parent.uri;
  json epcs = json::array();
  std::map<std::string, int64_t> classes;
  std::vector<std::string> class_order;
  for (const auto& child : children) {
    if (!child.is_class) {
      epcs.push_back(child.uri);
    } else if (classes[child.uri]++ == 0) {
      class_order.push_back(child.uri);
    }
  }
  if (!epcs.empty()) e["childEPCs"] = epcs;
  if (!class_order.empty()) {
    json q = json::array();
    for (const auto& uri : class_order)
      q.push_back({{"epcClass", uri}, {"quantity", classes[uri]}});
    e["childQuantityList"] = q;
  }
  e["action"] = "ADD";
  AddWhyWhere(c, &e);
  return e;
}

}  // namespace station
