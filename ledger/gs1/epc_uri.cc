// EPC pure-identity URIs (GS1 EPC Tag Data Standard 2.x §6.3 and §A) to GS1
// keys; the way back (ToEpcUri) is in epc_uri_format.cc.
//
// Every scheme is "<CompanyPrefix>.<reference>[.<more>]". The company prefix
// has 6 to 12 digits; for the fixed-length keys the company prefix and
// reference together have a fixed number of digits. Keys whose first digit is
// an indicator (GTIN) or extension digit (SSCC) carry it as the first digit of
// the reference, and the URI omits the check digit. Alphanumeric components use
// the GS3A3 character set: CSET 82, where '"', '%', '&', '/', '<', '>' and '?'
// MUST appear as the escapes %22 %25 %26 %2F %3C %3E %3F and no other escape is
// allowed (TDS Table A-1). The CPI part reference uses CSET 39 with '#' as %23
// and '/' as %2F.
#include <string>
#include <vector>

#include "ledger/gs1.h"
#include "ledger/gs1/gs1_internal.h"

namespace ledger::gs1 {
namespace internal {
namespace {

using Parts = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kGs3a3Escaped = "\"%&/<>?";

struct Uri {
  std::string_view scheme;               // "sgtin", "lgtin", ...
  std::string_view kind;                 // "id", "class" or "idpat"
  std::vector<std::string_view> fields;  // split on '.', at most `max_fields`
};

Status Invalid(std::string_view scheme, const std::string& why) {
  return Status::InvalidArgument(std::string(scheme) + ": " + why);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes a GS3A3 component (or, with `cset39`, a CPI part reference).
Result<std::string> DecodeComponent(std::string_view scheme,
                                    std::string_view what,
                                    std::string_view text, bool cset39) {
  std::string_view escapable = cset39 ? "#/" : kGs3a3Escaped;
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    auto where = [&] { return std::string(what) + ": "; };
    if (c == '%') {
      int hi = i + 2 < text.size() ? HexDigit(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? HexDigit(text[i + 2]) : -1;
      char decoded = static_cast<char>(hi * 16 + lo);
      if (hi < 0 || lo < 0 ||
          escapable.find(decoded) == std::string_view::npos) {
        return Invalid(
            scheme, where() + "escape '" + std::string(text.substr(i, 3)) +
                        "' at position " + std::to_string(i + 1) +
                        " is not allowed (only " +
                        (cset39 ? "%23 %2F" : "%22 %25 %26 %2F %3C %3E %3F") +
                        ")");
      }
      out += decoded;
      i += 2;
      continue;
    }
    bool in_set = cset39 ? IsCset39(c) : IsCset82(c);
    if (!in_set) {
      return Invalid(scheme, where() + "character " + DescribeChar(c) +
                                 " at position " + std::to_string(i + 1) +
                                 " is not allowed");
    }
    if (escapable.find(c) != std::string_view::npos) {
      return Invalid(scheme, where() + "character " + DescribeChar(c) +
                                 " at position " + std::to_string(i + 1) +
                                 " must be percent-escaped");
    }
    out += c;
  }
  if (out.empty()) return Invalid(scheme, std::string(what) + " is empty");
  return out;
}

// Checks "<company prefix>.<reference>" digit counts; returns the digits
// concatenated.
Result<std::string> NumericPrefixAndReference(std::string_view scheme,
                                              std::string_view cp,
                                              std::string_view ref,
                                              size_t total,
                                              std::string_view ref_name) {
  if (!IsDigits(cp)) return Invalid(scheme, "company prefix must be digits");
  if (cp.size() < 6 || cp.size() > 12) {
    return Invalid(scheme, "company prefix must have 6 to 12 digits, not " +
                               std::to_string(cp.size()));
  }
  if (!(ref.empty() && cp.size() == total) && !IsDigits(ref)) {
    return Invalid(scheme, std::string(ref_name) + " must be digits");
  }
  if (cp.size() + ref.size() != total) {
    return Invalid(scheme, "company prefix and " + std::string(ref_name) +
                               " must have " + std::to_string(total) +
                               " digits together, not " +
                               std::to_string(cp.size() + ref.size()));
  }
  return std::string(cp) + std::string(ref);
}

// CP.IndicatorItemRef → GTIN-14 (indicator digit moved to the front, check
// digit appended).
Result<std::string> Gtin(std::string_view scheme, std::string_view cp,
                         std::string_view iir) {
  auto digits =
      NumericPrefixAndReference(scheme, cp, iir, 13, "item reference");
  if (!digits.ok()) return digits.status();
  if (iir.empty())
    return Invalid(scheme, "item reference must include the indicator digit");
  std::string body =
      std::string(1, iir[0]) + std::string(cp) + std::string(iir.substr(1));
  return body + ComputeCheckDigit(body);
}

// The value validated against its AI; errors get the scheme as context.
Status CheckAi(std::string_view scheme, std::string_view ai,
               std::string_view value) {
  return ValidateAiValue(ai, value).WithPrefix(scheme);
}

Result<Gs1Key> Finish(std::string_view scheme, KeyKind kind, Parts parts) {
  for (const auto& [ai, value] : parts)
    LEDGER_RETURN_IF_ERROR(CheckAi(scheme, ai, value));
  Gs1Key key;
  key.kind = kind;
  key.parts = std::move(parts);
  return key;
}

Status ExpectFields(const Uri& uri, size_t n, std::string_view shape) {
  if (uri.fields.size() == n) return Status::OK();
  return Invalid(uri.scheme, "expected " + std::string(shape));
}

// sgtin, lgtin, idpat:sgtin, itip, upui: CP.IndicatorItemRef[.more].
Result<Gs1Key> ParseGtinScheme(const Uri& uri) {
  std::string_view s = uri.scheme;
  if (uri.kind == "idpat") {
    LEDGER_RETURN_IF_ERROR(
        ExpectFields(uri, 3, "CompanyPrefix.IndicatorItemRef.*"));
    if (uri.fields[2] != "*")
      return Invalid(s, "only the serial may be a wildcard '*'");
    auto gtin = Gtin(s, uri.fields[0], uri.fields[1]);
    if (!gtin.ok()) return gtin.status();
    return Finish(s, KeyKind::kGtin, {{"01", *gtin}});
  }
  if (s == "itip") {
    LEDGER_RETURN_IF_ERROR(ExpectFields(
        uri, 5, "CompanyPrefix.IndicatorItemRef.Piece.Total.Serial"));
  } else {
    LEDGER_RETURN_IF_ERROR(
        ExpectFields(uri, 3, "CompanyPrefix.IndicatorItemRef.Serial"));
  }
  auto gtin = Gtin(s, uri.fields[0], uri.fields[1]);
  if (!gtin.ok()) return gtin.status();
  if (s == "itip") {
    std::string_view piece = uri.fields[2], total = uri.fields[3];
    if (piece.size() != 2 || total.size() != 2 || !IsDigits(piece) ||
        !IsDigits(total)) {
      return Invalid(s, "piece and total must have 2 digits each");
    }
    auto serial = DecodeComponent(s, "serial", uri.fields[4], false);
    if (!serial.ok()) return serial.status();
    return Finish(s, KeyKind::kOther,
                  {{"8006", *gtin + std::string(piece) + std::string(total)},
                   {"21", *serial}});
  }
  std::string_view what = s == "lgtin"  ? "lot"
                          : s == "upui" ? "third-party extension"
                                        : "serial";
  auto last = DecodeComponent(s, what, uri.fields[2], false);
  if (!last.ok()) return last.status();
  if (s == "lgtin")
    return Finish(s, KeyKind::kLgtin, {{"01", *gtin}, {"10", *last}});
  if (s == "upui")
    return Finish(s, KeyKind::kOther, {{"01", *gtin}, {"235", *last}});
  return Finish(s, KeyKind::kSgtin, {{"01", *gtin}, {"21", *last}});
}

Result<Gs1Key> ParseSscc(const Uri& uri) {
  LEDGER_RETURN_IF_ERROR(ExpectFields(uri, 2, "CompanyPrefix.SerialReference"));
  std::string_view cp = uri.fields[0], sr = uri.fields[1];
  auto digits =
      NumericPrefixAndReference(uri.scheme, cp, sr, 17, "serial reference");
  if (!digits.ok()) return digits.status();
  if (sr.empty())
    return Invalid(uri.scheme,
                   "serial reference must include the extension digit");
  std::string body =
      std::string(1, sr[0]) + std::string(cp) + std::string(sr.substr(1));
  return Finish(uri.scheme, KeyKind::kSscc,
                {{"00", body + ComputeCheckDigit(body)}});
}

// Schemes whose key is CP + reference + check digit, then maybe an
// alphanumeric/numeric serial.
struct CheckDigitScheme {
  std::string_view scheme;
  std::string_view ai;
  size_t digits;  // company prefix + reference
  KeyKind kind;
  std::string_view reference;  // name used in errors
  std::string_view serial;     // "" if the scheme has no third field
  std::string_view serial_ai;  // "" if the serial is appended to the key value
  std::string_view shape;      // the URI body, for errors
};

constexpr CheckDigitScheme kCheckDigitSchemes[] = {
    {"sgln", "414", 12, KeyKind::kSgln, "location reference", "extension",
     "254", "CompanyPrefix.LocationReference.Extension"},
    {"pgln", "417", 12, KeyKind::kPgln, "party reference", "", "",
     "CompanyPrefix.PartyReference"},
    {"grai", "8003", 12, KeyKind::kGrai, "asset type", "serial", "",
     "CompanyPrefix.AssetType.Serial"},
    {"gdti", "253", 12, KeyKind::kGdti, "document type", "serial", "",
     "CompanyPrefix.DocumentType.Serial"},
    {"sgcn", "255", 12, KeyKind::kOther, "coupon reference", "serial", "",
     "CompanyPrefix.CouponReference.Serial"},
    {"gsrn", "8018", 17, KeyKind::kGsrn, "service reference", "", "",
     "CompanyPrefix.ServiceReference"},
    {"gsrnp", "8017", 17, KeyKind::kGsrn, "service reference", "", "",
     "CompanyPrefix.ServiceReference"},
    {"gsin", "402", 16, KeyKind::kOther, "shipper reference", "", "",
     "CompanyPrefix.ShipperReference"},
};

Result<Gs1Key> ParseCheckDigitScheme(const Uri& uri,
                                     const CheckDigitScheme& d) {
  LEDGER_RETURN_IF_ERROR(ExpectFields(uri, d.serial.empty() ? 2 : 3, d.shape));
  auto digits = NumericPrefixAndReference(uri.scheme, uri.fields[0],
                                          uri.fields[1], d.digits, d.reference);
  if (!digits.ok()) return digits.status();
  std::string key = *digits + ComputeCheckDigit(*digits);
  if (d.ai == "8003") key = "0" + key;  // AI 8003 starts with a 0 digit
  if (d.serial.empty())
    return Finish(uri.scheme, d.kind, {{std::string(d.ai), key}});
  auto serial = DecodeComponent(uri.scheme, d.serial, uri.fields[2], false);
  if (!serial.ok()) return serial.status();
  if (d.serial_ai.empty())
    return Finish(uri.scheme, d.kind, {{std::string(d.ai), key + *serial}});
  if (*serial == "0")
    return Finish(uri.scheme, d.kind, {{std::string(d.ai), key}});
  return Finish(
      uri.scheme, d.kind,
      {{std::string(d.ai), key}, {std::string(d.serial_ai), *serial}});
}

// giai, ginc: CP.Reference (alphanumeric, CP + reference at most 30
// characters).
Result<Gs1Key> ParseAlphanumericScheme(const Uri& uri) {
  LEDGER_RETURN_IF_ERROR(ExpectFields(uri, 2, "CompanyPrefix.Reference"));
  std::string_view cp = uri.fields[0];
  if (!IsDigits(cp) || cp.size() < 6 || cp.size() > 12) {
    return Invalid(uri.scheme, "company prefix must have 6 to 12 digits");
  }
  auto ref = DecodeComponent(uri.scheme, "reference", uri.fields[1], false);
  if (!ref.ok()) return ref.status();
  bool giai = uri.scheme == "giai";
  return Finish(uri.scheme, giai ? KeyKind::kGiai : KeyKind::kOther,
                {{giai ? "8004" : "401", std::string(cp) + *ref}});
}

Result<Gs1Key> ParseCpi(const Uri& uri) {
  LEDGER_RETURN_IF_ERROR(
      ExpectFields(uri, 3, "CompanyPrefix.ComponentPartReference.Serial"));
  std::string_view cp = uri.fields[0];
  if (!IsDigits(cp) || cp.size() < 6 || cp.size() > 12) {
    return Invalid(uri.scheme, "company prefix must have 6 to 12 digits");
  }
  auto part = DecodeComponent(uri.scheme, "component/part reference",
                              uri.fields[1], true);
  if (!part.ok()) return part.status();
  return Finish(uri.scheme, KeyKind::kOther,
                {{"8010", std::string(cp) + *part},
                 {"8011", std::string(uri.fields[2])}});
}

// Splits "a.b.c" into at most `max_fields` fields (the last keeps any further
// dots, since '.' is a GS3A3 character).
std::vector<std::string_view> SplitFields(std::string_view body,
                                          size_t max_fields) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < max_fields) {
    size_t dot = body.find('.');
    if (dot == std::string_view::npos) break;
    out.push_back(body.substr(0, dot));
    body.remove_prefix(dot + 1);
  }
  out.push_back(body);
  return out;
}

size_t FieldCount(std::string_view scheme) {
  if (scheme == "itip") return 5;
  if (scheme == "sscc" || scheme == "giai" || scheme == "ginc" ||
      scheme == "pgln" || scheme == "gsrn" || scheme == "gsrnp" ||
      scheme == "gsin") {
    return 2;
  }
  return 3;
}

}  // namespace

Result<Gs1Key> ParseEpcUri(std::string_view text) {
  Uri uri;
  std::string_view rest;
  for (std::string_view prefix :
       {"urn:epc:id:", "urn:epc:class:", "urn:epc:idpat:"}) {
    if (text.substr(0, prefix.size()) == prefix) {
      uri.kind = prefix.substr(8, prefix.size() - 9);
      rest = text.substr(prefix.size());
    }
  }
  if (text.substr(0, 12) == "urn:epc:tag:" ||
      text.substr(0, 12) == "urn:epc:raw:") {
    return Status::InvalidArgument(
        "EPC tag/raw URI: use the pure-identity form (urn:epc:id:...)");
  }
  size_t colon = rest.find(':');
  if (uri.kind.empty() || colon == std::string_view::npos) {
    return Status::InvalidArgument("not an EPC URI or GS1 Digital Link URI");
  }
  uri.scheme = rest.substr(0, colon);
  uri.fields = SplitFields(rest.substr(colon + 1), FieldCount(uri.scheme));
  const std::string_view s = uri.scheme;
  if (uri.kind == "class") {
    if (s != "lgtin")
      return Invalid(text, "unsupported EPC class scheme (only lgtin)");
    return ParseGtinScheme(uri);
  }
  if (uri.kind == "idpat") {
    if (s != "sgtin")
      return Invalid(text, "unsupported EPC pattern (only sgtin)");
    return ParseGtinScheme(uri);
  }
  if (s == "sgtin" || s == "itip" || s == "upui") return ParseGtinScheme(uri);
  if (s == "sscc") return ParseSscc(uri);
  if (s == "giai" || s == "ginc") return ParseAlphanumericScheme(uri);
  if (s == "cpi") return ParseCpi(uri);
  for (const CheckDigitScheme& d : kCheckDigitSchemes) {
    if (d.scheme == s) return ParseCheckDigitScheme(uri, d);
  }
  return Invalid(
      text, "EPC scheme '" + std::string(s) + "' is not a supported GS1 key");
}

}  // namespace internal

}  // namespace ledger::gs1
