#include "ledger/bytes.h"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdlib>

namespace ledger {
namespace {

// libsodium must be initialised once before use; sodium_init is idempotent and
// thread-safe.
struct SodiumInit {
  SodiumInit() {
    if (sodium_init() < 0) std::abort();
  }
};
const SodiumInit kSodiumInit;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

std::string ToBase64(std::string_view bytes) {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // drop the NUL terminator
  return out;
}

void AppendBase64(std::string* out, std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const size_t at = out->size();
  out->resize(at + (bytes.size() + 2) / 3 * 4);
  char* o = out->data() + at;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  for (; n >= 3; n -= 3, p += 3, o += 4) {
    const uint32_t v = uint32_t{p[0]} << 16 | uint32_t{p[1]} << 8 | p[2];
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = kAlphabet[(v >> 6) & 63];
    o[3] = kAlphabet[v & 63];
  }
  if (n > 0) {  // 1 or 2 bytes left: "xy==" or "xyz="
    const uint32_t v =
        uint32_t{p[0]} << 16 | (n == 2 ? uint32_t{p[1]} << 8 : 0);
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = n == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    o[3] = '=';
  }
}

// Value of each base64 character (RFC 4648 section 4 alphabet), -1 for
// anything else (including '=').
constexpr std::array<int8_t, 256> kBase64Value = [] {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  const char* alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i)
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}();

std::optional<std::string> FromBase64(std::string_view b64) {
  // One table pass, no re-encoding: padding required, no whitespace, and the
  // unused bits of the last character must be zero (each value has one text
  // form).
  if (b64.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  if (!b64.empty() && b64.back() == '=')
    pad = b64[b64.size() - 2] == '=' ? 2 : 1;
  std::string out(b64.size() / 4 * 3 - pad, '\0');
  const auto* p = reinterpret_cast<const unsigned char*>(b64.data());
  char* o = out.data();
  const size_t full = b64.size() / 4 - (pad > 0 ? 1 : 0);
  for (size_t i = 0; i < full; ++i, p += 4, o += 3) {
    const int a = kBase64Value[p[0]], b = kBase64Value[p[1]],
              c = kBase64Value[p[2]], d = kBase64Value[p[3]];
    if ((a | b | c | d) < 0) return std::nullopt;
    const uint32_t v = static_cast<uint32_t>(a) << 18 |
                       static_cast<uint32_t>(b) << 12 |
                       static_cast<uint32_t>(c) << 6 | static_cast<uint32_t>(d);
    o[0] = static_cast<char>(v >> 16);
    o[1] = static_cast<char>(v >> 8);
    o[2] = static_cast<char>(v);
  }
  if (pad == 1) {  // xyz=: two bytes; the low 2 bits of z unused
    const int a = kBase64Value[p[0]], b = kBase64Value[p[1]],
              c = kBase64Value[p[2]];
    if ((a | b | c) < 0 || (c & 3) != 0) return std::nullopt;
    const uint32_t v = static_cast<uint32_t>(a) << 18 |
                       static_cast<uint32_t>(b) << 12 |
                       static_cast<uint32_t>(c) << 6;
    o[0] = static_cast<char>(v >> 16);
    o[1] = static_cast<char>(v >> 8);
  } else if (pad == 2) {  // xy==: one byte; the low 4 bits of y unused
    const int a = kBase64Value[p[0]], b = kBase64Value[p[1]];
    if ((a | b) < 0 || (b & 15) != 0) return std::nullopt;
    o[0] = static_cast<char>(a << 2 | b >> 4);
  }
  return out;
}

std::optional<Hash> HashFromBase64(std::string_view b64) {
  auto raw = FromBase64(b64);
  if (!raw || raw->size() != 32) return std::nullopt;
  Hash h;
  std::copy(raw->begin(), raw->end(), h.begin());
  return h;
}

std::optional<Hash> HashFromHex(std::string_view hex) {
  auto raw = FromHex(hex);
  if (!raw || raw->size() != 32) return std::nullopt;
  Hash h;
  std::copy(raw->begin(), raw->end(), h.begin());
  return h;
}

Hash Sha256(std::string_view data) {
  crypto_hash_sha256_state st;
  Sha256Init(&st);
  Sha256Update(&st, data);
  return Sha256Final(&st);
}

Hash Sha256WithPrefix(uint8_t prefix, std::string_view data) {
  crypto_hash_sha256_state st;
  Sha256Init(&st);
  const char p = static_cast<char>(prefix);
  Sha256Update(&st, std::string_view(&p, 1));
  Sha256Update(&st, data);
  return Sha256Final(&st);
}

Hash Sha256WithPrefix(uint8_t prefix, const Hash& a, const Hash& b) {
  char buf[65];
  buf[0] = static_cast<char>(prefix);
  std::copy(a.begin(), a.end(), buf + 1);
  std::copy(b.begin(), b.end(), buf + 33);
  return Sha256(std::string_view(buf, sizeof(buf)));
}

void PutBigEndian64(std::string* out, uint64_t v) {
  // One append of the 8 bytes (the writer makes several keys per event).
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(v >> (56 - 8 * i));
  out->append(bytes, sizeof bytes);
}

uint64_t GetBigEndian64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | static_cast<unsigned char>(in[i]);
  return v;
}

}  // namespace ledger
