// `ledger-scan run` and `ledger-scan status`, called from ledger_scan_main.cc.
//
//   ledger-scan run --config station.json
//       runs the station until SIGINT/SIGTERM. Exit 0 after a clean stop, 1
//       when the station cannot start (bad key, spool locked, port in use), 2
//       on a usage or configuration error.
//   ledger-scan status (--config station.json | --spool DIR)
//       prints one JSON object: {"spool", "pending", "delivered", "spoolBytes",
//       "tornTailBytes", "oldestPending": {"eventId", "receivedAt", "input",
//       "scan"} | null}. Exit 0, 1 when the spool cannot be read, 2 on usage.
#ifndef UDI_SCANNERS_STATION_STATION_CLI_H_
#define UDI_SCANNERS_STATION_STATION_CLI_H_

#include <string_view>
#include <vector>

namespace station {

// `args` are the arguments after the command name.
int RunCommand(const std::vector<std::string_view>& args);
int StatusCommand(const std::vector<std::string_view>& args);

}  // namespace station

#endif  // UDI_SCANNERS_STATION_STATION_CLI_H_
