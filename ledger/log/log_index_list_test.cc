// Index lists (format 3, spec/log-format.md §4): the value coding, the lists a
// log writes per batch, the answers of ScanIndex and ScanIndexKeys over lists
// split across batches, and the verifier's checks of list keys.
#include <gtest/gtest.h>
#include <leveldb/db.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "ledger/log.h"
#include "ledger/log/log_keys.h"
#include "ledger/log/log_test_db.h"
#include "ledger/log/log_testing.h"

namespace ledger {
namespace {

using logtesting::MakeParticipant;
using logtesting::SignAndPrepare;
using logtesting::TestKey;

TEST(IndexListCodingTest, DecodesValidValuesAndNamesTheBadByte) {
  struct Case {
    const char* name;
    uint64_t last;
    std::string value;
    std::vector<uint64_t> want;  // empty: an error
    const char* error;
  } cases[] = {
      {"one element", 7, "", {7}, ""},
      {"three", 10, "\x03\x02", {5, 8, 10}, ""},
      {"from zero", 300, "\xac\x02", {0, 300}, ""},
      {"two-byte gap then one",
       301,
       std::string("\xac\x02\x01"),
       {0, 300, 301},
       ""},
      {"truncated varint", 9, "\x01\x80", {}, "varint at byte 1 is truncated"},
      {"gap zero", 9, std::string("\x00", 1), {}, "gap 0 at byte 0"},
      {"not minimal",
       9,
       std::string("\x81\x00", 2),
       {},
       "at byte 0 is not minimal"},
      {"gaps beyond the last index",
       2,
       "\x02\x01",
       {},
       "exceed the last index 2"},
      {"overflow", ~uint64_t{0}, std::string(10, '\xff'), {}, "overflows"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<uint64_t> got;
    Status s = logkeys::DecodeIndexList(c.last, c.value, &got);
    if (c.want.empty()) {
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.code(), Status::Code::kCorruption);
      EXPECT_NE(s.message().find(c.error), std::string::npos) << s.message();
      continue;
    }
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(got, c.want);
    std::string again;
    logkeys::AppendIndexListValue(&again, c.want.data(), c.want.size());
    EXPECT_EQ(again, c.value);
  }
}

TEST(IndexListCodingTest, RandomListsRoundTrip) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 500; ++round) {
    SCOPED_TRACE(round);
    std::set<uint64_t> set;
    const int n = 1 + static_cast<int>(rng() % 40);
    const int bits = 7 + static_cast<int>(rng() % 57);  // >= 128 values
    while (static_cast<int>(set.size()) < n) set.insert(rng() >> (64 - bits));
    const std::vector<uint64_t> list(set.begin(), set.end());
    std::string value;
    logkeys::AppendIndexListValue(&value, list.data(), list.size());
    std::vector<uint64_t> got;
    ASSERT_TRUE(logkeys::DecodeIndexList(list.back(), value, &got).ok());
    EXPECT_EQ(got, list);
  }
}

constexpr int64_t kNow = 1795680000000;

// A log of three event batches sharing index keys (bizStep shipping on odd n,
// receiving on even n, one disposition, one signer, one readPoint), an
// in-batch duplicate and a batch of one.
class IndexListLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = logtesting::MakeTempDir("index-list");
    auto log = Open();
    ASSERT_NE(log, nullptr);
    ASSERT_TRUE(log->AppendParticipant(MakeParticipant(acme_), kNow).ok());
    Append(log.get(), {0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9});  // 3 twice
    Append(log.get(), {10});
    Append(log.get(), {11, 12, 13, 14, 15, 16});
    size_ = log->Size();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Log> Open() {
    LogOptions o;
    o.data_dir = dir_;
    o.origin = "udi-ledger.example/lists";
    o.key = TestKey(o.origin, 1);
    auto log = Log::Open(o);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }
  void Append(Log* log, const std::vector<uint64_t>& ns) {
    std::vector<PreparedEvent> batch;
    for (uint64_t n : ns) {
      batch.push_back(
          SignAndPrepare(logtesting::SyntheticEvent(n, "list"), acme_));
    }
    auto out = log->AppendEvents(std::move(batch), kNow);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    std::set<uint64_t> seen;
    for (size_t k = 0; k < ns.size(); ++k) {
      if ((*out)[k].status != AppendStatus::kAccepted) {
        ASSERT_EQ((*out)[k].status, AppendStatus::kDuplicate);
        continue;
      }
      const uint64_t index = (*out)[k].index;
      (ns[k] % 2 ? shipping_ : receiving_).push_back(index);
      all_.push_back(index);
    }
  }
  std::map<std::string, std::string> Keys(char family) {
    return logtesting::ReadRaw(dir_, std::string(1, family));
  }
  static std::string Value(const std::vector<uint64_t>& list) {
    std::string v;
    logkeys::AppendIndexListValue(&v, list.data(), list.size());
    return v;
  }

  std::string dir_;
  SigningKey acme_ = TestKey("acme", 2);
  uint64_t size_ = 0;
  std::vector<uint64_t> shipping_, receiving_, all_;  // indexes, ascending
};

TEST_F(IndexListLogTest, OneListPerKeyAndBatch) {
  const auto x = Keys(logkeys::kIndexPrefix);
  struct Case {
    IndexKind kind;
    std::string key;
    size_t lists;  // one per batch holding the key
  } cases[] = {
      {IndexKind::kBizStep, "shipping", 2},  // batch 2 is n = 10 only
      {IndexKind::kBizStep, "receiving", 3},
      {IndexKind::kDisposition, "in_transit", 3},
      {IndexKind::kSigner, acme_.KeyId(), 3},
      {IndexKind::kEpc, "01/80614141123458/21/list-3", 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    const std::string prefix = logkeys::IndexPrefix(c.kind, c.key);
    size_t n = 0;
    for (auto it = x.lower_bound(prefix);
         it != x.end() && it->first.starts_with(prefix); ++it) {
      ++n;
    }
    EXPECT_EQ(n, c.lists);
  }
  // The first batch's shipping list: indexes 2, 4, 6, 8, 10 (n = 1, 3, 5, 7,
  // 9 at entries 1.., the duplicate of n = 3 not logged).
  const std::string key =
      logkeys::IndexKey(IndexKind::kBizStep, "shipping", shipping_[4]);
  ASSERT_EQ(x.count(key), 1u);
  EXPECT_EQ(x.at(key), Value({shipping_.begin(), shipping_.begin() + 5}));
  EXPECT_EQ(shipping_[0], 2u);
  EXPECT_EQ(shipping_[4], 10u);
}

TEST_F(IndexListLogTest, ScansAnswerInOrderFromAnyStartAcrossBatches) {
  auto log = Open();
  ASSERT_NE(log, nullptr);
  struct Case {
    IndexKind kind;
    std::string key;
    const std::vector<uint64_t>* want;
  } cases[] = {
      {IndexKind::kBizStep, "shipping", &shipping_},
      {IndexKind::kBizStep, "receiving", &receiving_},
      {IndexKind::kDisposition, "in_transit", &all_},
      {IndexKind::kSigner, acme_.KeyId(), &all_},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    for (uint64_t start = 0; start <= size_ + 1; ++start) {
      for (size_t limit : {0, 1, 2, 3, 100}) {
        SCOPED_TRACE("start " + std::to_string(start) + " limit " +
                     std::to_string(limit));
        std::vector<uint64_t> want;
        for (uint64_t i : *c.want) {
          if (i >= start && want.size() < limit) want.push_back(i);
        }
        auto got = log->ScanIndex(c.kind, c.key, start, limit);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_EQ(*got, want);
      }
    }
    for (uint64_t end = 0; end <= size_ + 1; ++end) {
      SCOPED_TRACE("end " + std::to_string(end));
      std::vector<uint64_t> want, got;
      for (uint64_t i : *c.want) {
        if (i < end) want.push_back(i);
      }
      ASSERT_TRUE(log->ScanIndexKeys(c.kind, {"nothing", c.key, c.key}, end,
                                     [&](size_t key, uint64_t index) {
                                       EXPECT_EQ(key, 1u);
                                       got.push_back(index);
                                       return Status::OK();
                                     })
                      .ok());
      EXPECT_EQ(got, want);
    }
  }
}

TEST_F(IndexListLogTest, AnyPartitionIntoOrderedListsVerifies) {
  const std::string p = logkeys::IndexPrefix(IndexKind::kBizStep, "shipping");
  auto key = [&](uint64_t last) { return p + logkeys::Be64(last); };
  const auto& s = shipping_;
  // The first batch's list (s[0..4]) split in two, and its second part merged
  // with the third batch's list (s[5..7]).
  ASSERT_EQ(s.size(), 8u);
  logtesting::DeleteRaw(dir_, key(s[4]));
  logtesting::PutRaw(dir_, key(s[1]), Value({s[0], s[1]}));
  logtesting::PutRaw(dir_, key(s[7]), Value({s.begin() + 2, s.end()}));
  auto r = VerifyDataDir(dir_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto log = Open();
  ASSERT_NE(log, nullptr);
  auto got = log->ScanIndex(IndexKind::kBizStep, "shipping", 0, 100);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, shipping_);
}

TEST_F(IndexListLogTest, BadListsAreReportedWithTheirKeyOrEntry) {
  const std::string p = logkeys::IndexPrefix(IndexKind::kBizStep, "shipping");
  auto key = [&](uint64_t last) { return p + logkeys::Be64(last); };
  auto name = [&](uint64_t last) { return logkeys::Describe(key(last)); };
  const auto& s = shipping_;
  const std::vector<uint64_t> first(s.begin(), s.begin() + 5);
  struct Case {
    const char* what;
    std::vector<std::pair<std::string, std::string>> puts;
    std::vector<std::string> deletes;
    std::vector<std::string> want;  // substrings of the message
  } cases[] = {
      {"an index dropped from a list",
       {{key(s[4]), Value({s[0], s[1], s[3], s[4]})}},
       {},
       {"entry " + std::to_string(s[2]), name(s[2]) + " missing"}},
      {"a receiving entry added to a list",
       {{key(s[4]), Value({s[0], s[1], s[1] + 1, s[2], s[3], s[4]})}},
       {},
       {name(s[4]), "lists entry " + std::to_string(s[1] + 1),
        "does not imply it"}},
      {"an index in two lists",
       {{key(s[2]), ""}},
       {},
       {"entry " + std::to_string(s[0]), name(s[2])}},
      {"overlapping lists",
       {{key(s[2]), Value({s[0], s[2]})},
        {key(s[4]), Value({s[1], s[3], s[4]})}},
       {},
       {"entry " + std::to_string(s[1]), name(s[1]) + " missing"}},
      {"a list key moved",
       {{key(s[4] + 1), Value({s[0], s[1], s[2], s[3], s[4]})}},
       {key(s[4])},
       {name(s[4] + 1)}},
      {"a list beyond the log",
       {{key(size_ + 5), Value({size_ + 2, size_ + 5})}},
       {},
       {name(size_ + 5), "lists entry " + std::to_string(size_ + 2)}},
      {"a varint not minimal",
       {{key(s[4]), Value(first) + std::string("\x80\x00", 2)}},
       {},
       {name(s[4]), "not minimal"}},
      {"a truncated varint",
       {{key(s[4]), Value(first) + "\x80"}},
       {},
       {name(s[4]), "truncated"}},
  };
  const auto before = Keys(logkeys::kIndexPrefix);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    for (const auto& k : c.deletes) logtesting::DeleteRaw(dir_, k);
    for (const auto& [k, v] : c.puts) logtesting::PutRaw(dir_, k, v);
    auto r = VerifyDataDir(dir_);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
    for (const auto& w : c.want) {
      EXPECT_NE(r.status().message().find(w), std::string::npos)
          << r.status().message() << "\nwant: " << w;
    }
    // Back to the stored lists.
    for (const auto& [k, v] : Keys(logkeys::kIndexPrefix)) {
      if (!before.count(k)) logtesting::DeleteRaw(dir_, k);
    }
    for (const auto& [k, v] : before) logtesting::PutRaw(dir_, k, v);
    ASSERT_TRUE(VerifyDataDir(dir_).ok());
  }
}

}  // namespace
}  // namespace ledger
