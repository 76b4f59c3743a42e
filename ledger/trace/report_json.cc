// JSON and CSV forms of the recall report and the verification answer.
#include <cstdio>

#include "ledger/trace/trace_internal.h"

namespace ledger::trace {
namespace {

using nlohmann::json;

json OrNull(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

// RFC 4180: quote a field holding a comma, quote, CR or LF; double inner
// quotes.
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// RFC 3339 UTC with milliseconds of the acknowledgement, "" if none.
std::string AckTime(const RecalledUnit& u) {
  if (!u.acknowledged) return "";
  const int64_t ms = u.acknowledged_ms;
  const int64_t day =
      ms >= 0 ? ms / 86'400'000 : (ms - 86'399'999) / 86'400'000;
  const int64_t rest = ms - day * 86'400'000;
  std::string date = internal::DateOfDay(day);
  char buf[32];
  std::snprintf(
      buf, sizeof(buf), "T%02d:%02d:%02d.%03dZ",
      static_cast<int>(rest / 3'600'000), static_cast<int>(rest / 60'000 % 60),
      static_cast<int>(rest / 1000 % 60), static_cast<int>(rest % 1000));
  return date + buf;
}

}  // namespace

json RecallReport::ToJson() const {
  json unit_list = json::array();
  for (const RecalledUnit& u : units) {
    unit_list.push_back({{"key", u.key},
                         {"epc", u.epc},
                         {"status", UnitStatusName(u.status)},
                         {"custodian",
                          {{"gln", OrNull(u.custodian.gln)},
                           {"name", OrNull(u.custodian.name)}}},
                         {"location", OrNull(u.location)},
                         {"lastEventTime", OrNull(u.last_event_time)},
                         {"inTransit", u.in_transit},
                         {"acknowledged", u.acknowledged},
                         {"acknowledgedAt", OrNull(AckTime(u))},
                         {"lastEventId", OrNull(u.last_event_id)},
                         {"manufacturer", OrNull(u.manufacturer)}});
  }
  json timeline = json::array();
  for (const AcknowledgementDay& d : acknowledgement_timeline) {
    timeline.push_back({{"date", d.date},
                        {"units", d.units},
                        {"unitShare", d.unit_share},
                        {"consignees", d.consignees},
                        {"consigneeShare", d.consignee_share}});
  }
  json counts = json::object();
  for (const auto& [gln, n] : counts_by_custodian)
    counts[gln.empty() ? "unknown" : gln] = n;
  return {{"gtin", OrNull(spec.gtin)},
          {"lots", spec.lots},
          {"ids", spec.ids},
          {"issuedMs", issued_ms},
          {"recallEvents", recall_events},
          {"unitCount", units.size()},
          {"units", std::move(unit_list)},
          {"countsByCustodian", std::move(counts)},
          {"dispensed", dispensed},
          {"inStock", in_stock},
          {"acknowledgement",
           {{"units", units_acknowledged},
            {"unitShare", unit_effectiveness},
            {"consignees", consignees},
            {"consigneesAcknowledged", consignees_acknowledged},
            {"consigneeShare", consignee_effectiveness},
            {"timeline", std::move(timeline)}}},
          {"coverage", internal::CoverageJsonList(coverage)}};
}

std::string RecallReport::ToCsv() const {
  std::string out =
      "key,epc,status,custodianGln,custodianName,location,lastEventTime,"
      "acknowledged,acknowledgedAt\r\n";
  for (const RecalledUnit& u : units) {
    for (const std::string& field :
         {u.key, u.epc, std::string(UnitStatusName(u.status)), u.custodian.gln,
          u.custodian.name, u.location, u.last_event_time}) {
      out += CsvField(field);
      out += ',';
    }
    out += u.acknowledged ? "true," : "false,";
    out += AckTime(u) + "\r\n";
  }
  return out;
}

json UnitVerification::ToJson() const {
  auto optional_bool = [](const std::optional<bool>& b) {
    return b ? json(*b) : json(nullptr);
  };
  return {{"key", key},
          {"exists", exists},
          {"commissionedBy",
           {{"gln", OrNull(commissioned_by.gln)},
            {"name", OrNull(commissioned_by.name)}}},
          {"lot", OrNull(lot)},
          {"expiry", OrNull(expiry)},
          {"lotMatches", optional_bool(lot_matches)},
          {"expiryMatches", optional_bool(expiry_matches)},
          {"status", UnitStatusName(status)},
          {"recalled", recalled},
          {"dispensed", dispensed},
          {"expired", expired},
          {"active", active},
          {"reasons", reasons},
          {"coverage", internal::CoverageJsonList(coverage)}};
}

}  // namespace ledger::trace
