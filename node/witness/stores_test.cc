// AlarmStore and CosignatureStore: persistence across reopen, de-duplication,
// corrupt files named.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "ledger/cosignature.h"
#include "node/witness/alarm_store.h"
#include "node/witness/cosignature_store.h"

namespace witness {
namespace {

class StoresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/udi-witness-stores-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_;
};

std::string Note(const std::string& root_char) {
  auto key = ledger::SigningKey::FromSeed("o.example", {});
  ledger::Checkpoint cp{"o.example", 5, {}, {}};
  cp.root.fill(static_cast<uint8_t>(root_char[0]));
  return ledger::SignCheckpoint(cp, key);
}

TEST_F(StoresTest, AlarmsSurviveReopenAndAreNotDuplicated) {
  std::string path = dir_ + "/alarms.json";
  {
    auto store = AlarmStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Alarm a{"o.example", "size 5: root differs",
            Note("a"),   {{"heldCheckpoint", Note("b")}},
            "gossip",    "2026-11-26T10:00:00.000Z"};
    EXPECT_TRUE(*(*store)->Add(a));
    EXPECT_FALSE(*(*store)->Add(a));  // same conflicting checkpoint
    a.source = "http://127.0.0.1:1";  // same text, other source: same alarm
    EXPECT_FALSE(*(*store)->Add(a));
    EXPECT_FALSE((*store)->HasAlarm("p.example"));
  }
  auto reopened = AlarmStore::Open(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  ASSERT_EQ((*reopened)->All().size(), 1u);
  EXPECT_TRUE((*reopened)->HasAlarm("o.example"));
  Alarm back = (*reopened)->All()[0];
  EXPECT_EQ(back.reason, "size 5: root differs");
  EXPECT_EQ(back.evidence["heldCheckpoint"], Note("b"));
  EXPECT_TRUE((*reopened)->Find("o.example", NoteText(Note("a"))));
  EXPECT_EQ(
      std::filesystem::status(path).permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(StoresTest, CorruptFilesAreNamed) {
  struct Case {
    std::string file;
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"alarms.json", "{\"format\": 2}", "not a format-1 alarm file"},
      {"alarms.json", "{\"format\": 1, \"alarms\": [{\"origin\": 1}]}",
       "alarms[0]: alarm.origin: missing or not a string"},
      {"cosigned.json", "[]", "not a format-1 cosignature file"},
      {"cosigned.json",
       "{\"format\": 1, \"origins\": {\"o\": {\"text\": \"x\\n\", "
       "\"signatures\": [\"junk\"]}}}",
       "origins[\"o\"].signatures"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    std::string path = dir_ + "/" + c.file;
    std::ofstream(path) << c.text;
    ledger::Status st = c.file == "alarms.json"
                            ? AlarmStore::Open(path).status()
                            : CosignatureStore::Open(path).status();
    EXPECT_TRUE(st.IsCorruption());
    EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(c.error), std::string::npos) << st.message();
  }
}

TEST_F(StoresTest, CosignaturesFollowTheCurrentCheckpoint) {
  std::string path = dir_ + "/cosigned.json";
  auto w1 = *ledger::SigningKey::Generate("w1");
  auto w2 = *ledger::SigningKey::Generate("w2");
  const std::string t5 = "o\n5\nAAAA\n", t6 = "o\n6\nBBBB\n";
  {
    auto opened = CosignatureStore::Open(path);
    ASSERT_TRUE(opened.ok());
    const auto& store = *opened;
    store->Witnessed("o", t5, ledger::Cosign(t5, w1, 100));
    EXPECT_TRUE(store->Collect("o", t5, ledger::Cosign(t5, w2, 101)));
    EXPECT_FALSE(store->Collect("o", t6, ledger::Cosign(t6, w2, 102)));
    EXPECT_EQ(store->For("o", t5).size(), 2u);
    EXPECT_TRUE(store->For("o", t6).empty());
    ASSERT_TRUE(store->Flush().ok());
  }
  auto reopened = CosignatureStore::Open(path);
  ASSERT_TRUE(reopened.ok());
  const auto& store = *reopened;
  auto sigs = store->For("o", t5);
  ASSERT_EQ(sigs.size(), 2u);
  ledger::SignedNote note{t5, sigs};
  EXPECT_EQ(*ledger::VerifyCosignature(note, ledger::CosignerKey::Of(w2)),
            101u);
  store->Witnessed("o", t6, ledger::Cosign(t6, w1, 103));  // newer: old dropped
  EXPECT_EQ(store->For("o", t6).size(), 1u);
  EXPECT_TRUE(store->For("o", t5).empty());
}

}  // namespace
}  // namespace witness
