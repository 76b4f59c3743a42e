// Line-oriented inputs: the TCP listener for fixed-mount scanners, and
// serial / keyboard-wedge devices or stdin.
//
// Protocol (TCP and stdin): one scan per line (LF, optional CR before it); each
// line is answered with one line: "OK <eventId>" once the scan is in the spool
// (fsynced), or "ERR <reason>" at once for a bad scan. Packing stations answer
// "OK OPEN <parent>" and "OK ADDED <n>" for parents and children. Lines longer
// than kMaxLineBytes are answered "ERR line longer than 4096 bytes" and
// dropped. Serial devices are read the same way; the answers go to stderr, as a
// scanner on a serial line does not read them.
//
// Threads: each input runs its own threads (one per TCP connection); Stop() is
// called once, from any thread, and joins them.
#ifndef UDI_SCANNERS_STATION_INPUTS_H_
#define UDI_SCANNERS_STATION_INPUTS_H_

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ledger/status.h"
#include "scanners/station/net.h"

namespace station {

constexpr size_t kMaxLineBytes = 4096;

// Handles the complete lines of one read from an input, in order, and returns
// one answer per line (no newlines). Batching lets the station commit them with
// one fdatasync. Must be thread-safe.
using LineHandler = std::function<std::vector<std::string>(
    const std::vector<std::string>& lines, std::string_view source)>;

// Splits a byte stream into lines and answers each through `answer`.
class LineSplitter {
 public:
  // `answer` receives the answers of one Feed, each ending in a newline.
  LineSplitter(LineHandler handler, std::string source,
               std::function<void(const std::string&)> answer);
  // Feeds bytes; calls the handler for every complete line.
  void Feed(std::string_view bytes);

 private:
  LineHandler handler_;
  std::string source_;
  std::function<void(const std::string&)> answer_;
  std::string line_;
  bool overlong_ = false;
};

class TcpListener {
 public:
  // Listens on host:port (0 = any free port, see port()).
  static ledger::Result<std::unique_ptr<TcpListener>> Start(
      const std::string& host, uint16_t port, LineHandler handler);
  ~TcpListener();
  uint16_t port() const { return port_; }
  void Stop();

 private:
  TcpListener() = default;
  void AcceptLoop();
  void Serve(int fd);

  LineHandler handler_;
  Fd listen_fd_;
  uint16_t port_ = 0;
  StopSignal stop_;
  std::thread acceptor_;
  struct Session {
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::mutex mu_;                // protects sessions_ and stopped_
  std::list<Session> sessions_;  // finished ones are joined at the next accept
  bool stopped_ = false;
};

// Reads lines from `fd` (stdin, or a serial device opened raw) until EOF or
// Stop(). Answers go to `answer_fd` (-1: stderr with the source name).
class FdLineReader {
 public:
  // Opens a serial device in raw mode (9600 8N1 is irrelevant for USB CDC
  // scanners; the line discipline is what matters) and reads it.
  static ledger::Result<std::unique_ptr<FdLineReader>> OpenSerial(
      const std::string& device, LineHandler handler);
  static std::unique_ptr<FdLineReader> ForStdin(LineHandler handler);
  ~FdLineReader();
  void Stop();

 private:
  FdLineReader(Fd fd, bool owned, int answer_fd, std::string source,
               LineHandler handler);
  void Loop();

  Fd fd_;
  bool owned_;
  int answer_fd_;
  std::string source_;
  LineHandler handler_;
  StopSignal stop_;
  std::thread thread_;
};

}  // namespace station

#endif  // UDI_SCANNERS_STATION_INPUTS_H_
