// The per-entry checks shared by the offline verifier (log_verify.cc) and
// Log::ImportEntries (log.cc): one function decides whether some bytes are a
// valid entry n of a log, given the previous leaf and the registry as of that
// entry. Pure (no I/O).
#ifndef UDI_LEDGER_LOG_LOG_CHECK_H_
#define UDI_LEDGER_LOG_LOG_CHECK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/epcis.h"
#include "ledger/log.h"
#include "ledger/log/log_entry.h"

namespace ledger::logcheck {

enum class EntryType { kEvent, kParticipant, kQuery };

// What a valid entry implies for the store.
struct CheckedEntry {
  EntryType type = EntryType::kEvent;
  Hash leaf{};  // SHA-256(0x00 || bytes)
  // kEvent:
  std::string event_id;  // ni:///sha-256;...
  std::string signer;    // envelope signer key id
  epcis::EventFacts facts;
  // kParticipant: the registry change (already applied to the registry).
  std::optional<Participant> participant;
};

// Checks that `bytes` is entry `index` of a log whose entry index-1 has leaf
// hash `prev_leaf` (ignored for index 0) and whose registry as of this entry is
// `*registry`: JCS canonical form, exactly the members of its type, index,
// prevHash, receivedAt form, and per type: the registry rules (participant;
// the change is then applied to *registry), the envelope signature under the
// signer's registered, unrevoked key and the event's EPCIS validity (event), a
// JSON object (query). Corruption("entry <index>: <reason>") on the first
// problem; *registry is unchanged then.
Result<CheckedEntry> CheckEntry(uint64_t index, const Hash& prev_leaf,
                                std::string_view bytes,
                                logentry::Registry* registry);
// Same, when the caller already has the leaf hash of `bytes` (`leaf` must be
// merkle::LeafHash(bytes)).
Result<CheckedEntry> CheckEntry(uint64_t index, const Hash& prev_leaf,
                                std::string_view bytes,
                                logentry::Registry* registry, const Hash& leaf);

// The two ways CheckEntry decides, exposed for the test that shows they agree.
// CheckEntry = TryCheckEventFast, and CheckEntryFull when it has no answer.
//
// CheckEntryFull: parses the whole entry into a JSON tree and checks it step
// by step; the reference, and the source of every error message.
Result<CheckedEntry> CheckEntryFull(uint64_t index, const Hash& prev_leaf,
                                    std::string_view bytes,
                                    logentry::Registry* registry,
                                    const Hash& leaf);
// TryCheckEventFast: an event entry in the one JCS layout whose signature,
// signer, prevHash and receivedAt strings need no escapes (what every writer
// produces) is taken apart in place; only the event itself is parsed into a
// tree. Returns exactly what CheckEntryFull returns when every check passes,
// and nullopt otherwise (any other entry type or layout, or any failed
// check); it never decides a refusal.
std::optional<CheckedEntry> TryCheckEventFast(
    uint64_t index, const Hash& prev_leaf, std::string_view bytes,
    const logentry::Registry& registry, const Hash& leaf);

}  // namespace ledger::logcheck

#endif  // UDI_LEDGER_LOG_LOG_CHECK_H_
