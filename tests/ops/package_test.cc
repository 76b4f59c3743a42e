// The Debian package (issue 7): built with CPack from this build tree,
// extracted into a scratch root (dpkg-deb -x), its ledger-node started on a
// free loopback port and asked for /healthz; its control files and systemd
// units checked (systemd-analyze verify, no warnings allowed).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <regex>

#include "tests/ops/ops_test_util.h"

namespace udi_ops_test {
namespace {

using udi_test::RunProgram;
using udi_test::TempDir;

// Builds the package into `out_dir`; returns the .deb path or "".
std::string BuildPackage(const std::string& out_dir) {
  // The programs and man pages the package holds (up to date: a no-op).
  auto build =
      RunProgram({"cmake", "--build", UDI_BUILD_DIR, "--target", "ledger-node",
                  "ledgerctl", "ledger-scan", "udi_man_pages"},
                 1800);
  EXPECT_TRUE(build.ok());
  if (!build.ok() || build->exit_code != 0) {
    ADD_FAILURE() << (build.ok() ? build->stdout_text : "");
    return "";
  }
  auto cpack = RunProgram(
      {"cpack", "-G", "DEB", "--config",
       std::string(UDI_BUILD_DIR) + "/CPackConfig.cmake", "-B", out_dir},
      600);
  EXPECT_TRUE(cpack.ok());
  if (!cpack.ok() || cpack->exit_code != 0) {
    ADD_FAILURE() << (cpack.ok() ? cpack->stdout_text + cpack->stderr_text
                                 : "");
    return "";
  }
  for (const auto& e : std::filesystem::directory_iterator(out_dir)) {
    if (e.path().extension() == ".deb") return e.path().string();
  }
  ADD_FAILURE() << "no .deb in " << out_dir;
  return "";
}

class PackageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    deb_ = BuildPackage(tmp_->path());
    root_ = tmp_->path() + "/root";
    if (!deb_.empty()) {
      auto x = RunProgram({"dpkg-deb", "-x", deb_, root_});
      ASSERT_TRUE(x.ok() && x->exit_code == 0);
    }
  }
  static void TearDownTestSuite() { delete tmp_; }
  void SetUp() override { ASSERT_FALSE(deb_.empty()); }

  static TempDir* tmp_;
  static std::string deb_, root_;
};
TempDir* PackageTest::tmp_ = nullptr;
std::string PackageTest::deb_, PackageTest::root_;

TEST_F(PackageTest, InstallsProgramsUnitsConfigAndManPages) {
  for (const char* path :
       {"/usr/bin/ledger-node", "/usr/bin/ledgerctl", "/usr/bin/ledger-scan",
        "/usr/lib/systemd/system/ledger-node.service",
        "/usr/lib/systemd/system/ledger-scan@.service",
        "/etc/udi-ledger/node.json", "/usr/share/man/man1/ledger-node.1.gz",
        "/usr/share/man/man1/ledgerctl.1.gz",
        "/usr/share/man/man1/ledger-scan.1.gz"}) {
    EXPECT_TRUE(std::filesystem::exists(root_ + path)) << path;
  }
  auto control = RunProgram({"dpkg-deb", "-I", deb_});
  ASSERT_TRUE(control.ok());
  for (const char* want : {"Package: udi-ledger", "Depends:", "libleveldb",
                           "libsodium", "adduser", "postinst", "conffiles"}) {
    EXPECT_NE(control->stdout_text.find(want), std::string::npos)
        << want << "\n"
        << control->stdout_text;
  }
  auto conffiles = RunProgram({"dpkg-deb", "-e", deb_, tmp_->path() + "/ctl"});
  ASSERT_TRUE(conffiles.ok());
  EXPECT_EQ(ReadAll(tmp_->path() + "/ctl/conffiles"),
            "/etc/udi-ledger/node.json\n");
  std::string postinst = ReadAll(tmp_->path() + "/ctl/postinst");
  EXPECT_NE(postinst.find("adduser --system"), std::string::npos);
  EXPECT_NE(postinst.find("/var/lib/udi-ledger"), std::string::npos);
  // The default config is a valid config for the packaged binary.
  auto printed =
      RunProgram({root_ + "/usr/bin/ledger-node", "--config",
                  root_ + "/etc/udi-ledger/node.json", "--print-config"});
  ASSERT_TRUE(printed.ok());
  ASSERT_EQ(printed->exit_code, 0) << printed->stderr_text;
  json config = json::parse(printed->stdout_text);
  EXPECT_EQ(config.value("dataDir", ""), "/var/lib/udi-ledger");
}

TEST_F(PackageTest, PackagedNodeStartsAndAnswersHealthz) {
  std::string data = tmp_->path() + "/data";
  auto node =
      udi_test::NodeProcess::Start(data, {}, root_ + "/usr/bin/ledger-node");
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  udi_http::HttpClient client("127.0.0.1", (*node)->port());
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->Json().value("status", ""), "ok");
  auto stopped = (*node)->Stop(SIGTERM);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->exit_code, 0);
}

TEST_F(PackageTest, SystemdUnitsVerifyWithoutWarnings) {
  // systemd-analyze verify checks that ExecStart exists: point it at the
  // extracted binaries.
  std::string units = tmp_->path() + "/units";
  std::filesystem::create_directories(units);
  struct Unit {
    std::string file, instance, must_have;
  };
  const Unit list[] = {
      {"ledger-node.service", "ledger-node.service", "ProtectSystem=strict"},
      {"ledger-scan@.service", "ledger-scan@dock1.service", "station-%i.json"},
  };
  for (const auto& u : list) {
    SCOPED_TRACE(u.file);
    std::string text = ReadAll(root_ + "/usr/lib/systemd/system/" + u.file);
    for (const char* want :
         {"User=udi-ledger", "NoNewPrivileges=yes", "ProtectHome=yes",
          "PrivateTmp=yes", "ReadWritePaths=/var/lib/udi-ledger"}) {
      EXPECT_NE(text.find(want), std::string::npos) << want;
    }
    EXPECT_NE(text.find(u.must_have), std::string::npos);
    text =
        std::regex_replace(text, std::regex("/usr/bin/"), root_ + "/usr/bin/");
    WriteAll(units + "/" + u.file, text);
    auto verify = RunProgram(
        {"systemd-analyze", "verify", "--man=no", units + "/" + u.instance});
    ASSERT_TRUE(verify.ok());
    EXPECT_EQ(verify->exit_code, 0) << verify->stderr_text;
    EXPECT_EQ(verify->stderr_text, "");
  }
}

}  // namespace
}  // namespace udi_ops_test
