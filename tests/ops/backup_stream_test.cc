// Online backups stream end to end in bounded memory (issue 7): a log much
// larger than the bound is backed up while a client keeps appending; the
// node's peak RSS (VmHWM, reset just before) and ledgerctl's (wait4 rusage)
// grow by less than the bound, and the backup restores and verifies in full.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sodium.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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

// The memory a backup may add, on the node and in ledgerctl. The log backed
// up below compresses to several times this, so a backup held in memory on
// either side fails the test.
constexpr uint64_t kBoundKiB = 48 << 10;
constexpr uint64_t kBackupAtLeastBytes = 4 * (kBoundKiB << 10);
constexpr size_t kBlobChars = 96 << 10;  // per event, ~6 bits of entropy each

// A field of /proc/PID/status in KiB ("VmHWM", "VmRSS"); 0 when absent.
uint64_t StatusKiB(pid_t pid, const std::string& field) {
  std::string status = ReadAll("/proc/" + std::to_string(pid) + "/status");
  size_t at = status.find("\n" + field + ":");
  if (at == std::string::npos) return 0;
  return std::stoull(status.substr(at + field.size() + 2));
}

// Resets the peak RSS (VmHWM) of `pid` to its current RSS (proc(5),
// /proc/PID/clear_refs "5").
bool ResetPeakRss(pid_t pid) {
  int fd = ::open(("/proc/" + std::to_string(pid) + "/clear_refs").c_str(),
                  O_WRONLY);
  if (fd < 0) return false;
  bool ok = ::write(fd, "5", 1) == 1;
  ::close(fd);
  return ok;
}

// The largest RssAnon (anonymous resident memory: heap and stacks, not the
// file pages LevelDB maps while reading its tables) of `pid` seen while it
// runs, sampled every 5 ms by a thread of its own (a measurement period, not
// a wait for a condition).
class AnonRssSampler {
 public:
  explicit AnonRssSampler(pid_t pid)
      : thread_([this, pid] {
          while (!stop_) {
            peak_ = std::max<uint64_t>(peak_, StatusKiB(pid, "RssAnon"));
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
        }) {}
  // Stops sampling; the peak seen.
  uint64_t Finish() {
    stop_ = true;
    thread_.join();
    return peak_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> peak_{0};
  std::thread thread_;
};

struct Measured {
  int exit_code = -1;
  uint64_t max_rss_kib = 0;  // the child's own peak RSS (wait4)
  std::string stdout_text, stderr_text;
};

// Runs `argv` with stdout and stderr in files under `dir` and returns its own
// peak RSS from wait4's rusage (not that of other children).
Measured RunMeasured(const std::vector<std::string>& argv,
                     const std::string& dir) {
  std::string out = dir + "/run.stdout", err = dir + "/run.stderr";
  pid_t pid = ::fork();
  if (pid == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  Measured m;
  int status = 0;
  rusage usage{};
  if (pid > 0 && ::wait4(pid, &status, 0, &usage) == pid) {
    m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    m.max_rss_kib = static_cast<uint64_t>(usage.ru_maxrss);
  }
  m.stdout_text = ReadAll(out);
  m.stderr_text = ReadAll(err);
  return m;
}

// `n` random characters of a 64-letter alphabet: incompressible beyond 6 bits
// per character, so the backup stays large.
std::string RandomBlob(size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string bytes(n, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  for (char& c : bytes) c = kAlphabet[static_cast<uint8_t>(c) & 63];
  return bytes;
}

// Appends events carrying a large extension member until the node's log is
// at least `bytes` of event data; returns the number appended.
size_t FillLog(HttpClient& client, const ledger::SigningKey& key,
               uint64_t bytes) {
  size_t appended = 0;
  for (uint64_t written = 0; written < bytes;) {
    json envelopes = json::array();
    for (int i = 0; i < 16; ++i, written += kBlobChars) {
      json event = MakeEvent("big" + std::to_string(appended + i));
      event["example:blob"] = RandomBlob(kBlobChars);
      envelopes.push_back(Sign(event, key));
    }
    auto r = client.Post("/v1/events", {{"envelopes", envelopes}});
    if (!r.ok() || r->status != 200) {
      ADD_FAILURE() << "POST /v1/events: "
                    << (r.ok() ? r->body.substr(0, 300)
                               : r.status().ToString());
      return appended;
    }
    appended += envelopes.size();
  }
  return appended;
}

TEST(OpsBackupStreamTest, LargeBackupStreamsInBoundedMemoryWhileAppendsGoOn) {
  TempDir tmp;
  std::string data = tmp.path() + "/data";
  auto node = NodeProcess::Start(data);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  HttpClient admin("127.0.0.1", (*node)->port());
  admin.SetBearerToken((*node)->AdminToken());
  ledger::SigningKey key = *ledger::SigningKey::Generate("acme");
  ASSERT_EQ(Register(admin, key), 201);
  size_t big = FillLog(admin, key, kBackupAtLeastBytes * 4 / 3 + (8 << 20));
  ASSERT_GT(big, 0u);

  // A writer appends throughout the backup.
  std::atomic<bool> stop{false};
  std::atomic<size_t> accepted{0};
  std::thread writer([&] {
    HttpClient client("127.0.0.1", (*node)->port());
    client.SetBearerToken((*node)->AdminToken());
    for (int batch = 0; !stop; ++batch) {
      accepted +=
          SubmitEvents(client, key, "during" + std::to_string(batch) + "-", 20);
    }
  });
  ASSERT_TRUE(ResetPeakRss((*node)->pid()));
  uint64_t node_before = StatusKiB((*node)->pid(), "RssAnon");
  AnonRssSampler sampler((*node)->pid());
  std::string out = tmp.path() + "/big.udibak";
  Measured backup =
      RunMeasured({Ledgerctl(), "backup", "--node",
                   "http://127.0.0.1:" + std::to_string((*node)->port()),
                   "--token", (*node)->AdminToken(), out},
                  tmp.path());
  uint64_t node_peak = sampler.Finish();
  uint64_t node_hwm = StatusKiB((*node)->pid(), "VmHWM");
  size_t during = accepted.load();
  stop = true;
  writer.join();
  ASSERT_EQ(backup.exit_code, 0) << backup.stderr_text;
  json info = json::parse(backup.stdout_text, nullptr, false);
  uint64_t size = info.value("size", uint64_t{0});
  EXPECT_GE(size, big + 1);
  EXPECT_GT(during, 0u) << "no append succeeded while the backup ran";

  uint64_t file_bytes = std::filesystem::file_size(out);
  EXPECT_GE(file_bytes, kBackupAtLeastBytes);
  EXPECT_LT(node_peak - node_before, kBoundKiB)
      << "node anonymous RSS grew from " << node_before << " KiB to "
      << node_peak << " KiB for a backup of " << (file_bytes >> 10) << " KiB";
  EXPECT_LT(backup.max_rss_kib, kBoundKiB)
      << "ledgerctl peak RSS " << backup.max_rss_kib << " KiB for a backup of "
      << (file_bytes >> 10) << " KiB";
  std::fprintf(stderr,
               "backup: %llu KiB file, %llu entries; node RssAnon %llu -> "
               "peak %llu KiB (VmHWM incl. mapped table files %llu KiB); "
               "ledgerctl peak %llu KiB; %zu events appended during it\n",
               static_cast<unsigned long long>(file_bytes >> 10),
               static_cast<unsigned long long>(size),
               static_cast<unsigned long long>(node_before),
               static_cast<unsigned long long>(node_peak),
               static_cast<unsigned long long>(node_hwm),
               static_cast<unsigned long long>(backup.max_rss_kib), during);

  // The backup restores to exactly its checkpoint and verifies in full.
  std::string restored = tmp.path() + "/restored";
  Measured restore = RunMeasured(
      {Ledgerctl(), "restore", out, "--data", restored}, tmp.path());
  ASSERT_EQ(restore.exit_code, 0) << restore.stderr_text;
  json rinfo = json::parse(restore.stdout_text, nullptr, false);
  EXPECT_EQ(rinfo.value("size", uint64_t{0}), size);
  EXPECT_EQ(rinfo.value("checkpoint", ""), info.value("checkpoint", "x"));
  auto verify = RunProgram({Ledgerctl(), "verify", "--data", restored}, 600);
  ASSERT_TRUE(verify.ok());
  EXPECT_EQ(verify->exit_code, 0) << verify->stdout_text << verify->stderr_text;
}

// A client that goes away mid-download stops the node's producer: the node
// keeps serving and the next backup is complete.
TEST(OpsBackupStreamTest, ClientGoingAwayMidBackupLeavesTheNodeServing) {
  TempDir tmp;
  auto node = NodeProcess::Start(tmp.path() + "/data");
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  HttpClient admin("127.0.0.1", (*node)->port());
  admin.SetBearerToken((*node)->AdminToken());
  ledger::SigningKey key = *ledger::SigningKey::Generate("acme");
  ASSERT_EQ(Register(admin, key), 201);
  ASSERT_GT(FillLog(admin, key, 24 << 20), 0u);
  std::string url = "http://127.0.0.1:" + std::to_string((*node)->port());
  // `head -c` closes the pipe after 64 KiB, so curl aborts mid-body.
  auto cut = RunProgram({"/bin/sh", "-c",
                         "curl -sS -N -H 'Authorization: Bearer " +
                             (*node)->AdminToken() + "' " + url +
                             "/v1/admin/backup | head -c 65536 | wc -c"});
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->stdout_text, "65536\n") << cut->stderr_text;
  auto health = admin.Get("/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  std::string out = tmp.path() + "/after.udibak";
  auto backup = RunProgram({Ledgerctl(), "backup", "--node", url, "--token",
                            (*node)->AdminToken(), out},
                           300);
  ASSERT_TRUE(backup.ok());
  EXPECT_EQ(backup->exit_code, 0) << backup->stderr_text;
  // The cut backup's producer ended (a stuck one would hold up the shutdown)
  // and said why.
  auto stopped = (*node)->Stop(SIGTERM);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->exit_code, 0)
      << "signal " << stopped->signal << "\n"
      << stopped->stderr_text.substr(stopped->stderr_text.size() > 3000
                                         ? stopped->stderr_text.size() - 3000
                                         : 0);
  size_t failed = 0, served = 0;
  for (const json& line : JsonLines(stopped->stderr_text)) {
    failed +=
        line.value("msg", "") == "backup failed" &&
        line.value("error", "").find("connection closed") != std::string::npos;
    served += line.value("msg", "") == "backup served";
  }
  EXPECT_EQ(failed, 1u) << stopped->stderr_text.substr(0, 4000);
  EXPECT_EQ(served, 1u);
}

}  // namespace
}  // namespace udi_ops_test
