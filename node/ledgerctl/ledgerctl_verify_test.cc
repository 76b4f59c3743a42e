// Runs the real ledgerctl binary against real data dirs.
#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ledger/log.h"
#include "ledger/log/log_keys.h"
#include "ledger/log/log_testing.h"

namespace {

using ledger::logtesting::TestKey;

struct CliRun {
  int exit_code;
  std::string output;  // stdout and stderr
};

CliRun Ledgerctl(const std::string& args) {
  const std::string cmd =
      std::string(UDI_BIN_DIR) + "/ledgerctl " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class LedgerctlVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ledger::logtesting::MakeTempDir("ctl");
    ledger::LogOptions o;
    o.data_dir = dir_;
    o.origin = "udi-ledger.example/ctl";
    o.key = node_key_;
    auto log = ledger::Log::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    const ledger::SigningKey acme = TestKey("acme", 2);
    ASSERT_TRUE(
        (*log)
            ->AppendParticipant(ledger::logtesting::MakeParticipant(acme), 0)
            .ok());
    std::vector<ledger::PreparedEvent> batch;
    for (int i = 0; i < 8; ++i) {
      batch.push_back(ledger::logtesting::SignAndPrepare(
          ledger::logtesting::SyntheticEvent(i, "ctl"), acme));
    }
    ASSERT_TRUE((*log)->AppendEvents(std::move(batch), 1000).ok());
    root_hex_ = ledger::ToHex((*log)->LatestCheckpoint().root);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  ledger::SigningKey node_key_ = TestKey("udi-ledger.example/ctl", 1);
  std::string root_hex_;
};

TEST_F(LedgerctlVerifyTest, HelpExitsZero) {
  CliRun r = Ledgerctl("verify --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("--data DIR"), std::string::npos);
}

TEST_F(LedgerctlVerifyTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Ledgerctl("verify").exit_code, 2);
  EXPECT_EQ(Ledgerctl("verify --data").exit_code, 2);
  EXPECT_EQ(
      Ledgerctl("verify --data " + dir_ + " --key /nonexistent/key").exit_code,
      2);
}

TEST_F(LedgerctlVerifyTest, GoodDataDirPrintsTheSummary) {
  CliRun r = Ledgerctl("verify --data " + dir_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("size: 9\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("events: 8\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("participants: 1\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("root: " + root_hex_), std::string::npos) << r.output;

  const std::string key_file =
      dir_ + "/../ctl-key-" + std::to_string(getpid()) + ".pub";
  std::ofstream(key_file) << node_key_.verifier().ToText() << "\n";
  r = Ledgerctl("verify --data " + dir_ + " --key " + key_file);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::filesystem::remove(key_file);
  r = Ledgerctl("verify --data " + dir_ + " --key " +
                node_key_.verifier().ToText());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = Ledgerctl("verify --data " + dir_ + " --key " +
                TestKey("udi-ledger.example/ctl", 5).verifier().ToText());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("not the expected key"), std::string::npos)
      << r.output;
}

TEST_F(LedgerctlVerifyTest, CorruptedEntryExitsOneNamingTheEntry) {
  {
    leveldb::DB* raw = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), dir_, &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    const std::string key = ledger::logkeys::EntryKey(5);
    std::string v;
    ASSERT_TRUE(db->Get(leveldb::ReadOptions(), key, &v).ok());
    const size_t at = v.find("receiving");
    ASSERT_NE(at, std::string::npos);
    v.replace(at, 9, "storing__");
    ASSERT_TRUE(db->Put(leveldb::WriteOptions(), key, v).ok());
  }
  CliRun r = Ledgerctl("verify --data " + dir_);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("entry 5"), std::string::npos) << r.output;
}

TEST_F(LedgerctlVerifyTest, MissingDataDirExitsOne) {
  CliRun r = Ledgerctl("verify --data " + dir_ + "/absent");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(dir_ + "/absent"), std::string::npos) << r.output;
}

}  // namespace
