// LogImpl::ImportEntries: entries written by the log's origin, verified
// before anything is stored (federation and recovery; ledger/log.h).
#include "ledger/log/log_check.h"
#include "ledger/log/log_impl.h"
#include "ledger/log/log_keys.h"

namespace ledger {
namespace logimpl {

Status LogImpl::ImportEntries(const std::vector<std::string>& entry_bytes,
                              std::string_view signed_checkpoint) {
  std::lock_guard lock(write_mu_);
  Pending p = StartBatch();
  logentry::Registry registry = registry_;  // as of each entry
  std::unordered_map<std::string, uint64_t> in_batch;
  for (const std::string& bytes : entry_bytes) {
    const uint64_t index = p.range.size();
    const std::string at = "entry " + std::to_string(index);
    auto e = logcheck::CheckEntry(index, p.last_leaf, bytes, &registry);
    if (!e.ok()) return Status::InvalidArgument(e.status().message());
    if (e->type == logcheck::EntryType::kEvent) {
      std::optional<uint64_t> earlier;
      if (auto it = in_batch.find(e->event_id); it != in_batch.end()) {
        earlier = it->second;
      } else {
        auto existing = db_->Get(logkeys::EventIdKey(e->event_id));
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) earlier = GetBigEndian64(**existing);
      }
      if (earlier) {
        return Status::InvalidArgument(at + ": event " + e->event_id +
                                       " is already logged at entry " +
                                       std::to_string(*earlier));
      }
      AddEventKeys(&p, e->event_id, e->facts, e->signer, index);
      in_batch.emplace(e->event_id, index);
    } else if (e->type == logcheck::EntryType::kParticipant) {
      auto value = logentry::ParticipantBytes(*e->participant);
      if (!value.ok()) return value.status().WithPrefix(at);
      p.batch.Put(logkeys::RegistryKey(e->participant->KeyId()), *value);
    }
    AddEntry(&p, bytes, e->leaf);
  }
  auto cp = CheckImportCheckpoint(p, entry_bytes.size(), signed_checkpoint);
  if (!cp.ok()) return cp.status();
  LEDGER_RETURN_IF_ERROR(CommitWithNote(
      &p, std::move(cp).value(), std::string(signed_checkpoint),
      "importing " + std::to_string(entry_bytes.size()) + " entries"));
  registry_ = std::move(registry);
  return Status::OK();
}

Result<Checkpoint> LogImpl::CheckImportCheckpoint(const Pending& p, size_t n,
                                                  std::string_view note) const {
  auto parsed = SignedNote::Parse(note);
  if (!parsed.ok()) {
    return Status::InvalidArgument("checkpoint: " + parsed.status().message());
  }
  if (parsed->ToString() != note) {
    return Status::InvalidArgument("checkpoint: not in canonical note form");
  }
  // Only the signature of the log's checkpoint key counts; other lines
  // (witness cosignatures, other keys) are ignored.
  auto cp = OpenCheckpoint(note, verifier_);
  if (!cp.ok()) return Status::InvalidArgument(cp.status().message());
  if (cp->origin != options_.origin) {
    return Status::InvalidArgument("checkpoint: origin '" + cp->origin +
                                   "' is not this log's origin '" +
                                   options_.origin + "'");
  }
  const uint64_t size = p.range.size();
  if (cp->size != size) {
    return Status::InvalidArgument(
        "checkpoint: size " + std::to_string(cp->size) +
        " does not match the log extended by the entries (" +
        std::to_string(size - n) + " + " + std::to_string(n) + " = " +
        std::to_string(size) + ")");
  }
  if (cp->root != p.range.Root()) {
    return Status::InvalidArgument(
        "checkpoint: root does not match entries 0.." +
        (size == 0 ? std::string("(none)") : std::to_string(size - 1)) +
        " (got " + ToHex(cp->root) + ", want " + ToHex(p.range.Root()) + ")");
  }
  return cp;
}

}  // namespace logimpl
}  // namespace ledger
