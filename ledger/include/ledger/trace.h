// Regulator queries over one or more logs: a unit's chain of custody (Trace),
// the explosion of a recall into affected units (Recall) and a point
// verification of a unit (VerifyUnit).
//
// Every query takes a LIST of logs (a node's own log and replicas of peers'
// logs) so that the same code answers for a single node and for a federated
// regulator node. Each log is read at its latest checkpoint when the query
// starts (entries appended later are ignored, so an answer is consistent and
// names what it covered in `coverage`). Events are ordered across logs by
// (eventTime, position of the log in the list, index); the same event (same
// ni:/// event id) stored in several logs counts once, at its first position.
//
// Cost: index lookups only (Log::ScanIndex with exact keys, Log::ReadEntry;
// recalls use their bulk forms Log::ScanIndexKeys / ReadEntriesAt over
// batches of units), never a scan of a log, so a trace costs O(events of the
// unit and of its containers), flat in the log's size. Recall is O(affected
// units + their events) with every entry decoded once per call (once per
// batch of 4096 units for an event only units name), except that
// finding a lot's commissioning events reads every commissioning entry while
// the log does not index the ilmd lot under the GTIN+lot class (see Recall).
//
// Status rules (applied in event order to every event touching the unit,
// directly or through a container it was packed in; ledger/trace/README.md has
// the full table):
//   commissioning -> commissioned (custodian = signer, location = bizLocation)
//   shipping -> in_transit; receiving -> in_stock (custodian = destination
//   possessing party,
//     else owning party, else signer; location = bizLocation)
//   dispensing or disposition dispensed -> dispensed; decommissioning,
//   disposition inactive or
//     ObjectEvent DELETE -> decommissioned; destroying or disposition destroyed
//     -> destroyed; disposition expired -> expired; a unit-level disposition
//     recalled -> recalled
//   a recall (class-level event with disposition recalled naming the unit's
//   GTIN+lot or GTIN)
//     turns commissioned / in_transit / in_stock into recalled; recalled
//     survives shipping and receiving but not dispensing, decommissioning,
//     destruction or expiry.
// A location is updated by every event that carries a bizLocation.
//
// Error declarations: an event whose EPCIS eventID is repeated by a later event
// carrying errorDeclaration (log index kCorrection) signed by the same
// participant (same GLN) is superseded: it is left out of the hops and of the
// status and listed in `superseded`. The declaration itself changes nothing;
// its correctiveEventIDs are ordinary events.
//
// Threads: the functions are thread-safe as far as the Logs are (Log's const
// methods are); the logs must outlive the call. Nothing is cached between
// calls.
#ifndef UDI_LEDGER_TRACE_H_
#define UDI_LEDGER_TRACE_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/log.h"
#include "ledger/status.h"

namespace ledger::trace {

enum class UnitStatus {
  kUnknown,  // no event names the unit in the logs
  kCommissioned,
  kInTransit,
  kInStock,
  kDispensed,
  kDecommissioned,
  kRecalled,
  kDestroyed,
  kExpired,
};
// "unknown", "commissioned", "in_transit", "in_stock", "dispensed",
// "decommissioned", "recalled", "destroyed", "expired".
const char* UnitStatusName(UnitStatus status);

// A party: GLN-13 and the name of the registered participant with that GLN (""
// if none).
struct PartyRef {
  std::string gln;
  std::string name;
};

// One event in a chain of custody.
struct Hop {
  std::string event_id;    // ni:///sha-256;<hex> (the log's event id)
  std::string origin;      // checkpoint origin of the log holding it
  uint64_t index = 0;      // its index in that log
  std::string event_type;  // "ObjectEvent", ...
  std::string event_time;  // as written in the event
  int64_t event_time_ms = 0;
  std::string action;       // ADD | OBSERVE | DELETE | "" (TransformationEvent)
  std::string biz_step;     // bare CBV name or extension URI
  std::string disposition;  // bare CBV name or extension URI
  std::string biz_location;  // bizLocation.id as written ("" if none)
  std::string read_point;    // readPoint.id as written
  nlohmann::json source_list =
      nlohmann::json::array();  // verbatim from the event
  nlohmann::json destination_list = nlohmann::json::array();      // verbatim
  nlohmann::json biz_transaction_list = nlohmann::json::array();  // verbatim
  std::string signer;  // envelope signer key id
  PartyRef signed_by;  // the signer's registered participant
  bool inferred =
      false;  // the unit is touched only because a container it was in is named
  std::string via;  // canonical key of that container (when inferred)
};

// Anomaly kinds (the supply-chain generator's names):
//   dispensed_twice, received_without_shipment, shipped_by_non_custodian,
//   event_after_decommissioning (also after destruction), expired_shipped,
//   recalled_moved (shipped or dispensed after a recall of its lot).
struct Anomaly {
  std::string kind;
  std::string event_id;
  std::string detail;  // human-readable, names the parties / dates involved
};

// What part of each log an answer covered.
struct Coverage {
  std::string origin;
  uint64_t size = 0;  // tree size of the checkpoint read
};

struct CustodyChain {
  std::string key;  // canonical GS1 key of the unit (gs1::Gs1Key::ToString)
  UnitStatus status = UnitStatus::kUnknown;
  PartyRef custodian;
  std::string location;  // canonical key of the last bizLocation
                         // ("414/<gln>[/254/<ext>]")
  std::string
      lot;  // from the commissioning event's ilmd (cbvmda:lotNumber), if any
  std::string expiry;  // ilmd cbvmda:itemExpirationDate (YYYY-MM-DD), if any
  PartyRef commissioned_by;  // signer of the commissioning event
  std::vector<Hop> hops;     // oldest first
  std::vector<Anomaly> anomalies;
  std::vector<std::string>
      recalls;  // event ids of recall events naming its lot / GTIN
  std::vector<std::string>
      superseded;  // event ids left out because of an error declaration
  std::vector<Coverage> coverage;

  // {"key", "status", "custodian": {"gln", "name"}, "location", "lot",
  // "expiry",
  //  "hops": [{"eventId", "origin", "index", "eventTime", "bizStep",
  //  "disposition",
  //            "bizLocation", "readPoint", "sourceList", "destinationList",
  //            "bizTransactionList", "inferred", "via", "action", "type",
  //            "signer"}],
  //  "anomalies": [{"kind", "eventId", "detail"}], "recalls", "superseded",
  //  "coverage": [{"origin", "size"}]}.
  // "via" is null for direct hops; "lot"/"expiry" are null when unknown.
  nlohmann::json ToJson() const;
};

// The chain of custody of one unit (or of a container: any instance key works).
// `id` is an EPC URI, a GS1 Digital Link or a canonical key.
// InvalidArgument("id: ...") when it does not parse or names a class (GTIN,
// GTIN+lot) rather than an instance; IOError/Corruption from the logs. A unit
// no log knows gives status kUnknown and no hops (not an error).
Result<CustodyChain> Trace(const std::vector<const Log*>& logs,
                           std::string_view id);

// As Trace, with logs[i] read at tree size sizes[i] (at most its latest
// checkpoint's size; e.g. the size of a signed checkpoint fetched first, so
// that proofs can be given against it). InvalidArgument("sizes: ...") when the
// lists differ in length or a size exceeds the checkpoint's.
Result<CustodyChain> TraceAtSizes(const std::vector<const Log*>& logs,
                                  const std::vector<uint64_t>& sizes,
                                  std::string_view id);

// A recall to explode: a GTIN with lots, and/or explicit identifiers (SGTINs,
// SSCCs of cases or pallets — their contents ever packed into them are
// affected).
struct RecallSpec {
  std::string
      gtin;  // GTIN-14 (or 8/12/13, padded); required when lots is non-empty
  std::vector<std::string> lots;  // lot numbers of that GTIN
  std::vector<std::string>
      ids;  // EPC URIs, Digital Links or canonical instance keys
  // When the recall was issued (ms since epoch). Unset: the time of the
  // earliest recall event (disposition recalled on the GTIN+lot class) found in
  // the logs, else "now" at the call.
  std::optional<int64_t> issued_ms;
};

// The recall an event declares (tools/supplychain/README.md, "The recall
// event"): an ObjectEvent with disposition recalled whose quantityList names
// LGTINs (EPC class URIs, Digital Links) of one GTIN and/or whose epcList
// names instances. With `require_notice`, the extension member "udi:recall"
// must be an object with "class" I, II or III and a non-empty "reason", and
// its "gtin"/"lots", when given, must agree with the quantityList.
// issued_ms = the event's eventTime. InvalidArgument naming the member
// ("event.quantityList[1].epcClass: ...") otherwise.
Result<RecallSpec> RecallSpecFromEvent(const nlohmann::json& event,
                                       bool require_notice);

struct RecalledUnit {
  std::string key;  // canonical key
  std::string epc;  // the identifier as the commissioning event wrote it (EPC
                    // URI or Digital Link)
  UnitStatus status = UnitStatus::kUnknown;
  PartyRef custodian;
  std::string location;
  std::string last_event_time;  // eventTime of its last hop, as written
  bool in_transit = false;      // its last hop is a shipment (not received yet)
  // An event after the recall touching the unit, signed by its custodian of the
  // time, with bizStep holding/destroying/decommissioning or disposition
  // recalled/returned/destroyed/ non_sellable_other/inactive (quarantine,
  // return, destruction).
  bool acknowledged = false;
  int64_t acknowledged_ms = 0;  // eventTime of the first acknowledging event
  std::string last_event_id;    // event id of its last hop ("" if none)
  std::string manufacturer;     // GLN of the signer of its commissioning
};

// Acknowledgement progress at the end of one UTC day (cumulative).
struct AcknowledgementDay {
  std::string date;  // YYYY-MM-DD (UTC)
  uint64_t units = 0;
  uint64_t consignees = 0;
  double unit_share = 0;
  double consignee_share = 0;
};

struct RecallReport {
  RecallSpec spec;
  int64_t issued_ms = 0;
  std::vector<std::string>
      recall_events;                // event ids of the recall events found
  std::vector<RecalledUnit> units;  // sorted by key
  std::map<std::string, uint64_t>
      counts_by_custodian;  // custodian GLN -> units
  uint64_t dispensed = 0;   // units with status dispensed
  uint64_t in_stock =
      0;  // units with status in_stock, or recalled while held (not in transit)
  // Consignees: custodians of affected units (after the recall) other than the
  // units' manufacturer. Effectiveness = acknowledged / total (0 when total is
  // 0).
  uint64_t units_acknowledged = 0;
  uint64_t consignees = 0;
  uint64_t consignees_acknowledged = 0;
  double unit_effectiveness = 0;
  double consignee_effectiveness = 0;
  // One entry per UTC day from the day of issue to the day of the last
  // acknowledgement (just the day of issue when there is none). A consignee
  // counts from the first acknowledgement of any of its units.
  std::vector<AcknowledgementDay> acknowledgement_timeline;
  std::vector<Coverage> coverage;

  nlohmann::json ToJson() const;
  // Header "key,epc,status,custodianGln,custodianName,location,lastEventTime,
  // acknowledged,acknowledgedAt" (one line), then one line per unit, RFC 4180
  // quoting where needed, "\r\n" line ends; acknowledgedAt is RFC 3339 UTC or
  // empty.
  std::string ToCsv() const;
};

// Explodes a recall: units commissioned with one of the lots (commissioning
// events found through the GTIN+lot class index, and through the commissioning
// events' ilmd lot when the log does not index it — see README.md), the listed
// ids, everything ever packed into an affected container (pallet -> case ->
// unit) and the outputs of TransformationEvents whose inputs are affected.
// InvalidArgument naming the field for a bad gtin / lot / id or an empty spec.
Result<RecallReport> Recall(const std::vector<const Log*>& logs,
                            const RecallSpec& spec);

// A verification answer in the manner of EU FMD / DSCSA product verification.
struct UnitVerification {
  std::string key;
  bool exists = false;  // some log has its commissioning or any event naming it
  PartyRef commissioned_by;
  std::string lot;                     // from the commissioning ilmd
  std::string expiry;                  // YYYY-MM-DD from the commissioning ilmd
  std::optional<bool> lot_matches;     // set when a lot was asked about
  std::optional<bool> expiry_matches;  // set when an expiry was asked about
  UnitStatus status = UnitStatus::kUnknown;
  bool recalled = false;   // its lot is named by a recall (whatever the status)
  bool dispensed = false;  // dispensed at some point
  bool expired = false;    // now_ms is past the end of its expiry day (UTC)
  // Exists, lot/expiry match when asked, status
  // commissioned/in_transit/in_stock, not recalled, not expired.
  bool active = false;
  std::vector<std::string> reasons;  // why it is not active, one phrase each
  std::vector<Coverage> coverage;

  nlohmann::json ToJson() const;
};

// Verifies a unit. `lot` and `expiry` (YYYY-MM-DD or GS1 YYMMDD) are what the
// verifier read from the pack; when `id` is a Digital Link carrying 10 (lot) or
// ?17= (expiry) and the argument is not given, those are used.
// InvalidArgument("id: ..."/"expiry: ...") on malformed input.
Result<UnitVerification> VerifyUnit(const std::vector<const Log*>& logs,
                                    std::string_view id,
                                    std::optional<std::string> lot,
                                    std::optional<std::string> expiry,
                                    int64_t now_ms);

}  // namespace ledger::trace

#endif  // UDI_LEDGER_TRACE_H_
