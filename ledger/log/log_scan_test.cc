// Bulk reads (log_scan.cc) against the one-at-a-time reads they replace, over
// a real LevelDB log: dense and sparse key sets (stepping and seeking), keys
// without hits, duplicates, end_index, and the errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "ledger/gs1.h"
#include "ledger/log.h"
#include "ledger/log/log_testing.h"

namespace ledger {
namespace {

using logtesting::MakeParticipant;
using logtesting::SignAndPrepare;
using logtesting::SyntheticEvent;
using logtesting::TestKey;

constexpr uint64_t kEvents = 600;

std::string UnitKey(uint64_t n) {
  auto key = gs1::ParseIdentifier("urn:epc:id:sgtin:0614141.812345.u-" +
                                  std::to_string(n));
  return key.ok() ? key->ToString() : "";
}

class LogScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = logtesting::MakeTempDir("logscan");
    LogOptions o;
    o.data_dir = dir_;
    o.origin = "scan.example/log";
    o.key = TestKey(o.origin, 1);
    auto log = Log::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
    const SigningKey maker = TestKey("maker", 2);
    ASSERT_TRUE(log_->AppendParticipant(MakeParticipant(maker), 1000).ok());
    // Units 0..199 are each named by three events (n, n + 200, n + 400): the
    // index keys of one unit are far apart in log order, those of consecutive
    // units near each other in key order.
    for (uint64_t start = 0; start < kEvents; start += 100) {
      std::vector<PreparedEvent> batch;
      for (uint64_t n = start; n < start + 100; ++n) {
        nlohmann::json e = SyntheticEvent(n, "x");
        e["epcList"] = {"urn:epc:id:sgtin:0614141.812345.u-" +
                        std::to_string(n % 200)};
        batch.push_back(SignAndPrepare(e, maker));
      }
      auto out = log_->AppendEvents(std::move(batch), 2000);
      ASSERT_TRUE(out.ok()) << out.status().ToString();
    }
  }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }

  // keys[i] -> hits, through ScanIndexKeys of `log` (the LevelDB log or the
  // base class's default).
  std::map<size_t, std::vector<uint64_t>> Bulk(
      IndexKind kind, const std::vector<std::string>& keys, uint64_t end,
      bool base) {
    std::map<size_t, std::vector<uint64_t>> out;
    auto sink = [&](size_t i, uint64_t index) {
      out[i].push_back(index);
      return Status::OK();
    };
    Status st = base ? log_->Log::ScanIndexKeys(kind, keys, end, sink)
                     : log_->ScanIndexKeys(kind, keys, end, sink);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  std::string dir_;
  std::unique_ptr<Log> log_;
};

TEST_F(LogScanTest, ScanIndexKeysMatchesScanIndexPerKey) {
  std::vector<std::string> dense, sparse, with_missing;
  for (uint64_t u = 0; u < 200; ++u) dense.push_back(UnitKey(u));
  for (uint64_t u = 0; u < 200; u += 37) sparse.push_back(UnitKey(u));
  with_missing = {UnitKey(5), UnitKey(999), "01/00000000000000/21/none",
                  UnitKey(5), UnitKey(150)};
  struct Case {
    const char* name;
    IndexKind kind;
    std::vector<std::string> keys;
    uint64_t end;
  };
  const std::vector<Case> cases = {
      {"dense, every unit", IndexKind::kEpc, dense, UINT64_MAX},
      {"sparse", IndexKind::kEpc, sparse, UINT64_MAX},
      {"missing and duplicate keys", IndexKind::kEpc, with_missing, UINT64_MAX},
      {"end index cuts hits", IndexKind::kEpc, dense, 300},
      {"biz steps (many hits per key)",
       IndexKind::kBizStep,
       {"shipping", "receiving", "nothing"},
       UINT64_MAX},
      {"no keys", IndexKind::kEpc, {}, UINT64_MAX},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::map<size_t, std::vector<uint64_t>> want;
    std::map<std::string, size_t> first;
    for (size_t i = 0; i < c.keys.size(); ++i) {
      if (!first.emplace(c.keys[i], i).second) continue;  // visited once
      auto hits = log_->ScanIndex(c.kind, c.keys[i], 0, 100000);
      ASSERT_TRUE(hits.ok()) << hits.status().ToString();
      for (uint64_t index : *hits) {
        if (index < c.end) want[i].push_back(index);
      }
    }
    EXPECT_EQ(Bulk(c.kind, c.keys, c.end, /*base=*/false), want);
    EXPECT_EQ(Bulk(c.kind, c.keys, c.end, /*base=*/true), want);
  }
  // A unit is named by 3 events, so the dense case has 600 hits.
  size_t total = 0;
  for (const auto& [i, hits] : Bulk(IndexKind::kEpc, dense, UINT64_MAX, false))
    total += hits.size();
  EXPECT_EQ(total, 3 * 200u);
}

TEST_F(LogScanTest, ReadEntriesAtMatchesReadEntry) {
  const std::vector<std::vector<uint64_t>> cases = {
      {},
      {0},
      {1, 2, 3, 4, 5},
      {7, 300, 301, 555, kEvents},
      {kEvents},
      // gaps at, just over and well over the stepping distance
      {10, 14, 19, 23, 40, 44, 60}};
  for (const auto& indexes : cases) {
    SCOPED_TRACE(::testing::PrintToString(indexes));
    std::vector<uint64_t> got_indexes;
    for (bool base : {false, true}) {
      got_indexes.clear();
      auto sink = [&](uint64_t index, std::string_view bytes) {
        got_indexes.push_back(index);
        auto entry = log_->ReadEntry(index);
        EXPECT_TRUE(entry.ok());
        if (entry.ok()) {
          EXPECT_EQ(bytes, entry->bytes) << "entry " << index;
        }
        return Status::OK();
      };
      Status st = base ? log_->Log::ReadEntriesAt(indexes, sink)
                       : log_->ReadEntriesAt(indexes, sink);
      EXPECT_TRUE(st.ok()) << st.ToString();
      EXPECT_EQ(got_indexes, indexes);
    }
  }
}

TEST_F(LogScanTest, ErrorsNameTheProblem) {
  auto ignore = [](uint64_t, std::string_view) { return Status::OK(); };
  Status st = log_->ReadEntriesAt({3, 2}, ignore);
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("indexes[1]: not ascending"), std::string::npos)
      << st.ToString();
  st = log_->ReadEntriesAt({1, kEvents + 1}, ignore);
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();
  EXPECT_NE(st.message().find("entry 601"), std::string::npos) << st.ToString();
  st = log_->ScanIndexKeys(IndexKind::kEventId, {"x"}, UINT64_MAX,
                           [](size_t, uint64_t) { return Status::OK(); });
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  // The sink's error stops the pass and is returned.
  int calls = 0;
  st = log_->ScanIndexKeys(IndexKind::kBizStep, {"shipping"}, UINT64_MAX,
                           [&](size_t, uint64_t) {
                             ++calls;
                             return Status::Internal("stop here");
                           });
  EXPECT_EQ(st.message(), "stop here");
  EXPECT_EQ(calls, 1);
}

// ScanIndexKeysByPages over an in-memory index: lists longer than a page
// (1024) are read page by page, end_index cuts them, duplicate keys are
// visited once, and a page's error is returned.
TEST(ScanIndexKeysByPagesTest, PagesEndIndexDuplicatesAndErrors) {
  std::map<std::string, std::vector<uint64_t>> index;
  for (uint64_t i = 0; i < 2500; ++i) index["many"].push_back(3 * i);
  index["one"] = {7};
  int pages = 0;
  IndexPageScan scan = [&](std::string_view key, uint64_t start,
                           size_t limit) -> Result<std::vector<uint64_t>> {
    ++pages;
    if (key == "broken") return Status::IOError("page of broken");
    std::vector<uint64_t> page;
    auto it = index.find(std::string(key));
    if (it == index.end()) return page;
    for (uint64_t n : it->second) {
      if (n >= start && page.size() < limit) page.push_back(n);
    }
    return page;
  };
  struct Case {
    const char* name;
    std::vector<std::string> keys;
    uint64_t end;
    std::map<size_t, size_t> want_hits;  // key position -> hits
    int want_pages;
  };
  const std::vector<Case> cases = {
      {"three pages", {"many"}, UINT64_MAX, {{0, 2500}}, 3},
      {"end index stops paging", {"many"}, 3 * 1000, {{0, 1000}}, 1},
      {"duplicates once, at the first position",
       {"one", "none", "one"},
       UINT64_MAX,
       {{0, 1}},
       2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    pages = 0;
    std::map<size_t, size_t> hits;
    Status st =
        ScanIndexKeysByPages(c.keys, c.end, scan, [&](size_t i, uint64_t) {
          ++hits[i];
          return Status::OK();
        });
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(hits, c.want_hits);
    EXPECT_EQ(pages, c.want_pages);
  }
  Status st =
      ScanIndexKeysByPages({"one", "broken"}, UINT64_MAX, scan,
                           [](size_t, uint64_t) { return Status::OK(); });
  EXPECT_TRUE(st.IsIOError()) << st.ToString();
  EXPECT_EQ(st.message(), "page of broken");
}

}  // namespace
}  // namespace ledger
