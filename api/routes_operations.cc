// Routes for backup, console and other operations routes (issue 7).
#include "api/console_assets.h"
#include "api/handlers_internal.h"
#include "api/handlers_operations.h"
#include "api/routes.h"

namespace api {

std::vector<Route> OperationsRoutes() {
  return {
      // The regulator console (console/README.md): static files, public; the
      // pages ask for a token and send it to the API themselves.
      {"console", "GET", "/console", Access::kPublic, {}, HandleConsoleIndex},
      {"console.asset",
       "GET",
       "/console/{asset}",
       Access::kPublic,
       {},
       HandleConsoleAsset},
      // Operations (deploy/README.md): online backup, runtime log level.
      {"admin.backup",
       "GET",
       "/v1/admin/backup",
       Access::kAdmin,
       {},
       HandleBackup},
      {"admin.loglevel.get",
       "GET",
       "/v1/admin/log-level",
       Access::kAdmin,
       {},
       HandleGetLogLevel},
      {"admin.loglevel.set",
       "POST",
       "/v1/admin/log-level",
       Access::kAdmin,
       {},
       HandleSetLogLevel},
  };
}

}  // namespace api
