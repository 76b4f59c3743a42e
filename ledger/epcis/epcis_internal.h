// Internals of the EPCIS module shared by its .cc files and tests. Not a public
// interface.
#ifndef UDI_LEDGER_EPCIS_EPCIS_INTERNAL_H_
#define UDI_LEDGER_EPCIS_EPCIS_INTERNAL_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ledger/epcis.h"
#include "ledger/status.h"

namespace ledger::epcis::internal {

// True iff `s` is an absolute URI per RFC 3986 §4.3 at the character level: a
// scheme (ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")), ":", at least one more
// character, and only URI characters (unreserved, reserved, "%" HEXDIG HEXDIG).
// CURIEs such as "example:foo" qualify, as they do for the JSON schema's
// "format": "uri".
bool IsAbsoluteUri(std::string_view s);

// True iff a JSON member name is a namespaced extension ("example:myField" or
// an absolute URI).
bool IsExtensionName(std::string_view name);

// The CBV 2.0 vocabularies an event refers to.
enum class Vocabulary {
  kBizStep,      // CBV 2.0 §7.1, URI prefix https://ref.gs1.org/cbv/BizStep-
  kDisposition,  // CBV 2.0 §7.2, Disp-
  kBizTransactionType,  // CBV 2.0 §7.3, BTT-
  kSourceDestType,      // CBV 2.0 §7.4, SDT-
  kErrorReason,         // CBV 2.0 §7.5, ER-
};

// Normalises a vocabulary value: the bare CBV name, the CBV 2.0 URI
// ("https://ref.gs1.org/cbv/BizStep-shipping") or the EPCIS 1.x URN
// ("urn:epcglobal:cbv:bizstep:shipping") give the bare name; another absolute
// URI outside the CBV namespaces is an extension and is returned unchanged.
// InvalidArgument (reason only, no path) otherwise, e.g. "'shiping' is not a
// CBV 2.0 business step or an absolute URI".
Result<std::string> NormalizeVocabulary(Vocabulary vocabulary,
                                        std::string_view value);

// `value` for an error message: control characters escaped as \xNN, cut at 80
// bytes ("...").
std::string Printable(std::string_view value);
// Printable(value) in single quotes.
std::string Quote(std::string_view value);

// Short JSON type name for error messages: "a string", "an array", "null", ...
std::string JsonTypeName(const nlohmann::json& value);

// ValidateEvent with every path prefixed by `path` (e.g.
// "epcisBody.eventList[4]"); the event itself is called `path`, or "event" when
// `path` is empty.
Result<EventFacts> ValidateEventAt(const nlohmann::json& event,
                                   const std::string& path);

}  // namespace ledger::epcis::internal

#endif  // UDI_LEDGER_EPCIS_EPCIS_INTERNAL_H_
