// PrepareEvent: the expensive, parallelisable checks done before the single
// writer appends.
#include "ledger/log.h"
#include "ledger/log/log_entry.h"

namespace ledger {

Result<PreparedEvent> PrepareEvent(Envelope envelope,
                                   const VerifierKey& signer) {
  auto facts = epcis::ValidateEvent(envelope.event);
  if (!facts.ok()) {
    const std::string& msg = facts.status().message();
    // Paths come as "epcList[2]: ...", "[2]..." or JSON Pointers "/epcList/2:
    // ...".
    const bool joined = !msg.empty() && (msg[0] == '[' || msg[0] == '/');
    return Status::InvalidArgument((joined ? "event" : "event.") + msg);
  }
  auto canonical = CanonicalEventBytes(envelope.event);
  if (!canonical.ok()) return canonical.status().WithPrefix("event");
  LEDGER_RETURN_IF_ERROR(VerifyEnvelopeCanonical(envelope, *canonical, signer));
  PreparedEvent out;
  out.event_id = EventIdFromCanonical(*canonical);
  out.canonical_event = std::move(canonical).value();
  out.envelope = std::move(envelope);
  out.facts = std::move(facts).value();
  out.verified_with = signer.ToText();
  PrecomputeLeafPrefix(&out);
  return out;
}

void PrecomputeLeafPrefix(PreparedEvent* event) {
  event->entry_prefix =
      logentry::EventEntryPrefix(event->envelope, event->canonical_event);
  event->leaf_prefix_state = logentry::LeafPrefixState(event->entry_prefix);
}

}  // namespace ledger
