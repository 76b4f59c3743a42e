// Internals of the EPC binary codec shared by epc_binary.cc (decode) and
// epc_encode.cc (encode): the TDS partition tables, the scheme table and
// bit-level I/O. Private to scanners/.
#ifndef UDI_SCANNERS_EPC_BINARY_INTERNAL_H_
#define UDI_SCANNERS_EPC_BINARY_INTERNAL_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "scanners/epc_binary.h"

namespace scanners {

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
inline constexpr PartitionTable kSgtinPartitions = {{{40, 12, 4, 1},
                                                     {37, 11, 7, 2},
                                                     {34, 10, 10, 3},
                                                     {30, 9, 14, 4},
                                                     {27, 8, 17, 5},
                                                     {24, 7, 20, 6},
                                                     {20, 6, 24, 7}}};
inline constexpr PartitionTable kSsccPartitions = {{{40, 12, 18, 5},
                                                    {37, 11, 21, 6},
                                                    {34, 10, 24, 7},
                                                    {30, 9, 28, 8},
                                                    {27, 8, 31, 9},
                                                    {24, 7, 34, 10},
                                                    {20, 6, 38, 11}}};
inline constexpr PartitionTable kSglnPartitions = {{{40, 12, 1, 0},
                                                    {37, 11, 4, 1},
                                                    {34, 10, 7, 2},
                                                    {30, 9, 11, 3},
                                                    {27, 8, 14, 4},
                                                    {24, 7, 17, 5},
                                                    {20, 6, 21, 6}}};
inline constexpr PartitionTable kGraiPartitions = {{{40, 12, 4, 0},
                                                    {37, 11, 7, 1},
                                                    {34, 10, 10, 2},
                                                    {30, 9, 14, 3},
                                                    {27, 8, 17, 4},
                                                    {24, 7, 20, 5},
                                                    {20, 6, 24, 6}}};
inline constexpr PartitionTable kGiaiPartitions = {{{40, 12, 42, 13},
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

inline constexpr std::array<SchemeInfo, 6> kSchemes = {{
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
inline constexpr std::array<OtherHeader, 14> kOtherHeaders = {
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

inline const SchemeInfo& SchemeInfoFor(EpcScheme scheme) {
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

inline uint64_t Pow10(int n) {
  uint64_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

}  // namespace scanners

#endif  // UDI_SCANNERS_EPC_BINARY_INTERNAL_H_
