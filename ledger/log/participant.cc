// Participant: the registry record and its JSON form
//   {"gln": "...", "name": "...", "revoked": false, "role": "...",
//   "verifierKey": "..."}.
#include "ledger/log.h"

namespace ledger {

std::string Participant::KeyId() const {
  auto key = VerifierKey::Parse(verifier_key);
  return key.ok() ? key->KeyId() : std::string();
}

nlohmann::json Participant::ToJson() const {
  return {{"gln", gln},
          {"name", name},
          {"revoked", revoked},
          {"role", role},
          {"verifierKey", verifier_key}};
}

Result<Participant> Participant::FromJson(const nlohmann::json& j) {
  if (!j.is_object())
    return Status::InvalidArgument("participant: not a JSON object");
  static constexpr const char* kMembers[] = {"gln", "name", "revoked", "role",
                                             "verifierKey"};
  for (const auto& [name, value] : j.items()) {
    bool known = false;
    for (const char* m : kMembers) known = known || name == m;
    if (!known)
      return Status::InvalidArgument("participant." + name +
                                     ": unknown member");
  }
  Participant p;
  std::string* strings[] = {&p.gln, &p.name, nullptr, &p.role, &p.verifier_key};
  for (int i = 0; i < 5; ++i) {
    const char* m = kMembers[i];
    if (!j.contains(m))
      return Status::InvalidArgument(std::string("participant.") + m +
                                     ": missing");
    const auto& v = j.at(m);
    if (strings[i] == nullptr) {
      if (!v.is_boolean()) {
        return Status::InvalidArgument(std::string("participant.") + m +
                                       ": not a boolean");
      }
      p.revoked = v.get<bool>();
    } else {
      if (!v.is_string()) {
        return Status::InvalidArgument(std::string("participant.") + m +
                                       ": not a string");
      }
      *strings[i] = v.get<std::string>();
    }
  }
  return p;
}

}  // namespace ledger
