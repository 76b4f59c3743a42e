// Runs the real ledgerctl binary: keygen and sign.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/envelope.h"
#include "ledger/jcs.h"
#include "ledger/keys.h"

namespace {

struct CtlRun {
  int exit_code = -1;
  std::string out, err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

const std::string kCryptoTestdata =
    std::string(UDI_SOURCE_DIR) + "/ledger/crypto/testdata";

class LedgerctlKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/udi-ledgerctl-keys-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    WriteFile(dir_ + "/event.json",
              Slurp(kCryptoTestdata + "/envelope_event.json"));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs ledgerctl with `args` in dir_, feeding `stdin_data` on stdin; captures
  // stdout/stderr.
  CtlRun Ledgerctl(const std::vector<std::string>& args,
                   const std::string& stdin_data = "") {
    const std::string in = dir_ + "/.stdin", out = dir_ + "/.stdout",
                      err = dir_ + "/.stderr";
    WriteFile(in, stdin_data);
    std::string bin = std::string(UDI_BIN_DIR) + "/ledgerctl";
    std::vector<char*> argv{bin.data()};
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      if (chdir(dir_.c_str()) != 0) _exit(127);
      int fd_in = open(in.c_str(), O_RDONLY);
      int fd_out = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int fd_err = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd_in < 0 || fd_out < 0 || fd_err < 0) _exit(127);
      dup2(fd_in, 0);
      dup2(fd_out, 1);
      dup2(fd_err, 2);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    CtlRun r;
    int status = 0;
    if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
      r.exit_code = WEXITSTATUS(status);
    }
    r.out = Slurp(out);
    r.err = Slurp(err);
    return r;
  }

  // keygen NAME in dir_; returns the printed verifier key (without newline).
  std::string Keygen(const std::string& name) {
    CtlRun r = Ledgerctl({"keygen", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(r.out.empty());
    if (!r.out.empty()) r.out.pop_back();
    return r.out;
  }

  std::string dir_;
};

TEST_F(LedgerctlKeysTest, KeygenWritesPrivateKey0600AndPrintsVerifier) {
  CtlRun r = Ledgerctl({"keygen", "acme.example"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string path = dir_ + "/acme.example.key";
  struct stat sb;
  ASSERT_EQ(stat(path.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
  ASSERT_EQ(r.out.back(), '\n');
  auto verifier = ledger::VerifierKey::Parse(r.out.substr(0, r.out.size() - 1));
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString() << " in " << r.out;
  EXPECT_EQ(verifier->name(), "acme.example");
  auto key = ledger::ReadPrivateKeyFile(path);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->verifier().ToText(), verifier->ToText());
  EXPECT_EQ(r.out.find("PRIVATE"),
            std::string::npos);  // the secret never goes to stdout
}

TEST_F(LedgerctlKeysTest, KeygenRefusesToOverwrite) {
  std::string first = Keygen("acme");
  std::string before = Slurp(dir_ + "/acme.key");
  CtlRun r = Ledgerctl({"keygen", "acme"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("acme.key: already exists"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(Slurp(dir_ + "/acme.key"), before);
  EXPECT_FALSE(first.empty());
}

TEST_F(LedgerctlKeysTest, KeygenOutAndSlashInName) {
  CtlRun r =
      Ledgerctl({"keygen", "acme.example/ledger", "--out", "custom.key"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/custom.key"));
  r = Ledgerctl({"keygen", "--out=other.key", "acme.example/ledger"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/other.key"));
  r = Ledgerctl(
      {"keygen",
       "acme.example/ledger"});  // default name stays in this directory
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/acme.example_ledger.key"));
}

TEST_F(LedgerctlKeysTest, KeygenHelpAndUsageErrors) {
  CtlRun help = Ledgerctl({"keygen", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Usage: ledgerctl keygen NAME [--out FILE]"),
            std::string::npos);
  struct Case {
    std::vector<std::string> args;
    const char* want;
  } cases[] = {
      {{"keygen"}, "missing NAME"},
      {{"keygen", "a", "b"}, "unexpected argument 'b'"},
      {{"keygen", "a+b"}, "invalid key name 'a+b'"},
      {{"keygen", "a b"}, "invalid key name"},
      {{"keygen", "acme", "--out"}, "--out needs a FILE"},
      {{"keygen", "acme", "--bogus"}, "unknown option '--bogus'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.want);
    CtlRun r = Ledgerctl(c.args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(c.want), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/a.key"));
}

TEST_F(LedgerctlKeysTest, SignOutputVerifiesAndTamperingFails) {
  auto verifier = ledger::VerifierKey::Parse(Keygen("acme"));
  ASSERT_TRUE(verifier.ok());
  CtlRun r = Ledgerctl({"sign", "--key", "acme.key", "event.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = ledger::ParseJsonStrict(r.out);
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  // The output is itself canonical JSON (plus a newline).
  EXPECT_EQ(*ledger::CanonicalizeJson(*json) + "\n", r.out);
  auto env = ledger::Envelope::FromJson(*json);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->signer, verifier->KeyId());
  EXPECT_TRUE(ledger::VerifyEnvelope(*env, *verifier).ok());

  ledger::Envelope tampered = *env;
  tampered.event["epcList"][0] = "urn:epc:id:sgtin:0614141.812345.6790";
  EXPECT_TRUE(ledger::VerifyEnvelope(tampered, *verifier).IsCorruption());
  auto stranger = ledger::VerifierKey::Parse(Keygen("mallory"));
  ASSERT_TRUE(stranger.ok());
  EXPECT_TRUE(ledger::VerifyEnvelope(*env, *stranger).IsCorruption());
}

TEST_F(LedgerctlKeysTest, SignReadsStdin) {
  Keygen("acme");
  std::string event = Slurp(dir_ + "/event.json");
  CtlRun from_file = Ledgerctl({"sign", "--key", "acme.key", "event.json"});
  CtlRun dash = Ledgerctl({"sign", "--key", "acme.key", "-"}, event);
  CtlRun omitted = Ledgerctl({"sign", "--key=acme.key"}, event);
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  ASSERT_EQ(dash.exit_code, 0) << dash.err;
  ASSERT_EQ(omitted.exit_code, 0) << omitted.err;
  EXPECT_EQ(dash.out, from_file.out);  // Ed25519 is deterministic
  EXPECT_EQ(omitted.out, from_file.out);
}

TEST_F(LedgerctlKeysTest, SignMatchesKnownAnswerEnvelope) {
  CtlRun r = Ledgerctl(
      {"sign", "--key", kCryptoTestdata + "/go_note_peter.key", "event.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, Slurp(kCryptoTestdata + "/envelope_expected.json"));
}

TEST_F(LedgerctlKeysTest, SignRejectsBadEventsAndKeys) {
  Keygen("acme");
  WriteFile(dir_ + "/dup.json",
            R"({"type":"ObjectEvent","action":"ADD","action":"DELETE"})");
  WriteFile(dir_ + "/array.json", "[1]");
  WriteFile(dir_ + "/garbage.json", "{} x");
  WriteFile(dir_ + "/not-a-key", "hello\n");
  struct Case {
    std::vector<std::string> args;
    const char* want;
  } cases[] = {
      {{"sign", "--key", "acme.key", "dup.json"},
       "dup.json: /action: duplicate member name"},
      {{"sign", "--key", "acme.key", "array.json"},
       "array.json: event: must be a JSON object"},
      {{"sign", "--key", "acme.key", "garbage.json"}, "garbage.json: byte 3: "},
      {{"sign", "--key", "acme.key", "missing.json"},
       "missing.json: cannot open"},
      {{"sign", "--key", "nope.key", "event.json"}, "nope.key: cannot open"},
      {{"sign", "--key", "not-a-key", "event.json"},
       "not-a-key: private key: must start"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.want);
    CtlRun r = Ledgerctl(c.args);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(c.want), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST_F(LedgerctlKeysTest, SignHelpAndUsageErrors) {
  CtlRun help = Ledgerctl({"sign", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Usage: ledgerctl sign --key FILE [EVENT.json|-]"),
            std::string::npos);
  struct Case {
    std::vector<std::string> args;
    const char* want;
  } cases[] = {
      {{"sign", "event.json"}, "missing --key FILE"},
      {{"sign", "--key"}, "--key needs a FILE"},
      {{"sign", "--key", "a", "--key", "b"}, "--key given twice"},
      {{"sign", "--key", "a", "x.json", "y.json"},
       "unexpected argument 'y.json'"},
      {{"sign", "--frobnicate"}, "unknown option '--frobnicate'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.want);
    CtlRun r = Ledgerctl(c.args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(c.want), std::string::npos) << r.err;
  }
}

}  // namespace
