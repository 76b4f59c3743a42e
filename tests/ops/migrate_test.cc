// Format upgrades (issue 7): a node refuses an older log format with the
// commands to run; "ledgerctl migrate" migrates in place only with a backup of
// exactly that dir, after which a node serves the same checkpoint.
#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <signal.h>

#include <filesystem>

#include "ledger/log/log_test_db.h"
#include "tests/ops/ops_test_util.h"

namespace udi_ops_test {
namespace {

using udi_http::HttpClient;
using udi_test::NodeProcess;
using udi_test::RunProgram;
using udi_test::TempDir;

void SetVersion(const std::string& dir, const std::string& version) {
  leveldb::DB* db = nullptr;
  ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), dir, &db).ok());
  ASSERT_TRUE(db->Put(leveldb::WriteOptions(), "m:version", version).ok());
  delete db;
}

// A stopped node's data dir with `events` events; returns its checkpoint.
std::string MakeDataDir(const std::string& dir, size_t events) {
  auto node = NodeProcess::Start(dir);
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  if (!node.ok()) return "";
  HttpClient admin("127.0.0.1", (*node)->port());
  admin.SetBearerToken((*node)->AdminToken());
  auto key = *ledger::SigningKey::Generate("acme");
  EXPECT_EQ(Register(admin, key), 201);
  EXPECT_EQ(SubmitEvents(admin, key, "v", events), events);
  std::string checkpoint = admin.Get("/v1/checkpoint")->body;
  EXPECT_TRUE((*node)->Stop(SIGTERM).ok());
  return checkpoint;
}

// A version-1 dir: the node's dir turned into the layout of formats 1-3
// (entries, nodes and event ids under their old keys); these events have no
// ilmd, so the version-2 step adds no kIlmdLot keys (spec/log-format.md §7),
// the version-3 step rewrites the index lists the node wrote (one list per
// (kind, key) and run of entries) and the version-4 step re-keys the entries,
// nodes and event ids.
TEST(OpsMigrateTest, OlderFormatIsRefusedThenMigratedOnlyWithItsBackup) {
  TempDir tmp;
  std::string data = tmp.path() + "/data", other = tmp.path() + "/other";
  std::string checkpoint = MakeDataDir(data, 40);
  MakeDataDir(other, 10);
  ledger::logtesting::DowngradeToFormat3(data);
  ledger::logtesting::DowngradeToFormat3(other);
  SetVersion(data, "1");
  SetVersion(other, "1");

  auto refused =
      RunProgram({LedgerNode(), "--data", data, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->exit_code, 1);
  EXPECT_NE(refused->stderr_text.find("log format 1 is older"),
            std::string::npos)
      << refused->stderr_text;
  EXPECT_NE(refused->stderr_text.find("ledgerctl migrate --data"),
            std::string::npos);

  std::string backup = tmp.path() + "/data.udibak";
  std::string other_backup = tmp.path() + "/other.udibak";
  auto missing =
      RunProgram({Ledgerctl(), "migrate", "--data", data, "--backup", backup});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->exit_code, 1);
  EXPECT_NE(missing->stderr_text.find("--backup"), std::string::npos);
  ASSERT_EQ(RunProgram({Ledgerctl(), "backup", "--data", other, other_backup})
                ->exit_code,
            0);
  auto wrong = RunProgram(
      {Ledgerctl(), "migrate", "--data", data, "--backup", other_backup});
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->exit_code, 1);
  EXPECT_NE(wrong->stderr_text.find("is not a backup of"), std::string::npos)
      << wrong->stderr_text;

  auto made = RunProgram({Ledgerctl(), "backup", "--data", data, backup});
  ASSERT_TRUE(made.ok());
  ASSERT_EQ(made->exit_code, 0) << made->stderr_text;
  EXPECT_EQ(json::parse(made->stdout_text).value("logFormat", ""), "1");
  auto migrated =
      RunProgram({Ledgerctl(), "migrate", "--data", data, "--backup", backup});
  ASSERT_TRUE(migrated.ok());
  ASSERT_EQ(migrated->exit_code, 0) << migrated->stderr_text;
  json out = json::parse(migrated->stdout_text);
  EXPECT_EQ(out.value("from", ""), "1");
  EXPECT_EQ(out.value("to", ""), "4");

  auto node = NodeProcess::Start(data);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  HttpClient client("127.0.0.1", (*node)->port());
  EXPECT_EQ(client.Get("/v1/checkpoint")->body, checkpoint);
}

// Core's real version-1 fixture (ledger/log/testdata/v1-log.tar: events with
// ilmd lots, whose kIlmdLot keys version 2 adds): refused by the node,
// migrated with its backup, then verified in full by ledgerctl verify.
TEST(OpsMigrateTest, RealVersionOneFixtureMigratesAndVerifies) {
  TempDir tmp;
  auto untar = RunProgram(
      {"tar", "-xf",
       std::string(UDI_SOURCE_DIR) + "/ledger/log/testdata/v1-log.tar", "-C",
       tmp.path()});
  ASSERT_TRUE(untar.ok());
  ASSERT_EQ(untar->exit_code, 0) << untar->stderr_text;
  std::string data = tmp.path() + "/data";
  auto refused =
      RunProgram({LedgerNode(), "--data", data, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->exit_code, 1);
  EXPECT_NE(refused->stderr_text.find("log format 1 is older"),
            std::string::npos)
      << refused->stderr_text;
  std::string backup = tmp.path() + "/v1.udibak";
  auto made = RunProgram({Ledgerctl(), "backup", "--data", data, backup});
  ASSERT_TRUE(made.ok());
  ASSERT_EQ(made->exit_code, 0) << made->stderr_text;
  EXPECT_EQ(json::parse(made->stdout_text).value("size", 0), 7);
  auto migrated =
      RunProgram({Ledgerctl(), "migrate", "--data", data, "--backup", backup});
  ASSERT_TRUE(migrated.ok());
  ASSERT_EQ(migrated->exit_code, 0) << migrated->stderr_text;
  auto verify = RunProgram({Ledgerctl(), "verify", "--data", data});
  ASSERT_TRUE(verify.ok());
  EXPECT_EQ(verify->exit_code, 0) << verify->stdout_text << verify->stderr_text;
  // Migrating again is a no-op that needs no new backup.
  auto again =
      RunProgram({Ledgerctl(), "migrate", "--data", data, "--backup", backup});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->exit_code, 0) << again->stderr_text;
}

// A backup made before an upgrade (core's format-3 fixture,
// ledger/log/testdata/v3-log.tar) restores into a newer node's dir: the
// restore migrates it, then verifies it in full.
TEST(OpsMigrateTest, OlderFormatBackupIsMigratedByTheRestore) {
  TempDir tmp;
  auto untar = RunProgram(
      {"tar", "-xf",
       std::string(UDI_SOURCE_DIR) + "/ledger/log/testdata/v3-log.tar", "-C",
       tmp.path()});
  ASSERT_TRUE(untar.ok());
  ASSERT_EQ(untar->exit_code, 0) << untar->stderr_text;
  std::string data = tmp.path() + "/data";
  std::string backup = tmp.path() + "/v3.udibak";
  auto made = RunProgram({Ledgerctl(), "backup", "--data", data, backup});
  ASSERT_TRUE(made.ok());
  ASSERT_EQ(made->exit_code, 0) << made->stderr_text;
  EXPECT_EQ(json::parse(made->stdout_text).value("logFormat", ""), "3");
  std::string restored = tmp.path() + "/restored";
  auto restore =
      RunProgram({Ledgerctl(), "restore", backup, "--data", restored});
  ASSERT_TRUE(restore.ok());
  ASSERT_EQ(restore->exit_code, 0) << restore->stderr_text;
  auto verify = RunProgram({Ledgerctl(), "verify", "--data", restored});
  ASSERT_TRUE(verify.ok());
  EXPECT_EQ(verify->exit_code, 0) << verify->stdout_text << verify->stderr_text;
  EXPECT_NE(verify->stdout_text.find("920699cfd9ebadf5b22a9c6f9f5a2177d47a10ef"
                                     "402871a06179b3f1e6564909"),
            std::string::npos)
      << verify->stdout_text;
}

}  // namespace
}  // namespace udi_ops_test
