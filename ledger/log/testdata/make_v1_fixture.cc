// Writes a small log data dir with the format-version-1 code (commit 07e1ca3):
// participants, commissioning events with ilmd lotNumber, other events.
#include <cstdio>

#include "ledger/log.h"
#include "ledger/log/log_testing.h"

using namespace ledger;
using logtesting::SignAndPrepare;
using logtesting::TestKey;

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const int64_t now = 1795680000123;
  LogOptions o;
  o.data_dir = argv[1];
  o.origin = "udi-ledger.example/v1";
  o.key = TestKey("udi-ledger.example/v1", 1);
  auto log = Log::Open(o);
  if (!log.ok()) {
    fprintf(stderr, "%s\n", log.status().ToString().c_str());
    return 1;
  }
  SigningKey acme = TestKey("acme", 2);
  if (!(*log)->AppendParticipant(logtesting::MakeParticipant(acme), now).ok())
    return 1;
  auto commissioning = [](std::vector<std::string> epcs, nlohmann::json ilmd) {
    nlohmann::json e = {
        {"type", "ObjectEvent"},
        {"eventTime", "2026-11-20T08:00:00.000Z"},
        {"eventTimeZoneOffset", "+00:00"},
        {"action", "ADD"},
        {"bizStep", "commissioning"},
        {"disposition", "active"},
        {"epcList", epcs},
        {"readPoint", {{"id", "urn:epc:id:sgln:0614141.00777.0"}}}};
    if (!ilmd.is_null()) e["ilmd"] = ilmd;
    return e;
  };
  std::vector<PreparedEvent> batch;
  batch.push_back(SignAndPrepare(
      commissioning({"urn:epc:id:sgtin:0614141.812345.S1",
                     "urn:epc:id:sgtin:0614141.812345.S2"},
                    {{"cbvmda:lotNumber", "LOT-A"},
                     {"cbvmda:itemExpirationDate", "2028-12-31"}}),
      acme));
  batch.push_back(SignAndPrepare(
      commissioning({"https://id.gs1.org/01/09506000134352/21/S3"},
                    {{"urn:epcglobal:cbv:mda:lotNumber", "LOT-B"}}),
      acme));
  batch.push_back(SignAndPrepare(
      commissioning({"urn:epc:id:sgtin:0614141.812345.S4"}, nullptr), acme));
  for (int n = 0; n < 3; ++n)
    batch.push_back(SignAndPrepare(logtesting::SyntheticEvent(n, "v1"), acme));
  auto out = (*log)->AppendEvents(std::move(batch), now);
  if (!out.ok()) return 1;
  for (auto& r : *out)
    if (r.status != AppendStatus::kAccepted) {
      fprintf(stderr, "%s\n", r.error.c_str());
      return 1;
    }
  printf("size %llu\n", (unsigned long long)(*log)->Size());
  return 0;
}
