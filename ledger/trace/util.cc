// Small helpers shared by the trace queries: identifiers, ilmd members, dates,
// status names.
#include <cstdio>

#include "ledger/gs1.h"
#include "ledger/trace/trace_internal.h"

namespace ledger::trace {

const char* UnitStatusName(UnitStatus status) {
  switch (status) {
    case UnitStatus::kUnknown:
      return "unknown";
    case UnitStatus::kCommissioned:
      return "commissioned";
    case UnitStatus::kInTransit:
      return "in_transit";
    case UnitStatus::kInStock:
      return "in_stock";
    case UnitStatus::kDispensed:
      return "dispensed";
    case UnitStatus::kDecommissioned:
      return "decommissioned";
    case UnitStatus::kRecalled:
      return "recalled";
    case UnitStatus::kDestroyed:
      return "destroyed";
    case UnitStatus::kExpired:
      return "expired";
  }
  return "unknown";
}

namespace internal {

std::string IlmdValue(const nlohmann::json& event, std::string_view name) {
  auto ilmd = event.find("ilmd");
  if (ilmd == event.end() || !ilmd->is_object()) return "";
  for (const auto& [member, value] : ilmd->items()) {
    if (!value.is_string()) continue;
    const size_t colon = member.rfind(':');
    std::string_view local = colon == std::string::npos
                                 ? std::string_view(member)
                                 : std::string_view(member).substr(colon + 1);
    if (local == name) return value.get<std::string>();
  }
  return "";
}

std::string GlnOf(std::string_view id) {
  Result<gs1::Gs1Key> key = ParseKeyOrUri(id);
  if (!key.ok() || key->parts.empty()) return "";
  if (key->kind != gs1::KeyKind::kPgln && key->kind != gs1::KeyKind::kSgln)
    return "";
  return key->parts[0].second;
}

std::string KeyOf(std::string_view id) {
  if (id.empty()) return "";
  Result<gs1::Gs1Key> key = ParseKeyOrUri(id);
  return key.ok() ? key->ToString() : std::string(id);
}

Result<gs1::Gs1Key> ParseKeyOrUri(std::string_view id) {
  if (id.rfind("urn:", 0) == 0 || id.rfind("http://", 0) == 0 ||
      id.rfind("https://", 0) == 0) {
    return gs1::ParseIdentifier(id);
  }
  // A canonical key is the Digital Link path without host.
  return gs1::ParseIdentifier("https://id.gs1.org/" + std::string(id));
}

std::string DateOfDay(int64_t days) {
  // H. Hinnant's civil_from_days (proleptic Gregorian).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lld",
                static_cast<long long>(y), static_cast<long long>(m),
                static_cast<long long>(d));
  return buf;
}

std::optional<int64_t> ExpiryEndMs(const std::string& expiry) {
  if (expiry.size() != 10) return std::nullopt;
  Result<int64_t> start = epcis::ParseRfc3339Millis(expiry + "T00:00:00Z");
  if (!start.ok()) return std::nullopt;
  return *start + 86'400'000;
}

}  // namespace internal
}  // namespace ledger::trace
