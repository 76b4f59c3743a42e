// RFC 8785 JSON Canonicalization Scheme (JCS): the bytes every signature and
// event id is made over.
//
// Pure functions, no I/O, thread-safe.
#ifndef UDI_LEDGER_JCS_H_
#define UDI_LEDGER_JCS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace ledger {

// Both functions refuse values nested deeper than this (arrays/objects inside
// each other), so that hostile input cannot exhaust the stack.
constexpr int kMaxJsonDepth = 512;

// Serialises `value` per RFC 8785: object members sorted by the UTF-16 code
// units of their names, no insignificant whitespace, numbers in ECMAScript
// Number.prototype.toString form (integers stored as int64/uint64 are first
// converted to IEEE-754 double, as the RFC requires), strings with the minimal
// escaping of RFC 8785 §3.2.2.2. Fails (InvalidArgument naming the JSON Pointer
// path, e.g. "/epcList/3: ...") on NaN/Infinity, on strings or member names
// that are not UTF-8, on binary values and on nesting deeper than
// kMaxJsonDepth.
Result<std::string> CanonicalizeJson(const nlohmann::json& value);

// Parses JSON text strictly as I-JSON (RFC 7493): rejects duplicate member
// names (naming the path), invalid UTF-8 (also lone surrogates in \u escapes),
// a leading byte-order mark, trailing garbage, numbers that overflow a double,
// integer tokens beyond ±(2^53-1) that RFC 8785 would rewrite as a different
// number (9007199254740993 -> 9007199254740992; 100000000000000000000 is kept),
// and nesting deeper than kMaxJsonDepth. Every CanonicalizeJson output parses.
// Errors are InvalidArgument; the message names the byte offset
// ("byte 17: ...") or the JSON Pointer path ("/epcList/0: ...").
Result<nlohmann::json> ParseJsonStrict(std::string_view text);

// ParseJsonStrict(text) (same value, same errors), and in *canonical (set on
// success) whether `text` is exactly CanonicalizeJson of the value, i.e. in
// RFC 8785 form. For plain JSON this is decided while parsing (whitespace,
// member order, escapes and number forms are checked in place), without
// serialising the value again; otherwise by CanonicalizeJson and a comparison.
// For readers of stored canonical bytes (log entries).
Result<nlohmann::json> ParseJsonStrictCanonical(std::string_view text,
                                                bool* canonical);

}  // namespace ledger

#endif  // UDI_LEDGER_JCS_H_
