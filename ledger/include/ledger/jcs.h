// RFC 8785 JSON Canonicalization Scheme (JCS): the bytes every signature and event id is made over.
//
// Pure functions, no I/O, thread-safe.
#ifndef UDI_LEDGER_JCS_H_
#define UDI_LEDGER_JCS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace ledger {

// Serialises `value` per RFC 8785: object members sorted by the UTF-16 code units of their names,
// no insignificant whitespace, numbers in ECMAScript Number.prototype.toString form (integers
// stored as int64/uint64 are first converted to IEEE-754 double, as the RFC requires), strings
// with the minimal escaping of RFC 8785 §3.2.2.2.
// Fails (InvalidArgument naming the JSON path) on NaN/Infinity and on strings that are not UTF-8.
Result<std::string> CanonicalizeJson(const nlohmann::json& value);

// Parses JSON text strictly as I-JSON (RFC 7493): rejects duplicate member names (naming the
// path), invalid UTF-8, and trailing garbage. The error message names the byte offset or path.
Result<nlohmann::json> ParseJsonStrict(std::string_view text);

}  // namespace ledger

#endif  // UDI_LEDGER_JCS_H_
