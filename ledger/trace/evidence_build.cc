// Building evidence bundles (ledger/evidence.h, spec/evidence-bundle.md).
#include <set>

#include "ledger/bytes.h"
#include "ledger/evidence.h"
#include "ledger/jcs.h"
#include "ledger/note.h"
#include "ledger/trace/trace_internal.h"

namespace ledger::evidence {
namespace {

constexpr uint64_t kPage = 1000;

// The checkpoint a signed note carries (not verified here: it is the log's
// own, verified when stored).
Result<Checkpoint> CheckpointOf(const std::string& note, const Log& log) {
  Result<SignedNote> parsed = SignedNote::Parse(note);
  if (!parsed.ok()) return parsed.status().WithPrefix(log.origin());
  Result<Checkpoint> cp = Checkpoint::Parse(parsed->text);
  if (!cp.ok()) return cp.status().WithPrefix(log.origin());
  return cp;
}

nlohmann::json HashList(const std::vector<Hash>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const Hash& h : hashes) out.push_back(ToBase64(h));
  return out;
}

Result<nlohmann::json> EntryJson(const Log& log, uint64_t index,
                                 uint64_t size) {
  Result<LogEntry> entry = log.ReadEntry(index);
  if (!entry.ok()) return entry.status();
  Result<std::vector<Hash>> proof = log.InclusionProof(index, size);
  if (!proof.ok()) return proof.status();
  return nlohmann::json{{"index", index},
                        {"leaf", ToBase64(entry->bytes)},
                        {"proof", HashList(*proof)}};
}

}  // namespace

Result<std::vector<uint64_t>> FindParticipantEntries(const Log& log,
                                                     uint64_t from,
                                                     uint64_t to) {
  std::vector<uint64_t> out;
  for (uint64_t start = from; start < to; start += kPage) {
    Result<std::vector<LogEntry>> page =
        log.ReadEntries(start, std::min(kPage, to - start));
    if (!page.ok()) return page.status();
    for (const LogEntry& e : *page) {
      if (e.json.is_object() && e.json.value("type", "") == "participant")
        out.push_back(e.index);
    }
    if (page->empty()) break;
  }
  return out;
}

Result<uint64_t> FindParticipantEntriesUntil(
    const Log& log, uint64_t from, uint64_t to, std::set<std::string>* missing,
    std::vector<uint64_t>* out, std::set<std::string>* registered) {
  uint64_t start = from;
  while (start < to && !missing->empty()) {
    Result<std::vector<LogEntry>> page =
        log.ReadEntries(start, std::min(kPage, to - start));
    if (!page.ok()) return page.status();
    if (page->empty()) return start;
    for (const LogEntry& e : *page) {
      if (!e.json.is_object() || e.json.value("type", "") != "participant")
        continue;
      out->push_back(e.index);
      auto member = e.json.find("participant");
      if (member == e.json.end()) continue;
      Result<Participant> p = Participant::FromJson(*member);
      if (!p.ok() || p->revoked) continue;
      missing->erase(p->KeyId());
      if (registered != nullptr) registered->insert(p->KeyId());
    }
    start = page->back().index + 1;
  }
  return std::min(start, to);
}

Result<std::string> BuildTraceBundle(const std::vector<LogInput>& logs,
                                     std::string_view id) {
  std::vector<std::string> notes;
  std::vector<std::unique_ptr<trace::internal::Source>> sources;
  for (const LogInput& in : logs) {
    notes.push_back(in.log->SignedCheckpoint());
    Result<Checkpoint> cp = CheckpointOf(notes.back(), *in.log);
    if (!cp.ok()) return cp.status();
    sources.push_back(
        std::make_unique<trace::internal::LogSource>(in.log, cp->size));
  }
  trace::internal::Reader reader(trace::internal::Pointers(sources));
  Result<trace::CustodyChain> chain = trace::internal::TraceWith(reader, id);
  if (!chain.ok()) return chain.status();
  std::vector<std::set<uint64_t>> wanted(logs.size());
  for (const auto& [log, index] : reader.EntriesRead())
    wanted[log].insert(index);
  nlohmann::json log_list = nlohmann::json::array();
  for (size_t i = 0; i < logs.size(); ++i) {
    const uint64_t size = sources[i]->size();
    for (uint64_t index : logs[i].participant_entries) {
      if (index < size) wanted[i].insert(index);
    }
    nlohmann::json entries = nlohmann::json::array();
    for (uint64_t index : wanted[i]) {
      Result<nlohmann::json> e = EntryJson(*logs[i].log, index, size);
      if (!e.ok()) return e.status().WithPrefix(sources[i]->origin());
      entries.push_back(std::move(e).value());
    }
    nlohmann::json cosigners = nlohmann::json::array();
    for (const CosignerKey& k : logs[i].cosigners)
      cosigners.push_back(k.ToText());
    log_list.push_back({{"origin", sources[i]->origin()},
                        {"verifierKey", logs[i].log->verifier().ToText()},
                        {"cosignerKeys", std::move(cosigners)},
                        {"checkpoint", notes[i]},
                        {"entries", std::move(entries)}});
  }
  nlohmann::json bundle = {{"format", std::string(kBundleFormat)},
                           {"trace", chain->ToJson()},
                           {"logs", std::move(log_list)}};
  return CanonicalizeJson(bundle);
}

}  // namespace ledger::evidence
