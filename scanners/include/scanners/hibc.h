// HIBC Supplier Labeling Standard (ANSI/HIBC 2.6) data structures as a scanner
// transmits them.
//
// Accepted forms (all start with the HIBC flag '+' and end with a modulo-43
// check character computed over every character before it, the '+' included):
//   primary       +LLLLP...PU C        LIC (1 letter + 3 alphanumerics),
//   product/catalogue number
//                                      (PCN, 1..18 alphanumerics), unit of
//                                      measure digit
//   secondary     +S...S K C           secondary data S, link character K (=
//   the primary's check
//                                      character), check character C
//   concatenated  +LLLLP...PU/S...S C  primary and secondary in one symbol: the
//   primary's check
//                                      character and the secondary's '+' and
//                                      link are left out
// Secondary data S:
//   YYJJJ L...     (first character a digit) Julian expiry date then lot
//   $L...          lot                    $+L...   serial
//   $$F... L...    expiry / quantity then lot; $$+F... L... the same with a
//   serial
//     F: '0'/'1' MMYY (the first month digit), 2 MMDDYY, 3 YYMMDD, 4 YYMMDDHH,
//     5 YYJJJ,
//        6 YYJJJHH, 7 no date; 8 QQ or 9 QQQQQ quantity, then optionally one of
//        F = 0..7
//   followed by optional '/'-separated supplemental fields: 14DYYYYMMDD
//   (expiry), 16DYYYYMMDD (date of manufacture), S... (serial).
// Two-digit years are 20YY. A month-only expiry (MMYY) means the end of that
// month, the same reading GS1 gives a day of 00.
//
// Pure function, no I/O, thread-safe. Errors are InvalidArgument naming the
// position (0-based, in the input) or the field and the reason.
#ifndef UDI_SCANNERS_HIBC_H_
#define UDI_SCANNERS_HIBC_H_

#include <optional>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace scanners {

struct HibcData {
  bool has_primary = false;
  bool has_secondary = false;
  // Primary data.
  std::string lic;  // labeler identification code, 4 characters
  std::string pcn;  // product or catalogue number
  std::optional<int> unit_of_measure;  // 0..9
  // Secondary data.
  std::string lot;
  std::string serial;
  std::optional<std::string> expiry;  // "YYYY-MM-DD"
  std::optional<int> expiry_hour;     // 0..23 for the YYMMDDHH / YYJJJHH forms
  std::optional<std::string> manufacture_date;  // "YYYY-MM-DD" from /16D
  std::optional<int> quantity;
  std::optional<char> link;  // link character of a standalone secondary
  char check = 0;            // the symbol's check character
};

// The modulo-43 check character of `data` (every character must be in the HIBC
// set 0-9 A-Z - . space $ / + %; others count as 0).
char HibcCheckCharacter(std::string_view data);

// Parses one HIBC scan (without AIM symbology identifier). Errors such as
// "position 14: check character 'H' should be 'G'", "position 1: LIC must start
// with a letter", "expiry: month 13 is not a month".
ledger::Result<HibcData> ParseHibc(std::string_view data);

}  // namespace scanners

#endif  // UDI_SCANNERS_HIBC_H_
