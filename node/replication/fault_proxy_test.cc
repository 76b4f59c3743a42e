// The fault-injecting proxy of the replication tests (see fault_proxy.h), and
// a test of the proxy itself.
#include "node/replication/fault_proxy.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "ledger/bytes.h"
#include "ledger/jcs.h"
#include "node/client/http_client.h"

namespace replication_test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Rewrites the first leaf of `body` ({"entries": [...]}) for which `alter`
// returns true.
std::string AlterLeaf(const std::string& body,
                      const std::function<bool(nlohmann::json*)>& alter) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.contains("entries")) return body;
  for (auto& e : j["entries"]) {
    auto bytes = ledger::FromBase64(e["leaf"].get<std::string>());
    if (!bytes) continue;
    auto leaf = nlohmann::json::parse(*bytes, nullptr, false);
    if (leaf.is_discarded() || !alter(&leaf)) continue;
    e["leaf"] = ledger::ToBase64(*ledger::CanonicalizeJson(leaf));
    break;
  }
  return j.dump();
}

}  // namespace

struct FaultProxy::Impl {
  uint16_t upstream = 0;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread accept_thread;
  mutable std::mutex mu;  // guards everything below
  std::condition_variable cv;
  bool stopping = false;
  std::vector<int> fds;  // open client connections, shut down on stop
  std::vector<std::thread> connections;
  std::map<std::string, int> seen;                      // path → requests
  std::map<std::string, std::string> first_checkpoint;  // path → body
  std::function<std::string(const std::string&)> checkpoint_rewrite;

  void Serve(tcp::socket socket, const std::atomic<Fault>* fault) {
    if (fault->load() == Fault::kSilent) {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [this] { return stopping; });
      return;
    }
    udi_http::HttpClient upstream_client("127.0.0.1", upstream);
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      beast::error_code ec;
      http::read(socket, buffer, req, ec);
      if (ec) return;
      std::string target(req.target());
      std::string path = target.substr(0, target.find('?'));
      std::vector<std::pair<std::string, std::string>> headers;
      auto auth = req[http::field::authorization];
      if (!auth.empty())
        headers.emplace_back("Authorization", std::string(auth));
      auto got = upstream_client.Send(std::string(req.method_string()), target,
                                      req.body(), headers);
      http::response<http::string_body> res;
      res.version(11);
      if (!got.ok()) {
        res.result(http::status::bad_gateway);
        res.body() = got.status().message();
      } else {
        res.result(static_cast<http::status>(got->status));
        res.set(http::field::content_type, got->Header("content-type"));
        res.body() = Alter(path, got->body, fault->load());
      }
      if (fault->load() == Fault::kHang && IsFaultable(path)) {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [this] { return stopping; });
        return;
      }
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || !req.keep_alive()) return;
    }
  }

  static bool IsFaultable(const std::string& path) {
    return path.rfind("/v1/logs/", 0) == 0;
  }

  std::string Alter(const std::string& path, std::string body, Fault fault) {
    {
      std::lock_guard<std::mutex> lock(mu);
      ++seen[path];
      if (EndsWith(path, "/checkpoint") && !first_checkpoint.count(path))
        first_checkpoint[path] = body;
    }
    if (!IsFaultable(path)) return body;
    bool entries = EndsWith(path, "/entries");
    bool checkpoint = EndsWith(path, "/checkpoint");
    if (checkpoint) {
      std::lock_guard<std::mutex> lock(mu);
      if (checkpoint_rewrite) body = checkpoint_rewrite(body);
    }
    switch (fault) {
      case Fault::kGarbageEntries:
        return entries ? "this is not json" : body;
      case Fault::kEmptyEntries:
        return entries ? R"({"entries":[]})" : body;
      case Fault::kCutEntries:
        return entries ? body.substr(0, body.size() / 2) : body;
      case Fault::kAlterEventLeaf:
        if (!entries) return body;
        return AlterLeaf(body, [](nlohmann::json* leaf) {
          if (leaf->value("type", "") != "event") return false;
          auto& epcs = (*leaf)["envelope"]["event"]["epcList"];
          epcs[0] = epcs[0].get<std::string>() + "9";
          return true;
        });
      case Fault::kAlterEvent10:
        if (!entries) return body;
        return AlterLeaf(body, [](nlohmann::json* leaf) {
          if ((*leaf)["index"].get<uint64_t>() != 10) return false;
          auto& epcs = (*leaf)["envelope"]["event"]["epcList"];
          epcs[0] = epcs[0].get<std::string>() + "9";
          return true;
        });
      case Fault::kAlterPrevHash:
        if (!entries) return body;
        return AlterLeaf(body, [](nlohmann::json* leaf) {
          if ((*leaf)["index"].get<uint64_t>() == 0) return false;
          (*leaf)["prevHash"] = std::string(64, 'a');
          return true;
        });
      case Fault::kBadCheckpointSig: {
        if (!checkpoint || body.size() < 10) return body;
        char& c = body[body.size() - 6];  // inside the last signature's base64
        c = c == 'A' ? 'B' : 'A';
        return body;
      }
      case Fault::kOldCheckpoint: {
        if (!checkpoint) return body;
        std::lock_guard<std::mutex> lock(mu);
        return first_checkpoint[path];
      }
      case Fault::kNone:
      case Fault::kHang:
      case Fault::kSilent:
        return body;
    }
    return body;
  }
};

void FaultProxy::SetCheckpointRewrite(
    std::function<std::string(const std::string&)> rewrite) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->checkpoint_rewrite = std::move(rewrite);
}

FaultProxy::FaultProxy(uint16_t upstream_port)
    : impl_(std::make_unique<Impl>()) {
  impl_->upstream = upstream_port;
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->accept_thread = std::thread([this] {
    for (;;) {
      tcp::socket socket(impl_->ioc);
      beast::error_code ec;
      impl_->acceptor.accept(socket, ec);
      std::lock_guard<std::mutex> lock(impl_->mu);
      if (impl_->stopping) {
        impl_->acceptor.close(ec);  // later connects are refused
        return;
      }
      if (ec) continue;
      impl_->fds.push_back(socket.native_handle());
      impl_->connections.emplace_back([this, s = std::move(socket)]() mutable {
        impl_->Serve(std::move(s), &fault_);
      });
    }
  });
}

FaultProxy::~FaultProxy() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
    for (int fd : impl_->fds) ::shutdown(fd, SHUT_RDWR);
  }
  impl_->cv.notify_all();
  // Wake the blocking accept with one last connection.
  udi_http::HttpClient wake("127.0.0.1", port_);
  wake.SetTimeout(std::chrono::milliseconds(500));
  (void)wake.Get("/");
  impl_->accept_thread.join();
  for (auto& t : impl_->connections) t.join();
}

int FaultProxy::Seen(const std::string& needle) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  int n = 0;
  for (const auto& [path, count] : impl_->seen) {
    if (path.find(needle) != std::string::npos) n += count;
  }
  return n;
}

}  // namespace replication_test
