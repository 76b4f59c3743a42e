// The discrete-event simulation: a time-ordered queue of business tasks
// (produce a lot, ship a pallet, receive, unpack, ship cases, dispense, ...)
// whose handlers emit events through the signing pipeline and apply them to the
// world. Anomalies are injected at their opportunities with probability
// options.anomaly_rate; the world records every anomaly the events actually
// contain. Private to the generator. Not thread-safe.
#ifndef UDI_TOOLS_SUPPLYCHAIN_SIMULATION_H_
#define UDI_TOOLS_SUPPLYCHAIN_SIMULATION_H_

#include <cstdint>
#include <queue>
#include <string>
#include <vector>

#include "supplychain/generator.h"
#include "tools/supplychain/events.h"
#include "tools/supplychain/rng.h"
#include "tools/supplychain/signing.h"
#include "tools/supplychain/world.h"

namespace supplychain {

enum class TaskKind : uint8_t {
  kProduceLot,
  kShipPallet,
  kReceivePallet,
  kUnpackPallet,
  kShipCases,
  kReceiveCases,
  kUnpackCases,
  kDispense,
  kDispenseAgain,  // an injected anomaly: dispense whatever the unit's state
  kDecommission,
  kDestroy,
  kRecall,
  kAcknowledgeRecall,  // a holder quarantines the recalled units it holds
};

struct Task {
  int64_t time_ms = 0;
  uint64_t order = 0;  // tie-break: scheduling order
  TaskKind kind = TaskKind::kProduceLot;
  uint32_t from = kNone;  // party
  uint32_t to = kNone;    // party
  uint16_t from_site = 0;
  uint16_t to_site = 0;
  uint64_t number = 0;  // transfer number, or the planned unit count of a lot
  std::vector<uint32_t> items;  // lot, containers or units
};

class Simulation {
 public:
  Simulation(const GeneratorOptions& options, World& world,
             SigningPipeline& pipeline);

  // Plans the products, lots and recalls, then runs tasks in time order until
  // the horizon or until the pipeline fails.
  void Run();

 private:
  enum class Form { kEpc, kDigitalLink, kMixed };

  void Plan();
  void Schedule(Task task);
  // The time the next event started at task-local time `t` will carry.
  int64_t NextTime(int64_t t) const {
    return t > clock_ms_ ? t : clock_ms_ + 1;
  }
  // Starts an event: assigns its seq and time and advances `t` by a realistic
  // handling delay.
  EventCtx Begin(int64_t& t, uint32_t signer, uint16_t site);
  void Emit(nlohmann::json event, const EventCtx& ctx) {
    pipeline_.Add(std::move(event), ctx.signer);
  }

  Form PickForm();
  std::string UnitId(uint32_t unit, Form form, size_t position);
  std::string ContainerId(uint32_t container, Form form, size_t position);
  Ids UnitIds(const std::vector<uint32_t>& units);
  Ids ContainerIds(const std::vector<uint32_t>& containers);
  const std::string& DigitalLinkHost(size_t position);

  // True if these units may be moved now: they are neither recalled nor
  // expired, or an anomaly is injected. Sets *expired / *recalled.
  bool MayMove(const std::vector<uint32_t>& units, int64_t time_ms,
               bool* expired, bool* recalled);
  uint32_t RandomParty(Role role);
  // A party other than `custodian` and `destination` (never the regulator).
  uint32_t OtherParty(uint32_t custodian, uint32_t destination);
  uint32_t NewContainer(bool pallet, uint32_t manufacturer);

  void ProduceLot(const Task& task);
  uint32_t PackPallet(int64_t& t, const Lot& lot,
                      const std::vector<uint32_t>& cases);
  void ShipPallet(const Task& task);
  void ReceivePallet(const Task& task);
  void UnpackPallet(const Task& task);
  void ShipCases(const Task& task);
  void ReceiveCases(const Task& task);
  void UnpackCases(const Task& task);
  void Dispense(const Task& task, bool force);
  void EndOfLife(const Task& task, bool destroy);
  void IssueRecall(const Task& task);
  // Schedules, per (holder, site) of the recall's units, an acknowledgement
  // with probability options.recall_ack_rate.
  void PlanAcknowledgements(const Recall& recall, uint32_t recall_index,
                            int64_t time_ms);
  void AcknowledgeRecall(const Task& task);

  struct Later {
    bool operator()(const Task& a, const Task& b) const {
      return a.time_ms != b.time_ms ? a.time_ms > b.time_ms : a.order > b.order;
    }
  };

  const GeneratorOptions& options_;
  World& world_;
  SigningPipeline& pipeline_;
  Rng rng_;
  std::priority_queue<Task, std::vector<Task>, Later> queue_;
  uint64_t next_order_ = 0;
  uint64_t next_transfer_ = 1;
  int next_recall_ = 1;
  int64_t start_ms_ = 0;
  int64_t horizon_ms_ = 0;
  int64_t clock_ms_ = 0;             // time of the last event emitted
  std::vector<uint64_t> next_sscc_;  // per party
};

}  // namespace supplychain

#endif  // UDI_TOOLS_SUPPLYCHAIN_SIMULATION_H_
