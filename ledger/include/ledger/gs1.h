// GS1 identifiers: Application Identifier (AI) facts, check digits, EPC
// pure-identity URIs (EPC Tag Data Standard 2.x) and GS1 Digital Link URIs, all
// reduced to one canonical GS1 key so that the EPC URI and the Digital Link of
// the same thing index the same events.
//
// Canonical key string (Gs1Key::ToString) is the Digital Link path form without
// host, primary key first, qualifiers in Digital Link order, e.g.
//   "01/09506000134352/21/ABC123"   (SGTIN: GTIN-14 + serial)
//   "01/09506000134352/10/LOT7"     (LGTIN: GTIN-14 + lot; the EPC class for
//   lot-level lists) "01/09506000134352"             (a GTIN class without lot,
//   e.g. urn:epc:idpat:sgtin:X.Y.*) "00/106141412345678908"         (SSCC)
//   "414/0614141000005/254/12"      (SGLN: GLN + extension; extension "0" is
//   omitted) "8003/00614141000005ABC"        (GRAI), "8004/0614141ABC" (GIAI),
//   "417/..." (PGLN), ...
// In a value, '%' and '/' are written %25 and %2F so that the string stays
// unambiguous. Pure functions, thread-safe. Implementation and vectors:
// ledger/gs1/ (see its README.md).
#ifndef UDI_LEDGER_GS1_H_
#define UDI_LEDGER_GS1_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/status.h"

namespace ledger::gs1 {

// --- Application Identifiers (table from the GS1 syntax dictionary;
// shared/reference) --------- The table is generated
// (ledger/gs1/gen_ai_table.py) from shared/reference/gs1-ai-facts.json plus
// ledger/gs1/ai_supplement.txt (dictionary lines for AIs the extract lacks); AI
// ranges such as 3100-3105 or 91-99 have one row per AI. Rows live for the
// whole program.
struct AiInfo {
  std::string_view ai;     // "01", "10", "7003", ...
  std::string_view title;  // "GTIN", "BATCH/LOT", ...
  std::string_view
      format;  // syntax-dictionary format, e.g. "N14,csum,gcppos2", "X..20"
  std::string_view attributes;  // "req=01 ...", "ex=...", "dlpkey=..."
  bool predefined_length;       // needs no FNC1 separator after it
  bool dl_data_attribute;       // allowed in a Digital Link query string
};
// nullptr if `ai` is not a known AI.
const AiInfo* LookupAi(std::string_view ai);
// Finds the AI at the start of `data` (AIs are prefix-free); nullptr if none
// matches.
const AiInfo* MatchAiPrefix(std::string_view data);
// Checks a value against its AI's format: character set (N / CSET 82 / CSET 39
// / CSET 64), lengths, check digits, dates (YYMMDD with day 00 where allowed).
// Messages like "AI 17: day 32 is not a date", "AI 01: check digit 3 should be
// 2", "AI 10: 21 characters, at most 20 allowed", "AI 21: character '~' at
// position 4 is not allowed (CSET 82)" (positions are 1-based in the value).
// Linters checked: csum csumalpha gcppos1/key gcppos2/keyoff1 (the value starts
// with 4 digits; no GCP allocation list) yymmdd yymmd0 yyyymmdd yyyymmd0
// yymmddhh hhmm hhmi hh mi ss zero nonzero nozeroprefix pieceoftotal winding
// yesno hyphen hasnondigit pcenc iso3166 iso3166999 iso3166list iso3166alpha2
// iso4217 iso5218 latitude longitude iban importeridx mediatype posinseqslash.
// A value of an AI whose format uses another linter (packagetype, couponcode,
// couponposoffer) fails with "...: value cannot be checked: linter 'x' is not
// implemented" rather than passing unchecked. Unknown AI: "AI 23: unknown
// Application Identifier".
Status ValidateAiValue(std::string_view ai, std::string_view value);

// --- check digits
// ------------------------------------------------------------------------------
// The GS1 mod-10 check digit for `digits` (all digits, check digit not
// included).
char ComputeCheckDigit(std::string_view digits);
// True iff the last digit of `digits` is the right check digit.
bool HasValidCheckDigit(std::string_view digits);

// --- dates
// -------------------------------------------------------------------------------------
// YYMMDD → "YYYY-MM-DD" using the GS1 General Specifications §7.12 sliding
// century window relative to `today_year` (e.g. 2026): YY minus the last two
// digits of `today_year` in 51..99 is the previous century, in -99..-50 the
// next one, otherwise the current one. Day "00" means the last day of the month
// when `day00_is_end_of_month` (expiry), else it is rejected. Errors: "month 13
// is not a date", "day 32 is not a date", "date '2601' is not 6 digits YYMMDD".
Result<std::string> ExpandYymmdd(std::string_view yymmdd, int today_year,
                                 bool day00_is_end_of_month);

// --- keys
// --------------------------------------------------------------------------------------
enum class KeyKind {
  kSgtin,  // GTIN + serial (an instance)
  kLgtin,  // GTIN + lot (a class)
  kGtin,   // GTIN alone (a class)
  kSscc,   // logistic unit
  kSgln,   // location: GLN + optional extension
  kPgln,   // party GLN (AI 417)
  kGrai,   // returnable asset
  kGiai,   // individual asset
  kGsrn,   // service relation
  kGdti,   // document
  kOther,  // another GS1 key the URI forms can carry (GSIN, GINC, CPI, ...)
};

struct Gs1Key {
  KeyKind kind = KeyKind::kOther;
  // (ai, value) pairs: primary key first, then qualifiers in Digital Link
  // order.
  std::vector<std::pair<std::string, std::string>> parts;

  // Identifies one thing: SGTIN, SSCC, SGLN, PGLN, GIAI, GSRN, GRAI/GDTI/GCN
  // with serial, ITIP with serial, UPUI, CPI with serial, GINC, GSIN. GTIN,
  // LGTIN, GMN and serial-less keys: false.
  bool is_instance() const;
  std::string ToString() const;  // canonical key string, see above
  // "https://id.gs1.org/<ToString()>" with values percent-encoded.
  std::string ToDigitalLink(std::string_view host = "https://id.gs1.org") const;
  bool operator==(const Gs1Key&) const = default;
};

// Parses an EPC pure-identity URI ("urn:epc:id:sgtin:0614141.812345.6789",
// sscc, sgln, grai, giai, gsrn, gsrnp, gdti, cpi, sgcn, ginc, gsin, itip, upui,
// pgln), an EPC class URI
// ("urn:epc:class:lgtin:0614141.812345.LOT"), an EPC pattern with a wildcard
// serial
// ("urn:epc:idpat:sgtin:0614141.812345.*" → the GTIN class) or a GS1 Digital
// Link URI on any host. EPC URIs follow TDS 2.x exactly: company prefix 6..12
// digits, fixed digit totals, GS3A3 components where only %22 %25 %26 %2F %3C
// %3E %3F escapes are allowed (and MUST be used). Digital Link → key: the
// path's primary key and qualifiers, except that 22 (CPV) is dropped, 10 (lot)
// is dropped when 21 (serial) is present, and 254 "0" is dropped; 01 alone is
// kGtin, 01+10 kLgtin, 01+21 kSgtin. Query attributes are not part of the key.
// Errors say why ("not an EPC URI or GS1 Digital Link URI", "sgtin: company
// prefix and item reference must have 13 digits together, not 12", "sgtin:
// serial: character '/' at position 3 must be percent-escaped", and the
// ValidateAiValue / ParseDigitalLink messages).
Result<Gs1Key> ParseIdentifier(std::string_view uri);

// A parsed GS1 Digital Link URI.
struct DigitalLink {
  std::string host;  // scheme and authority
  std::vector<std::pair<std::string, std::string>>
      path;  // primary key + qualifiers, decoded
  std::vector<std::pair<std::string, std::string>>
      attributes;  // known AI query parameters
  std::vector<std::pair<std::string, std::string>>
      other_query;  // unknown parameters, kept
};
// Accepts any http(s) host, an optional path prefix before the primary key, the
// allowed qualifier order (01 → 22 → 10 → 21; 414 → 254; ...),
// percent-encoding, AI values validated with ValidateAiValue. Numeric AIs only
// (the alphabetic convenience forms such as /gtin/ are not accepted).
// The primary key is found by walking back from the end of the path over (AI,
// value) pairs to the first AI with a "dlpkey" attribute; what precedes it is
// the prefix. Qualifiers must follow one of that AI's dlpkey chains in order. A
// GTIN-8/12/13 under 01 is padded to 14 digits. Query parameters named by a
// known AI must be DL data attributes (validated, kept in `attributes`, no AI
// twice); other parameters go to `other_query` in order. A "#fragment" is
// ignored. Errors start with "Digital Link: " (e.g. "Digital Link: qualifier AI
// 10 after AI 21 is out of order (allowed after AI 01: 22, 10, 21 | 235)") or
// are ValidateAiValue messages.
Result<DigitalLink> ParseDigitalLink(std::string_view uri);

// EPC pure-identity URI for a key, which needs the GS1 company prefix length
// (6..12): every scheme ParseIdentifier reads (kLgtin → urn:epc:class:lgtin,
// kGtin → urn:epc:idpat:sgtin:CP.IR.*). InvalidArgument if the key is
// malformed, cannot be expressed with that length, lacks a part the EPC needs
// (GRAI/GDTI/GCN serial) or has a part no EPC URI carries (e.g. 8019, 7040).
Result<std::string> ToEpcUri(const Gs1Key& key, int company_prefix_length);

}  // namespace ledger::gs1

#endif  // UDI_LEDGER_GS1_H_
