#include "node/witness/split_view.h"

#include "ledger/merkle.h"

namespace witness {

namespace {

nlohmann::json HashList(const std::vector<ledger::Hash>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : hashes) out.push_back(ledger::ToBase64(h));
  return out;
}

}  // namespace

ledger::Result<Comparison> CompareWithLog(const ledger::Log& log,
                                          const ledger::Checkpoint& cp,
                                          bool own) {
  Comparison c;
  // One consistent view: the signed note and its size are read together.
  std::string held_note = log.SignedCheckpoint();
  auto held_text = ledger::SignedNote::Parse(held_note);
  if (!held_text.ok()) return held_text.status();
  auto held = ledger::Checkpoint::Parse(held_text->text);
  if (!held.ok()) return held.status();
  c.held_size = held->size;
  c.held_root = held->root;
  if (cp.size > held->size) {
    if (!own) {
      c.verdict = Verdict::kAhead;
      return c;
    }
    c.verdict = Verdict::kInconsistent;
    c.reason = "size " + std::to_string(cp.size) +
               " is beyond the origin's own log (size " +
               std::to_string(held->size) + ")";
    c.evidence = {{"heldCheckpoint", held_note}};
    return c;
  }
  auto root = log.RootAt(cp.size);
  if (!root.ok()) return root.status();
  if (*root == cp.root) return c;
  c.verdict = Verdict::kInconsistent;
  c.reason = "size " + std::to_string(cp.size) + ": root " +
             ledger::ToBase64(cp.root) + " != held root " +
             ledger::ToBase64(*root);
  std::vector<ledger::Hash> proof;
  if (cp.size > 0 && cp.size < held->size) {
    auto p = log.ConsistencyProof(cp.size, held->size);
    if (!p.ok()) return p.status();
    proof = *p;
  }
  c.evidence = {{"heldCheckpoint", held_note},
                {"heldRootAtSize", ledger::ToBase64(*root)},
                {"consistencyProof", HashList(proof)}};
  return c;
}

ledger::Status CheckAheadProof(uint64_t held_size,
                               const ledger::Hash& held_root,
                               const ledger::Checkpoint& cp,
                               const std::vector<ledger::Hash>& proof) {
  return ledger::merkle::VerifyConsistency(held_size, cp.size, held_root,
                                           cp.root, proof);
}

}  // namespace witness
