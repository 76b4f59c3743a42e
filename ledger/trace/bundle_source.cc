// BundleSource: see bundle_source.h.
#include "ledger/trace/bundle_source.h"

#include <algorithm>

namespace ledger::trace::internal {

Status BundleSource::Add(LogEntry entry) {
  const nlohmann::json& j = entry.json;
  const std::string type = j.is_object() ? j.value("type", "") : "";
  if (type == "participant") {
    auto member = j.find("participant");
    if (member == j.end())
      return Status::InvalidArgument("participant: missing");
    Result<Participant> p = Participant::FromJson(*member);
    if (!p.ok()) return p.status();
    registry_changes_[entry.index] = std::move(p).value();
  } else if (type == "event") {
    if (!j.contains("envelope") || !j["envelope"].is_object() ||
        !j["envelope"].contains("event")) {
      return Status::InvalidArgument("envelope.event: missing");
    }
    Result<epcis::EventFacts> facts =
        epcis::ValidateEvent(j["envelope"]["event"]);
    if (!facts.ok()) return facts.status().WithPrefix("envelope");
    const epcis::EventFacts& f = *facts;
    const uint64_t i = entry.index;
    auto add = [&](IndexKind kind, const std::string& key) {
      if (key.empty()) return;
      std::vector<uint64_t>& list = index_[{static_cast<char>(kind), key}];
      if (list.empty() || list.back() != i) list.push_back(i);
    };
    add(IndexKind::kEpcisEventId, f.epcis_event_id);
    for (const auto& epc : f.epcs) add(IndexKind::kEpc, epc);
    add(IndexKind::kEpc, f.parent);
    for (const auto& c : f.epc_classes) add(IndexKind::kEpcClass, c);
    add(IndexKind::kParent, f.parent);
    for (const auto& c : f.children) add(IndexKind::kChild, c);
    add(IndexKind::kBizLocation, f.biz_location);
    add(IndexKind::kReadPoint, f.read_point);
    add(IndexKind::kSigner, j["envelope"].value("signer", ""));
    add(IndexKind::kBizStep, f.biz_step);
    add(IndexKind::kDisposition, f.disposition);
    if (f.is_error_declaration) add(IndexKind::kCorrection, f.epcis_event_id);
    for (const auto& c : f.ilmd_lots) add(IndexKind::kIlmdLot, c);
  } else if (type != "query") {
    return Status::InvalidArgument("type: '" + type +
                                   "' is not event, participant or query");
  }
  entries_.emplace(entry.index, std::move(entry));
  return Status::OK();
}

std::vector<Participant> BundleSource::Participants() const {
  std::map<std::string, Participant> latest;  // by key id, as the log orders
  for (const auto& [index, p] : registry_changes_) {
    if (index < size_) latest[p.KeyId()] = p;
  }
  std::vector<Participant> out;
  for (auto& [id, p] : latest) out.push_back(std::move(p));
  return out;
}

std::optional<Participant> BundleSource::LookupSigner(
    std::string_view key_id) const {
  std::optional<Participant> found;
  for (const auto& [index, p] : registry_changes_) {
    if (index < size_ && p.KeyId() == key_id) found = p;
  }
  return found;
}

std::optional<Participant> BundleSource::SignerAt(const std::string& key_id,
                                                  uint64_t index) const {
  std::optional<Participant> found;
  for (const auto& [at, p] : registry_changes_) {
    if (at >= index) break;
    if (p.KeyId() == key_id) found = p;
  }
  if (found && found->revoked) return std::nullopt;
  return found;
}

Result<LogEntry> BundleSource::ReadEntry(uint64_t index) const {
  auto it = entries_.find(index);
  if (it == entries_.end()) {
    return Status::NotFound("entry " + std::to_string(index) +
                            ": not in the bundle");
  }
  return it->second;
}

Result<std::vector<uint64_t>> BundleSource::ScanIndex(IndexKind kind,
                                                      std::string_view key,
                                                      uint64_t start_index,
                                                      size_t limit) const {
  std::vector<uint64_t> out;
  auto it = index_.find({static_cast<char>(kind), std::string(key)});
  if (it == index_.end()) return out;
  auto from =
      std::lower_bound(it->second.begin(), it->second.end(), start_index);
  for (; from != it->second.end() && out.size() < limit; ++from)
    out.push_back(*from);
  return out;
}

}  // namespace ledger::trace::internal
