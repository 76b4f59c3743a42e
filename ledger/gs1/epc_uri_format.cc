// ToEpcUri: a GS1 key as an EPC pure-identity URI (GS1 EPC Tag Data Standard
// 2.x §6.3), given the GS1 Company Prefix length. See epc_uri.cc for the
// grammar and the GS3A3 escapes.
#include <string>

#include "ledger/gs1.h"
#include "ledger/gs1/gs1_internal.h"

namespace ledger::gs1 {
namespace internal {

std::string EncodeEpcComponent(std::string_view value, bool cset39) {
  std::string_view escapable = cset39 ? "#/" : "\"%&/<>?";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    if (escapable.find(c) != std::string_view::npos) {
      out += '%';
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[c & 15];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace internal

namespace {

std::string CompanyPrefixError(int cpl) {
  return "company prefix length " + std::to_string(cpl) + " is not 6 to 12";
}

// Splits a GTIN-14 into "CP.IndicatorItemRef".
std::string GtinFields(std::string_view gtin, int cpl) {
  size_t n = static_cast<size_t>(cpl);
  return std::string(gtin.substr(1, n)) + "." + gtin[0] +
         std::string(gtin.substr(1 + n, 12 - n));
}

// "CP.Reference" for a key of CP + reference + check digit.
std::string CheckDigitFields(std::string_view key, int cpl, size_t digits) {
  size_t n = static_cast<size_t>(cpl);
  return std::string(key.substr(0, n)) + "." +
         std::string(key.substr(n, digits - n));
}

std::string_view PartValue(const Gs1Key& key, std::string_view ai) {
  for (const auto& [a, v] : key.parts) {
    if (a == ai) return v;
  }
  return {};
}

Result<std::string> NeedSerial(std::string_view scheme,
                               std::string_view serial) {
  if (serial.empty()) {
    return Status::InvalidArgument(std::string(scheme) +
                                   ": the EPC needs a serial component");
  }
  return internal::EncodeEpcComponent(serial, false);
}

Result<std::string> AlphanumericFields(std::string_view scheme,
                                       std::string_view value, int cpl,
                                       bool cset39) {
  size_t n = static_cast<size_t>(cpl);
  if (value.size() <= n || !internal::IsDigits(value.substr(0, n))) {
    return Status::InvalidArgument(
        std::string(scheme) + ": value cannot start with a " +
        std::to_string(cpl) + "-digit company prefix");
  }
  return std::string(value.substr(0, n)) + "." +
         internal::EncodeEpcComponent(value.substr(n), cset39);
}

// A key built by hand may not be well formed; the conversions below rely on
// the AI formats, and parts an EPC URI cannot carry must not be dropped.
Status CheckKeyShape(const Gs1Key& key) {
  if (key.parts.empty()) return Status::InvalidArgument("empty key");
  for (const auto& [ai, value] : key.parts) {
    LEDGER_RETURN_IF_ERROR(ValidateAiValue(ai, value));
  }
  const std::string& primary = key.parts[0].first;
  std::string_view want = primary;  // kOther: any primary key
  std::string_view allowed;         // the one qualifier the EPC can carry
  switch (key.kind) {
    case KeyKind::kSgtin:
      want = "01";
      allowed = "21";
      break;
    case KeyKind::kLgtin:
      want = "01";
      allowed = "10";
      break;
    case KeyKind::kGtin:
      want = "01";
      break;
    case KeyKind::kSscc:
      want = "00";
      break;
    case KeyKind::kSgln:
      want = "414";
      allowed = "254";
      break;
    case KeyKind::kPgln:
      want = "417";
      break;
    case KeyKind::kGrai:
      want = "8003";
      break;
    case KeyKind::kGiai:
      want = "8004";
      break;
    case KeyKind::kGsrn:
      want = primary == "8017" ? "8017" : "8018";
      break;
    case KeyKind::kGdti:
      want = "253";
      break;
    case KeyKind::kOther:
      allowed = primary == "8010"   ? "8011"
                : primary == "8006" ? "21"
                : primary == "01"   ? "235"
                                    : "";
      break;
  }
  if (primary != want) {
    return Status::InvalidArgument("key " + key.ToString() + ": primary AI " +
                                   primary + " does not match its kind (AI " +
                                   std::string(want) + ")");
  }
  for (size_t i = 1; i < key.parts.size(); ++i) {
    if (i > 1 || key.parts[i].first != allowed) {
      return Status::InvalidArgument(
          "key " + key.ToString() + " has no EPC pure-identity URI (AI " +
          key.parts[i].first + " has no place in it)");
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::string> ToEpcUri(const Gs1Key& key, int company_prefix_length) {
  const int cpl = company_prefix_length;
  if (cpl < 6 || cpl > 12)
    return Status::InvalidArgument(CompanyPrefixError(cpl));
  LEDGER_RETURN_IF_ERROR(CheckKeyShape(key));
  const std::string& ai = key.parts[0].first;
  const std::string& v = key.parts[0].second;
  auto with = [](std::string prefix,
                 Result<std::string> tail) -> Result<std::string> {
    if (!tail.ok()) return tail.status();
    return prefix + *tail;
  };
  switch (key.kind) {
    case KeyKind::kSgtin:
      return with("urn:epc:id:sgtin:" + GtinFields(v, cpl) + ".",
                  NeedSerial("sgtin", PartValue(key, "21")));
    case KeyKind::kLgtin:
      return with("urn:epc:class:lgtin:" + GtinFields(v, cpl) + ".",
                  NeedSerial("lgtin", PartValue(key, "10")));
    case KeyKind::kGtin:
      return "urn:epc:idpat:sgtin:" + GtinFields(v, cpl) + ".*";
    case KeyKind::kSscc: {
      size_t n = static_cast<size_t>(cpl);
      return "urn:epc:id:sscc:" + v.substr(1, n) + "." + v[0] +
             v.substr(1 + n, 16 - n);
    }
    case KeyKind::kSgln: {
      std::string_view ext = PartValue(key, "254");
      return "urn:epc:id:sgln:" + CheckDigitFields(v, cpl, 12) + "." +
             internal::EncodeEpcComponent(ext.empty() ? "0" : ext, false);
    }
    case KeyKind::kPgln:
      return "urn:epc:id:pgln:" + CheckDigitFields(v, cpl, 12);
    case KeyKind::kGrai:
      return with(
          "urn:epc:id:grai:" + CheckDigitFields(v.substr(1), cpl, 12) + ".",
          NeedSerial("grai", std::string_view(v).substr(14)));
    case KeyKind::kGiai:
      return with("urn:epc:id:giai:",
                  AlphanumericFields("giai", v, cpl, false));
    case KeyKind::kGsrn:
      return std::string(ai == "8017" ? "urn:epc:id:gsrnp:"
                                      : "urn:epc:id:gsrn:") +
             CheckDigitFields(v, cpl, 17);
    case KeyKind::kGdti:
      return with("urn:epc:id:gdti:" + CheckDigitFields(v, cpl, 12) + ".",
                  NeedSerial("gdti", std::string_view(v).substr(13)));
    case KeyKind::kOther:
      break;
  }
  if (ai == "255") {
    return with("urn:epc:id:sgcn:" + CheckDigitFields(v, cpl, 12) + ".",
                NeedSerial("sgcn", std::string_view(v).substr(13)));
  }
  if (ai == "402") return "urn:epc:id:gsin:" + CheckDigitFields(v, cpl, 16);
  if (ai == "401")
    return with("urn:epc:id:ginc:", AlphanumericFields("ginc", v, cpl, false));
  if (ai == "8010") {
    auto fields = AlphanumericFields("cpi", v, cpl, true);
    if (!fields.ok()) return fields.status();
    std::string_view serial = PartValue(key, "8011");
    if (serial.empty()) return NeedSerial("cpi", serial).status();
    return "urn:epc:id:cpi:" + *fields + "." + std::string(serial);
  }
  if (ai == "8006" && !PartValue(key, "21").empty()) {
    return with("urn:epc:id:itip:" + GtinFields(v, cpl) + "." +
                    v.substr(14, 2) + "." + v.substr(16, 2) + ".",
                NeedSerial("itip", PartValue(key, "21")));
  }
  if (ai == "01" && !PartValue(key, "235").empty()) {
    return with("urn:epc:id:upui:" + GtinFields(v, cpl) + ".",
                NeedSerial("upui", PartValue(key, "235")));
  }
  return Status::InvalidArgument("key " + key.ToString() +
                                 " has no EPC pure-identity URI");
}

}  // namespace ledger::gs1
