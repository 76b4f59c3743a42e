// Functional tests of the node's input bounds over raw TCP sockets against a
// real ledger-node: read timeout, header and body limits, connection limit.
// No sleeps: every wait is a poll() with a deadline.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include "tests/node_process.h"

namespace {

using udi_test::NodeProcess;
using udi_test::TempDir;
using Clock = std::chrono::steady_clock;

// One raw client connection.
class RawConnection {
 public:
  // receive_buffer > 0: SO_RCVBUF set before connecting (a small one makes
  // the node's writes of a large answer block until the client reads).
  explicit RawConnection(uint16_t port, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer,
                   sizeof receive_buffer);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }

  bool SendAll(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n =
          ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads until the peer closes (EOF or reset) or `timeout` passes. Returns
  // what arrived; *closed says whether the peer closed.
  std::string ReadUntilClosed(std::chrono::milliseconds timeout, bool* closed) {
    std::string out;
    *closed = false;
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - Clock::now());
      int r =
          ::poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count())));
      if (r <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        *closed = true;
        return out;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  // Reads until one full response header block and its Content-Length body
  // arrived (or the peer closed / timeout). Bytes after it stay for the next
  // call.
  std::string ReadResponse(std::chrono::milliseconds timeout) {
    std::string out = std::move(rest_);
    rest_.clear();
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      size_t end = out.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t cl = out.find("Content-Length: ");
        size_t want = end + 4;
        if (cl != std::string::npos && cl < end)
          want += std::stoul(out.substr(cl + 16));
        if (out.size() >= want) {
          rest_ = out.substr(want);
          out.resize(want);
          return out;
        }
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return out;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  // Whether any byte arrives within `timeout` (a wait with a deadline, for
  // checking that nothing is answered yet).
  bool AnythingWithin(std::chrono::milliseconds timeout) {
    if (!rest_.empty()) return true;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string rest_;  // read past the last response
};

std::unique_ptr<NodeProcess> StartWithConfig(const TempDir& tmp,
                                             const std::string& json) {
  std::string config = tmp.path() + "/node.json";
  std::ofstream(config) << json;
  auto node = NodeProcess::Start(tmp.path() + "/data", {"--config", config});
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  return node.ok() ? std::move(*node) : nullptr;
}

int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0) return 0;
  return std::stoi(response.substr(9, 3));
}

// A new connection that was served (200 for /healthz), retrying (bounded)
// while the node answers 503 because a just-closed connection still holds
// its slot. nullptr when none is served.
std::unique_ptr<RawConnection> ServedConnection(uint16_t port) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto c = std::make_unique<RawConnection>(port);
    if (!c->SendAll("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")) continue;
    if (StatusOf(c->ReadResponse(std::chrono::seconds(10))) == 200) return c;
  }
  return nullptr;
}

TEST(NodeLimitsTest, StalledHalfRequestIsDisconnectedWithinReadTimeout) {
  TempDir tmp;
  auto node = StartWithConfig(tmp, R"({"readTimeoutSeconds": 1})");
  ASSERT_NE(node, nullptr);
  RawConnection c(node->port());
  ASSERT_TRUE(c.connected());
  auto start = Clock::now();
  ASSERT_TRUE(c.SendAll("GET /healthz HTTP/1.1\r\nHost: x\r\n"));  // no end
  bool closed = false;
  std::string got = c.ReadUntilClosed(std::chrono::seconds(10), &closed);
  auto elapsed = Clock::now() - start;
  EXPECT_TRUE(closed) << "still connected after 10 s";
  EXPECT_EQ(got, "");  // no answer to half a request
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  // The node still serves others.
  RawConnection d(node->port());
  ASSERT_TRUE(d.SendAll("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(d.ReadResponse(std::chrono::seconds(10))), 200);
}

TEST(NodeLimitsTest, OversizeHeadersGet431AndOversizeBodies413) {
  TempDir tmp;
  auto node = StartWithConfig(
      tmp, R"({"headerLimitBytes": 1024, "bodyLimitBytes": 2048})");
  ASSERT_NE(node, nullptr);
  {
    RawConnection c(node->port());
    ASSERT_TRUE(c.SendAll("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " +
                          std::string(2000, 'a') + "\r\n\r\n"));
    std::string r = c.ReadResponse(std::chrono::seconds(10));
    EXPECT_EQ(StatusOf(r), 431) << r;
    EXPECT_NE(r.find("headers: larger than 1024 bytes"), std::string::npos)
        << r;
  }
  {
    // Content-Length alone is enough: the node answers before any body byte.
    RawConnection c(node->port());
    ASSERT_TRUE(
        c.SendAll("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: "
                  "1000000000\r\nContent-Type: application/json\r\n\r\n"));
    std::string r = c.ReadResponse(std::chrono::seconds(10));
    EXPECT_EQ(StatusOf(r), 413) << r;
    EXPECT_NE(r.find("\"field\":\"body\""), std::string::npos) << r;
    bool closed = false;
    c.ReadUntilClosed(std::chrono::seconds(10), &closed);
    EXPECT_TRUE(closed) << "the connection stays open after a 413";
  }
  {
    // A chunked body that grows past the limit.
    RawConnection c(node->port());
    std::string chunk(1500, ' ');
    char size[16];
    std::snprintf(size, sizeof size, "%zx", chunk.size());
    ASSERT_TRUE(
        c.SendAll("POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                  "chunked\r\n\r\n" +
                  std::string(size) + "\r\n" + chunk + "\r\n" + size + "\r\n" +
                  chunk + "\r\n0\r\n\r\n"));
    std::string r = c.ReadResponse(std::chrono::seconds(10));
    EXPECT_EQ(StatusOf(r), 413) << r;
  }
}

size_t CountOf(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

std::string PostEvents(const std::string& token, const std::string& body) {
  return "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
         token + "\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The node reads a body that arrives with its header, or later, or together
// with the next request, and writes answers the socket takes at once or only
// as the client reads (the write resumes where it stopped), each time on the
// same kept-alive connection.
TEST(NodeLimitsTest, BodiesAndAnswersInPiecesOnOneConnection) {
  TempDir tmp;
  auto node = StartWithConfig(tmp, R"({})");
  ASSERT_NE(node, nullptr);
  const std::string token = node->AdminToken();
  // Each envelope is answered "rejected" with an error naming its 500-byte
  // member: 10,000 of them make an answer larger than any socket send buffer
  // (net.ipv4.tcp_wmem allows 4 MiB).
  const size_t kEnvelopes = 10000;
  const std::string member(500, 'x');
  std::string body = "{\"envelopes\":[";
  for (size_t i = 0; i < kEnvelopes; ++i) {
    body += (i ? ",{\"" : "{\"") + member + "\":1}";
  }
  body += "]}";
  RawConnection c(node->port(), 4096);
  ASSERT_TRUE(c.connected());
  // 1. A large answer (about 5.5 MB) to a client that reads only after
  // sending: the node cannot write it at once.
  ASSERT_TRUE(c.SendAll(PostEvents(token, body)));
  std::string r = c.ReadResponse(std::chrono::seconds(30));
  ASSERT_EQ(StatusOf(r), 200) << r.substr(0, 300);
  EXPECT_GT(r.size(), 5000000u);
  EXPECT_EQ(CountOf(r, "\"status\":\"rejected\""), kEnvelopes);
  EXPECT_EQ(CountOf(r, member + ": unexpected member in envelope"), kEnvelopes)
      << r.substr(0, 300);
  // 2. A body sent in two pieces: nothing is answered before the second.
  const std::string one = PostEvents(token, "{\"envelopes\":[{}]}");
  const size_t half = one.size() - 8;
  ASSERT_TRUE(c.SendAll(one.substr(0, half)));
  EXPECT_FALSE(c.AnythingWithin(std::chrono::milliseconds(200)));
  ASSERT_TRUE(c.SendAll(one.substr(half)));
  r = c.ReadResponse(std::chrono::seconds(10));
  EXPECT_EQ(StatusOf(r), 200) << r;
  EXPECT_NE(r.find("{\"results\":[{\"error\":\"event: missing\""),
            std::string::npos)
      << r;
  // 3. Two requests in one send (pipelined): two answers, in order.
  ASSERT_TRUE(c.SendAll(one + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.ReadResponse(std::chrono::seconds(10));
  EXPECT_EQ(StatusOf(r), 200) << r;
  EXPECT_NE(r.find("\"results\""), std::string::npos) << r;
  r = c.ReadResponse(std::chrono::seconds(10));
  EXPECT_EQ(StatusOf(r), 200) << r;
  EXPECT_EQ(r.find("\"results\""), std::string::npos) << r;
}

TEST(NodeLimitsTest, ConnectionsBeyondTheLimitGet503WithRetryAfter) {
  TempDir tmp;
  auto node = StartWithConfig(tmp, R"({"maxConnections": 2})");
  ASSERT_NE(node, nullptr);
  // Two kept-alive connections, each proven accepted by an answer (the
  // node may still be releasing the slot of the start-up probe's connection).
  auto a = ServedConnection(node->port());
  auto b = ServedConnection(node->port());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  {
    RawConnection extra(node->port());
    ASSERT_TRUE(extra.connected());
    bool closed = false;
    std::string r = extra.ReadUntilClosed(std::chrono::seconds(10), &closed);
    EXPECT_EQ(StatusOf(r), 503) << r;
    EXPECT_NE(r.find("Retry-After: 1"), std::string::npos) << r;
    EXPECT_NE(r.find("too many connections"), std::string::npos) << r;
    EXPECT_TRUE(closed);
  }
  // The two admitted connections still work; once one closes, a new one is
  // served.
  ASSERT_TRUE(a->SendAll("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(a->ReadResponse(std::chrono::seconds(10))), 200);
  ASSERT_TRUE(b->SendAll(
      "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(StatusOf(b->ReadResponse(std::chrono::seconds(10))), 200);
  bool closed = false;
  b->ReadUntilClosed(std::chrono::seconds(10), &closed);
  ASSERT_TRUE(closed);
  // The server releases b's slot when its session ends; poll (bounded) until a
  // new connection is served rather than refused.
  int status = 0;
  for (int i = 0; i < 200 && status != 200; ++i) {
    RawConnection c(node->port());
    ASSERT_TRUE(c.SendAll("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    status = StatusOf(c.ReadResponse(std::chrono::seconds(10)));
  }
  EXPECT_EQ(status, 200);
}

}  // namespace
