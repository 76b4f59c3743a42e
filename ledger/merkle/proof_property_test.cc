// Property tests over random trees: every proof generated from the store
// verifies, and every altered proof or altered claim fails with Corruption.
#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ledger/merkle.h"

namespace ledger::merkle {
namespace {

constexpr uint64_t kMaxSize = 5000;
constexpr int kRandomSizes = 300;
constexpr uint64_t kExhaustiveUpTo =
    100;  // sizes up to this check every index / old size
constexpr int kSampledPerSize = 24;

struct Tree {
  MemoryNodeStore store;
  std::vector<Hash> leaves;
  std::vector<Hash> roots;  // roots[n] = root of the first n leaves
};

const Tree& RandomTree() {
  static const Tree* tree = [] {
    auto* t = new Tree;
    std::mt19937_64 rng(0x75646921);  // fixed seed: failures reproduce
    CompactRange range;
    t->roots.push_back(range.Root());
    for (uint64_t i = 0; i < kMaxSize; ++i) {
      // Distinct leaves (equal neighbours would make a swapped pair a genuine
      // proof), of random length and content.
      std::string data =
          std::to_string(i) + ":" + std::string(rng() % 40, '\0');
      for (size_t j = data.find(':') + 1; j < data.size(); ++j)
        data[j] = static_cast<char>(rng());
      t->leaves.push_back(LeafHash(data));
      t->store.Append(t->leaves.back());
      range.Append(t->leaves.back(), nullptr);
      t->roots.push_back(range.Root());
    }
    return t;
  }();
  return *tree;
}

// A few hundred sizes in 1..kMaxSize, always including the small and
// power-of-two edges.
std::vector<uint64_t> TestSizes() {
  std::set<uint64_t> sizes = {1,  2,  3,  4,    5,    7,    8,       9,
                              63, 64, 65, 1023, 1024, 1025, kMaxSize};
  std::mt19937_64 rng(1);
  while (sizes.size() < kRandomSizes) sizes.insert(1 + rng() % kMaxSize);
  return {sizes.begin(), sizes.end()};
}

// All of [lo, hi) when it is small, else a seeded sample including both ends
// and the powers of two in between.
std::vector<uint64_t> Sample(uint64_t lo, uint64_t hi, uint64_t seed) {
  std::set<uint64_t> out;
  if (hi - lo <= kExhaustiveUpTo) {
    for (uint64_t i = lo; i < hi; ++i) out.insert(i);
    return {out.begin(), out.end()};
  }
  out = {lo, hi - 1};
  for (uint64_t p = 1; p < hi; p <<= 1) {
    if (p >= lo) out.insert(p);
    if (p - 1 >= lo) out.insert(p - 1);
  }
  std::mt19937_64 rng(seed);
  for (int i = 0; i < kSampledPerSize; ++i) out.insert(lo + rng() % (hi - lo));
  return {out.begin(), out.end()};
}

Hash Flip(Hash h, int bit) {
  h[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
  return h;
}

// Each variant of a proof that must not verify.
std::vector<std::pair<std::string, std::vector<Hash>>> AlteredProofs(
    const std::vector<Hash>& proof, const Hash& extra) {
  std::vector<std::pair<std::string, std::vector<Hash>>> out;
  for (size_t i = 0; i < proof.size(); ++i) {
    const int bit =
        static_cast<int>(i * 37 + proof.size()) % 256;  // spread over the bytes
    std::vector<Hash> flipped = proof;
    flipped[i] = Flip(flipped[i], bit);
    out.push_back(
        {"flip bit " + std::to_string(bit) + " of hash " + std::to_string(i),
         flipped});
    std::vector<Hash> dropped = proof;
    dropped.erase(dropped.begin() + static_cast<std::ptrdiff_t>(i));
    out.push_back({"drop hash " + std::to_string(i), dropped});
  }
  std::vector<Hash> appended = proof;
  appended.push_back(extra);
  out.push_back({"append a hash", appended});
  std::vector<Hash> prepended = proof;
  prepended.insert(prepended.begin(), extra);
  out.push_back({"prepend a hash", prepended});
  if (proof.size() > 1) {
    std::vector<Hash> swapped = proof;
    std::swap(swapped.front(), swapped.back());
    out.push_back({"swap first and last", swapped});
  }
  return out;
}

void ExpectRejected(const Status& st, const std::string& what) {
  EXPECT_TRUE(st.IsCorruption()) << what << ": " << st.ToString();
}

void CheckInclusion(const Tree& t, uint64_t index, uint64_t size) {
  SCOPED_TRACE("inclusion " + std::to_string(index) + " in " +
               std::to_string(size));
  Result<std::vector<Hash>> proof = InclusionProof(t.store, index, size);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  const Hash& leaf = t.leaves[index];
  const Hash& root = t.roots[size];
  ASSERT_TRUE(VerifyInclusion(index, size, leaf, *proof, root).ok());

  for (const auto& [what, altered] :
       AlteredProofs(*proof, t.leaves[(index + 1) % size])) {
    ExpectRejected(VerifyInclusion(index, size, leaf, altered, root), what);
  }
  ExpectRejected(VerifyInclusion(index, size, Flip(leaf, 7), *proof, root),
                 "wrong leaf");
  ExpectRejected(VerifyInclusion(index, size, leaf, *proof, Flip(root, 7)),
                 "wrong root");
  for (uint64_t other :
       {index - 1, index + 1, index ^ 1, index ^ 2, size, size + index}) {
    if (other == index) continue;
    ExpectRejected(VerifyInclusion(other, size, leaf, *proof, root),
                   "wrong index " + std::to_string(other));
  }
  // A wrong size with the genuine root of that size (a consistent but different
  // tree head).
  for (uint64_t other : {size - 1, size + 1, size * 2, size / 2, index}) {
    if (other == size || other > kMaxSize) continue;
    const Hash& other_root = t.roots[other];
    ExpectRejected(VerifyInclusion(index, other, leaf, *proof, other_root),
                   "wrong size " + std::to_string(other));
  }
}

void CheckConsistency(const Tree& t, uint64_t old_size, uint64_t new_size) {
  SCOPED_TRACE("consistency " + std::to_string(old_size) + " to " +
               std::to_string(new_size));
  Result<std::vector<Hash>> proof =
      ConsistencyProof(t.store, old_size, new_size);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  const Hash& old_root = t.roots[old_size];
  const Hash& new_root = t.roots[new_size];
  ASSERT_TRUE(
      VerifyConsistency(old_size, new_size, old_root, new_root, *proof).ok());

  for (const auto& [what, altered] : AlteredProofs(*proof, old_root)) {
    ExpectRejected(
        VerifyConsistency(old_size, new_size, old_root, new_root, altered),
        what);
  }
  if (old_size != new_size) {  // equal sizes have equal roots: swapping them
                               // changes nothing
    ExpectRejected(
        VerifyConsistency(old_size, new_size, new_root, old_root, *proof),
        "swapped roots");
  }
  ExpectRejected(VerifyConsistency(old_size, new_size, Flip(old_root, 3),
                                   new_root, *proof),
                 "wrong old root");
  ExpectRejected(VerifyConsistency(old_size, new_size, old_root,
                                   Flip(new_root, 3), *proof),
                 "wrong new root");
  for (uint64_t other :
       {old_size - 1, old_size + 1, old_size ^ 2, new_size + 1}) {
    if (other == old_size || other > kMaxSize) continue;
    // The empty tree is a genuine prefix of every tree, and its proof is the
    // empty one.
    if (!(other == 0 && proof->empty())) {
      ExpectRejected(
          VerifyConsistency(other, new_size, t.roots[other], new_root, *proof),
          "wrong old size " + std::to_string(other));
    }
    ExpectRejected(
        VerifyConsistency(other, new_size, old_root, new_root, *proof),
        "wrong old size with old root " + std::to_string(other));
  }
  for (uint64_t other :
       {new_size - 1, new_size + 1, new_size * 2, old_size - 1}) {
    if (other == new_size || other > kMaxSize) continue;
    ExpectRejected(
        VerifyConsistency(old_size, other, old_root, t.roots[other], *proof),
        "wrong new size " + std::to_string(other));
  }
}

TEST(ProofPropertyTest, EveryInclusionProofVerifiesAndEveryAlterationFails) {
  const Tree& t = RandomTree();
  for (uint64_t size : TestSizes()) {
    for (uint64_t index : Sample(0, size, size)) {
      CheckInclusion(t, index, size);
      if (testing::Test::HasFailure())
        return;  // one readable failure, not thousands
    }
  }
}

TEST(ProofPropertyTest, EveryConsistencyProofVerifiesAndEveryAlterationFails) {
  const Tree& t = RandomTree();
  for (uint64_t new_size : TestSizes()) {
    for (uint64_t old_size : Sample(1, new_size + 1, new_size)) {
      CheckConsistency(t, old_size, new_size);
      if (testing::Test::HasFailure()) return;
    }
  }
}

}  // namespace
}  // namespace ledger::merkle
