#include "ledger/log/event_filter.h"

#include <algorithm>
#include <functional>
#include <string>

namespace ledger::logimpl {
namespace {

constexpr std::string_view kNiPrefix = "ni:///sha-256;";
constexpr uint64_t kMinCapacity = 1 << 16;
// 512-bit blocks at ~12 bits per id: ~42 ids per block; 8 probes in one block
// give about 1% false positives at that load.
constexpr uint64_t kIdsPerBlock = 42;

// 16 lower-case or upper-case hex digits → 64 bits; false if any is not hex.
bool ParseHex64(std::string_view s, uint64_t* out) {
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    v = (v << 4) | static_cast<uint64_t>(d);
  }
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

void EventIdFilter::Add(std::string_view event_id) {
  if (gens_.back().count >= gens_.back().capacity) {
    gens_.push_back(Make(2 * gens_.back().capacity));
  }
  Set(&gens_.back(), DigestOf(event_id));
  ++count_;
}

bool EventIdFilter::MayContain(std::string_view event_id) const {
  const Digest d = DigestOf(event_id);
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
