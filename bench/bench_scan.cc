// bench_scan: scans parsed per second on one core (issue 5), per kind of scan,
// with and without the JSON line that `ledger-scan parse` prints. One thread,
// so the figures are per core.
//
//   build/bin/bench_scan [--n 200000]
#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "scanners/epc_binary.h"
#include "scanners/scan.h"

namespace {

constexpr int kYear = 2026;

// One line: operations per second of elapsed time and per CPU-second (= per
// core: one thread).
void Print(const char* what, bench::Rates r) {
  std::printf("%-48s %10.0f /s wall %10.0f /CPU-s\n", what, r.wall, r.cpu);
  std::fflush(stdout);
}

void BenchScans(const char* what, const std::vector<std::string>& scans,
                uint64_t n) {
  size_t ok = 0;
  Print(what, bench::Measure(n, [&] {
          for (uint64_t i = 0; i < n; ++i) {
            ok += scanners::ParseScan(scans[i % scans.size()], kYear).ok();
          }
        }));
  if (ok != n)
    std::printf("  (%zu of %llu scans failed to parse)\n", n - ok,
                static_cast<unsigned long long>(n));
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t n = bench::FlagU64(argc, argv, "--n", 200000);
  const std::vector<std::string> datamatrix = {
      "]d201095060001343521726123110ABC123\x1d"
      "21XYZ0001",
      "]d20109501101020917171905081"
      "0ABCD1234\x1d"
      "2110",
  };
  const std::vector<std::string> digital_link = {
      "https://id.gs1.org/01/09506000134352/10/ABC123/21/XYZ0001?17=261231",
  };
  const std::vector<std::string> hibc = {"+A123BJC5D6E71/$$3261231LOT123H",
                                         "+A123BJC5D6E71G"};
  const std::vector<std::string> epc = {
      "3074257BF7194E4000001A85",
      "3666C4409047E159B2C2BF100000000000000000000000000000"};
  std::printf("bench_scan: %llu scans per figure, one thread\n",
              static_cast<unsigned long long>(n));
  BenchScans("GS1 DataMatrix element string (]d2), parse", datamatrix, n);
  BenchScans("GS1 Digital Link URI, parse", digital_link, n);
  BenchScans("HIBC primary+secondary, parse", hibc, n);
  size_t bytes = 0;
  Print("GS1 DataMatrix, parse + JSON line", bench::Measure(n, [&] {
          for (uint64_t i = 0; i < n; ++i) {
            bytes += scanners::ScanToJson(
                         scanners::ParseScan(datamatrix[i % datamatrix.size()],
                                             kYear))
                         .size();
          }
        }));
  size_t ok = 0;
  Print("EPC hex (SGTIN-96 / SGTIN-198), decode", bench::Measure(n, [&] {
          for (uint64_t i = 0; i < n; ++i) {
            ok += scanners::DecodeEpcHex(epc[i % epc.size()]).ok();
          }
        }));
  return bytes > 0 && ok == n ? 0 : 1;
}
