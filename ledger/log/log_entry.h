// The bytes of log entries, the index keys an event implies and the registry
// rules: everything both the writer (log.cc) and the offline verifier
// (log_verify.cc) must agree on. Pure functions.
#ifndef UDI_LEDGER_LOG_LOG_ENTRY_H_
#define UDI_LEDGER_LOG_LOG_ENTRY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/log.h"

namespace ledger::logentry {

inline constexpr std::string_view kTypeEvent = "event";
inline constexpr std::string_view kTypeParticipant = "participant";
inline constexpr std::string_view kTypeQuery = "query";

// "2026-11-26T10:44:14.123Z". Requires a time within years 0000..9999.
std::string FormatReceivedAt(int64_t ms);
// prevHash of entry 0: 64 zeros.
std::string ZeroHashHex();

// JCS bytes of {"envelope": ..., "index": i, "prevHash": hex, "receivedAt": t,
// "type": "event"}, spliced from the already canonical event bytes (equal to
// CanonicalizeJson of the object; a test checks it).
std::string EventEntryBytes(uint64_t index, const Hash& prev_leaf,
                            std::string_view received_at,
                            const Envelope& envelope,
                            std::string_view canonical_event);
// The two parts of EventEntryBytes: the prefix (through "index":) depends on
// the envelope only.
std::string EventEntryPrefix(const Envelope& envelope,
                             std::string_view canonical_event);
std::string EventEntrySuffix(uint64_t index, const Hash& prev_leaf,
                             std::string_view received_at);
// EventEntrySuffix(index, prev_leaf, received_at) appended to *out (the
// writer's allocation-free form).
void AppendEventEntrySuffix(std::string* out, uint64_t index,
                            const Hash& prev_leaf,
                            std::string_view received_at);
// SHA-256 state after 0x00 || prefix, as opaque bytes; and the leaf hash from
// it and the suffix (nullopt unless `state` has the size LeafPrefixState
// makes).
std::string LeafPrefixState(std::string_view prefix);
std::optional<Hash> LeafHashFromPrefixState(std::string_view state,
                                            std::string_view suffix);

// JCS bytes of {"index": i, "participant": ..., "prevHash": hex, "receivedAt":
// t, "type": "participant"}.
Result<std::string> ParticipantEntryBytes(uint64_t index, const Hash& prev_leaf,
                                          std::string_view received_at,
                                          const Participant& p);
// JCS bytes of {"index": i, "prevHash": hex, "query": record, "receivedAt":
// t, "type": "query"}. InvalidArgument unless `record` is an object that JCS
// can serialise.
Result<std::string> QueryEntryBytes(uint64_t index, const Hash& prev_leaf,
                                    std::string_view received_at,
                                    const nlohmann::json& record);
// JCS(p.ToJson()): the value of the participant's R key.
Result<std::string> ParticipantBytes(const Participant& p);

// Every secondary-index key (X and T, not the unique I key) the event at
// `index` implies, deduplicated, in a fixed order.
std::vector<std::string> EventIndexKeys(const epcis::EventFacts& facts,
                                        std::string_view signer,
                                        uint64_t index);
// The same keys, in the same order, each written into *scratch and passed to
// `put` (which copies what it keeps): the writer's allocation-free form.
void ForEachEventIndexKey(const epcis::EventFacts& facts,
                          std::string_view signer, uint64_t index,
                          std::string* scratch,
                          const std::function<void(std::string_view)>& put);

using Registry = std::map<std::string, Participant, std::less<>>;  // by key id

// Checks that `p` is a well-formed participant and a legal change of
// `registry`: registering a new key id, or revoking a registered, unrevoked one
// (metadata must then be unchanged). A revoked key can never be registered
// again (rotate = a new key).
Status CheckRegistryChange(const Registry& registry, const Participant& p);
// OK iff `key_id` may sign an event now: registered and unrevoked. The error
// names the signer.
Status CheckSigner(const Registry& registry, std::string_view key_id);

}  // namespace ledger::logentry

#endif  // UDI_LEDGER_LOG_LOG_ENTRY_H_
