// Helpers shared by the operations tests (tests/ops/): events, participants,
// ledgerctl runs, JSON log lines.
#ifndef UDI_TESTS_OPS_OPS_TEST_UTIL_H_
#define UDI_TESTS_OPS_OPS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/envelope.h"
#include "ledger/keys.h"
#include "node/client/http_client.h"
#include "tests/node_process.h"

namespace udi_ops_test {

using nlohmann::json;

inline constexpr char kGln[] = "0614141000005";

inline json MakeEvent(const std::string& serial) {
  return {{"type", "ObjectEvent"},
          {"eventTime", "2026-11-26T10:00:00.000Z"},
          {"eventTimeZoneOffset", "+00:00"},
          {"action", "OBSERVE"},
          {"epcList", {"urn:epc:id:sgtin:0614141.107346." + serial}},
          {"bizStep", "shipping"},
          {"disposition", "in_transit"},
          {"readPoint", {{"id", "urn:epc:id:sgln:0614141.07346.1234"}}}};
}

inline json Sign(const json& event, const ledger::SigningKey& key) {
  auto env = ledger::SignEvent(event, key);
  EXPECT_TRUE(env.ok()) << env.status().ToString();
  return env->ToJson();
}

// Registers `key` as a manufacturer via the admin client; returns the status.
inline int Register(udi_http::HttpClient& admin,
                    const ledger::SigningKey& key) {
  auto r = admin.Post("/v1/participants",
                      {{"gln", kGln},
                       {"name", key.name()},
                       {"role", "manufacturer"},
                       {"verifierKey", key.verifier().ToText()}});
  return r.ok() ? r->status : -1;
}

// Submits `n` new signed events (serials prefix-0 ..); returns accepted count.
inline size_t SubmitEvents(udi_http::HttpClient& client,
                           const ledger::SigningKey& key,
                           const std::string& prefix, size_t n) {
  json envelopes = json::array();
  for (size_t i = 0; i < n; ++i)
    envelopes.push_back(Sign(MakeEvent(prefix + std::to_string(i)), key));
  auto r = client.Post("/v1/events", {{"envelopes", envelopes}});
  if (!r.ok()) {
    ADD_FAILURE() << "POST /v1/events: " << r.status().ToString();
    return 0;
  }
  if (r->status != 200) {
    ADD_FAILURE() << "POST /v1/events: HTTP " << r->status << " " << r->body;
    return 0;
  }
  size_t accepted = 0;
  const json answer = r->Json();  // keep it alive while iterating
  for (const auto& result : answer["results"])
    accepted += result.value("status", "") == "accepted";
  if (accepted != n)
    ADD_FAILURE() << "POST /v1/events: " << r->body.substr(0, 300);
  return accepted;
}

inline std::string Ledgerctl() { return udi_test::BinDir() + "/ledgerctl"; }
inline std::string LedgerNode() { return udi_test::BinDir() + "/ledger-node"; }

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Every non-empty line of `text` parsed as JSON (a test failure names a line
// that is not a JSON object).
inline std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    EXPECT_TRUE(j.is_object()) << "not a JSON log line: " << line;
    if (j.is_object()) lines.push_back(std::move(j));
  }
  return lines;
}

}  // namespace udi_ops_test

#endif  // UDI_TESTS_OPS_OPS_TEST_UTIL_H_
