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
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
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
  // arrived (or the peer closed / timeout).
  std::string ReadResponse(std::chrono::milliseconds timeout) {
    std::string out;
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      size_t end = out.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t cl = out.find("Content-Length: ");
        size_t want = end + 4;
        if (cl != std::string::npos && cl < end)
          want += std::stoul(out.substr(cl + 16));
        if (out.size() >= want) return out;
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

 private:
  int fd_ = -1;
  bool connected_ = false;
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
