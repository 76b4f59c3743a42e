// Precondition and verification failures: the code and the exact message a
// caller sees.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ledger/merkle.h"

namespace ledger::merkle {
namespace {

MemoryNodeStore StoreOfSize(uint64_t n) {
  MemoryNodeStore store;
  for (uint64_t i = 0; i < n; ++i) store.Append(LeafHash(std::to_string(i)));
  return store;
}

TEST(MerkleErrorsTest, HashingPrimitivesFollowRfc6962) {
  EXPECT_EQ(ToHex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(LeafHash("abc"), Sha256(std::string("\x00", 1) + "abc"));
  const Hash a = LeafHash("a"), b = LeafHash("b");
  EXPECT_EQ(NodeHash(a, b), Sha256("\x01" + std::string(AsStringView(a)) +
                                   std::string(AsStringView(b))));
  EXPECT_EQ(RootFromLeafHashes({}), EmptyRoot());
}

TEST(MerkleErrorsTest, GenerationPreconditionsAreInvalidArgument) {
  MemoryNodeStore store = StoreOfSize(5);
  struct Case {
    Status status;
    std::string want;
  };
  const Case cases[] = {
      {InclusionProof(store, 5, 5).status(),
       "inclusion proof: index 5 >= size 5"},
      {InclusionProof(store, 0, 0).status(),
       "inclusion proof: index 0 >= size 0"},
      {ConsistencyProof(store, 0, 5).status(),
       "consistency proof: requires 0 < old_size <= new_size, got 0 and 5"},
      {ConsistencyProof(store, 4, 3).status(),
       "consistency proof: requires 0 < old_size <= new_size, got 4 and 3"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.want);
    EXPECT_TRUE(c.status.IsInvalidArgument()) << c.status.ToString();
    EXPECT_EQ(c.status.message(), c.want);
  }
}

TEST(MerkleErrorsTest, MissingNodesAreReportedWithTheRequest) {
  MemoryNodeStore store = StoreOfSize(5);
  struct Case {
    Status status;
    std::string want;
  };
  const Case cases[] = {
      {RootAt(store, 6).status(),
       "root at size 6: merkle node (level 1, index 2) not stored"},
      {InclusionProof(store, 0, 6).status(),
       "inclusion proof 0 in 6: merkle node (level 1, index 2) not stored"},
      {ConsistencyProof(store, 5, 6).status(),
       "consistency proof 5 in 6: merkle node (level 0, index 5) not stored"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.want);
    EXPECT_TRUE(c.status.IsCorruption()) << c.status.ToString();
    EXPECT_EQ(c.status.message(), c.want);
  }
  Result<Hash> empty = RootAt(store, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, EmptyRoot());
}

TEST(MerkleErrorsTest, VerificationFailuresAreCorruptionNamingTheMismatch) {
  MemoryNodeStore store = StoreOfSize(7);
  const Hash root3 = *RootAt(store, 3), root4 = *RootAt(store, 4);
  const Hash root7 = *RootAt(store, 7);
  const Hash leaf2 = *store.PerfectNode(0, 2);
  const std::vector<Hash> incl = *InclusionProof(store, 2, 7);
  const std::vector<Hash> cons = *ConsistencyProof(store, 3, 7);
  ASSERT_EQ(incl.size(), 3u);
  ASSERT_EQ(cons.size(), 4u);  // leaf 2, leaf 3, node (1, 0), MTH(leaves 4..6)
  const Hash bad = LeafHash("bad");
  std::vector<Hash> incl_bad = incl;
  incl_bad[1] = bad;
  std::vector<Hash> cons_bad_right = cons;
  // Leaf 3 only enters the new root: the old root still matches.
  cons_bad_right[1] = bad;
  struct Case {
    Status status;
    std::string want;
  };
  const Case cases[] = {
      {VerifyInclusion(7, 7, leaf2, incl, root7),
       "inclusion proof: index 7 >= size 7"},
      {VerifyInclusion(2, 7, leaf2, {incl[0], incl[1]}, root7),
       "inclusion proof: wrong length 2, want 3"},
      {VerifyInclusion(2, 7, leaf2, incl, root4),
       "inclusion proof: computed root " + ToHex(root7) + " != expected " +
           ToHex(root4)},
      {VerifyInclusion(2, 7, leaf2, incl_bad, root7),
       "inclusion proof: computed root " +
           ToHex(NodeHash(NodeHash(bad, NodeHash(leaf2, incl[0])), incl[2])) +
           " != expected " + ToHex(root7)},
      {VerifyConsistency(5, 4, root7, root4, cons),
       "consistency proof: old_size 5 > new_size 4"},
      {VerifyConsistency(3, 7, root3, root7, {cons[0], cons[1], cons[2]}),
       "consistency proof: wrong length 3, want 4"},
      {VerifyConsistency(3, 7, root3, root7, {}),
       "consistency proof: wrong length 0, want 4"},
      {VerifyConsistency(3, 7, root7, root7, cons),
       "consistency proof: computed old root " + ToHex(root3) +
           " != expected " + ToHex(root7)},
      {VerifyConsistency(3, 7, root3, root3, cons),
       "consistency proof: computed new root " + ToHex(root7) +
           " != expected " + ToHex(root3)},
      {VerifyConsistency(3, 7, root3, root7, cons_bad_right),
       "consistency proof: computed new root " +
           ToHex(NodeHash(NodeHash(cons[2], NodeHash(cons[0], bad)), cons[3])) +
           " != expected " + ToHex(root7)},
      {VerifyConsistency(7, 7, root7, root4, {}),
       "consistency proof: equal sizes, new root " + ToHex(root4) +
           " != expected " + ToHex(root7)},
      {VerifyConsistency(7, 7, root7, root7, {root7}),
       "consistency proof: wrong length 1, want 0"},
      {VerifyConsistency(0, 7, root4, root7, {}),
       "consistency proof: empty old root " + ToHex(root4) + " != expected " +
           ToHex(EmptyRoot())},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.want);
    EXPECT_TRUE(c.status.IsCorruption()) << c.status.ToString();
    EXPECT_EQ(c.status.message(), c.want);
  }
}

TEST(MerkleErrorsTest, TrivialConsistencyClaimsVerify) {
  MemoryNodeStore store = StoreOfSize(3);
  const Hash root3 = *RootAt(store, 3);
  EXPECT_TRUE(VerifyConsistency(3, 3, root3, root3, {}).ok());
  EXPECT_TRUE(VerifyConsistency(0, 3, EmptyRoot(), root3, {}).ok());
  EXPECT_TRUE(VerifyConsistency(0, 0, EmptyRoot(), EmptyRoot(), {}).ok());
  Result<std::vector<Hash>> same = ConsistencyProof(store, 3, 3);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());
}

}  // namespace
}  // namespace ledger::merkle
