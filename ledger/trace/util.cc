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

// A serial the plain forms below take as it is: 1 to 20 letters and digits.
bool IsPlainSerial(std::string_view serial) {
  if (serial.empty() || serial.size() > 20) return false;
  for (char c : serial) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
          (c >= 'a' && c <= 'z'))) {
      return false;
    }
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

// The key of the identifiers a supply chain names by the million, when they
// take the plain form: urn:epc:id:sgtin:CP.IndicatorItemRef.Serial with a
// serial of letters and digits, and urn:epc:id:sscc:CP.ExtensionSerialRef
// (company prefix of 6 to 12 digits, 13 / 17 digits in all), into *key.
// The result is what gs1::ParseIdentifier(...)->ToString() gives (trace_test
// checks them against each other); false sends every other form to
// ParseIdentifier (and leaves *key unspecified).
bool PlainEpcKey(std::string_view id, std::string* key) {
  constexpr std::string_view kSgtin = "urn:epc:id:sgtin:";
  constexpr std::string_view kSscc = "urn:epc:id:sscc:";
  const bool sgtin = id.substr(0, kSgtin.size()) == kSgtin;
  if (!sgtin && id.substr(0, kSscc.size()) != kSscc) return false;
  std::string_view rest = id.substr(sgtin ? kSgtin.size() : kSscc.size());
  const size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view cp = rest.substr(0, dot);
  std::string_view ref = rest.substr(dot + 1), serial;
  if (sgtin) {
    const size_t dot2 = ref.find('.');
    if (dot2 == std::string_view::npos) return false;
    serial = ref.substr(dot2 + 1);
    ref = ref.substr(0, dot2);
    if (!IsPlainSerial(serial)) return false;
  }
  if (cp.size() < 6 || cp.size() > 12 || ref.empty() ||
      cp.size() + ref.size() != (sgtin ? 13u : 17u) || !AllDigits(cp) ||
      !AllDigits(ref)) {
    return false;
  }
  key->assign(sgtin ? "01/" : "00/");
  const size_t body_at = key->size();
  *key += ref[0];
  *key += cp;
  *key += ref.substr(1);
  *key += CheckDigit(std::string_view(*key).substr(body_at));
  if (sgtin) {
    *key += "/21/";
    *key += serial;
  }
  return true;
}

// The same for the plain Digital Link forms of those two:
// https://<host>/01/<GTIN-14>/21/<serial> (serial of letters and digits) and
// https://<host>/00/<SSCC-18>, with a host of letters, digits, dots and
// hyphens, no path prefix, query or fragment, and a right check digit: the
// key is the path without its leading slash.
bool PlainDigitalLinkKey(std::string_view id, std::string* key) {
  constexpr std::string_view kHttps = "https://";
  if (id.substr(0, kHttps.size()) != kHttps) return false;
  const size_t slash = id.find('/', kHttps.size());
  if (slash == std::string_view::npos || slash == kHttps.size()) return false;
  for (char c : id.substr(kHttps.size(), slash - kHttps.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
          (c >= 'A' && c <= 'Z') || c == '.' || c == '-')) {
      return false;
    }
  }
  const std::string_view path = id.substr(slash + 1);
  std::string_view number;
  if (path.substr(0, 3) == "01/") {
    number = path.substr(3, 14);
    if (path.size() < 3 + 14 + 4 || path.substr(17, 4) != "/21/" ||
        !IsPlainSerial(path.substr(21))) {
      return false;
    }
  } else if (path.substr(0, 3) == "00/") {
    number = path.substr(3);
    if (number.size() != 18) return false;
  } else {
    return false;
  }
  if (number.size() != (path[1] == '1' ? 14u : 18u) || !AllDigits(number) ||
      CheckDigit(number.substr(0, number.size() - 1)) != number.back()) {
    return false;
  }
  key->assign(path);
  return true;
}

}  // namespace

void KeyInto(std::string_view id, std::string* out) {
  if (id.empty()) {
    out->clear();
    return;
  }
  if (PlainEpcKey(id, out) || PlainDigitalLinkKey(id, out)) return;
  Result<gs1::Gs1Key> key = ParseKeyOrUri(id);
  if (key.ok()) {
    *out = key->ToString();
  } else {
    out->assign(id);
  }
}

std::string KeyOf(std::string_view id) {
  std::string key;
  KeyInto(id, &key);
  return key;
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
