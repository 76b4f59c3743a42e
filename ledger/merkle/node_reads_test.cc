// Proof generation at ~10^9 leaves over a virtual (computed) tree: reads stay
// O(log n).
#include <bit>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "ledger/merkle.h"

namespace ledger::merkle {
namespace {

// A tree of any size whose leaf i is LeafHash("leaf <i mod 2^kPeriodBits>"):
// below level kPeriodBits nodes differ (so proofs depend on the index), above
// it each level is uniform, and every node is computed on demand with
// memoisation. Counts reads.
class VirtualTree : public NodeSource {
 public:
  static constexpr int kPeriodBits = 10;

  Result<Hash> PerfectNode(int level, uint64_t index) const override {
    ++reads_;
    if (level < 0 || level > 63 ||
        (level > 0 && index >= (~uint64_t{0} >> level))) {
      return Status::Corruption("virtual node (" + std::to_string(level) +
                                ", " + std::to_string(index) +
                                ") out of range");
    }
    return Node(level, index);
  }

  int TakeReads() const { return std::exchange(reads_, 0); }

 private:
  Hash Node(int level, uint64_t index) const {
    const uint64_t key_index =
        level >= kPeriodBits ? 0
                             : index % (uint64_t{1} << (kPeriodBits - level));
    auto [it, inserted] = memo_.try_emplace({level, key_index});
    if (inserted) {
      it->second = level == 0 ? LeafHash("leaf " + std::to_string(key_index))
                              : NodeHash(Node(level - 1, 2 * key_index),
                                         Node(level - 1, 2 * key_index + 1));
    }
    return it->second;
  }

  mutable int reads_ = 0;
  mutable std::map<std::pair<int, uint64_t>, Hash> memo_;
};

constexpr uint64_t kSize = 1'000'000'007;  // 30 bits, 13 of them set
constexpr int kMaxReads = 2 * 64;

TEST(NodeReadsTest, VirtualTreeIsARealTree) {
  VirtualTree tree;
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < 3000; ++i) leaves.push_back(*tree.PerfectNode(0, i));
  Result<Hash> root = RootAt(tree, leaves.size());
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(ToHex(*root), ToHex(RootFromLeafHashes(leaves)));
}

TEST(NodeReadsTest, RootAtReadsOneNodePerSetBit) {
  VirtualTree tree;
  for (uint64_t size :
       {kSize, kSize - 1, uint64_t{1} << 40, (uint64_t{1} << 62) - 1}) {
    SCOPED_TRACE("size " + std::to_string(size));
    ASSERT_TRUE(RootAt(tree, size).ok());
    EXPECT_EQ(tree.TakeReads(), std::popcount(size));
  }
}

TEST(NodeReadsTest, InclusionProofAtABillionReadsLogarithmicallyAndVerifies) {
  VirtualTree tree;
  Result<Hash> root = RootAt(tree, kSize);
  ASSERT_TRUE(root.ok());
  tree.TakeReads();
  for (uint64_t index :
       {uint64_t{0}, uint64_t{1}, uint64_t{123'456'789}, kSize / 2, kSize - 2,
        kSize - 1, (uint64_t{1} << 29) - 1, uint64_t{1} << 29}) {
    SCOPED_TRACE("index " + std::to_string(index));
    Result<std::vector<Hash>> proof = InclusionProof(tree, index, kSize);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    const int reads = tree.TakeReads();
    EXPECT_LE(reads, kMaxReads);
    EXPECT_LE(reads, static_cast<int>(proof->size()) + std::popcount(kSize));
    Result<Hash> leaf = tree.PerfectNode(0, index);
    ASSERT_TRUE(leaf.ok());
    tree.TakeReads();
    Status st = VerifyInclusion(index, kSize, *leaf, *proof, *root);
    EXPECT_TRUE(st.ok()) << st.ToString();
    // A neighbour's leaf (different below the period) must not verify with this
    // proof.
    Result<Hash> other = tree.PerfectNode(0, index ^ 1);
    ASSERT_TRUE(other.ok());
    EXPECT_TRUE(
        VerifyInclusion(index, kSize, *other, *proof, *root).IsCorruption());
    tree.TakeReads();
  }
}

TEST(NodeReadsTest, ConsistencyProofAtABillionReadsLogarithmicallyAndVerifies) {
  VirtualTree tree;
  for (uint64_t old_size : {uint64_t{1}, uint64_t{1000}, uint64_t{1} << 29,
                            kSize - 12'345, kSize - 1}) {
    SCOPED_TRACE("old size " + std::to_string(old_size));
    Result<Hash> old_root = RootAt(tree, old_size);
    Result<Hash> new_root = RootAt(tree, kSize);
    ASSERT_TRUE(old_root.ok() && new_root.ok());
    tree.TakeReads();
    Result<std::vector<Hash>> proof = ConsistencyProof(tree, old_size, kSize);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    const int reads = tree.TakeReads();
    EXPECT_LE(reads, kMaxReads);
    EXPECT_LE(reads, static_cast<int>(proof->size()) + std::popcount(kSize));
    Status st =
        VerifyConsistency(old_size, kSize, *old_root, *new_root, *proof);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
}

TEST(NodeReadsTest, ProofsNearTwoToThe64ReadAtMost128Nodes) {
  VirtualTree tree;
  const uint64_t size =
      ~uint64_t{0} >> 1;  // 2^63 - 1: 63 set bits, the worst ragged edge
  Result<std::vector<Hash>> inclusion = InclusionProof(tree, 5, size);
  ASSERT_TRUE(inclusion.ok()) << inclusion.status().ToString();
  EXPECT_LE(tree.TakeReads(), kMaxReads);
  Result<std::vector<Hash>> consistency = ConsistencyProof(tree, 3, size);
  ASSERT_TRUE(consistency.ok()) << consistency.status().ToString();
  EXPECT_LE(tree.TakeReads(), kMaxReads);
  Result<Hash> old_root = RootAt(tree, 3);
  Result<Hash> new_root = RootAt(tree, size);
  ASSERT_TRUE(old_root.ok() && new_root.ok());
  EXPECT_TRUE(
      VerifyConsistency(3, size, *old_root, *new_root, *consistency).ok());
}

TEST(NodeReadsTest, LargestTreeSizeProvesAndVerifies) {
  // 2^64 - 1 leaves: 64-level paths, where the shift arithmetic would overflow
  // if unguarded.
  VirtualTree tree;
  const uint64_t size = ~uint64_t{0};
  Result<Hash> root = RootAt(tree, size);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(tree.TakeReads(), 64);
  for (uint64_t index : {uint64_t{0}, uint64_t{1} << 63, size - 2, size - 1}) {
    SCOPED_TRACE("index " + std::to_string(index));
    Result<std::vector<Hash>> proof = InclusionProof(tree, index, size);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    EXPECT_LE(tree.TakeReads(), kMaxReads);
    Result<Hash> leaf = tree.PerfectNode(0, index);
    ASSERT_TRUE(leaf.ok());
    EXPECT_TRUE(VerifyInclusion(index, size, *leaf, *proof, *root).ok());
  }
  const uint64_t old_size = uint64_t{1} << 63;
  Result<Hash> old_root = RootAt(tree, old_size);
  Result<std::vector<Hash>> proof = ConsistencyProof(tree, old_size, size);
  ASSERT_TRUE(old_root.ok() && proof.ok());
  EXPECT_TRUE(VerifyConsistency(old_size, size, *old_root, *root, *proof).ok());
  EXPECT_TRUE(VerifyConsistency(old_size, size, *root, *old_root, *proof)
                  .IsCorruption());
}

}  // namespace
}  // namespace ledger::merkle
