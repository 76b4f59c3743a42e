// CompactRange (the right border of an append-only tree) and the in-memory
// NodeSource.
#include <bit>
#include <string>

#include "ledger/merkle.h"

namespace ledger::merkle {

Result<CompactRange> CompactRange::FromStore(const NodeSource& nodes,
                                             uint64_t size) {
  CompactRange range;
  range.border_.reserve(std::popcount(size));
  uint64_t begin = 0;
  for (int level = 63; level >= 0; --level) {
    if (((size >> level) & 1) == 0) continue;
    Result<Hash> node = nodes.PerfectNode(level, begin >> level);
    if (!node.ok()) {
      return node.status().WithPrefix("compact range of size " +
                                      std::to_string(size));
    }
    range.border_.push_back(*node);
    begin += uint64_t{1} << level;
  }
  range.size_ = size;
  return range;
}

void CompactRange::Append(const Hash& leaf_hash,
                          const std::function<void(const NewNode&)>& on_node) {
  NewNode node{0, size_, leaf_hash};
  if (on_node) on_node(node);
  // Each trailing one bit of the old size is a subtree of the same level that
  // the new node completes; merge them bottom-up.
  while (((size_ >> node.level) & 1) != 0) {
    node.hash = NodeHash(border_.back(), node.hash);
    border_.pop_back();
    ++node.level;
    node.index >>= 1;
    if (on_node) on_node(node);
  }
  border_.push_back(node.hash);
  ++size_;
}

Hash CompactRange::Root() const {
  if (border_.empty()) return EmptyRoot();
  Hash root = border_.back();
  for (size_t i = border_.size() - 1; i-- > 0;)
    root = NodeHash(border_[i], root);
  return root;
}

void MemoryNodeStore::Append(const Hash& leaf_hash) {
  range_.Append(leaf_hash, [this](const CompactRange::NewNode& node) {
    if (levels_.size() <= static_cast<size_t>(node.level))
      levels_.resize(node.level + 1);
    // Perfect nodes of one level complete in index order.
    levels_[node.level].push_back(node.hash);
  });
}

Result<Hash> MemoryNodeStore::PerfectNode(int level, uint64_t index) const {
  if (level < 0 || static_cast<size_t>(level) >= levels_.size() ||
      index >= levels_[level].size()) {
    return Status::Corruption("merkle node (level " + std::to_string(level) +
                              ", index " + std::to_string(index) +
                              ") not stored");
  }
  return levels_[level][index];
}

}  // namespace ledger::merkle
