// Storage fault tests with real processes: a child appends batches and is
// killed with SIGKILL at random moments; every reopened log must verify and
// hold each batch entirely or not at all.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "ledger/log.h"
#include "ledger/log/log_testing.h"

namespace ledger {
namespace {

constexpr char kChild[] = UDI_BIN_DIR "/log_fault_child";
constexpr char kOrigin[] = "udi-ledger.example/fault";

// A child process with its stdout (and stdin) connected to pipes.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int out[2], in[2];
    if (pipe(out) != 0 || pipe(in) != 0) std::abort();
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      dup2(in[0], STDIN_FILENO);
      close(out[0]), close(out[1]), close(in[0]), close(in[1]);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(kChild));
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(kChild, argv.data());
      _exit(127);
    }
    close(out[1]);
    close(in[0]);
    stdout_ = fdopen(out[0], "r");
    stdin_fd_ = in[1];
  }
  ~Child() {
    if (stdin_fd_ >= 0) close(stdin_fd_);
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      Wait();
    }
    if (stdout_) fclose(stdout_);
  }
  // The next line of the child's stdout without '\n'; nullopt at EOF.
  std::optional<std::string> ReadLine() {
    char* line = nullptr;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdout_);
    std::optional<std::string> out;
    if (n > 0) out = std::string(line, line[n - 1] == '\n' ? n - 1 : n);
    free(line);
    return out;
  }
  void CloseStdin() {
    close(stdin_fd_);
    stdin_fd_ = -1;
  }
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }
  void Kill() { kill(pid_, SIGKILL); }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  FILE* stdout_ = nullptr;
  int stdin_fd_ = -1;
};

LogOptions FaultOptions(const std::string& dir) {
  LogOptions o;
  o.data_dir = dir;
  o.origin = kOrigin;
  o.key = logtesting::TestKey(kOrigin, 1);
  return o;
}

// Counts events per batch marker ("r<round>b<k>") over the whole log.
std::map<std::string, int> EventsPerBatch(const Log& log) {
  std::map<std::string, int> count;
  for (uint64_t start = 0; start < log.Size(); start += 500) {
    auto entries = log.ReadEntries(start, 500);
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    if (!entries.ok()) break;
    for (const auto& e : *entries) {
      if (e.json["type"] != "event") continue;
      const std::string epc = e.json["envelope"]["event"]["epcList"][0];
      const std::string serial = epc.substr(epc.rfind('.') + 1);
      ++count[serial.substr(0, serial.rfind('-'))];
    }
  }
  return count;
}

TEST(LogFaultTest, KillDuringAppendsLeavesWholeBatches) {
  const std::string dir = logtesting::MakeTempDir("fault");
  const unsigned seed = std::random_device()();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  constexpr int kBatch = 40;
  std::set<std::string> committed;  // batches the child reported durable
  for (int round = 0; round < 10; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string marker = "r" + std::to_string(round);
    {
      Child child({"append", dir, std::to_string(kBatch), marker});
      const int wait_for = std::uniform_int_distribution<int>(1, 5)(rng);
      for (int seen = 0; seen < wait_for;) {
        auto line = child.ReadLine();
        ASSERT_TRUE(line.has_value()) << "child exited early";
        ASSERT_EQ(line->rfind("committed ", 0), 0u) << *line;
        committed.insert(marker + "b" + line->substr(10));
        ++seen;
      }
      child.Kill();
      int status = child.Wait();
      ASSERT_TRUE(WIFSIGNALED(status));
    }
    auto report = VerifyDataDir(dir);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    auto log = Log::Open(FaultOptions(dir));
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    const auto per_batch = EventsPerBatch(**log);
    for (const auto& [batch, n] : per_batch) {
      EXPECT_EQ(n, kBatch) << "batch " << batch << " is partial";
    }
    for (const auto& b : committed) {
      EXPECT_TRUE(per_batch.count(b))
          << "batch " << b << " was reported durable but is lost";
    }
    EXPECT_EQ(report->events, per_batch.size() * kBatch);
  }
  std::filesystem::remove_all(dir);
}

TEST(LogFaultTest, SecondProcessIsRefusedWithTheDirNamed) {
  const std::string dir = logtesting::MakeTempDir("lock");
  {
    Child holder({"hold", dir});
    auto line = holder.ReadLine();
    ASSERT_EQ(line, std::optional<std::string>("open"));
    auto second = Log::Open(FaultOptions(dir));
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), Status::Code::kFailedPrecondition);
    EXPECT_NE(
        second.status().message().find(dir + " is in use by another process"),
        std::string::npos)
        << second.status().ToString();
    auto verify = VerifyDataDir(dir);
    EXPECT_EQ(verify.status().code(), Status::Code::kFailedPrecondition);
    holder.CloseStdin();
    int status = holder.Wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto reopened = Log::Open(FaultOptions(dir));
  EXPECT_TRUE(reopened.ok()) << reopened.status().ToString();
  reopened = Status::Internal("closed");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ledger
