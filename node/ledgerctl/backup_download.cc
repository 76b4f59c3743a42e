// Streaming GET (backup_download.h), following Beast's buffer_body relay
// pattern: read the header, then the body into a fixed buffer, again and
// again, handing each filled part to the sink.
#include "node/ledgerctl/backup_download.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <limits>

namespace ledgerctl {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr size_t kPieceBytes = 64 << 10;
constexpr size_t kMaxErrorBody = 1 << 20;

// Connects with send/receive timeouts of `timeout` on the socket.
beast::error_code Connect(const NodeAddress& node,
                          std::chrono::milliseconds timeout,
                          tcp::socket* socket) {
  beast::error_code ec;
  tcp::resolver resolver(socket->get_executor());
  auto results = resolver.resolve(node.host, std::to_string(node.port), ec);
  if (ec) return ec;
  net::connect(*socket, results, ec);
  if (ec) return ec;
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(socket->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv,
               sizeof tv);
  ::setsockopt(socket->native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv,
               sizeof tv);
  return ec;
}

}  // namespace

ledger::Result<DownloadResult> DownloadToSink(
    const NodeAddress& node, const std::string& target,
    std::chrono::milliseconds idle_timeout,
    const std::function<ledger::Status(std::string_view)>& sink) {
  const std::string where = "GET http://" + node.host + ":" +
                            std::to_string(node.port) + target + ": ";
  net::io_context ioc;
  tcp::socket socket(ioc);
  beast::error_code ec = Connect(node, idle_timeout, &socket);
  if (ec) return ledger::Status::IOError(where + "connect: " + ec.message());

  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, node.host + ":" + std::to_string(node.port));
  req.set(http::field::user_agent, "ledgerctl");
  if (!node.token.empty())
    req.set(http::field::authorization, "Bearer " + node.token);
  req.keep_alive(false);
  http::write(socket, req, ec);
  if (ec) return ledger::Status::IOError(where + "write: " + ec.message());

  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  // No size limit (a backup). Not boost::none: Boost 1.74 then refuses every
  // body with a Content-Length (it compares the length with the empty limit).
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  http::read_header(socket, buffer, parser, ec);
  if (ec) return ledger::Status::IOError(where + "read: " + ec.message());
  DownloadResult result;
  result.status = static_cast<int>(parser.get().result_int());
  const bool success = result.status / 100 == 2;
  std::string piece(kPieceBytes, '\0');
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    http::read(socket, buffer, parser, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      return ledger::Status::IOError(
          where + "read: " + ec.message() +
          (ec == http::error::partial_message
               ? " (the body ended early: the node stopped sending it)"
               : ""));
    }
    size_t got = piece.size() - parser.get().body().size;
    std::string_view bytes(piece.data(), got);
    if (success) {
      LEDGER_RETURN_IF_ERROR(sink(bytes));
    } else if (result.error_body.size() < kMaxErrorBody) {
      result.error_body.append(bytes);
    }
  }
  socket.shutdown(tcp::socket::shutdown_both, ec);
  return result;
}

}  // namespace ledgerctl
