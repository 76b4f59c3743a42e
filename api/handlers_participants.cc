// Handlers for the participant registry and bearer tokens. Registry changes run
// on the committer's writer thread, the only thread that appends to the log.
#include <set>

#include "api/handlers_internal.h"
#include "ledger/gs1.h"
#include "ledger/keys.h"

namespace api {

namespace {

constexpr std::string_view kRoles[] = {
    "manufacturer", "repackager", "relabeler", "wholesaler", "distributor",
    "3pl",          "dispenser",  "regulator", "auditor"};

std::string RoleList() {
  std::string out;
  for (auto r : kRoles) out += (out.empty() ? "" : "|") + std::string(r);
  return out;
}

// Rejects members outside `allowed`, naming the first.
std::optional<Response> CheckMembers(
    const nlohmann::json& body,
    std::initializer_list<std::string_view> allowed) {
  if (!body.is_object())
    return ErrorResponse(400, "body: want a JSON object", "body");
  for (const auto& [key, value] : body.items()) {
    bool ok = false;
    for (auto a : allowed) ok |= (a == key);
    if (!ok) return ErrorResponse(400, key + ": unknown member", key);
  }
  return std::nullopt;
}

std::optional<Response> RequireString(const nlohmann::json& body,
                                      const char* name, std::string* out) {
  if (!body.contains(name) || !body[name].is_string() ||
      body[name].get<std::string>().empty()) {
    return ErrorResponse(400, std::string(name) + ": required non-empty string",
                         name);
  }
  *out = body[name].get<std::string>();
  return std::nullopt;
}

nlohmann::json ParticipantJson(const ledger::Participant& p) {
  return {{"keyId", p.KeyId()},
          {"gln", p.gln},
          {"name", p.name},
          {"role", p.role},
          {"verifierKey", p.verifier_key},
          {"revoked", p.revoked}};
}

// Appends `p` on the writer thread and answers with `status` and the
// participant.
void AppendOnWriter(Service& service, std::vector<ledger::Participant> changes,
                    int status, Reply reply) {
  auto shared_reply = std::make_shared<Reply>(reply);
  ledger::Status st = service.committer().RunOnWriter(
      [&service, changes, status, shared_reply] {
        uint64_t index = 0;
        for (const auto& p : changes) {
          auto appended = service.log().AppendParticipant(p, NowMillis());
          if (!appended.ok())
            return (*shared_reply)(StatusResponse(appended.status()));
          index = *appended;
        }
        nlohmann::json out = ParticipantJson(changes.front());
        out["index"] = index;
        (*shared_reply)(JsonResponse(status, out));
      });
  if (!st.ok()) reply(StatusResponse(st));
}

}  // namespace

UDI_HANDLER(HandleListParticipants) {
  (void)caller;
  (void)request;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : service.log().Participants())
    list.push_back(ParticipantJson(p));
  reply(JsonResponse(200, {{"participants", std::move(list)}}));
}

UDI_HANDLER(HandleRegisterParticipant) {
  (void)caller;
  auto body = ParseJsonBody(request);
  if (!body.ok()) return reply(StatusResponse(body.status(), "body"));
  if (auto e = CheckMembers(*body, {"gln", "name", "role", "verifierKey"}))
    return reply(*e);
  ledger::Participant p;
  if (auto e = RequireString(*body, "gln", &p.gln)) return reply(*e);
  if (auto e = RequireString(*body, "name", &p.name)) return reply(*e);
  if (auto e = RequireString(*body, "role", &p.role)) return reply(*e);
  if (auto e = RequireString(*body, "verifierKey", &p.verifier_key))
    return reply(*e);
  if (p.gln.size() != 13 ||
      p.gln.find_first_not_of("0123456789") != std::string::npos) {
    return reply(ErrorResponse(400, "gln: want 13 digits", "gln"));
  }
  if (!ledger::gs1::HasValidCheckDigit(p.gln)) {
    return reply(
        ErrorResponse(400,
                      "gln: check digit " + p.gln.substr(12) + " should be " +
                          ledger::gs1::ComputeCheckDigit(p.gln.substr(0, 12)),
                      "gln"));
  }
  bool role_ok = false;
  for (auto r : kRoles) role_ok |= (r == p.role);
  if (!role_ok)
    return reply(ErrorResponse(400, "role: want one of " + RoleList(), "role"));
  auto key = ledger::VerifierKey::Parse(p.verifier_key);
  if (!key.ok())
    return reply(
        StatusResponse(key.status().WithPrefix("verifierKey"), "verifierKey"));
  if (service.log().LookupSigner(key->KeyId())) {
    return reply(ErrorResponse(
        409, "verifierKey: " + key->KeyId() + " is already registered",
        "verifierKey"));
  }
  AppendOnWriter(service, {p}, 201, std::move(reply));
}

UDI_HANDLER(HandleRevokeParticipant) {
  (void)caller;
  const std::string& key_id = request.path_params.at("keyId");
  auto p = service.log().LookupSigner(key_id);
  if (!p)
    return reply(
        ErrorResponse(404, "keyId: " + key_id + " is not registered", "keyId"));
  if (p->revoked)
    return reply(ErrorResponse(409, "keyId: " + key_id + " is already revoked",
                               "keyId"));
  p->revoked = true;
  AppendOnWriter(service, {*p}, 200, std::move(reply));
}

UDI_HANDLER(HandleRotateParticipant) {
  (void)caller;
  const std::string& key_id = request.path_params.at("keyId");
  auto body = ParseJsonBody(request);
  if (!body.ok()) return reply(StatusResponse(body.status(), "body"));
  if (auto e = CheckMembers(*body, {"verifierKey"})) return reply(*e);
  std::string text;
  if (auto e = RequireString(*body, "verifierKey", &text)) return reply(*e);
  auto key = ledger::VerifierKey::Parse(text);
  if (!key.ok())
    return reply(
        StatusResponse(key.status().WithPrefix("verifierKey"), "verifierKey"));
  auto old = service.log().LookupSigner(key_id);
  if (!old)
    return reply(
        ErrorResponse(404, "keyId: " + key_id + " is not registered", "keyId"));
  if (old->revoked)
    return reply(
        ErrorResponse(409, "keyId: " + key_id + " is revoked", "keyId"));
  if (service.log().LookupSigner(key->KeyId())) {
    return reply(ErrorResponse(
        409, "verifierKey: " + key->KeyId() + " is already registered",
        "verifierKey"));
  }
  ledger::Participant fresh = *old;
  fresh.verifier_key = text;
  fresh.revoked = false;
  old->revoked = true;
  AppendOnWriter(service, {fresh, *old}, 200, std::move(reply));
}

UDI_HANDLER(HandleListTokens) {
  (void)caller;
  (void)request;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : service.tokens().List()) {
    nlohmann::json j = {
        {"id", t.id}, {"role", RoleName(t.role)}, {"createdAt", t.created_at}};
    if (!t.participant.empty()) j["participant"] = t.participant;
    list.push_back(std::move(j));
  }
  reply(JsonResponse(200, {{"tokens", std::move(list)}}));
}

UDI_HANDLER(HandleCreateToken) {
  (void)caller;
  auto body = ParseJsonBody(request);
  if (!body.ok()) return reply(StatusResponse(body.status(), "body"));
  if (auto e = CheckMembers(*body, {"role", "participant"})) return reply(*e);
  std::string role_name, participant;
  if (auto e = RequireString(*body, "role", &role_name)) return reply(*e);
  auto role = ParseRole(role_name);
  if (!role)
    return reply(
        ErrorResponse(400, "role: want reader|writer|regulator|admin", "role"));
  if (body->contains("participant")) {
    if (auto e = RequireString(*body, "participant", &participant))
      return reply(*e);
    if (!service.log().LookupSigner(participant)) {
      return reply(ErrorResponse(
          400, "participant: " + participant + " is not registered",
          "participant"));
    }
  }
  auto created = service.tokens().Create(*role, participant);
  if (!created.ok())
    return reply(StatusResponse(created.status(), "participant"));
  nlohmann::json out = {{"id", created->first.id},
                        {"token", created->second},
                        {"role", RoleName(created->first.role)}};
  if (!participant.empty()) out["participant"] = participant;
  reply(JsonResponse(201, out));
}

UDI_HANDLER(HandleDeleteToken) {
  (void)caller;
  const std::string& id = request.path_params.at("tokenId");
  auto deleted = service.tokens().Delete(id);
  if (!deleted.ok()) return reply(StatusResponse(deleted.status()));
  if (!*deleted)
    return reply(ErrorResponse(404, "tokenId: no token " + id, "tokenId"));
  reply(JsonResponse(200, {{"deleted", id}}));
}

}  // namespace api
