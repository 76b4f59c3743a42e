// Known-answer tests: every tree size 1..64 against the independent Python
// reference (testdata/gen_vectors.py) and the published 8-leaf RFC 6962 test
// tree.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "ledger/merkle.h"

namespace ledger::merkle {
namespace {

struct Vectors {
  std::map<uint64_t, std::string> leaves;          // index -> data
  std::map<std::pair<int, uint64_t>, Hash> nodes;  // (level, index) -> hash
  std::map<uint64_t, Hash> roots;                  // size -> root
  std::map<std::pair<uint64_t, uint64_t>, std::vector<Hash>>
      inclusion;  // (index, size)
  std::map<std::pair<uint64_t, uint64_t>, std::vector<Hash>>
      consistency;  // (old, new)
};

Hash ParseHash(const std::string& hex, const std::string& where) {
  std::optional<Hash> h = HashFromHex(hex);
  EXPECT_TRUE(h.has_value()) << where << ": bad hash " << hex;
  return h.value_or(Hash{});
}

std::vector<Hash> ParseHashes(std::istringstream& in,
                              const std::string& where) {
  std::vector<Hash> out;
  std::string word;
  while (in >> word) {
    if (word != "-") out.push_back(ParseHash(word, where));
  }
  return out;
}

// Reads the line formats described in testdata/gen_vectors.py; fails the test
// on a bad line.
Vectors Load(const std::string& name) {
  const std::string path = std::string(UDI_TESTDATA) + "/" + name;
  std::ifstream file(path);
  EXPECT_TRUE(file.good()) << "cannot open " << path;
  Vectors v;
  std::string line;
  for (int line_no = 1; std::getline(file, line); ++line_no) {
    if (line.empty() || line[0] == '#') continue;
    const std::string where = path + ":" + std::to_string(line_no);
    std::istringstream in(line);
    std::string kind, hex;
    uint64_t a = 0, b = 0;
    in >> kind >> a;
    if (in.fail()) {
      ADD_FAILURE() << where << ": bad line '" << line << "'";
      continue;
    }
    if (kind == "leaf") {
      in >> hex;
      v.leaves[a] = hex == "-" ? "" : FromHex(hex).value_or("<bad hex>");
    } else if (kind == "root") {
      in >> hex;
      v.roots[a] = ParseHash(hex, where);
    } else if (kind == "node") {
      in >> b >> hex;
      v.nodes[{static_cast<int>(a), b}] = ParseHash(hex, where);
    } else if (kind == "inclusion") {
      in >> b;
      EXPECT_FALSE(in.fail()) << where << ": bad size";
      v.inclusion[{a, b}] = ParseHashes(in, where);
    } else if (kind == "consistency") {
      in >> b;
      EXPECT_FALSE(in.fail()) << where << ": bad size";
      v.consistency[{a, b}] = ParseHashes(in, where);
    } else {
      ADD_FAILURE() << where << ": unknown line kind '" << kind << "'";
    }
  }
  return v;
}

MemoryNodeStore StoreOf(const Vectors& v) {
  MemoryNodeStore store;
  for (const auto& [index, data] : v.leaves) {
    EXPECT_EQ(index, store.size());
    store.Append(LeafHash(data));
  }
  return store;
}

std::vector<Hash> LeafHashes(const Vectors& v, uint64_t n) {
  std::vector<Hash> out;
  for (uint64_t i = 0; i < n; ++i) out.push_back(LeafHash(v.leaves.at(i)));
  return out;
}

void CheckRoots(const Vectors& v, const NodeSource& store) {
  ASSERT_FALSE(v.roots.empty());
  for (const auto& [size, want] : v.roots) {
    SCOPED_TRACE("size " + std::to_string(size));
    EXPECT_EQ(ToHex(RootFromLeafHashes(LeafHashes(v, size))), ToHex(want));
    Result<Hash> got = RootAt(store, size);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(ToHex(*got), ToHex(want));
    Result<CompactRange> range = CompactRange::FromStore(store, size);
    ASSERT_TRUE(range.ok()) << range.status().ToString();
    EXPECT_EQ(ToHex(range->Root()), ToHex(want));
  }
}

void CheckInclusion(const Vectors& v, const NodeSource& store) {
  ASSERT_FALSE(v.inclusion.empty());
  for (const auto& [key, want] : v.inclusion) {
    const auto [index, size] = key;
    SCOPED_TRACE("inclusion " + std::to_string(index) + " in " +
                 std::to_string(size));
    Result<std::vector<Hash>> got = InclusionProof(store, index, size);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, want);
    Status st = VerifyInclusion(index, size, LeafHash(v.leaves.at(index)), want,
                                v.roots.at(size));
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
}

void CheckConsistency(const Vectors& v, const NodeSource& store) {
  ASSERT_FALSE(v.consistency.empty());
  for (const auto& [key, want] : v.consistency) {
    const auto [old_size, new_size] = key;
    SCOPED_TRACE("consistency " + std::to_string(old_size) + " to " +
                 std::to_string(new_size));
    Result<std::vector<Hash>> got = ConsistencyProof(store, old_size, new_size);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, want);
    Status st = VerifyConsistency(old_size, new_size, v.roots.at(old_size),
                                  v.roots.at(new_size), want);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
}

TEST(MerkleVectorsTest, ReferenceRootsForEverySizeUpTo64) {
  Vectors v = Load("rfc6962_roots.txt");
  ASSERT_EQ(v.leaves.size(), 64u);
  ASSERT_EQ(v.roots.size(), 65u);
  MemoryNodeStore store = StoreOf(v);
  CheckRoots(v, store);
}

TEST(MerkleVectorsTest, ReferenceInclusionProofsForEverySizeUpTo64) {
  Vectors v = Load("rfc6962_roots.txt");
  Vectors proofs = Load("rfc6962_inclusion.txt");
  ASSERT_EQ(proofs.inclusion.size(), 64u * 65u / 2u);
  v.inclusion = std::move(proofs.inclusion);
  CheckInclusion(v, StoreOf(v));
}

TEST(MerkleVectorsTest, ReferenceConsistencyProofsForEverySizeUpTo64) {
  Vectors v = Load("rfc6962_roots.txt");
  Vectors proofs = Load("rfc6962_consistency.txt");
  ASSERT_EQ(proofs.consistency.size(), 64u * 65u / 2u);
  v.consistency = std::move(proofs.consistency);
  CheckConsistency(v, StoreOf(v));
}

TEST(MerkleVectorsTest, PublishedEightLeafTree) {
  Vectors v = Load("ct_8leaf_vectors.txt");
  ASSERT_EQ(v.leaves.size(), 8u);
  ASSERT_EQ(v.nodes.size(), 15u);
  ASSERT_EQ(v.roots.size(), 9u);
  MemoryNodeStore store = StoreOf(v);
  for (const auto& [key, want] : v.nodes) {
    SCOPED_TRACE("node level " + std::to_string(key.first) + " index " +
                 std::to_string(key.second));
    Result<Hash> got = store.PerfectNode(key.first, key.second);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(ToHex(*got), ToHex(want));
  }
  EXPECT_EQ(v.roots.at(0), EmptyRoot());
  CheckRoots(v, store);
  CheckInclusion(v, store);
  CheckConsistency(v, store);
}

}  // namespace
}  // namespace ledger::merkle
