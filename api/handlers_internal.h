// The route handlers (declared here, defined in handlers_*.cc) and the small
// helpers they share. Private to api/.
#ifndef UDI_API_HANDLERS_INTERNAL_H_
#define UDI_API_HANDLERS_INTERNAL_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/routes.h"
#include "api/service.h"
#include "ledger/status.h"

namespace api {

#define UDI_HANDLER(name)                                                   \
  void name(Service& service, const Caller& caller, const Request& request, \
            Reply reply)

UDI_HANDLER(HandleHealth);
UDI_HANDLER(HandleMetrics);
UDI_HANDLER(HandleNodeInfo);
UDI_HANDLER(HandleCheckpoint);
UDI_HANDLER(HandleLogEntries);
UDI_HANDLER(HandleInclusionProof);
UDI_HANDLER(HandleConsistencyProof);
UDI_HANDLER(HandleListParticipants);
UDI_HANDLER(HandleRegisterParticipant);
UDI_HANDLER(HandleRevokeParticipant);
UDI_HANDLER(HandleRotateParticipant);
UDI_HANDLER(HandleSubmitEvents);
UDI_HANDLER(HandleQueryEvents);
// HandleQueryEvents, recorded in the log when the caller is a regulator
// (handlers_regulator.cc).
UDI_HANDLER(HandleQueryEventsAudited);
UDI_HANDLER(HandleGetEvent);
UDI_HANDLER(HandleCapture);
UDI_HANDLER(HandleCaptureJob);
UDI_HANDLER(HandleListTokens);
UDI_HANDLER(HandleCreateToken);
UDI_HANDLER(HandleDeleteToken);

// The transparency-log views over any held log (the node's own or a replica):
// the bodies of GET /v1/checkpoint, /v1/log/entries, /v1/proof/inclusion and
// /v1/proof/consistency, shared with their /v1/logs/{origin}/... twins.
void ServeCheckpoint(const ledger::Log& log, Reply reply);
void ServeLogEntries(const Service& service, const ledger::Log& log,
                     const Request& request, Reply reply);
void ServeInclusionProof(const ledger::Log& log, const Request& request,
                         Reply reply);
void ServeConsistencyProof(const ledger::Log& log, const Request& request,
                           Reply reply);

// The body of a GET .../entries response,
// {"entries":[{"index":N,"leaf":"<standard base64>"},...]} and a newline:
// byte for byte what JsonResponse writes for that JSON document, built without
// one. Add entries in the order they are to appear.
class EntriesBody {
 public:
  void Reserve(size_t bytes);
  void Add(uint64_t index, std::string_view leaf);
  std::string Finish() &&;

 private:
  std::string out_ = "{\"entries\":[";
  bool first_ = true;
};

// A required unsigned decimal query parameter; InvalidArgument naming it.
ledger::Result<uint64_t> RequiredUint(const Request& request,
                                      std::string_view name);
// An optional one; `fallback` when absent.
ledger::Result<uint64_t> OptionalUint(const Request& request,
                                      std::string_view name, uint64_t fallback);
// Parses the body as strict JSON (ledger::ParseJsonStrict); InvalidArgument
// naming "body".
ledger::Result<nlohmann::json> ParseJsonBody(const Request& request);

}  // namespace api

#endif  // UDI_API_HANDLERS_INTERNAL_H_
