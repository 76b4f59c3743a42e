// Writes a small log data dir with the format-version-3 code (commit c50c036):
// two participants (one revoked later), commissioning events with ilmd
// lotNumber, an aggregation, a quantityList, an errorDeclaration, a
// transaction, synthetic observations and a query record, appended in several
// batches so that the tree has nodes on several levels (25 entries). Prints
// the size and the root of the final checkpoint.
#include <cstdio>

#include "ledger/bytes.h"
#include "ledger/log.h"
#include "ledger/log/log_testing.h"

using namespace ledger;
using logtesting::SignAndPrepare;
using logtesting::TestKey;

namespace {

// Appends `batch`; every event must be accepted except the last `rejected`.
bool Append(Log& log, std::vector<PreparedEvent> batch, int64_t at,
            size_t rejected = 0) {
  const size_t n = batch.size();
  auto out = log.AppendEvents(std::move(batch), at);
  if (!out.ok()) {
    fprintf(stderr, "%s\n", out.status().ToString().c_str());
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    const AppendStatus want =
        i + rejected < n ? AppendStatus::kAccepted : AppendStatus::kRejected;
    if ((*out)[i].status != want) {
      fprintf(stderr, "event %zu of the batch: %s\n", i,
              (*out)[i].error.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const int64_t now = 1795680000123;
  LogOptions o;
  o.data_dir = argv[1];
  o.origin = "udi-ledger.example/v3";
  o.key = TestKey("udi-ledger.example/v3", 1);
  auto log = Log::Open(o);
  if (!log.ok()) {
    fprintf(stderr, "%s\n", log.status().ToString().c_str());
    return 1;
  }
  // Entries 0, 1: the participants.
  SigningKey acme = TestKey("acme", 2);
  SigningKey beta = TestKey("beta", 3);
  Participant beta_p =
      logtesting::MakeParticipant(beta, "4012345000009", "distributor");
  if (!(*log)->AppendParticipant(logtesting::MakeParticipant(acme), now).ok())
    return 1;
  if (!(*log)->AppendParticipant(beta_p, now).ok()) return 1;

  // Entries 2..7: the v1 fixture's events (batch 1, acme).
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
    batch.push_back(SignAndPrepare(logtesting::SyntheticEvent(n, "v3"), acme));
  if (!Append(**log, std::move(batch), now)) return 1;

  // Entry 8: a query record.
  if (!(*log)
           ->AppendQuery({{"caller", "auditor"},
                          {"participant", ""},
                          {"role", "regulator"},
                          {"method", "GET"},
                          {"target", "/v1/trace/01/00614141812345/21/S1"},
                          {"at", "2026-11-27T00:00:01.000Z"}},
                         now + 1000)
           .ok())
    return 1;

  // Entries 9..20 (batch 2): beta packs S1, S2 into an SSCC and ships it with
  // a quantityList, then synthetic observations 3..12 (odd n by beta).
  const nlohmann::json packing = {
      {"type", "AggregationEvent"},
      {"eventTime", "2026-11-20T09:00:00.000Z"},
      {"eventTimeZoneOffset", "+01:00"},
      {"eventID", "urn:uuid:6f1c7a52-1f0e-4b39-9d59-0000000000a1"},
      {"parentID", "urn:epc:id:sscc:0614141.1234567890"},
      {"childEPCs",
       {"urn:epc:id:sgtin:0614141.812345.S1",
        "urn:epc:id:sgtin:0614141.812345.S2"}},
      {"action", "ADD"},
      {"bizStep", "packing"},
      {"disposition", "in_progress"},
      {"readPoint", {{"id", "urn:epc:id:sgln:0614141.00777.0"}}}};
  const nlohmann::json shipping = {
      {"type", "ObjectEvent"},
      {"eventTime", "2026-11-21T10:30:00.000Z"},
      {"eventTimeZoneOffset", "+00:00"},
      {"eventID", "urn:uuid:6f1c7a52-1f0e-4b39-9d59-0000000000a2"},
      {"epcList", {"urn:epc:id:sscc:0614141.1234567890"}},
      {"quantityList",
       {{{"epcClass", "urn:epc:class:lgtin:0614141.812345.LOT-A"},
         {"quantity", 40}}}},
      {"action", "OBSERVE"},
      {"bizStep", "shipping"},
      {"disposition", "in_transit"},
      {"readPoint", {{"id", "urn:epc:id:sgln:0614141.00777.0"}}},
      {"bizLocation", {{"id", "urn:epc:id:sgln:0614141.00777.0"}}}};
  batch.clear();
  batch.push_back(SignAndPrepare(packing, beta));
  batch.push_back(SignAndPrepare(shipping, beta));
  for (int n = 3; n < 13; ++n)
    batch.push_back(SignAndPrepare(logtesting::SyntheticEvent(n, "v3"),
                                   n % 2 ? beta : acme));
  if (!Append(**log, std::move(batch), now + 2000)) return 1;

  // Entry 21: beta is revoked.
  beta_p.revoked = true;
  if (!(*log)->AppendParticipant(beta_p, now + 3000).ok()) return 1;

  // Entries 22..24 (batch 3, acme): an errorDeclaration of the shipping event,
  // a TransactionEvent and synthetic observation 13; then an event by the
  // revoked beta, which must be rejected (no entry).
  nlohmann::json declaration = shipping;
  declaration["errorDeclaration"] = {
      {"declarationTime", "2026-11-23T12:00:00.000Z"},
      {"reason", "incorrect_data"},
      {"correctiveEventIDs",
       {"urn:uuid:6f1c7a52-1f0e-4b39-9d59-0000000000a3"}}};
  const nlohmann::json transaction = {
      {"type", "TransactionEvent"},
      {"eventTime", "2026-11-22T07:15:00.000Z"},
      {"eventTimeZoneOffset", "+02:00"},
      {"bizTransactionList",
       {{{"type", "po"},
         {"bizTransaction", "urn:epcglobal:cbv:bt:4012345000009:PO-77"}}}},
      {"epcList", {"urn:epc:id:sscc:0614141.1234567890"}},
      {"action", "ADD"},
      {"bizStep", "receiving"},
      {"disposition", "in_progress"},
      {"bizLocation", {{"id", "urn:epc:id:sgln:4012345.00225.0"}}}};
  batch.clear();
  batch.push_back(SignAndPrepare(declaration, acme));
  batch.push_back(SignAndPrepare(transaction, acme));
  batch.push_back(SignAndPrepare(logtesting::SyntheticEvent(13, "v3"), acme));
  batch.push_back(SignAndPrepare(logtesting::SyntheticEvent(14, "v3"), beta));
  if (!Append(**log, std::move(batch), now + 4000, 1)) return 1;

  const Checkpoint cp = (*log)->LatestCheckpoint();
  printf("size %llu\n", (unsigned long long)(*log)->Size());
  printf("root %s\n", ToHex(cp.root).c_str());
  return 0;
}
