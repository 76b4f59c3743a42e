// RFID EPC binary encodings (GS1 EPC Tag Data Standard 2.x, §14): decoding the
// hex EPC that an RFID reader reports into GS1 keys and EPC URIs, and encoding
// an EPC URI back into hex.
//
// Supported schemes: SGTIN-96 (header 0x30), SSCC-96 (0x31), SGLN-96 (0x32),
// GRAI-96 (0x33), GIAI-96 (0x34) and SGTIN-198 (0x36). Every field is checked
// the way TDS §14.5 decodes it: the partition value selects the company-prefix
// / reference split (0..6; 7 is invalid), a decimal field whose value needs
// more digits than the partition allows is an error, SSCC-96's 24 unallocated
// bits and the bits after a 198-bit EPC's last field must be zero, a SGTIN-198
// serial is 7-bit characters from the GS1 82-character set ending at the first
// all-zero character.
//
// Hex is the reader's representation: upper or lower case, exactly 24 digits
// for 96-bit schemes and 52 digits (198 bits padded to 13 16-bit words, as
// stored in Gen2 EPC memory) for SGTIN-198. Encoding writes upper-case hex of
// the same lengths.
//
// Pure functions, no I/O, thread-safe. Errors are InvalidArgument naming the
// field and reason.
#ifndef UDI_SCANNERS_EPC_BINARY_H_
#define UDI_SCANNERS_EPC_BINARY_H_

#include <string>
#include <string_view>

#include "ledger/gs1.h"
#include "ledger/status.h"

namespace scanners {

enum class EpcScheme {
  kSgtin96,
  kSscc96,
  kSgln96,
  kGrai96,
  kGiai96,
  kSgtin198
};

// "SGTIN-96", "SSCC-96", "SGLN-96", "GRAI-96", "GIAI-96", "SGTIN-198".
std::string_view EpcSchemeName(EpcScheme scheme);

// One decoded EPC. The GS1 fields that do not apply to the scheme are empty.
struct EpcTag {
  EpcScheme scheme = EpcScheme::kSgtin96;
  int filter = 0;              // 0..7
  int partition = 0;           // 0..6
  std::string company_prefix;  // 6..12 digits
  // The middle URI field: indicator + item reference (SGTIN), extension digit +
  // serial reference (SSCC), location reference (SGLN), asset type (GRAI);
  // empty for GIAI.
  std::string reference;
  // The last URI field, unescaped: serial (SGTIN, GRAI), extension (SGLN, "0" =
  // none), individual asset reference (GIAI); empty for SSCC.
  std::string serial;

  std::string pure_uri;  // "urn:epc:id:sgtin:0614141.812345.6789"
  std::string tag_uri;   // "urn:epc:tag:sgtin-96:3.0614141.812345.6789"

  // GS1 element-string values (with check digits computed).
  std::string gtin;           // AI 01, SGTIN
  std::string sscc;           // AI 00, SSCC
  std::string gln;            // AI 414, SGLN
  std::string gln_extension;  // AI 254, SGLN; empty when the extension is "0"
  std::string grai;           // AI 8003 value ("0" + GRAI-13 + serial), GRAI
  std::string giai;           // AI 8004, GIAI

  // The canonical GS1 key (ledger/gs1.h): 01+21 (SGTIN), 00 (SSCC), 414[+254]
  // (SGLN), 8003 (GRAI), 8004 (GIAI) -- the key the ledger indexes events by.
  ledger::gs1::Gs1Key key;
};

// Decodes a hex EPC. Errors: "hex: 23 digits, need 24 for a 96-bit EPC",
// "header 0x35 (GID-96) is not supported", "partition 7 is not valid", "item
// reference 10000 needs more than 4 digits", "serial: 7-bit character 0x23 is
// not in the GS1 82-character set", ...
ledger::Result<EpcTag> DecodeEpcHex(std::string_view hex);

// Encodes an EPC tag URI ("urn:epc:tag:sgtin-96:3.0614141.812345.6789") into
// upper-case hex.
ledger::Result<std::string> EncodeEpcTagUri(std::string_view tag_uri);

// Encodes a pure-identity EPC URI ("urn:epc:id:sgtin:...", sscc, sgln, grai,
// giai) with the given filter value into hex using `scheme`, which must match
// the URI's type. Errors name the field that does not fit ("serial 01 has a
// leading zero and cannot be encoded in SGTIN-96").
ledger::Result<std::string> EncodeEpcUri(std::string_view pure_uri,
                                         EpcScheme scheme, int filter);

// As above, choosing the scheme: SGTIN-96 when the serial fits it, otherwise
// SGTIN-198; the only 96-bit scheme for the other types.
ledger::Result<std::string> EncodeEpcUri(std::string_view pure_uri, int filter);

}  // namespace scanners

#endif  // UDI_SCANNERS_EPC_BINARY_H_
