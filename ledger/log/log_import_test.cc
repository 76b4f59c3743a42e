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

}  // namespace
}  // namespace ledger
