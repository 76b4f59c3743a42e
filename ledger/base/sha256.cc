// SHA-256 (FIPS 180-4) on libsodium's crypto_hash_sha256_state, with the block
// function run by the x86 SHA extensions when the CPU has them (libsodium
// 1.0.18 only has portable C code for SHA-256, about 5x slower on this
// project's servers). Without them every call is libsodium's own.
#include <sodium.h>

#include <cstring>

#include "ledger/bytes.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define UDI_SHA256_X86 1
#endif

namespace ledger {
namespace {

#if UDI_SHA256_X86

// SHA extensions (CPUID.7.0:EBX bit 29) with SSSE3 and SSE4.1 (CPUID.1:ECX
// bits 9 and 19), which the block function also uses.
bool CpuHasShaExtensions() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  if (!(c & (1u << 9)) || !(c & (1u << 19))) return false;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, a, b, c, d);
  return (b & (1u << 29)) != 0;
}

const bool kShaExtensions = CpuHasShaExtensions();

alignas(16) constexpr uint32_t kK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// Runs the compression function over `blocks` 64-byte blocks. `state` holds
// H0..H7 as libsodium keeps them (host-order words).
__attribute__((target("sha,ssse3,sse4.1"))) void CompressShaNi(
    uint32_t state[8], const uint8_t* data, size_t blocks) {
  const __m128i kByteSwap =
      _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  // The instructions want the state as ABEF and CDGH.
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[0]));
  __m128i state1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[4]));
  tmp = _mm_shuffle_epi32(tmp, 0xB1);                // CDAB
  state1 = _mm_shuffle_epi32(state1, 0x1B);          // EFGH
  __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);  // ABEF
  state1 = _mm_blend_epi16(state1, tmp, 0xF0);       // CDGH
  for (; blocks > 0; --blocks, data += 64) {
    const __m128i abef = state0, cdgh = state1;
    __m128i w[4];  // the schedule's last 16 words, four per vector
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) {
      __m128i& wi = w[i & 3];
      if (i < 4) {
        wi = _mm_shuffle_epi8(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)),
            kByteSwap);
      } else {
        // W[t..t+3] from W[t-16..t-1] (FIPS 180-4 6.2.2 step 1).
        const __m128i& w1 = w[(i - 1) & 3];             // W[t-4..t-1]
        const __m128i& w2 = w[(i - 2) & 3];             // W[t-8..t-5]
        wi = _mm_sha256msg1_epu32(wi, w[(i - 3) & 3]);  // wi: W[t-16..t-13]
        wi = _mm_add_epi32(wi, _mm_alignr_epi8(w1, w2, 4));  // + W[t-7..t-4]
        wi = _mm_sha256msg2_epu32(wi, w1);
      }
      __m128i msg = _mm_add_epi32(
          wi, _mm_load_si128(reinterpret_cast<const __m128i*>(&kK[4 * i])));
      state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
      msg = _mm_shuffle_epi32(msg, 0x0E);
      state0 = _mm_sha256rnds2_epu32(state0, state1, msg);
    }
    state0 = _mm_add_epi32(state0, abef);
    state1 = _mm_add_epi32(state1, cdgh);
  }
  tmp = _mm_shuffle_epi32(state0, 0x1B);        // FEBA
  state1 = _mm_shuffle_epi32(state1, 0xB1);     // DCHG
  state0 = _mm_blend_epi16(tmp, state1, 0xF0);  // DCBA
  state1 = _mm_alignr_epi8(state1, tmp, 8);     // ABEF -> HGFE
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[0]), state0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[4]), state1);
}

#else

constexpr bool kShaExtensions = false;
void CompressShaNi(uint32_t*, const uint8_t*, size_t) {}

#endif

}  // namespace

bool Sha256UsesCpuExtensions() { return kShaExtensions; }

void Sha256Init(crypto_hash_sha256_state* st) { crypto_hash_sha256_init(st); }

void Sha256Update(crypto_hash_sha256_state* st, std::string_view data) {
  const auto* in = reinterpret_cast<const uint8_t*>(data.data());
  size_t len = data.size();
  if (!kShaExtensions) {
    crypto_hash_sha256_update(st, in, len);
    return;
  }
  if (len == 0) return;
  // As libsodium keeps it: `count` in bits, the partial block in buf[0..r).
  const size_t r = static_cast<size_t>((st->count >> 3) & 63);
  st->count += static_cast<uint64_t>(len) << 3;
  if (r > 0) {
    const size_t take = std::min(64 - r, len);
    std::memcpy(st->buf + r, in, take);
    if (r + take < 64) return;
    CompressShaNi(st->state, st->buf, 1);
    in += take;
    len -= take;
  }
  const size_t blocks = len / 64;
  if (blocks > 0) CompressShaNi(st->state, in, blocks);
  std::memcpy(st->buf, in + 64 * blocks, len % 64);
}

Hash Sha256Final(crypto_hash_sha256_state* st) {
  Hash out;
  if (!kShaExtensions) {
    crypto_hash_sha256_final(st, out.data());
    return out;
  }
  // FIPS 180-4 5.1.1: 0x80, zeros, then the length in bits (big-endian) at
  // the end of the last block.
  const size_t r = static_cast<size_t>((st->count >> 3) & 63);
  uint8_t pad[128] = {};
  std::memcpy(pad, st->buf, r);
  pad[r] = 0x80;
  const size_t total = r < 56 ? 64 : 128;
  for (int i = 0; i < 8; ++i)
    pad[total - 1 - i] = static_cast<uint8_t>(st->count >> (8 * i));
  CompressShaNi(st->state, pad, total / 64);
  for (int i = 0; i < 8; ++i) {
    out[4 * i] = static_cast<uint8_t>(st->state[i] >> 24);
    out[4 * i + 1] = static_cast<uint8_t>(st->state[i] >> 16);
    out[4 * i + 2] = static_cast<uint8_t>(st->state[i] >> 8);
    out[4 * i + 3] = static_cast<uint8_t>(st->state[i]);
  }
  sodium_memzero(st, sizeof *st);  // as crypto_hash_sha256_final does
  return out;
}

}  // namespace ledger
