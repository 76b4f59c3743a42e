// The station configuration file (station.json), documented in
// scanners/station/README.md. Unknown keys are rejected by name, also inside
// "inputs", "sourceList" and "destinationList", so that a typo never silently
// falls back to a default.
#ifndef UDI_SCANNERS_STATION_CONFIG_H_
#define UDI_SCANNERS_STATION_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/status.h"

namespace station {

struct InputSpec {
  enum class Kind { kTcp, kLlrp, kSerial, kStdin };
  Kind kind = Kind::kStdin;
  std::string host;    // tcp, llrp
  uint16_t port = 0;   // tcp (0 = any free port), llrp (default 5084)
  std::string device;  // serial
};

struct PartyRef {
  std::string type;  // CBV source/destination type: owning_party,
                     // possessing_party, location
  std::string
      id;  // the party or location identifier (PGLN/SGLN URI or Digital Link)
};

enum class StationMode { kObject, kPacking };

struct StationConfig {
  std::string node_url;  // "http://host:port"
  std::string node_host;
  uint16_t node_port = 0;
  std::string token;  // Bearer token for POST /v1/events
  std::string
      key_file;  // the station's private key file (C2SP signed-note form)
  std::string spool_dir;
  std::string biz_location;  // "" = none
  std::string read_point;    // "" = none
  std::string biz_step;      // CBV bare name or URI
  std::string disposition;   // "" = none
  std::string action =
      "OBSERVE";  // ObjectEvent action: OBSERVE or ADD (commissioning)
  StationMode mode = StationMode::kObject;
  std::string close_command =
      "CLOSE";  // packing: the line that closes the open parent
  std::string time_zone_offset = "+00:00";
  std::vector<InputSpec> inputs;
  std::vector<PartyRef> source_list;
  std::vector<PartyRef> destination_list;
  int64_t rfid_repeat_window_ms = 1000;
  int batch_size = 100;  // envelopes per POST /v1/events
  int64_t retry_initial_ms =
      100;  // delivery backoff after a failure, doubled up to
  int64_t retry_max_ms = 30000;       // this
  int64_t llrp_retry_max_ms = 30000;  // LLRP reconnect backoff cap
};

// Parses and checks a station.json text. InvalidArgument naming the key
// ("inputs[2].llrp: want \"host:port\"", "colour: unknown key").
ledger::Result<StationConfig> ParseStationConfig(const std::string& text);
// Reads and parses a file; errors are prefixed with the path.
ledger::Result<StationConfig> ReadStationConfig(const std::string& path);

// "host:port" (also "[v6]:port"). InvalidArgument naming `what`.
ledger::Status ParseHostPort(const std::string& value, const std::string& what,
                             std::string* host, uint16_t* port);

}  // namespace station

#endif  // UDI_SCANNERS_STATION_CONFIG_H_
