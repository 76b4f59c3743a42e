// The synthetic supply chain: a deterministic (seeded) simulation of medical
// devices and drugs moving from manufacturers through distributors (3PL
// warehouses) to hospitals and pharmacies, written as signed GS1 EPCIS 2.0
// events, together with the ground truth that trace and recall answers are
// checked against. README.md in this directory describes the model, the recall
// event shape, the anomaly kinds and the status rules.
//
// Determinism: the same GeneratorOptions (seed included; `threads` excepted)
// give the same parties, the same events in the same order, byte for byte, and
// the same truth. Threads: Generate may be called from any thread; it signs on
// `threads` threads internally and calls the sink on the calling thread only,
// in event order.
#ifndef UDI_TOOLS_SUPPLYCHAIN_GENERATOR_H_
#define UDI_TOOLS_SUPPLYCHAIN_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "ledger/envelope.h"
#include "ledger/log.h"
#include "ledger/status.h"

namespace supplychain {

struct GeneratorOptions {
  uint64_t seed = 1;
  // Serialised units to commission (>= 1).
  uint64_t units = 1000;
  // Party counts (>= 1 each); hospitals and pharmacies have role "dispenser".
  int manufacturers = 3;
  int distributors = 2;
  int hospitals = 4;
  // Probability of an anomaly at each injection opportunity, 0..1.
  double anomaly_rate = 0.0;
  // Recall events; -1 = one per 25 lots, at least one.
  int recalls = -1;
  // Signing threads besides the caller's (>= 1); does not change the output.
  int threads = 1;
  // False: keep no per-unit truth (for 10M-event runs); truth has event_count.
  bool record_truth = true;
  // > 0: the first lot planned has exactly this many units (capped at `units`),
  // e.g. a 100k-unit lot for recall benchmarks. 0 keeps the usual lot sizes
  // (and the same output as before this option existed).
  uint64_t big_lot_units = 0;
  // Probability that a holder of recalled units acknowledges a recall with a
  // quarantine event (ObjectEvent OBSERVE, bizStep holding, disposition
  // recalled, on the units of the recall it holds), 1 hour to 14 days after
  // it. 0 = no acknowledgements (and the same output as before this option).
  double recall_ack_rate = 0.0;
};

// One party of the supply chain, with the key material tests need.
struct PartyInfo {
  std::string gln;   // GLN-13 of the party (location reference 0)
  std::string name;  // display name
  std::string role;  // manufacturer | distributor | dispenser | regulator
  std::string company_prefix;      // GS1 company prefix (6..11 digits)
  std::string pgln;                // urn:epc:id:pgln:...
  std::vector<std::string> sites;  // site SGLN EPC URIs (extension 0)
  std::string time_zone_offset;    // the offset its events carry, e.g. "+01:00"
  std::string key_name;            // signed-note key name
  std::string verifier_key;        // C2SP verifier key text
  std::string private_key;         // C2SP private key text (test use only)
};

// One signed event, as handed to the sink.
struct GeneratedEvent {
  uint64_t seq = 0;   // 0-based position in the global order
  size_t signer = 0;  // index into the parties
  ledger::Envelope envelope;
  std::string canonical_event;  // JCS(envelope.event)
  std::string event_id;         // ni:///sha-256;<hex>

  // The envelope as one line of JSON without the newline: the RFC 8785 form of
  // envelope.ToJson() (members event, signature, signer).
  std::string EnvelopeLine() const;
};

// Called once per event in order. A non-OK status stops the generation and is
// returned. The event is not used after the call: the sink may move members out
// of it (e.g. the envelope, instead of copying it).
using EventSink = std::function<ledger::Status(GeneratedEvent&)>;

struct EventRef {
  std::string event_id;
  // True when the event touches the unit through a container (aggregation
  // inheritance) rather than naming it.
  bool inferred = false;
};

struct UnitTruth {
  std::string key;           // canonical GS1 key "01/<gtin>/21/<serial>"
  std::string epc;           // urn:epc:id:sgtin:...
  std::string digital_link;  // https://id.gs1.org/01/<gtin>/21/<serial>
  std::string lot_key;       // "01/<gtin>/10/<lot>"
  std::string manufacturer;  // GLN
  // commissioned | in_transit | in_stock | dispensed | decommissioned |
  // recalled | destroyed | expired (rules in README.md)
  std::string status;
  // GLN of the party that last commissioned or received it.
  std::string custodian;
  // Its last known site: canonical SGLN key ("414/<gln>") and SGLN EPC URI.
  std::string location;
  std::string location_epc;
  // Every event touching it, in order (recall events excluded).
  std::vector<EventRef> events;
  bool in_recall = false;  // its lot is named by a recall event
};

struct LotTruth {
  std::string key;  // "01/<gtin>/10/<lot>"
  std::string gtin;
  std::string lot;
  std::string expiry;  // itemExpirationDate, YYYY-MM-DD
  std::string manufacturer;
  std::vector<std::string> units;  // unit keys
};

struct AnomalyTruth {
  // dispensed_twice | received_without_shipment | shipped_by_non_custodian |
  // event_after_decommissioning | expired_shipped | recalled_moved
  std::string kind;
  std::string unit;      // unit key
  std::string event_id;  // the offending event
};

// A holder acknowledging a recall for one unit: the unit's holder signed, after
// the recall, a quarantine (holding / recalled), destruction or
// decommissioning event naming it while it held it.
struct AcknowledgementTruth {
  std::string unit;      // unit key
  std::string party;     // GLN of the signer (the unit's custodian then)
  std::string event_id;  // the acknowledging event
  int64_t time_ms = 0;   // its eventTime
};

struct RecallTruth {
  std::string event_id;
  std::string signer;  // GLN of the manufacturer or the regulator
  std::string gtin;
  std::vector<std::string> lots;
  std::string recall_class;        // "I" | "II" | "III"
  std::vector<std::string> units;  // unit keys of the named lots
  // Every acknowledgement of this recall, in event order (a unit may have
  // several, e.g. quarantined and later destroyed).
  std::vector<AcknowledgementTruth> acknowledgements;
};

struct GroundTruth {
  uint64_t event_count = 0;
  std::vector<UnitTruth> units;  // in commissioning order
  std::vector<LotTruth> lots;
  std::vector<AnomalyTruth> anomalies;  // in event order
  std::vector<RecallTruth> recalls;

  // The truth.json document (format in README.md), written incrementally.
  void WriteJson(std::ostream& out) const;
};

struct GenerationResult {
  std::vector<PartyInfo> parties;
  GroundTruth truth;  // only event_count when options.record_truth is false
};

// The parties Generate will use (deterministic in options.seed and the party
// counts), so that a caller can register them before the events arrive.
// InvalidArgument on bad options.
ledger::Result<std::vector<PartyInfo>> MakeParties(
    const GeneratorOptions& options);

// Runs the simulation, streaming every signed event through `sink`.
// InvalidArgument naming the option on bad options; the sink's status when it
// fails.
ledger::Result<GenerationResult> Generate(const GeneratorOptions& options,
                                          const EventSink& sink);

// participants.json: [{"gln", "name", "role", "companyPrefix", "pgln", "sites",
// "timeZoneOffset", "keyName", "verifierKey", "privateKey"}, ...].
nlohmann::json ParticipantsJson(const std::vector<PartyInfo>& parties);

// The ledger registry entry of a party (gln, name, role, verifier key; not
// revoked).
ledger::Participant ToParticipant(const PartyInfo& party);

// Writes dir/participants.json, dir/envelopes.jsonl and dir/truth.json
// (creating dir). IOError naming the path on failure.
ledger::Result<GenerationResult> WriteDataset(const GeneratorOptions& options,
                                              const std::string& dir);

}  // namespace supplychain

#endif  // UDI_TOOLS_SUPPLYCHAIN_GENERATOR_H_
