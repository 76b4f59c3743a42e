// Point-of-care and regulatory handlers: dispensing, decommissioning,
// destruction, expiry checks, and recalls.
#include <map>

#include "tools/supplychain/identifiers.h"
#include "tools/supplychain/simulation.h"

namespace supplychain {
namespace {

const std::vector<std::string> kRecallClasses = {"I", "II", "II", "III"};
const std::vector<std::string> kRecallReasons = {
    "sterility assurance failure",
    "labelling error: wrong expiry date printed",
    "device may fail to deliver full dose",
    "particulate matter found in retained samples",
    "battery may overheat",
    "incorrect instructions for use"};

bool Usable(UnitStatus s) {
  return s == UnitStatus::kInStock || s == UnitStatus::kRecalled ||
         s == UnitStatus::kExpired;
}

}  // namespace

void Simulation::Dispense(const Task& task, bool force) {
  int64_t t = task.time_ms;
  const int64_t now = NextTime(t);
  std::vector<uint32_t> dispensed, expired;
  for (uint32_t unit : task.items) {
    const Unit& u = world_.units[unit];
    if (force) {
      dispensed.push_back(unit);
    } else if (u.status == UnitStatus::kInStock) {
      if (world_.Expired(world_.lots[u.lot], now)) {
        expired.push_back(unit);
      } else {
        dispensed.push_back(unit);
      }
    } else if (u.status == UnitStatus::kRecalled &&
               rng_.Chance(options_.anomaly_rate)) {
      dispensed.push_back(unit);  // injected: a recalled unit used anyway
    }
  }
  const Party& hospital = world_.parties[task.to];
  if (!dispensed.empty()) {
    EventCtx ctx = Begin(t, task.to, task.to_site);
    Emit(StatusEvent(ctx.time_ms, hospital, task.to_site, "OBSERVE",
                     "dispensing", "dispensed", UnitIds(dispensed)),
         ctx);
    for (uint32_t unit : dispensed) {
      world_.ApplyToUnit(unit, Step::kDispense, ctx, false);
      if (!force &&
          rng_.Chance(options_.anomaly_rate)) {  // injected: dispensed twice
        Task again = task;
        again.kind = TaskKind::kDispenseAgain;
        again.time_ms =
            ctx.time_ms + rng_.Range(1 * kMsPerHour, 10 * kMsPerDay);
        again.items = {unit};
        Schedule(std::move(again));
      }
    }
  }
  if (!expired.empty()) {
    EventCtx ctx = Begin(t, task.to, task.to_site);
    Emit(StatusEvent(ctx.time_ms, hospital, task.to_site, "OBSERVE",
                     "inspecting", "expired", UnitIds(expired)),
         ctx);
    for (uint32_t unit : expired)
      world_.ApplyToUnit(unit, Step::kExpire, ctx, false);
    if (rng_.Chance(0.5)) {
      Task destroy = task;
      destroy.kind = TaskKind::kDestroy;
      destroy.time_ms = ctx.time_ms + rng_.Range(1 * kMsPerDay, 10 * kMsPerDay);
      destroy.items = expired;
      Schedule(std::move(destroy));
    }
  }
}

void Simulation::EndOfLife(const Task& task, bool destroy) {
  std::vector<uint32_t> units;
  for (uint32_t unit : task.items) {
    if (Usable(world_.units[unit].status)) units.push_back(unit);
  }
  if (units.empty()) return;
  int64_t t = task.time_ms;
  EventCtx ctx = Begin(t, task.to, task.to_site);
  const Party& hospital = world_.parties[task.to];
  Emit(destroy ? StatusEvent(ctx.time_ms, hospital, task.to_site, "DELETE",
                             "destroying", "destroyed", UnitIds(units))
               : StatusEvent(ctx.time_ms, hospital, task.to_site, "DELETE",
                             "decommissioning", "inactive", UnitIds(units)),
       ctx);
  for (uint32_t unit : units) {
    world_.ApplyToUnit(unit, destroy ? Step::kDestroy : Step::kDecommission,
                       ctx, false);
    if (!destroy &&
        rng_.Chance(
            options_.anomaly_rate)) {  // injected: used after decommissioning
      Task again = task;
      again.kind = TaskKind::kDispenseAgain;
      again.time_ms = ctx.time_ms + rng_.Range(1 * kMsPerHour, 5 * kMsPerDay);
      again.items = {unit};
      Schedule(std::move(again));
    }
  }
}

void Simulation::IssueRecall(const Task& task) {
  std::vector<uint32_t> candidates;
  for (uint32_t i = 0; i < world_.lots.size(); ++i) {
    if (world_.lots[i].produced && !world_.lots[i].recalled)
      candidates.push_back(i);
  }
  if (candidates.empty()) return;
  Recall recall;
  const uint32_t first = rng_.Pick(candidates);
  recall.product = world_.lots[first].product;
  recall.lots.push_back(first);
  for (uint32_t lot : candidates) {
    if (lot != first && world_.lots[lot].product == recall.product &&
        recall.lots.size() < 3 && rng_.Chance(0.3)) {
      recall.lots.push_back(lot);
    }
  }
  const Product& product = world_.products[recall.product];
  const bool by_regulator = rng_.Chance(0.3);
  recall.signer =
      by_regulator ? RandomParty(Role::kRegulator) : product.manufacturer;
  recall.recall_class = rng_.Pick(kRecallClasses);

  RecallNotice notice;
  notice.number = "RCL-" + FormatDate(task.time_ms / kMsPerDay).substr(0, 4) +
                  "-" + ZeroPad(static_cast<uint64_t>(next_recall_++), 4);
  notice.recall_class = recall.recall_class;
  notice.reason = rng_.Pick(kRecallReasons);
  notice.gtin = product.gtin;
  const Form form = PickForm();
  const std::string& prefix = world_.parties[product.manufacturer].prefix;
  for (size_t i = 0; i < recall.lots.size(); ++i) {
    const std::string& number = world_.lots[recall.lots[i]].number;
    notice.lots.push_back(number);
    const bool epc = form == Form::kEpc || (form == Form::kMixed && i % 2 == 0);
    notice.lgtins.push_back(
        epc ? LgtinEpc(prefix, product.gtin, number)
            : LgtinDigitalLink(DigitalLinkHost(i), product.gtin, number));
  }
  int64_t t = task.time_ms;
  EventCtx ctx = Begin(t, recall.signer, 0);
  Emit(RecallEvent(ctx.time_ms, world_.parties[recall.signer], notice), ctx);
  recall.seq = ctx.seq;
  const uint32_t index = static_cast<uint32_t>(world_.recalls.size());
  for (uint32_t lot : recall.lots) {
    world_.lots[lot].recall = index;
    world_.ApplyRecall(lot);
  }
  if (options_.recall_ack_rate > 0)
    PlanAcknowledgements(recall, index, ctx.time_ms);
  world_.recalls.push_back(std::move(recall));
}

void Simulation::PlanAcknowledgements(const Recall& recall,
                                      uint32_t recall_index, int64_t time_ms) {
  std::map<std::pair<uint32_t, uint16_t>, std::vector<uint32_t>> held;
  for (uint32_t lot : recall.lots) {
    for (uint32_t unit : world_.lots[lot].units) {
      const Unit& u = world_.units[unit];
      if (u.status != UnitStatus::kRecalled || u.shipment_pending ||
          u.custodian == kNone || u.location_party != u.custodian)
        continue;
      held[{u.custodian, u.site}].push_back(unit);
    }
  }
  for (auto& [where, units] : held) {
    if (!rng_.Chance(options_.recall_ack_rate)) continue;
    Task task;
    task.kind = TaskKind::kAcknowledgeRecall;
    task.time_ms = time_ms + rng_.Range(1 * kMsPerHour, 14 * kMsPerDay);
    task.to = where.first;
    task.to_site = where.second;
    task.number = recall_index;
    task.items = std::move(units);
    Schedule(std::move(task));
  }
}

void Simulation::AcknowledgeRecall(const Task& task) {
  std::vector<uint32_t> units;
  for (uint32_t unit : task.items) {
    const Unit& u = world_.units[unit];
    if (u.status == UnitStatus::kRecalled && !u.shipment_pending &&
        u.custodian == task.to && u.site == task.to_site)
      units.push_back(unit);
  }
  if (units.empty()) return;
  int64_t t = task.time_ms;
  EventCtx ctx = Begin(t, task.to, task.to_site);
  Emit(StatusEvent(ctx.time_ms, world_.parties[task.to], task.to_site,
                   "OBSERVE", "holding", "recalled", UnitIds(units)),
       ctx);
  for (uint32_t unit : units)
    world_.ApplyToUnit(unit, Step::kQuarantine, ctx, false);
}

}  // namespace supplychain
