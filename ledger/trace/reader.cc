// Reader: entry decoding and index lookups across the logs of one query.
#include <algorithm>
#include <map>

#include "ledger/trace/trace_internal.h"

namespace ledger::trace::internal {
namespace {

constexpr size_t kScanPage = 1024;

}  // namespace

const std::vector<std::string>& EventRecord::Epcs() const {
  if (epcs_) return *epcs_;
  epcs_.emplace();
  for (const char* member :
       {"epcList", "childEPCs", "inputEPCList", "outputEPCList"}) {
    auto list = event.find(member);
    if (list == event.end() || !list->is_array()) continue;
    for (const nlohmann::json& uri : *list) {
      if (uri.is_string()) epcs_->push_back(KeyOf(uri.get<std::string>()));
    }
  }
  return *epcs_;
}

size_t EventRecord::ChildCount() const {
  auto list = event.find("childEPCs");
  return list != event.end() && list->is_array() ? list->size() : 0;
}

namespace {

std::string StringMember(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The facts the queries use, read from an event the log validated when
// appending it.
Result<epcis::EventFacts> ReadFacts(const nlohmann::json& event) {
  static const std::map<std::string, epcis::EventType> kTypes = {
      {"ObjectEvent", epcis::EventType::kObjectEvent},
      {"AggregationEvent", epcis::EventType::kAggregationEvent},
      {"TransactionEvent", epcis::EventType::kTransactionEvent},
      {"TransformationEvent", epcis::EventType::kTransformationEvent},
      {"AssociationEvent", epcis::EventType::kAssociationEvent}};
  epcis::EventFacts f;
  auto type = kTypes.find(StringMember(event, "type"));
  if (type == kTypes.end())
    return Status::Corruption("event.type: not an EPCIS event type");
  f.type = type->second;
  f.action = StringMember(event, "action");
  f.event_time = StringMember(event, "eventTime");
  Result<int64_t> ms = epcis::ParseRfc3339Millis(f.event_time);
  if (!ms.ok()) return ms.status().WithPrefix("event.eventTime");
  f.event_time_ms = *ms;
  f.epcis_event_id = StringMember(event, "eventID");
  if (std::string parent = StringMember(event, "parentID"); !parent.empty()) {
    f.parent = KeyOf(parent);
  }
  if (std::string step = StringMember(event, "bizStep"); !step.empty()) {
    Result<std::string> bare = epcis::NormalizeBizStep(step);
    f.biz_step = bare.ok() ? *bare : step;
  }
  if (std::string disp = StringMember(event, "disposition"); !disp.empty()) {
    Result<std::string> bare = epcis::NormalizeDisposition(disp);
    f.disposition = bare.ok() ? *bare : disp;
  }
  f.is_error_declaration = event.contains("errorDeclaration");
  return f;
}

// The canonical event bytes inside a JCS event entry: members sort as envelope
// < index < ... and event < signature < signer, so the entry is
// {"envelope":{"event":<JCS(event)>, "signature":"...",... and the last
// ',"signature":"' ends the event (no string value can hold an unescaped
// quote).
std::optional<std::string_view> CanonicalEventIn(std::string_view entry) {
  constexpr std::string_view kHead = "{\"envelope\":{\"event\":";
  constexpr std::string_view kTail = ",\"signature\":\"";
  if (entry.substr(0, kHead.size()) != kHead) return std::nullopt;
  const size_t end = entry.rfind(kTail);
  if (end == std::string_view::npos || end < kHead.size()) return std::nullopt;
  return entry.substr(kHead.size(), end - kHead.size());
}

}  // namespace

std::vector<std::unique_ptr<Source>> SourcesOf(
    const std::vector<const Log*>& logs) {
  std::vector<std::unique_ptr<Source>> out;
  for (const Log* log : logs) out.push_back(std::make_unique<LogSource>(log));
  return out;
}

std::vector<const Source*> Pointers(
    const std::vector<std::unique_ptr<Source>>& sources) {
  std::vector<const Source*> out;
  for (const auto& s : sources) out.push_back(s.get());
  return out;
}

Reader::Reader(const std::vector<const Source*>& logs) : logs_(logs) {
  for (const Source* log : logs_) {
    coverage_.push_back({log->origin(), log->size()});
    for (const Participant& p : log->Participants())
      party_names_.emplace(p.gln, p.name);
  }
}

std::vector<std::pair<size_t, uint64_t>> Reader::EntriesRead() const {
  std::vector<std::pair<size_t, uint64_t>> out;
  for (const auto& [at, record] : records_) out.push_back(at);
  return out;
}

PartyRef Reader::Party(const std::string& gln) const {
  auto it = party_names_.find(gln);
  return {gln, it == party_names_.end() ? "" : it->second};
}

std::string Reader::SignerGln(const std::string& key_id) {
  auto it = signer_gln_.find(key_id);
  if (it != signer_gln_.end()) return it->second;
  std::string gln;
  for (const Source* log : logs_) {
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
  if (!inserted) {
    if (it->second) return it->second.get();
    records_.erase(it);  // an earlier read of it failed
    return Status::Internal(origin(log) + " entry " + std::to_string(index) +
                            ": read again after an error");
  }
  // Built only on error: a recall loads hundreds of thousands of entries.
  auto where = [&] { return origin(log) + " entry " + std::to_string(index); };
  Result<LogEntry> entry = logs_[log]->ReadEntry(index);
  if (!entry.ok()) return entry.status().WithPrefix(where());
  const nlohmann::json& j = entry->json;
  if (!j.is_object() || j.value("type", "") != "event" ||
      !j.contains("envelope")) {
    return Status::Corruption(where() +
                              ": indexed entry is not an event entry");
  }
  nlohmann::json& envelope = entry->json["envelope"];
  if (!envelope.is_object() || !envelope.contains("event") ||
      !envelope["event"].is_object()) {
    return Status::Corruption(where() + ": envelope.event is not an object");
  }
  Result<epcis::EventFacts> facts = ReadFacts(envelope["event"]);
  if (!facts.ok()) return facts.status().WithPrefix(where());
  auto record = std::make_unique<EventRecord>();
  if (std::optional<std::string_view> canonical =
          CanonicalEventIn(entry->bytes)) {
    record->event_id = EventIdFromCanonical(*canonical);
  } else {
    Result<std::string> bytes = CanonicalEventBytes(envelope["event"]);
    if (!bytes.ok()) return bytes.status().WithPrefix(where() + ": event");
    record->event_id = EventIdFromCanonical(*bytes);
  }
  record->log = log;
  record->index = index;
  record->event = std::move(envelope["event"]);
  record->facts = std::move(facts).value();
  record->signer = StringMember(envelope, "signer");
  record->signer_gln = SignerGln(record->signer);
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

Result<const std::vector<const EventRecord*>*> Reader::Events(
    IndexKind kind, const std::string& key) {
  std::string cache_key;
  cache_key.reserve(key.size() + 1);
  cache_key.push_back(static_cast<char>(kind));
  cache_key += key;
  if (auto it = scans_.find(cache_key); it != scans_.end()) return &it->second;
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
  auto [it, inserted] = scans_.emplace(std::move(cache_key), std::move(out));
  return &it->second;
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
