#include "ledger/log/event_filter.h"

#include <algorithm>
#include <array>
#include <functional>
#include <string>

#include "ledger/bytes.h"

namespace ledger::logimpl {
namespace {

constexpr std::string_view kNiPrefix = "ni:///sha-256;";
constexpr uint64_t kMinCapacity = 1 << 16;
// 512-bit blocks at ~12 bits per id: ~42 ids per block; 8 probes in one block
// give about 1% false positives at that load.
constexpr uint64_t kIdsPerBlock = 42;

// Hex digit values (0..15), 0xff for any other byte.
constexpr std::array<uint8_t, 256> kHexValue = [] {
  std::array<uint8_t, 256> t{};
  t.fill(0xff);
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<uint8_t>(c - 'A' + 10);
  return t;
}();

// 16 lower-case or upper-case hex digits → 64 bits; false if any is not hex.
bool ParseHex64(std::string_view s, uint64_t* out) {
  uint64_t v = 0;
  uint8_t bad = 0;
  for (char c : s) {
    const uint8_t d = kHexValue[static_cast<unsigned char>(c)];
    bad |= d;  // only a non-hex byte sets bit 7
    v = (v << 4) | (d & 15);
  }
  if (bad & 0x80) return false;
  *out = v;
  return true;
}

// splitmix64 finaliser: spreads a string hash over all 64 bits.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

EventIdFilter::EventIdFilter(uint64_t expected) {
  gens_.push_back(Make(std::max(kMinCapacity, expected)));
}

EventIdFilter::Digest EventIdFilter::DigestOf(std::string_view id) {
  Digest d;
  if (id.size() == kNiPrefix.size() + 64 && id.starts_with(kNiPrefix) &&
      ParseHex64(id.substr(kNiPrefix.size(), 16), &d.block) &&
      ParseHex64(id.substr(kNiPrefix.size() + 16, 16), &d.bits)) {
    return d;
  }
  const uint64_t h = std::hash<std::string_view>{}(id);
  return Digest{Mix(h), Mix(h ^ 0x9e3779b97f4a7c15ULL)};
}

EventIdFilter::Digest EventIdFilter::DigestOfBytes(std::string_view bytes) {
  return Digest{GetBigEndian64(bytes.substr(0, 8)),
                GetBigEndian64(bytes.substr(8, 8))};
}

EventIdFilter::Generation EventIdFilter::Make(uint64_t capacity) {
  Generation g;
  g.blocks = (capacity + kIdsPerBlock - 1) / kIdsPerBlock;
  g.capacity = g.blocks * kIdsPerBlock;
  g.words.assign(g.blocks * 8, 0);
  return g;
}

void EventIdFilter::Set(Generation* g, const Digest& d) {
  const uint64_t block = static_cast<uint64_t>(
      (static_cast<unsigned __int128>(d.block) * g->blocks) >> 64);
  uint64_t* w = &g->words[block * 8];
  for (int i = 0; i < 8; ++i) w[i] |= uint64_t{1} << ((d.bits >> (6 * i)) & 63);
  ++g->count;
}

bool EventIdFilter::Test(const Generation& g, const Digest& d) {
  const uint64_t block = static_cast<uint64_t>(
      (static_cast<unsigned __int128>(d.block) * g.blocks) >> 64);
  const uint64_t* w = &g.words[block * 8];
  for (int i = 0; i < 8; ++i) {
    if ((w[i] & (uint64_t{1} << ((d.bits >> (6 * i)) & 63))) == 0) return false;
  }
  return true;
}

void EventIdFilter::Add(std::string_view event_id) { Add(DigestOf(event_id)); }

void EventIdFilter::Add(const Digest& d) {
  if (gens_.back().count >= gens_.back().capacity) {
    gens_.push_back(Make(2 * gens_.back().capacity));
  }
  Set(&gens_.back(), d);
  ++count_;
}

bool EventIdFilter::MayContain(std::string_view event_id) const {
  return MayContain(DigestOf(event_id));
}

bool EventIdFilter::MayContain(const Digest& d) const {
  for (auto it = gens_.rbegin(); it != gens_.rend(); ++it) {
    if (it->count > 0 && Test(*it, d)) return true;
  }
  return false;
}

uint64_t EventIdFilter::memory_bytes() const {
  uint64_t n = 0;
  for (const auto& g : gens_) n += g.words.size() * sizeof(uint64_t);
  return n;
}

}  // namespace ledger::logimpl
