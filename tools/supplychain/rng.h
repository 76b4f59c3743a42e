// A small deterministic pseudo-random generator (xoshiro256**, seeded through
// splitmix64) with our own range functions, so that a seed gives byte-identical
// output on every platform and standard library (std:: distributions are
// implementation-defined). Not thread-safe.
#ifndef UDI_TOOLS_SUPPLYCHAIN_RNG_H_
#define UDI_TOOLS_SUPPLYCHAIN_RNG_H_

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace supplychain {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& s : state_) s = SplitMix64(seed);
  }

  // A generator for a named sub-stream, so that adding draws to one part of the
  // simulation does not shift the draws of another.
  Rng Fork(std::string_view label) {
    uint64_t h = Next();
    for (unsigned char c : label) h = (h ^ c) * 0x100000001b3ULL;
    return Rng(h);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n). Requires n > 0. Lemire's multiply-shift with rejection
  // (unbiased).
  uint64_t Below(uint64_t n) {
    for (;;) {
      const unsigned __int128 m = static_cast<unsigned __int128>(Next()) * n;
      const uint64_t low = static_cast<uint64_t>(m);
      if (low >= n || low >= (-n) % n) return static_cast<uint64_t>(m >> 64);
    }
  }

  // Uniform in [lo, hi]. Requires lo <= hi.
  int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // True with probability p (p <= 0 never, p >= 1 always).
  bool Chance(double p) {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p;
  }

  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[Below(i)]);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t SplitMix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t state_[4];
};

}  // namespace supplychain

#endif  // UDI_TOOLS_SUPPLYCHAIN_RNG_H_
