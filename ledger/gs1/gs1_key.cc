// Gs1Key: the canonical key, its Digital Link form, and ParseIdentifier.
#include <cctype>
#include <string>

#include "ledger/gs1.h"
#include "ledger/gs1/gs1_internal.h"

namespace ledger::gs1 {
namespace {

// '%' and '/' escaped so that the key string is unambiguous even when a serial
// contains '/'.
// Appends `v` with '%' as "%25" and '/' as "%2F", the rest in runs.
void AppendEscapedKeyValue(std::string* out, std::string_view v) {
  size_t run = 0;  // start of the bytes not yet appended
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '%' && v[i] != '/') continue;
    out->append(v.substr(run, i - run));
    out->append(v[i] == '%' ? "%25" : "%2F");
    run = i + 1;
  }
  out->append(v.substr(run));
}

KeyKind KindOfPrimaryKey(std::string_view ai) {
  if (ai == "00") return KeyKind::kSscc;
  if (ai == "414") return KeyKind::kSgln;
  if (ai == "417") return KeyKind::kPgln;
  if (ai == "8003") return KeyKind::kGrai;
  if (ai == "8004") return KeyKind::kGiai;
  if (ai == "8017" || ai == "8018") return KeyKind::kGsrn;
  if (ai == "253") return KeyKind::kGdti;
  return KeyKind::kOther;
}

bool HasPart(const Gs1Key& key, std::string_view ai) {
  for (const auto& part : key.parts) {
    if (part.first == ai) return true;
  }
  return false;
}

}  // namespace

bool Gs1Key::is_instance() const {
  if (parts.empty()) return false;
  const std::string& value = parts[0].second;
  switch (kind) {
    case KeyKind::kSgtin:
    case KeyKind::kSscc:
    case KeyKind::kSgln:
    case KeyKind::kPgln:
    case KeyKind::kGiai:
    case KeyKind::kGsrn:
      return true;
    case KeyKind::kLgtin:
    case KeyKind::kGtin:
      return false;
    case KeyKind::kGrai:
      return value.size() > 14;  // "0" + GRAI-13 + serial
    case KeyKind::kGdti:
      return value.size() > 13;
    case KeyKind::kOther:
      break;
  }
  const std::string& ai = parts[0].first;
  if (ai == "255") return value.size() > 13;  // GCN with serial
  if (ai == "8010") return HasPart(*this, "8011");
  if (ai == "01") return HasPart(*this, "235");  // UPUI
  if (ai == "8006") return HasPart(*this, "21");
  return ai == "401" || ai == "402" || ai == "415";
}

std::string Gs1Key::ToString() const {
  // Built in place (an EPC's key is made once per identifier of every
  // ingested event); escapes may still grow it past the reserve.
  size_t size = 0;
  for (const auto& [ai, value] : parts) size += ai.size() + value.size() + 2;
  std::string out;
  out.reserve(size);
  for (const auto& [ai, value] : parts) {
    if (!out.empty()) out += '/';
    out += ai;
    out += '/';
    AppendEscapedKeyValue(&out, value);
  }
  return out;
}

std::string Gs1Key::ToDigitalLink(std::string_view host) const {
  std::string out(host);
  while (!out.empty() && out.back() == '/') out.pop_back();
  for (const auto& [ai, value] : parts)
    out += "/" + ai + "/" + internal::PercentEncode(value);
  return out;
}

namespace internal {

Result<Gs1Key> KeyFromDigitalLink(const DigitalLink& dl) {
  Gs1Key key;
  const std::string& primary = dl.path[0].first;
  bool has_serial = false;
  for (const auto& part : dl.path)
    has_serial = has_serial || part.first == "21";
  key.kind = KindOfPrimaryKey(primary);
  for (const auto& [ai, value] : dl.path) {
    // A consumer product variant (22) never belongs to the key; a lot (10) does
    // not when the serial (21) identifies the instance; an SGLN extension "0"
    // means "no extension".
    if (ai == "22" || (ai == "10" && has_serial) ||
        (ai == "254" && value == "0"))
      continue;
    key.parts.emplace_back(ai, value);
  }
  if (primary == "01") {
    if (HasPart(key, "21")) {
      key.kind = KeyKind::kSgtin;
    } else if (HasPart(key, "10")) {
      key.kind = KeyKind::kLgtin;
    } else if (!HasPart(key, "235")) {
      key.kind = KeyKind::kGtin;
    }
  }
  return key;
}

}  // namespace internal

Result<Gs1Key> ParseIdentifier(std::string_view uri) {
  if (uri.substr(0, 8) == "urn:epc:") return internal::ParseEpcUri(uri);
  std::string scheme(uri.substr(0, uri.find(':')));
  for (char& c : scheme)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool web = (scheme == "http" || scheme == "https") &&
             uri.substr(scheme.size(), 3) == "://";
  if (!web)
    return Status::InvalidArgument("not an EPC URI or GS1 Digital Link URI");
  auto dl = ParseDigitalLink(uri);
  if (!dl.ok()) return dl.status();
  return internal::KeyFromDigitalLink(*dl);
}

}  // namespace ledger::gs1
