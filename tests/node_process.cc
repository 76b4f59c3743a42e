#include "tests/node_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "node/client/http_client.h"

namespace udi_test {

namespace {

using Clock = std::chrono::steady_clock;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads from `fd` until `stop(text)` or EOF or the deadline.
std::string ReadUntil(int fd, Clock::time_point deadline,
                      bool (*stop)(const std::string&)) {
  std::string text;
  char buf[4096];
  while (!stop(text)) {
    int left =
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                             deadline - Clock::now())
                             .count());
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

// Waits for `pid` to end, up to the deadline.
std::optional<int> WaitFor(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return std::nullopt;
    if (Clock::now() > deadline) return std::nullopt;
    // Block briefly on the child instead of spinning: poll() on no fds is a
    // bounded wait.
    ::poll(nullptr, 0, 2);
  }
}

ProcessResult ToResult(int status) {
  ProcessResult r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

pid_t Spawn(const std::vector<std::string>& argv, int stdout_fd,
            int stderr_fd) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::dup2(stdout_fd, 1);
  ::dup2(stderr_fd, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());  // PATH lookup for names without a slash
  std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
  ::_exit(127);
}

}  // namespace

std::string BinDir() { return UDI_BIN_DIR; }

TempDir::TempDir() {
  char tmpl[] = "/tmp/udi-node-test-XXXXXX";
  path_ = ::mkdtemp(tmpl);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool WaitFor(const std::function<bool()>& condition, int seconds) {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll pace
  }
  return condition();
}

std::string EncodePathSegment(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

ledger::Result<ProcessResult> RunProgram(const std::vector<std::string>& argv,
                                         int timeout_seconds) {
  TempDir tmp;
  std::string out_path = tmp.path() + "/stdout",
              err_path = tmp.path() + "/stderr";
  int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = Spawn(argv, out, err);
  ::close(out);
  ::close(err);
  auto status =
      WaitFor(pid, Clock::now() + std::chrono::seconds(timeout_seconds));
  if (!status) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return ledger::Status::IOError(argv[0] + ": did not finish in " +
                                   std::to_string(timeout_seconds) + " s");
  }
  ProcessResult r = ToResult(*status);
  r.stdout_text = ReadFile(out_path);
  r.stderr_text = ReadFile(err_path);
  return r;
}

ledger::Result<std::unique_ptr<NodeProcess>> NodeProcess::Start(
    const std::string& data_dir, const std::vector<std::string>& extra_args,
    const std::string& program) {
  std::unique_ptr<NodeProcess> node(new NodeProcess());
  node->data_dir_ = data_dir;
  node->stderr_path_ = data_dir + ".stderr";
  std::vector<std::string> argv = {
      program.empty() ? BinDir() + "/ledger-node" : program,
      "--data",
      data_dir,
      "--listen",
      "127.0.0.1:0",
      "--name",
      "test-node"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return ledger::Status::IOError("pipe");
  int err = ::open(node->stderr_path_.c_str(),
                   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  node->pid_ = Spawn(argv, pipe_fds[1], err);
  ::close(pipe_fds[1]);
  ::close(err);
  node->stdout_fd_ = pipe_fds[0];

  auto deadline = Clock::now() + std::chrono::seconds(60);
  std::string out = ReadUntil(
      node->stdout_fd_, deadline,
      [](const std::string& t) { return t.find('\n') != std::string::npos; });
  node->start_line_ = out.substr(0, out.find('\n'));
  size_t at = node->start_line_.find("listen=127.0.0.1:");
  if (at == std::string::npos) {
    auto status = WaitFor(node->pid_, Clock::now() + std::chrono::seconds(10));
    node->pid_ = status ? -1 : node->pid_;
    return ledger::Status::IOError("ledger-node did not start: " + out +
                                   ReadFile(node->stderr_path_));
  }
  node->port_ =
      static_cast<uint16_t>(std::atoi(node->start_line_.c_str() + at + 17));
  udi_http::HttpClient client("127.0.0.1", node->port_);
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto r = client.Get("/healthz");
    if (r.ok() && r->status == 200) return node;
  }
  return ledger::Status::IOError("ledger-node: /healthz never answered 200");
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

std::string NodeProcess::AdminToken() const {
  std::string t = ReadFile(data_dir_ + "/admin.token");
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  return t;
}

ledger::Result<ProcessResult> NodeProcess::Stop(int sig) {
  if (pid_ <= 0) return ledger::Status::FailedPrecondition("node not running");
  ::kill(pid_, sig);
  auto status = WaitFor(pid_, Clock::now() + std::chrono::seconds(60));
  if (!status)
    return ledger::Status::IOError("ledger-node did not exit after signal " +
                                   std::to_string(sig));
  pid_ = -1;
  ProcessResult r = ToResult(*status);
  r.stdout_text = start_line_ + "\n" +
                  ReadUntil(stdout_fd_, Clock::now() + std::chrono::seconds(5),
                            [](const std::string&) { return false; });
  r.stderr_text = ReadFile(stderr_path_);
  return r;
}

}  // namespace udi_test
