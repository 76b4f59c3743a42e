// Syntax-dictionary linters: content checks applied to one component of an AI
// value.
#ifndef UDI_LEDGER_GS1_LINTERS_H_
#define UDI_LEDGER_GS1_LINTERS_H_

#include <string_view>

#include "ledger/status.h"

namespace ledger::gs1::internal {

// Runs linter `name` on `component`, the part of the value of AI `ai` starting
// at 1-based character position `position`. Error messages start with "AI <ai>:
// ". A linter this module does not implement is an error ("... cannot be
// checked"), never a silent pass.
//
// Checked: csum csumalpha key keyoff1 gcppos1 gcppos2 yymmdd yymmd0 yyyymmdd
// yyyymmd0 yymmddhh hhmm hhmi hh mi ss zero nonzero nozeroprefix pieceoftotal
// winding yesno hyphen hasnondigit pcenc iso3166 iso3166999 iso3166list
// iso3166alpha2 iso4217 iso5218 latitude longitude iban importeridx mediatype
// posinseqslash.
// gcppos1/key (gcppos2/keyoff1) check that the value (after its first digit)
// starts with at least 4 digits, as the reference linter does without a GCP
// allocation list. Not implemented (fail): packagetype couponcode
// couponposoffer.
Status RunLinter(std::string_view name, std::string_view ai,
                 std::string_view component, size_t position);

}  // namespace ledger::gs1::internal

#endif  // UDI_LEDGER_GS1_LINTERS_H_
