#include "node/client/http_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace udi_http {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpClient::Impl {
  std::string host;
  uint16_t port;
  net::io_context ioc;
  std::optional<tcp::socket> socket;
  beast::flat_buffer buffer;

  beast::error_code Connect() {
    beast::error_code ec;
    socket.emplace(ioc);
    tcp::endpoint endpoint(net::ip::make_address(host, ec), port);
    if (ec) return ec;
    socket->connect(endpoint, ec);
    if (ec) return ec;
    // Bounded waits: a response that never comes fails the request instead of
    // hanging the test.
    timeval tv{60, 0};
    ::setsockopt(socket->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv,
                 sizeof tv);
    ::setsockopt(socket->native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv,
                 sizeof tv);
    buffer.clear();
    return ec;
  }
};

HttpClient::HttpClient(std::string host, uint16_t port)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

HttpClient::~HttpClient() {
  if (impl_->socket) {
    beast::error_code ec;
    impl_->socket->shutdown(tcp::socket::shutdown_both, ec);
  }
}

ledger::Result<HttpResponse> HttpClient::Send(
    const std::string& method, const std::string& target,
    const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target,
                                       11};
  req.set(http::field::host, impl_->host + ":" + std::to_string(impl_->port));
  req.set(http::field::user_agent, "udi-http-client");
  if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  req.keep_alive(true);

  std::string failure;
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code ec;
    if (!impl_->socket || !impl_->socket->is_open()) ec = impl_->Connect();
    if (ec) {
      failure = "connect: " + ec.message();
      impl_->socket.reset();
      continue;
    }
    http::write(*impl_->socket, req, ec);
    if (ec) {
      failure = "write: " + ec.message();
      impl_->socket.reset();
      continue;
    }
    // Interim 1xx responses (e.g. 100 Continue) are skipped; the final one is
    // returned.
    std::optional<http::response_parser<http::string_body>> parser;
    do {
      parser.emplace();
      parser->body_limit(1ull << 30);
      http::read(*impl_->socket, impl_->buffer, *parser, ec);
    } while (!ec && parser->get().result_int() / 100 == 1);
    if (ec) {
      failure = "read: " + ec.message();
      impl_->socket.reset();
      continue;
    }
    auto res = parser->release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      out.headers[name] = std::string(field.value());
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) impl_->socket.reset();
    return out;
  }
  return ledger::Status::IOError(impl_->host + ":" +
                                 std::to_string(impl_->port) + ": " + method +
                                 " " + target + ": " + failure);
}

}  // namespace udi_http
