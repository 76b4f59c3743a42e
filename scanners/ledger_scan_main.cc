// ledger-scan: the scanning-station program.
//
//   ledger-scan parse [--epc] [--year YYYY]   one scan per stdin line -> one
//   JSON line per scan ledger-scan run | status                  the station
//   daemon (not yet implemented)
//
// Exit codes: 0 every input line was read (invalid scans are reported as {"ok":
// false, ...} lines, not by the exit code); 1 reading stdin failed; 2 usage
// error or a command that is not implemented yet.
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "scanners/epc_binary.h"
#include "scanners/scan.h"
#include "scanners/station/station_cli.h"

namespace {

constexpr std::string_view kUsage =
    "usage: ledger-scan <command> [options]\n"
    "\n"
    "commands:\n"
    "  parse    parse scans read from stdin, one per line, and print one JSON "
    "object per line\n"
    "  run      run the scanning station (scanners/station/README.md)\n"
    "  status   show the station's spool: queue depth, oldest undelivered "
    "scan\n"
    "\n"
    "Run 'ledger-scan <command> --help' for the options of a command.\n";

constexpr std::string_view kParseUsage =
    "usage: ledger-scan parse [--epc] [--year YYYY]\n"
    "\n"
    "Reads one scan per line from stdin, exactly as the scanner sent it (AIM "
    "symbology\n"
    "identifier such as ]d2 included; FNC1 as the byte 0x1D or written as the "
    "four characters\n"
    "\\x1d), and prints one JSON object per line:\n"
    "  GS1 element strings (]C1 ]d2 ]Q3 ]e0 ]J1, bracketed (01)...(17)..., or "
    "bare digits) and\n"
    "  GS1 Digital Link URIs: {\"ok\": true, \"scheme\": \"GS1\", "
    "\"elements\": [...], \"gtin\": ...,\n"
    "    \"lot\": ..., \"serial\": ..., \"expiry\": \"YYYY-MM-DD\", "
    "\"digitalLink\": ...}\n"
    "  HIBC (+...): {\"ok\": true, \"scheme\": \"HIBC\", \"lic\": ..., "
    "\"pcn\": ...,\n"
    "    \"unitOfMeasure\": ..., \"lot\": ..., \"serial\": ..., \"expiry\": "
    "...}\n"
    "  anything invalid: {\"ok\": false, \"error\": \"...\"}\n"
    "\n"
    "options:\n"
    "  --epc        lines are hex RFID EPCs (SGTIN-96/198, SSCC-96, SGLN-96, "
    "GRAI-96, GIAI-96):\n"
    "               {\"ok\": true, \"scheme\": \"SGTIN-96\", \"filter\": 3, "
    "\"gtin\": ..., \"serial\": ...,\n"
    "               \"epc\": \"urn:epc:id:sgtin:...\"}\n"
    "  --year YYYY  the current year for the GS1 two-digit-year window "
    "(default: this year, UTC)\n"
    "\n"
    "Exit status 0 when every line was read, 1 when reading stdin failed, 2 on "
    "a usage error.\n";

int CurrentYearUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return tm.tm_year + 1900;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

int Parse(const std::vector<std::string_view>& args) {
  bool epc = false;
  int year = CurrentYearUtc();
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kParseUsage;
      return 0;
    } else if (args[i] == "--epc") {
      epc = true;
    } else if (args[i] == "--year" && i + 1 < args.size()) {
      const std::string value(args[++i]);
      if (value.size() != 4 ||
          value.find_first_not_of("0123456789") != std::string::npos) {
        std::cerr << "ledger-scan parse: --year needs four digits, got '"
                  << value << "'\n";
        return 2;
      }
      year = std::stoi(value);
    } else {
      std::cerr << "ledger-scan parse: unknown option '" << args[i] << "'\n"
                << kParseUsage;
      return 2;
    }
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (epc) {
      std::cout << scanners::EpcToJson(scanners::DecodeEpcHex(TrimSpace(line)))
                << '\n';
    } else {
      std::cout << scanners::ScanToJson(scanners::ParseScan(
                       scanners::DecodeGsEscapes(line), year))
                << '\n';
    }
    std::cout.flush();  // a station pipes scans in one at a time and waits for
                        // each answer
  }
  if (std::cin.bad()) {
    std::cerr << "ledger-scan parse: reading stdin failed\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string_view command = args[0];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "parse") return Parse({args.begin() + 1, args.end()});
  if (command == "run")
    return station::RunCommand({args.begin() + 1, args.end()});
  if (command == "status")
    return station::StatusCommand({args.begin() + 1, args.end()});
  std::cerr << "ledger-scan: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
