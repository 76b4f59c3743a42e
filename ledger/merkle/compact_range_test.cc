// CompactRange and MemoryNodeStore against the reference root, for every size
// 0..300.
#include <algorithm>
#include <bit>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "ledger/merkle.h"

namespace ledger::merkle {
namespace {

constexpr uint64_t kMaxSize = 300;

std::vector<Hash> Leaves(uint64_t n) {
  std::vector<Hash> out;
  for (uint64_t i = 0; i < n; ++i)
    out.push_back(LeafHash("compact range leaf " + std::to_string(i)));
  return out;
}

// MTH of D[begin:end] by the RFC 6962 recursion (independent of CompactRange).
Hash Mth(const std::vector<Hash>& leaves, uint64_t begin, uint64_t end) {
  if (end == begin) return EmptyRoot();
  if (end - begin == 1) return leaves[begin];
  uint64_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return NodeHash(Mth(leaves, begin, begin + k), Mth(leaves, begin + k, end));
}

using NodeKey = std::pair<int, uint64_t>;

TEST(CompactRangeTest, RootMatchesReferenceForEverySizeUpTo300) {
  const std::vector<Hash> leaves = Leaves(kMaxSize);
  CompactRange range;
  for (uint64_t n = 0; n <= kMaxSize; ++n) {
    SCOPED_TRACE("size " + std::to_string(n));
    const std::vector<Hash> prefix(
        leaves.begin(), leaves.begin() + static_cast<std::ptrdiff_t>(n));
    ASSERT_EQ(range.size(), n);
    EXPECT_EQ(ToHex(range.Root()), ToHex(Mth(leaves, 0, n)));
    EXPECT_EQ(ToHex(RootFromLeafHashes(prefix)), ToHex(Mth(leaves, 0, n)));
    if (n < kMaxSize) range.Append(leaves[n], nullptr);
  }
}

TEST(CompactRangeTest, NewNodesAreExactlyThePerfectNodesBottomUp) {
  const std::vector<Hash> leaves = Leaves(kMaxSize);
  CompactRange range;
  std::map<NodeKey, Hash> emitted;
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    SCOPED_TRACE("append leaf " + std::to_string(n - 1));
    std::vector<CompactRange::NewNode> batch;
    range.Append(leaves[n - 1], [&](const CompactRange::NewNode& node) {
      batch.push_back(node);
    });
    // The leaf first, then each completed parent: one per trailing one bit of n
    // - 1.
    ASSERT_EQ(batch.size(), 1u + std::countr_one(n - 1));
    for (size_t i = 0; i < batch.size(); ++i) {
      const int level = static_cast<int>(i);
      EXPECT_EQ(batch[i].level, level);
      EXPECT_EQ(batch[i].index, (n - 1) >> level);
      EXPECT_TRUE(
          emitted.emplace(NodeKey{level, batch[i].index}, batch[i].hash).second)
          << "node emitted twice";
    }
    // Everything emitted so far is exactly the set of perfect subtrees of the
    // tree of size n.
    std::map<NodeKey, Hash> want;
    for (int level = 0; (uint64_t{1} << level) <= n; ++level) {
      for (uint64_t index = 0; (index + 1) << level <= n; ++index) {
        want[{level, index}] =
            Mth(leaves, index << level, (index + 1) << level);
      }
    }
    ASSERT_EQ(emitted, want);
  }
}

TEST(CompactRangeTest, FromStoreRebuildsTheBorderAndKeepsAppending) {
  const std::vector<Hash> leaves = Leaves(kMaxSize);
  MemoryNodeStore store;
  for (const Hash& h : leaves) store.Append(h);
  for (uint64_t n = 0; n <= kMaxSize; n += 7) {
    SCOPED_TRACE("size " + std::to_string(n));
    Result<CompactRange> range = CompactRange::FromStore(store, n);
    ASSERT_TRUE(range.ok()) << range.status().ToString();
    EXPECT_EQ(range->size(), n);
    EXPECT_EQ(ToHex(range->Root()), ToHex(Mth(leaves, 0, n)));
    for (uint64_t m = n; m < std::min(n + 5, kMaxSize); ++m)
      range->Append(leaves[m], nullptr);
    const uint64_t grown = std::min(n + 5, kMaxSize);
    EXPECT_EQ(ToHex(range->Root()), ToHex(Mth(leaves, 0, grown)));
  }
}

TEST(CompactRangeTest, FromStoreReportsTheMissingNode) {
  MemoryNodeStore store;
  for (const Hash& h : Leaves(5)) store.Append(h);
  Result<CompactRange> range =
      CompactRange::FromStore(store, 6);  // needs (1, 2): leaves 4..5
  ASSERT_FALSE(range.ok());
  EXPECT_TRUE(range.status().IsCorruption());
  EXPECT_EQ(
      range.status().message(),
      "compact range of size 6: merkle node (level 1, index 2) not stored");
}

TEST(MemoryNodeStoreTest, StoresEveryPerfectNodeAndNothingElse) {
  const std::vector<Hash> leaves = Leaves(11);
  MemoryNodeStore store;
  for (const Hash& h : leaves) store.Append(h);
  EXPECT_EQ(store.size(), 11u);
  for (int level = 0; level < 5; ++level) {
    for (uint64_t index = 0; index < 12; ++index) {
      SCOPED_TRACE("node " + std::to_string(level) + "," +
                   std::to_string(index));
      Result<Hash> got = store.PerfectNode(level, index);
      if ((index + 1) << level <= 11) {
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_EQ(*got, Mth(leaves, index << level, (index + 1) << level));
      } else {
        EXPECT_TRUE(got.status().IsCorruption());
      }
    }
  }
  EXPECT_TRUE(store.PerfectNode(-1, 0).status().IsCorruption());
}

}  // namespace
}  // namespace ledger::merkle
