// EventIdFilter: an in-memory Bloom filter over event ids, so that the single
// writer's duplicate check skips the LevelDB lookup for (almost) every new
// event. Internal to ledger/log; not persisted (LogImpl rebuilds it from the I
// keys after open, spec/log-format.md §5).
//
// MayContain(id) == false means `id` was never added; true means it may have
// been (about 1% false positives), and the caller must look the id up. Extra
// ids (e.g. of a batch whose write then failed) only cost lookups, never
// correctness. Not thread-safe: the owner serialises Add and MayContain.
#ifndef UDI_LEDGER_LOG_EVENT_FILTER_H_
#define UDI_LEDGER_LOG_EVENT_FILTER_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace ledger::logimpl {

class EventIdFilter {
 public:
  // `expected` sizes the first block of the filter; it grows as ids are added
  // (each new generation twice as large, so a lookup probes O(log n) of them).
  explicit EventIdFilter(uint64_t expected = 0);

  // 64-bit digests of an id: from its hex SHA-256 when it is an
  // "ni:///sha-256;<64 hex>" event id (already uniform), otherwise from a
  // string hash. Exposed for tests.
  struct Digest {
    uint64_t block = 0;
    uint64_t bits = 0;
  };
  static Digest DigestOf(std::string_view event_id);
  // The same digest from the id's 32 SHA-256 bytes (the I key of format 4):
  // DigestOfBytes(bytes) == DigestOf("ni:///sha-256;" + hex(bytes)).
  static Digest DigestOfBytes(std::string_view sha256_bytes);

  void Add(std::string_view event_id);
  bool MayContain(std::string_view event_id) const;
  // The same with the id's digest (DigestOf), so that a caller asking several
  // filters about one id, then adding it, computes it once.
  void Add(const Digest& digest);
  bool MayContain(const Digest& digest) const;
  uint64_t count() const { return count_; }
  // Bytes of filter memory (about 1.5 bytes per id).
  uint64_t memory_bytes() const;

 private:
  // A blocked Bloom filter: every id sets one bit in each of the 8 words of one
  // 64-byte block (one cache line per probe).
  struct Generation {
    std::vector<uint64_t> words;  // 8 per block
    uint64_t blocks = 0;
    uint64_t capacity = 0;  // ids it holds at ~12 bits per id
    uint64_t count = 0;
  };
  static void Set(Generation* g, const Digest& d);
  static bool Test(const Generation& g, const Digest& d);
  static Generation Make(uint64_t capacity);

  std::vector<Generation> gens_;  // the last one takes new ids
  uint64_t count_ = 0;
};

}  // namespace ledger::logimpl

#endif  // UDI_LEDGER_LOG_EVENT_FILTER_H_
