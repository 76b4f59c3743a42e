// Backup and restore against real nodes (issue 7): an online backup while a
// client keeps writing, restore into a new dir, full verification, a node on
// the restored dir serving the same checkpoint; damaged backups fail clearly.
#include <gtest/gtest.h>
#include <signal.h>
#include <zstd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/ops/ops_test_util.h"

namespace udi_ops_test {
namespace {

using udi_http::HttpClient;
using udi_test::NodeProcess;
using udi_test::RunProgram;
using udi_test::TempDir;

// Waits (bounded) until the node's log holds at least `size` entries.
bool WaitForSize(HttpClient& client, uint64_t size) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = client.Get("/healthz");
    if (r.ok() && r->Json().value("size", uint64_t{0}) >= size) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = tmp_.path() + "/data";
    auto node = NodeProcess::Start(data_);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
    admin_.emplace("127.0.0.1", node_->port());
    admin_->SetBearerToken(node_->AdminToken());
    key_ = *ledger::SigningKey::Generate("acme");
    ASSERT_EQ(Register(*admin_, key_), 201);
  }

  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(node_->port());
  }

  TempDir tmp_;
  std::string data_;
  std::unique_ptr<NodeProcess> node_;
  std::optional<HttpClient> admin_;
  ledger::SigningKey key_;
};

TEST_F(BackupTest, OnlineBackupUnderWriteLoadRestoresToTheSameCheckpoint) {
  ASSERT_EQ(SubmitEvents(*admin_, key_, "warm", 100), 100u);
  // A writer that keeps appending batches during the backup.
  std::atomic<bool> stop{false};
  std::atomic<size_t> accepted{0};
  std::thread writer([&] {
    HttpClient client("127.0.0.1", node_->port());
    client.SetBearerToken(node_->AdminToken());
    for (int batch = 0; !stop; ++batch) {
      accepted +=
          SubmitEvents(client, key_, "load" + std::to_string(batch) + "-", 50);
    }
  });
  std::string out = tmp_.path() + "/online.udibak";
  auto backup = RunProgram({Ledgerctl(), "backup", "--node", Url(), "--token",
                            node_->AdminToken(), out});
  ASSERT_TRUE(backup.ok());
  json info = json::parse(backup->stdout_text, nullptr, false);
  uint64_t size = info.value("size", uint64_t{0});
  // The node kept serving writes: the log grows past the backup.
  bool grew = WaitForSize(*admin_, size + 100);
  stop = true;
  writer.join();
  ASSERT_EQ(backup->exit_code, 0) << backup->stderr_text;
  EXPECT_TRUE(grew);
  EXPECT_GT(accepted.load(), 0u);
  ASSERT_GE(size, 101u) << backup->stdout_text;  // 1 participant + 100 (+ load)
  EXPECT_FALSE(std::filesystem::exists(out + ".partial"));

  std::string restored = tmp_.path() + "/restored";
  auto restore = RunProgram({Ledgerctl(), "restore", out, "--data", restored});
  ASSERT_TRUE(restore.ok());
  ASSERT_EQ(restore->exit_code, 0) << restore->stderr_text;
  json rinfo = json::parse(restore->stdout_text, nullptr, false);
  EXPECT_EQ(rinfo.value("size", uint64_t{0}), size);
  EXPECT_EQ(rinfo.value("checkpoint", ""), info.value("checkpoint", "x"));
  EXPECT_FALSE(std::filesystem::exists(restored + "/RESTORE-INCOMPLETE"));
  auto verify = RunProgram({Ledgerctl(), "verify", "--data", restored});
  ASSERT_TRUE(verify.ok());
  EXPECT_EQ(verify->exit_code, 0) << verify->stdout_text << verify->stderr_text;

  // A node on the restored dir (with the node key copied) serves exactly the
  // backup's checkpoint.
  std::filesystem::copy_file(data_ + "/node.key", restored + "/node.key");
  auto second = NodeProcess::Start(restored);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  HttpClient client("127.0.0.1", (*second)->port());
  auto checkpoint = client.Get("/v1/checkpoint");
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(checkpoint->body, info.value("checkpoint", ""));
}

// Decompresses a backup file with libzstd (the test's own reading).
std::string Decompress(const std::string& compressed) {
  std::string out;
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> d(ZSTD_createDCtx(),
                                                       ZSTD_freeDCtx);
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  std::string buf(ZSTD_DStreamOutSize(), '\0');
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    size_t r = ZSTD_decompressStream(d.get(), &o, &in);
    EXPECT_FALSE(ZSTD_isError(r));
    if (ZSTD_isError(r)) break;
    out.append(buf.data(), o.pos);
  }
  return out;
}

TEST_F(BackupTest, OfflineBackupAndDamagedBackupsFailRestoreClearly) {
  ASSERT_EQ(SubmitEvents(*admin_, key_, "a", 300), 300u);
  auto stopped = node_->Stop(SIGTERM);
  ASSERT_TRUE(stopped.ok());
  std::string out = tmp_.path() + "/offline.udibak";
  auto backup = RunProgram({Ledgerctl(), "backup", "--data", data_, out});
  ASSERT_TRUE(backup.ok());
  ASSERT_EQ(backup->exit_code, 0) << backup->stderr_text;
  EXPECT_EQ(json::parse(backup->stdout_text).value("size", 0), 301);
  std::string good = ReadAll(out);

  std::string plain = Decompress(good);
  std::string altered_plain = plain;
  size_t at = altered_plain.find("\"receivedAt\":\"2");
  ASSERT_NE(at, std::string::npos);
  altered_plain[at + 15] = '1';  // an entry changed, re-compressed validly
  std::string recompressed(ZSTD_compressBound(altered_plain.size()), '\0');
  recompressed.resize(ZSTD_compress(recompressed.data(), recompressed.size(),
                                    altered_plain.data(), altered_plain.size(),
                                    3));
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x40;

  struct Case {
    std::string name, bytes, want;
  };
  const Case cases[] = {
      {"truncated", good.substr(0, good.size() / 2), "truncated"},
      {"bit flip", flipped, "backup "},
      {"entry altered", recompressed, "trailer: sha256"},
      {"empty", "", "empty file"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string file = tmp_.path() + "/bad-" + std::to_string(&c - cases);
    WriteAll(file, c.bytes);
    std::string dir = file + ".data";
    auto r = RunProgram({Ledgerctl(), "restore", file, "--data", dir});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 1);
    EXPECT_NE(r->stderr_text.find(c.want), std::string::npos) << r->stderr_text;
    // An unfinished restore leaves its marker, and a node refuses the dir.
    ASSERT_TRUE(std::filesystem::exists(dir + "/RESTORE-INCOMPLETE"));
    auto node =
        RunProgram({LedgerNode(), "--data", dir, "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(node.ok());
    EXPECT_EQ(node->exit_code, 1);
    EXPECT_NE(node->stderr_text.find("did not finish"), std::string::npos)
        << node->stderr_text;
  }

  // The good file restores; restoring into a non-empty dir is refused.
  std::string dir = tmp_.path() + "/good";
  auto r = RunProgram({Ledgerctl(), "restore", out, "--data", dir});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->stderr_text;
  auto again = RunProgram({Ledgerctl(), "restore", out, "--data", dir});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->exit_code, 1);
  EXPECT_NE(again->stderr_text.find("not an empty directory"),
            std::string::npos)
      << again->stderr_text;
}

TEST_F(BackupTest, BackupNeedsAnAdminTokenAndOfflineBackupNeedsAStoppedNode) {
  std::string out = tmp_.path() + "/x.udibak";
  auto anonymous = RunProgram({Ledgerctl(), "backup", "--node", Url(), out});
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->exit_code, 1);
  EXPECT_NE(anonymous->stderr_text.find("HTTP 401"), std::string::npos)
      << anonymous->stderr_text;
  auto busy = RunProgram({Ledgerctl(), "backup", "--data", data_, out});
  ASSERT_TRUE(busy.ok());
  EXPECT_EQ(busy->exit_code, 1);
  EXPECT_NE(busy->stderr_text.find("in use"), std::string::npos)
      << busy->stderr_text;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace udi_ops_test
