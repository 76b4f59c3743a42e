// What a backup holds (issue 7; spec/backup-format.md §4): the node's
// non-secret state files come back with the log, so a node restored from an
// online backup (plus its keys, copied back) starts, keeps its tokens, capture
// jobs and replica pins, and continues the same log; secrets are only in an
// offline backup made with --include-secrets, and restore writes them 0600.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <zstd.h>

#include <algorithm>
#include <filesystem>

#include "ledger/bytes.h"
#include "tests/ops/ops_test_util.h"

namespace udi_ops_test {
namespace {

using udi_http::HttpClient;
using udi_test::NodeProcess;
using udi_test::RunProgram;
using udi_test::TempDir;

const char* const kStateFiles[] = {"capture-jobs.jsonl", "replicas/pins.json",
                                   "tokens.json", "witness/alarms.json",
                                   "witness/cosigned.json"};
const char* const kSecretFiles[] = {"admin.token", "node.key", "witness.key"};

unsigned Mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

// The files of `list` that exist under `dir`, in list order.
template <size_t N>
std::vector<std::string> Existing(const std::string& dir,
                                  const char* const (&list)[N]) {
  std::vector<std::string> out;
  for (const char* name : list) {
    if (std::filesystem::exists(dir + "/" + name)) out.push_back(name);
  }
  return out;
}

std::string FirstLine(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// A config pinning one foreign origin's checkpoint key (so that
// replicas/pins.json holds something a restore must keep).
std::string WritePinConfig(const std::string& dir) {
  auto other = ledger::SigningKey::Generate("other.example/log");
  std::string path = dir + "/node.json";
  WriteAll(path, json{{"name", "acme.example/log"},
                      {"origins",
                       {{"other.example/log", other->verifier().ToText()}}}}
                     .dump());
  return path;
}

TEST(OpsBackupStateTest,
     RestoredNodeKeepsItsTokensJobsAndPinsAndGoesOnAppending) {
  TempDir tmp;
  std::string data = tmp.path() + "/data";
  std::string config = WritePinConfig(tmp.path());
  auto node = NodeProcess::Start(data, {"--config", config});
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  const std::string old_admin = (*node)->AdminToken();
  HttpClient admin("127.0.0.1", (*node)->port());
  admin.SetBearerToken(old_admin);
  ledger::SigningKey key = *ledger::SigningKey::Generate("acme");
  ASSERT_EQ(Register(admin, key), 201);
  auto made = admin.Post("/v1/tokens",
                         {{"role", "writer"}, {"participant", key.KeyId()}});
  ASSERT_TRUE(made.ok());
  ASSERT_EQ(made->status, 201) << made->body;
  const std::string writer_token = made->Json().value("token", "");
  HttpClient writer("127.0.0.1", (*node)->port());
  writer.SetBearerToken(writer_token);
  ASSERT_EQ(SubmitEvents(writer, key, "before", 20), 20u);
  // A capture job (its document has an unsigned event: the job records the
  // error; what matters is that the job is known after the restore).
  json doc = {{"type", "EPCISDocument"},
              {"schemaVersion", "2.0"},
              {"creationDate", "2026-11-26T10:00:00Z"},
              {"epcisBody", {{"eventList", {MakeEvent("unsigned")}}}}};
  auto job = writer.Post("/capture", doc);
  ASSERT_TRUE(job.ok());
  ASSERT_EQ(job->status, 202) << job->body;
  const std::string job_path = job->Header("location");
  auto checkpoint = admin.Get("/v1/checkpoint");
  ASSERT_TRUE(checkpoint.ok());

  std::string out = tmp.path() + "/state.udibak";
  std::string url = "http://127.0.0.1:" + std::to_string((*node)->port());
  auto backup = RunProgram(
      {Ledgerctl(), "backup", "--node", url, "--token", old_admin, out});
  ASSERT_TRUE(backup.ok());
  ASSERT_EQ(backup->exit_code, 0) << backup->stderr_text;
  EXPECT_EQ(Mode(out), 0600u);
  json info = json::parse(backup->stdout_text, nullptr, false);
  // Every state file the node has, and no secret.
  std::vector<std::string> state = Existing(data, kStateFiles);
  for (const char* must :
       {"tokens.json", "replicas/pins.json", "capture-jobs.jsonl"}) {
    EXPECT_NE(std::find(state.begin(), state.end(), must), state.end()) << must;
  }
  EXPECT_EQ(info.value("files", json::array()), json(state))
      << backup->stdout_text;
  uint64_t size = info.value("size", uint64_t{0});
  EXPECT_EQ(size, 21u);
  auto stopped = (*node)->Stop(SIGTERM);
  ASSERT_TRUE(stopped.ok());

  std::string restored = tmp.path() + "/restored";
  auto restore = RunProgram({Ledgerctl(), "restore", out, "--data", restored});
  ASSERT_TRUE(restore.ok());
  ASSERT_EQ(restore->exit_code, 0) << restore->stderr_text;
  for (const std::string& name : state) {
    SCOPED_TRACE(name);
    EXPECT_EQ(ReadAll(restored + "/" + name), ReadAll(data + "/" + name));
    EXPECT_EQ(Mode(restored + "/" + name), 0600u);
  }
  EXPECT_TRUE(Existing(restored, kSecretFiles).empty());

  // The keys are copied back by hand (deploy/README.md); the node starts,
  // answers /healthz, accepts the old tokens and appends to the same log.
  for (const char* secret : {"node.key", "witness.key"}) {
    std::filesystem::copy_file(data + "/" + secret, restored + "/" + secret);
  }
  auto second = NodeProcess::Start(restored, {"--config", config});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  HttpClient anyone("127.0.0.1", (*second)->port());
  auto health = anyone.Get("/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->Json().value("size", uint64_t{0}), size);
  HttpClient writer2("127.0.0.1", (*second)->port());
  writer2.SetBearerToken(writer_token);
  EXPECT_EQ(SubmitEvents(writer2, key, "after", 5), 5u);
  auto job_again = writer2.Get(job_path);
  ASSERT_TRUE(job_again.ok());
  EXPECT_EQ(job_again->status, 200) << job_again->body;
  HttpClient admin2("127.0.0.1", (*second)->port());
  admin2.SetBearerToken(old_admin);
  auto tokens = admin2.Get("/v1/tokens");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(tokens->status, 200) << "the old admin token: " << tokens->body;
  auto after = anyone.Get("/v1/checkpoint");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(FirstLine(after->body), FirstLine(checkpoint->body));
  EXPECT_EQ(anyone.Get("/healthz")->Json().value("size", uint64_t{0}),
            size + 5);
  auto stopped2 = (*second)->Stop(SIGTERM);
  ASSERT_TRUE(stopped2.ok());
  EXPECT_EQ(stopped2->exit_code, 0);
  auto verify = RunProgram({Ledgerctl(), "verify", "--data", restored});
  ASSERT_TRUE(verify.ok());
  EXPECT_EQ(verify->exit_code, 0) << verify->stdout_text << verify->stderr_text;
}

TEST(OpsBackupStateTest, SecretsOnlyOfflineAndOnRequestAndRestoredPrivate) {
  TempDir tmp;
  std::string data = tmp.path() + "/data";
  auto node = NodeProcess::Start(data);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  std::string url = "http://127.0.0.1:" + std::to_string((*node)->port());
  auto online = RunProgram({Ledgerctl(), "backup", "--node", url, "--token",
                            (*node)->AdminToken(), "--include-secrets",
                            tmp.path() + "/x.udibak"});
  ASSERT_TRUE(online.ok());
  EXPECT_EQ(online->exit_code, 2);
  EXPECT_NE(online->stderr_text.find("--include-secrets: only with --data"),
            std::string::npos)
      << online->stderr_text;
  HttpClient client("127.0.0.1", (*node)->port());
  auto checkpoint = client.Get("/v1/checkpoint");
  ASSERT_TRUE(checkpoint.ok());
  ASSERT_TRUE((*node)->Stop(SIGTERM).ok());
  std::vector<std::string> secrets = Existing(data, kSecretFiles);
  ASSERT_EQ(secrets.size(), 3u);

  struct Case {
    std::string name;
    bool include_secrets;
  };
  for (const Case& c : {Case{"without", false}, Case{"with", true}}) {
    SCOPED_TRACE(c.name);
    std::string out = tmp.path() + "/" + c.name + ".udibak";
    std::vector<std::string> argv = {Ledgerctl(), "backup", "--data", data};
    if (c.include_secrets) argv.push_back("--include-secrets");
    argv.push_back(out);
    auto backup = RunProgram(argv);
    ASSERT_TRUE(backup.ok());
    ASSERT_EQ(backup->exit_code, 0) << backup->stderr_text;
    EXPECT_EQ(Mode(out), 0600u);
    std::string restored = tmp.path() + "/" + c.name;
    auto restore =
        RunProgram({Ledgerctl(), "restore", out, "--data", restored});
    ASSERT_TRUE(restore.ok());
    ASSERT_EQ(restore->exit_code, 0) << restore->stderr_text;
    json files = json::parse(restore->stdout_text).value("files", json());
    for (const std::string& secret : secrets) {
      SCOPED_TRACE(secret);
      bool listed =
          std::find(files.begin(), files.end(), secret) != files.end();
      EXPECT_EQ(listed, c.include_secrets) << files.dump();
      EXPECT_EQ(std::filesystem::exists(restored + "/" + secret),
                c.include_secrets);
      if (!c.include_secrets) continue;
      EXPECT_EQ(ReadAll(restored + "/" + secret), ReadAll(data + "/" + secret));
      EXPECT_EQ(Mode(restored + "/" + secret), 0600u);
    }
    if (!c.include_secrets) continue;
    // Nothing to copy back: the node signs the same log at once.
    auto second = NodeProcess::Start(restored);
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    HttpClient again("127.0.0.1", (*second)->port());
    auto served = again.Get("/v1/checkpoint");
    ASSERT_TRUE(served.ok());
    EXPECT_EQ(served->body, checkpoint->body);
    EXPECT_EQ(ReadAll(restored + "/admin.token"),
              ReadAll(data + "/admin.token"));
  }
}

std::string Be32(size_t v) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  return out;
}

std::string Zstd(const std::string& plain, bool compress) {
  if (compress) {
    std::string out(ZSTD_compressBound(plain.size()), '\0');
    out.resize(
        ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), 3));
    return out;
  }
  std::string out(ZSTD_getFrameContentSize(plain.data(), plain.size()), '\0');
  out.resize(
      ZSTD_decompress(out.data(), out.size(), plain.data(), plain.size()));
  return out;
}

// A valid backup with one more file item before the trailer, its trailer
// (files, sha256) rewritten to match: only the name check can refuse it.
std::string WithExtraFile(const std::string& backup, const std::string& name) {
  std::string plain = Zstd(backup, false);
  size_t trailer = plain.rfind("Z" + Be32(0).substr(0, 2));
  EXPECT_NE(trailer, std::string::npos);
  json t = json::parse(plain.substr(trailer + 5));
  std::string body = plain.substr(0, trailer) + "F" + Be32(name.size()) + name +
                     Be32(4) + "evil";
  t["files"].push_back(name);
  t["sha256"] = ledger::ToHex(ledger::Sha256(body));
  std::string text = t.dump();
  return Zstd(body + "Z" + Be32(text.size()) + text, true);
}

// A damaged or hostile backup cannot make restore write a file it does not
// know (path traversal, arbitrary names); the good file restores.
TEST(OpsBackupStateTest, RestoreWritesOnlyTheFilesTheFormatNames) {
  TempDir tmp;
  std::string data = tmp.path() + "/data";
  auto node = NodeProcess::Start(data);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  ASSERT_TRUE((*node)->Stop(SIGTERM).ok());
  std::string good = tmp.path() + "/good.udibak";
  auto backup = RunProgram({Ledgerctl(), "backup", "--data", data, good});
  ASSERT_TRUE(backup.ok());
  ASSERT_EQ(backup->exit_code, 0) << backup->stderr_text;
  const std::string names[] = {"../escaped", "witness/../../escaped",
                               "zzz.json", "/tmp/escaped"};
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    std::string file = tmp.path() + "/hostile.udibak";
    WriteAll(file, WithExtraFile(ReadAll(good), name));
    std::string dir = tmp.path() + "/r" + std::to_string(&name - names);
    auto r = RunProgram({Ledgerctl(), "restore", file, "--data", dir});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 1);
    EXPECT_NE(r->stderr_text.find("not a node file a backup may carry"),
              std::string::npos)
        << r->stderr_text;
    EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/escaped"));
    EXPECT_FALSE(std::filesystem::exists(dir + "/zzz.json"));
    EXPECT_TRUE(std::filesystem::exists(dir + "/RESTORE-INCOMPLETE"));
  }
  auto ok = RunProgram(
      {Ledgerctl(), "restore", good, "--data", tmp.path() + "/fine"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->exit_code, 0) << ok->stderr_text;
}

}  // namespace
}  // namespace udi_ops_test
