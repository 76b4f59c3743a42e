// Routes for replicated logs, gossip, alarms (issue 4).
#include "api/handlers_internal.h"
#include "api/routes.h"

namespace api {

std::vector<Route> FederationRoutes() { return {}; }

}  // namespace api
