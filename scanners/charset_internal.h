// Character sets shared by the scanner parsers (private to scanners/).
#ifndef UDI_SCANNERS_CHARSET_INTERNAL_H_
#define UDI_SCANNERS_CHARSET_INTERNAL_H_

#include <string>
#include <string_view>

#include "ledger/status.h"

namespace scanners {

// GS1 AI encodable character set 82 (GS1 General Specifications Figure 7.11-1):
// ! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z.
bool IsGs1Cset82(char c);

// EPC URI form of a string of CSET 82 characters (TDS Table A-1): the
// characters " % & / < > ? are written as %22 %25 %26 %2F %3C %3E %3F,
// everything else as itself.
std::string EscapeEpcUriComponent(std::string_view s);

// Inverse of EscapeEpcUriComponent; also accepts %-escapes of other CSET 82
// characters. Errors name `what` and the position: "serial: position 3: '%'
// needs two hex digits", "serial: position 0: '#' is not allowed in an EPC
// URI".
ledger::Result<std::string> UnescapeEpcUriComponent(std::string_view s,
                                                    std::string_view what);

// "0x1D".
std::string HexByte(unsigned char b);

// A character shown in an error message: printable ASCII as itself, anything
// else as 0xNN.
std::string DescribeChar(char c);

}  // namespace scanners

#endif  // UDI_SCANNERS_CHARSET_INTERNAL_H_
