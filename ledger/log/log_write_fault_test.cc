// A failed LevelDB write (e.g. ENOSPC on the write-ahead log) fails that
// AppendEvents call and every batch built on it; LevelDB then accepts later
// writes (only failed syncs are sticky), so the log must continue from its
// last durable state: same indexes, hash chain, tree and checkpoint. The
// failures are injected by a leveldb::EnvWrapper around Env::Default(), as
// LevelDB's own tests do.
#include <gtest/gtest.h>
#include <leveldb/env.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "ledger/log.h"
#include "ledger/log/log_impl.h"
#include "ledger/log/log_testing.h"

namespace ledger {
namespace {

using logtesting::MakeParticipant;
using logtesting::SignAndPrepare;
using logtesting::SyntheticEvent;
using logtesting::TestKey;

constexpr int64_t kNow = 1795680000123;
constexpr char kOrigin[] = "udi-ledger.example/write-fault";
constexpr char kInjected[] = "injected: No space left on device";

// Env::Default() whose write-ahead log files (*.log) can be told to fail their
// next Append, optionally holding it until released.
class FaultEnv : public leveldb::EnvWrapper {
 public:
  FaultEnv() : EnvWrapper(leveldb::Env::Default()) {}

  // The next WAL Append fails. With `hold`, it
  // first waits until Release(); Held() tells when it is waiting.
  void FailNextLogAppend(bool hold) {
    std::lock_guard lock(mu_);
    fail_next_ = true;
    hold_ = hold;
  }
  void WaitUntilHeld() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return held_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  // The next write-ahead log LevelDB creates cannot be created.
  void FailNextLogCreate() {
    std::lock_guard lock(mu_);
    fail_create_ = true;
  }
  int failures() const {
    std::lock_guard lock(mu_);
    return failures_;
  }

  leveldb::Status NewWritableFile(const std::string& name,
                                  leveldb::WritableFile** result) override {
    if (IsLog(name)) {
      std::lock_guard lock(mu_);
      if (fail_create_) {
        fail_create_ = false;
        ++failures_;
        return leveldb::Status::IOError(name, kInjected);
      }
    }
    return Wrap(name, target()->NewWritableFile(name, result), result);
  }
  leveldb::Status NewAppendableFile(const std::string& name,
                                    leveldb::WritableFile** result) override {
    return Wrap(name, target()->NewAppendableFile(name, result), result);
  }

 private:
  class File : public leveldb::WritableFile {
   public:
    File(FaultEnv* env, std::string name, leveldb::WritableFile* base)
        : env_(env), name_(std::move(name)), base_(base) {}
    leveldb::Status Append(const leveldb::Slice& data) override {
      if (env_->TakeFailure())
        return leveldb::Status::IOError(name_, kInjected);
      return base_->Append(data);
    }
    leveldb::Status Close() override { return base_->Close(); }
    leveldb::Status Flush() override { return base_->Flush(); }
    leveldb::Status Sync() override { return base_->Sync(); }

   private:
    FaultEnv* env_;
    std::string name_;
    std::unique_ptr<leveldb::WritableFile> base_;
  };

  leveldb::Status Wrap(const std::string& name, leveldb::Status s,
                       leveldb::WritableFile** result) {
    if (s.ok() && IsLog(name)) {
      *result = new File(this, name, *result);
    }
    return s;
  }

  static bool IsLog(const std::string& name) {
    return name.size() > 4 && name.ends_with(".log");
  }

  // True when this Append must fail; waits first if held.
  bool TakeFailure() {
    std::unique_lock lock(mu_);
    if (!fail_next_) return false;
    fail_next_ = false;
    held_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !hold_; });
    held_ = false;
    ++failures_;
    return true;
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool fail_next_ = false;
  bool hold_ = false;
  bool held_ = false;
  bool fail_create_ = false;
  int failures_ = 0;
};

class LogWriteFaultTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = logtesting::MakeTempDir("log-write-fault"); }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open() {
    LogOptions o;
    o.data_dir = dir_;
    o.origin = kOrigin;
    o.key = TestKey(kOrigin, 1);
    auto log = logimpl::OpenWithEnv(std::move(o), &env_);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }

  // Events "<marker>-<first>" .. "<marker>-<first+count-1>", signed by acme.
  std::vector<PreparedEvent> Events(const std::string& marker, int first,
                                    int count) const {
    std::vector<PreparedEvent> out;
    for (int i = first; i < first + count; ++i) {
      out.push_back(SignAndPrepare(SyntheticEvent(i, marker), acme_));
    }
    return out;
  }

  // Appends the events; every one must be accepted at the next indexes.
  void AppendAccepted(std::vector<PreparedEvent> events) {
    const uint64_t first = log_->Size();
    const size_t n = events.size();
    auto out = log_->AppendEvents(std::move(events), kNow);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_EQ(out->size(), n);
    for (size_t i = 0; i < n; ++i) {
      SCOPED_TRACE("event " + std::to_string(i));
      EXPECT_EQ((*out)[i].status, AppendStatus::kAccepted) << (*out)[i].error;
      EXPECT_EQ((*out)[i].index, first + i);
    }
    EXPECT_EQ(log_->Size(), first + n);
  }

  // No reader sees anything past `size`.
  void ExpectSize(uint64_t size) {
    EXPECT_EQ(log_->Size(), size);
    EXPECT_EQ(log_->LatestCheckpoint().size, size);
    auto beyond = log_->ReadEntry(size);
    EXPECT_FALSE(beyond.ok()) << "entry " << size << " is readable";
    auto last = log_->ReadEntry(size - 1);
    EXPECT_TRUE(last.ok()) << last.status().ToString();
  }

  // Closes the log, verifies the data dir fully, reopens it and checks that
  // the reopened log has the same size and root.
  void VerifyAndReopen() {
    const uint64_t size = log_->Size();
    const Checkpoint cp = log_->LatestCheckpoint();
    ASSERT_EQ(cp.size, size);
    log_.reset();
    auto report = VerifyDataDir(dir_);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->size, size);
    EXPECT_EQ(report->root, cp.root);
    Open();
    ASSERT_NE(log_, nullptr);
    EXPECT_EQ(log_->Size(), size);
    EXPECT_EQ(log_->LatestCheckpoint().root, cp.root);
    auto root = log_->RootAt(size);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(*root, cp.root);
  }

  std::string dir_;
  FaultEnv env_;
  SigningKey acme_ = TestKey("acme", 2);
  std::unique_ptr<Log> log_;
};

TEST_F(LogWriteFaultTest, FailedWalAppendLeavesNoTraceAndTheLogContinues) {
  Open();
  ASSERT_TRUE(log_->AppendParticipant(MakeParticipant(acme_), kNow).ok());
  AppendAccepted(Events("before", 0, 5));
  AppendAccepted(Events("before", 5, 5));
  const uint64_t size = log_->Size();  // 1 participant + 10 events
  ASSERT_EQ(size, 11u);
  const Checkpoint before = log_->LatestCheckpoint();

  env_.FailNextLogAppend(/*hold=*/false);
  auto failed = log_->AppendEvents(Events("failed", 0, 4), kNow);
  ASSERT_EQ(env_.failures(), 1);
  ASSERT_FALSE(failed.ok()) << "a failed WAL append was reported as written";
  EXPECT_NE(failed.status().message().find(kInjected), std::string::npos)
      << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("appending 4 events"),
            std::string::npos)
      << failed.status().ToString();
  ExpectSize(size);
  EXPECT_EQ(log_->LatestCheckpoint().root, before.root);

  // Writes succeed again: the failed batch's events were never logged, so
  // they are accepted, at the failed batch's indexes, chained to entry 10.
  AppendAccepted(Events("failed", 0, 4));
  auto entry = log_->ReadEntry(size);
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->json["index"], size);
  AppendAccepted(Events("after", 0, 3));
  ExpectSize(size + 7);
  VerifyAndReopen();
  AppendAccepted(Events("reopened", 0, 2));
  VerifyAndReopen();
}

// After a failed write, the next writer may be AppendParticipant (not
// AppendEvents): it too must start from the last written state.
TEST_F(LogWriteFaultTest, ParticipantAfterAFailedBatchTakesItsIndex) {
  Open();
  ASSERT_TRUE(log_->AppendParticipant(MakeParticipant(acme_), kNow).ok());
  AppendAccepted(Events("before", 0, 5));
  const uint64_t size = log_->Size();
  env_.FailNextLogAppend(/*hold=*/false);
  auto failed = log_->AppendEvents(Events("failed", 0, 3), kNow);
  ASSERT_FALSE(failed.ok()) << "a failed WAL append was reported as written";
  ExpectSize(size);
  const SigningKey beta = TestKey("beta", 3);
  auto index = log_->AppendParticipant(
      MakeParticipant(beta, "0614141000012", "distributor"), kNow);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(*index, size);
  AppendAccepted(Events("failed", 0, 3));
  ExpectSize(size + 4);
  VerifyAndReopen();
}

// Two callers: batch a's write is held, batch b is built on a's tip, then a's
// write fails; b must fail unwritten, and the log then continues from the
// state before both.
TEST_F(LogWriteFaultTest, BatchBuiltOnAFailedOneFailsToo) {
  Open();
  ASSERT_TRUE(log_->AppendParticipant(MakeParticipant(acme_), kNow).ok());
  AppendAccepted(Events("before", 0, 5));  // the first batch built
  const uint64_t size = log_->Size();
  const Checkpoint before = log_->LatestCheckpoint();
  auto* impl = static_cast<logimpl::LogImpl*>(log_.get());

  env_.FailNextLogAppend(/*hold=*/true);
  Result<std::vector<AppendOutcome>> first = Status::Internal("not run");
  std::thread a([&] { first = log_->AppendEvents(Events("a", 0, 3), kNow); });
  env_.WaitUntilHeld();  // batch a is built and its WAL append is held
  Result<std::vector<AppendOutcome>> second = Status::Internal("not run");
  std::thread b([&] { second = log_->AppendEvents(Events("b", 0, 2), kNow); });
  impl->WaitUntilBuiltForTesting(3);  // batch b is built on a's tip
  env_.Release();
  a.join();
  b.join();
  ASSERT_EQ(env_.failures(), 1);
  ASSERT_FALSE(first.ok()) << "a failed WAL append was reported as written";
  EXPECT_NE(first.status().message().find(kInjected), std::string::npos)
      << first.status().ToString();
  ASSERT_FALSE(second.ok()) << "a batch built on a failed one was written";
  EXPECT_NE(second.status().message().find(
                "appending 2 events: not written, because the write of the "
                "batch before it failed"),
            std::string::npos)
      << second.status().ToString();
  EXPECT_NE(second.status().message().find(kInjected), std::string::npos)
      << second.status().ToString();
  ExpectSize(size);
  EXPECT_EQ(log_->LatestCheckpoint().root, before.root);

  // Neither batch was logged: both are accepted again, b's first this time.
  AppendAccepted(Events("b", 0, 2));
  AppendAccepted(Events("a", 0, 3));
  ExpectSize(size + 5);
  VerifyAndReopen();
}

// LevelDB's log writer counts a failed record's bytes as written: unless the
// write-ahead log is replaced after the failure, the records that follow it
// (beyond the first 32 KiB block) cannot be read back on reopen ("Corruption:
// bad record length"), and the data dir neither opens nor verifies.
TEST_F(LogWriteFaultTest, ReopensAfterMuchWrittenAfterAFailure) {
  Open();
  ASSERT_TRUE(log_->AppendParticipant(MakeParticipant(acme_), kNow).ok());
  AppendAccepted(Events("before", 0, 5));
  env_.FailNextLogAppend(/*hold=*/false);
  auto failed = log_->AppendEvents(Events("failed", 0, 3), kNow);
  ASSERT_FALSE(failed.ok()) << "a failed WAL append was reported as written";
  for (int i = 0; i < 3; ++i) AppendAccepted(Events("big", i * 100, 100));
  VerifyAndReopen();
}

// When the damaged write-ahead log cannot be replaced (here: its successor
// cannot be created), the log refuses every later write until it is reopened;
// the reopened log holds everything written before the failure and continues.
TEST_F(LogWriteFaultTest, RefusesWritesWhenTheDamagedWalStays) {
  Open();
  ASSERT_TRUE(log_->AppendParticipant(MakeParticipant(acme_), kNow).ok());
  AppendAccepted(Events("before", 0, 5));
  const uint64_t size = log_->Size();
  const Checkpoint before = log_->LatestCheckpoint();
  env_.FailNextLogAppend(/*hold=*/false);
  env_.FailNextLogCreate();
  auto failed = log_->AppendEvents(Events("failed", 0, 3), kNow);
  ASSERT_FALSE(failed.ok()) << "a failed WAL append was reported as written";
  ASSERT_EQ(env_.failures(), 2);
  auto refused = log_->AppendEvents(Events("refused", 0, 2), kNow);
  ASSERT_FALSE(refused.ok()) << "written after the WAL was damaged";
  EXPECT_NE(refused.status().message().find(
                "appending 2 events: refused: the write-ahead log of data "
                "dir " +
                dir_ + " may be damaged"),
            std::string::npos)
      << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("restart to recover it"),
            std::string::npos)
      << refused.status().ToString();
  ExpectSize(size);
  EXPECT_EQ(log_->LatestCheckpoint().root, before.root);
  VerifyAndReopen();
  for (int i = 0; i < 3; ++i) AppendAccepted(Events("big", i * 100, 100));
  AppendAccepted(Events("failed", 0, 3));
  AppendAccepted(Events("refused", 0, 2));
  VerifyAndReopen();
}

}  // namespace
}  // namespace ledger
