// libFuzzer target: whole scans (symbology identifiers, Digital Link, HIBC,
// element strings) and their JSON lines, which must always be one valid JSON
// object with "ok".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "scanners/scan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto scan = scanners::ParseScan(input, 2026);
  const std::string line = scanners::ScanToJson(scan);
  if (line.find('\n') != std::string::npos) std::abort();
  auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("ok") || json["ok"] != scan.ok())
    std::abort();
  return 0;
}
