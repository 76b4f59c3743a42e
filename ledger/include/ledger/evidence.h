// Evidence bundles (issue 6): one self-contained file proving a trace answer
// offline. It holds the answer (CustodyChain::ToJson), and per log the signed
// checkpoint the answer covered (verbatim, cosignature lines included), the
// log's checkpoint verifier key, and every entry the answer was computed from
// (event entries and the registry's participant entries) as exact leaf bytes
// with an RFC 9162 inclusion proof against that checkpoint.
// spec/evidence-bundle.md is the format; the file is the RFC 8785 (JCS) form
// of one JSON object, so that it has exactly one byte representation.
//
// VerifyTraceBundle recomputes everything: leaf hashes and proofs up to the
// checkpoint roots, the checkpoint signatures (every signature line must
// verify), every envelope signature against the registry entries in the
// bundle as of that entry, and the trace answer itself (re-run over the
// bundle's entries, which must reproduce it exactly). Any changed byte fails.
// What a bundle cannot prove: that no event was left out (a log holder could
// omit entries); pin the log keys (`trusted`) to know whose log it is.
//
// Pure functions over their inputs (BuildTraceBundle reads the logs); thread-
// safe as far as the logs are.
#ifndef UDI_LEDGER_EVIDENCE_H_
#define UDI_LEDGER_EVIDENCE_H_

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/cosignature.h"
#include "ledger/keys.h"
#include "ledger/log.h"
#include "ledger/status.h"

namespace ledger::evidence {

inline constexpr std::string_view kBundleFormat =
    "udi-ledger-evidence-bundle/1";

// One log to build a bundle from.
struct LogInput {
  const Log* log = nullptr;
  // Indexes of the log's "participant" entries (FindParticipantEntries);
  // those at or beyond the checkpoint size are left out.
  std::vector<uint64_t> participant_entries;
  // Witness keys whose cosignature lines the checkpoint may carry; copied into
  // the bundle so that those lines can be checked.
  std::vector<CosignerKey> cosigners;
};

// Indexes of the entries of type "participant" in [from, to) of `log`, read in
// pages (cost O(to - from)). IOError/Corruption from the log.
Result<std::vector<uint64_t>> FindParticipantEntries(const Log& log,
                                                     uint64_t from,
                                                     uint64_t to);

// As FindParticipantEntries, but stops at the end of the first page after
// which every key id of `missing` has been seen registered (each found key id
// is erased from `missing`), so that finding the registrations of a registry's
// participants (Log::Participants) costs O(index of the last registration),
// not O(log size). Appends the indexes found to `out` and returns the index
// scanning stopped at (`to` when it reached the end); a later call may resume
// there. `registered`, when given, receives the key id of every registration
// read. IOError/Corruption from the log.
Result<uint64_t> FindParticipantEntriesUntil(
    const Log& log, uint64_t from, uint64_t to, std::set<std::string>* missing,
    std::vector<uint64_t>* out, std::set<std::string>* registered = nullptr);

// Traces `id` (as ledger::trace::Trace) over the logs at the checkpoints
// their SignedCheckpoint() returns now and writes the bundle (JCS bytes).
// InvalidArgument("id: ...") for a bad id; errors of the logs otherwise.
Result<std::string> BuildTraceBundle(const std::vector<LogInput>& logs,
                                     std::string_view id);

struct BundleSummary {
  std::string key;     // the traced unit
  std::string status;  // its status in the answer
  size_t hops = 0;
  size_t entries = 0;             // leaves checked
  size_t signatures = 0;          // envelope signatures checked
  std::vector<std::string> logs;  // "<origin> size <n>" per log
  // Checkpoint keys not among `trusted` (all of them when `trusted` is empty):
  // the bundle is consistent, but whose log it is was not established.
  std::vector<std::string> unpinned_keys;
};

// Verifies a bundle offline. `trusted`: when non-empty, every log's
// checkpoint key must be one of these (else FailedPrecondition naming the
// log). Corruption naming the place and the reason on any other problem, e.g.
// "logs[0].entries[3].proof: inclusion proof: computed root ... != expected
// ...", "trace: answer differs from the one recomputed from the entries at
// hops[2].eventId", "bundle: not in canonical (RFC 8785) form at byte 1041".
Result<BundleSummary> VerifyTraceBundle(
    std::string_view bundle, const std::vector<VerifierKey>& trusted);

}  // namespace ledger::evidence

#endif  // UDI_LEDGER_EVIDENCE_H_
