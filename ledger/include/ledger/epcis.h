// EPCIS 2.0 / CBV 2.0 events: validation on the way in, and the facts the log
// indexes.
//
// Validation follows the EPCIS 2.0 JSON/JSON-LD binding
// (shared/reference/epcis-schema) and the rules of ISO/IEC 19987:2024 per event
// type; every error names the JSON path and the reason, e.g. "epcList[3]: not
// an EPC URI or GS1 Digital Link URI", "ilmd: only allowed with action ADD".
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

// What the log indexes about one event. Identifiers are canonical GS1 key
// strings (gs1::Gs1Key::ToString()) when the URI is a GS1 identifier; other
// URIs are kept verbatim.
struct EventFacts {
  EventType type = EventType::kObjectEvent;
  std::string
      action;  // "ADD" | "OBSERVE" | "DELETE" | "" (TransformationEvent)
  int64_t event_time_ms =
      0;  // eventTime as milliseconds since the Unix epoch (UTC)
  std::string event_time;      // eventTime as given
  std::string epcis_event_id;  // the event's own "eventID" member, if any
  std::vector<std::string>
      epcs;  // instance keys: epcList, childEPCs, inputEPCList,
             // outputEPCList (deduplicated, in order of appearance)
  std::vector<std::string>
      epc_classes;  // class keys from every quantity list (GTIN+lot, GTIN)
  // Class keys "01/<gtin14>/10/<lot>" implied by ilmd (ObjectEvent ADD, or a
  // TransformationEvent's outputs): the CBV lotNumber attribute (JSON-LD key
  // "cbvmda:lotNumber" as in the EPCIS 2.0 examples, or its expanded IRI
  // "urn:epcglobal:cbv:mda:lotNumber"; a bare "lotNumber" is not a valid ilmd
  // member) combined with the GTIN of each SGTIN (EPC URI or Digital Link) in
  // epcList / outputEPCList, deduplicated. A lot that is not a valid AI (10)
  // value is not indexed.
  std::vector<std::string> ilmd_lots;
  std::string parent;  // parentID key, if any
  std::vector<std::string>
      children;             // childEPCs keys (aggregation/association)
  std::string biz_step;     // bare CBV name ("shipping") or the extension URI
  std::string disposition;  // bare CBV name or extension URI
  std::string
      biz_location;  // key of bizLocation.id (SGLN / GLN Digital Link), or
                     // the URI verbatim when it is not a GS1 identifier
  std::string read_point;  // same for readPoint.id
  // errorDeclaration: present when the event declares an error in an earlier
  // event with the same eventID; corrective_event_ids lists
  // errorDeclaration.correctiveEventIDs.
  bool is_error_declaration = false;
  std::vector<std::string> corrective_event_ids;
};

// Validates one event (a JSON object, as inside an envelope) and returns its
// facts. InvalidArgument with "<path>: <reason>" on the first problem found;
// checks run in a fixed order (see ledger/epcis/README.md), so the same input
// always gives the same message. The event itself is called "event" in the path
// ("event: an event must be a JSON object, not an array").
Result<EventFacts> ValidateEvent(const nlohmann::json& event);

// CBV 2.0 vocabularies. Accepts the bare name ("shipping"), the full URI
// ("https://ref.gs1.org/cbv/BizStep-shipping") or the EPCIS 1.x URN
// ("urn:epcglobal:cbv:bizstep:shipping"); returns the bare name, or the URI
// unchanged when it is another absolute URI (an extension). InvalidArgument for
// anything else, including unknown names inside the CBV namespaces; the message
// is the reason only, without a path:
// "'shiping' is not a CBV 2.0 business step or an absolute URI".
Result<std::string> NormalizeBizStep(std::string_view value);
Result<std::string> NormalizeDisposition(std::string_view value);

// Parses an RFC 3339 date-time with a mandatory offset
// ("2026-11-26T10:00:00.123+01:00" or "Z") into milliseconds since the epoch
// (fractions beyond milliseconds are truncated; years 0000-9999; leap second 60
// is refused). InvalidArgument naming what is wrong and where, e.g. "day 29
// does not exist in 2023-02", "missing time zone offset ('Z' or +hh:mm) at
// offset 19".
Result<int64_t> ParseRfc3339Millis(std::string_view text);

// An EPCISDocument (as POSTed to /capture): validates the document envelope
// (type, schemaVersion, creationDate, epcisBody.eventList) and returns its
// events in order. Errors name the path
// ("epcisBody.eventList[4].action: ...").
Result<std::vector<nlohmann::json>> EventsOfDocument(
    const nlohmann::json& document);

// Like EventsOfDocument, but checks only the document envelope, not the events:
// for capture with GS1-Capture-Error-Behaviour "proceed", where each event is
// then checked with ValidateEvent and rejected on its own. Same envelope errors
// as EventsOfDocument.
Result<std::vector<nlohmann::json>> EventListOfDocument(
    const nlohmann::json& document);

}  // namespace ledger::epcis

#endif  // UDI_LEDGER_EPCIS_H_
