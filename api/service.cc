#include "api/service.h"

#include <sodium.h>

#include <cstdio>
#include <set>

#include "api/access_log.h"
#include "api/logging.h"
#include "ledger/bytes.h"
#include "ledger/jcs.h"

namespace api {

Service::Service(ServiceOptions options, ledger::Log* log, TokenStore* tokens,
                 Committer* committer, Metrics* metrics)
    : options_(std::move(options)),
      log_(log),
      tokens_(tokens),
      committer_(committer),
      metrics_(metrics),
      capture_jobs_(
          std::make_unique<CaptureJobStore>(options_.max_capture_jobs)) {}

std::vector<std::shared_ptr<const ledger::Log>> Service::HeldLogs() const {
  if (log_source_) return log_source_();
  // Non-owning: the own log outlives the Service.
  return {std::shared_ptr<const ledger::Log>(
      std::shared_ptr<const ledger::Log>(), log_)};
}

std::shared_ptr<const ledger::Log> Service::FindLog(
    std::string_view origin) const {
  for (auto& l : HeldLogs()) {
    if (l->origin() == origin) return l;
  }
  return nullptr;
}

namespace {

Response Unauthorized(std::string_view message) {
  Response r = ErrorResponse(401, message, "Authorization");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

// Authenticates the Authorization header, if any. Returns an error response
// when it is present but not a known bearer token.
std::optional<Response> Authenticate(const Request& request,
                                     const TokenStore& tokens, Caller* caller) {
  std::string auth = request.Header("authorization");
  if (auth.empty()) return std::nullopt;
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() <= kBearer.size() ||
      auth.compare(0, kBearer.size(), kBearer) != 0) {
    return Unauthorized("Authorization: want \"Bearer <token>\"");
  }
  auto info =
      tokens.Authenticate(std::string_view(auth).substr(kBearer.size()));
  if (!info) return Unauthorized("Authorization: unknown bearer token");
  caller->authenticated = true;
  caller->token = std::move(*info);
  return std::nullopt;
}

std::optional<Response> CheckQuery(const Request& request, const Route& route) {
  std::set<std::string> seen;
  for (const auto& [name, value] : request.query) {
    bool known = false;
    for (auto p : route.query_params) known |= (p == name);
    if (!known)
      return ErrorResponse(400, "unknown query parameter " + name, name);
    if (!seen.insert(name).second) {
      return ErrorResponse(400, name + ": given more than once", name);
    }
  }
  return std::nullopt;
}

}  // namespace

void Service::Handle(Request request, Reply reply) {
  RouteMatch m = MatchRoute(request.method, request.path);
  std::string route_id = m.route ? std::string(m.route->id) : "unmatched";
  auto replied = std::make_shared<std::atomic<bool>>(false);
  // Request id (issue 7): the caller's X-Request-Id when well-formed, else a
  // new one; echoed in the response and in the access log line.
  std::string request_id = request.Header("x-request-id");
  if (!IsValidRequestId(request_id)) request_id = NewRequestId();
  Reply once = [this, route_id, replied, reply = std::move(reply),
                access = AccessLogStart(request, request_id)](Response r) {
    if (replied->exchange(true)) return;
    metrics_->CountRequest(route_id, r.status);
    r.headers.emplace_back("X-Request-Id", access.request_id);
    access.Finish(route_id, r.status, metrics_);
    reply(std::move(r));
  };
  if (!m.route) {
    if (!m.bad_segment.empty()) {
      return once(ErrorResponse(
          400, m.bad_segment + ": malformed percent-encoding", m.bad_segment));
    }
    if (m.methods.empty())
      return once(ErrorResponse(404, "no such endpoint: " + request.path));
    Response r = ErrorResponse(
        405, "method " + request.method + " not allowed on " + request.path);
    std::string allow;
    for (const auto& method : m.methods)
      allow += (allow.empty() ? "" : ", ") + method;
    r.headers.emplace_back("Allow", allow);
    return once(std::move(r));
  }
  const Route& route = *m.route;
  Caller caller;
  if (auto error = Authenticate(request, *tokens_, &caller))
    return once(std::move(*error));
  if (route.access != Access::kPublic) {
    if (!caller.authenticated) {
      return once(
          Unauthorized("Authorization: this endpoint needs a bearer token"));
    }
    if (!Allows(route.access, caller.token.role)) {
      return once(ErrorResponse(
          403,
          std::string("Authorization: role ") + RoleName(caller.token.role) +
              " may not call " + std::string(route.method) + " " +
              std::string(route.pattern) + " (needs " +
              AccessName(route.access) + ")",
          "Authorization"));
    }
  }
  if (auto error = CheckQuery(request, route)) return once(std::move(*error));
  request.path_params = std::move(m.params);
  try {
    route.handler(*this, caller, request, once);
  } catch (const std::exception& e) {
    once(ErrorResponse(500, std::string("internal error: ") + e.what()));
  }
}

ledger::Status Service::OpenCaptureJobs(const std::string& path) {
  auto store = CaptureJobStore::Open(path, options_.max_capture_jobs);
  if (!store.ok()) return store.status();
  capture_jobs_ = std::move(*store);
  return ledger::Status::OK();
}

ledger::Result<CaptureJob> Service::NewCaptureJob(std::string error_behaviour) {
  return capture_jobs_->Create(std::move(error_behaviour));
}

void Service::FinishCaptureJob(const std::string& id, bool success,
                               nlohmann::json errors) {
  ledger::Status st = capture_jobs_->Finish(id, success, std::move(errors));
  if (!st.ok()) {
    std::fprintf(stderr, "ledger-node: capture job %s: %s\n", id.c_str(),
                 st.message().c_str());
  }
}

std::optional<CaptureJob> Service::FindCaptureJob(const std::string& id) const {
  return capture_jobs_->Find(id);
}

}  // namespace api
