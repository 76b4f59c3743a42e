// Signs events in batches on several threads and hands them to the sink in
// order. Private to the generator. Add/Finish are called from one thread only.
#ifndef UDI_TOOLS_SUPPLYCHAIN_SIGNING_H_
#define UDI_TOOLS_SUPPLYCHAIN_SIGNING_H_

#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ledger/status.h"
#include "supplychain/generator.h"
#include "tools/supplychain/world.h"

namespace supplychain {

class SigningPipeline {
 public:
  // `parties` and `sink` must outlive the pipeline. `keep_ids`: remember every
  // event id.
  SigningPipeline(const std::vector<Party>& parties, int threads,
                  const EventSink& sink, bool keep_ids);

  // Queues the next event (seq = count() before the call). Does nothing once
  // status() is not OK.
  void Add(nlohmann::json event, uint32_t signer);
  // Signs and delivers what is queued. Returns the first error
  // (canonicalisation or the sink's).
  ledger::Status Finish();

  const ledger::Status& status() const { return status_; }
  uint64_t count() const { return count_; }
  // Event ids by seq (keep_ids only).
  const std::vector<std::string>& event_ids() const { return event_ids_; }

 private:
  // Waits for the batch being signed, then hands it to the sink.
  void Deliver();
  // Delivers the previous batch and starts signing the current one.
  void Flush();
  static ledger::Status SignRange(const std::vector<Party>& parties,
                                  std::vector<GeneratedEvent>& batch,
                                  size_t begin, size_t end);

  const std::vector<Party>& parties_;
  int threads_;
  const EventSink& sink_;
  bool keep_ids_;
  std::vector<GeneratedEvent> batch_;     // being filled by Add
  std::vector<GeneratedEvent> signing_;   // being signed by workers_
  std::vector<ledger::Status> statuses_;  // one per worker
  std::vector<std::jthread> workers_;     // declared last: joined first
  std::vector<std::string> event_ids_;
  uint64_t count_ = 0;
  ledger::Status status_;
};

}  // namespace supplychain

#endif  // UDI_TOOLS_SUPPLYCHAIN_SIGNING_H_
