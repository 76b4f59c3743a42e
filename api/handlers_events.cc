// Handlers that write events: POST /v1/events (signed envelopes) and the
// EPCIS 2.0 capture interface (POST /capture, GET /capture/{captureID}) whose
// events carry their signature in the "udi:signature" extension member.
#include <charconv>

#include "api/handlers_internal.h"
#include "ledger/bytes.h"
#include "ledger/epcis.h"

namespace api {

namespace {

constexpr const char* kSignatureMember = "udi:signature";
constexpr const char* kValidationException =
    "epcisException:ValidationException";

const char* OutcomeName(ledger::AppendStatus s) {
  switch (s) {
    case ledger::AppendStatus::kAccepted:
      return "accepted";
    case ledger::AppendStatus::kDuplicate:
      return "duplicate";
    case ledger::AppendStatus::kRejected:
      return "rejected";
  }
  return "rejected";
}

nlohmann::json ResultJson(const ledger::AppendOutcome& o) {
  nlohmann::json j = {{"status", OutcomeName(o.status)}};
  if (o.status != ledger::AppendStatus::kRejected) j["index"] = o.index;
  if (!o.event_id.empty()) j["eventId"] = o.event_id;
  if (!o.error.empty()) j["error"] = o.error;
  return j;
}

// {"results": [...]} with one ResultJson per outcome, written directly (a
// batch answers up to max_envelopes_per_request results): the same bytes as
// JsonResponse(200, {{"results", [ResultJson(o)...]}}).body.
std::string ResultsBody(const std::vector<ledger::AppendOutcome>& outcomes) {
  // An accepted result is about 130 bytes ({"eventId":"ni:///sha-256;<64
  // hex>","index":N,"status":"accepted"}): one allocation for the body.
  std::string out;
  out.reserve(16 + outcomes.size() * 160);
  out += "{\"results\":[";
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const auto& o = outcomes[i];
    if (i > 0) out += ',';
    if (!o.error.empty()) {
      // Errors are free text: let the JSON library escape them. Event ids
      // ("ni:///sha-256;<hex>") need no escaping.
      out += ResultJson(o).dump(-1, ' ', false,
                                nlohmann::json::error_handler_t::replace);
      continue;
    }
    out += '{';
    // Appended piece by piece (no temporary strings).
    if (!o.event_id.empty()) {
      out += "\"eventId\":\"";
      out += o.event_id;
      out += "\",";
    }
    if (o.status != ledger::AppendStatus::kRejected) {
      char digits[24];
      const auto [end, ec] =
          std::to_chars(digits, digits + sizeof digits, o.index);
      (void)ec;  // 24 bytes hold any uint64_t
      out += "\"index\":";
      out.append(digits, end);
      out += ',';
    }
    out += "\"status\":\"";
    out += OutcomeName(o.status);
    out += "\"}";
  }
  out += "]}\n";
  return out;
}

SubmitOptions OptionsFor(const Caller& caller) {
  SubmitOptions options;
  if (caller.token.role == Role::kWriter)
    options.bound_signer = caller.token.participant;
  return options;
}

// Turns one captured event into an envelope: the signature member is removed
// from the event.
ledger::Result<nlohmann::json> EnvelopeOfCapturedEvent(nlohmann::json event) {
  if (!event.is_object() || !event.contains(kSignatureMember)) {
    return ledger::Status::InvalidArgument(std::string(kSignatureMember) +
                                           ": required");
  }
  nlohmann::json sig = std::move(event[kSignatureMember]);
  event.erase(kSignatureMember);
  if (!sig.is_object() || sig.size() != 2 || !sig.contains("signer") ||
      !sig["signer"].is_string() || !sig.contains("signature") ||
      !sig["signature"].is_string()) {
    return ledger::Status::InvalidArgument(
        std::string(kSignatureMember) +
        ": want {\"signer\": \"<keyId>\", \"signature\": \"<base64>\"}");
  }
  return nlohmann::json{{"event", std::move(event)},
                        {"signer", sig["signer"]},
                        {"signature", sig["signature"]}};
}

nlohmann::json Problem(size_t index, std::string detail) {
  // Errors about the event name its members ("event.action: ..."); here the
  // event is the item.
  if (detail.rfind("event.", 0) == 0) detail.erase(0, 6);
  return {{"type", kValidationException},
          {"title", "Invalid event"},
          {"status", 400},
          {"detail",
           "epcisBody.eventList[" + std::to_string(index) + "]." + detail},
          {"udi:eventIndex", index}};
}

bool IsRolledBack(const ledger::AppendOutcome& o) {
  return o.error.rfind("rollback:", 0) == 0;
}

}  // namespace

UDI_HANDLER(HandleSubmitEvents) {
  auto body = ParseJsonBody(request);
  if (!body.ok()) return reply(StatusResponse(body.status(), "body"));
  std::vector<nlohmann::json> envelopes;
  if (body->is_object() && body->contains("envelopes")) {
    if (body->size() != 1) {
      return reply(ErrorResponse(400, "body: want only the member envelopes",
                                 "envelopes"));
    }
    auto& list = (*body)["envelopes"];
    if (!list.is_array() || list.empty()) {
      return reply(
          ErrorResponse(400, "envelopes: want a non-empty array", "envelopes"));
    }
    if (list.size() > service.options().max_envelopes_per_request) {
      return reply(ErrorResponse(
          413,
          "envelopes: " + std::to_string(list.size()) + " envelopes, at most " +
              std::to_string(service.options().max_envelopes_per_request) +
              " per request",
          "envelopes"));
    }
    envelopes.reserve(list.size());
    for (auto& e : list) envelopes.push_back(std::move(e));
  } else if (body->is_object()) {
    envelopes.push_back(std::move(*body));
  } else {
    return reply(ErrorResponse(
        400, "body: want an envelope or {\"envelopes\": [...]}", "body"));
  }
  auto shared_reply = std::make_shared<Reply>(reply);
  ledger::Status st = service.committer().Submit(
      std::move(envelopes), OptionsFor(caller),
      [shared_reply](std::vector<ledger::AppendOutcome> outcomes) {
        Response r;
        r.body = ResultsBody(outcomes);
        (*shared_reply)(std::move(r));
      });
  if (!st.ok()) reply(StatusResponse(st));
}

UDI_HANDLER(HandleCapture) {
  std::string behaviour = request.Header("gs1-capture-error-behaviour");
  if (behaviour.empty()) behaviour = "rollback";
  if (behaviour != "rollback" && behaviour != "proceed") {
    return reply(ErrorResponse(
        400, "GS1-Capture-Error-Behaviour: want rollback or proceed",
        "GS1-Capture-Error-Behaviour"));
  }
  auto body = ParseJsonBody(request);
  if (!body.ok()) return reply(StatusResponse(body.status(), "body"));
  auto events = ledger::epcis::EventsOfDocument(*body);
  if (!events.ok()) return reply(StatusResponse(events.status(), "epcisBody"));
  if (events->size() > service.options().max_envelopes_per_request) {
    return reply(ErrorResponse(
        413,
        "epcisBody.eventList: " + std::to_string(events->size()) +
            " events, at most " +
            std::to_string(service.options().max_envelopes_per_request),
        "epcisBody.eventList"));
  }
  nlohmann::json errors = nlohmann::json::array();
  std::vector<nlohmann::json> envelopes;
  std::vector<size_t> positions;
  for (size_t i = 0; i < events->size(); ++i) {
    auto envelope = EnvelopeOfCapturedEvent(std::move((*events)[i]));
    if (!envelope.ok()) {
      errors.push_back(Problem(i, envelope.status().message()));
      continue;
    }
    envelopes.push_back(std::move(*envelope));
    positions.push_back(i);
  }
  // The job is on disk before the client learns its id (it survives a
  // restart).
  auto job = service.NewCaptureJob(behaviour);
  if (!job.ok()) return reply(StatusResponse(job.status()));
  const std::string id = job->id;
  Response accepted = JsonResponse(202, job->ToJson());
  accepted.headers.emplace_back("Location", "/capture/" + id);
  bool rollback = behaviour == "rollback";
  if (envelopes.empty()) {
    bool success = errors.empty();  // before errors is moved from
    service.FinishCaptureJob(id, success, std::move(errors));
    return reply(std::move(accepted));
  }
  SubmitOptions options = OptionsFor(caller);
  options.rollback_on_error = rollback;
  options.verify_only =
      rollback && !errors.empty();  // still verify, to report every error
  Service* svc = &service;
  ledger::Status st = service.committer().Submit(
      std::move(envelopes), options,
      [svc, id, positions,
       errors](std::vector<ledger::AppendOutcome> outcomes) mutable {
        for (size_t k = 0; k < outcomes.size(); ++k) {
          if (outcomes[k].status != ledger::AppendStatus::kRejected) continue;
          if (IsRolledBack(outcomes[k])) continue;  // valid, only not committed
          errors.push_back(Problem(positions[k], outcomes[k].error));
        }
        bool success = errors.empty();  // before errors is moved from
        svc->FinishCaptureJob(id, success, std::move(errors));
      });
  if (!st.ok()) {
    nlohmann::json problem = {
        {"type", "epcisException:CaptureLimitExceededException"},
        {"title", st.message()},
        {"status", 503}};
    service.FinishCaptureJob(id, false, nlohmann::json::array({problem}));
    return reply(StatusResponse(st));
  }
  reply(std::move(accepted));
}

UDI_HANDLER(HandleCaptureJob) {
  (void)caller;
  const std::string& id = request.path_params.at("captureID");
  auto job = service.FindCaptureJob(id);
  if (!job)
    return reply(
        ErrorResponse(404, "captureID: no capture job " + id, "captureID"));
  reply(JsonResponse(200, job->ToJson()));
}

}  // namespace api
