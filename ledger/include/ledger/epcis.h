// EPCIS 2.0 / CBV 2.0 events: validation on the way in, and the facts the log indexes.
//
// Validation follows the EPCIS 2.0 JSON/JSON-LD binding (shared/reference/epcis-schema) and the
// rules of ISO/IEC 19987:2024 per event type; every error names the JSON path and the reason,
// e.g. "epcList[3]: not an EPC URI or GS1 Digital Link URI", "ilmd: only allowed with action ADD".
// Pure functions, thread-safe.
#ifndef UDI_LEDGER_EPCIS_H_
#define UDI_LEDGER_EPCIS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ledger/status.h"

namespace ledger::epcis {

enum class EventType {
  kObjectEvent,
  kAggregationEvent,
  kTransactionEvent,
  kTransformationEvent,
  kAssociationEvent,
};
const char* EventTypeName(EventType t);  // "ObjectEvent", ...

// What the log indexes about one event. Identifiers are canonical GS1 key strings
// (gs1::Gs1Key::ToString()) when the URI is a GS1 identifier; other URIs are kept verbatim.
struct EventFacts {
  EventType type = EventType::kObjectEvent;
  std::string action;           // "ADD" | "OBSERVE" | "DELETE" | "" (TransformationEvent)
  int64_t event_time_ms = 0;    // eventTime as milliseconds since the Unix epoch (UTC)
  std::string event_time;       // eventTime as given
  std::string epcis_event_id;   // the event's own "eventID" member, if any
  std::vector<std::string> epcs;        // instance keys: epcList, childEPCs, inputEPCList,
                                        // outputEPCList (deduplicated, in order of appearance)
  std::vector<std::string> epc_classes; // class keys from every quantity list (GTIN+lot, GTIN)
  std::string parent;                   // parentID key, if any
  std::vector<std::string> children;    // childEPCs keys (aggregation/association)
  std::string biz_step;                 // bare CBV name ("shipping") or the extension URI
  std::string disposition;              // bare CBV name or extension URI
  std::string biz_location;             // key of bizLocation.id, if any
  std::string read_point;               // key of readPoint.id, if any
  // errorDeclaration: present when the event declares an error in an earlier event with the
  // same eventID; corrective_event_ids lists errorDeclaration.correctiveEventIDs.
  bool is_error_declaration = false;
  std::vector<std::string> corrective_event_ids;
};

// Validates one event (a JSON object, as inside an envelope) and returns its facts.
// InvalidArgument with "<path>: <reason>" on the first problem found.
Result<EventFacts> ValidateEvent(const nlohmann::json& event);

// CBV 2.0 vocabularies. Accepts the bare name ("shipping") or the full URI
// ("https://ref.gs1.org/cbv/BizStep-shipping"); returns the bare name, or the URI unchanged when
// it is another absolute URI (an extension). InvalidArgument for anything else.
Result<std::string> NormalizeBizStep(std::string_view value);
Result<std::string> NormalizeDisposition(std::string_view value);

// Parses an RFC 3339 date-time with a mandatory offset ("2026-11-26T10:00:00.123+01:00" or "Z")
// into milliseconds since the epoch. InvalidArgument naming what is wrong.
Result<int64_t> ParseRfc3339Millis(std::string_view text);

// An EPCISDocument (as POSTed to /capture): validates the document envelope (type, schemaVersion,
// creationDate, epcisBody.eventList) and returns its events in order. Errors name the path
// ("epcisBody.eventList[4].action: ...").
Result<std::vector<nlohmann::json>> EventsOfDocument(const nlohmann::json& document);

}  // namespace ledger::epcis

#endif  // UDI_LEDGER_EPCIS_H_
