// log_fault_child: the child process of the storage fault tests
// (log_fault_test.cc).
//
//   log_fault_child append DIR BATCH_SIZE MARKER   appends batches of
//   BATCH_SIZE events whose EPC
//                                                  serials are
//                                                  "<MARKER>b<k>-<n>", printing
//                                                  "committed <k>" after each
//                                                  durable batch, until killed
//                                                  (or 100000 batches)
//   log_fault_child hold DIR                       opens the log, prints
//   "open", waits for EOF on
//                                                  stdin
// Keys and origin are fixed (logtesting::TestKey) so that the parent can reopen
// the log.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ledger/log.h"
#include "ledger/log/log_testing.h"

namespace {

constexpr char kOrigin[] = "udi-ledger.example/fault";

ledger::Result<std::unique_ptr<ledger::Log>> OpenLog(const std::string& dir) {
  ledger::LogOptions o;
  o.data_dir = dir;
  o.origin = kOrigin;
  o.key = ledger::logtesting::TestKey(kOrigin, 1);
  return ledger::Log::Open(std::move(o));
}

int Fail(const ledger::Status& s) {
  std::fprintf(stderr, "log_fault_child: %s\n", s.ToString().c_str());
  return 1;
}

int Append(const std::string& dir, int batch_size, const std::string& marker) {
  auto log = OpenLog(dir);
  if (!log.ok()) return Fail(log.status());
  const ledger::SigningKey acme = ledger::logtesting::TestKey("acme", 2);
  if (!(*log)->LookupSigner(acme.KeyId())) {
    auto r =
        (*log)->AppendParticipant(ledger::logtesting::MakeParticipant(acme), 0);
    if (!r.ok()) return Fail(r.status());
  }
  for (int k = 0; k < 100000; ++k) {
    std::vector<ledger::PreparedEvent> batch;
    for (int n = 0; n < batch_size; ++n) {
      auto event = ledger::logtesting::SyntheticEvent(
          n, marker + "b" + std::to_string(k));
      batch.push_back(ledger::logtesting::SignAndPrepare(event, acme));
    }
    auto out = (*log)->AppendEvents(std::move(batch), 1795680000000 + k);
    if (!out.ok()) return Fail(out.status());
    for (const auto& o : *out) {
      if (o.status != ledger::AppendStatus::kAccepted) {
        return Fail(ledger::Status::Internal("event not accepted: " + o.error));
      }
    }
    std::printf("committed %d\n", k);
    std::fflush(stdout);
  }
  return 0;
}

int Hold(const std::string& dir) {
  auto log = OpenLog(dir);
  if (!log.ok()) return Fail(log.status());
  std::printf("open\n");
  std::fflush(stdout);
  while (std::getchar() != EOF) {
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "append" && argc == 5)
    return Append(argv[2], std::atoi(argv[3]), argv[4]);
  if (mode == "hold" && argc == 3) return Hold(argv[2]);
  std::fprintf(
      stderr,
      "usage: log_fault_child append DIR BATCH_SIZE MARKER | hold DIR\n");
  return 2;
}
