#include "scanners/epc_binary.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/gs1.h"
#include "scanners/charset_internal.h"

namespace scanners {
namespace {

using ledger::Result;
using ledger::Status;

// One row of a TDS partition table (§14.5.x): bits and decimal digits of the
// company prefix and of the field that follows it.
struct PartitionRow {
  int cp_bits;
  int cp_digits;
  int ref_bits;
  int ref_digits;
};
using PartitionTable = std::array<PartitionRow, 7>;

// TDS Table 14-2 (SGTIN), 14-4 (SSCC), 14-6 (SGLN), 14-8 (GRAI), 14-10
// (GIAI-96).
constexpr PartitionTable kSgtinPartitions = {{{40, 12, 4, 1},
                                              {37, 11, 7, 2},
                                              {34, 10, 10, 3},
                                              {30, 9, 14, 4},
                                              {27, 8, 17, 5},
                                              {24, 7, 20, 6},
                                              {20, 6, 24, 7}}};
constexpr PartitionTable kSsccPartitions = {{{40, 12, 18, 5},
                                             {37, 11, 21, 6},
                                             {34, 10, 24, 7},
                                             {30, 9, 28, 8},
                                             {27, 8, 31, 9},
                                             {24, 7, 34, 10},
                                             {20, 6, 38, 11}}};
constexpr PartitionTable kSglnPartitions = {{{40, 12, 1, 0},
                                             {37, 11, 4, 1},
                                             {34, 10, 7, 2},
                                             {30, 9, 11, 3},
                                             {27, 8, 14, 4},
                                             {24, 7, 17, 5},
                                             {20, 6, 21, 6}}};
constexpr PartitionTable kGraiPartitions = {{{40, 12, 4, 0},
                                             {37, 11, 7, 1},
                                             {34, 10, 10, 2},
                                             {30, 9, 14, 3},
                                             {27, 8, 17, 4},
                                             {24, 7, 20, 5},
                                             {20, 6, 24, 6}}};
constexpr PartitionTable kGiaiPartitions = {{{40, 12, 42, 13},
                                             {37, 11, 45, 14},
                                             {34, 10, 48, 15},
                                             {30, 9, 52, 16},
                                             {27, 8, 55, 17},
                                             {24, 7, 58, 18},
                                             {20, 6, 62, 19}}};

struct SchemeInfo {
  EpcScheme scheme;
  uint8_t header;
  std::string_view name;      // "SGTIN-96"
  std::string_view uri_type;  // "sgtin"
  std::string_view tag_type;  // "sgtin-96"
  const PartitionTable* partitions;
  int last_field_bits;  // serial / extension / asset reference; 0 for SSCC
  int hex_digits;       // length of the hex representation
};

constexpr std::array<SchemeInfo, 6> kSchemes = {{
    {EpcScheme::kSgtin96, 0x30, "SGTIN-96", "sgtin", "sgtin-96",
     &kSgtinPartitions, 38, 24},
    {EpcScheme::kSscc96, 0x31, "SSCC-96", "sscc", "sscc-96", &kSsccPartitions,
     0, 24},
    {EpcScheme::kSgln96, 0x32, "SGLN-96", "sgln", "sgln-96", &kSglnPartitions,
     41, 24},
    {EpcScheme::kGrai96, 0x33, "GRAI-96", "grai", "grai-96", &kGraiPartitions,
     38, 24},
    {EpcScheme::kGiai96, 0x34, "GIAI-96", "giai", "giai-96", &kGiaiPartitions,
     0, 24},
    {EpcScheme::kSgtin198, 0x36, "SGTIN-198", "sgtin", "sgtin-198",
     &kSgtinPartitions, 140, 52},
}};

// Headers of TDS schemes this module does not decode, for a precise error
// message.
struct OtherHeader {
  uint8_t header;
  std::string_view name;
};
constexpr std::array<OtherHeader, 14> kOtherHeaders = {
    {{0x2C, "GDTI-96"},
     {0x2D, "GSRN-96"},
     {0x2E, "GSRNP-96"},
     {0x2F, "USDoD-96"},
     {0x35, "GID-96"},
     {0x37, "GRAI-170"},
     {0x38, "GIAI-202"},
     {0x39, "SGLN-195"},
     {0x3A, "SGTIN-198 reserved"},
     {0x3B, "ADI-var"},
     {0x3C, "CPI-96"},
     {0x3D, "CPI-var"},
     {0x3E, "GDTI-174"},
     {0x3F, "SGCN-96"}}};

const SchemeInfo& Info(EpcScheme scheme) {
  for (const SchemeInfo& s : kSchemes) {
    if (s.scheme == scheme) return s;
  }
  return kSchemes[0];
}

// Reads big-endian bit fields from a byte string. Requires the caller to stay
// within the size.
class BitReader {
 public:
  explicit BitReader(std::string_view bytes) : bytes_(bytes) {}
  uint64_t Read(int bits) {
    uint64_t v = 0;
    for (int i = 0; i < bits; ++i, ++pos_) {
      const auto byte = static_cast<uint8_t>(bytes_[pos_ / 8]);
      v = v << 1 | ((byte >> (7 - pos_ % 8)) & 1u);
    }
    return v;
  }
  // True iff every bit from the current position to the end is zero.
  bool RestIsZero() {
    while (pos_ < bytes_.size() * 8) {
      if (Read(1) != 0) return false;
    }
    return true;
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

class BitWriter {
 public:
  void Write(uint64_t v, int bits) {
    for (int i = bits - 1; i >= 0; --i, ++pos_) {
      if (pos_ % 8 == 0) bytes_.push_back('\0');
      if ((v >> i) & 1u)
        bytes_.back() = static_cast<char>(bytes_.back() | (0x80 >> (pos_ % 8)));
    }
  }
  // Pads with zero bits to `total_bits` and returns upper-case hex.
  std::string Hex(int total_bits) {
    while (static_cast<int>(pos_) < total_bits) Write(0, 1);
    std::string hex = ledger::ToHex(bytes_);
    for (char& c : hex) {
      if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    }
    return hex;
  }

 private:
  std::string bytes_;
  size_t pos_ = 0;
};

uint64_t Pow10(int n) {
  uint64_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

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

std::string_view EpcSchemeName(EpcScheme scheme) { return Info(scheme).name; }

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

// Expected number of reference digits for a company prefix of `cp_digits`
// digits.
int RefDigits(const SchemeInfo& info, int partition) {
  return (*info.partitions)[partition].ref_digits;
}

}  // namespace

Result<std::string> EncodeEpcUri(std::string_view pure_uri, EpcScheme scheme,
                                 int filter) {
  const SchemeInfo& info = Info(scheme);
  const std::string prefix = "urn:epc:id:" + std::string(info.uri_type) + ":";
  if (pure_uri.substr(0, prefix.size()) != prefix) {
    return Status::InvalidArgument("uri: " + std::string(info.name) +
                                   " needs a URI starting " + prefix);
  }
  if (filter < 0 || filter > 7) {
    return Status::InvalidArgument("filter " + std::to_string(filter) +
                                   " is not 0..7");
  }
  const size_t want_fields =
      (scheme == EpcScheme::kSscc96 || scheme == EpcScheme::kGiai96) ? 2 : 3;
  const std::vector<std::string_view> fields =
      SplitDots(pure_uri.substr(prefix.size()), want_fields);
  if (fields.size() != want_fields) {
    return Status::InvalidArgument("uri: " + std::string(info.uri_type) +
                                   " needs " + std::to_string(want_fields) +
                                   " dot-separated fields, got " +
                                   std::to_string(fields.size()));
  }
  const std::string_view cp = fields[0];
  LEDGER_RETURN_IF_ERROR(AllDigits(cp, "company prefix"));
  if (cp.size() < 6 || cp.size() > 12) {
    return Status::InvalidArgument("company prefix '" + std::string(cp) +
                                   "' has " + std::to_string(cp.size()) +
                                   " digits, must have 6..12");
  }
  const int partition = 12 - static_cast<int>(cp.size());
  const PartitionRow& row = (*info.partitions)[partition];
  BitWriter writer;
  writer.Write(info.header, 8);
  writer.Write(static_cast<uint64_t>(filter), 3);
  writer.Write(static_cast<uint64_t>(partition), 3);
  writer.Write(std::stoull(std::string(cp)), row.cp_bits);
  std::string_view last;
  if (scheme == EpcScheme::kGiai96) {
    Result<std::string> ref =
        UnescapeEpcUriComponent(fields[1], "individual asset reference");
    if (!ref.ok()) return ref.status();
    Result<uint64_t> v = IntegerField(*ref, row.ref_bits,
                                      "individual asset reference", info.name);
    if (!v.ok()) return v.status();
    if (*v >= Pow10(row.ref_digits)) {
      return Status::InvalidArgument(
          "individual asset reference " + *ref + " has more than " +
          std::to_string(row.ref_digits) + " digits");
    }
    writer.Write(*v, row.ref_bits);
    return writer.Hex(info.hex_digits * 4);
  }
  const std::string_view ref = fields[1];
  LEDGER_RETURN_IF_ERROR(AllDigits(ref, "reference"));
  const int want_ref = RefDigits(info, partition);
  if (static_cast<int>(ref.size()) != want_ref) {
    return Status::InvalidArgument(
        "reference '" + std::string(ref) + "' has " +
        std::to_string(ref.size()) + " digits; with a " +
        std::to_string(cp.size()) + "-digit company prefix " +
        std::string(info.uri_type) + " needs " + std::to_string(want_ref));
  }
  writer.Write(ref.empty() ? 0 : std::stoull(std::string(ref)), row.ref_bits);
  if (scheme == EpcScheme::kSscc96) {
    writer.Write(0, 24);
    return writer.Hex(info.hex_digits * 4);
  }
  const std::string_view what =
      scheme == EpcScheme::kSgln96 ? "extension" : "serial";
  Result<std::string> serial = UnescapeEpcUriComponent(fields[2], what);
  if (!serial.ok()) return serial.status();
  if (scheme == EpcScheme::kSgtin198) {
    if (serial->empty() || serial->size() > 20) {
      return Status::InvalidArgument("serial has " +
                                     std::to_string(serial->size()) +
                                     " characters; SGTIN-198 holds 1..20");
    }
    for (char c : *serial) writer.Write(static_cast<uint8_t>(c), 7);
    return writer.Hex(info.hex_digits * 4);
  }
  Result<uint64_t> v =
      IntegerField(*serial, info.last_field_bits, what, info.name);
  if (!v.ok()) return v.status();
  writer.Write(*v, info.last_field_bits);
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
