// Raw LevelDB access to a (closed) log data dir for the log's gtest tests that
// inspect or corrupt stored keys behind the Log's back. Test-only: it uses
// gtest assertions (log_testing.h, used by the benches too, does not).
#ifndef UDI_LEDGER_LOG_LOG_TEST_DB_H_
#define UDI_LEDGER_LOG_LOG_TEST_DB_H_

#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "ledger/log/log_keys.h"

namespace ledger::logtesting {

// Opens the LevelDB of `dir` (which no Log may hold open), runs f(db), closes.
template <typename F>
void WithRawDb(const std::string& dir, F f) {
  leveldb::DB* raw = nullptr;
  const leveldb::Status s = leveldb::DB::Open(leveldb::Options(), dir, &raw);
  ASSERT_TRUE(s.ok()) << dir << ": " << s.ToString();
  std::unique_ptr<leveldb::DB> db(raw);
  f(db.get());
}

inline void PutRaw(const std::string& dir, const std::string& key,
                   const std::string& value) {
  WithRawDb(dir, [&](leveldb::DB* db) {
    ASSERT_TRUE(db->Put(leveldb::WriteOptions(), key, value).ok()) << key;
  });
}

inline void DeleteRaw(const std::string& dir, const std::string& key) {
  WithRawDb(dir, [&](leveldb::DB* db) {
    ASSERT_TRUE(db->Delete(leveldb::WriteOptions(), key).ok()) << key;
  });
}

// Every key starting with `prefix` (all keys for "") and its value.
inline std::map<std::string, std::string> ReadRaw(const std::string& dir,
                                                  std::string_view prefix) {
  std::map<std::string, std::string> out;
  WithRawDb(dir, [&](leveldb::DB* db) {
    std::unique_ptr<leveldb::Iterator> it(
        db->NewIterator(leveldb::ReadOptions()));
    for (it->Seek(leveldb::Slice(prefix.data(), prefix.size()));
         it->Valid() &&
         it->key().starts_with(leveldb::Slice(prefix.data(), prefix.size()));
         it->Next()) {
      out[it->key().ToString()] = it->value().ToString();
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  });
  return out;
}

// Turns a format-4 dir written by this build into the format-3 layout: entries
// `E be64(i)`, nodes `N level be64(k)`, event ids `I <id text>`, m:version 3.
// That this is what the format-3 code wrote is checked against
// testdata/v3-log.tar (log_migrate_test.cc, MigrateV3FixtureTest). Used by
// tests that need an older dir of their own.
inline void DowngradeToFormat3(const std::string& dir) {
  WithRawDb(dir, [&](leveldb::DB* db) {
    leveldb::WriteBatch batch;
    std::unique_ptr<leveldb::Iterator> it(
        db->NewIterator(leveldb::ReadOptions()));
    size_t moved = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string key = it->key().ToString();
      std::string old_key;
      if (auto i = logkeys::ParseEntryKey(key)) {
        old_key = logkeys::v3::EntryKey(*i);
      } else if (auto n = logkeys::ParseNodeKey(key)) {
        old_key = logkeys::v3::NodeKey(n->level, n->index);
      } else if (auto id = logkeys::EventIdOfKey(key)) {
        old_key = logkeys::v3::EventIdKey(*id);
      } else {
        continue;
      }
      batch.Delete(key);
      batch.Put(old_key, it->value());
      ++moved;
    }
    ASSERT_TRUE(it->status().ok());
    ASSERT_GT(moved, 0u);
    batch.Put(std::string(logkeys::kVersionKey), "3");
    ASSERT_TRUE(db->Write(leveldb::WriteOptions(), &batch).ok());
  });
}

}  // namespace ledger::logtesting

#endif  // UDI_LEDGER_LOG_LOG_TEST_DB_H_
