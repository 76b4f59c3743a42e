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

// The envelope's signer: after the event (of `event_size` bytes) come
// ,"signature":"<base64>","signer":"<key id>"} and key ids hold no quote or
// backslash (C2SP key names are printable ASCII without them... checked).
std::optional<std::string> SignerIn(std::string_view entry, size_t event_size) {
  constexpr std::string_view kHead = "{\"envelope\":{\"event\":";
  constexpr std::string_view kSigner = ",\"signer\":\"";
  const size_t from = kHead.size() + event_size;
  const size_t at = entry.find(kSigner, from);
  if (at == std::string_view::npos) return std::nullopt;
  const size_t begin = at + kSigner.size();
  const size_t end = entry.find('"', begin);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view id = entry.substr(begin, end - begin);
  if (id.find('\\') != std::string_view::npos) return std::nullopt;
  return std::string(id);
}

}  // namespace

Status Source::ScanIndexKeys(IndexKind kind,
                             const std::vector<std::string>& keys,
                             uint64_t end_index,
                             const Log::IndexHitSink& sink) const {
  std::vector<size_t> order(keys.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  for (size_t n = 0; n < order.size(); ++n) {
    const size_t i = order[n];
    if (n > 0 && keys[order[n - 1]] == keys[i]) continue;
    for (uint64_t start = 0; start < end_index;) {
      Result<std::vector<uint64_t>> page =
          ScanIndex(kind, keys[i], start, kScanPage);
      if (!page.ok()) return page.status();
      for (uint64_t index : *page) {
        if (index >= end_index) break;
        LEDGER_RETURN_IF_ERROR(sink(i, index));
      }
      if (page->size() < kScanPage) break;
      start = page->back() + 1;
    }
  }
  return Status::OK();
}

Status Source::ReadEntriesAt(const std::vector<uint64_t>& indexes,
                             const Log::EntryBytesSink& sink) const {
  for (uint64_t index : indexes) {
    Result<LogEntry> entry = ReadEntry(index);
    if (!entry.ok()) return entry.status();
    LEDGER_RETURN_IF_ERROR(sink(index, entry->bytes));
  }
  return Status::OK();
}

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
  if (auto it = records_.find({log, index}); it != records_.end()) {
    return it->second.get();
  }
  // The entry's bytes only (Source::ReadEntry would parse all of it too).
  const EventRecord* record = nullptr;
  Status decoded;  // Decode's errors name the entry already
  Status st = logs_[log]->ReadEntriesAt(
      {index}, [&](uint64_t, std::string_view bytes) -> Status {
        Result<const EventRecord*> r = Decode(log, index, bytes);
        if (r.ok()) record = *r;
        decoded = r.status();
        return decoded;
      });
  if (!decoded.ok()) return decoded;
  if (!st.ok()) {
    return st.WithPrefix(origin(log) + " entry " + std::to_string(index));
  }
  if (record == nullptr) {
    return Status::Corruption(origin(log) + " entry " + std::to_string(index) +
                              ": not read");
  }
  return record;
}

Result<const EventRecord*> Reader::Decode(size_t log, uint64_t index,
                                          std::string_view bytes) {
  // Built only on error: a recall decodes hundreds of thousands of entries.
  auto where = [&] { return origin(log) + " entry " + std::to_string(index); };
  // An event entry is {"envelope":{"event":<JCS event>,"signature":"...",
  // "signer":"<key id>"},"index":...}: only the event is parsed (the log
  // checked the entry's form and the event when appending it).
  std::optional<std::string_view> canonical = CanonicalEventIn(bytes);
  if (!canonical) {
    return Status::Corruption(where() +
                              ": indexed entry is not an event entry");
  }
  std::optional<std::string> signer = SignerIn(bytes, canonical->size());
  if (!signer) {
    return Status::Corruption(where() + ": envelope.signer missing");
  }
  nlohmann::json event = nlohmann::json::parse(*canonical, nullptr,
                                               /*allow_exceptions=*/false);
  if (!event.is_object()) {
    return Status::Corruption(where() + ": envelope.event is not an object");
  }
  Result<epcis::EventFacts> facts = ReadFacts(event);
  if (!facts.ok()) return facts.status().WithPrefix(where());
  auto record = std::make_unique<EventRecord>();
  record->event_id = EventIdFromCanonical(*canonical);
  record->log = log;
  record->index = index;
  record->event = std::move(event);
  record->facts = std::move(facts).value();
  record->signer = std::move(*signer);
  record->signer_gln = SignerGln(record->signer);
  EventRecord* r = record.get();
  records_[{log, index}] = std::move(record);
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

std::string Reader::CacheKey(IndexKind kind, const std::string& key) {
  std::string cache_key;
  cache_key.reserve(key.size() + 1);
  cache_key.push_back(static_cast<char>(kind));
  cache_key += key;
  return cache_key;
}

Result<std::vector<const EventRecord*>> Reader::ListOf(
    const std::vector<std::pair<size_t, uint64_t>>& hits) {
  std::vector<const EventRecord*> out;
  out.reserve(hits.size());
  for (const auto& [log, index] : hits) {
    Result<const EventRecord*> r = Load(log, index);
    if (!r.ok()) return r.status();
    if ((*r)->facts.is_error_declaration) continue;
    if (logs_.size() > 1) {
      auto [first, inserted] = by_event_id_.emplace((*r)->event_id, *r);
      if (!inserted && first->second != *r)
        continue;  // the same event in an earlier log
    }
    out.push_back(*r);
  }
  std::sort(out.begin(), out.end(),
            [](const EventRecord* a, const EventRecord* b) {
              return a->pos() < b->pos();
            });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<const std::vector<const EventRecord*>*> Reader::Events(
    IndexKind kind, const std::string& key) {
  std::string cache_key = CacheKey(kind, key);
  if (auto it = scans_.find(cache_key); it != scans_.end()) return &it->second;
  std::vector<std::pair<size_t, uint64_t>> hits;
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
        hits.emplace_back(log, index);
      }
      if (page->size() < kScanPage) break;
      start = page->back() + 1;
    }
  }
  Result<std::vector<const EventRecord*>> out = ListOf(hits);
  if (!out.ok()) return out.status();
  for (const EventRecord* r : *out) r->pinned = true;
  auto [it, inserted] =
      scans_.emplace(std::move(cache_key), std::move(out).value());
  return &it->second;
}

Status Reader::Prefetch(IndexKind kind, const std::vector<std::string>& keys) {
  std::vector<std::string> todo;
  for (const std::string& key : keys) {
    if (!scans_.contains(CacheKey(kind, key))) todo.push_back(key);
  }
  if (todo.empty()) return Status::OK();
  std::vector<std::vector<std::pair<size_t, uint64_t>>> hits(todo.size());
  for (size_t log = 0; log < logs_.size(); ++log) {
    std::vector<uint64_t> need;
    Status st = logs_[log]->ScanIndexKeys(
        kind, todo, coverage_[log].size, [&](size_t i, uint64_t index) {
          hits[i].emplace_back(log, index);
          if (!records_.contains({log, index})) need.push_back(index);
          return Status::OK();
        });
    if (!st.ok()) return st.WithPrefix(origin(log) + ": index scan");
    std::sort(need.begin(), need.end());
    need.erase(std::unique(need.begin(), need.end()), need.end());
    Status decoded = logs_[log]->ReadEntriesAt(
        need, [&](uint64_t index, std::string_view bytes) {
          return Decode(log, index, bytes).status();
        });
    if (!decoded.ok()) return decoded.WithPrefix(origin(log));
  }
  for (size_t i = 0; i < todo.size(); ++i) {
    Result<std::vector<const EventRecord*>> list = ListOf(hits[i]);
    if (!list.ok()) return list.status();
    scans_.emplace(CacheKey(kind, todo[i]), std::move(list).value());
  }
  return Status::OK();
}

void Reader::Release(IndexKind kind, const std::vector<std::string>& keys) {
  std::vector<const EventRecord*> held;
  for (const std::string& key : keys) {
    auto it = scans_.find(CacheKey(kind, key));
    if (it == scans_.end()) continue;
    for (const EventRecord* r : it->second) {
      if (!r->pinned) held.push_back(r);
    }
    scans_.erase(it);
  }
  std::sort(held.begin(), held.end());
  held.erase(std::unique(held.begin(), held.end()), held.end());
  for (const EventRecord* r : held) {
    if (auto it = by_event_id_.find(r->event_id);
        it != by_event_id_.end() && it->second == r) {
      by_event_id_.erase(it);
    }
    records_.erase({r->log, r->index});
  }
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
