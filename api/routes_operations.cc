// Routes for backup, console and other operations routes (issue 7).
#include "api/handlers_internal.h"
#include "api/routes.h"

namespace api {

std::vector<Route> OperationsRoutes() { return {}; }

}  // namespace api
