#include "scanners/station/inputs.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace station {

using ledger::Result;
using ledger::Status;

LineSplitter::LineSplitter(LineHandler handler, std::string source,
                           std::function<void(const std::string&)> answer)
    : handler_(std::move(handler)),
      source_(std::move(source)),
      answer_(std::move(answer)) {}

void LineSplitter::Feed(std::string_view bytes) {
  std::vector<std::string> batch;
  std::string out;
  auto flush = [&] {
    if (batch.empty()) return;
    for (const auto& a : handler_(batch, source_)) out += a + "\n";
    batch.clear();
  };
  for (char c : bytes) {
    if (c != '\n') {
      if (line_.size() < kMaxLineBytes) {
        line_.push_back(c);
      } else {
        overlong_ = true;
      }
      continue;
    }
    if (overlong_) {
      flush();  // answers stay in line order
      out +=
          "ERR line longer than " + std::to_string(kMaxLineBytes) + " bytes\n";
    } else {
      batch.push_back(std::move(line_));
    }
    line_.clear();
    overlong_ = false;
  }
  flush();
  if (!out.empty()) answer_(out);
}

Result<std::unique_ptr<TcpListener>> TcpListener::Start(const std::string& host,
                                                        uint16_t port,
                                                        LineHandler handler) {
  std::unique_ptr<TcpListener> l(new TcpListener());
  l->handler_ = std::move(handler);
  auto fd = ListenTcp(host, port, &l->port_);
  if (!fd.ok()) return fd.status();
  l->listen_fd_ = std::move(*fd);
  l->acceptor_ = std::thread([p = l.get()] { p->AcceptLoop(); });
  return l;
}

TcpListener::~TcpListener() { Stop(); }

void TcpListener::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  stop_.Raise();
  if (acceptor_.joinable()) acceptor_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& session : sessions_) session.thread.join();
  sessions_.clear();
}

void TcpListener::AcceptLoop() {
  while (WaitFd(listen_fd_.get(), false, &stop_, -1) == WaitResult::kReady) {
    const int fd = ::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) {
      ::close(fd);
      return;
    }
    sessions_.remove_if([](Session& session) {
      if (!session.done) return false;
      session.thread.join();
      return true;
    });
    Session& session = sessions_.emplace_back();
    session.thread = std::thread([this, fd, &session] {
      Serve(fd);
      session.done = true;
    });
  }
}

void TcpListener::Serve(int raw_fd) {
  Fd fd(raw_fd);
  bool broken = false;
  LineSplitter splitter(handler_, "tcp " + PeerName(fd.get()),
                        [&](const std::string& answer) {
                          if (!broken) broken = !SendAll(fd.get(), answer).ok();
                        });
  while (!broken) {
    auto bytes = ReceiveSome(fd.get(), &stop_, -1);
    if (!bytes.ok() || bytes->empty())
      return;  // stopped, error, or the scanner hung up
    splitter.Feed(*bytes);
  }
}

Result<std::unique_ptr<FdLineReader>> FdLineReader::OpenSerial(
    const std::string& device, LineHandler handler) {
  Fd fd(::open(device.c_str(), O_RDONLY | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) return Status::IOError(device + ": " + std::strerror(errno));
  termios tio{};
  if (::tcgetattr(fd.get(), &tio) ==
      0) {  // not a tty (a FIFO in tests): read as is
    ::cfmakeraw(&tio);
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    ::cfsetspeed(&tio, B9600);
    if (::tcsetattr(fd.get(), TCSANOW, &tio) != 0) {
      return Status::IOError(device +
                             ": setting raw mode: " + std::strerror(errno));
    }
  }
  return std::unique_ptr<FdLineReader>(new FdLineReader(
      std::move(fd), true, -1, "serial " + device, std::move(handler)));
}

std::unique_ptr<FdLineReader> FdLineReader::ForStdin(LineHandler handler) {
  return std::unique_ptr<FdLineReader>(new FdLineReader(
      Fd(STDIN_FILENO), false, STDOUT_FILENO, "stdin", std::move(handler)));
}

FdLineReader::FdLineReader(Fd fd, bool owned, int answer_fd, std::string source,
                           LineHandler handler)
    : fd_(std::move(fd)),
      owned_(owned),
      answer_fd_(answer_fd),
      source_(std::move(source)),
      handler_(std::move(handler)) {
  thread_ = std::thread([this] { Loop(); });
}

FdLineReader::~FdLineReader() {
  Stop();
  if (!owned_) fd_.Release();  // never close stdin
}

void FdLineReader::Stop() {
  stop_.Raise();
  if (thread_.joinable()) thread_.join();
}

void FdLineReader::Loop() {
  LineSplitter splitter(handler_, source_, [&](const std::string& answer) {
    if (answer_fd_ < 0) {
      std::cerr << answer;  // a serial scanner does not read answers: log them
      return;
    }
    [[maybe_unused]] const ssize_t n =
        ::write(answer_fd_, answer.data(), answer.size());
  });
  for (;;) {
    if (WaitFd(fd_.get(), false, &stop_, -1) != WaitResult::kReady) return;
    char buf[4096];
    const ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EOF or error: this input is done
    splitter.Feed(std::string_view(buf, static_cast<size_t>(n)));
  }
}

}  // namespace station
