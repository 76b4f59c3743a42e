// BundleSource: the entries of an evidence bundle as a trace Source, so that
// the verifier re-runs the same trace code over them. Index lookups answer
// from indexes built here exactly as the log builds its own (ledger/log
// log_entry.cc EventIndexKeys), restricted to the entries present.
#ifndef UDI_LEDGER_TRACE_BUNDLE_SOURCE_H_
#define UDI_LEDGER_TRACE_BUNDLE_SOURCE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ledger/trace/trace_internal.h"

namespace ledger::trace::internal {

class BundleSource : public Source {
 public:
  BundleSource(std::string origin, uint64_t size)
      : origin_(std::move(origin)), size_(size) {}

  // Adds an entry (its leaf bytes parsed). Event entries are validated
  // (epcis::ValidateEvent) and indexed; participant entries update the
  // registry in index order. InvalidArgument naming the problem.
  Status Add(LogEntry entry);

  std::string origin() const override { return origin_; }
  uint64_t size() const override { return size_; }
  std::vector<Participant> Participants() const override;
  std::optional<Participant> LookupSigner(
      std::string_view key_id) const override;
  Result<LogEntry> ReadEntry(uint64_t index) const override;
  Result<std::vector<uint64_t>> ScanIndex(IndexKind kind, std::string_view key,
                                          uint64_t start_index,
                                          size_t limit) const override;

  // The participant registered under `key_id` as of entry `index` (entries
  // before it), or nullopt (unknown or revoked then).
  std::optional<Participant> SignerAt(const std::string& key_id,
                                      uint64_t index) const;
  const std::map<uint64_t, LogEntry>& entries() const { return entries_; }

 private:
  std::string origin_;
  uint64_t size_;
  std::map<uint64_t, LogEntry> entries_;
  // (kind, key) -> ascending indexes
  std::map<std::pair<char, std::string>, std::vector<uint64_t>> index_;
  // index of a participant entry -> the participant it records
  std::map<uint64_t, Participant> registry_changes_;
};

}  // namespace ledger::trace::internal

#endif  // UDI_LEDGER_TRACE_BUNDLE_SOURCE_H_
