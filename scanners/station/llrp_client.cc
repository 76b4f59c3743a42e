#include "scanners/station/llrp_client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <iostream>

namespace station {

using ledger::Result;
using ledger::Status;

LlrpClient::LlrpClient(LlrpClientOptions options, TagCallback on_tag)
    : options_(std::move(options)), on_tag_(std::move(on_tag)) {}

LlrpClient::~LlrpClient() { Stop(); }

void LlrpClient::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void LlrpClient::Stop() {
  stop_.Raise();
  if (thread_.joinable()) thread_.join();
}

LlrpClientStats LlrpClient::stats() const {
  return {connections_, reports_, tags_, keepalives_};
}

void LlrpClient::Loop() {
  int64_t backoff = options_.initial_backoff_ms;
  const std::string reader =
      options_.host + ":" + std::to_string(options_.port);
  while (!stop_.raised()) {
    const uint64_t before = connections_;
    Status st = RunConnection();
    if (stop_.raised()) return;
    if (connections_ != before)
      backoff = options_.initial_backoff_ms;  // it ran: start over
    std::cerr << "ledger-scan: LLRP reader " << reader << ": " << st.message()
              << "; reconnecting in " << backoff << " ms\n";
    if (WaitFd(stop_.fd(), false, nullptr, static_cast<int>(backoff)) ==
        WaitResult::kReady)
      return;
    backoff = std::min(backoff * 2, options_.max_backoff_ms);
  }
}

Result<llrp::Message> LlrpClient::Receive(int fd, int timeout_ms) {
  for (;;) {
    auto decoded = llrp::DecodeMessage(buffer_);
    if (!decoded.ok()) return decoded.status();
    if (decoded->has_value()) {
      llrp::Message m = std::move((*decoded)->first);
      buffer_.erase(0, (*decoded)->second);
      return m;
    }
    auto bytes = ReceiveSome(fd, &stop_, timeout_ms);
    if (!bytes.ok()) return bytes.status();
    if (bytes->empty())
      return Status::IOError("the reader closed the connection");
    buffer_ += *bytes;
  }
}

Status LlrpClient::Dispatch(int fd, const llrp::Message& m) {
  switch (m.type) {
    case llrp::kKeepalive:
      ++keepalives_;
      return SendAll(fd, llrp::EncodeMessage(llrp::KeepaliveAck(m.id)));
    case llrp::kRoAccessReport: {
      auto tags = llrp::ParseRoAccessReport(m.body);
      if (!tags.ok()) return tags.status();
      ++reports_;
      for (const auto& t : *tags) {
        ++tags_;
        on_tag_(t);
      }
      return Status::OK();
    }
    case llrp::kReaderEventNotification: {
      bool closed = false;
      auto attempt = llrp::ParseConnectionAttempt(m.body, &closed);
      if (!attempt.ok()) return attempt.status();
      if (closed)
        return Status::IOError("the reader announced ConnectionCloseEvent");
      return Status::OK();
    }
    case llrp::kErrorMessage: {
      auto s = llrp::ParseStatus(m.body);
      return Status::IOError(
          "ERROR_MESSAGE from the reader: " +
          (s.ok() ? std::to_string(s->code) + " " + s->description
                  : s.status().message()));
    }
    default:
      return Status::OK();  // other messages need no answer from a client
  }
}

Status LlrpClient::Command(int fd, const llrp::Message& request,
                           uint16_t response_type, bool require_success) {
  LEDGER_RETURN_IF_ERROR(SendAll(fd, llrp::EncodeMessage(request)));
  for (;;) {
    auto m = Receive(fd, options_.response_timeout_ms);
    if (!m.ok())
      return m.status().WithPrefix("waiting for " +
                                   llrp::MessageTypeName(response_type));
    if (m->type != response_type) {
      LEDGER_RETURN_IF_ERROR(
          Dispatch(fd, *m));  // reports and keepalives may come first
      continue;
    }
    auto status = llrp::ParseStatus(m->body);
    if (!status.ok())
      return status.status().WithPrefix(llrp::MessageTypeName(response_type));
    if (require_success && status->code != 0) {
      return Status::IOError(llrp::MessageTypeName(response_type) +
                             ": status " + std::to_string(status->code) + " " +
                             status->description);
    }
    return Status::OK();
  }
}

Status LlrpClient::RunConnection() {
  buffer_.clear();
  auto fd = ConnectTcp(options_.host, options_.port, &stop_,
                       options_.response_timeout_ms);
  if (!fd.ok()) return fd.status();
  // A reader that vanishes without closing (power cut, cable) must not leave
  // the client waiting forever: TCP keepalive probes after 30 s of silence.
  const int on = 1, idle = 30, interval = 10, probes = 3;
  ::setsockopt(fd->get(), SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  ::setsockopt(fd->get(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd->get(), IPPROTO_TCP, TCP_KEEPINTVL, &interval,
               sizeof interval);
  ::setsockopt(fd->get(), IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
  // The reader speaks first: a READER_EVENT_NOTIFICATION with
  // ConnectionAttemptEvent.
  for (;;) {
    auto m = Receive(fd->get(), options_.response_timeout_ms);
    if (!m.ok())
      return m.status().WithPrefix("waiting for READER_EVENT_NOTIFICATION");
    if (m->type != llrp::kReaderEventNotification) continue;
    auto attempt = llrp::ParseConnectionAttempt(m->body);
    if (!attempt.ok()) return attempt.status();
    if (!attempt->has_value()) continue;
    if (**attempt != 0) {
      return Status::IOError("ConnectionAttemptEvent status " +
                             std::to_string(**attempt));
    }
    break;
  }
  const uint32_t id = options_.rospec_id;
  LEDGER_RETURN_IF_ERROR(Command(
      fd->get(), llrp::RospecCommand(llrp::kDeleteRospec, next_id_++, id),
      llrp::kDeleteRospecResponse, false));
  LEDGER_RETURN_IF_ERROR(Command(fd->get(), llrp::AddRospec(next_id_++, id),
                                 llrp::kAddRospecResponse, true));
  LEDGER_RETURN_IF_ERROR(Command(
      fd->get(), llrp::RospecCommand(llrp::kEnableRospec, next_id_++, id),
      llrp::kEnableRospecResponse, true));
  LEDGER_RETURN_IF_ERROR(Command(
      fd->get(), llrp::RospecCommand(llrp::kStartRospec, next_id_++, id),
      llrp::kStartRospecResponse, true));
  ++connections_;
  for (;;) {
    auto m = Receive(fd->get(), -1);
    if (!m.ok()) return m.status();
    LEDGER_RETURN_IF_ERROR(Dispatch(fd->get(), *m));
  }
}

}  // namespace station
