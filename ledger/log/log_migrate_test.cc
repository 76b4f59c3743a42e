// Format versions: a version-1 data dir written by the previous code
// (testdata/v1-log.tar, see testdata/README.md), a version-2 dir (X keys one
// per index) and version-3 dirs (entries, nodes and event ids under their old
// keys: testdata/v3-log.tar, and dirs of this build turned back into that
// layout) are refused with a pointer to migration, MigrateDataDir upgrades
// them (also after a crash at any point of the 3 → 4 step), and newer or
// unknown versions are refused.
#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "ledger/log.h"
#include "ledger/log/log_impl.h"
#include "ledger/log/log_keys.h"
#include "ledger/log/log_test_db.h"
#include "ledger/log/log_testing.h"

namespace ledger {
namespace {

using logtesting::DowngradeToFormat3;

using logtesting::SignAndPrepare;
using logtesting::TestKey;

constexpr char kOrigin[] = "udi-ledger.example/v1";

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = logtesting::MakeTempDir("migrate");
    dir_ = base_ + "/data";
    const std::string cmd = "tar -xf '" + std::string(UDI_TESTDATA) +
                            "/v1-log.tar' -C '" + base_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    ASSERT_TRUE(std::filesystem::exists(dir_ + "/CURRENT"));
  }
  void TearDown() override { std::filesystem::remove_all(base_); }
  LogOptions Options() const {
    LogOptions o;
    o.data_dir = dir_;
    o.origin = kOrigin;
    o.key = TestKey(kOrigin, 1);
    return o;
  }
  void PutRaw(const std::string& key, const std::string& value) {
    leveldb::DB* raw = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), dir_, &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    ASSERT_TRUE(db->Put(leveldb::WriteOptions(), key, value).ok());
  }
  std::string base_;
  std::string dir_;
};

TEST_F(MigrateTest, AVersion1DirIsRefusedWithAPointerToMigration) {
  auto log = Log::Open(Options());
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(log.status().message().find("has log format version 1"),
            std::string::npos)
      << log.status().message();
  EXPECT_NE(log.status().message().find("ledgerctl migrate --data " + dir_),
            std::string::npos)
      << log.status().message();
  auto report = VerifyDataDir(dir_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kFailedPrecondition);
}

TEST_F(MigrateTest, MigrationBuildsTheIlmdIndexAndTheLogContinues) {
  ASSERT_TRUE(MigrateDataDir(dir_).ok());
  ASSERT_TRUE(MigrateDataDir(dir_).ok());  // already version 4: nothing to do
  auto report = VerifyDataDir(dir_, TestKey(kOrigin, 1).verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->size, 7u);
  auto log = Log::Open(Options());
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  struct Case {
    const char* lot_key;
    std::vector<uint64_t> want;
  } cases[] = {
      {"01/80614141123458/10/LOT-A", {1}},
      {"01/09506000134352/10/LOT-B", {2}},
      {"01/80614141123458/10/LOT-B", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.lot_key);
    auto got = (*log)->ScanIndex(IndexKind::kIlmdLot, c.lot_key, 0, 10);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, c.want);
  }
  // The migrated log takes new events, indexed the same way.
  nlohmann::json event = logtesting::SyntheticEvent(7, "v2");
  event["action"] = "ADD";
  event["ilmd"] = {{"cbvmda:lotNumber", "LOT-A"}};
  auto out = (*log)->AppendEvents({SignAndPrepare(event, TestKey("acme", 2))},
                                  1795680000123);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ((*out)[0].status, AppendStatus::kAccepted) << (*out)[0].error;
  auto got = (*log)->ScanIndex(IndexKind::kIlmdLot,
                               "01/80614141123458/10/LOT-A", 0, 10);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (std::vector<uint64_t>{1, 7}));
  log->reset();
  EXPECT_TRUE(VerifyDataDir(dir_).ok());
}

// What an interrupted chunked migration leaves (some new keys, still version
// 1) is completed by running it again.
TEST_F(MigrateTest, APartlyMigratedVersion1DirIsCompletedByARerun) {
  PutRaw(
      logkeys::IndexKey(IndexKind::kIlmdLot, "01/80614141123458/10/LOT-A", 1),
      "");
  EXPECT_FALSE(Log::Open(Options()).ok());
  ASSERT_TRUE(MigrateDataDir(dir_).ok());
  auto report = VerifyDataDir(dir_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
}

TEST_F(MigrateTest, NewerAndUnknownVersionsAreRefused) {
  struct Case {
    const char* version;
    Status::Code code;
    const char* want;
  } cases[] = {
      {"5", Status::Code::kFailedPrecondition,
       "has log format version 5, newer than the version 4 this build reads"},
      {"17", Status::Code::kFailedPrecondition, "newer than the version 4"},
      {"x", Status::Code::kCorruption, "unknown format version 'x'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.version);
    PutRaw(std::string(logkeys::kVersionKey), c.version);
    auto log = Log::Open(Options());
    ASSERT_FALSE(log.ok());
    EXPECT_EQ(log.status().code(), c.code);
    EXPECT_NE(log.status().message().find(c.want), std::string::npos)
        << log.status().message();
    Status m = MigrateDataDir(dir_);
    EXPECT_EQ(m.code(), c.code);
    EXPECT_NE(m.message().find(c.want), std::string::npos) << m.message();
    auto report = VerifyDataDir(dir_);
    EXPECT_EQ(report.status().code(), c.code);
  }
}

// A version-2 dir: the same keys as version 3 except that every X key holds
// one index (an empty value). Made here by appending one event per batch (so
// every list has one element, checked below), turning the dir into the
// format-3 layout and setting m:version to 2.
class MigrateV2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = logtesting::MakeTempDir("migrate-v2");
    auto log = Log::Open(Options());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE(
        (*log)->AppendParticipant(logtesting::MakeParticipant(acme_), 0).ok());
    std::vector<nlohmann::json> events;
    for (const auto& e :
         logtesting::ReadJsonFile(std::string(UDI_TESTDATA) + "/events.json")) {
      events.push_back(e);
    }
    for (uint64_t n = 0; n < 40; ++n)
      events.push_back(logtesting::SyntheticEvent(n, "v2"));
    for (const auto& e : events) {
      auto out = (*log)->AppendEvents({SignAndPrepare(e, acme_)}, 1000);
      ASSERT_TRUE(out.ok());
      ASSERT_EQ((*out)[0].status, AppendStatus::kAccepted) << (*out)[0].error;
    }
    answers_ = Answers(**log);
    auto in_transit =
        (*log)->ScanIndex(IndexKind::kDisposition, "in_transit", 0, 1000);
    ASSERT_TRUE(in_transit.ok());
    in_transit_ = *in_transit;
    log->reset();
    DowngradeToFormat3(dir_);
    ASSERT_GT(XKeys().size(), 150u);
    for (const auto& [key, value] : XKeys()) {
      SCOPED_TRACE(logkeys::Describe(key));
      ASSERT_EQ(value, "");  // the version-2 form
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  LogOptions Options() const {
    LogOptions o;
    o.data_dir = dir_;
    o.origin = "udi-ledger.example/v2";
    o.key = TestKey(o.origin, 1);
    return o;
  }
  // Query answers: ScanIndex of shared and unique keys from several starts
  // and limits, and the bulk ScanIndexKeys.
  std::vector<std::vector<uint64_t>> Answers(const Log& log) const {
    const std::pair<IndexKind, std::string> keys[] = {
        {IndexKind::kBizStep, "shipping"},
        {IndexKind::kBizStep, "receiving"},
        {IndexKind::kDisposition, "in_transit"},
        {IndexKind::kSigner, acme_.KeyId()},
        {IndexKind::kReadPoint, "414/0614141007776"},
        {IndexKind::kEpc, "01/80614141123458/21/v2-7"},
    };
    std::vector<std::vector<uint64_t>> out;
    for (const auto& [kind, key] : keys) {
      for (uint64_t start : {0, 1, 17, 30}) {
        for (size_t limit : {1, 5, 1000}) {
          auto got = log.ScanIndex(kind, key, start, limit);
          EXPECT_TRUE(got.ok());
          out.push_back(got.ok() ? *got : std::vector<uint64_t>{});
        }
      }
      std::vector<uint64_t> bulk;
      EXPECT_TRUE(log.ScanIndexKeys(kind, {key}, 40,
                                    [&](size_t, uint64_t index) {
                                      bulk.push_back(index);
                                      return Status::OK();
                                    })
                      .ok());
      out.push_back(bulk);
    }
    return out;
  }
  std::map<std::string, std::string> XKeys() {
    std::map<std::string, std::string> out;
    leveldb::DB* raw = nullptr;
    EXPECT_TRUE(leveldb::DB::Open(leveldb::Options(), dir_, &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    std::unique_ptr<leveldb::Iterator> it(
        db->NewIterator(leveldb::ReadOptions()));
    for (it->Seek("X"); it->Valid() && it->key().starts_with("X"); it->Next())
      out[it->key().ToString()] = it->value().ToString();
    return out;
  }
  void SetVersion(const std::string& v) {
    leveldb::DB* raw = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), dir_, &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    ASSERT_TRUE(
        db->Put(leveldb::WriteOptions(), std::string(logkeys::kVersionKey), v)
            .ok());
  }

  std::string dir_;
  SigningKey acme_ = TestKey("acme", 2);
  std::vector<std::vector<uint64_t>> answers_;
  std::vector<uint64_t> in_transit_;
};

TEST_F(MigrateV2Test, IsRefusedThenMigratedIntoListsWithTheSameAnswers) {
  // The answers are not trivial: shared keys hit many entries.
  size_t hits = 0;
  for (const auto& a : answers_) hits += a.size();
  ASSERT_GT(hits, 200u);
  const size_t v2_keys = XKeys().size();
  SetVersion("2");
  auto refused = Log::Open(Options());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("has log format version 2"),
            std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("ledgerctl migrate --data " + dir_),
            std::string::npos)
      << refused.status().message();
  EXPECT_EQ(VerifyDataDir(dir_).status().code(),
            Status::Code::kFailedPrecondition);

  ASSERT_TRUE(MigrateDataDir(dir_).ok());
  auto report = VerifyDataDir(dir_, TestKey(Options().origin, 1).verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  // One list per (kind, key) now (the whole log is one run).
  const auto lists = XKeys();
  std::map<std::string, int> per_prefix;
  for (const auto& [key, value] : lists)
    ++per_prefix[key.substr(0, key.size() - 8)];
  for (const auto& [prefix, n] : per_prefix) {
    SCOPED_TRACE(logkeys::Describe(prefix));
    EXPECT_EQ(n, 1);
  }
  EXPECT_LT(lists.size(), v2_keys / 2);
  ASSERT_TRUE(MigrateDataDir(dir_).ok());  // version 4: nothing to do
  EXPECT_EQ(XKeys(), lists);

  auto log = Log::Open(Options());
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(Answers(**log), answers_);
  // The log goes on, its next batch in a list of its own.
  std::vector<PreparedEvent> more;
  for (uint64_t n = 100; n < 103; ++n)
    more.push_back(SignAndPrepare(logtesting::SyntheticEvent(n, "v3"), acme_));
  ASSERT_TRUE((*log)->AppendEvents(std::move(more), 2000).ok());
  auto got = (*log)->ScanIndex(IndexKind::kDisposition, "in_transit", 0, 1000);
  ASSERT_TRUE(got.ok());
  std::vector<uint64_t> want = in_transit_;
  ASSERT_GE(want.size(), 40u);
  const uint64_t size = (*log)->Size();
  for (uint64_t i = size - 3; i < size; ++i) want.push_back(i);
  EXPECT_EQ(*got, want);
  log->reset();
  EXPECT_TRUE(VerifyDataDir(dir_).ok());
}

// A crash after the migration's first batch (m:version 3) and before the
// lists are written leaves the version-2 keys under version 3: a valid
// version-3 dir, which this build refuses with a pointer to migration, and
// which migrates to version 4 (keeping its one-element lists) with the same
// answers.
TEST_F(MigrateV2Test, AnInterruptedMigrationLeavesAValidVersion3Dir) {
  const auto v2_lists = XKeys();
  SetVersion("3");
  auto refused = Log::Open(Options());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("has log format version 3"),
            std::string::npos)
      << refused.status().message();
  ASSERT_TRUE(MigrateDataDir(dir_).ok());
  EXPECT_EQ(XKeys(), v2_lists);
  auto report = VerifyDataDir(dir_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto log = Log::Open(Options());
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(Answers(**log), answers_);
}

// Version 3 → 4 in runs of 4 entries (so the 46 entries take 12 runs, and the
// event id keys 12 more batches): stopped before each of its synced writes in
// turn, as a crash there would, the dir is refused (still version 3) and a
// rerun completes it: it verifies, with the same root and answers.
TEST_F(MigrateV2Test, EveryCrashPointOfTheVersion3StepIsCompletedByARerun) {
  SetVersion("3");
  const std::string base = logtesting::MakeTempDir("migrate-v3-crash");
  uint64_t stops = 0;
  for (uint64_t writes = 0;; ++writes) {
    SCOPED_TRACE(testing::Message() << "stopped after " << writes << " writes");
    const std::string dir = base + "/" + std::to_string(writes);
    std::filesystem::copy(dir_, dir);
    Status first = logimpl::MigrateDataDirForTesting(dir, 4, writes);
    if (!first.ok()) {
      ++stops;
      EXPECT_EQ(first.code(), Status::Code::kIOError) << first.ToString();
      LogOptions o = Options();
      o.data_dir = dir;
      auto refused = Log::Open(o);
      ASSERT_FALSE(refused.ok());
      EXPECT_NE(refused.status().message().find("has log format version 3"),
                std::string::npos)
          << refused.status().message();
      ASSERT_TRUE(MigrateDataDir(dir).ok());
    }
    auto report = VerifyDataDir(dir, TestKey(Options().origin, 1).verifier());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    LogOptions o = Options();
    o.data_dir = dir;
    auto log = Log::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    EXPECT_EQ(Answers(**log), answers_);
    log->reset();
    std::filesystem::remove_all(dir);
    if (first.ok()) break;
  }
  EXPECT_GE(stops, 25u);  // 12 + 12 batches and m:version
  std::filesystem::remove_all(base);
}

// testdata/v3-log.tar: a dir written by the format-3 code (c50c036, see
// testdata/README.md): 25 entries, root 920699cf...
class MigrateV3FixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = logtesting::MakeTempDir("migrate-v3");
    dir_ = base_ + "/data";
    const std::string cmd = "tar -xf '" + std::string(UDI_TESTDATA) +
                            "/v3-log.tar' -C '" + base_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  void TearDown() override { std::filesystem::remove_all(base_); }
  LogOptions Options() const {
    LogOptions o;
    o.data_dir = dir_;
    o.origin = "udi-ledger.example/v3";
    o.key = TestKey(o.origin, 1);
    return o;
  }
  std::string base_;
  std::string dir_;
};

TEST_F(MigrateV3FixtureTest, IsRefusedThenMigratedWithTheSameRootAndKeys) {
  auto refused = Log::Open(Options());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find(
                "has log format version 3; this build reads version 4"),
            std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("ledgerctl migrate --data " + dir_),
            std::string::npos);
  EXPECT_EQ(VerifyDataDir(dir_).status().code(),
            Status::Code::kFailedPrecondition);
  const auto v3_keys = logtesting::ReadRaw(dir_, "");
  ASSERT_EQ(v3_keys.count("N" + std::string(1, '\0') + logkeys::Be64(24)), 1u);

  ASSERT_TRUE(MigrateDataDir(dir_).ok());
  auto report = VerifyDataDir(dir_, TestKey(Options().origin, 1).verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->size, 25u);
  EXPECT_EQ(report->events, 21u);
  EXPECT_EQ(ToHex(report->root),
            "920699cfd9ebadf5b22a9c6f9f5a2177d47a10ef402871a06179b3f1e6564909");
  // Every key of the family and every I key was re-keyed, nothing else
  // changed: turned back into the format-3 layout, the dir holds exactly the
  // keys and values the format-3 code wrote.
  const auto v4_keys = logtesting::ReadRaw(dir_, "");
  EXPECT_EQ(v4_keys.count(std::string(1, logkeys::v3::kEntryPrefix) +
                          logkeys::Be64(0)),
            0u);
  EXPECT_EQ(v4_keys.at(logkeys::EntryKey(24)),
            v3_keys.at(logkeys::v3::EntryKey(24)));
  {
    const std::string copy = base_ + "/copy";
    std::filesystem::copy(dir_, copy);
    DowngradeToFormat3(copy);
    EXPECT_TRUE(logtesting::ReadRaw(copy, "") == v3_keys);
  }

  // The migrated log reads and takes new entries.
  auto log = Log::Open(Options());
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  auto first = (*log)->ReadEntries(0, 100);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 25u);
  EXPECT_EQ((*first)[24].bytes, v3_keys.at(logkeys::v3::EntryKey(24)));
  auto proof = (*log)->InclusionProof(3, 25);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_TRUE(merkle::VerifyInclusion(3, 25,
                                      merkle::LeafHash((*first)[3].bytes),
                                      *proof, report->root)
                  .ok());
  auto out =
      (*log)->AppendEvents({SignAndPrepare(logtesting::SyntheticEvent(99, "v4"),
                                           TestKey("acme", 2))},
                           1795680000999);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ((*out)[0].status, AppendStatus::kAccepted) << (*out)[0].error;
  EXPECT_EQ((*out)[0].index, 25u);
  log->reset();
  report = VerifyDataDir(dir_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->size, 26u);
}

}  // namespace
}  // namespace ledger
