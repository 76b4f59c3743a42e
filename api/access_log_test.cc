#include "api/access_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "api/logging.h"

namespace api {
namespace {

// The access line is built by hand for speed; it must be the line LogLine
// would write for the same fields, for any path (escapes, invalid UTF-8).
TEST(AccessLogTest, LineEqualsTheGenericLogLine) {
  struct Case {
    std::string name, request_id, method, path, route;
    int status;
    double latency_ms;
  };
  const Case cases[] = {
      {"plain", "3f2a0b1c2d3e4f50", "POST", "/v1/events", "submitEvents", 200,
       0.412},
      {"whole milliseconds", "t-42.a", "GET", "/v1/node", "node", 404, 2.0},
      {"zero latency", "r", "GET", "/healthz", "healthz", 200, 0.0},
      {"large latency", "r", "GET", "/v1/events", "queryEvents", 503,
       123456.789},
      {"quote and backslash", "r", "GET", "/a\"b\\c", "unmatched", 404, 1.5},
      {"control characters", "r", "GET", std::string("/a\tb\x01\x1f", 6),
       "unmatched", 400, 0.001},
      {"delete character", "r", "GET", "/a\x7f", "unmatched", 404, 0.25},
      {"UTF-8", "r", "GET", "/caf\xc3\xa9/\xe2\x82\xac", "unmatched", 404, 0.5},
      {"invalid UTF-8", "r", "GET", "/\xff\xfe", "unmatched", 400, 0.5},
      {"empty method", "r", "", "", "unmatched", 400, 0.003},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    for (LogLevel level :
         {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn}) {
      const std::string time = "2026-11-26T10:00:00.123Z";
      std::string want = FormatLogLine(time, level, "request",
                                       {{"requestId", c.request_id},
                                        {"method", c.method},
                                        {"path", c.path},
                                        {"route", c.route},
                                        {"status", c.status},
                                        {"latencyMs", c.latency_ms}});
      EXPECT_EQ(FormatAccessLine(time, level, c.request_id, c.method, c.path,
                                 c.route, c.status, c.latency_ms),
                want);
    }
  }
}

// Reads what was written to stderr (redirected to a file) since `from`.
class StderrCapture {
 public:
  StderrCapture() : path_(::testing::TempDir() + "/stderr_capture.txt") {
    std::fflush(stderr);
    saved_ = dup(2);
    std::FILE* f = std::fopen(path_.c_str(), "w");
    dup2(fileno(f), 2);
    std::fclose(f);
  }
  ~StderrCapture() {
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
  }
  std::string Text() const {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string path_;
  int saved_;
};

TEST(AccessLogTest, BufferedLinesKeepTheirOrderAndAreFlushed) {
  StderrCapture capture;
  LogBuffered(LogLevel::kInfo, "{\"n\":1}\n");
  LogBuffered(LogLevel::kDebug, "{\"n\":\"hidden\"}\n");  // below info
  LogBuffered(LogLevel::kInfo, "{\"n\":2}\n");
  // A direct line writes the buffered ones first.
  LogLine(LogLevel::kWarn, "direct");
  LogBuffered(LogLevel::kInfo, "{\"n\":3}\n");
  FlushLog();
  std::string text = capture.Text();
  size_t one = text.find("{\"n\":1}\n"), two = text.find("{\"n\":2}\n"),
         direct = text.find("\"msg\":\"direct\""),
         three = text.find("{\"n\":3}\n");
  ASSERT_NE(one, std::string::npos) << text;
  ASSERT_NE(two, std::string::npos) << text;
  ASSERT_NE(direct, std::string::npos) << text;
  ASSERT_NE(three, std::string::npos) << text;
  EXPECT_LT(one, two);
  EXPECT_LT(two, direct);
  EXPECT_LT(direct, three);
  EXPECT_EQ(text.find("hidden"), std::string::npos) << text;
}

TEST(AccessLogTest, ASinkGetsBufferedLinesAtOnce) {
  std::vector<std::string> lines;
  SetLogSink([&lines](std::string_view l) { lines.emplace_back(l); });
  LogBuffered(LogLevel::kInfo, "{\"n\":1}\n");
  SetLogSink(nullptr);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "{\"n\":1}\n");
}

}  // namespace
}  // namespace api
