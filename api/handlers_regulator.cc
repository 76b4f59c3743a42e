// Handlers of the regulator API (issue 6): trace (with proofs), evidence
// bundles, recall reports and recall issuing, unit verification, and the
// audit record of every regulator query (Log::AppendQuery). Answers cover
// every log the node holds (Service::HeldLogs).
#include <atomic>
#include <ctime>
#include <mutex>
#include <set>
#include <unordered_map>

#include "api/handlers_internal.h"
#include "api/regulator.h"
#include "ledger/bytes.h"
#include "ledger/envelope.h"
#include "ledger/evidence.h"
#include "ledger/gs1.h"
#include "ledger/note.h"
#include "ledger/trace.h"
#include "scanners/scan.h"

namespace api {
namespace {

using nlohmann::json;

std::atomic<uint64_t> g_audit_recorded{0};
std::atomic<uint64_t> g_audit_failed{0};

constexpr const char* kEpcisContext =
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
constexpr const char* kUdiNamespace = "https://udi-ledger.org/ns/";

// The held logs, kept alive for the request.
struct Held {
  std::vector<std::shared_ptr<const ledger::Log>> owned;
  std::vector<const ledger::Log*> logs;
};

Held HeldOf(const Service& service) {
  Held h;
  h.owned = service.HeldLogs();
  for (const auto& l : h.owned) h.logs.push_back(l.get());
  return h;
}

// Wraps `reply` so that a regulator's request is recorded in the node's own
// log (on the committer's writer thread, the log's one writer) before the
// answer leaves. A failed record is counted and reported in the
// Udi-Audit-Error header; the answer is sent anyway.
Reply Audited(Service& service, const Caller& caller, const Request& request,
              Reply reply) {
  if (!caller.authenticated || caller.token.role != Role::kRegulator)
    return reply;
  json record = {{"caller", caller.token.id},
                 {"participant", caller.token.participant},
                 {"role", RoleName(caller.token.role)},
                 {"method", request.method},
                 {"target", request.target},
                 {"at", FormatRfc3339Millis(NowMillis())}};
  ledger::Log* log = &service.log();
  Committer* committer = &service.committer();
  return [log, committer, record = std::move(record), reply](Response r) {
    auto answer = std::make_shared<Response>(std::move(r));
    auto record_then_reply = [log, record, reply, answer]() {
      ledger::Result<uint64_t> index = log->AppendQuery(record, NowMillis());
      if (index.ok()) {
        ++g_audit_recorded;
        answer->headers.emplace_back("Udi-Audit-Index", std::to_string(*index));
      } else {
        ++g_audit_failed;
        answer->headers.emplace_back("Udi-Audit-Error",
                                     index.status().ToString());
      }
      reply(std::move(*answer));
    };
    if (!committer->RunOnWriter(record_then_reply).ok()) {
      ++g_audit_failed;
      answer->headers.emplace_back("Udi-Audit-Error", "writer stopping");
      reply(std::move(*answer));
    }
  };
}

int CurrentYear() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return tm.tm_year + 1900;
}

// The {id} of trace/verify: an EPC URI, a Digital Link, a canonical key
// ("01/<gtin>/21/<serial>") or a raw scan (GS1 element string with or
// without symbology identifier, "\x1d" escapes allowed), as a string the
// trace functions accept.
ledger::Result<std::string> UnitId(const std::string& id) {
  if (id.rfind("urn:", 0) == 0 || id.rfind("http://", 0) == 0 ||
      id.rfind("https://", 0) == 0) {
    return id;
  }
  if (id.find('/') != std::string::npos && id[0] != '(' && id[0] != ']')
    return id;
  ledger::Result<scanners::Scan> scan =
      scanners::ParseScan(scanners::DecodeGsEscapes(id), CurrentYear());
  if (!scan.ok()) {
    return scan.status().WithPrefix(
        "id: not an EPC URI, Digital Link or key; as a raw scan");
  }
  if (scan->scheme != scanners::ScanScheme::kGs1 ||
      scan->gs1.digital_link.empty()) {
    return ledger::Status::InvalidArgument(
        "id: the scan carries no GS1 key to trace (HIBC data is not "
        "indexed)");
  }
  return scan->gs1.digital_link;
}

ledger::Result<bool> BoolParam(const Request& request, std::string_view name) {
  auto v = request.Query(name);
  if (!v || *v == "false") return false;
  if (*v == "true") return true;
  return ledger::Status::InvalidArgument(std::string(name) +
                                         ": want true or false");
}

// The signed checkpoint of each held log and its size.
ledger::Status Checkpoints(const Held& held, std::vector<std::string>* notes,
                           std::vector<uint64_t>* sizes) {
  for (const ledger::Log* log : held.logs) {
    notes->push_back(log->SignedCheckpoint());
    auto note = ledger::SignedNote::Parse(notes->back());
    if (!note.ok()) return note.status().WithPrefix(log->origin());
    auto cp = ledger::Checkpoint::Parse(note->text);
    if (!cp.ok()) return cp.status().WithPrefix(log->origin());
    sizes->push_back(cp->size);
  }
  return ledger::Status::OK();
}

// Adds the signed checkpoints to coverage and an inclusion proof to each hop.
ledger::Status AddProofs(const Held& held,
                         const std::vector<std::string>& notes,
                         const std::vector<uint64_t>& sizes, json* chain) {
  for (size_t i = 0; i < held.logs.size(); ++i)
    (*chain)["coverage"][i]["checkpoint"] = notes[i];
  for (json& hop : (*chain)["hops"]) {
    for (size_t i = 0; i < held.logs.size(); ++i) {
      if (held.logs[i]->origin() != hop["origin"]) continue;
      const uint64_t index = hop["index"];
      auto proof = held.logs[i]->InclusionProof(index, sizes[i]);
      if (!proof.ok()) return proof.status();
      json hashes = json::array();
      for (const auto& h : *proof) hashes.push_back(ledger::ToBase64(h));
      hop["inclusionProof"] = {{"treeSize", sizes[i]},
                               {"leafIndex", index},
                               {"hashes", std::move(hashes)}};
    }
  }
  return ledger::Status::OK();
}

// Indexes of the participant entries a bundle needs from each log: the
// registrations of every participant of the registry (Log::Participants), so
// that the bundle's re-run trace names the same parties. They are found by
// reading the log from its start only until the last of them is seen
// (participants register before they sign), and the position is kept
// (process-wide), so a later request reads only past it, and only when the
// registry has a participant not found yet.
class ParticipantEntries {
 public:
  ledger::Result<std::vector<uint64_t>> Of(const ledger::Log& log) {
    std::lock_guard<std::mutex> lock(mu_);
    Known& known = by_log_[&log];
    if (known.origin != log.origin()) known = Known{log.origin(), 0, {}, {}};
    std::set<std::string> missing;
    for (const ledger::Participant& p : log.Participants()) {
      const std::string id = p.KeyId();
      if (!known.registered.count(id)) missing.insert(id);
    }
    if (!missing.empty()) {
      auto next = ledger::evidence::FindParticipantEntriesUntil(
          log, known.scanned, log.Size(), &missing, &known.indexes,
          &known.registered);
      if (!next.ok()) return next.status();
      known.scanned = *next;
    }
    return known.indexes;
  }

 private:
  struct Known {
    std::string origin;
    uint64_t scanned = 0;  // entries below this were read
    std::vector<uint64_t> indexes;
    std::set<std::string> registered;  // key ids whose registration is known
  };
  std::mutex mu_;  // guards by_log_
  std::unordered_map<const ledger::Log*, Known> by_log_;
};

ParticipantEntries& ParticipantCache() {
  static ParticipantEntries* cache = new ParticipantEntries();
  return *cache;
}

}  // namespace

AuditCounts RegulatorAuditCounts() {
  return {g_audit_recorded.load(), g_audit_failed.load()};
}

UDI_HANDLER(HandleQueryEventsAudited) {
  HandleQueryEvents(service, caller, request,
                    Audited(service, caller, request, std::move(reply)));
}

UDI_HANDLER(HandleTrace) {
  Reply out = Audited(service, caller, request, std::move(reply));
  auto proofs = BoolParam(request, "proofs");
  if (!proofs.ok()) return out(StatusResponse(proofs.status(), "proofs"));
  auto id = UnitId(request.path_params.at("id"));
  if (!id.ok()) return out(StatusResponse(id.status(), "id"));
  Held held = HeldOf(service);
  if (!*proofs) {
    auto chain = ledger::trace::Trace(held.logs, *id);
    if (!chain.ok()) return out(StatusResponse(chain.status(), "id"));
    return out(JsonResponse(200, chain->ToJson()));
  }
  std::vector<std::string> notes;
  std::vector<uint64_t> sizes;
  ledger::Status st = Checkpoints(held, &notes, &sizes);
  if (!st.ok()) return out(StatusResponse(st));
  auto chain = ledger::trace::TraceAtSizes(held.logs, sizes, *id);
  if (!chain.ok()) return out(StatusResponse(chain.status(), "id"));
  json j = chain->ToJson();
  st = AddProofs(held, notes, sizes, &j);
  if (!st.ok()) return out(StatusResponse(st));
  out(JsonResponse(200, j));
}

UDI_HANDLER(HandleTraceBundle) {
  Reply out = Audited(service, caller, request, std::move(reply));
  auto id = UnitId(request.path_params.at("id"));
  if (!id.ok()) return out(StatusResponse(id.status(), "id"));
  Held held = HeldOf(service);
  std::vector<ledger::evidence::LogInput> inputs;
  for (const ledger::Log* log : held.logs) {
    auto entries = ParticipantCache().Of(*log);
    if (!entries.ok()) return out(StatusResponse(entries.status()));
    inputs.push_back({log, std::move(entries).value(), {}});
  }
  auto bundle = ledger::evidence::BuildTraceBundle(inputs, *id);
  if (!bundle.ok()) return out(StatusResponse(bundle.status(), "id"));
  Response r;
  r.content_type = "application/json";
  r.body = std::move(bundle).value();
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"evidence-bundle.json\"");
  out(std::move(r));
}

UDI_HANDLER(HandleVerifyUnit) {
  Reply out = Audited(service, caller, request, std::move(reply));
  auto id = UnitId(request.path_params.at("id"));
  if (!id.ok()) return out(StatusResponse(id.status(), "id"));
  Held held = HeldOf(service);
  auto v = ledger::trace::VerifyUnit(held.logs, *id, request.Query("lot"),
                                     request.Query("expiry"), NowMillis());
  if (!v.ok()) {
    const std::string& m = v.status().message();
    return out(StatusResponse(v.status(), m.substr(0, m.find(':'))));
  }
  out(JsonResponse(200, v->ToJson()));
}

namespace {

// A recall event by its ni:///sha-256 id (or bare hex) in any held log.
ledger::Result<ledger::trace::RecallSpec> SpecOfRecallEvent(
    const Held& held, const std::string& id, std::string* event_id) {
  *event_id = id.rfind("ni:///", 0) == 0 ? id : "ni:///sha-256;" + id;
  for (const ledger::Log* log : held.logs) {
    std::optional<uint64_t> index = log->FindEvent(*event_id);
    if (!index) continue;
    auto entry = log->ReadEntry(*index);
    if (!entry.ok()) return entry.status();
    auto spec = ledger::trace::RecallSpecFromEvent(
        entry->json["envelope"]["event"], /*require_notice=*/false);
    if (!spec.ok()) return spec.status().WithPrefix("id: not a recall");
    return spec;
  }
  return ledger::Status::NotFound("id: no event " + *event_id +
                                  " in the held logs");
}

// Recall events by the recallNumber of their "udi:recall" notice, per held
// log. The candidates are the events in the log's disposition index under
// "recalled" (recall events and quarantines); each is read once per process:
// a request scans only what was appended since the previous one.
class RecallNumbers {
 public:
  struct Found {
    std::string event_id;
    std::string origin;
    uint64_t index = 0;
  };

  ledger::Result<std::vector<Found>> Find(const Held& held,
                                          const std::string& number) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Found> out;
    std::set<std::string> seen;  // the same event held in several logs
    for (const ledger::Log* log : held.logs) {
      Known& known = by_log_[log];
      if (known.origin != log->origin()) known = Known{log->origin(), 0, {}};
      ledger::Status st = CatchUp(*log, &known);
      if (!st.ok()) return st;
      auto [from, to] = known.by_number.equal_range(number);
      for (auto it = from; it != to; ++it) {
        if (seen.insert(it->second.event_id).second) out.push_back(it->second);
      }
    }
    return out;
  }

 private:
  struct Known {
    std::string origin;
    uint64_t scanned = 0;  // disposition-index entries below this were read
    std::multimap<std::string, Found> by_number;
  };

  static ledger::Status CatchUp(const ledger::Log& log, Known* known) {
    constexpr size_t kPage = 1024;
    while (true) {
      auto page = log.ScanIndex(ledger::IndexKind::kDisposition, "recalled",
                                known->scanned, kPage);
      if (!page.ok())
        return page.status().WithPrefix(log.origin() + ": disposition index");
      for (uint64_t index : *page) {
        auto entry = log.ReadEntry(index);
        if (!entry.ok()) return entry.status().WithPrefix(log.origin());
        known->scanned = index + 1;
        const json* event = nullptr;
        if (auto env = entry->json.find("envelope");
            env != entry->json.end() && env->is_object()) {
          if (auto e = env->find("event"); e != env->end()) event = &*e;
        }
        if (event == nullptr || !event->is_object()) continue;
        auto notice = event->find("udi:recall");
        if (notice == event->end() || !notice->is_object()) continue;
        auto number = notice->find("recallNumber");
        if (number == notice->end() || !number->is_string()) continue;
        auto event_id = ledger::CanonicalEventBytes(*event);
        if (!event_id.ok()) continue;
        known->by_number.emplace(number->get<std::string>(),
                                 Found{ledger::EventIdFromCanonical(*event_id),
                                       log.origin(), index});
      }
      if (page->size() < kPage) return ledger::Status::OK();
    }
  }

  std::mutex mu_;  // guards by_log_
  std::unordered_map<const ledger::Log*, Known> by_log_;
};

RecallNumbers& RecallNumberCache() {
  static RecallNumbers* cache = new RecallNumbers();
  return *cache;
}

bool IsHex64(const std::string& s) {
  return s.size() == 64 &&
         s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// GET /v1/recalls/{id}, tried in this order: a recall event id (ni:///... or
// bare hex), a GTIN+lot (LGTIN EPC class URI, Digital Link or key
// "01/<gtin>/10/<lot>"), else the recallNumber of a recall event's
// "udi:recall" notice. A recallNumber carried by more than one recall event
// (e.g. the manufacturer's and the regulator's recall of the same lot) is
// ambiguous: FailedPrecondition (409) naming every candidate event id, each of
// which addresses its own report; nothing is merged or picked silently.
ledger::Result<ledger::trace::RecallSpec> RecallSpecOf(const Held& held,
                                                       const std::string& id,
                                                       std::string* event_id) {
  if (id.rfind("ni:///", 0) == 0 || IsHex64(id))
    return SpecOfRecallEvent(held, id, event_id);
  auto key = ledger::gs1::ParseIdentifier(id.rfind("urn:", 0) == 0 ||
                                                  id.rfind("http", 0) == 0
                                              ? id
                                              : "https://id.gs1.org/" + id);
  if (key.ok() && key->kind == ledger::gs1::KeyKind::kLgtin) {
    ledger::trace::RecallSpec spec;
    spec.gtin = key->parts[0].second;
    spec.lots = {key->parts[1].second};
    return spec;
  }
  if (key.ok() || id.empty()) {
    return ledger::Status::InvalidArgument(
        "id: want a recall event id (ni:///sha-256;<hex>), a GTIN+lot "
        "(urn:epc:class:lgtin:..., a Digital Link with /01/.../10/..., or "
        "01/<gtin>/10/<lot>) or a recallNumber; a GS1 key of another kind is "
        "not a recall");
  }
  auto found = RecallNumberCache().Find(held, id);
  if (!found.ok()) return found.status();
  if (found->empty()) {
    return ledger::Status::NotFound(
        "id: '" + id +
        "' is neither a recall event id nor a GTIN+lot, and no recall event "
        "in the held logs has it as udi:recall.recallNumber");
  }
  if (found->size() > 1) {
    std::string ids;
    for (const auto& f : *found)
      ids += (ids.empty() ? "" : ", ") + f.event_id + " (" + f.origin +
             " entry " + std::to_string(f.index) + ")";
    return ledger::Status::FailedPrecondition(
        "id: recallNumber '" + id + "' is carried by " +
        std::to_string(found->size()) +
        " recall events; ask for one by its event id: " + ids);
  }
  return SpecOfRecallEvent(held, found->front().event_id, event_id);
}

// The event of `event_id` in the held logs, as the EPCIS query renders it
// (signature in "udi:signature"); nullopt if none holds it.
std::optional<json> EventById(const Held& held, const std::string& event_id) {
  for (const ledger::Log* log : held.logs) {
    std::optional<uint64_t> index = log->FindEvent(event_id);
    if (!index) continue;
    auto entry = log->ReadEntry(*index);
    if (!entry.ok()) return std::nullopt;
    const json& envelope = entry->json["envelope"];
    json event = envelope["event"];
    event["udi:eventId"] = event_id;
    event["udi:origin"] = log->origin();
    event["udi:index"] = *index;
    event["udi:signature"] = {{"signer", envelope["signer"]},
                              {"signature", envelope["signature"]}};
    return event;
  }
  return std::nullopt;
}

// The recall as an EPCIS 2.0 document: the recall events, then the last
// event of every affected unit (each once), as signed in the logs.
json RecallEpcisDocument(const Held& held,
                         const ledger::trace::RecallReport& report) {
  json events = json::array();
  std::set<std::string> seen;
  auto add = [&](const std::string& id) {
    if (id.empty() || !seen.insert(id).second) return;
    if (auto e = EventById(held, id)) events.push_back(std::move(*e));
  };
  for (const std::string& id : report.recall_events) add(id);
  for (const auto& u : report.units) add(u.last_event_id);
  return {{"@context", json::array({kEpcisContext, {{"udi", kUdiNamespace}}})},
          {"type", "EPCISDocument"},
          {"schemaVersion", "2.0"},
          {"creationDate", FormatRfc3339Millis(NowMillis())},
          {"epcisBody", {{"eventList", std::move(events)}}}};
}

}  // namespace

UDI_HANDLER(HandleGetRecall) {
  Reply out = Audited(service, caller, request, std::move(reply));
  const std::string format = request.Query("format").value_or("json");
  if (format != "json" && format != "csv" && format != "epcis") {
    return out(ErrorResponse(400, "format: want json, csv or epcis", "format"));
  }
  Held held = HeldOf(service);
  std::string event_id;
  auto spec = RecallSpecOf(held, request.path_params.at("id"), &event_id);
  if (!spec.ok()) return out(StatusResponse(spec.status(), "id"));
  auto report = ledger::trace::Recall(held.logs, *spec);
  if (!report.ok()) return out(StatusResponse(report.status(), "id"));
  if (format == "csv") {
    Response r;
    r.content_type = "text/csv; charset=utf-8; header=present";
    r.body = report->ToCsv();
    return out(std::move(r));
  }
  if (format == "epcis")
    return out(JsonResponse(200, RecallEpcisDocument(held, *report)));
  json j = report->ToJson();
  j["id"] = request.path_params.at("id");
  if (!event_id.empty()) j["recallEventId"] = event_id;
  out(JsonResponse(200, j));
}

namespace {

// Whether the signer may issue this recall: a registered regulator, or the
// manufacturer that commissioned every affected unit. Returns the HTTP error.
std::optional<Response> CheckIssuer(const Held& held, const ledger::Log& own,
                                    const std::string& signer,
                                    const ledger::trace::RecallSpec& spec) {
  std::optional<ledger::Participant> p = own.LookupSigner(signer);
  if (!p || p->revoked) {
    return ErrorResponse(
        403, "signer: " + signer + " is not a registered participant",
        "signer");
  }
  if (p->role == "regulator") return std::nullopt;
  if (p->role != "manufacturer") {
    return ErrorResponse(403,
                         "signer: role " + p->role +
                             " may not issue recalls (the GTIN's "
                             "manufacturer or a regulator may)",
                         "signer");
  }
  auto report = ledger::trace::Recall(held.logs, spec);
  if (!report.ok()) return StatusResponse(report.status(), "event");
  std::set<std::string> makers;
  for (const auto& u : report->units) makers.insert(u.manufacturer);
  if (makers.empty()) {
    return ErrorResponse(409,
                         "event: no unit of this recall is commissioned in "
                         "the held logs, so its manufacturer is unknown; a "
                         "regulator may issue it",
                         "event");
  }
  if (makers != std::set<std::string>{p->gln}) {
    return ErrorResponse(403,
                         "signer: " + p->gln +
                             " did not commission the recalled units "
                             "(commissioned by " +
                             *makers.begin() + ")",
                         "signer");
  }
  return std::nullopt;
}

json OutcomeJson(const ledger::AppendOutcome& o) {
  json j = {{"eventId", o.event_id}};
  switch (o.status) {
    case ledger::AppendStatus::kAccepted:
      j["status"] = "accepted";
      break;
    case ledger::AppendStatus::kDuplicate:
      j["status"] = "duplicate";
      break;
    case ledger::AppendStatus::kRejected:
      j["status"] = "rejected";
      j["error"] = o.error;
      return j;
  }
  j["index"] = o.index;
  j["report"] = "/v1/recalls/" + PercentEncode(o.event_id);
  return j;
}

}  // namespace

UDI_HANDLER(HandlePostRecall) {
  Reply out = Audited(service, caller, request, std::move(reply));
  auto body = ParseJsonBody(request);
  if (!body.ok()) return out(StatusResponse(body.status(), "body"));
  auto envelope = ledger::Envelope::FromJson(*body);
  if (!envelope.ok()) return out(StatusResponse(envelope.status(), "body"));
  auto spec = ledger::trace::RecallSpecFromEvent(envelope->event,
                                                 /*require_notice=*/true);
  if (!spec.ok()) {
    const std::string& m = spec.status().message();
    return out(StatusResponse(spec.status(), m.substr(0, m.find(':'))));
  }
  Held held = HeldOf(service);
  if (auto denied = CheckIssuer(held, service.log(), envelope->signer, *spec))
    return out(std::move(*denied));
  SubmitOptions options;
  if (caller.token.role == Role::kWriter)
    options.bound_signer = caller.token.participant;
  ledger::Status st = service.committer().Submit(
      {std::move(*body)}, options,
      [out](std::vector<ledger::AppendOutcome> outcomes) {
        const ledger::AppendOutcome& o = outcomes.at(0);
        const int status = o.status == ledger::AppendStatus::kAccepted    ? 201
                           : o.status == ledger::AppendStatus::kDuplicate ? 200
                                                                          : 400;
        Response r = JsonResponse(status, OutcomeJson(o));
        if (status == 400) r = ErrorResponse(400, o.error, "body");
        out(std::move(r));
      });
  if (!st.ok()) out(StatusResponse(st));
}

}  // namespace api
