// Ed25519 keys in the C2SP signed-note text encoding (libsodium underneath).
#include "ledger/keys.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "ledger/bytes.h"
#include "ledger/jcs/jcs_internal.h"

namespace ledger {
namespace {

constexpr std::string_view kPrivatePrefix = "PRIVATE+KEY+";

// Unicode White_Space characters as Go's unicode.IsSpace sees them (what
// signed-note forbids).
bool IsUnicodeSpace(char32_t c) {
  switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

// Parses exactly 8 hex digits (either case, as Go's note package accepts).
bool ParseKeyHash(std::string_view hex, uint32_t* out) {
  if (hex.size() != 8) return false;
  auto raw = FromHex(hex);
  if (!raw) return false;
  uint32_t v = 0;
  for (unsigned char c : *raw) v = v << 8 | c;
  *out = v;
  return true;
}

std::string HashHex(uint32_t hash) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", hash);
  return buf;
}

// Splits "a+b" at the first '+'; false if there is none.
bool CutPlus(std::string_view* rest, std::string_view* head) {
  size_t plus = rest->find('+');
  if (plus == std::string_view::npos) return false;
  *head = rest->substr(0, plus);
  rest->remove_prefix(plus + 1);
  return true;
}

Status CheckName(std::string_view what, std::string_view name) {
  if (!IsValidKeyName(name)) {
    return Status::InvalidArgument(
        std::string(what) +
        ": key name must be non-empty UTF-8 without spaces or '+'");
  }
  return Status::OK();
}

// Decodes base64(0x01 || 32 bytes) into `key`; `what` names the part in errors.
Status DecodeKeyMaterial(std::string_view what, std::string_view b64,
                         std::array<uint8_t, 32>* key) {
  auto raw = FromBase64(b64);
  if (!raw)
    return Status::InvalidArgument(std::string(what) +
                                   ": key data is not base64");
  if (raw->empty() || static_cast<uint8_t>((*raw)[0]) != kAlgEd25519) {
    return Status::InvalidArgument(
        std::string(what) +
        ": key data must start with algorithm byte 0x01 (Ed25519)");
  }
  if (raw->size() != 33) {
    return Status::InvalidArgument(std::string(what) +
                                   ": Ed25519 key must be 32 bytes, got " +
                                   std::to_string(raw->size() - 1));
  }
  std::copy(raw->begin() + 1, raw->end(), key->begin());
  return Status::OK();
}

// Key files end in one "\n" (or "\r\n"); nothing else is trimmed.
std::string_view WithoutLineEnd(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

std::string KeyData(const std::array<uint8_t, 32>& key) {
  std::string raw(1, static_cast<char>(kAlgEd25519));
  raw.append(AsStringView(key));
  return ToBase64(raw);
}

}  // namespace

uint32_t KeyHash(std::string_view name,
                 const std::array<uint8_t, 32>& public_key) {
  std::string input(name);
  input.push_back('\n');
  input.push_back(static_cast<char>(kAlgEd25519));
  input.append(AsStringView(public_key));
  Hash h = Sha256(input);
  return uint32_t{h[0]} << 24 | uint32_t{h[1]} << 16 | uint32_t{h[2]} << 8 |
         h[3];
}

bool IsValidKeyName(std::string_view name) {
  if (name.empty() || name.find('+') != std::string_view::npos) return false;
  if (jcs_internal::FindInvalidUtf8(name) != std::string_view::npos)
    return false;
  // Control characters cannot appear in a signed note, so a name holding one
  // could never sign.
  auto code_points = jcs_internal::DecodeUtf8(name);
  return std::none_of(code_points.begin(), code_points.end(),
                      [](char32_t c) { return c < 0x20 || IsUnicodeSpace(c); });
}

// ---- VerifierKey ----

Result<VerifierKey> VerifierKey::Parse(std::string_view text) {
  text = WithoutLineEnd(text);
  std::string_view rest = text, name, hash_hex;
  if (!CutPlus(&rest, &name) || !CutPlus(&rest, &hash_hex)) {
    return Status::InvalidArgument(
        "verifier key: want <name>+<8 hex key hash>+<base64 key>");
  }
  LEDGER_RETURN_IF_ERROR(CheckName("verifier key", name));
  uint32_t hash = 0;
  if (!ParseKeyHash(hash_hex, &hash)) {
    return Status::InvalidArgument("verifier key: key hash '" +
                                   std::string(hash_hex) +
                                   "' is not 8 hex digits");
  }
  std::array<uint8_t, 32> public_key{};
  LEDGER_RETURN_IF_ERROR(DecodeKeyMaterial("verifier key", rest, &public_key));
  VerifierKey key = FromPublicKey(std::string(name), public_key);
  if (key.key_hash() != hash) {
    return Status::InvalidArgument("verifier key: key hash " + HashHex(hash) +
                                   " does not match the name and key (want " +
                                   HashHex(key.key_hash()) + ")");
  }
  return key;
}

VerifierKey VerifierKey::FromPublicKey(
    std::string name, const std::array<uint8_t, 32>& public_key) {
  VerifierKey key;
  key.key_hash_ = KeyHash(name, public_key);
  key.name_ = std::move(name);
  key.public_key_ = public_key;
  return key;
}

std::string VerifierKey::KeyId() const {
  return name_ + "+" + HashHex(key_hash_);
}

std::string VerifierKey::ToText() const {
  return KeyId() + "+" + KeyData(public_key_);
}

bool VerifierKey::Verify(std::string_view message,
                         std::string_view signature) const {
  if (signature.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(signature.data()),
             reinterpret_cast<const unsigned char*>(message.data()),
             message.size(), public_key_.data()) == 0;
}

// ---- SigningKey ----

Result<SigningKey> SigningKey::Generate(std::string name) {
  LEDGER_RETURN_IF_ERROR(CheckName("signing key", name));
  if (sodium_init() < 0)
    return Status::Internal("libsodium failed to initialise");
  std::array<uint8_t, 32> seed{};
  randombytes_buf(seed.data(), seed.size());
  SigningKey key = FromSeed(std::move(name), seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

SigningKey SigningKey::FromSeed(std::string name,
                                const std::array<uint8_t, 32>& seed) {
  SigningKey key;
  key.seed_ = seed;
  std::array<uint8_t, 32> public_key{};
  crypto_sign_seed_keypair(public_key.data(), key.secret_.data(), seed.data());
  key.verifier_ = VerifierKey::FromPublicKey(std::move(name), public_key);
  return key;
}

Result<SigningKey> SigningKey::Parse(std::string_view text) {
  text = WithoutLineEnd(text);
  if (text.substr(0, kPrivatePrefix.size()) != kPrivatePrefix) {
    return Status::InvalidArgument("private key: must start with PRIVATE+KEY+");
  }
  std::string_view rest = text.substr(kPrivatePrefix.size()), name, hash_hex;
  if (!CutPlus(&rest, &name) || !CutPlus(&rest, &hash_hex)) {
    return Status::InvalidArgument(
        "private key: want PRIVATE+KEY+<name>+<8 hex key hash>+<base64 key>");
  }
  LEDGER_RETURN_IF_ERROR(CheckName("private key", name));
  uint32_t hash = 0;
  if (!ParseKeyHash(hash_hex, &hash)) {
    return Status::InvalidArgument("private key: key hash is not 8 hex digits");
  }
  std::array<uint8_t, 32> seed{};
  LEDGER_RETURN_IF_ERROR(DecodeKeyMaterial("private key", rest, &seed));
  SigningKey key = FromSeed(std::string(name), seed);
  sodium_memzero(seed.data(), seed.size());
  if (key.verifier().key_hash() != hash) {
    return Status::InvalidArgument("private key: key hash " + HashHex(hash) +
                                   " does not match the name and key (want " +
                                   HashHex(key.verifier().key_hash()) + ")");
  }
  return key;
}

std::string SigningKey::ToText() const {
  return std::string(kPrivatePrefix) + KeyId() + "+" + KeyData(seed_);
}

std::string SigningKey::Sign(std::string_view message) const {
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_.data());
  return sig;
}

}  // namespace ledger
