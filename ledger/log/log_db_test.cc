// Tests of the LevelDB handle's process settings (log_db.h).
#include "ledger/log/log_db.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstring>
#include <filesystem>
#include <vector>

#include "ledger/log/log_testing.h"

namespace ledger::logdb {
namespace {

long ThreadMinorFaults() {
  rusage u;
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_minflt;
}

// Once a log's LevelDB is open, memory freed the way a flushed memtable is
// (tens of MB of ~1 KB blocks) stays in the process: allocating and touching
// as much again takes (almost) no page faults. With glibc's defaults the
// freed heap top (96 MiB, beyond any threshold glibc sets by itself) goes back
// to the kernel and every page of the second round faults again (~24,000).
TEST(LogDbTest, FreedMemtableSizedMemoryIsReusedWithoutPageFaults) {
  const std::string dir = logtesting::MakeTempDir("log-db-test");
  {
    auto db = Open(dir, /*create=*/true, 1 << 20, 64 << 20);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
  }
  std::filesystem::remove_all(dir);
  constexpr size_t kBlock = 1300;  // an entry's size in a memtable
  constexpr size_t kBytes = 96 << 20;
  constexpr size_t kBlocks = kBytes / kBlock;
  constexpr long kPages = kBytes / 4096;
  std::vector<char*> blocks(kBlocks);
  long faults[2];
  for (long& round : faults) {
    const long before = ThreadMinorFaults();
    for (char*& b : blocks) {
      b = new char[kBlock];
      std::memset(b, 0x5a, kBlock);
    }
    for (char* b : blocks) delete[] b;
    round = ThreadMinorFaults() - before;
  }
  SCOPED_TRACE("first round: " + std::to_string(faults[0]) + " faults");
  EXPECT_LT(faults[1], kPages / 20) << "second round of " << kPages << " pages";
}

}  // namespace
}  // namespace ledger::logdb
