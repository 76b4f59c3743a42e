// Starts and stops a real ledger-node process for functional tests (fork/exec;
// no sleeps: it waits for the node's start line on stdout and then for /healthz
// with bounded loops).
#ifndef UDI_TESTS_NODE_PROCESS_H_
#define UDI_TESTS_NODE_PROCESS_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ledger/status.h"

namespace udi_test {

struct ProcessResult {
  int exit_code = -1;  // when it exited normally
  int signal = 0;      // when a signal ended it
  std::string stdout_text;
  std::string stderr_text;
};

// Percent-encodes everything but RFC 3986 unreserved characters, for ids
// (EPC URIs, Digital Links, event ids) placed in one URL path segment.
std::string EncodePathSegment(const std::string& s);

// Polls `condition` (every 20 ms) until it holds or `seconds` pass; returns
// the last answer. For tests that wait on another process.
bool WaitFor(const std::function<bool()>& condition, int seconds = 30);

// Runs `argv` (argv[0] = path) to completion with a deadline; IOError when it
// does not finish.
ledger::Result<ProcessResult> RunProgram(const std::vector<std::string>& argv,
                                         int timeout_seconds = 60);

class NodeProcess {
 public:
  // Starts build/bin/ledger-node on 127.0.0.1 with a free port in `data_dir`,
  // plus `extra_args`. Returns once /healthz answers 200; IOError with the
  // node's stderr when it does not start. `program`: another ledger-node
  // binary (e.g. one extracted from the package) instead of build/bin's.
  static ledger::Result<std::unique_ptr<NodeProcess>> Start(
      const std::string& data_dir,
      const std::vector<std::string>& extra_args = {},
      const std::string& program = "");
  ~NodeProcess();  // SIGKILLs the node if it still runs

  uint16_t port() const { return port_; }
  const std::string& start_line() const { return start_line_; }
  // The admin token the node wrote to DATA/admin.token.
  std::string AdminToken() const;

  // Sends `sig` and waits (bounded) for the process to end.
  ledger::Result<ProcessResult> Stop(int sig);
  pid_t pid() const { return pid_; }

 private:
  NodeProcess() = default;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string data_dir_;
  std::string stderr_path_;
  std::string start_line_;
  uint16_t port_ = 0;
};

// The directory holding the built programs (UDI_BIN_DIR).
std::string BinDir();

// A fresh directory under /tmp, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace udi_test

#endif  // UDI_TESTS_NODE_PROCESS_H_
