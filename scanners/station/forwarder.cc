#include "scanners/station/forwarder.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

namespace station {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using json = nlohmann::json;
using ledger::Result;
using ledger::Status;

// --- NodeClient: one Beast tcp_stream kept alive between requests
// ----------------------------

struct NodeClient::Impl {
  NodeEndpoint endpoint;
  asio::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;  // null when not connected
};

NodeClient::NodeClient(NodeEndpoint endpoint)
    : impl_(std::make_unique<Impl>()) {
  impl_->endpoint = std::move(endpoint);
}
NodeClient::~NodeClient() = default;

Result<std::pair<int, std::string>> NodeClient::Request(
    bool post, const std::string& target, const std::string& body) {
  Impl& m = *impl_;
  const auto timeout = std::chrono::milliseconds(m.endpoint.timeout_ms);
  const std::string where =
      "http://" + m.endpoint.host + ":" + std::to_string(m.endpoint.port);
  // A kept-alive connection may have been closed by the node: one fresh retry.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = m.stream != nullptr;
    beast::error_code ec;
    if (!m.stream) {
      asio::ip::tcp::resolver resolver(m.ioc);
      auto results = resolver.resolve(m.endpoint.host,
                                      std::to_string(m.endpoint.port), ec);
      if (ec) return Status::IOError(where + ": resolve: " + ec.message());
      m.stream = std::make_unique<beast::tcp_stream>(m.ioc);
      m.stream->expires_after(timeout);
      m.stream->connect(results, ec);
      if (ec) {
        m.stream.reset();
        return Status::IOError(where + ": connect: " + ec.message());
      }
    }
    http::request<http::string_body> req{
        post ? http::verb::post : http::verb::get, target, 11};
    req.set(http::field::host, m.endpoint.host);
    if (!m.endpoint.token.empty()) {
      req.set(http::field::authorization, "Bearer " + m.endpoint.token);
    }
    req.set(http::field::user_agent, "ledger-scan");
    if (post) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    m.stream->expires_after(timeout);
    http::write(*m.stream, req, ec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (!ec) http::read(*m.stream, buffer, parser, ec);
    if (ec) {
      m.stream.reset();
      if (reused && attempt == 0) continue;
      return Status::IOError(where + target + ": " + ec.message());
    }
    auto res = parser.release();
    if (!res.keep_alive()) m.stream.reset();
    return std::make_pair(static_cast<int>(res.result_int()),
                          std::move(res.body()));
  }
  return Status::IOError(where + target + ": no answer");
}

Result<std::pair<int, std::string>> NodeClient::Get(const std::string& target) {
  return Request(false, target, "");
}

Result<std::pair<int, std::string>> NodeClient::Post(
    const std::string& target, const std::string& json_body) {
  return Request(true, target, json_body);
}

Result<std::vector<DeliveryOutcome>> NodeClient::PostEnvelopes(
    const std::string& envelopes_json, size_t count) {
  auto res =
      Request(true, "/v1/events", "{\"envelopes\":" + envelopes_json + "}");
  if (!res.ok()) return res.status();
  const auto& [code, body] = *res;
  if (code == 429 || code == 503) {
    return Status::Unavailable("POST /v1/events: HTTP " + std::to_string(code));
  }
  if (code != 200) {
    return Status::FailedPrecondition("POST /v1/events: HTTP " +
                                      std::to_string(code) + ": " +
                                      body.substr(0, 300));
  }
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("results") || !j["results"].is_array() ||
      j["results"].size() != count) {
    return Status::Corruption("POST /v1/events: answer without " +
                              std::to_string(count) +
                              " results: " + body.substr(0, 300));
  }
  std::vector<DeliveryOutcome> out;
  for (const auto& r : j["results"]) {
    DeliveryOutcome o;
    o.status = r.value("status", "");
    o.event_id = r.value("eventId", "");
    o.error = r.value("error", "");
    out.push_back(std::move(o));
  }
  return out;
}

// --- Forwarder
// ------------------------------------------------------------------------------

Forwarder::Forwarder(Spool* spool, NodeEndpoint endpoint, size_t batch_size,
                     int64_t retry_initial_ms, int64_t retry_max_ms)
    : spool_(spool),
      endpoint_(std::move(endpoint)),
      batch_size_(batch_size),
      retry_initial_ms_(retry_initial_ms),
      retry_max_ms_(retry_max_ms) {}

Forwarder::~Forwarder() { Stop(); }

void Forwarder::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Forwarder::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Forwarder::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

ForwarderStats Forwarder::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

bool Forwarder::Backoff(int64_t ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stop_; });
  return !stop_;
}

Status Forwarder::DeliverBatch(NodeClient* client,
                               const std::vector<SpoolRecord>& records) {
  std::string envelopes = "[";
  for (size_t i = 0; i < records.size(); ++i) {
    const json record = json::parse(records[i].payload, nullptr, false);
    if (!record.is_object() || !record.contains("envelope")) {
      return Status::Corruption("spool record at byte " +
                                std::to_string(records[i].offset) +
                                ": no envelope");
    }
    if (i > 0) envelopes += ",";
    envelopes += record["envelope"].dump();
  }
  envelopes += "]";
  auto outcomes = client->PostEnvelopes(envelopes, records.size());
  if (!outcomes.ok()) return outcomes.status();
  size_t delivered = 0;
  while (delivered < records.size() &&
         (*outcomes)[delivered].status != "rejected")
    ++delivered;
  if (delivered > 0) {
    LEDGER_RETURN_IF_ERROR(
        spool_->MarkDelivered(records[delivered - 1].end, delivered));
    std::lock_guard<std::mutex> lock(mu_);
    stats_.delivered += delivered;
  }
  if (delivered < records.size()) {
    const DeliveryOutcome& o = (*outcomes)[delivered];
    return Status::FailedPrecondition(
        "the node rejected the spool record at byte " +
        std::to_string(records[delivered].offset) + " (" + o.event_id +
        "): " + o.error);
  }
  return Status::OK();
}

void Forwarder::Loop() {
  NodeClient client(endpoint_);
  int64_t backoff = retry_initial_ms_;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      notified_ = false;
    }
    auto records = spool_->ReadPending(batch_size_);
    Status st = records.ok() ? Status::OK() : records.status();
    if (st.ok() && records->empty()) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || notified_; });
      continue;
    }
    if (st.ok()) st = DeliverBatch(&client, *records);
    if (st.ok()) {
      backoff = retry_initial_ms_;
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.failures;
      stats_.last_error = st.message();
    }
    std::cerr << "ledger-scan: delivery: " << st.message() << "; retrying in "
              << backoff << " ms\n";
    if (!Backoff(backoff)) return;
    backoff = std::min(backoff * 2, retry_max_ms_);
  }
}

}  // namespace station
