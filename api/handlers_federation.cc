// Handlers for the logs a node holds (issue 4): GET /v1/logs and the
// /v1/logs/{origin}/... views, which answer exactly as the node's own
// /v1/checkpoint, /v1/log/entries and /v1/proof/* (same code, another log).
#include "api/handlers_internal.h"
#include "api/witness.h"

namespace api {

namespace {

// The held log named by the {origin} path segment, or a 404 reply.
std::shared_ptr<const ledger::Log> FindOrReply(const Service& service,
                                               const Request& request,
                                               const Reply& reply) {
  const std::string& origin = request.path_params.at("origin");
  auto log = service.FindLog(origin);
  if (!log) {
    reply(ErrorResponse(404, "origin: no log \"" + origin + "\" is held here",
                        "origin"));
  }
  return log;
}

}  // namespace

UDI_HANDLER(HandleListLogs) {
  (void)caller;
  (void)request;
  nlohmann::json logs = nlohmann::json::array();
  const std::string& own = service.log().origin();
  for (const auto& log : service.HeldLogs()) {
    uint64_t size = log->Size();
    uint64_t seen = service.SeenSize(log->origin());
    logs.push_back({{"origin", log->origin()},
                    {"verifierKey", log->verifier().ToText()},
                    {"size", size},
                    {"checkpoint", log->SignedCheckpoint()},
                    {"lag", seen > size ? seen - size : 0},
                    {"own", log->origin() == own}});
  }
  reply(JsonResponse(200, {{"logs", std::move(logs)}}));
}

UDI_HANDLER(HandleLogCheckpoint) {
  (void)caller;
  auto log = FindOrReply(service, request, reply);
  if (!log) return;
  Witness* witness = WitnessOf(service);
  if (!witness) return ServeCheckpoint(*log, std::move(reply));
  // The origin's note plus the cosignatures collected for it (node/witness).
  Response r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = witness->Cosigned(log->origin(), log->SignedCheckpoint());
  reply(std::move(r));
}

UDI_HANDLER(HandleLogEntriesOf) {
  (void)caller;
  if (auto log = FindOrReply(service, request, reply))
    ServeLogEntries(service, *log, request, std::move(reply));
}

UDI_HANDLER(HandleLogInclusionProof) {
  (void)caller;
  if (auto log = FindOrReply(service, request, reply))
    ServeInclusionProof(*log, request, std::move(reply));
}

UDI_HANDLER(HandleLogConsistencyProof) {
  (void)caller;
  if (auto log = FindOrReply(service, request, reply))
    ServeConsistencyProof(*log, request, std::move(reply));
}

}  // namespace api
