// bench_scan: scans parsed per second on one core (issue 5), per kind of scan,
// with and without the JSON line that `ledger-scan parse` prints. One thread,
// so the figures are per core.
//
// Each figure is also given as a ratio to a ceiling measured in the same run
// on the same bytes: a raw pass that only tokenises the scan the way the
// format requires (memchr for separators, fixed AI lengths, hex digits) and
// runs its check-character loop (GS1 mod-10 over the GTIN, HIBC mod-43),
// without building any strings, dates or errors. The ratio is how close the
// full parser comes to touching the bytes once.
//
//   build/bin/bench_scan [--n 200000]
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_util.h"
#include "scanners/epc_binary.h"
#include "scanners/scan.h"

namespace {

constexpr int kYear = 2026;
constexpr char kGs = '\x1d';

// GS1 General Specifications 7.9.1: the mod-10 check digit over `digits`
// (all but the last), compared with the last digit.
bool Gs1CheckDigitOk(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0, weight = 3;
  for (size_t i = digits.size() - 1; i-- > 0;) {
    sum += (digits[i] - '0') * weight;
    weight ^= 2;  // 3, 1, 3, ...
  }
  return (10 - sum % 10) % 10 == digits.back() - '0';
}

// Raw GS1 element string: AIs 01 (14 digits) and 17 (6) fixed, others up to
// GS or the end. Returns the number of elements (0 on a bad GTIN check digit).
size_t RawElementString(std::string_view s) {
  if (s.size() >= 3 && s[0] == ']') s.remove_prefix(3);
  size_t elements = 0;
  while (s.size() >= 2) {
    std::string_view ai = s.substr(0, 2);
    s.remove_prefix(2);
    size_t len;
    if (ai == "01") {
      len = 14;
      if (s.size() < len || !Gs1CheckDigitOk(s.substr(0, len))) return 0;
    } else if (ai == "17") {
      len = 6;
    } else {
      const void* gs = std::memchr(s.data(), kGs, s.size());
      len = gs ? static_cast<size_t>(static_cast<const char*>(gs) - s.data())
               : s.size();
    }
    len = std::min(len, s.size());
    s.remove_prefix(len);
    if (!s.empty() && s[0] == kGs) s.remove_prefix(1);
    ++elements;
  }
  return elements;
}

// Raw Digital Link: path segments after the host split on '/', query on '&';
// the segment after "01" gets its check digit.
size_t RawDigitalLink(std::string_view s) {
  size_t scheme = s.find("://");
  if (scheme == std::string_view::npos) return 0;
  s.remove_prefix(scheme + 3);
  size_t query = s.find('?');
  std::string_view path = s.substr(0, query);
  size_t parts = 0;
  bool gtin_next = false;
  while (!path.empty()) {
    const void* slash = std::memchr(path.data(), '/', path.size());
    size_t len =
        slash
            ? static_cast<size_t>(static_cast<const char*>(slash) - path.data())
            : path.size();
    std::string_view seg = path.substr(0, len);
    if (gtin_next && !Gs1CheckDigitOk(seg)) return 0;
    gtin_next = seg == "01";
    ++parts;
    path.remove_prefix(std::min(path.size(), len + 1));
  }
  if (query != std::string_view::npos) {
    for (std::string_view q = s.substr(query + 1); !q.empty(); ++parts) {
      size_t amp = q.find('&');
      q.remove_prefix(amp == std::string_view::npos ? q.size() : amp + 1);
    }
  }
  return parts;
}

// Raw HIBC: the mod-43 check character over everything before it, and the
// '/' separators counted.
size_t RawHibc(std::string_view s) {
  static constexpr char kSet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";
  int values[256];
  std::memset(values, -1, sizeof values);
  for (int i = 0; i < 43; ++i) values[static_cast<unsigned char>(kSet[i])] = i;
  if (s.size() < 2 || s[0] != '+') return 0;
  int sum = 0;
  size_t slashes = 0;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    int v = values[static_cast<unsigned char>(s[i])];
    if (v < 0) return 0;
    sum += v;
    slashes += s[i] == '/';
  }
  return kSet[sum % 43] == s.back() ? slashes + 1 : 0;
}

// Raw EPC hex: the bytes, 16 hex digits at a time.
size_t RawEpcHex(const std::string& s) {
  size_t bits = 0;
  char chunk[17] = {};
  for (size_t i = 0; i < s.size(); i += 16) {
    size_t n = std::min<size_t>(16, s.size() - i);
    std::memcpy(chunk, s.data() + i, n);
    chunk[n] = '\0';
    char* end = nullptr;
    unsigned long long v = std::strtoull(chunk, &end, 16);
    if (end != chunk + n) return 0;
    bits += n * 4 + (v & 1);
  }
  return bits;
}

// Ops/s of `parse` over `inputs` (n calls), and the ceiling `raw` over the same
// inputs (measured just before, at least as many calls); prints both and the
// ratio.
// False when a scan failed to parse or the raw pass did nothing.
template <typename Parse, typename Raw>
bool BenchKind(const char* what, const std::vector<std::string>& inputs,
               uint64_t n, Parse parse, Raw raw) {
  size_t sink = 0;
  const uint64_t raw_n = n * 20;  // the raw pass is fast: time it longer
  bench::Rates ceiling = bench::Measure(raw_n, [&] {
    for (uint64_t i = 0; i < raw_n; ++i) sink += raw(inputs[i % inputs.size()]);
  });
  size_t ok = 0;
  bench::Rates rates = bench::Measure(n, [&] {
    for (uint64_t i = 0; i < n; ++i) ok += parse(inputs[i % inputs.size()]);
  });
  std::printf("%-50s %9.0f /s       | %9.0f /CPU-s\n",
              "  ceiling: raw tokenise + check digit, same bytes", ceiling.wall,
              ceiling.cpu);
  bench::Report(what, rates, ceiling);
  if (ok != n || sink == 0)
    std::printf("  (%llu of %llu scans failed; raw sink %zu)\n",
                static_cast<unsigned long long>(n - ok),
                static_cast<unsigned long long>(n), sink);
  return ok == n && sink != 0;
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
  // The raw passes must accept every input, or they would not be doing the
  // same work.
  for (const auto& s : datamatrix)
    if (!RawElementString(s)) std::printf("raw pass refuses %s\n", s.c_str());
  for (const auto& s : digital_link)
    if (!RawDigitalLink(s)) std::printf("raw pass refuses %s\n", s.c_str());
  for (const auto& s : hibc)
    if (!RawHibc(s)) std::printf("raw pass refuses %s\n", s.c_str());
  std::printf(
      "bench_scan: %llu scans per figure, one thread; each figure's ceiling is "
      "a raw tokenise + check-digit pass over the same bytes, measured just "
      "before it\n",
      static_cast<unsigned long long>(n));
  auto parse = [](const std::string& s) {
    return scanners::ParseScan(s, kYear).ok();
  };
  bool all_ok = true;
  all_ok &= BenchKind("GS1 DataMatrix element string (]d2), parse", datamatrix,
                      n, parse, RawElementString);
  all_ok &= BenchKind("GS1 Digital Link URI, parse", digital_link, n, parse,
                      RawDigitalLink);
  all_ok &= BenchKind("HIBC primary+secondary, parse", hibc, n, parse, RawHibc);
  all_ok &= BenchKind(
      "GS1 DataMatrix, parse + JSON line", datamatrix, n,
      [](const std::string& s) {
        return !scanners::ScanToJson(scanners::ParseScan(s, kYear)).empty();
      },
      RawElementString);
  all_ok &= BenchKind(
      "EPC hex (SGTIN-96 / SGTIN-198), decode", epc, n,
      [](const std::string& s) { return scanners::DecodeEpcHex(s).ok(); },
      RawEpcHex);
  return all_ok ? 0 : 1;
}
