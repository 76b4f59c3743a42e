#include "node/witness/split_view.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "ledger/keys.h"
#include "ledger/merkle.h"

namespace witness {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/udi-witness-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A log under `key` holding `n` registry entries whose names start with
// `prefix` (two logs with different prefixes share no history).
std::unique_ptr<ledger::Log> MakeLog(const std::string& dir,
                                     const ledger::SigningKey& key,
                                     const std::string& prefix, int n) {
  ledger::LogOptions o;
  o.data_dir = dir;
  o.origin = key.name();
  o.key = key;
  auto log = ledger::Log::Open(o);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  for (int i = 0; i < n; ++i) {
    ledger::Participant p;
    p.gln = "0614141000005";
    p.name = prefix + std::to_string(i);
    p.role = "manufacturer";
    p.verifier_key = ledger::SigningKey::Generate(p.name)->verifier().ToText();
    EXPECT_TRUE((*log)->AppendParticipant(p, 1000 + i).ok());
  }
  return std::move(*log);
}

ledger::Checkpoint CheckpointOf(const ledger::Log& log) {
  auto note = ledger::SignedNote::Parse(log.SignedCheckpoint());
  return *ledger::Checkpoint::Parse(note->text);
}

TEST(SplitViewTest, ComparesAgainstTheHeldLog) {
  TempDir tmp;
  auto key = *ledger::SigningKey::Generate("origin.example/log");
  auto held = MakeLog(tmp.path() + "/held", key, "a", 6);
  auto forked = MakeLog(tmp.path() + "/forked", key, "b", 6);
  auto longer = MakeLog(tmp.path() + "/longer", key, "a", 0);

  ledger::Checkpoint same = CheckpointOf(*held);
  ledger::Checkpoint fork = CheckpointOf(*forked);
  ledger::Checkpoint smaller_ok = same;
  smaller_ok.size = 3;
  smaller_ok.root = *held->RootAt(3);
  ledger::Checkpoint smaller_fork = smaller_ok;
  smaller_fork.root = *forked->RootAt(3);
  ledger::Checkpoint ahead = same;
  ahead.size = 9;

  struct Case {
    const char* name;
    ledger::Checkpoint cp;
    bool own;
    Verdict want;
    std::string reason_part;
  };
  const Case cases[] = {
      {"same size, same root", same, false, Verdict::kConsistent, ""},
      {"same size, other root", fork, false, Verdict::kInconsistent,
       "size 6: root "},
      {"smaller, held prefix", smaller_ok, false, Verdict::kConsistent, ""},
      {"smaller, other prefix", smaller_fork, false, Verdict::kInconsistent,
       "size 3: root "},
      {"larger replica: needs a proof", ahead, false, Verdict::kAhead, ""},
      {"larger than the own log", ahead, true, Verdict::kInconsistent,
       "size 9 is beyond the origin's own log (size 6)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = CompareWithLog(*held, c.cp, c.own);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->verdict, c.want);
    EXPECT_EQ(r->held_size, 6u);
    EXPECT_NE(r->reason.find(c.reason_part), std::string::npos) << r->reason;
    if (c.want == Verdict::kInconsistent) {
      EXPECT_EQ(r->evidence["heldCheckpoint"], held->SignedCheckpoint());
    }
  }
}

TEST(SplitViewTest, EvidenceProvesTheHeldRootAtTheConflictingSize) {
  // A third party holding only the held signed checkpoint can check the
  // evidence: the proof links the held root at size 3 to the signed size 6.
  TempDir tmp;
  auto key = *ledger::SigningKey::Generate("origin.example/log");
  auto held = MakeLog(tmp.path() + "/held", key, "a", 6);
  auto forked = MakeLog(tmp.path() + "/forked", key, "b", 3);
  auto r = CompareWithLog(*held, CheckpointOf(*forked), false);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->verdict, Verdict::kInconsistent);
  auto held_at =
      ledger::HashFromBase64(r->evidence["heldRootAtSize"].get<std::string>());
  ASSERT_TRUE(held_at);
  std::vector<ledger::Hash> proof;
  for (const auto& h : r->evidence["consistencyProof"])
    proof.push_back(*ledger::HashFromBase64(h.get<std::string>()));
  EXPECT_TRUE(ledger::merkle::VerifyConsistency(3, 6, *held_at,
                                                CheckpointOf(*held).root, proof)
                  .ok());
  EXPECT_NE(*held_at, CheckpointOf(*forked).root);
}

TEST(SplitViewTest, AheadProofMustLinkTheHeldTree) {
  TempDir tmp;
  auto key = *ledger::SigningKey::Generate("origin.example/log");
  auto big = MakeLog(tmp.path() + "/big", key, "a", 7);
  auto forked = MakeLog(tmp.path() + "/forked", key, "b", 7);
  ledger::Checkpoint cp = CheckpointOf(*big);
  ledger::Hash held_root = *big->RootAt(4);
  auto proof = *big->ConsistencyProof(4, 7);
  EXPECT_TRUE(CheckAheadProof(4, held_root, cp, proof).ok());
  auto other = *forked->ConsistencyProof(4, 7);
  EXPECT_TRUE(CheckAheadProof(4, held_root, CheckpointOf(*forked), other)
                  .IsCorruption());
  EXPECT_TRUE(CheckAheadProof(4, held_root, cp, other).IsCorruption());
}

}  // namespace
}  // namespace witness
