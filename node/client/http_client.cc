#include "node/client/http_client.h"

#include <zstd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace udi_http {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// How one phase of a request ended.
struct PhaseResult {
  beast::error_code ec;
  bool timed_out = false;
};

}  // namespace

// Every network operation is a Beast async operation on this client's private
// io_context, run to completion on the calling thread. beast::tcp_stream's
// expiry closes the socket when a phase (connect, write, read) outlasts the
// timeout, so the operation completes with beast::error::timeout instead of
// waiting for a peer that never answers.
struct HttpClient::Impl {
  std::string host;
  uint16_t port;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::chrono::milliseconds timeout{60000};

  // "http://host:port" (IPv6 literals in brackets).
  std::string Url() const {
    bool v6 = host.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
  }

  // Runs the io_context until every pending operation has completed (the
  // stream's expiry guarantees that they do).
  void RunUntilDone() {
    ioc.restart();
    ioc.run();
  }

  PhaseResult Finish(beast::error_code ec) {
    PhaseResult r;
    r.ec = ec;
    r.timed_out = ec == beast::error::timeout;
    return r;
  }

  void Close() {
    if (stream) {
      beast::error_code ec;
      stream->socket().shutdown(tcp::socket::shutdown_both, ec);
      stream->socket().close(ec);
    }
    stream.reset();
    buffer.clear();
  }

  PhaseResult Connect() {
    Close();
    stream.emplace(ioc);
    beast::error_code ec;
    std::vector<tcp::endpoint> endpoints;
    auto address = net::ip::make_address(host, ec);
    if (!ec) {
      endpoints.emplace_back(address, port);
    } else {
      // A host name. Resolution is the system resolver's (blocking, bounded
      // by its own configuration); peers are normally given as addresses.
      tcp::resolver resolver(ioc);
      auto results = resolver.resolve(host, std::to_string(port), ec);
      if (ec) return Finish(ec);
      for (const auto& r : results) endpoints.push_back(r.endpoint());
    }
    stream->expires_after(timeout);
    beast::error_code result = net::error::would_block;
    stream->async_connect(
        endpoints,
        [&result](beast::error_code e, const tcp::endpoint&) { result = e; });
    RunUntilDone();
    return Finish(result);
  }

  PhaseResult Write(const http::request<http::string_body>& req) {
    stream->expires_after(timeout);
    beast::error_code result = net::error::would_block;
    http::async_write(*stream, req,
                      [&result](beast::error_code e, size_t) { result = e; });
    RunUntilDone();
    return Finish(result);
  }

  // Reads the final response (interim 1xx responses are skipped). The whole
  // response, however slowly it trickles in, must arrive within the timeout.
  PhaseResult Read(
      std::optional<http::response_parser<http::string_body>>* parser) {
    stream->expires_after(timeout);
    beast::error_code result;
    do {
      parser->emplace();
      (*parser)->body_limit(1ull << 30);
      result = net::error::would_block;
      http::async_read(*stream, buffer, **parser,
                       [&result](beast::error_code e, size_t) { result = e; });
      RunUntilDone();
    } while (!result && (*parser)->get().result_int() / 100 == 1);
    return Finish(result);
  }
};

HttpClient::HttpClient(std::string host, uint16_t port)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

void HttpClient::SetTimeout(std::chrono::milliseconds timeout) {
  impl_->timeout = std::max(timeout, std::chrono::milliseconds(1));
}

ledger::Result<std::string> ZstdDecompress(std::string_view in,
                                           size_t max_bytes) {
  // A frame that states its decoded size (a one-shot ZSTD_compress, as
  // ledger-node sends) is decoded in one call straight into the result: no
  // window buffer, no copy per 128 KiB block, no regrowth of the string. A
  // stated size beyond max_bytes is refused before anything is allocated.
  // (One frame only; several are decoded by the stream below.)
  const size_t frame = ZSTD_findFrameCompressedSize(in.data(), in.size());
  const unsigned long long stated =
      ZSTD_isError(frame) || frame != in.size()
          ? ZSTD_CONTENTSIZE_UNKNOWN
          : ZSTD_getFrameContentSize(in.data(), in.size());
  if (stated != ZSTD_CONTENTSIZE_UNKNOWN && stated != ZSTD_CONTENTSIZE_ERROR) {
    if (stated > max_bytes) {
      return ledger::Status::InvalidArgument(
          "body: zstd: decodes to more than " + std::to_string(max_bytes) +
          " bytes");
    }
    std::string out(static_cast<size_t>(stated), '\0');
    const size_t n =
        ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
    if (ZSTD_isError(n)) {
      return ledger::Status::InvalidArgument(
          "body: zstd: " + std::string(ZSTD_getErrorName(n)) + " (" +
          std::to_string(in.size()) + " bytes, stating " +
          std::to_string(stated) + " decoded)");
    }
    if (n != out.size()) {
      return ledger::Status::InvalidArgument(
          "body: zstd: decoded " + std::to_string(n) +
          " bytes, the frame states " + std::to_string(stated));
    }
    return out;
  }
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

HttpClient::~HttpClient() { impl_->Close(); }

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

  const std::string what = method + " " + impl_->Url() + target;
  auto failed = [&](const char* phase, const PhaseResult& r) {
    impl_->Close();
    if (r.timed_out) {
      return ledger::Status::IOError(what + ": " + phase + " timed out after " +
                                     std::to_string(impl_->timeout.count()) +
                                     " ms");
    }
    return ledger::Status::IOError(what + ": " + phase + ": " + r.ec.message());
  };
  // A kept-alive connection the server has closed meanwhile fails on write or
  // with an empty read: then the request is sent once more on a new
  // connection. A timeout is never retried (the bound is the caller's).
  for (int attempt = 0;; ++attempt) {
    bool reused =
        impl_->stream.has_value() && impl_->stream->socket().is_open();
    if (!reused) {
      PhaseResult c = impl_->Connect();
      if (c.ec) return failed("connect", c);
    }
    bool retry = reused && attempt == 0;
    PhaseResult w = impl_->Write(req);
    if (w.ec) {
      if (retry && !w.timed_out) {
        impl_->Close();
        continue;
      }
      return failed("write", w);
    }
    std::optional<http::response_parser<http::string_body>> parser;
    PhaseResult r = impl_->Read(&parser);
    if (r.ec) {
      bool nothing_read = r.ec == http::error::end_of_stream ||
                          r.ec == net::error::connection_reset ||
                          r.ec == net::error::eof;
      if (retry && !r.timed_out && nothing_read && !parser->got_some()) {
        impl_->Close();
        continue;
      }
      return failed("read", r);
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
    if (!res.keep_alive()) impl_->Close();
    if (beast::iequals(out.Header("content-encoding"), "zstd")) {
      auto decoded = ZstdDecompress(out.body);
      if (!decoded.ok()) return decoded.status().WithPrefix(what);
      out.body = std::move(*decoded);
    }
    return out;
  }
}

}  // namespace udi_http
