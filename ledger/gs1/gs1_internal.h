// Internals of ledger/gs1 shared between its .cc files. Not a public interface.
#ifndef UDI_LEDGER_GS1_GS1_INTERNAL_H_
#define UDI_LEDGER_GS1_GS1_INTERNAL_H_

#include <span>
#include <string>
#include <string_view>

#include "ledger/gs1.h"
#include "ledger/status.h"

namespace ledger::gs1::internal {

// Every row of the AI table, sorted by AI.
std::span<const AiInfo> AllAis();

// GS1 AI encodable character set 82 (GS1 General Specifications Figure 7.11-1).
bool IsCset82(char c);
// GS1 AI encodable character set 39: digits, upper case, '#', '-', '/'.
bool IsCset39(char c);
// GS1 AI encodable character set 64: the RFC 4648 base64url alphabet plus '='
// padding.
bool IsCset64(char c);
bool IsDigits(std::string_view s);  // non-empty, all '0'..'9'

// "'c'" for printable ASCII, "byte 0xNN" otherwise (for error messages).
std::string DescribeChar(char c);

// Position of `c` in CSET 82 (0..81) or -1; used by the GMN check character
// pair.
int Cset82Index(char c);
// The two GMN check characters (GS1 General Specifications §7.9.5) for `data`
// (CSET 82, no check pair); empty if a character is outside CSET 82 or `data`
// has more than 97 characters.
std::string ComputeCheckPair(std::string_view data);

// Days in month 1..12 of `year` (Gregorian).
int DaysInMonth(int year, int month);

// Percent-encodes every byte outside RFC 3986 "unreserved" (A-Z a-z 0-9 - . _
// ~), upper-case hex.
std::string PercentEncode(std::string_view s);
// Decodes %XX escapes into `out`; false (with the escape's offset in
// `bad_offset`) on a malformed escape.
bool PercentDecode(std::string_view s, std::string* out, size_t* bad_offset);

// A GTIN-8/12/13/14 (all digits) left-padded with zeros to 14 digits; other
// lengths unchanged.
std::string PadGtin14(std::string_view gtin);

// An EPC URI component with the TDS Table A-1 escapes (%22 %25 %26 %2F %3C %3E
// %3F), or for a CPI part reference (`cset39`) %23 and %2F.
std::string EncodeEpcComponent(std::string_view value, bool cset39);

// The canonical key for a parsed Digital Link (see gs1.h for the reduction
// rules).
Result<Gs1Key> KeyFromDigitalLink(const DigitalLink& dl);
// Parses "urn:epc:id:...", "urn:epc:class:lgtin:..." and
// "urn:epc:idpat:sgtin:...".
Result<Gs1Key> ParseEpcUri(std::string_view uri);

}  // namespace ledger::gs1::internal

#endif  // UDI_LEDGER_GS1_GS1_INTERNAL_H_
