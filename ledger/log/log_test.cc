#include "ledger/log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "ledger/jcs.h"
#include "ledger/log/log_entry.h"
#include "ledger/log/log_impl.h"
#include "ledger/log/log_testing.h"
#include "ledger/merkle.h"

namespace ledger {
namespace {

using logtesting::MakeParticipant;
using logtesting::SignAndPrepare;
using logtesting::TestKey;

constexpr int64_t kNow = 1795680000123;  // 2026-11-26T...Z

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = logtesting::MakeTempDir("log"); }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }
  LogOptions Options() const {
    LogOptions o;
    o.data_dir = dir_;
    o.origin = "udi-ledger.example/test";
    o.key = node_key_;
    return o;
  }
  void OpenLog() {
    auto log = Log::Open(Options());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }
  std::vector<nlohmann::json> TestEvents() const {
    auto j =
        logtesting::ReadJsonFile(std::string(UDI_TESTDATA) + "/events.json");
    return std::vector<nlohmann::json>(j.begin(), j.end());
  }
  std::vector<AppendOutcome> Append(std::vector<PreparedEvent> events) {
    auto r = log_->AppendEvents(std::move(events), kNow);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<AppendOutcome>{};
  }
  // Registers acme and appends the test events signed by it.
  void FillLog() {
    OpenLog();
    ASSERT_TRUE(log_->AppendParticipant(MakeParticipant(acme_), kNow).ok());
    std::vector<PreparedEvent> prepared;
    for (const auto& e : TestEvents())
      prepared.push_back(SignAndPrepare(e, acme_));
    for (const auto& o : Append(std::move(prepared))) {
      ASSERT_EQ(o.status, AppendStatus::kAccepted) << o.error;
    }
  }

  std::string dir_;
  SigningKey node_key_ = TestKey("udi-ledger.example/test", 1);
  SigningKey acme_ = TestKey("acme", 2);
  std::unique_ptr<Log> log_;
};

TEST(LogEntryTest, SplicedEventEntryIsTheJcsOfTheEntryObject) {
  const SigningKey key = TestKey("acme", 2);
  const auto events =
      logtesting::ReadJsonFile(std::string(UDI_TESTDATA) + "/events.json");
  uint64_t index = 0;
  for (const auto& e : events) {
    SCOPED_TRACE(e.dump());
    PreparedEvent p = SignAndPrepare(e, key);
    const Hash prev = Sha256("prev" + std::to_string(index));
    const std::string at = logentry::FormatReceivedAt(kNow);
    const std::string bytes = logentry::EventEntryBytes(
        index, prev, at, p.envelope, p.canonical_event);
    nlohmann::json obj = {
        {"index", index},
        {"prevHash", index == 0 ? std::string(64, '0') : ToHex(prev)},
        {"receivedAt", at},
        {"type", "event"},
        {"envelope", p.envelope.ToJson()}};
    auto want = CanonicalizeJson(obj);
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(bytes, *want);
    // The writer's shortcut: PrepareEvent's SHA-256 state over the prefix, then
    // the suffix.
    auto leaf = logentry::LeafHashFromPrefixState(
        p.leaf_prefix_state, logentry::EventEntrySuffix(index, prev, at));
    ASSERT_TRUE(leaf.has_value());
    EXPECT_EQ(*leaf, merkle::LeafHash(bytes));
    index += 41;
  }
}

TEST(LogEntryTest, FormatReceivedAt) {
  struct Case {
    int64_t ms;
    const char* want;
  } cases[] = {
      {0, "1970-01-01T00:00:00.000Z"},
      {1, "1970-01-01T00:00:00.001Z"},
      {-1, "1969-12-31T23:59:59.999Z"},
      {951782400000, "2000-02-29T00:00:00.000Z"},
      {1795680000123, "2026-11-26T08:00:00.123Z"},
      {253402300799999, "9999-12-31T23:59:59.999Z"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.ms);
    EXPECT_EQ(logentry::FormatReceivedAt(c.ms), c.want);
  }
}

TEST_F(LogTest, FirstOpenSignsTheEmptyCheckpoint) {
  OpenLog();
  EXPECT_EQ(log_->Size(), 0u);
  auto cp = OpenCheckpoint(log_->SignedCheckpoint(), node_key_.verifier());
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->size, 0u);
  EXPECT_EQ(cp->origin, "udi-ledger.example/test");
  EXPECT_EQ(cp->root, merkle::EmptyRoot());
  auto root = log_->RootAt(0);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, merkle::EmptyRoot());
}

// The store's LevelDB properties reach benchmarks and operators through the
// Log; a small memtable (LogOptions::write_buffer_bytes) is flushed to a
// level-0 table by the appends that overflow it.
TEST_F(LogTest, StoragePropertiesAndMemtableSize) {
  LogOptions o = Options();
  o.write_buffer_bytes = 64 << 10;
  auto opened = Log::Open(o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  log_ = std::move(opened).value();
  EXPECT_EQ(log_->StorageProperty("leveldb.no-such-property"), std::nullopt);
  auto stats = log_->StorageProperty("leveldb.stats");
  ASSERT_TRUE(stats.has_value());
  EXPECT_NE(stats->find("Compactions"), std::string::npos) << *stats;
  ASSERT_TRUE(log_->AppendParticipant(MakeParticipant(acme_), kNow).ok());
  for (int round = 0; round < 60; ++round) {
    std::vector<PreparedEvent> prepared;
    for (const auto& e : TestEvents()) {
      nlohmann::json copy = e;
      copy["eventTime"] =
          "2026-11-20T10:00:" + std::string(round < 10 ? "0" : "") +
          std::to_string(round) + "Z";
      prepared.push_back(SignAndPrepare(copy, acme_));
    }
    for (const auto& out : Append(std::move(prepared))) {
      ASSERT_EQ(out.status, AppendStatus::kAccepted) << out.error;
    }
  }
  // 64 KiB of memtable cannot hold these entries and their indexes: at least
  // one table was written (at level 0, or already compacted further down).
  int tables = 0;
  for (int level = 0; level < 7; ++level) {
    auto n = log_->StorageProperty("leveldb.num-files-at-level" +
                                   std::to_string(level));
    ASSERT_TRUE(n.has_value()) << level;
    tables += std::stoi(*n);
  }
  EXPECT_GT(tables, 0);
}

TEST_F(LogTest, EntriesAreChainedAndTheTreeMatchesTheReference) {
  FillLog();
  const uint64_t n = log_->Size();
  ASSERT_EQ(n, 6u);
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < n; ++i) {
    SCOPED_TRACE(i);
    auto e = log_->ReadEntry(i);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    EXPECT_EQ(e->json["index"], i);
    EXPECT_EQ(e->json["prevHash"],
              i == 0 ? std::string(64, '0') : ToHex(leaves.back()));
    EXPECT_EQ(e->json["receivedAt"], "2026-11-26T08:00:00.123Z");
    EXPECT_EQ(e->json["type"], i == 0 ? "participant" : "event");
    auto canonical = CanonicalizeJson(e->json);
    ASSERT_TRUE(canonical.ok());
    EXPECT_EQ(*canonical, e->bytes);
    leaves.push_back(merkle::LeafHash(e->bytes));
  }
  for (uint64_t size = 1; size <= n; ++size) {
    std::vector<Hash> prefix(leaves.begin(), leaves.begin() + size);
    const Hash want = merkle::RootFromLeafHashes(prefix);
    auto root = log_->RootAt(size);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(*root, want) << "size " << size;
    for (uint64_t i = 0; i < size; ++i) {
      auto proof = log_->InclusionProof(i, size);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(
          merkle::VerifyInclusion(i, size, leaves[i], *proof, want).ok());
    }
    auto cons = log_->ConsistencyProof(size, n);
    ASSERT_TRUE(cons.ok());
    EXPECT_TRUE(merkle::VerifyConsistency(
                    size, n, want, merkle::RootFromLeafHashes(leaves), *cons)
                    .ok());
  }
  EXPECT_EQ(log_->LatestCheckpoint().root, merkle::RootFromLeafHashes(leaves));
  EXPECT_FALSE(log_->RootAt(n + 1).ok());
  EXPECT_TRUE(log_->ReadEntry(n).status().IsNotFound());
  auto batch = log_->ReadEntries(4, 10);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_EQ((*batch)[1].index, 5u);
}

TEST_F(LogTest, DuplicatesKeepTheirFirstIndex) {
  FillLog();
  const auto events = TestEvents();
  PreparedEvent a = SignAndPrepare(events[0], acme_);
  PreparedEvent fresh =
      SignAndPrepare(logtesting::SyntheticEvent(7, "dup"), acme_);
  auto out = Append({a, fresh, fresh});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].status, AppendStatus::kDuplicate);
  EXPECT_EQ(out[0].index, 1u);
  EXPECT_EQ(out[1].status, AppendStatus::kAccepted);
  EXPECT_EQ(out[1].index, 6u);
  EXPECT_EQ(out[2].status, AppendStatus::kDuplicate);
  EXPECT_EQ(out[2].index, 6u);
  EXPECT_EQ(log_->Size(), 7u);
  EXPECT_EQ(log_->FindEvent(fresh.event_id), 6u);
  // A batch of duplicates only writes nothing and keeps the checkpoint.
  const std::string before = log_->SignedCheckpoint();
  out = Append({fresh});
  EXPECT_EQ(out[0].status, AppendStatus::kDuplicate);
  EXPECT_EQ(log_->SignedCheckpoint(), before);
}

TEST_F(LogTest, UnregisteredAndRevokedSignersAreRejected) {
  FillLog();
  const SigningKey stranger = TestKey("stranger", 3);
  auto out =
      Append({SignAndPrepare(logtesting::SyntheticEvent(1, "s"), stranger)});
  EXPECT_EQ(out[0].status, AppendStatus::kRejected);
  EXPECT_NE(out[0].error.find("stranger+"), std::string::npos) << out[0].error;
  EXPECT_NE(out[0].error.find("not a registered participant"),
            std::string::npos);

  Participant revoked = MakeParticipant(acme_);
  revoked.revoked = true;
  ASSERT_TRUE(log_->AppendParticipant(revoked, kNow).ok());
  out = Append({SignAndPrepare(logtesting::SyntheticEvent(2, "s"), acme_)});
  EXPECT_EQ(out[0].status, AppendStatus::kRejected);
  EXPECT_NE(out[0].error.find("acme+"), std::string::npos);
  EXPECT_NE(out[0].error.find("revoked"), std::string::npos);
  EXPECT_EQ(log_->Size(), 7u);
  auto p = log_->LookupSigner(acme_.KeyId());
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->revoked);
}

TEST_F(LogTest, EventVerifiedWithAnotherKeyIsRejected) {
  FillLog();
  PreparedEvent e = SignAndPrepare(logtesting::SyntheticEvent(3, "k"), acme_);
  e.verified_with = TestKey("acme", 9).verifier().ToText();
  auto out = Append({e});
  EXPECT_EQ(out[0].status, AppendStatus::kRejected);
  EXPECT_NE(out[0].error.find("another key"), std::string::npos)
      << out[0].error;
}

TEST_F(LogTest, RegistryChangesFollowTheRules) {
  OpenLog();
  const Participant acme = MakeParticipant(acme_);
  Participant revoke = acme;
  revoke.revoked = true;
  Participant bad_gln = acme;
  bad_gln.gln = "0614141000006";
  struct Step {
    const char* what;
    Participant p;
    Status::Code want;
  } steps[] = {
      {"revoke unknown", revoke, Status::Code::kInvalidArgument},
      {"bad gln", bad_gln, Status::Code::kInvalidArgument},
      {"register", acme, Status::Code::kOk},
      {"register again", acme, Status::Code::kAlreadyExists},
      {"revoke", revoke, Status::Code::kOk},
      {"re-register revoked", acme, Status::Code::kFailedPrecondition},
      {"revoke twice", revoke, Status::Code::kFailedPrecondition},
  };
  for (const auto& s : steps) {
    SCOPED_TRACE(s.what);
    auto r = log_->AppendParticipant(s.p, kNow);
    EXPECT_EQ(r.status().code(), s.want) << r.status().ToString();
  }
  EXPECT_EQ(log_->Size(), 2u);
  ASSERT_EQ(log_->Participants().size(), 1u);
  EXPECT_TRUE(log_->Participants()[0].revoked);
}

TEST_F(LogTest, IndexesFindEvents) {
  FillLog();
  struct Case {
    IndexKind kind;
    std::string key;
    std::vector<uint64_t> want;
  } cases[] = {
      {IndexKind::kEpc, "01/80614141123458/21/1001", {1, 2}},
      {IndexKind::kEpc, "00/106141412345678908", {2, 3, 4, 5}},
      {IndexKind::kParent, "00/106141412345678908", {2}},
      {IndexKind::kChild, "01/80614141123458/21/1002", {2}},
      {IndexKind::kEpcClass, "01/80614141123458/10/LOT7", {3, 5}},
      {IndexKind::kBizStep, "shipping", {3, 5}},
      {IndexKind::kDisposition, "in_progress", {2, 4}},
      {IndexKind::kBizLocation, "414/4012345002256", {4}},
      {IndexKind::kReadPoint, "414/0614141007776", {1, 2, 3, 5}},
      {IndexKind::kSigner, acme_.KeyId(), {1, 2, 3, 4, 5}},
      {IndexKind::kEpcisEventId,
       "urn:uuid:6f1c7a52-1f0e-4b39-9d59-000000000003",
       {3, 5}},
      {IndexKind::kCorrection,
       "urn:uuid:6f1c7a52-1f0e-4b39-9d59-000000000003",
       {5}},
      {IndexKind::kBizStep, "destroying", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    auto got = log_->ScanIndex(c.kind, c.key, 0, 100);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, c.want);
  }
  auto page = log_->ScanIndex(IndexKind::kSigner, acme_.KeyId(), 3, 2);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(*page, (std::vector<uint64_t>{3, 4}));
  auto e = log_->ReadEntry(3);
  ASSERT_TRUE(e.ok());
  auto id =
      EventIdFromCanonical(*CanonicalEventBytes(e->json["envelope"]["event"]));
  auto by_id = log_->ScanIndex(IndexKind::kEventId, id, 0, 10);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(*by_id, (std::vector<uint64_t>{3}));
}

TEST_F(LogTest, EventTimeScanIsOrderedAndPages) {
  FillLog();
  const int64_t t0 = 1795161600000;  // 2026-11-20T08:00:00Z
  auto all = log_->ScanEventTime(t0, t0 + 3 * 86400000, std::nullopt, 100);
  ASSERT_TRUE(all.ok());
  // Entries 3 and 5 share eventTime 2026-11-21T10:30Z; ties are ordered by
  // index.
  EXPECT_EQ(*all, (std::vector<uint64_t>{1, 2, 3, 5, 4}));
  auto first = log_->ScanEventTime(t0, t0 + 3 * 86400000, std::nullopt, 3);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, (std::vector<uint64_t>{1, 2, 3}));
  const int64_t t3 = t0 + 86400000 + 9000000;  // 2026-11-21T10:30Z
  auto rest = log_->ScanEventTime(t0, t0 + 3 * 86400000,
                                  std::make_pair(t3, uint64_t{3}), 100);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, (std::vector<uint64_t>{5, 4}));
  auto window = log_->ScanEventTime(t0 + 1, t3 + 1, std::nullopt, 100);
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(*window, (std::vector<uint64_t>{2, 3, 5}));
}

TEST_F(LogTest, ReopenRestoresStateAndRefusesAnotherIdentity) {
  FillLog();
  const std::string note = log_->SignedCheckpoint();
  log_.reset();
  OpenLog();
  EXPECT_EQ(log_->Size(), 6u);
  EXPECT_EQ(log_->SignedCheckpoint(), note);
  ASSERT_TRUE(log_->LookupSigner(acme_.KeyId()).has_value());
  auto out =
      Append({SignAndPrepare(logtesting::SyntheticEvent(9, "r"), acme_)});
  EXPECT_EQ(out[0].status, AppendStatus::kAccepted);
  EXPECT_EQ(out[0].index, 6u);
  log_.reset();

  LogOptions other = Options();
  other.origin = "udi-ledger.example/other";
  auto r = Log::Open(other);
  EXPECT_EQ(r.status().code(), Status::Code::kFailedPrecondition)
      << r.status().ToString();
  other = Options();
  other.key = TestKey("udi-ledger.example/test", 7);
  r = Log::Open(other);
  EXPECT_EQ(r.status().code(), Status::Code::kFailedPrecondition)
      << r.status().ToString();
}

TEST_F(LogTest, ProofsAfterReopenUseTheReloadedTree) {
  FillLog();
  std::vector<PreparedEvent> batch;
  for (int i = 0; i < 70; ++i) {
    batch.push_back(
        SignAndPrepare(logtesting::SyntheticEvent(i, "big"), acme_));
  }
  Append(std::move(batch));
  log_.reset();
  OpenLog();  // the in-memory upper tree levels are rebuilt from LevelDB
  const uint64_t n = log_->Size();
  ASSERT_EQ(n, 76u);
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < n; ++i) {
    leaves.push_back(merkle::LeafHash(log_->ReadEntry(i)->bytes));
  }
  for (uint64_t size : {1, 15, 16, 17, 32, 33, 64, 65, 75, 76}) {
    SCOPED_TRACE(size);
    const Hash root = merkle::RootFromLeafHashes(
        std::vector<Hash>(leaves.begin(), leaves.begin() + size));
    EXPECT_EQ(*log_->RootAt(size), root);
    for (uint64_t i = 0; i < size; i += 7) {
      auto proof = log_->InclusionProof(i, size);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(
          merkle::VerifyInclusion(i, size, leaves[i], *proof, root).ok());
    }
  }
  auto out =
      Append({SignAndPrepare(logtesting::SyntheticEvent(99, "big"), acme_)});
  EXPECT_EQ(out[0].index, 76u);
  leaves.push_back(merkle::LeafHash(log_->ReadEntry(76)->bytes));
  EXPECT_EQ(log_->LatestCheckpoint().root, merkle::RootFromLeafHashes(leaves));
}

TEST_F(LogTest, DuplicatesAreFoundThroughTheEventFilterAfterReopen) {
  FillLog();
  log_.reset();
  OpenLog();
  // Once the filter of stored ids is built, new ids skip LevelDB; stored ones
  // (and ones appended since the open) must still be found.
  auto* impl = dynamic_cast<logimpl::LogImpl*>(log_.get());
  ASSERT_NE(impl, nullptr);
  ASSERT_TRUE(impl->WaitForEventFilter());
  const auto events = TestEvents();
  std::vector<PreparedEvent> batch;
  for (const auto& e : events) batch.push_back(SignAndPrepare(e, acme_));
  PreparedEvent fresh =
      SignAndPrepare(logtesting::SyntheticEvent(5, "f"), acme_);
  batch.push_back(fresh);
  auto out = Append(batch);
  ASSERT_EQ(out.size(), events.size() + 1);
  for (size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(out[i].status, AppendStatus::kDuplicate);
    EXPECT_EQ(out[i].index, i + 1);
  }
  EXPECT_EQ(out.back().status, AppendStatus::kAccepted);
  EXPECT_EQ(out.back().index, 6u);
  out = Append({fresh});
  EXPECT_EQ(out[0].status, AppendStatus::kDuplicate);
  EXPECT_EQ(out[0].index, 6u);
  EXPECT_EQ(log_->Size(), 7u);
}

TEST_F(LogTest, ReceivedAtNeverGoesBackwards) {
  // The clock may step back (NTP, a restarted node on another host): every
  // entry then gets the latest receivedAt again, across reopen too.
  auto received_at = [&](uint64_t i) {
    auto e = log_->ReadEntry(i);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? e->json["receivedAt"].get<std::string>() : "";
  };
  OpenLog();
  ASSERT_TRUE(log_->AppendParticipant(MakeParticipant(acme_), kNow).ok());
  auto a = Append({SignAndPrepare(logtesting::SyntheticEvent(1, "t"), acme_)});
  ASSERT_EQ(a.size(), 1u);
  ASSERT_TRUE(
      log_->AppendEvents(
              {SignAndPrepare(logtesting::SyntheticEvent(2, "t"), acme_)},
              kNow - 5000)
          .ok());
  ASSERT_TRUE(log_->AppendQuery({{"caller", "t"}}, kNow - 1).ok());
  const std::string now = logentry::FormatReceivedAt(kNow);
  struct Case {
    uint64_t index;
    std::string want;
  };
  for (const Case& c :
       {Case{0, now}, Case{1, now}, Case{2, now}, Case{3, now}}) {
    SCOPED_TRACE(c.index);
    EXPECT_EQ(received_at(c.index), c.want);
  }
  log_.reset();
  OpenLog();  // the floor is read back from the last entry
  Participant other = MakeParticipant(TestKey("other", 4));
  ASSERT_TRUE(log_->AppendParticipant(other, kNow - 60000).ok());
  EXPECT_EQ(received_at(4), now);
  ASSERT_TRUE(
      log_->AppendEvents(
              {SignAndPrepare(logtesting::SyntheticEvent(3, "t"), acme_)},
              kNow + 1000)
          .ok());
  EXPECT_EQ(received_at(5), logentry::FormatReceivedAt(kNow + 1000));
  ASSERT_TRUE(log_->AppendQuery({{"caller", "t"}}, kNow).ok());
  EXPECT_EQ(received_at(6), logentry::FormatReceivedAt(kNow + 1000));
  log_.reset();
  auto report = VerifyDataDir(dir_);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
}

TEST_F(LogTest, ProofsAreRightWhateverTreeLevelsFitTheCache) {
  // Budgets that cache every level >= 1, only the upper ones (levels drop
  // out as the log grows) and none: proofs must not depend on it.
  for (size_t budget : {size_t{512} << 20, size_t{256}, size_t{0}}) {
    SCOPED_TRACE(budget);
    log_.reset();
    std::filesystem::remove_all(dir_);
    LogOptions o = Options();
    o.tree_cache_bytes = budget;
    auto opened = Log::Open(o);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    log_ = std::move(opened).value();
    ASSERT_TRUE(log_->AppendParticipant(MakeParticipant(acme_), kNow).ok());
    std::vector<Hash> leaves = {merkle::LeafHash(log_->ReadEntry(0)->bytes)};
    for (int round = 0; round < 3; ++round) {
      std::vector<PreparedEvent> batch;
      for (int i = 0; i < 25; ++i) {
        batch.push_back(SignAndPrepare(
            logtesting::SyntheticEvent(round * 100 + i, "cache"), acme_));
      }
      Append(std::move(batch));
      if (round == 1) {  // reload the cache from LevelDB
        log_.reset();
        opened = Log::Open(o);
        ASSERT_TRUE(opened.ok()) << opened.status().ToString();
        log_ = std::move(opened).value();
      }
    }
    const uint64_t n = log_->Size();
    ASSERT_EQ(n, 76u);
    for (uint64_t i = leaves.size(); i < n; ++i) {
      leaves.push_back(merkle::LeafHash(log_->ReadEntry(i)->bytes));
    }
    for (uint64_t size : {1, 2, 31, 32, 33, 64, 75, 76}) {
      SCOPED_TRACE(size);
      const Hash root = merkle::RootFromLeafHashes(
          std::vector<Hash>(leaves.begin(), leaves.begin() + size));
      EXPECT_EQ(*log_->RootAt(size), root);
      for (uint64_t i = 0; i < size; i += 5) {
        auto proof = log_->InclusionProof(i, size);
        ASSERT_TRUE(proof.ok()) << proof.status().ToString();
        EXPECT_TRUE(
            merkle::VerifyInclusion(i, size, leaves[i], *proof, root).ok());
      }
    }
  }
}

// The tree cache is loaded after the open: nodes reserved for the stored size
// miss until loaded (a proof then reads LevelDB), nodes appended meanwhile hit
// at once, and a level dropped by Fit while loading stays dropped.
TEST(UpperNodeCacheTest, ReservedNodesMissUntilLoaded) {
  using logimpl::UpperNodeCache;
  auto h = [](int level, uint64_t index) {
    return merkle::LeafHash(std::to_string(level) + "/" +
                            std::to_string(index));
  };
  UpperNodeCache cache(uint64_t{1} << 20);
  cache.Fit(8);
  cache.StartLoading(8);  // levels 1..3: 4, 2 and 1 nodes reserved
  EXPECT_FALSE(cache.Loaded());
  UpperNodeCache::Reader r(&cache);
  EXPECT_FALSE(r.Find(1, 0));
  r.Release();
  cache.Add(1, 4, h(1, 4));  // appended after the open (leaves 8, 9)
  EXPECT_EQ(r.Find(1, 4), h(1, 4));
  EXPECT_FALSE(r.Find(1, 3));
  r.Release();
  // Level 1 in index order, with one node out of order (ignored).
  cache.LoadNodes({{1, 0, h(1, 0)}, {1, 2, h(1, 2)}, {1, 1, h(1, 1)}});
  EXPECT_EQ(r.Find(1, 0), h(1, 0));
  EXPECT_EQ(r.Find(1, 1), h(1, 1));
  EXPECT_FALSE(r.Find(1, 2));
  r.Release();
  cache.LoadNodes({{1, 2, h(1, 2)}, {1, 3, h(1, 3)}, {2, 0, h(2, 0)}});
  EXPECT_FALSE(cache.Loaded());  // (2, 1) and (3, 0) still missing
  cache.LoadNodes({{2, 1, h(2, 1)}, {3, 0, h(3, 0)}});
  EXPECT_TRUE(cache.Loaded());
  for (auto [level, index] : {std::pair{1, 3}, {2, 1}, {3, 0}, {1, 4}}) {
    EXPECT_EQ(r.Find(level, index), h(level, index));
  }
  r.Release();
  // A budget that keeps only level >= 2 once the log has 8 leaves.
  UpperNodeCache small(4 * sizeof(Hash));
  small.Fit(4);
  small.StartLoading(4);  // levels 1, 2
  small.Fit(8);           // level 1 dropped while loading
  small.LoadNodes({{1, 0, h(1, 0)}, {2, 0, h(2, 0)}});
  UpperNodeCache::Reader rs(&small);
  EXPECT_FALSE(rs.Find(1, 0));
  EXPECT_EQ(rs.Find(2, 0), h(2, 0));
  rs.Release();
  EXPECT_TRUE(small.Loaded());
}

// A reopened log answers proofs at once (from LevelDB while its tree cache
// loads) and the same once the cache is loaded.
TEST_F(LogTest, ProofsAreRightWhileTheTreeCacheLoads) {
  OpenLog();
  ASSERT_TRUE(log_->AppendParticipant(MakeParticipant(acme_), kNow).ok());
  for (int round = 0; round < 4; ++round) {
    std::vector<PreparedEvent> batch;
    for (int i = 0; i < 50; ++i) {
      batch.push_back(SignAndPrepare(
          logtesting::SyntheticEvent(round * 100 + i, "load"), acme_));
    }
    Append(std::move(batch));
  }
  const uint64_t n = log_->Size();
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < n; ++i) {
    leaves.push_back(merkle::LeafHash(log_->ReadEntry(i)->bytes));
  }
  const Hash root = merkle::RootFromLeafHashes(leaves);
  log_.reset();
  OpenLog();
  auto* impl = dynamic_cast<logimpl::LogImpl*>(log_.get());
  ASSERT_NE(impl, nullptr);
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "right after the open" : "cache loaded");
    for (uint64_t i = 0; i < n; i += 7) {
      auto proof = log_->InclusionProof(i, n);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      EXPECT_TRUE(merkle::VerifyInclusion(i, n, leaves[i], *proof, root).ok());
    }
    if (pass == 0) {
      ASSERT_TRUE(impl->WaitForTreeCache());
    }
  }
  // Appends after the open land after the loaded nodes.
  Append({SignAndPrepare(logtesting::SyntheticEvent(999, "load"), acme_)});
  leaves.push_back(merkle::LeafHash(log_->ReadEntry(n)->bytes));
  auto proof = log_->InclusionProof(n, n + 1);
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(merkle::VerifyInclusion(n, n + 1, leaves[n], *proof,
                                      merkle::RootFromLeafHashes(leaves))
                  .ok());
}

TEST_F(LogTest, SecondOpenInTheSameProcessNamesTheDir) {
  OpenLog();
  auto second = Log::Open(Options());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(second.status().message().find(dir_), std::string::npos)
      << second.status().ToString();
}

TEST_F(LogTest, ReadersSeeConsistentStatesWhileTheWriterAppends) {
  FillLog();
  std::atomic<bool> done{false};
  std::atomic<int> checks{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (!done.load() || checks.load() < 10) {
        const Checkpoint cp = log_->LatestCheckpoint();
        auto root = log_->RootAt(cp.size);
        ASSERT_TRUE(root.ok()) << root.status().ToString();
        ASSERT_EQ(*root, cp.root) << "size " << cp.size;
        const uint64_t i = cp.size - 1;
        auto e = log_->ReadEntry(i);
        ASSERT_TRUE(e.ok());
        auto proof = log_->InclusionProof(i, cp.size);
        ASSERT_TRUE(proof.ok());
        ASSERT_TRUE(merkle::VerifyInclusion(
                        i, cp.size, merkle::LeafHash(e->bytes), *proof, cp.root)
                        .ok());
        checks.fetch_add(1);
      }
    });
  }
  for (int b = 0; b < 30; ++b) {
    std::vector<PreparedEvent> batch;
    for (int k = 0; k < 5; ++k) {
      batch.push_back(
          SignAndPrepare(logtesting::SyntheticEvent(b * 5 + k, "c"), acme_));
    }
    Append(std::move(batch));
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(log_->Size(), 156u);
}

// AppendEvents from several threads at once: one batch is built while the one
// before it is written (log.cc, WriteInOrder). Events shared by concurrent
// batches (not yet written when the next is built) must still be logged once,
// every duplicate must name the index of the accepted copy, a participant
// appended meanwhile must follow the batches built before it, and the log must
// verify and reopen.
TEST_F(LogTest, ConcurrentAppendersLogEachEventOnce) {
  FillLog();
  constexpr int kThreads = 3;
  constexpr int kBatches = 4;
  constexpr int kOwn = 200;     // events only this batch holds
  constexpr int kShared = 100;  // events batch b of every thread holds
  // Prepared once per event number; shared ones are copied.
  std::map<int, PreparedEvent> prepared;
  auto event = [&](int n) -> const PreparedEvent& {
    auto it = prepared.find(n);
    if (it == prepared.end()) {
      it = prepared
               .emplace(n, SignAndPrepare(logtesting::SyntheticEvent(n, "cc"),
                                          acme_))
               .first;
    }
    return it->second;
  };
  std::vector<std::vector<std::vector<PreparedEvent>>> batches(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int b = 0; b < kBatches; ++b) {
      std::vector<PreparedEvent> batch;
      for (int k = 0; k < kOwn; ++k) {
        batch.push_back(event((t * kBatches + b) * kOwn + k));
        if (k % 50 == 0) batch.push_back(event(100000 + b * kShared + k / 2));
      }
      for (int k = 0; k < kShared; ++k) {
        batch.push_back(event(100000 + b * kShared + k));
      }
      batch.push_back(event((t * kBatches + b) * kOwn));  // within the batch
      batches[t].push_back(std::move(batch));
    }
  }
  std::vector<std::vector<std::vector<AppendOutcome>>> outcomes(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (auto& batch : batches[t]) {
        auto r = log_->AppendEvents(std::move(batch), kNow);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        outcomes[t].push_back(std::move(r).value());
      }
    });
  }
  const SigningKey beta = TestKey("beta", 3);
  auto participant = log_->AppendParticipant(MakeParticipant(beta), kNow);
  for (auto& th : threads) th.join();
  ASSERT_TRUE(participant.ok()) << participant.status().ToString();

  std::map<std::string, uint64_t> accepted;  // event id -> index
  size_t total = 0;
  for (const auto& per_thread : outcomes) {
    for (const auto& out : per_thread) {
      for (const auto& o : out) {
        ++total;
        if (o.status == AppendStatus::kAccepted) {
          EXPECT_TRUE(accepted.emplace(o.event_id, o.index).second)
              << o.event_id << " accepted twice";
        }
      }
    }
  }
  EXPECT_EQ(total, static_cast<size_t>(kThreads * kBatches) *
                       (kOwn + 4 + kShared + 1));
  EXPECT_EQ(prepared.size(), static_cast<size_t>(kThreads * kBatches * kOwn +
                                                 kBatches * kShared));
  std::set<std::string> ids;
  for (const auto& [n, e] : prepared) ids.insert(e.event_id);
  EXPECT_EQ(ids.size(), prepared.size());
  for (const auto& [id, index] : accepted) {
    EXPECT_EQ(ids.count(id), 1u)
        << "accepted an unknown id " << id << " at " << index;
  }
  EXPECT_EQ(accepted.size(), prepared.size());
  for (const auto& per_thread : outcomes) {
    for (const auto& out : per_thread) {
      for (const auto& o : out) {
        ASSERT_NE(o.status, AppendStatus::kRejected) << o.error;
        auto it = accepted.find(o.event_id);
        ASSERT_NE(it, accepted.end()) << o.event_id << " never accepted";
        EXPECT_EQ(o.index, it->second) << o.event_id;
      }
    }
  }
  // Indexes 6.. hold the accepted events and the participant, each once.
  const uint64_t size = 6 + accepted.size() + 1;
  ASSERT_EQ(log_->Size(), size);
  std::set<uint64_t> indexes{*participant};
  for (const auto& [id, index] : accepted) {
    EXPECT_TRUE(indexes.insert(index).second) << index;
    EXPECT_EQ(log_->FindEvent(id), index) << id;
  }
  EXPECT_EQ(*indexes.begin(), 6u);
  EXPECT_EQ(*indexes.rbegin(), size - 1);
  auto last = log_->ReadEntry(size - 1);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  auto root = log_->RootAt(size);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, log_->LatestCheckpoint().root);
  log_.reset();
  auto report = VerifyDataDir(dir_, node_key_.verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->size, size);
  EXPECT_EQ(report->events, 5 + accepted.size());
  OpenLog();
  EXPECT_EQ(log_->Size(), size);
}

TEST_F(LogTest, VerifyDataDirAcceptsAGoodLogAndChecksTheExpectedKey) {
  FillLog();
  const Hash root = log_->LatestCheckpoint().root;
  log_.reset();
  auto report = VerifyDataDir(dir_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->size, 6u);
  EXPECT_EQ(report->events, 5u);
  EXPECT_EQ(report->participants, 1u);
  EXPECT_EQ(report->root, root);
  EXPECT_TRUE(VerifyDataDir(dir_, node_key_.verifier()).ok());
  auto wrong =
      VerifyDataDir(dir_, TestKey("udi-ledger.example/test", 8).verifier());
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("not the expected key"),
            std::string::npos);
  auto missing = VerifyDataDir(dir_ + "/nope");
  EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace ledger
