// The regulator console works offline (issue 7: "no CDN"): starting from
// /console on a real node, every asset the pages load (src, href, CSS url(),
// JavaScript import) is served by the node itself, and none names another
// host.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "tests/ops/ops_test_util.h"

namespace udi_ops_test {
namespace {

using udi_http::HttpClient;
using udi_test::NodeProcess;
using udi_test::TempDir;

// The references a page, stylesheet or module makes to other files.
std::vector<std::string> References(const std::string& text) {
  static const std::regex patterns[] = {
      std::regex(R"((?:src|href)\s*=\s*["']([^"']+)["'])"),
      std::regex(R"(url\(\s*["']?([^"')]+)["']?\s*\))"),
      std::regex(R"(import\s*(?:[^'"]*\sfrom\s*)?["']([^"']+)["'])"),
      std::regex(R"(import\(\s*["']([^"']+)["']\s*\))"),
  };
  std::vector<std::string> refs;
  for (const auto& re : patterns) {
    for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end;
         ++it) {
      refs.push_back((*it)[1].str());
    }
  }
  return refs;
}

TEST(OpsConsoleTest, EveryAssetIsServedByTheNodeItself) {
  TempDir tmp;
  auto node = NodeProcess::Start(tmp.path() + "/data");
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  HttpClient client("127.0.0.1", (*node)->port());
  std::vector<std::string> todo = {"/console"};
  std::set<std::string> seen;
  while (!todo.empty()) {
    std::string path = todo.back();
    todo.pop_back();
    if (!seen.insert(path).second) continue;
    SCOPED_TRACE(path);
    auto r = client.Get(path);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body.substr(0, 200);
    for (const std::string& ref : References(r->body)) {
      if (ref.rfind("data:", 0) == 0 || ref.rfind("#", 0) == 0) continue;
      // Only relative references or paths on this node; no other host.
      EXPECT_EQ(ref.find("//"), std::string::npos)
          << path << " loads " << ref << " from another host";
      if (ref.find("//") != std::string::npos) continue;
      std::string target =
          ref[0] == '/' ? ref : "/console/" + ref.substr(ref.rfind('/') + 1);
      if (target.rfind("/console", 0) == 0) todo.push_back(target);
    }
  }
  // index.html, its stylesheet, the favicon and the app's modules at least.
  EXPECT_GE(seen.size(), 6u);
}

}  // namespace
}  // namespace udi_ops_test
