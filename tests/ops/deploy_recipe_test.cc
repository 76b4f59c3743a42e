// The container recipe (deploy/docker/) cannot be run here (no container
// engine), so this test keeps it from drifting away from the package: the
// Dockerfile and compose file must name the programs Package.cmake installs,
// the unit's user, data dir and config path, the default port, the build
// packages of scripts/install-deps.sh and the project version; their
// ledger-node command lines must parse (run for real with --print-config,
// paths mapped to scratch copies); and compose's entrypoint script must give
// each node exactly the peers whose token files exist.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "tests/ops/ops_test_util.h"

namespace udi_ops_test {
namespace {

using udi_test::RunProgram;
using udi_test::TempDir;

std::string Source(const std::string& relative) {
  std::string text = ReadAll(std::string(UDI_SOURCE_DIR) + "/" + relative);
  EXPECT_FALSE(text.empty()) << relative << ": missing or empty";
  return text;
}

// The first submatch of `pattern` in `text`, or "" (a test failure names it).
std::string Capture(const std::string& text, const std::string& pattern,
                    const std::string& where) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) {
    ADD_FAILURE() << where << ": nothing matches " << pattern;
    return "";
  }
  return m[1].str();
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::regex word("[^\\s\\\\\"',\\[\\]]+");
  for (std::sregex_iterator it(text.begin(), text.end(), word), end; it != end;
       ++it) {
    words.push_back(it->str());
  }
  return words;
}

// Facts of the package, read from the files that make it.
struct PackageFacts {
  std::vector<std::string> programs;  // Package.cmake's install(TARGETS ...)
  std::string user;                   // ledger-node.service User=
  std::string data_dir;               // node.json dataDir
  std::string config_path;            // ExecStart --config
  std::string binary;                 // ExecStart program
  std::string port;                   // node.json listen port
  std::string version;                // CMakeLists project VERSION
};

PackageFacts ReadPackageFacts() {
  PackageFacts f;
  std::string package = Source("cmake/Package.cmake");
  f.programs =
      Words(Capture(package, "foreach\\(program ([^)]*)\\)", "Package.cmake"));
  std::string unit = Source("deploy/systemd/ledger-node.service");
  f.user = Capture(unit, "\\nUser=(\\S+)", "ledger-node.service");
  f.binary = Capture(unit, "\\nExecStart=(\\S+)", "ledger-node.service");
  f.config_path =
      Capture(unit, "\\nExecStart=\\S+ --config (\\S+)", "ledger-node.service");
  json node_json = json::parse(Source("deploy/debian/node.json"));
  f.data_dir = node_json.value("dataDir", "");
  std::string listen = node_json.value("listen", "");
  f.port = listen.substr(listen.rfind(':') + 1);
  f.version = Capture(Source("CMakeLists.txt"),
                      "project\\(udi_ledger VERSION (\\S+)", "CMakeLists.txt");
  // The facts agree among the package's own files.
  EXPECT_NE(package.find("DESTINATION /etc/udi-ledger"), std::string::npos);
  EXPECT_EQ(std::filesystem::path(f.config_path).parent_path(),
            "/etc/udi-ledger");
  EXPECT_NE(unit.find("ReadWritePaths=" + f.data_dir), std::string::npos);
  std::string postinst = Source("deploy/debian/postinst");
  EXPECT_NE(postinst.find("--home " + f.data_dir), std::string::npos);
  EXPECT_NE(postinst.find(" " + f.user + " >/dev/null"), std::string::npos);
  EXPECT_EQ(f.binary, "/usr/bin/ledger-node");  // CMAKE_INSTALL_BINDIR
  return f;
}

class DeployRecipeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    facts_ = ReadPackageFacts();
    ASSERT_FALSE(facts_.programs.empty());
    dockerfile_ = Source("deploy/docker/Dockerfile");
    compose_ = Source("deploy/docker/compose.yaml");
  }
  PackageFacts facts_;
  std::string dockerfile_, compose_;
};

TEST_F(DeployRecipeTest, DockerfileBuildsAndRunsWhatThePackageInstalls) {
  std::vector<std::string> targets =
      Words(Capture(dockerfile_, "--target ([^\\n&]*)", "Dockerfile"));
  for (const std::string& program : facts_.programs) {
    EXPECT_NE(std::find(targets.begin(), targets.end(), program), targets.end())
        << "Dockerfile does not build " << program;
  }
  EXPECT_NE(std::find(targets.begin(), targets.end(), "udi_man_pages"),
            targets.end());
  EXPECT_NE(dockerfile_.find("cpack -G DEB"), std::string::npos);
  EXPECT_NE(dockerfile_.find("\nUSER " + facts_.user + "\n"), std::string::npos)
      << "want USER " << facts_.user;
  EXPECT_NE(dockerfile_.find("VOLUME [\"" + facts_.data_dir + "\"]"),
            std::string::npos);
  EXPECT_NE(dockerfile_.find("\nEXPOSE " + facts_.port + "\n"),
            std::string::npos);
  EXPECT_NE(dockerfile_.find("/dev/tcp/127.0.0.1/" + facts_.port),
            std::string::npos);
  EXPECT_NE(dockerfile_.find("GET /healthz"), std::string::npos);
  EXPECT_NE(dockerfile_.find("-t udi-ledger:" + facts_.version + " "),
            std::string::npos);
  // The build options it passes exist.
  std::string cmakelists = Source("CMakeLists.txt");
  for (const std::string& option : Words(dockerfile_)) {
    if (option.rfind("-DUDI_", 0) != 0) continue;
    std::string name = option.substr(2, option.find('=') - 2);
    EXPECT_NE(cmakelists.find("option(" + name + " "), std::string::npos)
        << option;
  }
  // Every package scripts/install-deps.sh installs to build the programs and
  // the package is installed in the build stage (the rest is for tests).
  const std::set<std::string> test_only = {
      "ccache",       "git",      "zstd",
      "libgtest-dev", "clang",    "libclang-rt-14-dev",
      "python3",      "curl",     "procps",
      "systemd",      "chromium", "fonts-dejavu-core"};
  std::string deps = Source("scripts/install-deps.sh");
  std::string list = Capture(deps, "PACKAGES=\\(([^)]*)\\)", "install-deps.sh");
  list = std::regex_replace(list, std::regex("#[^\\n]*"), "");
  size_t first = dockerfile_.find("\nFROM ");
  ASSERT_NE(first, std::string::npos);
  std::string build_stage =
      dockerfile_.substr(first, dockerfile_.find("\nFROM ", first + 1) - first);
  std::vector<std::string> stage_words = Words(build_stage);
  for (const std::string& package : Words(list)) {
    if (test_only.count(package)) continue;
    EXPECT_NE(std::find(stage_words.begin(), stage_words.end(), package),
              stage_words.end())
        << "the Dockerfile's build stage lacks " << package
        << " (scripts/install-deps.sh installs it)";
  }
}

// Maps the image's paths to scratch ones so that a command line can run here.
std::string MapPaths(std::string text, const PackageFacts& facts,
                     const std::string& root) {
  text = std::regex_replace(text, std::regex(facts.config_path),
                            root + "/node.json");
  text = std::regex_replace(text, std::regex(facts.data_dir), root + "/data");
  text = std::regex_replace(text, std::regex("/etc/udi-ledger/peers"),
                            root + "/peers");
  return std::regex_replace(text, std::regex(facts.binary), LedgerNode());
}

TEST_F(DeployRecipeTest, DockerfileEntrypointParsesWithThePackagedConfig) {
  std::string entry =
      Capture(dockerfile_, "ENTRYPOINT \\[([^\\]]*)\\]", "Dockerfile");
  std::vector<std::string> argv = Words(entry);
  ASSERT_GE(argv.size(), 2u);
  EXPECT_EQ(argv[0], facts_.binary);
  TempDir tmp;
  std::filesystem::copy_file(
      std::string(UDI_SOURCE_DIR) + "/deploy/debian/node.json",
      tmp.path() + "/node.json");
  for (auto& arg : argv) arg = MapPaths(arg, facts_, tmp.path());
  argv.push_back("--print-config");
  auto printed = RunProgram(argv);
  ASSERT_TRUE(printed.ok());
  ASSERT_EQ(printed->exit_code, 0) << printed->stderr_text;
  json config = json::parse(printed->stdout_text);
  EXPECT_EQ(config.value("listen", ""), "0.0.0.0:" + facts_.port);
  EXPECT_EQ(config.value("dataDir", ""), tmp.path() + "/data");
}

// compose.yaml's services: name → its block of text.
std::map<std::string, std::string> Services(const std::string& compose) {
  std::map<std::string, std::string> services;
  size_t at = compose.find("\nservices:\n");
  size_t end = compose.find("\nvolumes:\n");
  if (at == std::string::npos || end == std::string::npos) return services;
  std::string block = compose.substr(at + 11, end - at - 11);
  std::regex head("(^|\\n)  ([a-z0-9-]+):\\n");
  std::vector<std::pair<std::string, size_t>> starts;
  for (std::sregex_iterator it(block.begin(), block.end(), head), e; it != e;
       ++it) {
    starts.emplace_back((*it)[2].str(), it->position() + it->length());
  }
  for (size_t i = 0; i < starts.size(); ++i) {
    size_t stop = i + 1 < starts.size() ? starts[i + 1].second : block.size();
    services[starts[i].first] =
        block.substr(starts[i].second, stop - starts[i].second);
  }
  return services;
}

// The entrypoint's shell script (the "- |" block), with compose's $$ undone.
std::string EntrypointScript(const std::string& compose) {
  size_t at = compose.find("    - |\n");
  if (at == std::string::npos) return "";
  std::string script;
  std::istringstream in(compose.substr(at + 8));
  std::string line;
  while (std::getline(in, line) && line.rfind("      ", 0) == 0)
    script += line.substr(6) + "\n";
  return std::regex_replace(script, std::regex("\\$\\$"), "$");
}

TEST_F(DeployRecipeTest, ComposeRunsThreeNodesEachPullingTheOtherTwo) {
  auto services = Services(compose_);
  ASSERT_EQ(services.size(), 3u) << compose_;
  EXPECT_NE(compose_.find("dockerfile: deploy/docker/Dockerfile"),
            std::string::npos);
  EXPECT_NE(compose_.find("image: udi-ledger:" + facts_.version + "\n"),
            std::string::npos);
  std::set<std::string> names, host_ports;
  for (const auto& [service, text] : services) {
    SCOPED_TRACE(service);
    names.insert(Capture(text, "NODE_NAME: (\\S+)", service));
    host_ports.insert(
        Capture(text, "127\\.0\\.0\\.1:(\\d+):" + facts_.port, service));
    EXPECT_NE(text.find("-data:" + facts_.data_dir + "\n"), std::string::npos);
    EXPECT_NE(text.find("./tokens/" + service + ":/etc/udi-ledger/peers:ro"),
              std::string::npos);
    EXPECT_TRUE(std::filesystem::is_directory(
        std::string(UDI_SOURCE_DIR) + "/deploy/docker/tokens/" + service));
    std::set<std::string> peers;
    for (const auto& p : Words(Capture(text, "PEERS: ([^\\n]*)", service)))
      peers.insert(p);
    std::set<std::string> others;
    for (const auto& [other, unused] : services) {
      (void)unused;
      if (other != service) others.insert(other);
    }
    EXPECT_EQ(peers, others);
  }
  EXPECT_EQ(names.size(), 3u);
  EXPECT_EQ(host_ports.size(), 3u);
}

// Runs compose's entrypoint script for one node (paths mapped, the real
// ledger-node with --print-config appended): only peers with a non-empty
// token file are passed, with their tokens.
TEST_F(DeployRecipeTest, ComposeEntrypointPassesThePeersThatHaveTokens) {
  std::string script = EntrypointScript(compose_);
  ASSERT_NE(script.find("exec " + facts_.binary + " \"$@\""), std::string::npos)
      << script;
  TempDir tmp;
  std::filesystem::copy_file(
      std::string(UDI_SOURCE_DIR) + "/deploy/debian/node.json",
      tmp.path() + "/node.json");
  std::filesystem::create_directories(tmp.path() + "/peers");
  WriteAll(tmp.path() + "/peers/distri.token", "t0ken-from-distri\n");
  WriteAll(tmp.path() + "/peers/pharma.token", "");  // not issued yet
  script = MapPaths(script, facts_, tmp.path());
  script = std::regex_replace(script, std::regex("\"\\$@\"\\n$"),
                              "\"$$@\" --print-config\n");
  auto printed = RunProgram({"/usr/bin/env", "NODE_NAME=acme.example/log",
                             "PEERS=distri pharma", "/bin/sh", "-c", script});
  ASSERT_TRUE(printed.ok());
  ASSERT_EQ(printed->exit_code, 0) << printed->stderr_text << script;
  json config = json::parse(printed->stdout_text, nullptr, false);
  EXPECT_EQ(config.value("name", ""), "acme.example/log");
  EXPECT_EQ(config.value("listen", ""), "0.0.0.0:" + facts_.port);
  EXPECT_EQ(config.value("dataDir", ""), tmp.path() + "/data");
  ASSERT_TRUE(config["peers"].is_array()) << printed->stdout_text;
  ASSERT_EQ(config["peers"].size(), 1u) << printed->stdout_text;
  EXPECT_EQ(config["peers"][0].value("url", ""),
            "http://distri:" + facts_.port);
  EXPECT_EQ(config["peers"][0].value("token", ""), "<redacted>");
}

}  // namespace
}  // namespace udi_ops_test
