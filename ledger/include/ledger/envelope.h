// Signed event envelopes:
//   {"event": {...EPCIS 2.0 event...}, "signer": "<name>+<8 hex key hash>",
//    "signature": "<base64 Ed25519 signature over JCS(event)>"}
// and event ids: "ni:///sha-256;<hex SHA-256 of JCS(event)>" (RFC 6920 form,
// lower-case hex). Pure, thread-safe.
#ifndef UDI_LEDGER_ENVELOPE_H_
#define UDI_LEDGER_ENVELOPE_H_

#include <nlohmann/json.hpp>
#include <string>

#include "ledger/keys.h"
#include "ledger/status.h"

namespace ledger {

struct Envelope {
  nlohmann::json event;
  std::string signer;     // key id "<name>+<hash>"
  std::string signature;  // raw 64 bytes

  nlohmann::json ToJson() const;
  // Checks shape only: exactly the three members, event an object, signer a key
  // id, signature base64 of 64 bytes. Errors name the member ("signature: not
  // base64 of 64 bytes").
  static Result<Envelope> FromJson(const nlohmann::json& j);
  // Same checks and errors; on success the event and the signer are moved
  // out of `j` (no copy of the tree). On failure `j` is left unchanged.
  static Result<Envelope> FromJson(nlohmann::json&& j);
};

// JCS(event).
Result<std::string> CanonicalEventBytes(const nlohmann::json& event);
// "ni:///sha-256;<hex>" of the canonical bytes.
std::string EventIdFromCanonical(std::string_view canonical_event);

// Signs `event` (canonicalised) with `key`.
Result<Envelope> SignEvent(const nlohmann::json& event, const SigningKey& key);
// OK iff signer == key.KeyId() and the signature verifies over JCS(event); else
// Corruption naming why ("signature: does not verify for signer
// acme+1a2b3c4d").
Status VerifyEnvelope(const Envelope& env, const VerifierKey& key);
// Same, when the caller already has the canonical bytes.
Status VerifyEnvelopeCanonical(const Envelope& env,
                               std::string_view canonical_event,
                               const VerifierKey& key);

}  // namespace ledger

#endif  // UDI_LEDGER_ENVELOPE_H_
