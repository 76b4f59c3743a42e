// Signed event envelopes and RFC 6920 event ids.
#include "ledger/envelope.h"

#include "ledger/bytes.h"
#include "ledger/jcs.h"

namespace ledger {
namespace {

constexpr size_t kSignatureSize = 64;

// "<name>+<8 lower-case hex>", as VerifierKey::KeyId() writes it.
bool IsKeyId(std::string_view id) {
  size_t plus = id.rfind('+');
  if (plus == std::string_view::npos || !IsValidKeyName(id.substr(0, plus)))
    return false;
  std::string_view hash = id.substr(plus + 1);
  return hash.size() == 8 &&
         hash.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// id == key.KeyId() ("<name>+<8 lower-case hex of the key hash>"), without
// formatting the key id (checked once per event verified).
bool IsKeyIdOf(std::string_view id, const VerifierKey& key) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string& name = key.name();
  if (id.size() != name.size() + 9 || !id.starts_with(name) ||
      id[name.size()] != '+') {
    return false;
  }
  const uint32_t hash = key.key_hash();
  for (size_t i = 0; i < 8; ++i) {
    if (id[name.size() + 1 + i] != kHex[(hash >> (28 - 4 * i)) & 15]) {
      return false;
    }
  }
  return true;
}

}  // namespace

nlohmann::json Envelope::ToJson() const {
  return {
      {"event", event}, {"signer", signer}, {"signature", ToBase64(signature)}};
}

namespace {

// The shape checks of Envelope::FromJson: fills everything but env->event
// and env->signer (the caller copies or moves it out of j["signer"]).
Status CheckEnvelopeShape(const nlohmann::json& j, Envelope* env) {
  if (!j.is_object())
    return Status::InvalidArgument("envelope: must be a JSON object");
  for (const auto& [name, value] : j.items()) {
    if (name != "event" && name != "signer" && name != "signature") {
      return Status::InvalidArgument(name + ": unexpected member in envelope");
    }
  }
  auto event = j.find("event");
  if (event == j.end()) return Status::InvalidArgument("event: missing");
  if (!event->is_object())
    return Status::InvalidArgument("event: must be a JSON object");
  auto signer = j.find("signer");
  if (signer == j.end()) return Status::InvalidArgument("signer: missing");
  if (!signer->is_string() || !IsKeyId(signer->get_ref<const std::string&>())) {
    return Status::InvalidArgument(
        "signer: not a key id <name>+<8 lower-case hex>");
  }
  auto signature = j.find("signature");
  if (signature == j.end())
    return Status::InvalidArgument("signature: missing");
  std::optional<std::string> raw;
  if (signature->is_string())
    raw = FromBase64(signature->get_ref<const std::string&>());
  if (!raw || raw->size() != kSignatureSize) {
    return Status::InvalidArgument("signature: not base64 of 64 bytes");
  }
  env->signature = std::move(*raw);
  return Status::OK();
}

}  // namespace

Result<Envelope> Envelope::FromJson(const nlohmann::json& j) {
  Envelope env;
  LEDGER_RETURN_IF_ERROR(CheckEnvelopeShape(j, &env));
  env.signer = j.find("signer")->get_ref<const std::string&>();
  env.event = *j.find("event");
  return env;
}

Result<Envelope> Envelope::FromJson(nlohmann::json&& j) {
  Envelope env;
  LEDGER_RETURN_IF_ERROR(CheckEnvelopeShape(j, &env));
  env.signer = std::move(j.find("signer")->get_ref<std::string&>());
  env.event = std::move(*j.find("event"));
  return env;
}

Result<std::string> CanonicalEventBytes(const nlohmann::json& event) {
  auto canonical = CanonicalizeJson(event);
  if (!canonical.ok()) return canonical.status().WithPrefix("event");
  return canonical;
}

std::string EventIdFromCanonical(std::string_view canonical_event) {
  static constexpr std::string_view kNiPrefix = "ni:///sha-256;";
  static constexpr char kHex[] = "0123456789abcdef";
  const Hash digest = Sha256(canonical_event);
  // Written in place: one allocation per event id.
  std::string id(kNiPrefix.size() + 2 * digest.size(), '\0');
  kNiPrefix.copy(id.data(), kNiPrefix.size());
  char* hex = id.data() + kNiPrefix.size();
  for (uint8_t b : digest) {
    *hex++ = kHex[b >> 4];
    *hex++ = kHex[b & 15];
  }
  return id;
}

Result<Envelope> SignEvent(const nlohmann::json& event, const SigningKey& key) {
  if (!event.is_object())
    return Status::InvalidArgument("event: must be a JSON object");
  auto canonical = CanonicalEventBytes(event);
  if (!canonical.ok()) return canonical.status();
  Envelope env;
  env.event = event;
  env.signer = key.KeyId();
  env.signature = key.Sign(*canonical);
  return env;
}

Status VerifyEnvelope(const Envelope& env, const VerifierKey& key) {
  auto canonical = CanonicalEventBytes(env.event);
  if (!canonical.ok()) return Status::Corruption(canonical.status().message());
  return VerifyEnvelopeCanonical(env, *canonical, key);
}

Status VerifyEnvelopeCanonical(const Envelope& env,
                               std::string_view canonical_event,
                               const VerifierKey& key) {
  if (!IsKeyIdOf(env.signer, key)) {
    return Status::Corruption("signer: envelope names " + env.signer +
                              ", key is " + key.KeyId());
  }
  if (!key.Verify(canonical_event, env.signature)) {
    return Status::Corruption("signature: does not verify for signer " +
                              env.signer);
  }
  return Status::OK();
}

}  // namespace ledger
