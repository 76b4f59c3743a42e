// Bit arithmetic shared by proof generation and verification. Private to
// ledger/merkle.
#ifndef UDI_LEDGER_MERKLE_MERKLE_INTERNAL_H_
#define UDI_LEDGER_MERKLE_MERKLE_INTERNAL_H_

#include <bit>
#include <cstdint>

namespace ledger::merkle::internal {

// The shape of the audit path of node `index` among the nodes 0..`last` of one
// level (for a leaf: index < size, last = size - 1). Below the level where the
// paths to `index` and `last` diverge the path has `inner` siblings, one per
// level (the topmost of them may be a ragged right-edge node); above it only
// left siblings exist, one per set bit of index >> inner (`border`).
struct PathShape {
  int inner;
  int border;
  int length() const { return inner + border; }
};

inline PathShape ShapeOfPath(uint64_t index, uint64_t last) {
  const int inner = std::bit_width(index ^ last);
  const int border = inner >= 64 ? 0 : std::popcount(index >> inner);
  return {inner, border};
}

}  // namespace ledger::merkle::internal

#endif  // UDI_LEDGER_MERKLE_MERKLE_INTERNAL_H_
