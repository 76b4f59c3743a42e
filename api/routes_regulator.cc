// Routes for trace, recalls, verify, evidence bundles (issue 6). Handlers in
// handlers_regulator.cc; spec/openapi.yaml documents them between the
// regulator markers.
#include "api/handlers_internal.h"
#include "api/routes.h"

namespace api {

UDI_HANDLER(HandleTrace);
UDI_HANDLER(HandleTraceBundle);
UDI_HANDLER(HandleGetRecall);
UDI_HANDLER(HandlePostRecall);
UDI_HANDLER(HandleVerifyUnit);

std::vector<Route> RegulatorRoutes() {
  return {
      {"trace",
       "GET",
       "/v1/trace/{id}",
       Access::kRegulator,
       {"proofs"},
       HandleTrace},
      {"trace.bundle",
       "GET",
       "/v1/trace/{id}/bundle",
       Access::kRegulator,
       {},
       HandleTraceBundle},
      {"recalls.get",
       "GET",
       "/v1/recalls/{id}",
       Access::kRegulator,
       {"format"},
       HandleGetRecall},
      {"recalls.issue",
       "POST",
       "/v1/recalls",
       Access::kIssuer,
       {},
       HandlePostRecall},
      {"verify",
       "GET",
       "/v1/verify/{id}",
       Access::kReader,
       {"lot", "expiry"},
       HandleVerifyUnit},
  };
}

}  // namespace api
