// Helpers shared by the log's tests, its fault-test child, the ledgerctl verify
// test and the benchmarks: deterministic keys, participants, synthetic EPCIS
// events and temp dirs. Header-only; not part of the library.
#ifndef UDI_LEDGER_LOG_LOG_TESTING_H_
#define UDI_LEDGER_LOG_LOG_TESTING_H_

#include <stdlib.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "ledger/envelope.h"
#include "ledger/keys.h"
#include "ledger/log.h"

namespace ledger::logtesting {

inline SigningKey TestKey(const std::string& name, uint8_t seed_byte) {
  std::array<uint8_t, 32> seed;
  seed.fill(seed_byte);
  return SigningKey::FromSeed(name, seed);
}

inline Participant MakeParticipant(const SigningKey& key,
                                   std::string gln = "0614141000005",
                                   std::string role = "manufacturer") {
  Participant p;
  p.gln = std::move(gln);
  p.name = key.name();
  p.role = std::move(role);
  p.verifier_key = key.verifier().ToText();
  return p;
}

// An ObjectEvent observing one SGTIN whose serial is "<marker>-<n>"; eventTime
// advances one second per n from 2026-11-20T00:00:00Z.
inline nlohmann::json SyntheticEvent(uint64_t n, const std::string& marker) {
  const int64_t t = 1795132800 + static_cast<int64_t>(n % 100000000);
  char when[32];
  time_t secs = t;
  struct tm tm;
  gmtime_r(&secs, &tm);
  strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return {
      {"type", "ObjectEvent"},
      {"eventTime", when},
      {"eventTimeZoneOffset", "+00:00"},
      {"epcList",
       {"urn:epc:id:sgtin:0614141.812345." + marker + "-" + std::to_string(n)}},
      {"action", "OBSERVE"},
      {"bizStep", n % 2 ? "shipping" : "receiving"},
      {"disposition", "in_transit"},
      {"readPoint", {{"id", "urn:epc:id:sgln:0614141.00777.0"}}},
  };
}

// Signs and prepares `event`; aborts the test program on failure (test inputs
// must be valid).
inline PreparedEvent SignAndPrepare(const nlohmann::json& event,
                                    const SigningKey& key) {
  auto env = SignEvent(event, key);
  if (!env.ok()) {
    fprintf(stderr, "SignEvent: %s\n", env.status().ToString().c_str());
    abort();
  }
  auto prepared = PrepareEvent(std::move(env).value(), key.verifier());
  if (!prepared.ok()) {
    fprintf(stderr, "PrepareEvent: %s\n", prepared.status().ToString().c_str());
    abort();
  }
  return std::move(prepared).value();
}

inline nlohmann::json ReadJsonFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

// A fresh directory under $TMPDIR (or /tmp); removed by the caller.
inline std::string MakeTempDir(const std::string& tag) {
  const char* base = getenv("TMPDIR");
  std::string templ =
      std::string(base && *base ? base : "/tmp") + "/udi-" + tag + "-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) abort();
  return templ;
}

}  // namespace ledger::logtesting

#endif  // UDI_LEDGER_LOG_LOG_TESTING_H_
