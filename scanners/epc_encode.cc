// EPC URI -> EPC binary (TDS §14.5 encoding procedures).
#include <cstdint>
#include <string>
#include <vector>

#include "scanners/charset_internal.h"
#include "scanners/epc_binary.h"
#include "scanners/epc_binary_internal.h"

namespace scanners {

using ledger::Result;
using ledger::Status;

namespace {

// Parses a decimal integer field of a URI that a 96-bit scheme stores as an
// integer: no leading zeros, value below 2^bits.
Result<uint64_t> IntegerField(std::string_view s, int bits,
                              std::string_view what, std::string_view scheme) {
  const std::string prefix = std::string(what) + " " + std::string(s);
  if (s.empty() || s.size() > 19) {
    return Status::InvalidArgument(
        prefix + " is not a decimal integer that fits " + std::string(scheme));
  }
  for (char c : s) {
    if (c < '0' || c > '9') {
      return Status::InvalidArgument(
          prefix + " is not all digits and cannot be encoded in " +
          std::string(scheme));
    }
  }
  if (s.size() > 1 && s[0] == '0') {
    return Status::InvalidArgument(
        prefix + " has a leading zero and cannot be encoded in " +
        std::string(scheme));
  }
  const uint64_t v = std::stoull(std::string(s));
  if (bits < 64 && v >= (uint64_t{1} << bits)) {
    return Status::InvalidArgument(prefix + " is 2^" + std::to_string(bits) +
                                   " or more and cannot be encoded in " +
                                   std::string(scheme));
  }
  return v;
}

Status AllDigits(std::string_view s, std::string_view what) {
  for (char c : s) {
    if (c < '0' || c > '9') {
      return Status::InvalidArgument(std::string(what) + " '" + std::string(s) +
                                     "' is not all digits");
    }
  }
  return Status::OK();
}

// Splits at the first `fields - 1` dots: the last field (a serial) may itself
// contain '.', which TDS §6.3 allows unescaped in an EPC URI.
std::vector<std::string_view> SplitDots(std::string_view s, size_t fields) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (out.size() + 1 < fields) {
    const size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) break;
    out.push_back(s.substr(start, dot - start));
    start = dot + 1;
  }
  out.push_back(s.substr(start));
  return out;
}

}  // namespace

namespace {

// The partition value for a company prefix of 6..12 digits.
Result<int> PartitionForCompanyPrefix(std::string_view cp) {
  LEDGER_RETURN_IF_ERROR(AllDigits(cp, "company prefix"));
  if (cp.size() < 6 || cp.size() > 12) {
    return Status::InvalidArgument("company prefix '" + std::string(cp) +
                                   "' has " + std::to_string(cp.size()) +
                                   " digits, must have 6..12");
  }
  return 12 - static_cast<int>(cp.size());
}

// GIAI-96: the individual asset reference is an integer of at most
// `row.ref_digits` digits.
Status WriteGiaiReference(std::string_view field, const SchemeInfo& info,
                          const PartitionRow& row, BitWriter& writer) {
  Result<std::string> ref =
      UnescapeEpcUriComponent(field, "individual asset reference");
  if (!ref.ok()) return ref.status();
  Result<uint64_t> v =
      IntegerField(*ref, row.ref_bits, "individual asset reference", info.name);
  if (!v.ok()) return v.status();
  if (*v >= Pow10(row.ref_digits)) {
    return Status::InvalidArgument("individual asset reference " + *ref +
                                   " has more than " +
                                   std::to_string(row.ref_digits) + " digits");
  }
  writer.Write(*v, row.ref_bits);
  return Status::OK();
}

// The middle field: exactly as many digits as the partition gives it.
Status WriteReference(std::string_view ref, std::string_view cp,
                      const SchemeInfo& info, const PartitionRow& row,
                      BitWriter& writer) {
  LEDGER_RETURN_IF_ERROR(AllDigits(ref, "reference"));
  if (static_cast<int>(ref.size()) != row.ref_digits) {
    return Status::InvalidArgument(
        "reference '" + std::string(ref) + "' has " +
        std::to_string(ref.size()) + " digits; with a " +
        std::to_string(cp.size()) + "-digit company prefix " +
        std::string(info.uri_type) + " needs " +
        std::to_string(row.ref_digits));
  }
  writer.Write(ref.empty() ? 0 : std::stoull(std::string(ref)), row.ref_bits);
  return Status::OK();
}

// The last field: a 7-bit string (SGTIN-198) or an integer (serial, SGLN
// extension).
Status WriteLastField(std::string_view field, const SchemeInfo& info,
                      BitWriter& writer) {
  const std::string_view what =
      info.scheme == EpcScheme::kSgln96 ? "extension" : "serial";
  Result<std::string> value = UnescapeEpcUriComponent(field, what);
  if (!value.ok()) return value.status();
  if (info.scheme == EpcScheme::kSgtin198) {
    if (value->empty() || value->size() > 20) {
      return Status::InvalidArgument("serial has " +
                                     std::to_string(value->size()) +
                                     " characters; SGTIN-198 holds 1..20");
    }
    for (char c : *value) writer.Write(static_cast<uint8_t>(c), 7);
    return Status::OK();
  }
  Result<uint64_t> v =
      IntegerField(*value, info.last_field_bits, what, info.name);
  if (!v.ok()) return v.status();
  writer.Write(*v, info.last_field_bits);
  return Status::OK();
}

}  // namespace

Result<std::string> EncodeEpcUri(std::string_view pure_uri, EpcScheme scheme,
                                 int filter) {
  const SchemeInfo& info = SchemeInfoFor(scheme);
  const std::string prefix = "urn:epc:id:" + std::string(info.uri_type) + ":";
  if (pure_uri.substr(0, prefix.size()) != prefix) {
    return Status::InvalidArgument("uri: " + std::string(info.name) +
                                   " needs a URI starting " + prefix);
  }
  if (filter < 0 || filter > 7) {
    return Status::InvalidArgument("filter " + std::to_string(filter) +
                                   " is not 0..7");
  }
  const bool two_fields =
      scheme == EpcScheme::kSscc96 || scheme == EpcScheme::kGiai96;
  const size_t want_fields = two_fields ? 2 : 3;
  const std::vector<std::string_view> fields =
      SplitDots(pure_uri.substr(prefix.size()), want_fields);
  if (fields.size() != want_fields) {
    return Status::InvalidArgument("uri: " + std::string(info.uri_type) +
                                   " needs " + std::to_string(want_fields) +
                                   " dot-separated fields, got " +
                                   std::to_string(fields.size()));
  }
  Result<int> partition = PartitionForCompanyPrefix(fields[0]);
  if (!partition.ok()) return partition.status();
  const PartitionRow& row = (*info.partitions)[*partition];
  BitWriter writer;
  writer.Write(info.header, 8);
  writer.Write(static_cast<uint64_t>(filter), 3);
  writer.Write(static_cast<uint64_t>(*partition), 3);
  writer.Write(std::stoull(std::string(fields[0])), row.cp_bits);
  if (scheme == EpcScheme::kGiai96) {
    LEDGER_RETURN_IF_ERROR(WriteGiaiReference(fields[1], info, row, writer));
  } else {
    LEDGER_RETURN_IF_ERROR(
        WriteReference(fields[1], fields[0], info, row, writer));
    // SSCC-96 ends with 24 unallocated zero bits, which the padding writes.
    if (scheme != EpcScheme::kSscc96)
      LEDGER_RETURN_IF_ERROR(WriteLastField(fields[2], info, writer));
  }
  return writer.Hex(info.hex_digits * 4);
}

Result<std::string> EncodeEpcUri(std::string_view pure_uri, int filter) {
  static constexpr std::string_view kTypes[] = {"sgtin", "sscc", "sgln", "grai",
                                                "giai"};
  static constexpr EpcScheme kTypeSchemes[] = {
      EpcScheme::kSgtin96, EpcScheme::kSscc96, EpcScheme::kSgln96,
      EpcScheme::kGrai96, EpcScheme::kGiai96};
  for (size_t i = 0; i < std::size(kTypes); ++i) {
    const std::string prefix = "urn:epc:id:" + std::string(kTypes[i]) + ":";
    if (pure_uri.substr(0, prefix.size()) != prefix) continue;
    Result<std::string> hex = EncodeEpcUri(pure_uri, kTypeSchemes[i], filter);
    if (hex.ok() || kTypeSchemes[i] != EpcScheme::kSgtin96) return hex;
    // The 198-bit scheme accepts everything the 96-bit one does except the
    // serial, so its error is the one that explains what cannot be encoded at
    // all.
    return EncodeEpcUri(pure_uri, EpcScheme::kSgtin198, filter);
  }
  return Status::InvalidArgument(
      "uri: not an EPC pure-identity URI of type sgtin, sscc, sgln, grai or "
      "giai");
}

Result<std::string> EncodeEpcTagUri(std::string_view tag_uri) {
  constexpr std::string_view kPrefix = "urn:epc:tag:";
  if (tag_uri.substr(0, kPrefix.size()) != kPrefix) {
    return Status::InvalidArgument(
        "uri: an EPC tag URI starts with urn:epc:tag:");
  }
  const std::string_view rest = tag_uri.substr(kPrefix.size());
  for (const SchemeInfo& info : kSchemes) {
    const std::string type = std::string(info.tag_type) + ":";
    if (rest.substr(0, type.size()) != type) continue;
    const std::string_view fields = rest.substr(type.size());
    if (fields.size() < 2 || fields[0] < '0' || fields[0] > '7' ||
        fields[1] != '.') {
      return Status::InvalidArgument(
          "uri: filter must be one digit 0..7 followed by '.'");
    }
    const std::string pure = "urn:epc:id:" + std::string(info.uri_type) + ":" +
                             std::string(fields.substr(2));
    return EncodeEpcUri(pure, info.scheme, fields[0] - '0');
  }
  return Status::InvalidArgument(
      "uri: tag scheme is not one of sgtin-96, sscc-96, sgln-96, grai-96, "
      "giai-96, sgtin-198");
}
}  // namespace scanners
