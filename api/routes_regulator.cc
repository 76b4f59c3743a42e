// Routes for trace, recalls, verify, evidence bundles (issue 6).
#include "api/handlers_internal.h"
#include "api/routes.h"

namespace api {

std::vector<Route> RegulatorRoutes() { return {}; }

}  // namespace api
