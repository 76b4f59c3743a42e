// The udi-gen program, run as a real process.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "ledger/envelope.h"
#include "ledger/jcs.h"
#include "ledger/keys.h"

namespace {

namespace fs = std::filesystem;

class UdiGenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        (fs::temp_directory_path() / "udi-gen-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs udi-gen with `args`; returns the exit status and fills *output (stdout
  // and stderr).
  int RunGen(const std::string& args, std::string* output) {
    const std::string log = (dir_ / "log.txt").string();
    const std::string cmd =
        std::string(UDI_BIN_DIR) + "/udi-gen " + args + " >" + log + " 2>&1";
    const int status = std::system(cmd.c_str());
    *output = Read(log);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  fs::path dir_;
};

TEST_F(UdiGenTest, SameSeedWritesByteIdenticalFiles) {
  std::string out;
  const std::string common =
      "--seed 12 --units 500 --anomaly-rate 0.05 --manufacturers 2 ";
  ASSERT_EQ(RunGen(common + "--threads 1 --out " + (dir_ / "a").string(), &out),
            0)
      << out;
  ASSERT_EQ(RunGen(common + "--threads 2 --out " + (dir_ / "b").string(), &out),
            0)
      << out;
  for (const char* name :
       {"participants.json", "envelopes.jsonl", "truth.json"}) {
    SCOPED_TRACE(name);
    const std::string a = Read(dir_ / "a" / name);
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, Read(dir_ / "b" / name));
  }
  ASSERT_EQ(
      RunGen("--seed 13 --units 500 --out " + (dir_ / "c").string(), &out), 0)
      << out;
  EXPECT_NE(Read(dir_ / "a" / "envelopes.jsonl"),
            Read(dir_ / "c" / "envelopes.jsonl"));
}

TEST_F(UdiGenTest, FilesAreConsistentAndEnvelopesVerify) {
  std::string out;
  ASSERT_EQ(RunGen("--seed 3 --units 300 --out " + dir_.string(), &out), 0)
      << out;
  const nlohmann::json participants =
      nlohmann::json::parse(Read(dir_ / "participants.json"));
  const nlohmann::json truth = nlohmann::json::parse(Read(dir_ / "truth.json"));
  std::map<std::string, ledger::VerifierKey> keys;
  for (const auto& p : participants) {
    ledger::Result<ledger::VerifierKey> k =
        ledger::VerifierKey::Parse(p["verifierKey"].get<std::string>());
    ASSERT_TRUE(k.ok()) << k.status().ToString();
    keys.emplace(k->KeyId(), *k);
    for (const char* member :
         {"gln", "name", "role", "privateKey", "sites", "pgln"}) {
      EXPECT_TRUE(p.contains(member)) << member;
    }
  }
  std::ifstream in(dir_ / "envelopes.jsonl");
  std::string line;
  uint64_t lines = 0;
  while (std::getline(in, line)) {
    SCOPED_TRACE("line " + std::to_string(++lines));
    ledger::Result<nlohmann::json> j = ledger::ParseJsonStrict(line);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    ledger::Result<ledger::Envelope> env = ledger::Envelope::FromJson(*j);
    ASSERT_TRUE(env.ok()) << env.status().ToString();
    ASSERT_TRUE(keys.count(env->signer)) << env->signer;
    EXPECT_TRUE(ledger::VerifyEnvelope(*env, keys.at(env->signer)).ok());
  }
  EXPECT_EQ(lines, truth["eventCount"].get<uint64_t>());
  EXPECT_EQ(truth["units"].size(), 300u);
  EXPECT_NE(out.find("udi-gen: " + std::to_string(lines) + " events"),
            std::string::npos)
      << out;
}

TEST_F(UdiGenTest, UsageErrorsExitWithTwoAndSayWhy) {
  struct Case {
    std::string args;
    std::string message;
  };
  const Case cases[] = {
      {"--units 10 --out X", "--seed is required"},
      {"--seed 1 --out X", "--units is required"},
      {"--seed 1 --units 10", "--out is required"},
      {"--seed x1 --units 10 --out X", "--seed: invalid value \"x1\""},
      {"--seed 1 --units 10 --anomaly-rate 2 --out X",
       "anomaly_rate: must be between 0 and 1"},
      {"--seed 1 --units 10 --bogus 1 --out X", "unknown flag --bogus"},
      {"--seed 1 --units", "--units: missing value"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    std::string out;
    const std::string out_dir = (dir_ / "X").string();
    std::string args = c.args;
    if (size_t at = args.find("--out X"); at != std::string::npos) {
      args.replace(at, 7, "--out " + out_dir);
    }
    EXPECT_EQ(RunGen(args, &out), 2);
    EXPECT_FALSE(fs::exists(out_dir)) << "nothing is written on a usage error";
    EXPECT_NE(out.find(c.message), std::string::npos) << out;
  }
}

TEST_F(UdiGenTest, UnwritableOutputFailsNamingThePath) {
  std::ofstream(dir_ / "file") << "x";
  std::string out;
  EXPECT_EQ(
      RunGen("--seed 1 --units 10 --out " + (dir_ / "file" / "sub").string(),
             &out),
      1);
  EXPECT_NE(out.find((dir_ / "file" / "sub").string()), std::string::npos)
      << out;
}

}  // namespace
