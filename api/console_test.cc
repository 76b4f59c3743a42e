// The console's embedded files and how they are served.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "api/console_assets.h"
#include "api/routes.h"

namespace api::console {
namespace {

std::string Header(const Response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

std::string ReadSource(const std::string& name) {
  std::ifstream in(std::string(UDI_SOURCE_DIR) + "/console/" + name,
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(ConsoleTest, EmbedsTheSourceFilesByteForByte) {
  size_t count = 0;
  const EmbeddedFile* files = Files(&count);
  ASSERT_GE(count, 5u);
  for (size_t i = 0; i < count; ++i) {
    SCOPED_TRACE(files[i].name);
    EXPECT_NE(ContentTypeOf(files[i].name), "application/octet-stream");
    if (i > 0) {
      EXPECT_LT(std::string(files[i - 1].name), files[i].name);
    }
  }
  for (const char* name :
       {"index.html", "app.js", "api.js", "style.css", "trace.js"}) {
    SCOPED_TRACE(name);
    auto file = Find(name);
    ASSERT_TRUE(file.has_value());
    EXPECT_EQ(std::string(file->data, file->size), ReadSource(name));
    EXPECT_EQ(std::string(file->sha256).size(), 64u);
  }
}

TEST(ConsoleTest, ServesEachFileWithTheTypeOfItsExtension) {
  struct Case {
    std::string name, want_type;
  };
  const Case cases[] = {
      {"index.html", "text/html; charset=utf-8"},
      {"app.js", "text/javascript; charset=utf-8"},
      {"style.css", "text/css; charset=utf-8"},
      {"favicon.svg", "image/svg+xml"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Response r = ServeAsset(c.name, "");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, c.want_type);
    EXPECT_EQ(Header(r, "ETag"),
              "\"" + std::string(Find(c.name)->sha256) + "\"");
    EXPECT_EQ(Header(r, "Cache-Control"), "no-cache");
    EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
    EXPECT_FALSE(r.body.empty());
  }
  EXPECT_NE(Header(ServeAsset("index.html", ""), "Content-Security-Policy")
                .find("default-src 'self'"),
            std::string::npos);
}

TEST(ConsoleTest, IfNoneMatchWithTheCurrentEtagAnswers304) {
  const std::string etag = Header(ServeAsset("app.js", ""), "ETag");
  ASSERT_FALSE(etag.empty());
  struct Case {
    std::string if_none_match;
    int want_status;
  };
  const Case cases[] = {
      {etag, 304}, {"W/" + etag, 304}, {"\"other\", " + etag, 304},
      {"*", 304},  {"\"other\"", 200}, {"", 200},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.if_none_match);
    Response r = ServeAsset("app.js", c.if_none_match);
    EXPECT_EQ(r.status, c.want_status);
    EXPECT_EQ(r.body.empty(), c.want_status == 304);
  }
}

TEST(ConsoleTest, UnknownOrTraversingNamesAre404NamingTheAsset) {
  for (const char* name : {"nothing.js", "../CMakeLists.txt", "README.md",
                           "/etc/passwd", "index.html/"}) {
    SCOPED_TRACE(name);
    Response r = ServeAsset(name, "");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("asset"), std::string::npos);
  }
}

TEST(ConsoleTest, RoutesArePublic) {
  RouteMatch index = MatchRoute("GET", "/console");
  ASSERT_NE(index.route, nullptr);
  EXPECT_EQ(index.route->access, Access::kPublic);
  RouteMatch asset = MatchRoute("GET", "/console/app.js");
  ASSERT_NE(asset.route, nullptr);
  EXPECT_EQ(asset.route->id, "console.asset");
  EXPECT_EQ(asset.params.at("asset"), "app.js");
  EXPECT_EQ(MatchRoute("GET", "/console/a/b.js").route, nullptr);
}

}  // namespace
}  // namespace api::console
