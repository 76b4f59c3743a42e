// Log::ImportEntries and replica mode: real logs in temp dirs, imported whole,
// in chunks, across reopen, into a replica and into an empty own log
// (recovery), and every tampering refused with its reason and nothing stored.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "ledger/jcs.h"
#include "ledger/log.h"
#include "ledger/log/log_entry.h"
#include "ledger/log/log_testing.h"
#include "ledger/log_pipeline.h"
#include "ledger/merkle.h"

namespace ledger {
namespace {

using logtesting::MakeParticipant;
using logtesting::SignAndPrepare;
using logtesting::TestKey;

constexpr int64_t kNow = 1795680000123;
constexpr char kOrigin[] = "udi-ledger.example/source";

// A checkpoint note over `entries` (their leaf hashes), signed by `key`.
std::string NoteOver(const std::vector<std::string>& entries,
                     const SigningKey& key,
                     const std::string& origin = kOrigin) {
  std::vector<Hash> leaves;
  for (const auto& e : entries) leaves.push_back(merkle::LeafHash(e));
  return SignCheckpoint(
      Checkpoint{origin, leaves.size(), merkle::RootFromLeafHashes(leaves), {}},
      key);
}

// Entry bytes of an event signed by `signer`, chained after `entries`.
std::string ForgedEventEntry(const std::vector<std::string>& entries,
                             const nlohmann::json& event,
                             const SigningKey& signer) {
  PreparedEvent p = SignAndPrepare(event, signer);
  return logentry::EventEntryBytes(
      entries.size(), merkle::LeafHash(entries.back()),
      logentry::FormatReceivedAt(kNow), p.envelope, p.canonical_event);
}

// Parses entry bytes, lets `edit` change the JSON and re-serialises (JCS).
std::string EditEntry(const std::string& bytes,
                      const std::function<void(nlohmann::json*)>& edit) {
  auto j = nlohmann::json::parse(bytes);
  edit(&j);
  auto out = CanonicalizeJson(j);
  EXPECT_TRUE(out.ok());
  return out.ok() ? *out : std::string();
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = logtesting::MakeTempDir("import");
    BuildSource();
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  std::string Dir(const std::string& name) const { return base_ + "/" + name; }
  LogOptions OwnOptions(const std::string& dir) const {
    LogOptions o;
    o.data_dir = dir;
    o.origin = kOrigin;
    o.key = source_key_;
    return o;
  }
  LogOptions ReplicaOptions(const std::string& dir,
                            const std::string& origin = kOrigin) const {
    LogOptions o;
    o.data_dir = dir;
    o.origin = origin;
    // o.key stays empty: a replica holds no key of its origin.
    o.replica_verifier = source_key_.verifier();
    return o;
  }
  static std::unique_ptr<Log> OpenOk(LogOptions o) {
    auto log = Log::Open(std::move(o));
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }

  // The source: participants, events, a query record and a revocation.
  void BuildSource() {
    auto log = OpenOk(OwnOptions(Dir("source")));
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->AppendParticipant(MakeParticipant(acme_), kNow).ok());
    ASSERT_TRUE(
        log->AppendParticipant(
               MakeParticipant(bob_, "0614141000005", "distributor"), kNow)
            .ok());
    auto events =
        logtesting::ReadJsonFile(std::string(UDI_TESTDATA) + "/events.json");
    std::vector<PreparedEvent> prepared;
    for (const auto& e : events) prepared.push_back(SignAndPrepare(e, acme_));
    prepared.push_back(
        SignAndPrepare(logtesting::SyntheticEvent(1, "bob"), bob_));
    auto out = log->AppendEvents(std::move(prepared), kNow);
    ASSERT_TRUE(out.ok());
    for (const auto& o : *out) ASSERT_EQ(o.status, AppendStatus::kAccepted);
    ASSERT_TRUE(log->AppendQuery({{"caller", "auditor-1"},
                                  {"method", "GET"},
                                  {"target", "/v1/trace/x"}},
                                 kNow)
                    .ok());
    Participant revoked = MakeParticipant(bob_, "0614141000005", "distributor");
    revoked.revoked = true;
    ASSERT_TRUE(log->AppendParticipant(revoked, kNow).ok());
    auto all = log->ReadEntries(0, 1000);
    ASSERT_TRUE(all.ok());
    for (const auto& e : *all) entries_.push_back(e.bytes);
    note_ = log->SignedCheckpoint();
    root_ = log->LatestCheckpoint().root;
    ASSERT_EQ(entries_.size(), 10u);
  }
  std::vector<std::string> Slice(size_t from, size_t to) const {
    return std::vector<std::string>(entries_.begin() + from,
                                    entries_.begin() + to);
  }

  std::string base_;
  SigningKey source_key_ = TestKey(kOrigin, 1);
  SigningKey acme_ = TestKey("acme", 2);
  SigningKey bob_ = TestKey("bob", 3);
  std::vector<std::string> entries_;
  std::string note_;
  Hash root_{};
};

TEST_F(ImportTest, AReplicaImportsAWholeLogAndAnswersLikeTheSource) {
  auto replica = OpenOk(ReplicaOptions(Dir("replica")));
  ASSERT_TRUE(replica);
  EXPECT_TRUE(replica->is_replica());
  EXPECT_EQ(replica->SignedCheckpoint(), "");
  ASSERT_TRUE(replica->ImportEntries(entries_, note_).ok());
  EXPECT_EQ(replica->Size(), entries_.size());
  EXPECT_EQ(replica->LatestCheckpoint().root, root_);
  EXPECT_EQ(replica->SignedCheckpoint(), note_);
  EXPECT_EQ(replica->verifier().ToText(), source_key_.verifier().ToText());
  for (size_t i = 0; i < entries_.size(); ++i) {
    auto e = replica->ReadEntry(i);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->bytes, entries_[i]);
  }
  // Indexes are those the source built.
  auto own = Log::Open(OwnOptions(Dir("source")));
  ASSERT_TRUE(own.ok());
  for (auto [kind, key] : std::vector<std::pair<IndexKind, std::string>>{
           {IndexKind::kSigner, acme_.verifier().KeyId()},
           {IndexKind::kSigner, bob_.verifier().KeyId()},
           {IndexKind::kBizStep, "shipping"},
           {IndexKind::kEpc, "01/80614141123458/21/bob-1"}}) {
    SCOPED_TRACE(key);
    auto want = (*own)->ScanIndex(kind, key, 0, 100);
    auto got = replica->ScanIndex(kind, key, 0, 100);
    ASSERT_TRUE(want.ok() && got.ok());
    EXPECT_FALSE(want->empty());
    EXPECT_EQ(*got, *want);
  }
  EXPECT_EQ(replica->Participants().size(), 2u);
  EXPECT_TRUE(replica->LookupSigner(bob_.verifier().KeyId())->revoked);
  // A replica is written only by imports.
  auto ev = replica->AppendEvents(
      {SignAndPrepare(logtesting::SyntheticEvent(9, "x"), acme_)}, kNow);
  EXPECT_EQ(ev.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(
      replica->AppendParticipant(MakeParticipant(bob_), kNow).status().code(),
      Status::Code::kFailedPrecondition);
  EXPECT_EQ(
      replica->AppendQuery(nlohmann::json::object(), kNow).status().code(),
      Status::Code::kFailedPrecondition);
  replica.reset();
  auto report = VerifyDataDir(Dir("replica"), source_key_.verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->size, entries_.size());
  EXPECT_EQ(report->root, root_);
}

TEST_F(ImportTest, ChunksAcrossReopenWithCosignedCheckpoints) {
  const SigningKey witness = TestKey("witness.example", 7);
  const std::vector<size_t> cuts = {0, 1, 4, 4, 9, 10};
  for (size_t c = 1; c < cuts.size(); ++c) {
    SCOPED_TRACE(cuts[c]);
    auto replica = OpenOk(ReplicaOptions(Dir("replica")));
    ASSERT_TRUE(replica);
    ASSERT_EQ(replica->Size(), cuts[c - 1]);
    auto note = SignedNote::Parse(NoteOver(Slice(0, cuts[c]), source_key_));
    ASSERT_TRUE(note.ok());
    AddSignature(&*note, witness);  // cosignatures are ignored
    Status s =
        replica->ImportEntries(Slice(cuts[c - 1], cuts[c]), note->ToString());
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(replica->SignedCheckpoint(), note->ToString());
  }
  auto report = VerifyDataDir(Dir("replica"), source_key_.verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->root, root_);
}

TEST_F(ImportTest, ReopeningAReplicaNeedsItsVerifier) {
  ASSERT_TRUE(OpenOk(ReplicaOptions(Dir("replica"))));
  struct Case {
    const char* name;
    LogOptions options;
    const char* want;
  } cases[] = {
      {"as own log", OwnOptions(Dir("replica")),
       "is a replica of origin 'udi-ledger.example/source'"},
      {"another verifier",
       [&] {
         LogOptions o = ReplicaOptions(Dir("replica"));
         o.replica_verifier = acme_.verifier();
         return o;
       }(),
       "was created with checkpoint key"},
      {"own dir as replica", ReplicaOptions(Dir("source")),
       "holds a node's own log"},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto log = Log::Open(c.options);
    ASSERT_FALSE(log.ok());
    EXPECT_EQ(log.status().code(), Status::Code::kFailedPrecondition);
    EXPECT_NE(log.status().message().find(c.want), std::string::npos)
        << log.status().message();
  }
}

TEST_F(ImportTest, AnEmptyOwnLogRecoversByImportAndContinues) {
  auto log = OpenOk(OwnOptions(Dir("recovered")));
  ASSERT_TRUE(log);
  EXPECT_FALSE(log->is_replica());
  ASSERT_TRUE(log->ImportEntries(entries_, note_).ok());
  auto out = log->AppendEvents(
      {SignAndPrepare(logtesting::SyntheticEvent(2, "after"), acme_)}, kNow);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ((*out)[0].status, AppendStatus::kAccepted) << (*out)[0].error;
  EXPECT_EQ((*out)[0].index, entries_.size());
  // bob was revoked by an imported entry.
  out = log->AppendEvents(
      {SignAndPrepare(logtesting::SyntheticEvent(3, "bob"), bob_)}, kNow);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].status, AppendStatus::kRejected);
  log.reset();
  auto report = VerifyDataDir(Dir("recovered"), source_key_.verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->size, entries_.size() + 1);
}

TEST_F(ImportTest, TamperedImportsAreRefusedWithTheirReasonAndStoreNothing) {
  const SigningKey mallory = TestKey("mallory", 5);
  const SigningKey other_node = TestKey(kOrigin, 6);  // same name, other key
  struct Case {
    const char* name;
    std::function<std::vector<std::string>()> entries;
    std::function<std::string(const std::vector<std::string>&)> note;
    const char* want;
  };
  auto all = [&] { return entries_; };
  auto good_note = [&](const std::vector<std::string>& e) {
    return NoteOver(e, source_key_);
  };
  auto with = [&](size_t i, std::string bytes) {
    return [this, i, bytes] {
      auto e = Slice(0, i);
      e.push_back(bytes);
      return e;
    };
  };
  Case cases[] = {
      {"altered byte",
       [&] {
         auto e = entries_;
         const size_t at = e[3].find("\"eventTime\":\"2026-11-2");
         e[3][at + 22] = e[3][at + 22] == '1' ? '2' : '1';
         return e;
       },
       good_note, "entry 3: signature"},
      {"wrong index",
       with(4, EditEntry(entries_[4], [](auto* j) { (*j)["index"] = 5; })),
       good_note, "entry 4: index: 5 != 4"},
      {"broken prevHash",
       with(4, EditEntry(
                   entries_[4],
                   [](auto* j) { (*j)["prevHash"] = std::string(64, 'a'); })),
       good_note, "entry 4: prev hash mismatch"},
      {"non-canonical JSON", with(4, std::string(" ") + entries_[4]), good_note,
       "entry 4: not in JCS canonical form"},
      {"bad signature",
       with(4, EditEntry(entries_[4],
                         [&](auto* j) {
                           (*j)["envelope"]["signature"] =
                               nlohmann::json::parse(
                                   entries_[3])["envelope"]["signature"];
                         })),
       good_note, "entry 4: signature"},
      {"unregistered signer",
       with(4, ForgedEventEntry(Slice(0, 4), logtesting::SyntheticEvent(5, "m"),
                                mallory)),
       good_note, "entry 4: signer mallory+"},
      {"revoked signer",
       [&] {
         auto e = entries_;
         e.push_back(
             ForgedEventEntry(e, logtesting::SyntheticEvent(6, "bob"), bob_));
         return e;
       },
       good_note, "entry 10: signer bob+"},
      {"duplicate event",
       [&] {
         auto e = entries_;
         PreparedEvent p =
             SignAndPrepare(logtesting::SyntheticEvent(1, "bob"), acme_);
         // The same event as entry 7 (the event id does not depend on the
         // signer).
         e.push_back(logentry::EventEntryBytes(
             e.size(), merkle::LeafHash(e.back()),
             logentry::FormatReceivedAt(kNow), p.envelope, p.canonical_event));
         return e;
       },
       good_note, "is already logged at entry 7"},
      {"checkpoint signed by another key", all,
       [&](const auto& e) { return NoteOver(e, other_node); }, "checkpoint: "},
      {"wrong origin", all,
       [&](const auto& e) { return NoteOver(e, source_key_, "elsewhere"); },
       "checkpoint: origin 'elsewhere' is not this log's origin"},
      {"wrong root", all,
       [&](const auto& e) {
         auto changed = e;
         changed[0] = changed[1];
         return NoteOver(changed, source_key_);
       },
       "checkpoint: root does not match entries 0..9"},
      {"checkpoint size not matching the entries", all,
       [&](const auto& e) {
         return NoteOver(std::vector<std::string>(e.begin(), e.end() - 1),
                         source_key_);
       },
       "checkpoint: size 9 does not match the log extended by the entries "
       "(0 + 10 = 10)"},
      {"not a note", all, [](const auto&) { return std::string("hello\n"); },
       "checkpoint: "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string dir = Dir(std::string("t-") + c.name);
    auto replica = OpenOk(ReplicaOptions(dir));
    ASSERT_TRUE(replica);
    const auto entries = c.entries();
    Status s = replica->ImportEntries(entries, c.note(entries));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
    EXPECT_NE(s.message().find(c.want), std::string::npos) << s.message();
    EXPECT_EQ(replica->Size(), 0u);
    EXPECT_EQ(replica->SignedCheckpoint(), "");
    replica.reset();
    auto report = VerifyDataDir(dir, source_key_.verifier());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->size, 0u);  // and no stray key (VerifyDataDir counts)
  }
}

// The checks keep the last verifier key they parsed and the last receivedAt
// that passed (per thread): an entry right after one that filled them is still
// checked against its own signer's key and its own receivedAt. Batches this
// small are checked on the calling thread, so the entry before fills them.
TEST_F(ImportTest, ChecksAfterAnEntryOfAnotherSignerOrTimeStillRun) {
  const std::string bob_id = bob_.verifier().KeyId();
  struct Case {
    const char* name;
    size_t after;  // entries_[0, after) come first; the last is valid
    std::function<void(nlohmann::json*)> edit;
    const char* want;
  };
  const Case cases[] = {
      // entries_[2] is acme's: the cached key is acme's, the claim is bob's.
      {"acme-signed event claiming bob after an acme event", 3,
       [&](auto* j) { (*j)["envelope"]["signer"] = bob_id; }, ": signature"},
      {"receivedAt without milliseconds after a valid one", 3,
       [](auto* j) { (*j)["receivedAt"] = "2026-11-26T10:00:00Z"; },
       ": receivedAt '2026-11-26T10:00:00Z' is not RFC 3339 UTC"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto e = Slice(0, c.after);
    e.push_back(EditEntry(
        ForgedEventEntry(e, logtesting::SyntheticEvent(9, "acme"), acme_),
        c.edit));
    auto replica = OpenOk(ReplicaOptions(Dir(std::string("r-") + c.name)));
    ASSERT_TRUE(replica);
    Status s = replica->ImportEntries(e, NoteOver(e, source_key_));
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
    EXPECT_NE(s.message().find("entry " + std::to_string(c.after) + c.want),
              std::string::npos)
        << s.message();
    EXPECT_EQ(replica->Size(), 0u);
    // Without the edit the same entry is accepted.
    e.back() = ForgedEventEntry(Slice(0, c.after),
                                logtesting::SyntheticEvent(9, "acme"), acme_);
    Status ok = replica->ImportEntries(e, NoteOver(e, source_key_));
    EXPECT_TRUE(ok.ok()) << ok.ToString();
  }
}

TEST_F(ImportTest, ImportIntoADirOfAnotherOriginIsRefused) {
  auto replica = OpenOk(ReplicaOptions(Dir("other"), "udi-ledger.example/b"));
  ASSERT_TRUE(replica);
  Status s = replica->ImportEntries(entries_, note_);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("checkpoint: origin 'udi-ledger.example/source' "
                             "is not this log's origin "
                             "'udi-ledger.example/b'"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(replica->Size(), 0u);
}

TEST_F(ImportTest, AnEmptyImportOnlyReplacesTheNoteForTheSameRoot) {
  auto replica = OpenOk(ReplicaOptions(Dir("replica")));
  ASSERT_TRUE(replica);
  ASSERT_TRUE(
      replica->ImportEntries(Slice(0, 4), NoteOver(Slice(0, 4), source_key_))
          .ok());
  auto cosigned = SignedNote::Parse(NoteOver(Slice(0, 4), source_key_));
  ASSERT_TRUE(cosigned.ok());
  AddSignature(&*cosigned, TestKey("witness.example", 7));
  ASSERT_TRUE(replica->ImportEntries({}, cosigned->ToString()).ok());
  EXPECT_EQ(replica->SignedCheckpoint(), cosigned->ToString());
  Status s = replica->ImportEntries({}, NoteOver(Slice(0, 3), source_key_));
  EXPECT_NE(s.message().find("checkpoint: size 3"), std::string::npos)
      << s.message();
  EXPECT_EQ(replica->SignedCheckpoint(), cosigned->ToString());
}

// --- ImportPrefix: bounded-memory catch-up (spec/log-format.md §2b) ---

class PrefixTest : public ImportTest {
 protected:
  void SetUp() override {
    ImportTest::SetUp();
    // 40 more events, so that one import is checked on several threads.
    auto log = OpenOk(OwnOptions(Dir("source")));
    ASSERT_TRUE(log);
    std::vector<PreparedEvent> more;
    for (int i = 0; i < 40; ++i)
      more.push_back(
          SignAndPrepare(logtesting::SyntheticEvent(i, "more"), acme_));
    ASSERT_TRUE(log->AppendEvents(std::move(more), kNow).ok());
    auto all = log->ReadEntries(0, 1000);
    ASSERT_TRUE(all.ok());
    entries_.clear();
    for (const auto& e : *all) entries_.push_back(e.bytes);
    note_ = log->SignedCheckpoint();
    root_ = log->LatestCheckpoint().root;
    ASSERT_EQ(entries_.size(), 50u);
  }
  // The source's consistency proof from `from` to `to` (what
  // GET /v1/logs/{origin}/proof/consistency serves).
  std::vector<Hash> Proof(uint64_t from, uint64_t to) {
    auto log = OpenOk(OwnOptions(Dir("source")));
    if (!log) return {};
    auto p = log->ConsistencyProof(from, to);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : std::vector<Hash>();
  }
};

TEST_F(PrefixTest, ChunksVerifyResumeAfterReopenAndServeOnlyReachedNotes) {
  const uint64_t n = entries_.size();
  // An exact import first, so that the replica serves a note of size 4.
  const std::string note4 = NoteOver(Slice(0, 4), source_key_);
  {
    auto replica = OpenOk(ReplicaOptions(Dir("replica")));
    ASSERT_TRUE(replica);
    ASSERT_TRUE(replica->ImportPrefix(Slice(0, 4), note4, {}).ok());
    EXPECT_EQ(replica->SignedCheckpoint(), note4);
  }
  // Then chunks of the note of size 50: the middle ones are prefixes.
  const std::vector<uint64_t> cuts = {4, 6, 45, 45, 50};
  for (size_t c = 1; c < cuts.size(); ++c) {
    SCOPED_TRACE(cuts[c]);
    auto replica = OpenOk(ReplicaOptions(Dir("replica")));  // resume
    ASSERT_TRUE(replica);
    ASSERT_EQ(replica->Size(), cuts[c - 1]);
    const std::vector<Hash> proof =
        cuts[c] == n ? std::vector<Hash>() : Proof(cuts[c], n);
    Status s = replica->ImportPrefix(Slice(cuts[c - 1], cuts[c]), note_, proof);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(replica->Size(), cuts[c]);
    if (cuts[c] < n) {
      // Still the note of size 4, whose root is that of the first 4 entries.
      EXPECT_EQ(replica->SignedCheckpoint(), note4);
      EXPECT_EQ(replica->LatestCheckpoint().size, 4u);
      EXPECT_EQ(*replica->RootAt(4), replica->LatestCheckpoint().root);
      // Entries of a prefix chunk are readable and indexed.
      auto last = replica->ReadEntry(cuts[c] - 1);
      ASSERT_TRUE(last.ok());
      EXPECT_EQ(last->bytes, entries_[cuts[c] - 1]);
    } else {
      EXPECT_EQ(replica->SignedCheckpoint(), note_);
      EXPECT_EQ(replica->LatestCheckpoint().root, root_);
    }
    replica.reset();
    // Stopped mid-catch-up, the dir verifies.
    auto report = VerifyDataDir(Dir("replica"), source_key_.verifier());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->size, cuts[c]);
  }
  auto replica = OpenOk(ReplicaOptions(Dir("replica")));
  ASSERT_TRUE(replica);
  auto found = replica->ScanIndex(IndexKind::kEpc,
                                  "01/80614141123458/21/more-39", 0, 10);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, std::vector<uint64_t>{49});
}

TEST_F(PrefixTest, AFreshReplicaServesNoNoteUntilItReachesOne) {
  auto replica = OpenOk(ReplicaOptions(Dir("replica")));
  ASSERT_TRUE(replica);
  ASSERT_TRUE(replica->ImportPrefix(Slice(0, 45), note_, Proof(45, 50)).ok());
  EXPECT_EQ(replica->Size(), 45u);
  EXPECT_EQ(replica->SignedCheckpoint(), "");
  EXPECT_EQ(replica->LatestCheckpoint().size, 0u);
  replica.reset();
  auto report = VerifyDataDir(Dir("replica"), source_key_.verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  replica = OpenOk(ReplicaOptions(Dir("replica")));
  ASSERT_TRUE(replica);
  ASSERT_EQ(replica->Size(), 45u);
  // n == 0 only checks that the log is a prefix of the note.
  EXPECT_TRUE(replica->ImportPrefix({}, note_, Proof(45, 50)).ok());
  EXPECT_EQ(replica->SignedCheckpoint(), "");
  ASSERT_TRUE(replica->ImportPrefix(Slice(45, 50), note_, {}).ok());
  EXPECT_EQ(replica->SignedCheckpoint(), note_);
}

TEST_F(PrefixTest, RefusalsNameTheReasonAndStoreNothing) {
  const SigningKey mallory = TestKey("mallory", 5);
  const SigningKey other_node = TestKey(kOrigin, 6);
  struct Case {
    const char* name;
    uint64_t from, to;  // the chunk imported after the first 20 entries
    std::function<std::vector<std::string>()> entries;
    std::function<std::string()> note;
    std::function<std::vector<Hash>()> proof;
    Status::Code code;
    const char* want;
  };
  auto chunk = [this](uint64_t from, uint64_t to) {
    return [this, from, to] { return Slice(from, to); };
  };
  auto note = [this] { return note_; };
  Case cases[] = {
      {"wrong proof", 20, 30, chunk(20, 30), note,
       [&] {
         auto p = Proof(30, 50);
         p[0][0] ^= 1;
         return p;
       },
       Status::Code::kInvalidArgument,
       "checkpoint: consistency proof: computed old root"},
      {"proof for another size", 20, 30, chunk(20, 30), note,
       [&] { return Proof(31, 50); }, Status::Code::kInvalidArgument,
       "checkpoint: consistency proof: "},
      {"proof for another checkpoint", 20, 30, chunk(20, 30),
       [&] { return NoteOver(Slice(0, 40), source_key_); },
       [&] { return Proof(30, 50); }, Status::Code::kInvalidArgument,
       "checkpoint: consistency proof: "},
      {"tampered entry in a middle chunk", 20, 30,
       [&] {
         auto e = Slice(20, 30);
         // Another event signed by the same key: chain and signature of the
         // altered entry break.
         e[5] = EditEntry(e[5], [&](auto* j) {
           (*j)["envelope"]["event"]["bizStep"] = "receiving";
         });
         return e;
       },
       note, [&] { return Proof(30, 50); }, Status::Code::kInvalidArgument,
       "entry 25: signature"},
      {"an entry missing in the chunk", 20, 30,
       [&] {
         auto e = Slice(20, 30);
         e.erase(e.begin() + 3);
         return e;
       },
       note, [&] { return Proof(29, 50); }, Status::Code::kInvalidArgument,
       "entry 23: index: 24 != 23"},
      {"unregistered signer in a prefix", 20, 21,
       [&] {
         return std::vector<std::string>{ForgedEventEntry(
             Slice(0, 20), logtesting::SyntheticEvent(5, "m"), mallory)};
       },
       note, [&] { return Proof(21, 50); }, Status::Code::kInvalidArgument,
       "entry 20: signer mallory+"},
      {"checkpoint smaller than the chunk", 20, 30, chunk(20, 30),
       [&] { return NoteOver(Slice(0, 25), source_key_); },
       [] { return std::vector<Hash>(); }, Status::Code::kInvalidArgument,
       "checkpoint: size 25 is smaller than the log extended by the entries "
       "(20 + 10 = 30)"},
      {"proof given for the exact size", 20, 50, chunk(20, 50), note,
       [&] { return Proof(30, 50); }, Status::Code::kInvalidArgument,
       "checkpoint: consistency proof from 50 to 50: must be empty"},
      {"note signed by another key", 20, 30, chunk(20, 30),
       [&] { return NoteOver(entries_, other_node); },
       [&] { return Proof(30, 50); }, Status::Code::kInvalidArgument,
       "checkpoint: "},
      {"note of another origin", 20, 30, chunk(20, 30),
       [&] { return NoteOver(entries_, source_key_, "elsewhere"); },
       [&] { return Proof(30, 50); }, Status::Code::kInvalidArgument,
       "checkpoint: origin 'elsewhere' is not this log's origin"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string dir = Dir(std::string("p-") + c.name);
    auto replica = OpenOk(ReplicaOptions(dir));
    ASSERT_TRUE(replica);
    const std::string note20 = NoteOver(Slice(0, 20), source_key_);
    ASSERT_TRUE(replica->ImportPrefix(Slice(0, 20), note20, {}).ok());
    Status s = replica->ImportPrefix(c.entries(), c.note(), c.proof());
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), c.code) << s.ToString();
    EXPECT_NE(s.message().find(c.want), std::string::npos) << s.message();
    EXPECT_EQ(replica->Size(), 20u);
    EXPECT_EQ(replica->SignedCheckpoint(), note20);
    replica.reset();
    auto report = VerifyDataDir(dir, source_key_.verifier());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->size, 20u);  // and no stray key
  }
}

TEST_F(PrefixTest, AnOwnLogImportsOnlyUpToANoteOfItsSize) {
  auto log = OpenOk(OwnOptions(Dir("recovered")));
  ASSERT_TRUE(log);
  Status s = log->ImportPrefix(Slice(0, 30), note_, Proof(30, 50));
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("an own log imports only up to a checkpoint of "
                             "its size"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(log->Size(), 0u);
  ASSERT_TRUE(log->ImportPrefix(entries_, note_, {}).ok());
  EXPECT_EQ(log->SignedCheckpoint(), note_);
}

// One import large enough to be checked on several threads, with registry
// changes inside it: bob is registered at entry 1 and signs entry 7, then is
// revoked at entry 9; an event of bob after that is refused exactly as a
// one-thread check refuses it.
TEST_F(PrefixTest, ParallelChecksReplayTheRegistryInOrder) {
  auto replica = OpenOk(ReplicaOptions(Dir("replica")));
  ASSERT_TRUE(replica);
  auto with_bob = entries_;
  with_bob.push_back(
      ForgedEventEntry(with_bob, logtesting::SyntheticEvent(6, "bob"), bob_));
  Status s = replica->ImportEntries(with_bob, NoteOver(with_bob, source_key_));
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("entry 50: signer " + bob_.verifier().KeyId() +
                             " is revoked"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(replica->Size(), 0u);
  ASSERT_TRUE(replica->ImportEntries(entries_, note_).ok());
  EXPECT_TRUE(replica->LookupSigner(bob_.verifier().KeyId())->revoked);
  replica.reset();
  auto report = VerifyDataDir(Dir("replica"), source_key_.verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->root, root_);
}

// --- The pipelined import (ledger/log_pipeline.h) ---

// Chunks prechecked ahead, each after the previous one and before any of them
// commits, with registry changes in earlier chunks (acme and bob registered in
// the first, bob signing and revoked in the second), commit in order to the
// same log as one import.
TEST_F(PrefixTest, PrecheckedChunksCommitInOrderLikeOneImport) {
  auto replica = OpenOk(ReplicaOptions(Dir("replica")));
  ASSERT_TRUE(replica);
  const std::vector<std::pair<uint64_t, uint64_t>> cuts = {
      {0, 5}, {5, 20}, {20, 35}, {35, 50}};
  std::vector<std::shared_ptr<const PrecheckedEntries>> chunks;
  for (const auto& [from, to] : cuts) {
    chunks.push_back(
        PrecheckImport(*replica, Slice(from, to),
                       chunks.empty() ? nullptr : chunks.back().get()));
  }
  for (size_t k = 0; k < cuts.size(); ++k) {
    SCOPED_TRACE("chunk " + std::to_string(k));
    Status s = ImportPrefixChecked(
        *replica, *chunks[k], note_,
        cuts[k].second == 50 ? std::vector<Hash>() : Proof(cuts[k].second, 50));
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(replica->Size(), cuts[k].second);
  }
  EXPECT_EQ(replica->SignedCheckpoint(), note_);
  EXPECT_TRUE(replica->LookupSigner(bob_.verifier().KeyId())->revoked);
  replica.reset();
  auto report = VerifyDataDir(Dir("replica"), source_key_.verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->root, root_);
}

// A bad signature in the middle of a chunk checked while the chunk before it
// commits: that chunk is refused naming the entry, nothing of it is stored,
// and the chunk prechecked after it is refused too (checked again against the
// log's real end), so nothing after the bad entry is ever stored.
TEST_F(PrefixTest, ABadSignatureInAPipelinedChunkStopsTheImportThere) {
  auto replica = OpenOk(ReplicaOptions(Dir("replica")));
  ASSERT_TRUE(replica);
  auto bad = Slice(20, 35);
  // Entry 27 carries the signature of entry 28's event: still JCS, chained
  // (prevHash), signed by a registered key, but not over this event.
  const auto sig28 =
      nlohmann::json::parse(entries_[28])["envelope"]["signature"];
  bad[7] = EditEntry(bad[7],
                     [&](auto* j) { (*j)["envelope"]["signature"] = sig28; });
  bad[8] = EditEntry(bad[8], [&](auto* j) {
    (*j)["prevHash"] = ToHex(merkle::LeafHash(bad[7]));
  });
  auto a = PrecheckImport(*replica, Slice(0, 20), nullptr);
  auto b = PrecheckImport(*replica, bad, a.get());
  auto c = PrecheckImport(*replica, Slice(35, 50), b.get());
  ASSERT_TRUE(ImportPrefixChecked(*replica, *a, note_, Proof(20, 50)).ok());
  Status s = ImportPrefixChecked(*replica, *b, note_, Proof(35, 50));
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("entry 27: signature: does not verify"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(replica->Size(), 20u);
  s = ImportPrefixChecked(*replica, *c, note_, {});
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("entry 20: index: 35 != 20"), std::string::npos)
      << s.message();
  EXPECT_EQ(replica->Size(), 20u);
  replica.reset();
  auto report = VerifyDataDir(Dir("replica"), source_key_.verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->size, 20u);
}

// A precheck made for another state of the log is not trusted: the entries
// are checked again against the log as it is.
TEST_F(PrefixTest, APrecheckForAnotherLogStateIsCheckedAgain) {
  auto replica = OpenOk(ReplicaOptions(Dir("replica")));
  ASSERT_TRUE(replica);
  auto stale = PrecheckImport(*replica, Slice(0, 20), nullptr);
  ASSERT_TRUE(replica->ImportPrefix(Slice(0, 20), note_, Proof(20, 50)).ok());
  Status s = ImportPrefixChecked(*replica, *stale, note_, Proof(20, 50));
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("entry 20: index: 0 != 20"), std::string::npos)
      << s.message();
  EXPECT_EQ(replica->Size(), 20u);
  // A chunk prechecked for another log (the source) is checked here afresh.
  auto source = OpenOk(OwnOptions(Dir("source")));
  ASSERT_TRUE(source);
  auto elsewhere = PrecheckImport(*source, Slice(20, 50), nullptr);
  ASSERT_TRUE(ImportPrefixChecked(*replica, *elsewhere, note_, {}).ok());
  EXPECT_EQ(replica->Size(), 50u);
}

// The import verifies the signature over the event's bytes as they stand in
// the entry (no re-serialisation); an event whose own members look like the
// envelope's tail (a nested "signature" member, a string holding
// ',"index":N,"prevHash":"') still verifies and gets its id.
TEST_F(PrefixTest, EventBytesAreFoundInTheEntryWhateverTheEventHolds) {
  nlohmann::json event = logtesting::SyntheticEvent(77, "tricky");
  event["example:note"] = {
      {"a", 1},
      {"index", 50},
      {"prevHash", std::string(64, '0')},
      {"signature", "AAAA"},
      {"signer", "acme+00000000"},
      {"text", "\"},\"index\":50,\"prevHash\":\"" + std::string(64, '0')}};
  PreparedEvent p = SignAndPrepare(event, acme_);
  auto with = entries_;
  with.push_back(logentry::EventEntryBytes(50, merkle::LeafHash(with.back()),
                                           logentry::FormatReceivedAt(kNow),
                                           p.envelope, p.canonical_event));
  auto replica = OpenOk(ReplicaOptions(Dir("replica")));
  ASSERT_TRUE(replica);
  Status s = replica->ImportEntries(with, NoteOver(with, source_key_));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(replica->FindEvent(p.event_id), std::optional<uint64_t>(50));
  // The same entry with the event altered after signing is refused.
  auto altered = with;
  altered[50] = EditEntry(with[50], [](auto* j) {
    (*j)["envelope"]["event"]["example:note"]["signature"] = "BBBB";
  });
  auto second = OpenOk(ReplicaOptions(Dir("second")));
  ASSERT_TRUE(second);
  s = second->ImportEntries(altered, NoteOver(altered, source_key_));
  EXPECT_NE(s.message().find("entry 50: signature: does not verify"),
            std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace ledger
