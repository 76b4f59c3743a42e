// Pipelined catch-up of a replica (issue 4): Log::ImportPrefix split into a
// check phase and a commit phase, so that a caller (node/replication) checks
// chunk k+1 on all cores while chunk k is being committed.
//
// Nothing is trusted that was not checked: the check phase runs every
// per-entry check of Log::ImportEntries, and the commit phase uses its outcome
// only for the exact log state it was computed for; it runs the
// duplicate-event, checkpoint and consistency-proof checks itself.
#ifndef UDI_LEDGER_LOG_PIPELINE_H_
#define UDI_LEDGER_LOG_PIPELINE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/log.h"
#include "ledger/status.h"

namespace ledger {

// A chunk of entry bytes and, for the LevelDB log, the outcome of its checks.
// Made by PrecheckImport; immutable afterwards (may be shared between
// threads).
struct PrecheckedEntries {
  virtual ~PrecheckedEntries() = default;
  std::vector<std::string> entries;  // the entry bytes, exactly as checked
};

// Runs the per-entry checks of Log::ImportEntries on `entries` (JCS form,
// index, prevHash, receivedAt, the registry rules and every event signature,
// the registry replayed in entry order) on all cores, for entries that
// directly follow `previous` (a chunk prechecked earlier on the same log, to
// be imported first) or, when `previous` is null, the log's current end, with
// the registry as of there. Stores nothing; does not wait for an import in
// progress unless `previous` is null. For a log other than the LevelDB log the
// chunk just carries the entries. Never fails: a failed check is kept and
// reported by ImportPrefixChecked.
std::shared_ptr<const PrecheckedEntries> PrecheckImport(
    Log& log, std::vector<std::string> entries,
    const PrecheckedEntries* previous);

// Exactly log.ImportPrefix(chunk.entries, signed_checkpoint,
// consistency_proof), with the same errors (the first bad entry is named; none
// of the chunk is stored): the precheck's outcome is used only when the chunk
// still starts at the log's end, after the same leaf, with the same registry;
// otherwise the entries are checked again here.
Status ImportPrefixChecked(Log& log, const PrecheckedEntries& chunk,
                           std::string_view signed_checkpoint,
                           const std::vector<Hash>& consistency_proof);

}  // namespace ledger

#endif  // UDI_LEDGER_LOG_PIPELINE_H_
