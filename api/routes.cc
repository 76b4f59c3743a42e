#include "api/routes.h"

#include "api/handlers_internal.h"

namespace api {

namespace {
std::vector<Route> CoreRoutes() {
  return {
      {"healthz", "GET", "/healthz", Access::kPublic, {}, HandleHealth},
      {"metrics", "GET", "/metrics", Access::kPublic, {}, HandleMetrics},
      {"node", "GET", "/v1/node", Access::kPublic, {}, HandleNodeInfo},
      {"checkpoint",
       "GET",
       "/v1/checkpoint",
       Access::kPublic,
       {},
       HandleCheckpoint},
      {"log.entries",
       "GET",
       "/v1/log/entries",
       Access::kReader,
       {"start", "count"},
       HandleLogEntries},
      {"proof.inclusion",
       "GET",
       "/v1/proof/inclusion",
       Access::kPublic,
       {"index", "size"},
       HandleInclusionProof},
      {"proof.consistency",
       "GET",
       "/v1/proof/consistency",
       Access::kPublic,
       {"from", "to"},
       HandleConsistencyProof},
      {"participants.list",
       "GET",
       "/v1/participants",
       Access::kReader,
       {},
       HandleListParticipants},
      {"participants.register",
       "POST",
       "/v1/participants",
       Access::kAdmin,
       {},
       HandleRegisterParticipant},
      {"participants.revoke",
       "POST",
       "/v1/participants/{keyId}/revoke",
       Access::kAdmin,
       {},
       HandleRevokeParticipant},
      {"participants.rotate",
       "POST",
       "/v1/participants/{keyId}/rotate",
       Access::kAdmin,
       {},
       HandleRotateParticipant},
      {"events.submit",
       "POST",
       "/v1/events",
       Access::kWriter,
       {},
       HandleSubmitEvents},
      {"events.query",
       "GET",
       "/v1/events",
       Access::kReader,
       {"MATCH_epc", "MATCH_epcClass", "MATCH_anyEPC", "MATCH_parentID",
        "EQ_bizStep", "EQ_disposition", "EQ_bizLocation", "EQ_readPoint",
        "EQ_eventType", "eventType", "GE_eventTime", "LT_eventTime",
        "GE_recordTime", "LT_recordTime", "orderBy", "orderDirection",
        "perPage", "nextPageToken"},
       HandleQueryEventsAudited},
      {"events.get",
       "GET",
       "/v1/events/{eventId}",
       Access::kReader,
       {},
       HandleGetEvent},
      {"capture", "POST", "/capture", Access::kWriter, {}, HandleCapture},
      {"capture.job",
       "GET",
       "/capture/{captureID}",
       Access::kWriter,
       {},
       HandleCaptureJob},
      {"tokens.list",
       "GET",
       "/v1/tokens",
       Access::kAdmin,
       {},
       HandleListTokens},
      {"tokens.create",
       "POST",
       "/v1/tokens",
       Access::kAdmin,
       {},
       HandleCreateToken},
      {"tokens.delete",
       "DELETE",
       "/v1/tokens/{tokenId}",
       Access::kAdmin,
       {},
       HandleDeleteToken},
  };
}
}  // namespace

const std::vector<Route>& Routes() {
  static const std::vector<Route> kRoutes = [] {
    std::vector<Route> all = CoreRoutes();
    for (auto group : {FederationRoutes, RegulatorRoutes, OperationsRoutes}) {
      for (Route& r : group()) all.push_back(std::move(r));
    }
    return all;
  }();
  return kRoutes;
}

const char* AccessName(Access access) {
  switch (access) {
    case Access::kPublic:
      return "public";
    case Access::kReader:
      return "reader";
    case Access::kWriter:
      return "writer";
    case Access::kAdmin:
      return "admin";
    case Access::kRegulator:
      return "regulator";
    case Access::kIssuer:
      return "issuer";
  }
  return "?";
}

bool Allows(Access access, Role role) {
  switch (access) {
    case Access::kPublic:
    case Access::kReader:
      return true;
    case Access::kWriter:
      return role == Role::kWriter || role == Role::kAdmin;
    case Access::kAdmin:
      return role == Role::kAdmin;
    case Access::kRegulator:
      return role == Role::kRegulator || role == Role::kAdmin;
    case Access::kIssuer:
      return role == Role::kWriter || role == Role::kRegulator ||
             role == Role::kAdmin;
  }
  return false;
}

namespace {
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  out.reserve(8);
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// Each route's pattern split into segments, once: Routes() is built once and
// never changes, so the views into its patterns stay valid. (Splitting every
// pattern on every request cost about 29 allocations per request.)
const std::vector<std::vector<std::string_view>>& PatternSegments() {
  static const std::vector<std::vector<std::string_view>> kPatterns = [] {
    std::vector<std::vector<std::string_view>> out;
    out.reserve(Routes().size());
    for (const Route& route : Routes()) out.push_back(Segments(route.pattern));
    return out;
  }();
  return kPatterns;
}
}  // namespace

RouteMatch MatchRoute(std::string_view method, std::string_view path) {
  RouteMatch match;
  auto segments = Segments(path);
  const auto& patterns = PatternSegments();
  for (size_t r = 0; r < Routes().size(); ++r) {
    const Route& route = Routes()[r];
    const std::vector<std::string_view>& pattern = patterns[r];
    if (pattern.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < pattern.size() && ok; ++i) {
      std::string_view p = pattern[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        auto decoded = PercentDecode(segments[i], false);
        if (!decoded || decoded->empty()) {
          ok = false;
          if (!decoded)
            match.bad_segment = std::string(p.substr(1, p.size() - 2));
          break;
        }
        params[std::string(p.substr(1, p.size() - 2))] = std::move(*decoded);
      } else if (p != segments[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    if (route.method != method) {
      match.methods.emplace_back(route.method);
      continue;
    }
    match.route = &route;
    match.params = std::move(params);
    return match;
  }
  return match;
}

}  // namespace api
