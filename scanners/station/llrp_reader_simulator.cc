#include "scanners/station/llrp_reader_simulator.h"

#include <sys/socket.h>

#include <chrono>

namespace station {

using ledger::Result;
using ledger::Status;

Result<std::unique_ptr<LlrpReaderSimulator>> LlrpReaderSimulator::Start(
    int timeout_ms) {
  std::unique_ptr<LlrpReaderSimulator> s(new LlrpReaderSimulator());
  s->timeout_ms_ = timeout_ms;
  auto fd = ListenTcp("127.0.0.1", 0, &s->port_);
  if (!fd.ok()) return fd.status();
  s->listen_ = std::move(*fd);
  return s;
}

Status LlrpReaderSimulator::Accept() {
  if (WaitFd(listen_.get(), false, nullptr, timeout_ms_) !=
      WaitResult::kReady) {
    return Status::IOError("simulator: no client connected within " +
                           std::to_string(timeout_ms_) + " ms");
  }
  client_ = Fd(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
  buffer_.clear();
  if (!client_.valid()) return Status::IOError("simulator: accept failed");
  return Status::OK();
}

Status LlrpReaderSimulator::Send(const llrp::Message& m) {
  return SendAll(client_.get(), llrp::EncodeMessage(m));
}

Result<llrp::Message> LlrpReaderSimulator::Receive() {
  for (;;) {
    auto decoded = llrp::DecodeMessage(buffer_);
    if (!decoded.ok()) return decoded.status();
    if (decoded->has_value()) {
      llrp::Message m = std::move((*decoded)->first);
      buffer_.erase(0, (*decoded)->second);
      return m;
    }
    auto bytes = ReceiveSome(client_.get(), nullptr, timeout_ms_);
    if (!bytes.ok()) return bytes.status().WithPrefix("simulator");
    if (bytes->empty())
      return Status::IOError("simulator: the client closed the connection");
    buffer_ += *bytes;
  }
}

Status LlrpReaderSimulator::Handshake(std::vector<uint16_t>* received,
                                      uint32_t* rospec_id) {
  const uint64_t now_us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  LEDGER_RETURN_IF_ERROR(Send(llrp::ConnectionAttempt(next_id_++, now_us, 0)));
  const uint16_t want[] = {llrp::kAddRospec, llrp::kEnableRospec,
                           llrp::kStartRospec};
  size_t step = 0;
  while (step < 3) {
    auto m = Receive();
    if (!m.ok()) return m.status();
    received->push_back(m->type);
    auto id = llrp::ParseRospecId(*m);
    if (!id.ok()) return id.status();
    if (m->type == llrp::kDeleteRospec && step == 0) {
      LEDGER_RETURN_IF_ERROR(Send(
          llrp::StatusResponse(llrp::kDeleteRospecResponse, m->id, 0, "")));
      continue;
    }
    if (m->type != want[step]) {
      return Status::InvalidArgument(
          "simulator: got " + llrp::MessageTypeName(m->type) + ", want " +
          llrp::MessageTypeName(want[step]));
    }
    if (step == 0) *rospec_id = *id;
    if (*id != *rospec_id) {
      return Status::InvalidArgument(
          "simulator: " + llrp::MessageTypeName(m->type) + " for ROSpec " +
          std::to_string(*id) + ", added " + std::to_string(*rospec_id));
    }
    LEDGER_RETURN_IF_ERROR(Send(llrp::StatusResponse(
        static_cast<uint16_t>(m->type + 10), m->id, 0, "")));
    ++step;
  }
  return Status::OK();
}

Status LlrpReaderSimulator::SendTags(const std::vector<llrp::TagRead>& tags) {
  return Send(llrp::RoAccessReport(next_id_++, tags));
}

Status LlrpReaderSimulator::KeepaliveRoundTrip(uint32_t id) {
  LEDGER_RETURN_IF_ERROR(Send(llrp::Keepalive(id)));
  auto m = Receive();
  if (!m.ok()) return m.status();
  if (m->type != llrp::kKeepaliveAck || m->id != id) {
    return Status::InvalidArgument(
        "simulator: got " + llrp::MessageTypeName(m->type) + " id " +
        std::to_string(m->id) + ", want KEEPALIVE_ACK id " +
        std::to_string(id));
  }
  return Status::OK();
}

void LlrpReaderSimulator::Drop() {
  client_.Reset();
  buffer_.clear();
}

}  // namespace station
