// The route table: every endpoint is declared here once (method, path pattern,
// who may call it, which query parameters it takes, its handler).
// spec/openapi.yaml must list exactly these operations and parameters;
// routes_test.cc checks that both ways.
#ifndef UDI_API_ROUTES_H_
#define UDI_API_ROUTES_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.h"
#include "api/tokens.h"

namespace api {

class Service;

// Who may call a route. kReader: any token; kWriter: writer or admin tokens;
// kAdmin: admin only; kRegulator: regulator or admin tokens; kIssuer: writer,
// regulator or admin tokens (e.g. POST /v1/recalls).
enum class Access { kPublic, kReader, kWriter, kAdmin, kRegulator, kIssuer };
// "public", "reader", "writer", "admin", "regulator", "issuer"
const char* AccessName(Access access);
bool Allows(Access access, Role role);

// The caller as authenticated by the bearer token (absent for public routes
// without a token).
struct Caller {
  bool authenticated = false;
  TokenInfo token;
};

// Answers a request by calling the reply exactly once, possibly later and on
// another thread.
using Reply = std::function<void(Response)>;
using Handler = void (*)(Service& service, const Caller& caller,
                         const Request& request, Reply reply);

struct Route {
  std::string_view id;      // short name for metrics, e.g. "events.submit"
  std::string_view method;  // "GET", "POST", "DELETE"
  std::string_view
      pattern;  // "/v1/events/{eventId}"; a {name} matches one path segment
  Access access;
  std::vector<std::string_view>
      query_params;  // every other query parameter is a 400
  Handler handler;
};

const std::vector<Route>& Routes();
// Route groups, one per area, each defined beside its handlers; Routes() is
// the core routes followed by these, in this order.
std::vector<Route>
FederationRoutes();                    // api/routes_federation.cc (/v1/logs...)
std::vector<Route> RegulatorRoutes();  // api/routes_regulator.cc (trace...)
std::vector<Route> OperationsRoutes();  // api/routes_operations.cc (console...)

struct RouteMatch {
  const Route* route = nullptr;  // null: 404, or 405 if methods is non-empty
  std::map<std::string, std::string> params;  // decoded path parameters
  std::vector<std::string> methods;  // methods allowed on the path (for 405)
  std::string bad_segment;  // set when a segment's encoding is malformed
};
RouteMatch MatchRoute(std::string_view method, std::string_view path);

}  // namespace api

#endif  // UDI_API_ROUTES_H_
