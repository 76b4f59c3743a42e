// GS1 element strings as scanners transmit them (GS1 General Specifications
// §7.8, §5.1 symbology identifiers), and the AI combination rules of the GS1
// syntax dictionary.
//
// Unbracketed form: AI, value, AI, value, ... The value length of an AI whose
// first two digits are in the predefined-length table (00-04, 11-20, 31-36, 41;
// GenSpecs Figure 7.8.4-2) is fixed and no separator follows it; every other
// value runs to the next FNC1, which a scanner transmits as GS (ASCII 29), or
// to the end of the data. A GS where none is needed (after a predefined-length
// value, or at the very start or end) is tolerated.
// Bracketed (human-readable) form: "(01)09506000134352(17)251231(10)ABC"; a '('
// inside a value is written "\(".
//
// Values are checked with ledger::gs1::ValidateAiValue (character set, length,
// check digits, dates). Then CheckAiCombination applies, over the whole set of
// elements:
//   - the same AI twice with different values is an error (an identical repeat
//   is dropped);
//   - "req=" attributes: at least one alternative present (e.g. 21 needs 01, 03
//   or 8006; 250 needs
//     01+21, 03+21 or 8006+21; 37 needs 00+02 or 00+8026);
//   - "ex=" attributes: mutually exclusive AIs (01 with 02, 01 with 37, 310n
//   with another 310n).
//
// Pure functions, no I/O, thread-safe. Errors are InvalidArgument with a
// position (0-based, in the given data) or the AI and the reason: "AI 17: day
// 32 is not a date", "AI 01: check digit 3 should be 2", "position 16: no GS1
// Application Identifier starts with \"9X\"".
#ifndef UDI_SCANNERS_GS1_ELEMENT_STRING_H_
#define UDI_SCANNERS_GS1_ELEMENT_STRING_H_

#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace scanners {

inline constexpr char kGroupSeparator =
    '\x1d';  // FNC1 as transmitted by a scanner

struct Gs1Element {
  std::string ai;
  std::string value;
  bool operator==(const Gs1Element&) const = default;
};

// Parses unbracketed element-string data (what follows the symbology
// identifier). Elements are returned in the order read, identical repeats
// removed, combination rules checked.
ledger::Result<std::vector<Gs1Element>> ParseElementString(
    std::string_view data);

// Parses the bracketed form "(AI)value(AI)value...", with the same checks.
ledger::Result<std::vector<Gs1Element>> ParseBracketedElementString(
    std::string_view text);

// Removes identical repeats (in place) and checks duplicates with different
// values and the req=/ex= rules of every element's AI.
ledger::Status CheckAiCombination(std::vector<Gs1Element>& elements);

// Total length (AI + value) of an element whose AI starts with these two digits
// when it is in the predefined-length table, else 0.
int PredefinedElementLength(std::string_view ai);

// The GS1 Digital Link URI on `host` for the elements: the first element whose
// AI is a Digital Link primary key, its key qualifiers in the path in
// dictionary order, and every other element that may be a Digital Link data
// attribute in the query string, in the order given. Values are percent-encoded
// outside RFC 3986 unreserved characters. Empty if no element is a primary key.
std::string BuildDigitalLink(const std::vector<Gs1Element>& elements,
                             std::string_view host = "https://id.gs1.org");

}  // namespace scanners

#endif  // UDI_SCANNERS_GS1_ELEMENT_STRING_H_
