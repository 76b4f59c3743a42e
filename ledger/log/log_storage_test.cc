// The log's LevelDB memtable: LogOptions::write_buffer_bytes is what LevelDB
// gets, and FlushStorage writes the memtable to a table.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "ledger/log.h"
#include "ledger/log/log_testing.h"

namespace ledger {
namespace {

using logtesting::MakeParticipant;
using logtesting::SignAndPrepare;
using logtesting::SyntheticEvent;
using logtesting::TestKey;

constexpr int64_t kNow = 1795680000123;

class LogStorageTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = logtesting::MakeTempDir("log-storage"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<std::unique_ptr<Log>> Open(size_t write_buffer_bytes) const {
    LogOptions o;
    o.data_dir = dir_;
    o.origin = "udi-ledger.example/storage";
    o.key = TestKey(o.origin, 1);
    o.write_buffer_bytes = write_buffer_bytes;
    return Log::Open(std::move(o));
  }

  // Appends `count` synthetic events signed by acme (registered first), in
  // batches of 100.
  void Append(Log* log, int count) const {
    ASSERT_TRUE(log->AppendParticipant(MakeParticipant(acme_), kNow).ok());
    for (int first = 0; first < count; first += 100) {
      std::vector<PreparedEvent> batch;
      for (int i = first; i < std::min(count, first + 100); ++i) {
        batch.push_back(SignAndPrepare(SyntheticEvent(i, "storage"), acme_));
      }
      auto out = log->AppendEvents(std::move(batch), kNow);
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      for (const auto& o : *out) {
        ASSERT_EQ(o.status, AppendStatus::kAccepted) << o.error;
      }
    }
  }

  // LevelDB tables at every level.
  static int Tables(const Log& log) {
    int tables = 0;
    for (int level = 0; level < 7; ++level) {
      auto n = log.StorageProperty("leveldb.num-files-at-level" +
                                   std::to_string(level));
      EXPECT_TRUE(n.has_value()) << "level " << level;
      if (n) tables += std::stoi(*n);
    }
    return tables;
  }

  // Bytes of LevelDB's write-ahead logs (*.log) in the data dir: what an open
  // replays.
  uint64_t WalBytes() const {
    uint64_t bytes = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir_)) {
      if (f.path().extension() == ".log") bytes += f.file_size();
    }
    return bytes;
  }

  std::string dir_;
  SigningKey acme_ = TestKey("acme", 2);
};

// The same 2000 appends (~3 MB of entries and indexes, in batches of 100)
// overflow a 64 KiB and a 1 MiB memtable at least twice, so tables exist (a
// write that finds the memtable full while the previous one is still being
// flushed waits for that flush), and fit in the default one, so none do: the
// option reaches LevelDB.
TEST_F(LogStorageTest, WriteBufferBytesIsTheMemtableSize) {
  struct Case {
    size_t write_buffer_bytes;
    bool tables;
  };
  for (const Case& c :
       {Case{64 << 10, true}, Case{kDefaultLogWriteBufferBytes, false},
        Case{size_t{1} << 20, true}}) {
    SCOPED_TRACE(c.write_buffer_bytes);
    std::filesystem::remove_all(dir_);
    auto log = Open(c.write_buffer_bytes);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    Append(log->get(), 2000);
    EXPECT_EQ(Tables(**log) > 0, c.tables);
  }
}

// FlushStorage writes the memtable to a table, so that the next open replays
// (almost) no write-ahead log; the log reopens with the same content.
TEST_F(LogStorageTest, FlushStorageWritesTheMemtable) {
  Checkpoint before;
  {
    auto log = Open(kDefaultLogWriteBufferBytes);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    Append(log->get(), 200);
    ASSERT_EQ(Tables(**log), 0);
    const uint64_t wal = WalBytes();
    EXPECT_GT(wal, 200u * 500u);  // every append is still only in the log
    ASSERT_TRUE((*log)->FlushStorage().ok());
    EXPECT_GT(Tables(**log), 0);
    EXPECT_LT(WalBytes(), 4096u) << "before the flush: " << wal;
    before = (*log)->LatestCheckpoint();
  }
  auto log = Open(kDefaultLogWriteBufferBytes);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ((*log)->Size(), 201u);
  EXPECT_EQ((*log)->LatestCheckpoint().root, before.root);
  auto entry = (*log)->ReadEntry(200);
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->index, 200u);
}

}  // namespace
}  // namespace ledger
