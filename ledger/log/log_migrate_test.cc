// Format versions: a version-1 data dir written by the previous code
// (testdata/v1-log.tar, see testdata/README.md) is refused with a pointer to
// migration, MigrateDataDir upgrades it, and newer or unknown versions are
// refused.
#include <gtest/gtest.h>
#include <leveldb/db.h>

#include <cstdlib>
#include <filesystem>

#include "ledger/log.h"
#include "ledger/log/log_keys.h"
#include "ledger/log/log_testing.h"

namespace ledger {
namespace {

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
  ASSERT_TRUE(MigrateDataDir(dir_).ok());  // already version 2: nothing to do
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
      {"3", Status::Code::kFailedPrecondition,
       "has log format version 3, newer than the version 2 this build reads"},
      {"17", Status::Code::kFailedPrecondition, "newer than the version 2"},
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

}  // namespace
}  // namespace ledger
