// CaptureJobStore over a real file in a temporary directory.
#include "api/capture_jobs.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace api {
namespace {

class CaptureJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/udi-jobs-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/capture-jobs.jsonl";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<CaptureJobStore> Open(size_t max_jobs = 100) {
    auto store = CaptureJobStore::Open(path_, max_jobs);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }
  std::string FileText() const {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::string dir_, path_;
};

TEST_F(CaptureJobsTest, FinishedJobsSurviveReopening) {
  std::string done, failed;
  {
    auto store = Open();
    done = store->Create("rollback")->id;
    failed = store->Create("proceed")->id;
    ASSERT_TRUE(store->Finish(done, true, nlohmann::json::array()).ok());
    ASSERT_TRUE(
        store->Finish(failed, false, nlohmann::json::array({{{"x", 1}}})).ok());
  }
  auto store = Open();
  auto a = store->Find(done);
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->running);
  EXPECT_TRUE(a->success);
  EXPECT_EQ(a->error_behaviour, "rollback");
  EXPECT_FALSE(a->finished_at.empty());
  auto b = store->Find(failed);
  ASSERT_TRUE(b.has_value());
  EXPECT_FALSE(b->success);
  EXPECT_EQ(b->error_behaviour, "proceed");
  EXPECT_EQ(b->errors, nlohmann::json::array({{{"x", 1}}}));
  EXPECT_FALSE(store->Find("nope").has_value());
}

TEST_F(CaptureJobsTest, JobRunningAtRestartIsReportedInterrupted) {
  std::string id;
  {
    auto store = Open();
    id = store->Create("rollback")->id;
  }
  auto job = Open()->Find(id);
  ASSERT_TRUE(job.has_value());
  EXPECT_FALSE(job->running);
  EXPECT_FALSE(job->success);
  ASSERT_EQ(job->errors.size(), 1u);
  EXPECT_EQ(job->errors[0]["type"], "epcisException:ImplementationException");
}

TEST_F(CaptureJobsTest, TornLastLineIsIgnoredAndOtherDamageNamesTheLine) {
  std::string id;
  {
    auto store = Open();
    id = store->Create("rollback")->id;
    ASSERT_TRUE(store->Finish(id, true, nlohmann::json::array()).ok());
  }
  std::ofstream(path_, std::ios::app) << "{\"captureID\": \"half";
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->Find(id)->success);
  EXPECT_EQ(FileText().find("half"), std::string::npos);  // compacted away
  store.reset();

  std::ofstream(path_, std::ios::app) << "not json\n";
  auto bad = CaptureJobStore::Open(path_, 100);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos)
      << bad.status().ToString();
}

TEST_F(CaptureJobsTest, BoundedByMaxJobsInMemoryAndOnDisk) {
  auto store = Open(3);
  std::vector<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    ids.push_back(store->Create("rollback")->id);
    ASSERT_TRUE(store->Finish(ids.back(), true, nlohmann::json::array()).ok());
  }
  EXPECT_EQ(store->size(), 3u);
  EXPECT_FALSE(store->Find(ids[46]).has_value());
  EXPECT_TRUE(store->Find(ids[47]).has_value());
  size_t lines = 0;
  for (char c : FileText()) lines += c == '\n';
  EXPECT_LE(lines, 2 * 3 + 16 + 1u);
  store.reset();
  auto reopened = Open(3);
  EXPECT_EQ(reopened->size(), 3u);
  EXPECT_TRUE(reopened->Find(ids[49])->success);
}

TEST_F(CaptureJobsTest, RunningJobIsNeverDropped) {
  auto store = Open(1);
  std::string running = store->Create("rollback")->id;
  std::string other = store->Create("rollback")->id;
  ASSERT_TRUE(store->Finish(other, true, nlohmann::json::array()).ok());
  EXPECT_TRUE(store->Find(running).has_value());
}

TEST(CaptureJobTest, FromJsonNamesTheBadMember) {
  CaptureJob job;
  job.id = "ab";
  job.created_at = "2026-11-26T10:00:00.000Z";
  const std::pair<std::string, std::string> cases[] = {
      {"captureID", "captureID"},
      {"running", "running"},
      {"errors", "errors"},
      {"captureErrorBehaviour", "captureErrorBehaviour"},
  };
  for (const auto& [member, field] : cases) {
    SCOPED_TRACE(member);
    nlohmann::json j = job.ToJson();
    j[member] = 7;
    auto parsed = CaptureJob::FromJson(j);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().message().rfind(field + ":", 0), 0u)
        << parsed.status().message();
  }
  auto round = CaptureJob::FromJson(job.ToJson());
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->ToJson(), job.ToJson());
}

}  // namespace
}  // namespace api
