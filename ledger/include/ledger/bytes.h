// Byte strings, hashes and their text encodings (hex, standard base64).
#ifndef UDI_LEDGER_BYTES_H_
#define UDI_LEDGER_BYTES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// libsodium's SHA-256 state (sodium.h), for the streaming functions below.
struct crypto_hash_sha256_state;

namespace ledger {

using Bytes = std::vector<uint8_t>;

// A SHA-256 digest.
using Hash = std::array<uint8_t, 32>;

// Views any contiguous bytes as a string_view without copying.
inline std::string_view AsStringView(const uint8_t* data, size_t n) {
  return {reinterpret_cast<const char*>(data), n};
}
template <typename C>
std::string_view AsStringView(const C& c) {
  return AsStringView(reinterpret_cast<const uint8_t*>(c.data()), c.size());
}

// Lower-case hex.
std::string ToHex(std::string_view bytes);
inline std::string ToHex(const Hash& h) { return ToHex(AsStringView(h)); }
// Accepts upper or lower case; nullopt on odd length or a non-hex character.
std::optional<std::string> FromHex(std::string_view hex);

// RFC 4648 standard base64 with padding (the encoding C2SP notes and our JSON
// use).
std::string ToBase64(std::string_view bytes);
inline std::string ToBase64(const Hash& h) { return ToBase64(AsStringView(h)); }
// The same encoding appended to *out, by table lookup: several times faster
// than ToBase64 (libsodium's constant-time encoder), and its timing depends on
// the bytes, so for public data only (log entries, hashes), never for keys.
void AppendBase64(std::string* out, std::string_view bytes);
// Strict: padding required, no whitespace; nullopt on anything else.
std::optional<std::string> FromBase64(std::string_view b64);
std::optional<Hash> HashFromBase64(std::string_view b64);
std::optional<Hash> HashFromHex(std::string_view hex);

// SHA-256. Thread-safe. Uses the CPU's SHA extensions when it has them
// (ledger/base/sha256.cc), else libsodium.
Hash Sha256(std::string_view data);
// SHA-256 of the concatenation of a one-byte prefix and `data`, without copying
// `data`.
Hash Sha256WithPrefix(uint8_t prefix, std::string_view data);
// SHA-256(prefix || a || b), the RFC 6962 interior node shape.
Hash Sha256WithPrefix(uint8_t prefix, const Hash& a, const Hash& b);

// Streaming SHA-256 on libsodium's state: the same results and the same state
// (chaining words, bit count, pending bytes) as
// crypto_hash_sha256_init/update/final, which they may be mixed with (a state
// saved after Sha256Update can be finished by libsodium and the other way
// round). Sha256Final wipes the state.
void Sha256Init(crypto_hash_sha256_state* state);
void Sha256Update(crypto_hash_sha256_state* state, std::string_view data);
Hash Sha256Final(crypto_hash_sha256_state* state);
// Whether the SHA-256 functions above run on the CPU's SHA extensions.
bool Sha256UsesCpuExtensions();

// Big-endian fixed-width integers, for storage keys that must sort numerically.
void PutBigEndian64(std::string* out, uint64_t v);
uint64_t GetBigEndian64(std::string_view in);  // requires in.size() >= 8

}  // namespace ledger

#endif  // UDI_LEDGER_BYTES_H_
