// Small helpers shared by the trace queries: identifiers, ilmd members, dates,
// status names.
#include <cstdio>
#include <optional>

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

namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// GS1 check digit of `body` (weights 3, 1, 3... from the right).
char CheckDigit(std::string_view body) {
  int sum = 0;
  bool three = true;
  for (auto it = body.rbegin(); it != body.rend(); ++it, three = !three)
    sum += (*it - '0') * (three ? 3 : 1);
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

// The key of the two EPC URIs a supply chain names by the million, when they
// take the plain form: urn:epc:id:sgtin:CP.IndicatorItemRef.Serial with a
// serial of letters and digits, and urn:epc:id:sscc:CP.ExtensionSerialRef
// (company prefix of 6 to 12 digits, 13 / 17 digits in all). The result is
// what gs1::ParseIdentifier(...)->ToString() gives (trace_test checks them
// against each other); nullopt sends every other form to ParseIdentifier.
std::optional<std::string> PlainEpcKey(std::string_view id) {
  constexpr std::string_view kSgtin = "urn:epc:id:sgtin:";
  constexpr std::string_view kSscc = "urn:epc:id:sscc:";
  const bool sgtin = id.substr(0, kSgtin.size()) == kSgtin;
  if (!sgtin && id.substr(0, kSscc.size()) != kSscc) return std::nullopt;
  std::string_view rest = id.substr(sgtin ? kSgtin.size() : kSscc.size());
  const size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view cp = rest.substr(0, dot);
  std::string_view ref = rest.substr(dot + 1), serial;
  if (sgtin) {
    const size_t dot2 = ref.find('.');
    if (dot2 == std::string_view::npos) return std::nullopt;
    serial = ref.substr(dot2 + 1);
    ref = ref.substr(0, dot2);
    if (serial.empty() || serial.size() > 20) return std::nullopt;
    for (char c : serial) {
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
            (c >= 'a' && c <= 'z'))) {
        return std::nullopt;
      }
    }
  }
  if (cp.size() < 6 || cp.size() > 12 || ref.empty() ||
      cp.size() + ref.size() != (sgtin ? 13u : 17u) || !AllDigits(cp) ||
      !AllDigits(ref)) {
    return std::nullopt;
  }
  std::string key = sgtin ? "01/" : "00/";
  const size_t body_at = key.size();
  key += ref[0];
  key += cp;
  key += ref.substr(1);
  key += CheckDigit(std::string_view(key).substr(body_at));
  if (sgtin) {
    key += "/21/";
    key += serial;
  }
  return key;
}

}  // namespace

std::string KeyOf(std::string_view id) {
  if (id.empty()) return "";
  if (std::optional<std::string> plain = PlainEpcKey(id)) return *plain;
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
