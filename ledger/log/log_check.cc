#include "ledger/log/log_check.h"

#include "ledger/envelope.h"
#include "ledger/jcs.h"
#include "ledger/merkle.h"

namespace ledger::logcheck {
namespace {

std::string Entry(uint64_t i) { return "entry " + std::to_string(i); }

Status Fail(uint64_t i, std::string_view reason) {
  return Status::Corruption(Entry(i) + ": " + std::string(reason));
}

Status CheckReceivedAt(uint64_t i, const std::string& text) {
  auto ms = epcis::ParseRfc3339Millis(text);
  if (!ms.ok() || logentry::FormatReceivedAt(*ms) != text) {
    return Fail(
        i, "receivedAt '" + text + "' is not RFC 3339 UTC with milliseconds");
  }
  return Status::OK();
}

Status CheckMembers(uint64_t i, const nlohmann::json& j,
                    std::string_view payload) {
  if (j.size() != 5) {
    return Fail(i, "has " + std::to_string(j.size()) + " members, want 5");
  }
  for (std::string_view m :
       {std::string_view("index"), std::string_view("prevHash"),
        std::string_view("receivedAt"), payload}) {
    if (!j.contains(m)) return Fail(i, std::string(m) + ": missing");
  }
  const auto& index = j["index"];
  if (!index.is_number_unsigned() || index.get<uint64_t>() != i) {
    return Fail(i, "index: " + index.dump() + " != " + std::to_string(i));
  }
  if (!j["prevHash"].is_string() || !j["receivedAt"].is_string()) {
    return Fail(i, "prevHash and receivedAt must be strings");
  }
  return Status::OK();
}

Status CheckEvent(uint64_t i, const nlohmann::json& j,
                  const logentry::Registry& registry, CheckedEntry* out) {
  auto env = Envelope::FromJson(j["envelope"]);
  if (!env.ok()) return Fail(i, "envelope." + env.status().message());
  Status signer = logentry::CheckSigner(registry, env->signer);
  if (!signer.ok()) return Fail(i, signer.message());
  auto key = VerifierKey::Parse(registry.at(env->signer).verifier_key);
  if (!key.ok()) return key.status().WithPrefix(Entry(i) + ": registered key");
  auto canonical = CanonicalEventBytes(env->event);
  if (!canonical.ok()) return Fail(i, "event: " + canonical.status().message());
  Status sig = VerifyEnvelopeCanonical(*env, *canonical, *key);
  if (!sig.ok()) return Fail(i, sig.message());
  auto facts = epcis::ValidateEvent(env->event);
  if (!facts.ok()) return Fail(i, "event: " + facts.status().message());
  out->event_id = EventIdFromCanonical(*canonical);
  out->signer = env->signer;
  out->facts = std::move(facts).value();
  return Status::OK();
}

Status CheckParticipant(uint64_t i, const nlohmann::json& j,
                        const logentry::Registry& registry, CheckedEntry* out) {
  auto p = Participant::FromJson(j["participant"]);
  if (!p.ok()) return Fail(i, p.status().message());
  Status change = logentry::CheckRegistryChange(registry, *p);
  if (!change.ok()) return Fail(i, change.message());
  out->participant = std::move(p).value();
  return Status::OK();
}

}  // namespace

Result<CheckedEntry> CheckEntry(uint64_t i, const Hash& prev_leaf,
                                std::string_view bytes,
                                logentry::Registry* registry) {
  auto j = ParseJsonStrict(bytes);
  if (!j.ok()) return j.status().WithPrefix(Entry(i) + ": not JSON");
  auto canonical = CanonicalizeJson(*j);
  if (!canonical.ok() || *canonical != bytes) {
    return Fail(i, "not in JCS canonical form");
  }
  if (!j->is_object() || !j->contains("type") || !(*j)["type"].is_string()) {
    return Fail(i, "type: missing or not a string");
  }
  const std::string type = (*j)["type"];
  CheckedEntry out;
  std::string_view payload;
  if (type == logentry::kTypeEvent) {
    out.type = EntryType::kEvent;
    payload = "envelope";
  } else if (type == logentry::kTypeParticipant) {
    out.type = EntryType::kParticipant;
    payload = "participant";
  } else if (type == logentry::kTypeQuery) {
    out.type = EntryType::kQuery;
    payload = "query";
  } else {
    return Fail(i, "type: unknown '" + type + "'");
  }
  LEDGER_RETURN_IF_ERROR(CheckMembers(i, *j, payload));
  const std::string want_prev =
      i == 0 ? logentry::ZeroHashHex() : ToHex(prev_leaf);
  const std::string& got_prev = (*j)["prevHash"].get_ref<const std::string&>();
  if (got_prev != want_prev) {
    return Fail(
        i, "prev hash mismatch (got " + got_prev + ", want " + want_prev + ")");
  }
  LEDGER_RETURN_IF_ERROR(
      CheckReceivedAt(i, (*j)["receivedAt"].get<std::string>()));
  switch (out.type) {
    case EntryType::kEvent:
      LEDGER_RETURN_IF_ERROR(CheckEvent(i, *j, *registry, &out));
      break;
    case EntryType::kParticipant:
      LEDGER_RETURN_IF_ERROR(CheckParticipant(i, *j, *registry, &out));
      (*registry)[out.participant->KeyId()] = *out.participant;
      break;
    case EntryType::kQuery:
      if (!(*j)["query"].is_object()) {
        return Fail(i, "query: must be an object, not " +
                           std::string((*j)["query"].type_name()));
      }
      break;
  }
  out.leaf = merkle::LeafHash(bytes);
  return out;
}

}  // namespace ledger::logcheck
