// Ed25519 keys in the C2SP signed-note encoding (https://c2sp.org/signed-note),
// so that standard tools (Go's golang.org/x/mod/sumdb/note, litetlog, ...) read
// our key files as they are.
//
//   private key text:  PRIVATE+KEY+<name>+<hash>+<base64(0x01 || 32-byte seed)>
//   verifier key text: <name>+<hash>+<base64(0x01 || 32-byte public key)>
//   hash = first 4 bytes, big-endian, of SHA-256(name || "\n" || 0x01 || public
//   key), as 8 hex. key id ("signer" in envelopes): <name>+<hash>
//
// Key names follow the signed-note rules: non-empty UTF-8, no Unicode spaces,
// no '+'; we also refuse ASCII control characters (a note cannot carry them, so
// such a key could never sign). All methods are thread-safe (the objects are
// immutable after construction).
#ifndef UDI_LEDGER_KEYS_H_
#define UDI_LEDGER_KEYS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace ledger {

constexpr uint8_t kAlgEd25519 = 0x01;

class VerifierKey {
 public:
  // Parses "<name>+<hash>+<base64(0x01||pub)>" (one trailing "\n" or "\r\n"
  // allowed, as in a key file); checks the algorithm byte, the key length and
  // that the hash matches the name and key. Errors (InvalidArgument) name the
  // part that is wrong.
  static Result<VerifierKey> Parse(std::string_view text);
  static VerifierKey FromPublicKey(std::string name,
                                   const std::array<uint8_t, 32>& public_key);

  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  const std::array<uint8_t, 32>& public_key() const { return public_key_; }
  std::string KeyId() const;   // "<name>+<8 hex>"
  std::string ToText() const;  // the verifier key text above

  // True iff `signature` (64 bytes) is a valid Ed25519 signature of `message`
  // under this key.
  bool Verify(std::string_view message, std::string_view signature) const;

 private:
  std::string name_;
  uint32_t key_hash_ = 0;
  std::array<uint8_t, 32> public_key_{};
};

class SigningKey {
 public:
  // A fresh key from the OS CSPRNG.
  static Result<SigningKey> Generate(std::string name);
  // Parses the private key text (trailing newline allowed).
  static Result<SigningKey> Parse(std::string_view text);
  static SigningKey FromSeed(std::string name,
                             const std::array<uint8_t, 32>& seed);

  const VerifierKey& verifier() const { return verifier_; }
  const std::string& name() const { return verifier_.name(); }
  std::string KeyId() const { return verifier_.KeyId(); }
  std::string ToText()
      const;  // the private key text above (no trailing newline)

  // The 64-byte Ed25519 signature of `message`.
  std::string Sign(std::string_view message) const;

 private:
  std::array<uint8_t, 32> seed_{};
  std::array<uint8_t, 64>
      secret_{};  // libsodium's expanded form (seed || public key)
  VerifierKey verifier_;
};

// Key hash as defined above.
uint32_t KeyHash(std::string_view name,
                 const std::array<uint8_t, 32>& public_key);
// True iff `name` is a valid signed-note key name.
bool IsValidKeyName(std::string_view name);

// Writes the private key text and a newline to `path`, created atomically with
// O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600 (whatever the umask), then fsyncs it.
// Fails with AlreadyExists if anything (even a dangling symlink) is at `path`;
// IOError otherwise.
Status WritePrivateKeyFile(const std::string& path, const SigningKey& key);
// Reads a private key file; warns nothing, fails with a message naming the
// path.
Result<SigningKey> ReadPrivateKeyFile(const std::string& path);

}  // namespace ledger

#endif  // UDI_LEDGER_KEYS_H_
