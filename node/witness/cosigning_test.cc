// Cosignatures collected for a checkpoint are only ever added, in the order
// the replication layer really drives the witness: a peer's checkpoint is seen
// (before it is verified), imported into a real replica log, reported
// verified; then another peer serves the same checkpoint without the first
// peer's cosignature and it is imported again. The served note must keep every
// cosignature it ever carried for that checkpoint; a new checkpoint starts a
// new set; an older one never replaces the current one.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>

#include "ledger/cosignature.h"
#include "ledger/keys.h"
#include "ledger/log.h"
#include "ledger/note.h"
#include "node/witness/cosignature_store.h"
#include "node/witness/witness.h"

namespace witness {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/udi-witness-cosigning-XXXXXX";
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

constexpr char kOrigin[] = "a.example/log";
const std::string kPeerA = "http://127.0.0.1:1";  // the origin's node
const std::string kPeerC = "http://127.0.0.1:2";  // a third witness

class CosigningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    origin_key_ = *ledger::SigningKey::Generate(kOrigin);
    c_key_ = *ledger::SigningKey::Generate("c.example/witness");
    ledger::LogOptions so;
    so.data_dir = tmp_.path() + "/source";
    so.origin = kOrigin;
    so.key = origin_key_;
    auto source = ledger::Log::Open(so);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    source_ = std::move(source).value();
    ledger::LogOptions ro;
    ro.data_dir = tmp_.path() + "/replica";
    ro.origin = kOrigin;
    ro.replica_verifier = origin_key_.verifier();
    auto replica_log = ledger::Log::Open(ro);
    ASSERT_TRUE(replica_log.ok()) << replica_log.status().ToString();
    replica_ = std::shared_ptr<ledger::Log>(std::move(replica_log).value());

    WitnessOptions o;
    o.data_dir = tmp_.path() + "/b";
    o.own_origin = "b.example/log";
    o.peers = {{kPeerA, "", ""}, {kPeerC, "", ""}};
    o.peer_cosigners = {{kPeerC, ledger::CosignerKey::Of(c_key_)}};
    auto replica = replica_;
    o.find_log = [replica](const std::string& origin) {
      return origin == kOrigin ? std::shared_ptr<const ledger::Log>(replica)
                               : nullptr;
    };
    auto w = NodeWitness::Open(o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    witness_ = std::move(*w);  // not started: no network in this test
    hooks_ = witness_->Hooks();
    witnesses_ = {witness_->cosigner(), ledger::CosignerKey::Of(c_key_)};
  }

  // Appends one participant to the source log.
  void Grow() {
    static int n = 0;
    ledger::Participant p{
        "0614141000005", "p" + std::to_string(n++), "manufacturer",
        ledger::SigningKey::Generate("p")->verifier().ToText(), false};
    ASSERT_TRUE(source_->AppendParticipant(p, 1000).ok());
  }

  // The source's current checkpoint as peer C serves it: cosigned by C.
  std::string ServedByC() const {
    auto note = *ledger::SignedNote::Parse(source_->SignedCheckpoint());
    ledger::AddCosignature(&note, c_key_, 1700000000);
    return note.ToString();
  }

  // What SyncLogFromPeer does with a note a peer served: seen, imported
  // (entries from the replica's size up to the note's), verified.
  void Replicate(const std::string& note, const std::string& peer) {
    hooks_.on_checkpoint_seen(kOrigin, note, peer);
    std::vector<std::string> entries;
    if (uint64_t missing = source_->Size() - replica_->Size(); missing > 0) {
      auto read = source_->ReadEntries(replica_->Size(), missing);
      ASSERT_TRUE(read.ok()) << read.status().ToString();
      for (auto& e : *read) entries.push_back(e.bytes);
    }
    auto st = replica_->ImportEntries(entries, note);
    ASSERT_TRUE(st.ok()) << st.ToString();
    hooks_.on_verified(kOrigin, replica_->SignedCheckpoint());
  }

  // Valid cosignatures on the note this node serves for the origin.
  size_t ServedCount() const {
    auto served = ledger::SignedNote::Parse(
        witness_->Cosigned(kOrigin, replica_->SignedCheckpoint()));
    EXPECT_TRUE(served.ok());
    auto count = ledger::CountCosignatures(*served, witnesses_);
    EXPECT_TRUE(count.invalid.empty()) << count.invalid.front();
    return count.valid.size();
  }

  TempDir tmp_;
  ledger::SigningKey origin_key_, c_key_;
  std::unique_ptr<ledger::Log> source_;
  std::shared_ptr<ledger::Log> replica_;
  std::unique_ptr<NodeWitness> witness_;
  replication::Hooks hooks_;
  std::vector<ledger::CosignerKey> witnesses_;
};

TEST_F(CosigningTest, ReimportWithoutAPeersCosignatureKeepsIt) {
  Grow();
  Grow();
  // Peer C serves the new checkpoint with its cosignature before this node
  // has verified it; then the origin itself serves it bare.
  Replicate(ServedByC(), kPeerC);
  EXPECT_EQ(ServedCount(), 2u);
  Replicate(source_->SignedCheckpoint(), kPeerA);
  EXPECT_EQ(ServedCount(), 2u)
      << "a collected cosignature was lost:\n"
      << witness_->Cosigned(kOrigin, replica_->SignedCheckpoint());
  // Same again in the other order.
  Replicate(ServedByC(), kPeerC);
  Replicate(source_->SignedCheckpoint(), kPeerA);
  EXPECT_EQ(ServedCount(), 2u);

  // A new checkpoint starts a new set: this node's cosignature only, until C
  // cosigns it too.
  Grow();
  Replicate(source_->SignedCheckpoint(), kPeerA);
  EXPECT_EQ(ServedCount(), 1u);
  Replicate(ServedByC(), kPeerC);
  EXPECT_EQ(ServedCount(), 2u);
  Replicate(source_->SignedCheckpoint(), kPeerA);
  EXPECT_EQ(ServedCount(), 2u);
}

TEST_F(CosigningTest, ABadLineUnderAKnownCosignersNameIsNotServed) {
  Grow();
  auto note = *ledger::SignedNote::Parse(ServedByC());
  note.signatures.back().signature[10] ^= 1;  // C's line no longer verifies
  Replicate(note.ToString(), kPeerC);
  std::string served =
      witness_->Cosigned(kOrigin, replica_->SignedCheckpoint());
  auto parsed = ledger::SignedNote::Parse(served);
  ASSERT_TRUE(parsed.ok());
  auto count = ledger::CountCosignatures(*parsed, witnesses_);
  EXPECT_TRUE(count.invalid.empty()) << served;
  EXPECT_EQ(count.valid.size(), 1u) << served;  // this node's own
  // The origin's signature is still there.
  EXPECT_TRUE(ledger::OpenCheckpoint(served, origin_key_.verifier()).ok());
}

// The store on its own: sets only grow for one checkpoint and only move
// forward; cosignatures collected for a checkpoint ahead are kept for it.
TEST(CosignatureStoreOrderTest, OnlyForwardAndOnlyAdded) {
  TempDir tmp;
  auto opened = CosignatureStore::Open(tmp.path() + "/cosigned.json");
  ASSERT_TRUE(opened.ok());
  auto& store = *opened;
  auto w1 = *ledger::SigningKey::Generate("w1");
  auto w2 = *ledger::SigningKey::Generate("w2");
  auto w3 = *ledger::SigningKey::Generate("w3");
  const std::string t5 = "o\n5\nAAAA\n", t6 = "o\n6\nBBBB\n",
                    t5b = "o\n5\nCCCC\n", t7 = "o\n7\nDDDD\n";
  struct Step {
    std::string what;
    std::function<bool()> run;
    bool want;
    std::string current;
    size_t signatures;  // held for `current`
  };
  const Step steps[] = {
      {"w2 ahead of anything",
       [&] { return store->Collect("o", t5, ledger::Cosign(t5, w2, 1)); },
       false, "", 0},
      {"witness t5: w2's early line kept",
       [&] { return store->Witnessed("o", t5, ledger::Cosign(t5, w1, 2)); },
       true, t5, 2},
      {"w3 collected for t5",
       [&] { return store->Collect("o", t5, ledger::Cosign(t5, w3, 3)); }, true,
       t5, 3},
      {"w1 again for t5: replaces its line, loses none",
       [&] { return store->Witnessed("o", t5, ledger::Cosign(t5, w1, 4)); },
       true, t5, 3},
      {"same size, other text: ignored",
       [&] { return store->Witnessed("o", t5b, ledger::Cosign(t5b, w1, 5)); },
       false, t5, 3},
      {"w2 for t7 (ahead)",
       [&] { return store->Collect("o", t7, ledger::Cosign(t7, w2, 6)); },
       false, t5, 3},
      {"w3 for t6: older than the one ahead, dropped",
       [&] { return store->Collect("o", t6, ledger::Cosign(t6, w3, 7)); },
       false, t5, 3},
      {"track t7: starts with w2", [&] { return store->Track("o", t7); }, true,
       t7, 1},
      {"witness t6 (older): ignored",
       [&] { return store->Witnessed("o", t6, ledger::Cosign(t6, w1, 8)); },
       false, t7, 1},
      {"collect for t5 (older): ignored",
       [&] { return store->Collect("o", t5, ledger::Cosign(t5, w3, 9)); },
       false, t7, 1},
  };
  for (const auto& s : steps) {
    SCOPED_TRACE(s.what);
    EXPECT_EQ(s.run(), s.want);
    EXPECT_EQ(store->Text("o"), s.current);
    EXPECT_EQ(store->For("o", s.current).size(), s.signatures);
  }
  ASSERT_TRUE(store->Flush().ok());
  auto reopened = CosignatureStore::Open(tmp.path() + "/cosigned.json");
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->Text("o"), t7);
  EXPECT_EQ((*reopened)->For("o", t7).size(), 1u);
}

}  // namespace
}  // namespace witness
