#include "tools/supplychain/signing.h"

#include <thread>

#include "ledger/bytes.h"
#include "ledger/envelope.h"

namespace supplychain {
namespace {
constexpr size_t kBatchSize = 2048;
}  // namespace

std::string GeneratedEvent::EnvelopeLine() const {
  // RFC 8785 member order is event, signature, signer; the key id and base64
  // need no escaping.
  std::string line;
  line.reserve(canonical_event.size() + envelope.signer.size() + 128);
  line += "{\"event\":";
  line += canonical_event;
  line += ",\"signature\":\"";
  line += ledger::ToBase64(envelope.signature);
  line += "\",\"signer\":\"";
  line += envelope.signer;
  line += "\"}";
  return line;
}

SigningPipeline::SigningPipeline(const std::vector<Party>& parties, int threads,
                                 const EventSink& sink, bool keep_ids)
    : parties_(parties),
      threads_(threads < 1 ? 1 : threads),
      sink_(sink),
      keep_ids_(keep_ids) {
  batch_.reserve(kBatchSize);
}

void SigningPipeline::Add(nlohmann::json event, uint32_t signer) {
  if (!status_.ok()) return;
  GeneratedEvent& e = batch_.emplace_back();
  e.seq = count_++;
  e.signer = signer;
  e.envelope.event = std::move(event);
  if (batch_.size() >= kBatchSize) Flush();
}

ledger::Status SigningPipeline::Finish() {
  Flush();
  Deliver();
  return status_;
}

ledger::Status SigningPipeline::SignRange(const std::vector<Party>& parties,
                                          std::vector<GeneratedEvent>& batch,
                                          size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    GeneratedEvent& e = batch[i];
    ledger::Result<std::string> canonical =
        ledger::CanonicalEventBytes(e.envelope.event);
    if (!canonical.ok()) {
      return ledger::Status::Internal(
          "generated event " + std::to_string(e.seq) +
          " does not canonicalise: " + canonical.status().message());
    }
    e.canonical_event = std::move(canonical).value();
    const Party& party = parties[e.signer];
    e.envelope.signer = party.key_id;
    e.envelope.signature = party.key.Sign(e.canonical_event);
    e.event_id = ledger::EventIdFromCanonical(e.canonical_event);
  }
  return ledger::Status::OK();
}

void SigningPipeline::Deliver() {
  workers_.clear();  // joins
  for (const ledger::Status& s : statuses_) {
    if (!s.ok() && status_.ok()) status_ = s;
  }
  statuses_.clear();
  if (status_.ok()) {
    for (GeneratedEvent& e : signing_) {
      if (keep_ids_) event_ids_.push_back(e.event_id);
      ledger::Status s = sink_(e);
      if (!s.ok()) {
        status_ = s.WithPrefix("event " + std::to_string(e.seq));
        break;
      }
    }
  }
  signing_.clear();
}

void SigningPipeline::Flush() {
  Deliver();
  if (!status_.ok() || batch_.empty()) {
    batch_.clear();
    return;
  }
  std::swap(batch_, signing_);
  const size_t n = signing_.size();
  const size_t workers = std::min<size_t>(threads_, (n + 63) / 64);
  const size_t chunk = (n + workers - 1) / workers;
  statuses_.assign(workers, ledger::Status::OK());
  for (size_t w = 0; w < workers; ++w) {
    workers_.emplace_back([this, w, chunk, n] {
      statuses_[w] = SignRange(parties_, signing_, std::min(n, w * chunk),
                               std::min(n, (w + 1) * chunk));
    });
  }
}

}  // namespace supplychain
