// Proof verification exactly as RFC 9162 §2.1.3.2 and §2.1.4.2 (the fn/sn
// walk), preceded by an exact length check so that a wrong length is reported
// as such rather than as a root mismatch.
#include <bit>
#include <string>

#include "ledger/merkle.h"
#include "ledger/merkle/merkle_internal.h"

namespace ledger::merkle {
namespace {

using internal::ShapeOfPath;

Status WrongLength(const char* what, size_t got, size_t want) {
  return Status::Corruption(std::string(what) + ": wrong length " +
                            std::to_string(got) + ", want " +
                            std::to_string(want));
}

Status Mismatch(const std::string& what, const Hash& computed,
                const Hash& expected) {
  return Status::Corruption(what + " " + ToHex(computed) + " != expected " +
                            ToHex(expected));
}

// Right-shifts fn and sn together until LSB(fn) is set or fn is 0 (RFC 9162
// §2.1.3.2 step 4.2): skips the levels where the right edge has no right
// sibling.
void SkipRightEdgeLevels(uint64_t* fn, uint64_t* sn) {
  while ((*fn & 1) == 0 && *fn != 0) {
    *fn >>= 1;
    *sn >>= 1;
  }
}

}  // namespace

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       const std::vector<Hash>& proof, const Hash& root) {
  if (index >= size) {
    return Status::Corruption("inclusion proof: index " +
                              std::to_string(index) + " >= size " +
                              std::to_string(size));
  }
  const size_t want = ShapeOfPath(index, size - 1).length();
  if (proof.size() != want)
    return WrongLength("inclusion proof", proof.size(), want);
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return WrongLength("inclusion proof", proof.size(), want);
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) SkipRightEdgeLevels(&fn, &sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return WrongLength("inclusion proof", proof.size(), want);
  if (r != root) return Mismatch("inclusion proof: computed root", r, root);
  return Status::OK();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size,
                         const Hash& old_root, const Hash& new_root,
                         const std::vector<Hash>& proof) {
  constexpr char kWhat[] = "consistency proof";
  if (old_size > new_size) {
    return Status::Corruption("consistency proof: old_size " +
                              std::to_string(old_size) + " > new_size " +
                              std::to_string(new_size));
  }
  if (old_size == new_size || old_size == 0) {
    if (!proof.empty()) return WrongLength(kWhat, proof.size(), 0);
    if (old_size == 0) {
      const Hash empty = EmptyRoot();
      if (old_root != empty)
        return Mismatch("consistency proof: empty old root", old_root, empty);
      return Status::OK();
    }
    if (old_root != new_root) {
      return Mismatch("consistency proof: equal sizes, new root", new_root,
                      old_root);
    }
    return Status::OK();
  }
  const int level = std::countr_zero(old_size);
  const uint64_t node = (old_size - 1) >> level;
  const bool old_is_power_of_two = node == 0;
  const size_t want = (old_is_power_of_two ? 0 : 1) +
                      ShapeOfPath(node, (new_size - 1) >> level).length();
  if (proof.size() != want) return WrongLength(kWhat, proof.size(), want);

  // Step 2: when old_size is a power of two, old_root is the implicit first
  // path element.
  const size_t count = proof.size() + (old_is_power_of_two ? 1 : 0);
  auto element = [&](size_t i) -> const Hash& {
    if (old_is_power_of_two) return i == 0 ? old_root : proof[i - 1];
    return proof[i];
  };
  uint64_t fn = old_size - 1;  // step 3
  uint64_t sn = new_size - 1;
  fn >>= level;  // step 4: old_size - 1 ends in exactly `level` one bits
  sn >>= level;
  Hash fr = element(0);  // step 5
  Hash sr = fr;
  for (size_t i = 1; i < count; ++i) {  // step 6
    const Hash& c = element(i);
    if (sn == 0) return WrongLength(kWhat, proof.size(), want);
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) SkipRightEdgeLevels(&fn, &sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7.
  if (sn != 0) return WrongLength(kWhat, proof.size(), want);
  if (fr != old_root)
    return Mismatch("consistency proof: computed old root", fr, old_root);
  if (sr != new_root)
    return Mismatch("consistency proof: computed new root", sr, new_root);
  return Status::OK();
}

}  // namespace ledger::merkle
