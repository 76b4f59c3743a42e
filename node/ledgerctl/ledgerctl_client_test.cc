// The ledgerctl client commands, run as the real binary against a real
// ledger-node process on loopback.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/envelope.h"
#include "ledger/keys.h"
#include "node/client/http_client.h"
#include "tests/node_process.h"

namespace {

using json = nlohmann::json;
using udi_test::NodeProcess;
using udi_test::ProcessResult;
using udi_test::TempDir;

constexpr char kGln[] = "0614141000005";

json MakeEvent(const std::string& serial) {
  return {{"type", "ObjectEvent"},
          {"eventTime", "2026-11-26T10:00:00.000Z"},
          {"eventTimeZoneOffset", "+00:00"},
          {"action", "OBSERVE"},
          {"epcList", {"urn:epc:id:sgtin:0614141.107346." + serial}},
          {"bizStep", "shipping"},
          {"disposition", "in_transit"},
          {"readPoint", {{"id", "urn:epc:id:sgln:0614141.07346.1234"}}}};
}

json Sign(const json& event, const ledger::SigningKey& key) {
  auto env = ledger::SignEvent(event, key);
  EXPECT_TRUE(env.ok()) << env.status().ToString();
  return env->ToJson();
}

class LedgerctlClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto node = NodeProcess::Start(tmp_.path() + "/data");
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
    url_ = "http://127.0.0.1:" + std::to_string(node_->port());
    admin_ = node_->AdminToken();
    acme_ = *ledger::SigningKey::Generate("acme");
    udi_http::HttpClient http("127.0.0.1", node_->port());
    auto info = http.Get("/v1/node");
    ASSERT_TRUE(info.ok());
    node_key_ = info->Json()["verifierKey"].get<std::string>();
  }

  // Runs ledgerctl with `args` plus --node.
  ProcessResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), udi_test::BinDir() + "/ledgerctl");
    args.push_back("--node");
    args.push_back(url_);
    auto r = udi_test::RunProgram(args);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ProcessResult{};
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = tmp_.path() + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // Registers acme and returns a writer token bound to it.
  std::string RegisterAcme() {
    auto add = Ctl({"participant", "add", "--token", admin_, "--gln", kGln,
                    "--name", "acme", "--role", "manufacturer",
                    "--verifier-key", acme_.verifier().ToText()});
    EXPECT_EQ(add.exit_code, 0) << add.stderr_text;
    auto tok = Ctl({"token", "create", "--token", admin_, "--role", "writer",
                    "--participant", acme_.KeyId()});
    EXPECT_EQ(tok.exit_code, 0) << tok.stderr_text;
    return json::parse(tok.stdout_text, nullptr, false).value("token", "");
  }

  // Submits `n` fresh events as JSON lines with `writer`.
  void SubmitEvents(const std::string& writer, const std::string& prefix,
                    int n) {
    std::string lines;
    for (int i = 0; i < n; ++i) {
      lines += Sign(MakeEvent(prefix + std::to_string(i)), acme_).dump() + "\n";
    }
    auto r =
        Ctl({"submit", "--token", writer, WriteFile(prefix + ".jsonl", lines)});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  }

  TempDir tmp_;
  std::unique_ptr<NodeProcess> node_;
  std::string url_, admin_, node_key_;
  ledger::SigningKey acme_;
};

TEST_F(LedgerctlClientTest, ParticipantAddListRevoke) {
  std::string key_file =
      WriteFile("acme.pub", acme_.verifier().ToText() + "\n");
  auto add =
      Ctl({"participant", "add", "--token", admin_, "--gln", kGln, "--name",
           "acme", "--role", "manufacturer", "--verifier-key-file", key_file});
  ASSERT_EQ(add.exit_code, 0) << add.stderr_text;

  auto list = Ctl({"participant", "list", "--token", admin_});
  ASSERT_EQ(list.exit_code, 0) << list.stderr_text;
  EXPECT_NE(list.stdout_text.find(acme_.KeyId()), std::string::npos)
      << list.stdout_text;

  // Without a token the server refuses, and its message is printed.
  auto other = *ledger::SigningKey::Generate("other");
  auto anon =
      Ctl({"participant", "add", "--gln", kGln, "--name", "other", "--role",
           "manufacturer", "--verifier-key", other.verifier().ToText()});
  EXPECT_EQ(anon.exit_code, 1);
  EXPECT_NE(anon.stderr_text.find("HTTP 401"), std::string::npos)
      << anon.stderr_text;

  auto revoke =
      Ctl({"participant", "revoke", "--token", admin_, acme_.KeyId()});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.stderr_text;
  auto unknown =
      Ctl({"participant", "revoke", "--token", admin_, other.KeyId()});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.stderr_text.find("HTTP 4"), std::string::npos)
      << unknown.stderr_text;
}

TEST_F(LedgerctlClientTest, UsageErrorsExitTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {"participant", "add", "--token", "x", "--name", "n", "--role", "r",
       "--verifier-key", "k"},  // no --gln
      {"participant", "frobnicate"},
      {"token", "create"},  // no --role
      {"submit", "--bogus"},
      {"query", "notaparam"},
      {"proof", "inclusion"},    // no --index
      {"proof", "consistency"},  // no --old-checkpoint
      {"checkpoint", "--verifier-key", "not-a-key-nor-a-file"},
  };
  for (const auto& args : cases) {
    SCOPED_TRACE(args[0] + " " + args[1]);
    auto r = Ctl(args);
    EXPECT_EQ(r.exit_code, 2) << r.stderr_text;
    EXPECT_NE(r.stderr_text.find("Usage:"), std::string::npos);
  }
  auto bad_url = udi_test::RunProgram(
      {udi_test::BinDir() + "/ledgerctl", "checkpoint", "--node", "ftp://x"});
  ASSERT_TRUE(bad_url.ok());
  EXPECT_EQ(bad_url->exit_code, 2);
  EXPECT_NE(bad_url->stderr_text.find("--node"), std::string::npos);
  for (const char* cmd :
       {"submit", "query", "participant", "token", "checkpoint", "proof"}) {
    SCOPED_TRACE(cmd);
    auto help = udi_test::RunProgram(
        {udi_test::BinDir() + "/ledgerctl", cmd, "--help"});
    ASSERT_TRUE(help.ok());
    EXPECT_EQ(help->exit_code, 0);
    EXPECT_NE(help->stdout_text.find("Usage: ledgerctl"), std::string::npos);
  }
}

TEST_F(LedgerctlClientTest, TokenCreateAndRevoke) {
  auto created =
      Ctl({"token", "create", "--token", admin_, "--role", "reader"});
  ASSERT_EQ(created.exit_code, 0) << created.stderr_text;
  json j = json::parse(created.stdout_text, nullptr, false);
  ASSERT_TRUE(j.is_object()) << created.stdout_text;
  std::string token = j.value("token", ""), id = j.value("id", "");
  ASSERT_FALSE(token.empty());
  ASSERT_FALSE(id.empty());

  EXPECT_EQ(Ctl({"participant", "list", "--token", token}).exit_code, 0);
  auto revoked = Ctl({"token", "revoke", "--token", admin_, id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.stderr_text;
  auto refused = Ctl({"participant", "list", "--token", token});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.stderr_text.find("HTTP 401"), std::string::npos)
      << refused.stderr_text;

  auto bad_role = Ctl({"token", "create", "--token", admin_, "--role", "king"});
  EXPECT_EQ(bad_role.exit_code, 1);
  EXPECT_NE(bad_role.stderr_text.find("role"), std::string::npos)
      << bad_role.stderr_text;
}

TEST_F(LedgerctlClientTest, SubmitAcceptedRejectedAndQuery) {
  std::string writer = RegisterAcme();
  ASSERT_FALSE(writer.empty());
  // A JSON array of three envelopes.
  json array = json::array();
  for (int i = 0; i < 3; ++i)
    array.push_back(Sign(MakeEvent("a" + std::to_string(i)), acme_));
  auto ok =
      Ctl({"submit", "--token", writer, WriteFile("a.json", array.dump())});
  ASSERT_EQ(ok.exit_code, 0) << ok.stderr_text;
  std::istringstream lines(ok.stdout_text);
  std::string line;
  int accepted = 0;
  while (std::getline(lines, line)) {
    accepted += json::parse(line).value("status", "") == "accepted";
  }
  EXPECT_EQ(accepted, 3) << ok.stdout_text;

  // One good, one with a broken signature, as {"envelopes": [...]}: exit 1.
  json bad = Sign(MakeEvent("b1"), acme_);
  bad["event"]["bizStep"] = "receiving";  // no longer what was signed
  json doc = {{"envelopes", {Sign(MakeEvent("b0"), acme_), bad}}};
  auto mixed =
      Ctl({"submit", "--token", writer, WriteFile("b.json", doc.dump())});
  EXPECT_EQ(mixed.exit_code, 1);
  EXPECT_NE(mixed.stdout_text.find("\"accepted\""), std::string::npos);
  EXPECT_NE(mixed.stdout_text.find("\"rejected\""), std::string::npos)
      << mixed.stdout_text;
  EXPECT_NE(mixed.stderr_text.find("1 accepted, 0 duplicate, 1 rejected"),
            std::string::npos)
      << mixed.stderr_text;

  // Query, one event per page, following the pages.
  auto q = Ctl({"query", "--token", writer, "--all", "EQ_bizStep=shipping",
                "perPage=1"});
  ASSERT_EQ(q.exit_code, 0) << q.stderr_text;
  json result = json::parse(q.stdout_text, nullptr, false);
  ASSERT_FALSE(result.is_discarded()) << q.stdout_text;
  EXPECT_EQ(
      result["epcisBody"]["queryResults"]["resultsBody"]["eventList"].size(),
      4u);
  auto bad_param = Ctl({"query", "--token", writer, "NOPE_x=1"});
  EXPECT_EQ(bad_param.exit_code, 1);
  EXPECT_NE(bad_param.stderr_text.find("NOPE_x"), std::string::npos)
      << bad_param.stderr_text;
}

TEST_F(LedgerctlClientTest, CheckpointVerifiesWithTheNodeKeyOnly) {
  auto good = Ctl({"checkpoint", "--verifier-key", node_key_});
  ASSERT_EQ(good.exit_code, 0) << good.stderr_text;
  EXPECT_NE(good.stderr_text.find("verified"), std::string::npos);
  EXPECT_NE(good.stdout_text.find("\n\xE2\x80\x94 "), std::string::npos)
      << good.stdout_text;  // a signature line: em dash, space

  auto impostor = *ledger::SigningKey::Generate(
      ledger::VerifierKey::Parse(node_key_)->name());
  auto bad =
      Ctl({"checkpoint", "--verifier-key", impostor.verifier().ToText()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.stderr_text.find("NOT verified"), std::string::npos)
      << bad.stderr_text;
}

TEST_F(LedgerctlClientTest, ProofsVerifyAgainstSignedCheckpoints) {
  std::string writer = RegisterAcme();
  SubmitEvents(writer, "p", 3);
  auto saved = Ctl({"checkpoint", "--verifier-key", node_key_});
  ASSERT_EQ(saved.exit_code, 0) << saved.stderr_text;
  std::string old_note = WriteFile("old.note", saved.stdout_text);
  SubmitEvents(writer, "q", 4);

  for (const char* index : {"0", "2", "5"}) {
    SCOPED_TRACE(index);
    auto r = Ctl({"proof", "inclusion", "--token", writer, "--index", index,
                  "--verifier-key", node_key_});
    EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
    EXPECT_NE(r.stdout_text.find("inclusion verified"), std::string::npos);
  }
  // Against the older signed tree.
  auto old_incl = Ctl({"proof", "inclusion", "--token", writer, "--index", "1",
                       "--checkpoint", old_note, "--verifier-key", node_key_});
  EXPECT_EQ(old_incl.exit_code, 0) << old_incl.stderr_text;
  // A leaf that is not in the log fails.
  auto wrong_leaf =
      Ctl({"proof", "inclusion", "--index", "1", "--leaf-file",
           WriteFile("leaf", "not the leaf"), "--verifier-key", node_key_});
  EXPECT_EQ(wrong_leaf.exit_code, 1);
  EXPECT_NE(wrong_leaf.stderr_text.find("NOT verified"), std::string::npos)
      << wrong_leaf.stderr_text;

  auto cons = Ctl({"proof", "consistency", "--old-checkpoint", old_note,
                   "--verifier-key", node_key_});
  EXPECT_EQ(cons.exit_code, 0) << cons.stderr_text;
  EXPECT_NE(cons.stdout_text.find("consistency verified"), std::string::npos);
  // The key announced by the node is used when none is given.
  EXPECT_EQ(
      Ctl({"proof", "consistency", "--old-checkpoint", old_note}).exit_code, 0);

  // An old checkpoint signed by someone else is refused.
  auto impostor = *ledger::SigningKey::Generate(
      ledger::VerifierKey::Parse(node_key_)->name());
  auto forged = Ctl({"proof", "consistency", "--old-checkpoint", old_note,
                     "--verifier-key", impostor.verifier().ToText()});
  EXPECT_EQ(forged.exit_code, 1);
  // A size that differs from the signed checkpoint's is refused.
  auto wrong_size = Ctl({"proof", "inclusion", "--index", "0", "--size", "2"});
  EXPECT_EQ(wrong_size.exit_code, 1);
  EXPECT_NE(wrong_size.stderr_text.find("--size"), std::string::npos);
}

}  // namespace
