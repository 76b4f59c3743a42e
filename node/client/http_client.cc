#include "node/client/http_client.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <zstd.h>

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
  std::chrono::milliseconds timeout{60000};

  beast::error_code Connect() {
    beast::error_code ec;
    socket.emplace(ioc);
    auto address = net::ip::make_address(host, ec);
    if (ec) {  // a host name: resolve it
      tcp::resolver resolver(ioc);
      auto results = resolver.resolve(host, std::to_string(port), ec);
      if (ec) return ec;
      net::connect(*socket, results, ec);
    } else {
      socket->connect(tcp::endpoint(address, port), ec);
    }
    if (ec) return ec;
    // Bounded waits: a response that never comes fails the request instead of
    // hanging the caller.
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
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

void HttpClient::SetTimeout(std::chrono::milliseconds timeout) {
  impl_->timeout = timeout;
}

ledger::Result<std::string> ZstdDecompress(std::string_view in,
                                           size_t max_bytes) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(),
                                                         ZSTD_freeDCtx);
  if (!ctx) return ledger::Status::Internal("zstd: out of memory");
  std::string out;
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  size_t last = 0;
  while (input.pos < input.size) {
    ZSTD_outBuffer output{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(ctx.get(), &output, &input);
    if (ZSTD_isError(last)) {
      return ledger::Status::InvalidArgument(
          "body: zstd: " + std::string(ZSTD_getErrorName(last)) +
          " at input byte " + std::to_string(input.pos));
    }
    out.append(chunk.data(), output.pos);
    if (out.size() > max_bytes) {
      return ledger::Status::InvalidArgument(
          "body: zstd: decodes to more than " + std::to_string(max_bytes) +
          " bytes");
    }
    if (output.pos == 0 && last != 0 && input.pos == input.size) break;
  }
  if (last != 0) {
    return ledger::Status::InvalidArgument("body: zstd: truncated frame (" +
                                           std::to_string(in.size()) +
                                           " bytes)");
  }
  return out;
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
  if (accept_zstd_) req.set(http::field::accept_encoding, "zstd");
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
    if (beast::iequals(out.Header("content-encoding"), "zstd")) {
      auto decoded = ZstdDecompress(out.body);
      if (!decoded.ok()) {
        return decoded.status().WithPrefix(impl_->host + ":" +
                                           std::to_string(impl_->port) + ": " +
                                           method + " " + target);
      }
      out.body = std::move(*decoded);
    }
    return out;
  }
  return ledger::Status::IOError(impl_->host + ":" +
                                 std::to_string(impl_->port) + ": " + method +
                                 " " + target + ": " + failure);
}

}  // namespace udi_http
