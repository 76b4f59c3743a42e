// Witness cosignatures of tlog checkpoints, C2SP tlog-cosignature v1, Ed25519
// (https://c2sp.org/tlog-cosignature):
//
//   signature line:  — <witness name> base64(key ID || u64be timestamp ||
//   sig64) key ID:          SHA-256(<name> || "\n" || 0x04 || public key)[:4]
//   signed message:  "cosignature/v1\n" "time <decimal seconds>\n" <note text>
//   verifier key:    <name>+<8 hex key ID>+base64(0x04 || public key)
//
// The witness signs with an ordinary Ed25519 SigningKey (its private key file
// is a standard signed-note key, as transparency-dev/formats
// NewSignerForCosignatureV1 takes); only the key ID and the message differ
// from a plain note signature, so a cosignature never verifies as a checkpoint
// signature and vice versa. Pure functions, thread-safe.
#ifndef UDI_LEDGER_COSIGNATURE_H_
#define UDI_LEDGER_COSIGNATURE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/keys.h"
#include "ledger/note.h"
#include "ledger/status.h"

namespace ledger {

constexpr uint8_t kAlgCosignatureV1 = 0x04;
// Timestamps above this are invalid (the spec's 2^63 - 1 bound).
constexpr uint64_t kMaxCosignatureTime = (uint64_t{1} << 63) - 1;

// Key ID of a cosignature/v1 key: SHA-256(name || "\n" || 0x04 || pub)[:4].
uint32_t CosignatureKeyHash(std::string_view name,
                            const std::array<uint8_t, 32>& public_key);
// The exact bytes a witness signs for `note_text` at `timestamp`.
std::string CosignatureMessage(std::string_view note_text, uint64_t timestamp);

// A witness's public key for cosignature/v1.
class CosignerKey {
 public:
  // Parses "<name>+<hash>+<base64(0x04||pub)>" (one trailing "\n" or "\r\n"
  // allowed). InvalidArgument naming the part that is wrong: the name, the
  // hash ("not 8 hex" / "does not match the key"), the algorithm byte ("want
  // 0x04 (cosignature/v1)"), or the key length.
  static Result<CosignerKey> Parse(std::string_view text);
  static CosignerKey FromPublicKey(std::string name,
                                   const std::array<uint8_t, 32>& public_key);
  // The cosigner key of a witness signing key.
  static CosignerKey Of(const SigningKey& witness);

  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  const std::array<uint8_t, 32>& public_key() const { return public_key_; }
  std::string ToText() const;

  // Checks one signature blob (without the 4-byte key ID: timestamp || sig,
  // 72 bytes) over `note_text`. Returns the timestamp.
  // InvalidArgument("cosignature by <name>: 72 bytes expected, got N") or
  // ("...: timestamp exceeds 2^63-1"); Corruption("cosignature by <name> does
  // not verify").
  Result<uint64_t> Verify(std::string_view note_text,
                          std::string_view blob) const;

 private:
  std::string name_;
  uint32_t key_hash_ = 0;
  std::array<uint8_t, 32> public_key_{};
};

// A cosignature by `witness` over `note_text` at `timestamp` (seconds since
// the epoch; requires timestamp <= kMaxCosignatureTime).
NoteSignature Cosign(std::string_view note_text, const SigningKey& witness,
                     uint64_t timestamp);
// Adds a cosignature by `witness` to `note`, replacing an earlier signature
// line with the same name and key ID (a newer cosignature supersedes the old).
void AddCosignature(SignedNote* note, const SigningKey& witness,
                    uint64_t timestamp);
// The timestamp of the valid cosignature by `key` on `note`.
// NotFound("no cosignature by <name>") when no line matches name and key ID;
// otherwise the errors of CosignerKey::Verify.
Result<uint64_t> VerifyCosignature(const SignedNote& note,
                                   const CosignerKey& key);

// A quorum check as a regulator would run it: how many distinct `witnesses`
// (by name and key ID) have a valid cosignature on `note`. Lines by unknown
// keys are ignored, as the spec requires; a line by a known key that does not
// verify is reported in `invalid` (it is never counted).
struct CosignatureCount {
  std::vector<std::string> valid;    // names of witnesses that cosigned
  std::vector<std::string> invalid;  // "<name>: <reason>"
};
CosignatureCount CountCosignatures(const SignedNote& note,
                                   const std::vector<CosignerKey>& witnesses);

}  // namespace ledger

#endif  // UDI_LEDGER_COSIGNATURE_H_
