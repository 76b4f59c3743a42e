// Internals of the RFC 8785 canonicaliser, exposed for its tests and for
// ledger/crypto (key-name checks). Not part of the public API. Pure functions,
// thread-safe.
#ifndef UDI_LEDGER_JCS_JCS_INTERNAL_H_
#define UDI_LEDGER_JCS_JCS_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace ledger::jcs_internal {

// ECMAScript Number::toString(v) (ECMA-262 §7.1.12.1, as RFC 8785 §3.2.2.3
// requires), with -0 written as "0". Requires std::isfinite(v).
std::string FormatNumber(double v);

// The byte offset of the first byte of `s` that is not part of well-formed
// UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF),
// or std::string_view::npos if valid.
size_t FindInvalidUtf8(std::string_view s);

// Decodes well-formed UTF-8 (requires FindInvalidUtf8(s) == npos) into Unicode
// code points.
std::vector<char32_t> DecodeUtf8(std::string_view s);

// UTF-16 code units of well-formed UTF-8 `s`: the RFC 8785 §3.2.3 sort key of a
// member name.
std::u16string ToUtf16(std::string_view s);

// Appends `s` (well-formed UTF-8) as a JSON string with RFC 8785 §3.2.2.2
// escaping.
void AppendQuoted(std::string_view s, std::string* out);

// The number of bytes at the start of `s` that a JSON string holds as
// themselves and RFC 8785 writes unescaped: anything but '"', '\\' and the
// control characters below 0x20. With `ascii_only`, bytes from 0x80 end the
// run too. Scans eight bytes at a time.
size_t UnescapedRun(std::string_view s, bool ascii_only);

// Appends the UTF-8 encoding of Unicode code point `cp` (requires cp <=
// 0x10FFFF and not a surrogate).
void AppendUtf8(uint32_t cp, std::string* out);

// `e` is the character after a backslash in a JSON string (RFC 8259 §7):
// appends what the short escapes \" \\ \/ \b \f \n \r \t stand for and returns
// true; returns false for anything else, including 'u' (the caller decodes
// \uXXXX itself, since readers differ in how they treat surrogates).
bool AppendShortEscape(char e, std::string* out);

// Appends "/<token>" to a JSON Pointer (RFC 6901: '~' -> "~0", '/' -> "~1").
void AppendPointerToken(std::string_view token, std::string* pointer);
// The pointer as shown in error messages: "(root)" for the empty pointer.
std::string ShowPointer(const std::string& pointer);

// ParseJsonStrict's fast path (json_fast.cc): the same DOM for the plain JSON
// it handles; nullopt for anything else, including every error (the caller
// then runs ParseJsonStrictSax, which has the final word and the messages).
std::optional<nlohmann::json> ParseJsonFast(std::string_view text);
// ParseJsonFast, and in *canonical (set when it answers) whether `text` is
// exactly CanonicalizeJson of the value (ParseJsonStrictCanonical's fast path).
std::optional<nlohmann::json> ParseJsonFastCanonical(std::string_view text,
                                                     bool* canonical);
// ParseJsonStrict without the fast path (json_strict.cc), for tests.
Result<nlohmann::json> ParseJsonStrictSax(std::string_view text);

}  // namespace ledger::jcs_internal

#endif  // UDI_LEDGER_JCS_JCS_INTERNAL_H_
