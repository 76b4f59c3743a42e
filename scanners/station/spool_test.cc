#include "scanners/station/spool.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "scanners/station/station_testing.h"

namespace station {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

std::vector<std::string> Payloads(const std::vector<SpoolRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.payload);
  return out;
}

TEST(SpoolTest, AppendReadDeliverAndReopen) {
  TempDir dir;
  {
    auto spool = Spool::Open(dir.path());
    ASSERT_TRUE(spool.ok()) << spool.status().ToString();
    ASSERT_TRUE((*spool)->Append("one").ok());
    ASSERT_TRUE((*spool)->AppendBatch({"two", "three"}).ok());
    EXPECT_EQ((*spool)->pending_count(), 3u);
    auto pending = (*spool)->ReadPending(10);
    ASSERT_TRUE(pending.ok());
    EXPECT_EQ(Payloads(*pending),
              (std::vector<std::string>{"one", "two", "three"}));
    auto first_two = (*spool)->ReadPending(2);
    ASSERT_TRUE(first_two.ok());
    ASSERT_EQ(first_two->size(), 2u);
    ASSERT_TRUE((*spool)->MarkDelivered((*first_two)[1].end, 2).ok());
    EXPECT_EQ((*spool)->pending_count(), 1u);
    EXPECT_EQ((*spool)->cursor().delivered, 2u);
  }
  auto reopened = Spool::Open(dir.path());
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->pending_count(), 1u);
  EXPECT_EQ((*reopened)->cursor().delivered, 2u);
  auto pending = (*reopened)->ReadPending(10);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(Payloads(*pending), (std::vector<std::string>{"three"}));
}

TEST(SpoolTest, RecordEncodingIsLengthChecksumPayload) {
  const std::string r = EncodeSpoolRecord("abc");
  ASSERT_EQ(r.size(), kSpoolHeaderBytes + 3);
  EXPECT_EQ(r.substr(0, 8), std::string("USP1\0\0\0\x03", 8));
  // First 8 bytes of SHA-256("abc") = ba7816bf8f01cfea.
  EXPECT_EQ(r.substr(8, 8), std::string("\xba\x78\x16\xbf\x8f\x01\xcf\xea", 8));
  EXPECT_EQ(r.substr(16), "abc");
}

// The regression for a SIGKILL during Append: every possible torn length of the
// last record is cut off on reopen, the earlier records survive whole, and the
// spool keeps working.
TEST(SpoolTest, TornLastRecordAtEveryByteOffsetIsDropped) {
  TempDir dir;
  const std::vector<std::string> kept = {"first record", "second record"};
  const std::string last = R"({"eventId":"ni:///sha-256;00","scan":"]d2..."})";
  std::string whole;
  for (const auto& p : kept) whole += EncodeSpoolRecord(p);
  const size_t kept_bytes = whole.size();
  whole += EncodeSpoolRecord(last);
  for (size_t cut = kept_bytes; cut < whole.size(); ++cut) {
    SCOPED_TRACE("file cut at byte " + std::to_string(cut));
    std::filesystem::remove_all(dir.Sub("s"));
    std::filesystem::create_directories(dir.Sub("s"));
    WriteFile(dir.Sub("s/spool.log"), whole.substr(0, cut));
    auto spool = Spool::Open(dir.Sub("s"));
    ASSERT_TRUE(spool.ok()) << spool.status().ToString();
    EXPECT_EQ((*spool)->recovered_torn_bytes(), cut - kept_bytes);
    EXPECT_EQ(ReadFile(dir.Sub("s/spool.log")).size(), kept_bytes);
    ASSERT_TRUE((*spool)->Append("after restart").ok());
    auto pending = (*spool)->ReadPending(10);
    ASSERT_TRUE(pending.ok());
    EXPECT_EQ(Payloads(*pending),
              (std::vector<std::string>{kept[0], kept[1], "after restart"}));
  }
}

TEST(SpoolTest, TornTailsAndCorruptionTable) {
  const std::string a = EncodeSpoolRecord("alpha");
  const std::string b = EncodeSpoolRecord("bravo");
  std::string b_flipped = b;
  b_flipped.back() ^= 0x01;
  std::string a_flipped = a;
  a_flipped.back() ^= 0x01;
  struct Case {
    std::string name;
    std::string data;
    size_t want_records;
    uint64_t want_torn;
    std::string want_error;  // substring; empty = OK
  };
  const std::vector<Case> cases = {
      {"empty", "", 0, 0, ""},
      {"two whole", a + b, 2, 0, ""},
      {"last record bit flip is a torn tail", a + b_flipped, 1, b.size(), ""},
      {"zeros the file system allocated", a + std::string(40, '\0'), 1, 40, ""},
      {"partial header", a + b.substr(0, 7), 1, 7, ""},
      {"middle record bit flip", a_flipped + b, 0, 0,
       "record at byte 0: checksum mismatch"},
      {"garbage header before data", a + "XXXXXXXXXXXXXXXXXXXXXXXX" + b, 0, 0,
       "record at byte " + std::to_string(a.size()) + ": bad header"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto scan = ScanSpoolBytes(c.data, 0);
    if (!c.want_error.empty()) {
      ASSERT_FALSE(scan.ok());
      EXPECT_TRUE(scan.status().IsCorruption());
      EXPECT_NE(scan.status().message().find(c.want_error), std::string::npos)
          << scan.status().message();
      continue;
    }
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    EXPECT_EQ(scan->records.size(), c.want_records);
    EXPECT_EQ(scan->torn_tail_bytes, c.want_torn);
  }
}

TEST(SpoolTest, CorruptionInTheMiddleRefusesToOpen) {
  TempDir dir;
  std::string a = EncodeSpoolRecord("alpha");
  a[20] ^= 0x40;
  WriteFile(dir.Sub("spool.log"), a + EncodeSpoolRecord("bravo"));
  auto spool = Spool::Open(dir.path());
  ASSERT_FALSE(spool.ok());
  EXPECT_EQ(spool.status().message(),
            "spool.log: record at byte 0: checksum mismatch");
}

TEST(SpoolTest, SecondOpenerIsRefused) {
  TempDir dir;
  auto first = Spool::Open(dir.path());
  ASSERT_TRUE(first.ok());
  auto second = Spool::Open(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("in use by another process"),
            std::string::npos);
}

TEST(SpoolTest, RejectsEmptyAndOversizedPayloads) {
  TempDir dir;
  auto spool = Spool::Open(dir.path());
  ASSERT_TRUE(spool.ok());
  EXPECT_TRUE((*spool)->Append("").IsInvalidArgument());
  EXPECT_TRUE((*spool)
                  ->Append(std::string(kMaxRecordBytes + 1, 'x'))
                  .IsInvalidArgument());
  EXPECT_TRUE((*spool)->Append(std::string(kMaxRecordBytes, 'x')).ok());
}

TEST(SpoolTest, CursorPastTheEndIsCorruption) {
  TempDir dir;
  WriteFile(dir.Sub("spool.log"), EncodeSpoolRecord("alpha"));
  WriteFile(dir.Sub("cursor"), "udi-spool-cursor 1 9999 3\n");
  auto spool = Spool::Open(dir.path());
  ASSERT_FALSE(spool.ok());
  EXPECT_NE(spool.status().message().find("offset 9999 is past the end"),
            std::string::npos);
}

TEST(SpoolTest, InspectShowsPendingWithoutTakingTheLock) {
  TempDir dir;
  auto spool = Spool::Open(dir.path());
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->AppendBatch({"a", "b", "c"}).ok());
  auto first = (*spool)->ReadPending(1);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE((*spool)->MarkDelivered((*first)[0].end, 1).ok());
  auto inspection =
      InspectSpool(dir.path());  // while the spool is open and locked
  ASSERT_TRUE(inspection.ok()) << inspection.status().ToString();
  EXPECT_EQ(inspection->cursor.delivered, 1u);
  EXPECT_EQ(Payloads(inspection->pending),
            (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(InspectSpool(dir.Sub("missing")).status().IsNotFound());
}

}  // namespace
}  // namespace station
