// Routes for replicated logs, gossip, alarms (issue 4). {origin} is one path
// segment: an origin containing '/' is sent percent-encoded ("%2F") and
// MatchRoute decodes it.
#include "api/handlers_internal.h"
#include "api/routes.h"

namespace api {

UDI_HANDLER(HandleListLogs);
UDI_HANDLER(HandleLogCheckpoint);
UDI_HANDLER(HandleLogEntriesOf);
UDI_HANDLER(HandleLogInclusionProof);
UDI_HANDLER(HandleLogConsistencyProof);
UDI_HANDLER(HandleSubmitCheckpoint);  // handlers_witness.cc
UDI_HANDLER(HandleListAlarms);
UDI_HANDLER(HandleWitnessInfo);

std::vector<Route> FederationRoutes() {
  return {
      {"logs.list", "GET", "/v1/logs", Access::kPublic, {}, HandleListLogs},
      {"logs.checkpoint",
       "GET",
       "/v1/logs/{origin}/checkpoint",
       Access::kPublic,
       {},
       HandleLogCheckpoint},
      {"logs.entries",
       "GET",
       "/v1/logs/{origin}/entries",
       Access::kReader,
       {"start", "count"},
       HandleLogEntriesOf},
      {"logs.proof.inclusion",
       "GET",
       "/v1/logs/{origin}/proof/inclusion",
       Access::kPublic,
       {"index", "size"},
       HandleLogInclusionProof},
      {"logs.proof.consistency",
       "GET",
       "/v1/logs/{origin}/proof/consistency",
       Access::kPublic,
       {"from", "to"},
       HandleLogConsistencyProof},
      {"logs.checkpoint.submit",
       "POST",
       "/v1/logs/{origin}/checkpoint",
       Access::kPublic,
       {},
       HandleSubmitCheckpoint},
      {"alarms", "GET", "/v1/alarms", Access::kPublic, {}, HandleListAlarms},
      {"witness", "GET", "/v1/witness", Access::kPublic, {}, HandleWitnessInfo},
  };
}

}  // namespace api
