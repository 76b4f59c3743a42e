#include "scanners/epc_binary.h"

#include <cstdint>
#include <string>

#include "ledger/bytes.h"
#include "ledger/gs1.h"
#include "scanners/charset_internal.h"
#include "scanners/epc_binary_internal.h"

namespace scanners {
namespace {

using ledger::Result;
using ledger::Status;

// A decimal field of exactly `digits` digits (TDS "Integer" decoding with zero
// padding).
Result<std::string> PaddedDecimal(uint64_t v, int digits,
                                  std::string_view what) {
  if (v >= Pow10(digits)) {
    return Status::InvalidArgument(std::string(what) + " " + std::to_string(v) +
                                   " needs more than " +
                                   std::to_string(digits) + " digits");
  }
  std::string s = std::to_string(v);
  if (digits == 0) return std::string();
  return std::string(digits - s.size(), '0') + s;
}

std::string Gs1CheckDigitAppended(std::string digits) {
  digits.push_back(ledger::gs1::ComputeCheckDigit(digits));
  return digits;
}

// Reads the 7-bit string of a SGTIN-198 serial (TDS §14.3.3 String decoding).
Result<std::string> ReadSevenBitString(BitReader& reader, int bits) {
  std::string out;
  bool ended = false;
  for (int i = 0; i < bits / 7; ++i) {
    const auto c = static_cast<char>(reader.Read(7));
    if (c == 0) {
      ended = true;
      continue;
    }
    if (ended) {
      return Status::InvalidArgument(
          "serial: non-zero character after the terminating zero at " +
          std::to_string(out.size()));
    }
    if (!IsGs1Cset82(c)) {
      return Status::InvalidArgument("serial: 7-bit character " +
                                     HexByte(static_cast<uint8_t>(c)) +
                                     " is not in the GS1 82-character set");
    }
    out.push_back(c);
  }
  if (out.empty()) return Status::InvalidArgument("serial: empty");
  return out;
}

Status CheckHexDigits(std::string_view hex) {
  for (size_t i = 0; i < hex.size(); ++i) {
    const char c = hex[i];
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                    (c >= 'A' && c <= 'F');
    if (!ok) {
      return Status::InvalidArgument("hex: position " + std::to_string(i) +
                                     ": '" + std::string(1, c) +
                                     "' is not a hex digit");
    }
  }
  return Status::OK();
}

Result<const SchemeInfo*> SchemeForHeader(uint8_t header) {
  for (const SchemeInfo& s : kSchemes) {
    if (s.header == header) return &s;
  }
  const std::string buf = HexByte(header);
  for (const OtherHeader& o : kOtherHeaders) {
    if (o.header == header) {
      return Status::InvalidArgument(
          "header " + buf + " (" + std::string(o.name) + ") is not supported");
    }
  }
  return Status::InvalidArgument("header " + buf +
                                 " is not a known EPC header");
}

// Fills the URIs and GS1 values of a tag whose fields are decoded.
void Complete(const SchemeInfo& info, EpcTag& tag) {
  std::string fields = tag.company_prefix;
  if (info.scheme != EpcScheme::kGiai96) fields += "." + tag.reference;
  if (info.scheme != EpcScheme::kSscc96)
    fields += "." + EscapeEpcUriComponent(tag.serial);
  tag.pure_uri = "urn:epc:id:" + std::string(info.uri_type) + ":" + fields;
  tag.tag_uri = "urn:epc:tag:" + std::string(info.tag_type) + ":" +
                std::to_string(tag.filter) + "." + fields;
  const std::string& cp = tag.company_prefix;
  const std::string& ref = tag.reference;
  using ledger::gs1::KeyKind;
  switch (info.scheme) {
    case EpcScheme::kSgtin96:
    case EpcScheme::kSgtin198:
      tag.gtin = Gs1CheckDigitAppended(ref.substr(0, 1) + cp + ref.substr(1));
      tag.key = {KeyKind::kSgtin, {{"01", tag.gtin}, {"21", tag.serial}}};
      break;
    case EpcScheme::kSscc96:
      tag.sscc = Gs1CheckDigitAppended(ref.substr(0, 1) + cp + ref.substr(1));
      tag.key = {KeyKind::kSscc, {{"00", tag.sscc}}};
      break;
    case EpcScheme::kSgln96:
      tag.gln = Gs1CheckDigitAppended(cp + ref);
      tag.key = {KeyKind::kSgln, {{"414", tag.gln}}};
      if (tag.serial != "0") {
        tag.gln_extension = tag.serial;
        tag.key.parts.emplace_back("254", tag.gln_extension);
      }
      break;
    case EpcScheme::kGrai96:
      tag.grai = "0" + Gs1CheckDigitAppended(cp + ref) + tag.serial;
      tag.key = {KeyKind::kGrai, {{"8003", tag.grai}}};
      break;
    case EpcScheme::kGiai96:
      tag.giai = cp + tag.serial;
      tag.key = {KeyKind::kGiai, {{"8004", tag.giai}}};
      break;
  }
}

}  // namespace

std::string_view EpcSchemeName(EpcScheme scheme) {
  return SchemeInfoFor(scheme).name;
}

Result<EpcTag> DecodeEpcHex(std::string_view hex) {
  LEDGER_RETURN_IF_ERROR(CheckHexDigits(hex));
  if (hex.size() < 2)
    return Status::InvalidArgument("hex: empty or shorter than the header");
  const auto header = static_cast<uint8_t>(
      std::stoi(std::string(hex.substr(0, 2)), nullptr, 16));
  Result<const SchemeInfo*> scheme = SchemeForHeader(header);
  if (!scheme.ok()) return scheme.status();
  const SchemeInfo& info = **scheme;
  if (static_cast<int>(hex.size()) != info.hex_digits) {
    return Status::InvalidArgument("hex: " + std::to_string(hex.size()) +
                                   " digits, " + std::string(info.name) +
                                   " needs " + std::to_string(info.hex_digits));
  }
  const std::string bytes = *ledger::FromHex(hex);
  BitReader reader(bytes);
  reader.Read(8);
  EpcTag tag;
  tag.scheme = info.scheme;
  tag.filter = static_cast<int>(reader.Read(3));
  tag.partition = static_cast<int>(reader.Read(3));
  if (tag.partition > 6) {
    return Status::InvalidArgument(
        "partition " + std::to_string(tag.partition) + " is not valid (0..6)");
  }
  const PartitionRow& row = (*info.partitions)[tag.partition];
  Result<std::string> cp =
      PaddedDecimal(reader.Read(row.cp_bits), row.cp_digits, "company prefix");
  if (!cp.ok()) return cp.status();
  tag.company_prefix = *cp;
  const uint64_t ref_value = reader.Read(row.ref_bits);
  if (info.scheme == EpcScheme::kGiai96) {
    if (ref_value >= Pow10(row.ref_digits)) {
      return Status::InvalidArgument(
          "individual asset reference " + std::to_string(ref_value) +
          " needs more than " + std::to_string(row.ref_digits) + " digits");
    }
    tag.serial = std::to_string(ref_value);
  } else {
    static constexpr std::string_view kRefNames[] = {
        "item reference", "serial reference", "location reference",
        "asset type"};
    const int name_index = info.scheme == EpcScheme::kSscc96   ? 1
                           : info.scheme == EpcScheme::kSgln96 ? 2
                           : info.scheme == EpcScheme::kGrai96 ? 3
                                                               : 0;
    Result<std::string> ref =
        PaddedDecimal(ref_value, row.ref_digits, kRefNames[name_index]);
    if (!ref.ok()) return ref.status();
    tag.reference = *ref;
  }
  if (info.scheme == EpcScheme::kSgtin198) {
    Result<std::string> serial =
        ReadSevenBitString(reader, info.last_field_bits);
    if (!serial.ok()) return serial.status();
    tag.serial = *serial;
  } else if (info.last_field_bits > 0) {
    tag.serial = std::to_string(reader.Read(info.last_field_bits));
  }
  if (!reader.RestIsZero()) {
    return Status::InvalidArgument(
        info.scheme == EpcScheme::kSscc96
            ? "the 24 unallocated bits must be zero"
            : "padding bits after the last field must be zero");
  }
  Complete(info, tag);
  return tag;
}
}  // namespace scanners
