// Reader: entry decoding and index lookups across the logs of one query.
#include <algorithm>

#include "ledger/trace/trace_internal.h"

namespace ledger::trace::internal {
namespace {

constexpr size_t kScanPage = 1024;

}  // namespace

bool EventRecord::Names(const std::string& key) const {
  return std::find(facts.epcs.begin(), facts.epcs.end(), key) !=
         facts.epcs.end();
}

Reader::Reader(const std::vector<const Log*>& logs) : logs_(logs) {
  for (const Log* log : logs_) {
    Checkpoint cp = log->LatestCheckpoint();
    coverage_.push_back({cp.origin, cp.size});
    for (const Participant& p : log->Participants())
      party_names_.emplace(p.gln, p.name);
  }
}

PartyRef Reader::Party(const std::string& gln) const {
  auto it = party_names_.find(gln);
  return {gln, it == party_names_.end() ? "" : it->second};
}

std::string Reader::SignerGln(const std::string& key_id) {
  auto it = signer_gln_.find(key_id);
  if (it != signer_gln_.end()) return it->second;
  std::string gln;
  for (const Log* log : logs_) {
    if (std::optional<Participant> p = log->LookupSigner(key_id)) {
      gln = p->gln;
      break;
    }
  }
  signer_gln_.emplace(key_id, gln);
  return gln;
}

Result<const EventRecord*> Reader::Load(size_t log, uint64_t index) {
  auto [it, inserted] = records_.try_emplace({log, index});
  if (!inserted) return it->second.get();
  std::string where = origin(log) + " entry " + std::to_string(index);
  Result<LogEntry> entry = logs_[log]->ReadEntry(index);
  if (!entry.ok()) return entry.status().WithPrefix(where);
  const nlohmann::json& j = entry->json;
  if (!j.is_object() || j.value("type", "") != "event" ||
      !j.contains("envelope")) {
    return Status::Corruption(where + ": indexed entry is not an event entry");
  }
  Result<Envelope> env = Envelope::FromJson(j["envelope"]);
  if (!env.ok()) return env.status().WithPrefix(where + ": envelope");
  Result<epcis::EventFacts> facts = epcis::ValidateEvent(env->event);
  if (!facts.ok()) return facts.status().WithPrefix(where + ": event");
  Result<std::string> canonical = CanonicalEventBytes(env->event);
  if (!canonical.ok()) return canonical.status().WithPrefix(where + ": event");
  auto record = std::make_unique<EventRecord>();
  record->log = log;
  record->index = index;
  record->event_id = EventIdFromCanonical(*canonical);
  record->event = std::move(env->event);
  record->facts = std::move(facts).value();
  record->signer = env->signer;
  record->signer_gln = SignerGln(env->signer);
  it->second = std::move(record);
  EventRecord* r = it->second.get();
  if (!r->facts.is_error_declaration && !r->facts.epcis_event_id.empty()) {
    LEDGER_RETURN_IF_ERROR(MarkSuperseded(r));
  }
  return r;
}

// A declaration counts only when signed by the same participant as the event it
// corrects: nobody else may void another party's events.
Status Reader::MarkSuperseded(EventRecord* record) {
  for (size_t log = 0; log < logs_.size(); ++log) {
    Result<std::vector<uint64_t>> hits = logs_[log]->ScanIndex(
        IndexKind::kCorrection, record->facts.epcis_event_id, 0, 64);
    if (!hits.ok())
      return hits.status().WithPrefix(origin(log) + ": correction index");
    for (uint64_t index : *hits) {
      if (index >= coverage_[log].size) break;
      Result<const EventRecord*> decl = Load(log, index);
      if (!decl.ok()) return decl.status();
      if ((*decl)->facts.is_error_declaration && !record->signer_gln.empty() &&
          (*decl)->signer_gln == record->signer_gln) {
        record->superseded = true;
        return Status::OK();
      }
    }
  }
  return Status::OK();
}

Result<std::vector<const EventRecord*>> Reader::Events(IndexKind kind,
                                                       const std::string& key) {
  auto cache_key = std::make_pair(static_cast<char>(kind), key);
  if (auto it = scans_.find(cache_key); it != scans_.end()) return it->second;
  std::vector<const EventRecord*> out;
  for (size_t log = 0; log < logs_.size(); ++log) {
    const uint64_t size = coverage_[log].size;
    uint64_t start = 0;
    while (start < size) {
      Result<std::vector<uint64_t>> page =
          logs_[log]->ScanIndex(kind, key, start, kScanPage);
      if (!page.ok())
        return page.status().WithPrefix(origin(log) + ": index scan");
      for (uint64_t index : *page) {
        if (index >= size) break;
        Result<const EventRecord*> r = Load(log, index);
        if (!r.ok()) return r.status();
        if ((*r)->facts.is_error_declaration) continue;
        auto [first, inserted] = by_event_id_.emplace((*r)->event_id, *r);
        if (!inserted && first->second != *r)
          continue;  // the same event in an earlier log
        out.push_back(*r);
      }
      if (page->size() < kScanPage) break;
      start = page->back() + 1;
    }
  }
  std::sort(out.begin(), out.end(),
            [](const EventRecord* a, const EventRecord* b) {
              return a->pos() < b->pos();
            });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  scans_.emplace(std::move(cache_key), out);
  return out;
}

Result<std::vector<const EventRecord*>> Reader::CommissioningOfLot(
    const std::string& lot) {
  std::vector<const EventRecord*> out;
  for (size_t log = 0; log < logs_.size(); ++log) {
    const uint64_t size = coverage_[log].size;
    uint64_t start = 0;
    while (start < size) {
      Result<std::vector<uint64_t>> page = logs_[log]->ScanIndex(
          IndexKind::kBizStep, "commissioning", start, kScanPage);
      if (!page.ok())
        return page.status().WithPrefix(origin(log) + ": index scan");
      for (uint64_t index : *page) {
        if (index >= size) break;
        Result<LogEntry> entry = logs_[log]->ReadEntry(index);
        if (!entry.ok()) return entry.status().WithPrefix(origin(log));
        const nlohmann::json* event = nullptr;
        if (auto env = entry->json.find("envelope"); env != entry->json.end() &&
                                                     env->is_object() &&
                                                     env->contains("event")) {
          event = &(*env)["event"];
        }
        if (event == nullptr || IlmdValue(*event, "lotNumber") != lot) continue;
        Result<const EventRecord*> r = Load(log, index);
        if (!r.ok()) return r.status();
        auto [first, inserted] = by_event_id_.emplace((*r)->event_id, *r);
        if (inserted || first->second == *r) out.push_back(*r);
      }
      if (page->size() < kScanPage) break;
      start = page->back() + 1;
    }
  }
  return out;
}

}  // namespace ledger::trace::internal
