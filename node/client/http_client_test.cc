// HttpClient against real loopback listeners that misbehave: a server that
// accepts and never answers, one that sends headers and then stalls, one that
// never reads a large request, and one that closes a kept-alive connection.
// Each request must end within a bound with a Status naming the URL and the
// phase.
#include "node/client/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A loopback TCP listener; each accepted connection runs `handler(fd,
// server)` on its own thread. Stop (or the destructor) wakes every handler
// blocked in WaitForStop or in a socket call, and joins them.
class LoopbackServer {
 public:
  using Handler = std::function<void(int fd, LoopbackServer* server)>;

  explicit LoopbackServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(
        ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_fd_, 16), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] {
      for (;;) {
        int fd = ::accept(listen_fd_, nullptr, nullptr);
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) {
          if (fd >= 0) ::close(fd);
          return;
        }
        if (fd < 0) continue;
        ++accepted_;
        fds_.push_back(fd);
        threads_.emplace_back([this, fd] { handler_(fd, this); });
      }
    });
  }
  ~LoopbackServer() { Stop(); }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      stopping_ = true;
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
      ::shutdown(listen_fd_, SHUT_RDWR);  // wakes the blocking accept
    }
    cv_.notify_all();
    accept_thread_.join();
    for (auto& t : threads_) t.join();
    for (int fd : fds_) ::close(fd);
    ::close(listen_fd_);
  }

  uint16_t port() const { return port_; }
  int accepted() const {
    std::lock_guard<std::mutex> lock(mu_);
    return accepted_;
  }
  // Blocks the calling handler until Stop.
  void WaitForStop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stopping_; });
  }

 private:
  Handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread accept_thread_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  bool stopping_ = false;
  int accepted_ = 0;
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
};

// Reads from `fd` until the end of the request headers ("\r\n\r\n"); false
// when the connection ends first.
bool ReadRequestHead(int fd) {
  std::string got;
  char buf[4096];
  while (got.find("\r\n\r\n") == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    got.append(buf, static_cast<size_t>(n));
  }
  return true;
}

void SendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

struct StallCase {
  std::string name;
  LoopbackServer::Handler handler;
  std::string method;
  std::string body;
  std::string phase;  // in the error: "<phase> timed out after 300 ms"
};

TEST(HttpClientTest, SilentOrStallingServersFailWithinTheTimeout) {
  const StallCase cases[] = {
      {"accepts and never answers",
       [](int, LoopbackServer* s) { s->WaitForStop(); }, "GET", "", "read"},
      {"sends headers then stalls",
       [](int fd, LoopbackServer* s) {
         if (ReadRequestHead(fd)) {
           SendAll(fd,
                   "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                   "Content-Length: 100\r\n\r\n{\"logs\": [");
         }
         s->WaitForStop();
       },
       "GET", "", "read"},
      {"sends only part of the status line",
       [](int fd, LoopbackServer* s) {
         if (ReadRequestHead(fd)) SendAll(fd, "HTTP/1.1 2");
         s->WaitForStop();
       },
       "GET", "", "read"},
      // 64 MiB never read by the server: the socket buffers fill up.
      {"never reads a large request",
       [](int, LoopbackServer* s) { s->WaitForStop(); }, "POST",
       std::string(64u << 20, 'x'), "write"},
  };
  constexpr milliseconds kTimeout(300);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    LoopbackServer server(c.handler);
    udi_http::HttpClient client("127.0.0.1", server.port());
    client.SetTimeout(kTimeout);
    auto start = Clock::now();
    auto r = client.Send(c.method, "/v1/logs", c.body);
    auto took = Clock::now() - start;
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.status().IsIOError()) << r.status().ToString();
    EXPECT_EQ(r.status().message(),
              c.method + " http://127.0.0.1:" + std::to_string(server.port()) +
                  "/v1/logs: " + c.phase + " timed out after 300 ms");
    EXPECT_GE(took, kTimeout);
    EXPECT_LT(took, kTimeout * 3)
        << "took " << std::chrono::duration_cast<milliseconds>(took).count()
        << " ms";
    EXPECT_EQ(server.accepted(), 1) << "a timed-out request is not retried";
  }
}

// A full answer, kept alive unless `close` is set.
std::string Answer(const std::string& body, bool close) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
         (close ? "\r\nConnection: close" : "") + "\r\n\r\n" + body;
}

TEST(HttpClientTest, AnswersArriveAndAClosedKeptAliveConnectionIsReplaced) {
  // Each connection answers one request (claiming keep-alive) and closes.
  LoopbackServer server([](int fd, LoopbackServer*) {
    if (ReadRequestHead(fd)) SendAll(fd, Answer("{\"n\": 1}", false));
    ::shutdown(fd, SHUT_RDWR);
  });
  udi_http::HttpClient client("127.0.0.1", server.port());
  client.SetTimeout(milliseconds(2000));
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    auto r = client.Get("/x");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Json()["n"], 1);
  }
  EXPECT_EQ(server.accepted(), 3);
}

TEST(HttpClientTest, KeepAliveConnectionIsReusedAndInterimResponsesSkipped) {
  LoopbackServer server([](int fd, LoopbackServer*) {
    while (ReadRequestHead(fd)) {
      SendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n" + Answer("ok", false));
    }
  });
  udi_http::HttpClient client("127.0.0.1", server.port());
  client.SetTimeout(milliseconds(2000));
  for (int i = 0; i < 3; ++i) {
    auto r = client.Get("/y");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok");
  }
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpClientTest, RefusedConnectionNamesTheUrlAndPhase) {
  // A port that was just listening and is now closed: nothing listens there.
  uint16_t port;
  {
    LoopbackServer server([](int, LoopbackServer*) {});
    port = server.port();
  }
  udi_http::HttpClient client("127.0.0.1", port);
  client.SetTimeout(milliseconds(2000));
  auto r = client.Get("/v1/node");
  ASSERT_FALSE(r.ok());
  std::string prefix =
      "GET http://127.0.0.1:" + std::to_string(port) + "/v1/node: connect: ";
  EXPECT_EQ(r.status().message().substr(0, prefix.size()), prefix)
      << r.status().ToString();
}

}  // namespace
