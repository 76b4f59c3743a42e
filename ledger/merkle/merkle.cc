// Hashing and proof generation over stored perfect subtrees (RFC 9162 §2.1.1,
// §2.1.3.1, §2.1.4.1). Every hash a proof needs is MTH of a node [k * 2^l,
// min((k + 1) * 2^l, size)) of the tree; perfect ones are read directly, the
// one ragged right-edge node is folded from the perfect subtrees that compose
// it.
#include "ledger/merkle.h"

#include <bit>
#include <string>

#include "ledger/merkle/merkle_internal.h"

namespace ledger::merkle {
namespace {

using internal::PathShape;
using internal::ShapeOfPath;

std::string Range(uint64_t a, uint64_t b) {
  return std::to_string(a) + " in " + std::to_string(b);
}

// MTH(D[begin:end]) where [begin, end) is a node of some tree (begin is a
// multiple of the largest power of two <= end - begin). Reads one perfect node
// per set bit of end - begin, smallest (and rightmost) first, folding right to
// left: MTH splits off the largest power of two on the left.
Result<Hash> RangeHash(const NodeSource& nodes, uint64_t begin, uint64_t end) {
  uint64_t remaining = end - begin;
  uint64_t right_end = end;
  Hash acc{};
  bool first = true;
  while (remaining != 0) {
    const int level = std::countr_zero(remaining);
    const uint64_t width = uint64_t{1} << level;
    Result<Hash> node = nodes.PerfectNode(level, (right_end >> level) - 1);
    if (!node.ok()) return node.status();
    acc = first ? *node : NodeHash(*node, acc);
    first = false;
    right_end -= width;
    remaining -= width;
  }
  return acc;
}

// Appends the audit path of node (level, index) in the tree of `size` leaves,
// lowest sibling first. Requires the node to be perfect and inside the tree.
Status AppendPath(const NodeSource& nodes, int level, uint64_t index,
                  uint64_t size, std::vector<Hash>* out) {
  const PathShape shape = ShapeOfPath(index, (size - 1) >> level);
  for (int i = 0; i < shape.inner; ++i) {
    const int l = level + i;
    const uint64_t sibling = (index >> i) ^ 1;
    Result<Hash> h =
        ((index >> i) & 1) != 0 || i + 1 < shape.inner
            ? nodes.PerfectNode(l, sibling)
            // The right sibling at the divergence level holds leaf size - 1.
            : RangeHash(nodes, sibling << l, size);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  }
  for (int i = shape.inner; i < 64 - level; ++i) {
    if (((index >> i) & 1) == 0) continue;
    Result<Hash> h = nodes.PerfectNode(level + i, (index >> i) ^ 1);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  }
  return Status::OK();
}

// MTH(D[n]) by the RFC 6962 §2.1 recursion, kept independent of CompactRange so
// that each checks the other. Requires n > 0.
Hash SpanRoot(const Hash* leaves, uint64_t n) {
  if (n == 1) return leaves[0];
  const uint64_t k = std::bit_floor(n - 1);  // largest power of two < n
  return NodeHash(SpanRoot(leaves, k), SpanRoot(leaves + k, n - k));
}

}  // namespace

Hash LeafHash(std::string_view leaf_data) {
  return Sha256WithPrefix(kLeafHashPrefix, leaf_data);
}

Hash NodeHash(const Hash& left, const Hash& right) {
  return Sha256WithPrefix(kNodeHashPrefix, left, right);
}

Hash EmptyRoot() { return Sha256(""); }

Hash RootFromLeafHashes(const std::vector<Hash>& leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyRoot();
  return SpanRoot(leaf_hashes.data(), leaf_hashes.size());
}

Result<Hash> RootAt(const NodeSource& nodes, uint64_t size) {
  if (size == 0) return EmptyRoot();
  Result<Hash> root = RangeHash(nodes, 0, size);
  if (!root.ok())
    return root.status().WithPrefix("root at size " + std::to_string(size));
  return root;
}

Result<std::vector<Hash>> InclusionProof(const NodeSource& nodes,
                                         uint64_t index, uint64_t size) {
  if (index >= size) {
    return Status::InvalidArgument("inclusion proof: index " +
                                   std::to_string(index) + " >= size " +
                                   std::to_string(size));
  }
  std::vector<Hash> proof;
  proof.reserve(ShapeOfPath(index, size - 1).length());
  Status st = AppendPath(nodes, 0, index, size, &proof);
  if (!st.ok()) return st.WithPrefix("inclusion proof " + Range(index, size));
  return proof;
}

Result<std::vector<Hash>> ConsistencyProof(const NodeSource& nodes,
                                           uint64_t old_size,
                                           uint64_t new_size) {
  if (old_size == 0 || old_size > new_size) {
    return Status::InvalidArgument(
        "consistency proof: requires 0 < old_size <= new_size, got " +
        std::to_string(old_size) + " and " + std::to_string(new_size));
  }
  std::vector<Hash> proof;
  if (old_size == new_size) return proof;
  // The old tree's rightmost perfect subtree [old_size - 2^level, old_size) is
  // a node of the new tree; the proof is that node (unless it is the whole old
  // tree, whose root the verifier has) followed by its audit path in the new
  // tree (RFC 9162 §2.1.4.1 SUBPROOF, unrolled).
  const int level = std::countr_zero(old_size);
  const uint64_t index = (old_size - 1) >> level;
  proof.reserve((index != 0) +
                ShapeOfPath(index, (new_size - 1) >> level).length());
  Status st;
  if (index != 0) {
    Result<Hash> seed = nodes.PerfectNode(level, index);
    st = seed.status();
    if (st.ok()) proof.push_back(*seed);
  }
  if (st.ok()) st = AppendPath(nodes, level, index, new_size, &proof);
  if (!st.ok())
    return st.WithPrefix("consistency proof " + Range(old_size, new_size));
  return proof;
}

}  // namespace ledger::merkle
