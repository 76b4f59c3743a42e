#include "api/tokens.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace api {
namespace {

class TokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/udi-tokens-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/tokens.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, path_;
};

TEST_F(TokensTest, CreateAuthenticateDeleteSurvivesReopen) {
  auto store = TokenStore::Open(path_);
  ASSERT_TRUE(store.ok());
  auto writer = (*store)->Create(Role::kWriter, "acme+1a2b3c4d");
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  auto admin = (*store)->Create(Role::kAdmin, "");
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->second.rfind("udi_", 0), 0u);

  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().find(writer->second), std::string::npos)
      << "token stored in clear";

  auto reopened = TokenStore::Open(path_);
  ASSERT_TRUE(reopened.ok());
  auto info = (*reopened)->Authenticate(writer->second);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->role, Role::kWriter);
  EXPECT_EQ(info->participant, "acme+1a2b3c4d");
  EXPECT_FALSE((*reopened)->Authenticate("udi_wrong").has_value());

  auto deleted = (*reopened)->Delete(writer->first.id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  EXPECT_FALSE((*reopened)->Authenticate(writer->second).has_value());
  EXPECT_FALSE(*(*reopened)->Delete(writer->first.id));
  auto again = TokenStore::Open(path_);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE((*again)->Authenticate(writer->second).has_value());
  EXPECT_TRUE((*again)->Authenticate(admin->second).has_value());
}

TEST_F(TokensTest, WriterNeedsParticipantAndOthersMustNotHaveOne) {
  auto store = TokenStore::Open(path_);
  ASSERT_TRUE(store.ok());
  auto w = (*store)->Create(Role::kWriter, "");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message().rfind("participant:", 0), 0u);
  EXPECT_FALSE((*store)->Create(Role::kReader, "acme+1a2b3c4d").ok());
}

TEST_F(TokensTest, CorruptFileIsReportedWithPath) {
  std::ofstream(path_) << "{\"tokens\": [{\"id\": \"x\", \"sha256\": \"y\", "
                          "\"role\": \"boss\"}]}";
  auto store = TokenStore::Open(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find(path_), std::string::npos);
  EXPECT_NE(store.status().message().find("role"), std::string::npos);
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role r :
       {Role::kReader, Role::kWriter, Role::kRegulator, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(r)), r);
  }
  EXPECT_FALSE(ParseRole("root").has_value());
}

}  // namespace
}  // namespace api
