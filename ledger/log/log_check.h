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

}  // namespace ledger::logcheck

#endif  // UDI_LEDGER_LOG_LOG_CHECK_H_
