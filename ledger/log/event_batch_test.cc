// AppendEvents' batch building (event_batch.h, log.cc): a large batch, whose
// index puts another thread builds, stores exactly what the same events
// appended one at a time store (the X index lists of the one batch hold the
// indexes of the one-element lists of the others), and SortedPuts writes its
// puts in key order.
#include "ledger/log/event_batch.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "ledger/bytes.h"
#include "ledger/log/log_db.h"
#include "ledger/log/log_keys.h"
#include "ledger/log/log_testing.h"

namespace ledger {
namespace {

using logtesting::MakeParticipant;
using logtesting::SignAndPrepare;
using logtesting::TestKey;

constexpr int64_t kNow = 1795680000123;

// Every put of a WriteBatch, in batch order.
class PutList : public leveldb::WriteBatch::Handler {
 public:
  void Put(const leveldb::Slice& key, const leveldb::Slice& value) override {
    puts.emplace_back(key.ToString(), value.ToString());
  }
  void Delete(const leveldb::Slice& key) override {
    puts.emplace_back(key.ToString(), "<deleted>");
  }
  std::vector<std::pair<std::string, std::string>> puts;
};

TEST(SortedPutsTest, PutsInAscendingKeyOrderWithTheirValues) {
  struct Case {
    std::string name;
    std::vector<std::pair<std::string, std::string>> adds;
  } cases[] = {
      {"empty", {}},
      {"ascending", {{"a", "1"}, {"b", ""}, {"c", "3"}}},
      {"descending", {{"c", "3"}, {"b", "2"}, {"a", "1"}}},
      {"prefixes and bytes",
       {{std::string("X\0\x01", 3), "v1"},
        {"X", "v0"},
        {std::string("X\0", 2), "v2"},
        {"\xff", "v3"},
        {"Xa", ""}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    logimpl::SortedPuts puts;
    for (const auto& [k, v] : c.adds) puts.Add(k, v);
    EXPECT_EQ(puts.size(), c.adds.size());
    leveldb::WriteBatch batch;
    puts.PutInOrder(&batch);
    PutList got;
    ASSERT_TRUE(batch.Iterate(&got).ok());
    auto want = c.adds;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got.puts, want);
  }
}

// PutAsIndexLists groups keys by prefix however they were added: one list
// per prefix, its indexes ascending, the lists in key order; short keys as
// they are.
TEST(SortedPutsTest, PutAsIndexListsMakesOneAscendingListPerPrefix) {
  auto key = [](const std::string& prefix, uint64_t index) {
    std::string k = prefix;
    PutBigEndian64(&k, index);
    return k;
  };
  const std::string a = std::string("Xa", 2) + "lot-1" + '\0';
  const std::string b = std::string("Xb", 2) + "shipping" + '\0';
  const std::string c = std::string("Xb", 2) + "shipping-2" + '\0';
  struct Case {
    std::string name;
    std::vector<std::string> adds;
    // Want: (key, indexes of its list); a short key has no indexes.
    std::vector<std::pair<std::string, std::vector<uint64_t>>> want;
  } cases[] = {
      {"one prefix, ascending",
       {key(a, 1), key(a, 2), key(a, 300)},
       {{key(a, 300), {1, 2, 300}}}},
      {"prefixes interleaved, each ascending",
       {key(c, 5), key(b, 5), key(a, 5), key(b, 6), key(c, 7), key(a, 9)},
       {{key(a, 9), {5, 9}}, {key(b, 6), {5, 6}}, {key(c, 7), {5, 7}}}},
      {"indexes out of order in one prefix",
       {key(b, 9), key(a, 4), key(b, 2), key(b, 1000000), key(b, 3)},
       {{key(a, 4), {4}}, {key(b, 1000000), {2, 3, 9, 1000000}}}},
      {"short keys put as they are",
       {"Xz", key(a, 1), "A", key(a, 0)},
       {{"A", {}}, {key(a, 1), {0, 1}}, {"Xz", {}}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    logimpl::SortedPuts puts;
    for (const auto& k : c.adds) puts.Add(k, {});
    leveldb::WriteBatch batch;
    puts.PutAsIndexLists(&batch);
    PutList got;
    ASSERT_TRUE(batch.Iterate(&got).ok());
    std::vector<std::pair<std::string, std::string>> want;
    for (const auto& [k, list] : c.want) {
      std::string value;
      if (!list.empty()) {
        logkeys::AppendIndexListValue(&value, list.data(), list.size());
      }
      want.emplace_back(k, value);
    }
    EXPECT_EQ(got.puts, want);
  }
}

class AppendBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto& d : dirs_) d = logtesting::MakeTempDir("append-batch");
  }
  void TearDown() override {
    for (const auto& d : dirs_) std::filesystem::remove_all(d);
  }
  std::unique_ptr<Log> Open(const std::string& dir) {
    LogOptions o;
    o.data_dir = dir;
    o.origin = "udi-ledger.example/batch";
    o.key = TestKey("udi-ledger.example/batch", 1);
    auto log = Log::Open(o);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }
  // Every key and value of a closed log's LevelDB, except the X index lists,
  // which go to *lists as X key prefix -> the indexes of all its lists, in
  // key order (so: ascending if the lists are disjoint and ordered), and
  // *list_keys (their number).
  std::map<std::string, std::string> Contents(
      const std::string& dir,
      std::map<std::string, std::vector<uint64_t>>* lists, size_t* list_keys) {
    std::map<std::string, std::string> out;
    auto db = logdb::Open(dir, /*create=*/false, 1 << 20);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return out;
    std::unique_ptr<leveldb::Iterator> it(
        (*db)->db->NewIterator((*db)->ReadOptions(nullptr)));
    *list_keys = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string key = it->key().ToString();
      if (key[0] != logkeys::kIndexPrefix) {
        out[key] = it->value().ToString();
        continue;
      }
      ++*list_keys;
      std::vector<uint64_t> list;
      EXPECT_TRUE(
          logkeys::DecodeIndexList(GetBigEndian64(key.substr(key.size() - 8)),
                                   it->value().ToString(), &list)
              .ok());
      auto& all = (*lists)[key.substr(0, key.size() - 8)];
      all.insert(all.end(), list.begin(), list.end());
    }
    EXPECT_TRUE(it->status().ok());
    return out;
  }
  // A batch large enough for the second thread: the test vectors (all event
  // types, many index kinds) and synthetic events, with in-batch duplicates,
  // an already stored event, events of an unregistered signer, and events
  // without the precomputed leaf prefix.
  std::vector<PreparedEvent> Batch() const {
    std::vector<nlohmann::json> events;
    for (const auto& e :
         logtesting::ReadJsonFile(std::string(UDI_TESTDATA) + "/events.json")) {
      events.push_back(e);
    }
    for (uint64_t n = 0; n < 700; ++n)
      events.push_back(logtesting::SyntheticEvent(n, "batch"));
    std::vector<PreparedEvent> out;
    for (size_t i = 0; i < events.size(); ++i) {
      out.push_back(SignAndPrepare(events[i], acme_));
      if (i % 7 == 3) {
        out.back().entry_prefix.clear();
        out.back().leaf_prefix_state.clear();
      }
      if (i == 100 || i == 450) {
        out.push_back(SignAndPrepare(
            logtesting::SyntheticEvent(10000 + i, "other"), other_));
      }
      if (i == 300 || i == 650) {
        PreparedEvent dup = out[i % 50];  // an in-batch duplicate
        out.push_back(std::move(dup));
      }
    }
    PreparedEvent dup = out.front();
    out.push_back(std::move(dup));
    return out;
  }

  std::string dirs_[2];
  SigningKey acme_ = TestKey("acme", 2);
  SigningKey other_ = TestKey("other", 3);  // never registered
};

TEST_F(AppendBatchTest, OneLargeBatchStoresWhatOneEventAtATimeStores) {
  const PreparedEvent stored =
      SignAndPrepare(logtesting::SyntheticEvent(7, "batch"), acme_);
  std::vector<AppendOutcome> got[2];
  for (int mode = 0; mode < 2; ++mode) {
    SCOPED_TRACE(mode == 0 ? "one batch" : "one event at a time");
    auto log = Open(dirs_[mode]);
    ASSERT_NE(log, nullptr);
    ASSERT_TRUE(log->AppendParticipant(MakeParticipant(acme_), kNow).ok());
    ASSERT_TRUE(log->AppendEvents({stored}, kNow).ok());
    if (mode == 0) {
      auto r = log->AppendEvents(Batch(), kNow);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      got[mode] = std::move(r).value();
    } else {
      for (auto& e : Batch()) {
        auto r = log->AppendEvents({std::move(e)}, kNow);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ASSERT_EQ(r->size(), 1u);
        got[mode].push_back(std::move(r->front()));
      }
    }
  }
  ASSERT_EQ(got[0].size(), got[1].size());
  size_t accepted = 0, duplicates = 0, rejected = 0;
  for (size_t i = 0; i < got[0].size(); ++i) {
    SCOPED_TRACE(i);
    const AppendOutcome& a = got[0][i];
    const AppendOutcome& b = got[1][i];
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.index, b.index);
    EXPECT_EQ(a.event_id, b.event_id);
    EXPECT_FALSE(a.event_id.empty());
    EXPECT_EQ(a.error, b.error);
    accepted += a.status == AppendStatus::kAccepted;
    duplicates += a.status == AppendStatus::kDuplicate;
    rejected += a.status == AppendStatus::kRejected;
  }
  EXPECT_GE(accepted, 700u);
  EXPECT_EQ(duplicates, 4u);  // 3 in-batch, the one stored before
  EXPECT_EQ(rejected, 2u);
  // Same entries, tree, I and T keys and signed checkpoint, key for key; the
  // same indexes in the X lists, in order, in one list per (kind, key) of
  // the batch instead of one per index.
  std::map<std::string, std::vector<uint64_t>> lists[2];
  size_t list_keys[2];
  EXPECT_EQ(Contents(dirs_[0], &lists[0], &list_keys[0]),
            Contents(dirs_[1], &lists[1], &list_keys[1]));
  EXPECT_EQ(lists[0], lists[1]);
  size_t indexes = 0;
  for (const auto& [prefix, list] : lists[1]) {
    SCOPED_TRACE(logkeys::Describe(prefix));
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
    indexes += list.size();
  }
  EXPECT_EQ(list_keys[1], indexes);  // one at a time: one-element lists
  // The big batch: at most 2 lists per (kind, key) (the one event stored
  // before it, then the batch).
  EXPECT_LE(list_keys[0], 2 * lists[0].size());
  EXPECT_LT(list_keys[0], indexes / 2);
  auto report = VerifyDataDir(dirs_[0]);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  // After reopening, the same batch is all duplicates at the same indexes.
  auto log = Open(dirs_[0]);
  ASSERT_NE(log, nullptr);
  const uint64_t size = log->Size();
  auto again = log->AppendEvents(Batch(), kNow + 1000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  for (size_t i = 0; i < again->size(); ++i) {
    SCOPED_TRACE(i);
    if (got[0][i].status == AppendStatus::kRejected) continue;
    EXPECT_EQ((*again)[i].status, AppendStatus::kDuplicate);
    EXPECT_EQ((*again)[i].index, got[0][i].index);
  }
  EXPECT_EQ(log->Size(), size);
}

// AppendEvents reuses the buffers of its write batches from call to call: a
// large batch, a smaller one and a one-event batch in a row store what the
// same events appended one at a time store (no put of an earlier batch is
// written again).
TEST_F(AppendBatchTest, ConsecutiveBatchesStoreWhatOneEventAtATimeStores) {
  const std::vector<size_t> sizes = {900, 300, 1, 400};
  for (int mode = 0; mode < 2; ++mode) {
    SCOPED_TRACE(mode == 0 ? "batches" : "one event at a time");
    auto log = Open(dirs_[mode]);
    ASSERT_NE(log, nullptr);
    ASSERT_TRUE(log->AppendParticipant(MakeParticipant(acme_), kNow).ok());
    uint64_t n = 0;
    for (size_t size : sizes) {
      std::vector<PreparedEvent> batch;
      for (size_t k = 0; k < size; ++k, ++n) {
        batch.push_back(
            SignAndPrepare(logtesting::SyntheticEvent(n, "again"), acme_));
      }
      if (mode == 0) {
        auto r = log->AppendEvents(std::move(batch), kNow);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        for (const auto& o : *r) EXPECT_EQ(o.status, AppendStatus::kAccepted);
        continue;
      }
      for (auto& e : batch) {
        auto r = log->AppendEvents({std::move(e)}, kNow);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      }
    }
    EXPECT_EQ(log->Size(), 1 + n);
  }
  std::map<std::string, std::vector<uint64_t>> lists[2];
  size_t list_keys[2];
  EXPECT_EQ(Contents(dirs_[0], &lists[0], &list_keys[0]),
            Contents(dirs_[1], &lists[1], &list_keys[1]));
  EXPECT_EQ(lists[0], lists[1]);
  auto report = VerifyDataDir(dirs_[0]);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
}

}  // namespace
}  // namespace ledger
