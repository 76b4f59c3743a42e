// Handlers for node information and the transparency-log views: checkpoint,
// entries, proofs.

#include <charconv>
#include <numeric>

#include "api/handlers_internal.h"
#include "ledger/jcs.h"

namespace api {

ledger::Result<uint64_t> OptionalUint(const Request& request,
                                      std::string_view name,
                                      uint64_t fallback) {
  auto value = request.Query(name);
  if (!value) return fallback;
  uint64_t v = 0;
  const char* end = value->data() + value->size();
  auto [ptr, ec] = std::from_chars(value->data(), end, v);
  if (value->empty() || ec != std::errc() || ptr != end) {
    return ledger::Status::InvalidArgument(
        std::string(name) + ": want an unsigned decimal integer");
  }
  return v;
}

ledger::Result<uint64_t> RequiredUint(const Request& request,
                                      std::string_view name) {
  if (!request.Query(name)) {
    return ledger::Status::InvalidArgument(std::string(name) + ": required");
  }
  return OptionalUint(request, name, 0);
}

ledger::Result<nlohmann::json> ParseJsonBody(const Request& request) {
  auto j = ledger::ParseJsonStrict(request.body);
  if (!j.ok()) return j.status().WithPrefix("body");
  return j;
}

namespace {
// The field a parameter error is about: the text before the first ':'.
std::string FieldOf(const ledger::Status& st) {
  return st.message().substr(0, st.message().find(':'));
}

nlohmann::json HashList(const std::vector<ledger::Hash>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : hashes) out.push_back(ledger::ToBase64(h));
  return out;
}
}  // namespace

UDI_HANDLER(HandleHealth) {
  (void)caller;
  (void)request;
  if (service.shutting_down())
    return reply(OverloadedResponse("shutting down", 5));
  reply(JsonResponse(200, {{"status", "ok"}, {"size", service.log().Size()}}));
}

UDI_HANDLER(HandleMetrics) {
  (void)caller;
  (void)request;
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = service.metrics().Render(service.log().Size());
  reply(std::move(r));
}

UDI_HANDLER(HandleNodeInfo) {
  (void)caller;
  (void)request;
  reply(JsonResponse(200, {{"name", service.options().name},
                           {"verifierKey", service.log().verifier().ToText()},
                           {"size", service.log().Size()},
                           {"version", service.options().version}}));
}

void ServeCheckpoint(const ledger::Log& log, Reply reply) {
  Response r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = log.SignedCheckpoint();
  reply(std::move(r));
}

void EntriesBody::Reserve(size_t bytes) { out_.reserve(bytes); }

void EntriesBody::Add(uint64_t index, std::string_view leaf) {
  out_ += first_ ? "{\"index\":" : ",{\"index\":";
  first_ = false;
  char digits[20];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, index);
  (void)ec;  // 20 digits hold any uint64_t
  out_.append(digits, end);
  out_ += ",\"leaf\":\"";
  // Standard base64 needs no JSON escaping; written in place (entries are
  // public: the table encoder, not libsodium's constant-time one).
  ledger::AppendBase64(&out_, leaf);
  out_ += "\"}";
}

std::string EntriesBody::Finish() && {
  out_ += "]}\n";
  return std::move(out_);
}

void ServeLogEntries(const Service& service, const ledger::Log& log,
                     const Request& request, Reply reply) {
  auto start = RequiredUint(request, "start");
  if (!start.ok()) return reply(StatusResponse(start.status(), "start"));
  auto count = RequiredUint(request, "count");
  if (!count.ok()) return reply(StatusResponse(count.status(), "count"));
  uint64_t size = log.Size();
  if (*start > size) {
    return reply(ErrorResponse(
        400, "start: beyond the log size " + std::to_string(size), "start"));
  }
  uint64_t n = std::min<uint64_t>(*count, service.options().max_log_entries);
  n = std::min<uint64_t>(n, size - *start);
  // Written straight from the stored leaf bytes (one ordered pass, no entry
  // parsed, no JSON document): replicas pull every entry through here.
  EntriesBody body;
  if (n > 0) {
    std::vector<uint64_t> indexes(n);
    std::iota(indexes.begin(), indexes.end(), *start);
    ledger::Status st =
        log.ReadEntriesAt(indexes, [&](uint64_t index, std::string_view bytes) {
          if (index == *start) {  // size the body by the first entry
            body.Reserve(64 + n * (32 + bytes.size() / 3 * 4 * 9 / 8));
          }
          body.Add(index, bytes);
          return ledger::Status::OK();
        });
    if (!st.ok()) return reply(StatusResponse(st));
  }
  Response r;
  r.status = 200;
  r.body = std::move(body).Finish();
  reply(std::move(r));
}

void ServeInclusionProof(const ledger::Log& log, const Request& request,
                         Reply reply) {
  auto index = RequiredUint(request, "index");
  if (!index.ok()) return reply(StatusResponse(index.status(), "index"));
  auto size = RequiredUint(request, "size");
  if (!size.ok()) return reply(StatusResponse(size.status(), "size"));
  uint64_t log_size = log.Size();
  if (*size > log_size) {
    return reply(ErrorResponse(
        400, "size: beyond the log size " + std::to_string(log_size), "size"));
  }
  if (*index >= *size)
    return reply(ErrorResponse(400, "index: must be less than size", "index"));
  auto proof = log.InclusionProof(*index, *size);
  if (!proof.ok())
    return reply(StatusResponse(proof.status(), FieldOf(proof.status())));
  reply(JsonResponse(200, {{"hashes", HashList(*proof)}}));
}

void ServeConsistencyProof(const ledger::Log& log, const Request& request,
                           Reply reply) {
  auto from = RequiredUint(request, "from");
  if (!from.ok()) return reply(StatusResponse(from.status(), "from"));
  auto to = RequiredUint(request, "to");
  if (!to.ok()) return reply(StatusResponse(to.status(), "to"));
  uint64_t log_size = log.Size();
  if (*to > log_size) {
    return reply(ErrorResponse(
        400, "to: beyond the log size " + std::to_string(log_size), "to"));
  }
  if (*from == 0 || *from > *to) {
    return reply(
        ErrorResponse(400, "from: must satisfy 0 < from <= to", "from"));
  }
  auto proof = log.ConsistencyProof(*from, *to);
  if (!proof.ok())
    return reply(StatusResponse(proof.status(), FieldOf(proof.status())));
  reply(JsonResponse(200, {{"hashes", HashList(*proof)}}));
}

UDI_HANDLER(HandleCheckpoint) {
  (void)caller;
  (void)request;
  ServeCheckpoint(service.log(), std::move(reply));
}

UDI_HANDLER(HandleLogEntries) {
  (void)caller;
  ServeLogEntries(service, service.log(), request, std::move(reply));
}

UDI_HANDLER(HandleInclusionProof) {
  (void)caller;
  ServeInclusionProof(service.log(), request, std::move(reply));
}

UDI_HANDLER(HandleConsistencyProof) {
  (void)caller;
  ServeConsistencyProof(service.log(), request, std::move(reply));
}

}  // namespace api
