// GS1 identifiers and EPCIS time text as the generator writes them. Written
// independently of ledger/gs1 on purpose: the tests parse what these functions
// produce with the ledger's parser, so a mistake on either side shows up as a
// mismatch.
//
// Forms (GS1 EPC Tag Data Standard 2.x, GS1 Digital Link 1.x, GS1 General
// Specifications):
//   GLN-13   prefix + location reference (12 - L digits) + check digit
//   GTIN-14  indicator + prefix + item reference (12 - L digits) + check digit
//   SSCC-18  extension digit + prefix + serial ref (16 - L digits) + check
//   urn:epc:id:sgtin:<prefix>.<indicator><item ref>.<serial>
//   urn:epc:class:lgtin:<prefix>.<indicator><item ref>.<lot>
//   urn:epc:id:sscc:<prefix>.<extension><serial ref>
//   urn:epc:id:sgln:<prefix>.<location ref>.<extension>   ("0" = no extension)
//   urn:epc:id:pgln:<prefix>.<party ref>
//   <host>/01/<gtin>/21/<serial>, <host>/01/<gtin>/10/<lot>, <host>/00/<sscc>,
//   <host>/414/<gln>
// Serials and lots used by the generator are [0-9A-Z] only, so no
// percent-encoding is needed. Canonical keys are the ledger's (gs1.h):
// "01/<gtin>/21/<serial>", "00/<sscc>", "414/<gln>".
#ifndef UDI_TOOLS_SUPPLYCHAIN_IDENTIFIERS_H_
#define UDI_TOOLS_SUPPLYCHAIN_IDENTIFIERS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace supplychain {

// GS1 mod-10 check digit of `digits` (check digit not included): weights
// 3,1,3,... from the right.
char Gs1CheckDigit(std::string_view digits);
// `number` as exactly `width` decimal digits (leading zeros). Requires it to
// fit.
std::string ZeroPad(uint64_t number, int width);

std::string MakeGln(std::string_view prefix, uint64_t location_ref);
std::string MakeGtin14(char indicator, std::string_view prefix,
                       uint64_t item_ref);
std::string MakeSscc(char extension, std::string_view prefix,
                     uint64_t serial_ref);

// EPC URIs. `prefix` is the GS1 company prefix the identifier was made with.
std::string SgtinEpc(std::string_view prefix, std::string_view gtin14,
                     std::string_view serial);
std::string LgtinEpc(std::string_view prefix, std::string_view gtin14,
                     std::string_view lot);
std::string SsccEpc(std::string_view prefix, std::string_view sscc);
std::string SglnEpc(std::string_view prefix, std::string_view gln,
                    std::string_view extension);
std::string PglnEpc(std::string_view prefix, std::string_view gln);

// GS1 Digital Link URIs on `host` ("https://id.gs1.org").
std::string SgtinDigitalLink(std::string_view host, std::string_view gtin14,
                             std::string_view serial);
std::string LgtinDigitalLink(std::string_view host, std::string_view gtin14,
                             std::string_view lot);
std::string SsccDigitalLink(std::string_view host, std::string_view sscc);

// Canonical key strings (ledger/gs1.h Gs1Key::ToString()).
std::string SgtinKey(std::string_view gtin14, std::string_view serial);
std::string LgtinKey(std::string_view gtin14, std::string_view lot);
std::string SsccKey(std::string_view sscc);
std::string SglnKey(std::string_view gln, std::string_view extension);

// Time. Days are counted from 1970-01-01.
int64_t DaysFromCivil(int year, int month, int day);
std::string FormatDate(int64_t days);  // "YYYY-MM-DD"
// "+05:30", "-08:00", "+00:00".
std::string FormatOffset(int offset_minutes);
// RFC 3339 local time with milliseconds and the offset ("Z" when `use_z` and
// the offset is 0): "2026-03-04T10:15:30.123+01:00". `utc_ms` is milliseconds
// since the epoch.
std::string FormatEventTime(int64_t utc_ms, int offset_minutes, bool use_z);

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerHour = 3600 * kMsPerSecond;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;

}  // namespace supplychain

#endif  // UDI_TOOLS_SUPPLYCHAIN_IDENTIFIERS_H_
