// VerifyDataDir must notice a change of any single stored byte, and any deleted
// key.
#include <gtest/gtest.h>
#include <leveldb/db.h>

#include <filesystem>
#include <map>

#include "ledger/log.h"
#include "ledger/log/log_keys.h"
#include "ledger/log/log_test_db.h"
#include "ledger/log/log_testing.h"

namespace ledger {
namespace {

using logtesting::MakeParticipant;
using logtesting::SignAndPrepare;
using logtesting::TestKey;

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = logtesting::MakeTempDir("verify");
    LogOptions o;
    o.data_dir = dir_;
    o.origin = "udi-ledger.example/verify";
    o.key = TestKey(o.origin, 1);
    auto log = Log::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    const SigningKey acme = TestKey("acme", 2), bob = TestKey("bob", 3);
    ASSERT_TRUE((*log)->AppendParticipant(MakeParticipant(acme), 1000).ok());
    ASSERT_TRUE(
        (*log)
            ->AppendParticipant(
                MakeParticipant(bob, "4012345000009", "distributor"), 2000)
            .ok());
    auto events =
        logtesting::ReadJsonFile(std::string(UDI_TESTDATA) + "/events.json");
    std::vector<PreparedEvent> batch;
    for (const auto& e : events) batch.push_back(SignAndPrepare(e, acme));
    ASSERT_TRUE((*log)->AppendEvents(std::move(batch), 3000).ok());
    Participant revoke = MakeParticipant(bob, "4012345000009", "distributor");
    revoke.revoked = true;
    ASSERT_TRUE((*log)->AppendParticipant(revoke, 4000).ok());
    ASSERT_TRUE(
        (*log)
            ->AppendEvents(
                {SignAndPrepare(logtesting::SyntheticEvent(1, "v"), acme)},
                5000)
            .ok());
    log->reset();
    ASSERT_TRUE(VerifyDataDir(dir_).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::map<std::string, std::string> ReadAll() {
    return logtesting::ReadRaw(dir_, "");
  }

  std::string dir_;
};

TEST_F(CorruptionTest, EveryFlippedByteAndEveryDeletedKeyIsDetected) {
  const auto all = ReadAll();
  ASSERT_GT(all.size(), 60u);
  int checks = 0;
  for (const auto& [key, value] : all) {
    const std::string name = logkeys::Describe(key);
    std::vector<std::string> variants;
    if (value.empty()) {
      variants.push_back("x");  // index keys: any value is a change
    } else {
      for (size_t pos : {size_t{0}, value.size() / 2, value.size() - 1}) {
        for (unsigned char mask : {0x01, 0x20, 0x80}) {
          std::string v = value;
          v[pos] = static_cast<char>(v[pos] ^ mask);
          variants.push_back(v);
        }
      }
    }
    for (const auto& v : variants) {
      SCOPED_TRACE(name + " changed to " + logkeys::Describe(v));
      logtesting::PutRaw(dir_, key, v);
      auto r = VerifyDataDir(dir_);
      EXPECT_FALSE(r.ok());
      ++checks;
    }
    {
      SCOPED_TRACE(name + " deleted");
      logtesting::DeleteRaw(dir_, key);
      EXPECT_FALSE(VerifyDataDir(dir_).ok());
      ++checks;
    }
    logtesting::PutRaw(dir_, key, value);
  }
  EXPECT_TRUE(VerifyDataDir(dir_).ok());
  EXPECT_GT(checks, 300);
}

TEST_F(CorruptionTest, AnExtraKeyIsDetected) {
  const std::string extra[] = {
      logkeys::IndexKey(IndexKind::kBizStep, "destroying", 3),
      logkeys::IndexKey(IndexKind::kBizStep, "shipping", 99),
      logkeys::TimeKey(0, 4),
      logkeys::EntryKey(100),
      logkeys::NodeKey(0, 100),
      logkeys::NodeKey(3, 1),  // covers leaves 8..15: the log has 9 entries
      // Inside the family: a node key at no subtree's last leaf, and keys
      // that sort between an entry and its nodes.
      "s" + logkeys::Be64(2) + "N\x01",
      logkeys::EntryKey(2) + "x",
      "s" + logkeys::Be64(3),
      *logkeys::EventIdKey("ni:///sha-256;" + std::string(64, '0')),
      "I" + std::string("ni:///sha-256;") + std::string(64, '0'),  // format 3
      logkeys::RegistryKey("mallory+01234567"),
      "m:extra",
      "zzz",
  };
  for (const auto& k : extra) {
    SCOPED_TRACE(logkeys::Describe(k));
    logtesting::PutRaw(
        dir_, k,
        logkeys::ParseNodeKey(k) ? std::string(32, 'a') : std::string());
    auto r = VerifyDataDir(dir_);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(logkeys::Describe(k)),
              std::string::npos)
        << r.status().ToString();
    logtesting::DeleteRaw(dir_, k);
  }
  EXPECT_TRUE(VerifyDataDir(dir_).ok());
}

TEST_F(CorruptionTest, MessagesNameTheEntry) {
  auto all = ReadAll();
  const std::string key = logkeys::EntryKey(3);
  std::string v = all.at(key);
  const size_t at = v.find("\"receivedAt\":\"") + 14;
  v[at] = '2';  // year 1970 → 2970: still valid JSON, different bytes
  logtesting::PutRaw(dir_, key, v);
  auto r = VerifyDataDir(dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  EXPECT_NE(r.status().message().find("entry 3: leaf hash mismatch"),
            std::string::npos)
      << r.status().ToString();
  logtesting::PutRaw(dir_, key, all.at(key));

  // Rewrite entry 4 with a wrong prevHash but a matching stored leaf: the chain
  // check fires.
  std::string e4 = all.at(logkeys::EntryKey(4));
  const size_t p = e4.find("\"prevHash\":\"") + 12;
  e4[p] = e4[p] == '0' ? '1' : '0';
  logtesting::PutRaw(dir_, logkeys::EntryKey(4), e4);
  r = VerifyDataDir(dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("entry 4: prev hash mismatch (got "),
            std::string::npos)
      << r.status().ToString();
}

}  // namespace
}  // namespace ledger
