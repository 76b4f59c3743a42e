// The only translation unit that includes Beast: listener, session, signal
// handling.
#include "api/server.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "api/content_encoding.h"

namespace api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// State shared by the listener and every session.
struct Shared {
  ServerOptions options;
  Service* service;
  net::io_context* ioc = nullptr;  // the server's; outlives every session
  std::atomic<size_t> connections{0};

  // Requests handed to the service whose responses are not yet fully written.
  void BeginRequest() {
    std::lock_guard<std::mutex> lock(mu);
    ++in_flight;
  }
  void EndRequest() {
    std::lock_guard<std::mutex> lock(mu);
    if (--in_flight == 0) idle.notify_all();
  }
  // Waits until no request is in flight or `deadline` passes.
  void WaitIdle(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu);
    idle.wait_until(lock, deadline, [this] { return in_flight == 0; });
  }

  std::mutex mu;                 // guards in_flight
  std::condition_variable idle;  // notified when in_flight drops to 0
  size_t in_flight = 0;
};

Request ToRequest(http::request<http::string_body>& msg,
                  ledger::Status* status) {
  Request r;
  r.method = std::string(msg.method_string());
  *status = ParseTarget(
      std::string_view(msg.target().data(), msg.target().size()), &r);
  for (const auto& field : msg) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    r.headers[name] = std::string(field.value());
  }
  r.body = std::move(msg.body());
  return r;
}

http::response<http::string_body> ToMessage(Response r, unsigned version,
                                            bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status),
                                        version};
  res.set(http::field::server, "udi-ledger-node");
  res.set(http::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  res.body() = std::move(r.body);
  res.prepare_payload();
  return res;
}

// Read buffer capacity of a connection (it grows for larger requests).
constexpr size_t kReadBufferBytes = 4096;

class Session;
// Hands an answer given on any thread to its connection's strand: at once, or
// with the other answers of the AnswerBatch open on this thread.
void HandOver(std::shared_ptr<Session> session, Response response,
              unsigned version);

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Shared* shared)
      : stream_(std::move(socket)), shared_(shared) {
    ++shared_->connections;
    // Synchronous reads and writes on this socket (the shortcuts in OnHeader
    // and Send) return would_block instead of waiting; async operations are
    // unaffected.
    beast::error_code ec;
    stream_.socket().non_blocking(true, ec);
    nonblocking_ = !ec;
    // Beast reads up to the buffer's free capacity (at least 512 bytes): with
    // the few hundred bytes the buffer would grow to, a single-envelope request
    // (~630 bytes with its header) took two reads.
    buffer_.reserve(kReadBufferBytes);
  }
  ~Session() {
    if (counted_) shared_->EndRequest();  // its answer will never be written
    --shared_->connections;
  }

  // Sends an answer handed over by HandOver, on this connection's strand.
  void SendAnswer(Response response, unsigned version,
                  IngestStages::Clock::time_point posted) {
    if (stages_) stages_->Add(IngestStage::kReplyHop, Clock::now() - posted);
    Send(std::move(response), version);
  }

  auto executor() { return stream_.get_executor(); }
  net::io_context& io_context() const { return *shared_->ioc; }

  void Start(bool reject) {
    net::dispatch(stream_.get_executor(), [self = shared_from_this(), reject] {
      if (reject) {
        self->keep_alive_ = false;
        self->Send(OverloadedResponse("too many connections", 1), 11);
      } else {
        self->DoRead();
      }
    });
  }

 private:
  void DoRead() {
    parser_.emplace();
    parser_->body_limit(shared_->options.body_limit);
    parser_->header_limit(shared_->options.header_limit);
    stream_.expires_after(shared_->options.read_timeout);
    // The header first, so that "Expect: 100-continue" clients are told to send
    // the body.
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          self->OnHeader(ec);
        });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnRead(ec);
    header_at_ = Clock::now();
    auto expect = parser_->get()[http::field::expect];
    if (!beast::iequals(expect, "100-continue")) {
      // Most bodies arrived with their header: parse what is buffered (and
      // whatever the socket holds) here, and wait asynchronously only for
      // bytes not yet received. Errors are the ones async_read would give.
      if (nonblocking_) {
        http::read(stream_.socket(), buffer_, *parser_, ec);
        if (ec != net::error::would_block && ec != net::error::try_again)
          return OnRead(ec);
      }
      return ReadBody();
    }
    http::async_write(
        stream_, continue_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return self->DoClose();
          self->ReadBody();
        });
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return DoClose();
    }
    keep_alive_ = false;
    if (ec == http::error::body_limit) {
      return Send(
          ErrorResponse(413,
                        "body: larger than " +
                            std::to_string(shared_->options.body_limit) +
                            " bytes",
                        "body"),
          11);
    }
    if (ec == http::error::header_limit) {
      return Send(
          ErrorResponse(431, "headers: larger than " +
                                 std::to_string(shared_->options.header_limit) +
                                 " bytes"),
          11);
    }
    if (ec)
      return Send(ErrorResponse(400, "malformed HTTP request: " + ec.message()),
                  11);
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    unsigned version = msg.version();
    ledger::Status st;
    Request request = ToRequest(msg, &st);
    if (!st.ok())
      return Send(
          StatusResponse(st, st.message().substr(0, st.message().find(':'))),
          version);
    if (auto error = DecodeRequestBody(&request, shared_->options.body_limit))
      return Send(std::move(*error), version);
    shared_->BeginRequest();
    counted_ = true;
    bool zstd = AcceptsZstd(request.Header("accept-encoding"));
    // Stage times of ingest requests (IngestStages).
    stages_ = request.method == "POST" && request.path == "/v1/events"
                  ? &shared_->service->committer().stages()
                  : nullptr;
    const auto handle_at = Clock::now();
    if (stages_) stages_->Add(IngestStage::kRead, handle_at - header_at_);
    // The service may answer on another thread: hop back onto this connection's
    // strand (HandOver).
    shared_->service->Handle(
        std::move(request),
        [self = shared_from_this(), version, zstd](Response response) {
          if (zstd) EncodeZstd(&response);
          HandOver(self, std::move(response), version);
        });
    if (stages_) stages_->Add(IngestStage::kHandle, Clock::now() - handle_at);
  }

  void Send(Response response, unsigned version) {
    if (response.stream) return SendStream(std::move(response), version);
    bool keep = keep_alive_ && !shared_->service->shutting_down();
    send_at_ = Clock::now();
    res_ = ToMessage(std::move(response), version, keep);
    sr_.emplace(res_);
    if (nonblocking_) {
      // The answer usually fits the socket's send buffer: written here, in
      // one writev, without an async operation and its timer; only what the
      // socket does not take now is written asynchronously (the serializer
      // resumes where it stopped).
      beast::error_code ec;
      http::write(stream_.socket(), *sr_, ec);
      if (ec != net::error::would_block && ec != net::error::try_again) {
        sr_.reset();
        return OnWrite(ec, keep);
      }
    }
    stream_.expires_after(shared_->options.write_timeout);
    http::async_write(
        stream_, *sr_,
        [self = shared_from_this(), keep](beast::error_code ec, size_t) {
          self->sr_.reset();
          self->OnWrite(ec, keep);
        });
  }

  // A streamed body (Response::stream), following Beast's buffer_body relay
  // pattern: the header with Transfer-Encoding: chunked, then one chunk per
  // piece once the previous one is written, then the last chunk. Each write
  // gets the write timeout. A failing source, or a shutdown, closes the
  // connection without the last chunk.
  void SendStream(Response response, unsigned version) {
    bool keep = keep_alive_ && !shared_->service->shutting_down();
    source_ = std::move(response.stream);
    stream_res_.emplace(static_cast<http::status>(response.status), version);
    stream_res_->set(http::field::server, "udi-ledger-node");
    stream_res_->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers)
      stream_res_->set(name, value);
    stream_res_->keep_alive(keep);
    stream_res_->chunked(true);
    stream_res_->body().data = nullptr;
    stream_res_->body().more = true;
    stream_sr_.emplace(*stream_res_);
    stream_.expires_after(shared_->options.write_timeout);
    http::async_write_header(
        stream_, *stream_sr_,
        [self = shared_from_this(), keep](beast::error_code ec, size_t) {
          if (ec) return self->EndStream(ec, keep);
          self->WriteNextPiece(keep);
        });
  }

  void WriteNextPiece(bool keep) {
    if (shared_->service->shutting_down())
      return EndStream(net::error::operation_aborted, keep);
    auto piece = source_->Next();
    if (!piece.ok()) return EndStream(net::error::operation_aborted, keep);
    piece_ = std::move(*piece);
    bool last = piece_.empty();
    auto& body = stream_res_->body();
    body.data = last ? nullptr : piece_.data();
    body.size = piece_.size();
    body.more = !last;
    stream_.expires_after(shared_->options.write_timeout);
    http::async_write(
        stream_, *stream_sr_,
        [self = shared_from_this(), keep, last](beast::error_code ec, size_t) {
          if (ec == http::error::need_buffer) ec = {};
          if (ec || last) return self->EndStream(ec, keep);
          self->WriteNextPiece(keep);
        });
  }

  void EndStream(beast::error_code ec, bool keep) {
    stream_sr_.reset();
    stream_res_.reset();
    source_.reset();  // stops its producer
    piece_.clear();
    piece_.shrink_to_fit();
    OnWrite(ec, keep);
  }

  void OnWrite(beast::error_code ec, bool keep) {
    if (stages_) {
      stages_->Add(IngestStage::kWrite, Clock::now() - send_at_);
      stages_ = nullptr;
    }
    if (counted_) {
      shared_->EndRequest();
      counted_ = false;
    }
    if (ec || !keep) return DoClose();
    DoRead();
  }

  void DoClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  Shared* shared_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::optional<http::response_serializer<http::string_body>> sr_;  // of res_
  bool nonblocking_ = false;  // the socket is in non-blocking mode
  // A streamed response in progress (SendStream).
  std::shared_ptr<BodySource> source_;
  std::optional<http::response<http::buffer_body>> stream_res_;
  std::optional<http::response_serializer<http::buffer_body>> stream_sr_;
  std::string piece_;  // the chunk being written
  http::response<http::empty_body> continue_{http::status::continue_, 11};
  bool keep_alive_ = true;
  bool counted_ = false;
  // Stage times of the request being served, when it is an ingest request.
  using Clock = IngestStages::Clock;
  IngestStages* stages_ = nullptr;
  Clock::time_point header_at_, send_at_;
};

// An answer on its way from the thread that gave it to its connection.
struct Answer {
  std::shared_ptr<Session> session;
  Response response;
  unsigned version;
  IngestStages::Clock::time_point posted;
};

// Answers given on this thread during an AnswerBatch, not yet handed over.
std::vector<Answer>& HeldAnswers() {
  thread_local std::vector<Answer> held;
  return held;
}

// Posts the held answers to the I/O threads as one handler, which sends each
// on its connection's strand (inline when that strand is free).
void PostHeldAnswers() {
  std::vector<Answer> held = std::move(HeldAnswers());
  HeldAnswers().clear();
  if (held.empty()) return;
  net::io_context& ioc = held.front().session->io_context();
  net::post(ioc, [held = std::move(held)]() mutable {
    for (Answer& a : held) {
      auto ex = a.session->executor();
      net::dispatch(ex, [a = std::move(a)]() mutable {
        a.session->SendAnswer(std::move(a.response), a.version, a.posted);
      });
    }
  });
}

void HandOver(std::shared_ptr<Session> session, Response response,
              unsigned version) {
  Answer answer{std::move(session), std::move(response), version,
                IngestStages::Clock::now()};
  if (!AnswerBatch::Open()) {
    auto ex = answer.session->executor();
    net::post(ex, [a = std::move(answer)]() mutable {
      a.session->SendAnswer(std::move(a.response), a.version, a.posted);
    });
    return;
  }
  std::vector<Answer>& held = HeldAnswers();
  if (held.empty()) AnswerBatch::AtEnd(PostHeldAnswers);
  held.push_back(std::move(answer));
}

}  // namespace

struct Server::Impl {
  explicit Impl(ServerOptions options, Service* service)
      : threads(options.threads
                    ? options.threads
                    : std::max(1u, std::thread::hardware_concurrency())),
        ioc(static_cast<int>(threads)),
        acceptor(net::make_strand(ioc)),
        signals(ioc, SIGINT, SIGTERM) {
    shared.options = std::move(options);
    shared.service = service;
    shared.ioc = &ioc;
  }

  void DoAccept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec,
                                                        tcp::socket socket) {
      if (ec) {
        if (!acceptor.is_open()) return;  // shutting down
      } else {
        bool reject =
            shared.connections.load() >= shared.options.max_connections;
        std::make_shared<Session>(std::move(socket), &shared)->Start(reject);
      }
      DoAccept();
    });
  }

  void BeginShutdown() {
    if (stopping.exchange(true)) return;
    net::post(acceptor.get_executor(), [this] {
      beast::error_code ec;
      acceptor.close(ec);
    });
    shared.service->BeginShutdown();
    drainer = std::thread([this] {
      if (drain) drain();
      shared.WaitIdle(std::chrono::steady_clock::now() +
                      shared.options.drain_timeout);
      ioc.stop();
    });
  }

  Shared shared;  // first: sessions destroyed with the io_context still point
                  // at it
  size_t threads;
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::signal_set signals;
  std::function<void()> drain;
  std::atomic<bool> stopping{false};
  std::thread drainer;
  uint16_t port = 0;
};

Server::Server(ServerOptions options, Service* service)
    : impl_(std::make_unique<Impl>(std::move(options), service)) {}

Server::~Server() {
  if (impl_->drainer.joinable()) impl_->drainer.join();
}

ledger::Status Server::Listen() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->shared.options.host, ec);
  if (ec) {
    return ledger::Status::InvalidArgument(
        "listen: bad host " + impl_->shared.options.host + ": " + ec.message());
  }
  tcp::endpoint endpoint{address, impl_->shared.options.port};
  std::string where =
      impl_->shared.options.host + ":" + std::to_string(endpoint.port());
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return ledger::Status::IOError("listen: cannot listen on " + where + ": " +
                                   ec.message());
  impl_->port = acceptor.local_endpoint().port();
  return ledger::Status::OK();
}

uint16_t Server::port() const { return impl_->port; }

void Server::RequestStop() {
  net::post(impl_->ioc, [this] { impl_->BeginShutdown(); });
}

void Server::Run(std::function<void()> drain) {
  impl_->drain = std::move(drain);
  impl_->signals.async_wait([this](beast::error_code ec, int) {
    if (!ec) impl_->BeginShutdown();
  });
  impl_->DoAccept();
  std::vector<std::thread> workers;
  for (size_t i = 1; i < impl_->threads; ++i) {
    workers.emplace_back([this] {
      // The main thread keeps the process's name.
      pthread_setname_np(pthread_self(), "udi-io");
      impl_->ioc.run();
    });
  }
  impl_->ioc.run();
  for (auto& t : workers) t.join();
  if (impl_->drainer.joinable()) impl_->drainer.join();
}

}  // namespace api
