#include "api/routes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace api {
namespace {

// One operation as read from spec/openapi.yaml.
struct SpecOperation {
  std::string access;
  std::set<std::string> query_params;
  std::set<std::string> path_params;
};
using Spec =
    std::map<std::string, SpecOperation>;  // "GET /v1/events" → operation

size_t Indent(const std::string& line) { return line.find_first_not_of(' '); }

std::string Trim(std::string s) {
  s.erase(0, s.find_first_not_of(' '));
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

// Reads the regular subset of YAML the spec is written in: under "paths:", "
// /path:" lines, "    method:" lines, "      x-udi-access: X" and "        -
// name: X" / "          in: Y".
Spec ReadSpec(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  Spec spec;
  std::string line, current_path, current_op, pending_param;
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (line.empty() || Trim(line).empty() || Trim(line)[0] == '#') continue;
    size_t indent = Indent(line);
    std::string text = Trim(line);
    if (indent == 0) {
      in_paths = text == "paths:";
      continue;
    }
    if (!in_paths) continue;
    if (indent == 2) {
      EXPECT_EQ(text.back(), ':') << line;
      current_path = text.substr(0, text.size() - 1);
      current_op.clear();
    } else if (indent == 4) {
      std::string method = text.substr(0, text.size() - 1);
      for (auto& c : method) c = static_cast<char>(toupper(c));
      current_op = method + " " + current_path;
      EXPECT_EQ(spec.count(current_op), 0u) << "declared twice: " << current_op;
      spec[current_op];
    } else if (indent == 6 && text.rfind("x-udi-access:", 0) == 0) {
      spec[current_op].access = Trim(text.substr(strlen("x-udi-access:")));
    } else if (indent == 8 && text.rfind("- name:", 0) == 0) {
      pending_param = Trim(text.substr(strlen("- name:")));
    } else if (indent == 10 && text.rfind("in:", 0) == 0 &&
               !pending_param.empty()) {
      std::string where = Trim(text.substr(3));
      (where == "query" ? spec[current_op].query_params
                        : spec[current_op].path_params)
          .insert(pending_param);
      pending_param.clear();
    }
  }
  return spec;
}

std::set<std::string> PathParamsOf(std::string_view pattern) {
  std::set<std::string> out;
  size_t open;
  while ((open = pattern.find('{')) != std::string_view::npos) {
    size_t close = pattern.find('}', open);
    out.emplace(pattern.substr(open + 1, close - open - 1));
    pattern.remove_prefix(close + 1);
  }
  return out;
}

TEST(RoutesTest, OpenApiSpecListsExactlyTheRouteTable) {
  Spec spec = ReadSpec(std::string(UDI_SOURCE_DIR) + "/spec/openapi.yaml");
  ASSERT_FALSE(spec.empty());
  std::set<std::string> in_table;
  for (const Route& route : Routes()) {
    std::string op =
        std::string(route.method) + " " + std::string(route.pattern);
    SCOPED_TRACE(op);
    EXPECT_TRUE(in_table.insert(op).second) << "route declared twice";
    auto it = spec.find(op);
    ASSERT_NE(it, spec.end()) << "route missing from spec/openapi.yaml";
    EXPECT_EQ(it->second.access, AccessName(route.access));
    std::set<std::string> params(route.query_params.begin(),
                                 route.query_params.end());
    EXPECT_EQ(it->second.query_params, params);
    EXPECT_EQ(it->second.path_params, PathParamsOf(route.pattern));
  }
  for (const auto& [op, unused] : spec) {
    EXPECT_TRUE(in_table.count(op))
        << op << " is in spec/openapi.yaml but not in the route table";
  }
}

TEST(RoutesTest, MatchesPatternsAndDecodesParameters) {
  struct Case {
    std::string method, path, want_id, want_param;
    std::vector<std::string> want_methods;
  };
  const Case cases[] = {
      {"GET", "/healthz", "healthz", "", {}},
      {"GET", "/v1/events", "events.query", "", {}},
      {"POST", "/v1/events", "events.submit", "", {}},
      {"GET",
       "/v1/events/ni%3A%2F%2F%2Fsha-256%3Babc",
       "events.get",
       "ni:///sha-256;abc",
       {}},
      {"POST",
       "/v1/participants/acme%2B1a2b3c4d/revoke",
       "participants.revoke",
       "acme+1a2b3c4d",
       {}},
      {"PUT", "/v1/events", "", "", {"POST", "GET"}},
      {"GET", "/v1/nothing", "", "", {}},
      {"GET", "/v1/events/", "", "", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path);
    RouteMatch m = MatchRoute(c.method, c.path);
    if (c.want_id.empty()) {
      EXPECT_EQ(m.route, nullptr);
      std::set<std::string> got(m.methods.begin(), m.methods.end());
      EXPECT_EQ(got, std::set<std::string>(c.want_methods.begin(),
                                           c.want_methods.end()));
      continue;
    }
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->id, c.want_id);
    if (!c.want_param.empty()) {
      ASSERT_EQ(m.params.size(), 1u);
      EXPECT_EQ(m.params.begin()->second, c.want_param);
    }
  }
}

TEST(RoutesTest, MalformedPathEncodingNamesTheParameter) {
  RouteMatch m = MatchRoute("GET", "/v1/events/%zz");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.bad_segment, "eventId");
}

TEST(RoutesTest, AccessLevels) {
  EXPECT_TRUE(Allows(Access::kReader, Role::kRegulator));
  EXPECT_TRUE(Allows(Access::kWriter, Role::kAdmin));
  EXPECT_FALSE(Allows(Access::kWriter, Role::kReader));
  EXPECT_FALSE(Allows(Access::kWriter, Role::kRegulator));
  EXPECT_FALSE(Allows(Access::kAdmin, Role::kWriter));
}

}  // namespace
}  // namespace api
