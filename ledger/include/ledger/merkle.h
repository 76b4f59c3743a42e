// RFC 6962 / RFC 9162 Merkle tree hashing and proofs. No I/O: stored nodes are
// read through the NodeSource interface, which the log implements over LevelDB
// and tests implement in memory.
//
// Node addressing: (level, index) is the perfect subtree covering leaves
// [index * 2^level, (index + 1) * 2^level). Level 0 nodes are leaf hashes. Only
// perfect subtrees are ever stored; hashes of the ragged right edge of a tree
// of size n are computed from at most log2(n) perfect ones, so the root and any
// proof need O(log n) node reads.
#ifndef UDI_LEDGER_MERKLE_H_
#define UDI_LEDGER_MERKLE_H_

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/status.h"

namespace ledger::merkle {

// RFC 6962 §2.1 domain separation.
inline constexpr uint8_t kLeafHashPrefix = 0x00;
inline constexpr uint8_t kNodeHashPrefix = 0x01;

// SHA-256(0x00 || data).
Hash LeafHash(std::string_view leaf_data);
// SHA-256(0x01 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);
// SHA-256(""), the root of the empty tree.
Hash EmptyRoot();

// MTH over a full list of leaf hashes (for tests and small trees; O(n) time).
Hash RootFromLeafHashes(const std::vector<Hash>& leaf_hashes);

// Reads stored perfect-subtree hashes. Implementations report missing nodes as
// Corruption. Every function here that takes a NodeSource is pure apart from
// these reads and is as thread-safe as the NodeSource.
class NodeSource {
 public:
  virtual ~NodeSource() = default;
  virtual Result<Hash> PerfectNode(int level, uint64_t index) const = 0;
};

// The three functions below read at most popcount(size) nodes (RootAt) or about
// 2*log2(size) nodes (proofs), never scan, and allocate nothing but the
// returned vector (reserved to its exact length). Errors from `nodes` are
// returned with a prefix naming the request, e.g. "inclusion proof 5 in 9:
// <source message>".
//
// Root of the tree of the first `size` leaves (EmptyRoot() for 0). Requires
// size <= the number of leaves stored; a missing node is whatever error `nodes`
// reports (Corruption).
Result<Hash> RootAt(const NodeSource& nodes, uint64_t size);
// RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of size `size`,
// sibling of the leaf first. InvalidArgument unless index < size ("index 5 >=
// size 5").
Result<std::vector<Hash>> InclusionProof(const NodeSource& nodes,
                                         uint64_t index, uint64_t size);
// RFC 9162 §2.1.4.1 consistency proof from `old_size` to `new_size`.
// InvalidArgument unless 0 < old_size <= new_size (old_size == new_size gives
// an empty proof).
Result<std::vector<Hash>> ConsistencyProof(const NodeSource& nodes,
                                           uint64_t old_size,
                                           uint64_t new_size);

// RFC 9162 §2.1.3.2 verification. OK iff `proof` proves `leaf_hash` is leaf
// `index` of the tree of `size` leaves whose root is `root`. Every failure is
// Corruption with a "inclusion proof: " message: "index 5 >= size 5", "wrong
// length 3, want 4", or "computed root <hex> != expected <hex>". Pure;
// thread-safe; no allocation on success.
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       const std::vector<Hash>& proof, const Hash& root);
// RFC 9162 §2.1.4.2 verification. OK iff `proof` proves the tree (old_size,
// old_root) is a prefix of the tree (new_size, new_root). Beyond the RFC (which
// requires 0 < old_size < new_size): old_size == new_size verifies iff the
// proof is empty and the roots are equal; old_size == 0 verifies iff the proof
// is empty and old_root == EmptyRoot() (the empty tree is a prefix of every
// tree). Every failure is Corruption with a "consistency proof: " message:
// "old_size 7 > new_size 5", "wrong length 3, want 4",
// "computed old root <hex> != expected <hex>", "computed new root <hex> !=
// expected <hex>".
Status VerifyConsistency(uint64_t old_size, uint64_t new_size,
                         const Hash& old_root, const Hash& new_root,
                         const std::vector<Hash>& proof);

// The right border of a tree: the hashes of its maximal perfect subtrees,
// largest first (one per set bit of size). Appending needs no reads. Not
// thread-safe; owned by the single log writer.
class CompactRange {
 public:
  struct NewNode {
    int level;
    uint64_t index;
    Hash hash;
  };

  CompactRange() = default;
  // Rebuilds the border of a stored tree of `size` leaves (O(log n) reads).
  static Result<CompactRange> FromStore(const NodeSource& nodes, uint64_t size);

  uint64_t size() const { return size_; }
  // Appends one leaf hash; calls `on_node` for every perfect node that now
  // exists and must be stored (the leaf itself at level 0 first, then each
  // completed parent, bottom-up).
  void Append(const Hash& leaf_hash,
              const std::function<void(const NewNode&)>& on_node);
  // The root of the current tree (EmptyRoot() when size is 0).
  Hash Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<Hash> border_;  // largest subtree first
};

// An in-memory NodeSource holding every perfect node of an append-only tree
// (for tests, benchmarks and small tools). Not thread-safe.
class MemoryNodeStore : public NodeSource {
 public:
  uint64_t size() const { return range_.size(); }
  // Appends one leaf hash and stores every perfect node it completes.
  void Append(const Hash& leaf_hash);
  // Corruption "merkle node (level 3, index 7) not stored" when absent.
  Result<Hash> PerfectNode(int level, uint64_t index) const override;

 private:
  CompactRange range_;
  std::vector<std::vector<Hash>> levels_;  // levels_[level][index]
};

}  // namespace ledger::merkle

#endif  // UDI_LEDGER_MERKLE_H_
