// Production and logistics handlers: commission and pack at the manufacturer,
// ship pallets to distributors, unpack there and ship cases to hospitals and
// pharmacies, who receive and unpack.
#include <algorithm>

#include "tools/supplychain/identifiers.h"
#include "tools/supplychain/simulation.h"

namespace supplychain {
namespace {

std::string LotNumber(const Product& product, uint32_t product_index,
                      int64_t day, int seq) {
  const std::string date = FormatDate(day);  // YYYY-MM-DD
  const std::string number = std::to_string(seq);
  return std::string(1, static_cast<char>('A' + product_index % 26)) +
         date.substr(2, 2) + date.substr(5, 2) + date.substr(8, 2) +
         std::string(number.size() < 3 ? 3 - number.size() : 0, '0') + number +
         (product.alphanumeric_serials ? "X" : "");
}

}  // namespace

void Simulation::ProduceLot(const Task& task) {
  const uint32_t lot_index = task.items[0];
  Lot& lot = world_.lots[lot_index];
  Product& product = world_.products[lot.product];
  const uint32_t maker = product.manufacturer;
  const int64_t day = task.time_ms / kMsPerDay;
  lot.number = LotNumber(product, lot.product, day, ++product.next_lot);
  lot.expiry_day =
      rng_.Chance(0.12) ? day + rng_.Range(4, 21) : day + rng_.Range(365, 1095);
  lot.produced = true;
  const std::string expiry = FormatDate(lot.expiry_day);

  int64_t t = task.time_ms;
  std::vector<uint32_t> cases;
  for (uint64_t done = 0; done < task.number;) {
    const uint64_t n =
        std::min<uint64_t>(product.case_size, task.number - done);
    std::vector<uint32_t> units;
    for (uint64_t i = 0; i < n; ++i) {
      Unit u;
      u.lot = lot_index;
      u.serial_number = product.next_serial++;
      world_.units.push_back(std::move(u));
      units.push_back(static_cast<uint32_t>(world_.units.size() - 1));
      lot.units.push_back(units.back());
    }
    done += n;
    EventCtx ctx = Begin(t, maker, lot.site);
    Emit(CommissionEvent(ctx.time_ms, world_.parties[maker], lot.site,
                         UnitIds(units), lot.number, expiry),
         ctx);
    for (uint32_t unit : units)
      world_.ApplyToUnit(unit, Step::kCommission, ctx, false);

    const uint32_t box = NewContainer(/*pallet=*/false, maker);
    ctx = Begin(t, maker, lot.site);
    Emit(AggregationEvent(ctx.time_ms, world_.parties[maker], lot.site,
                          /*add=*/true, ContainerIds({box})[0], UnitIds(units)),
         ctx);
    for (uint32_t unit : units) {
      world_.ApplyToUnit(unit, Step::kPack, ctx, false);
      world_.units[unit].container = box;
    }
    world_.containers[box].children = units;
    cases.push_back(box);
    if (cases.size() == static_cast<size_t>(product.cases_per_pallet) ||
        done == task.number) {
      PackPallet(t, lot, cases);
      cases.clear();
    }
  }
}

uint32_t Simulation::PackPallet(int64_t& t, const Lot& lot,
                                const std::vector<uint32_t>& cases) {
  const uint32_t maker = world_.products[lot.product].manufacturer;
  const uint32_t pallet = NewContainer(/*pallet=*/true, maker);
  EventCtx ctx = Begin(t, maker, lot.site);
  Emit(AggregationEvent(ctx.time_ms, world_.parties[maker], lot.site,
                        /*add=*/true, ContainerIds({pallet})[0],
                        ContainerIds(cases)),
       ctx);
  for (uint32_t box : cases) world_.containers[box].parent = pallet;
  world_.containers[pallet].children = cases;
  world_.ApplyToContainer(pallet, Step::kPack, ctx);

  Task ship;
  ship.kind = TaskKind::kShipPallet;
  ship.time_ms = ctx.time_ms + rng_.Range(2 * kMsPerHour, 30 * kMsPerHour);
  ship.from = maker;
  ship.from_site = lot.site;
  ship.to = RandomParty(Role::kDistributor);
  ship.to_site =
      static_cast<uint16_t>(rng_.Below(world_.parties[ship.to].sites.size()));
  ship.number = next_transfer_++;
  ship.items = {pallet};
  Schedule(std::move(ship));
  return pallet;
}

void Simulation::ShipPallet(const Task& task) {
  const uint32_t pallet = task.items[0];
  int64_t t = task.time_ms;
  bool expired = false, recalled = false;
  if (!MayMove(world_.UnitsIn(pallet), NextTime(t), &expired, &recalled)) {
    if (expired && !recalled) {  // the maker quarantines short-dated stock
                                 // instead of shipping
      EventCtx ctx = Begin(t, task.from, task.from_site);
      Emit(StatusEvent(ctx.time_ms, world_.parties[task.from], task.from_site,
                       "OBSERVE", "inspecting", "expired",
                       ContainerIds({pallet})),
           ctx);
      world_.ApplyToContainer(pallet, Step::kExpire, ctx);
    }
    return;  // recalled stock stays on hold
  }
  const Transfer transfer{&world_.parties[task.from], task.from_site,
                          &world_.parties[task.to], task.to_site, task.number};
  EventCtx ctx = Begin(t, task.from, task.from_site);
  Emit(ShipEvent(ctx.time_ms, transfer, ContainerIds({pallet})), ctx);
  world_.ApplyToContainer(pallet, Step::kShip, ctx);

  Task receive = task;
  receive.kind = TaskKind::kReceivePallet;
  receive.time_ms = ctx.time_ms + rng_.Range(20 * kMsPerHour, 72 * kMsPerHour);
  Schedule(std::move(receive));
}

void Simulation::ReceivePallet(const Task& task) {
  const uint32_t pallet = task.items[0];
  const Transfer transfer{&world_.parties[task.from], task.from_site,
                          &world_.parties[task.to], task.to_site, task.number};
  int64_t t = task.time_ms;
  EventCtx ctx = Begin(t, task.to, task.to_site);
  Emit(ReceiveEvent(ctx.time_ms, transfer, ContainerIds({pallet})), ctx);
  world_.ApplyToContainer(pallet, Step::kReceive, ctx);

  Task unpack = task;
  unpack.kind = TaskKind::kUnpackPallet;
  unpack.time_ms = ctx.time_ms + rng_.Range(1 * kMsPerHour, 8 * kMsPerHour);
  Schedule(std::move(unpack));
}

void Simulation::UnpackPallet(const Task& task) {
  const uint32_t pallet = task.items[0];
  std::vector<uint32_t> cases;
  for (uint32_t box : world_.containers[pallet].children) {
    if (world_.containers[box].parent == pallet) cases.push_back(box);
  }
  int64_t t = task.time_ms;
  EventCtx ctx = Begin(t, task.to, task.to_site);
  Emit(AggregationEvent(ctx.time_ms, world_.parties[task.to], task.to_site,
                        /*add=*/false, ContainerIds({pallet})[0],
                        ContainerIds(cases)),
       ctx);
  world_.ApplyToContainer(pallet, Step::kUnpack, ctx);
  for (uint32_t box : cases) world_.containers[box].parent = kNone;

  // Pick orders: groups of 1-3 cases, each to one hospital or pharmacy.
  for (size_t i = 0; i < cases.size();) {
    const size_t n = std::min<size_t>(cases.size() - i, 1 + rng_.Below(3));
    Task ship;
    ship.kind = TaskKind::kShipCases;
    ship.time_ms = ctx.time_ms + rng_.Range(12 * kMsPerHour, 20 * kMsPerDay);
    ship.from = task.to;
    ship.from_site = task.to_site;
    ship.to = RandomParty(Role::kDispenser);
    ship.to_site = 0;
    ship.number = next_transfer_++;
    ship.items.assign(cases.begin() + i, cases.begin() + i + n);
    Schedule(std::move(ship));
    i += n;
  }
}

void Simulation::ShipCases(const Task& task) {
  int64_t t = task.time_ms;
  const int64_t now = NextTime(t);
  std::vector<uint32_t> moving, expired_cases;
  for (uint32_t box : task.items) {
    bool expired = false, recalled = false;
    if (MayMove(world_.UnitsIn(box), now, &expired, &recalled)) {
      moving.push_back(box);
    } else if (expired && !recalled) {
      expired_cases.push_back(box);
    }
  }
  if (!moving.empty()) {
    // Injected anomalies: another party signs the shipment, or no shipment is
    // recorded at all.
    uint32_t shipper = task.from;
    uint16_t shipper_site = task.from_site;
    if (rng_.Chance(options_.anomaly_rate)) {
      shipper = OtherParty(task.from, task.to);
      shipper_site = 0;
    }
    const bool unrecorded = rng_.Chance(options_.anomaly_rate);
    int64_t arrival_from = now;
    if (!unrecorded) {
      const Transfer transfer{&world_.parties[shipper], shipper_site,
                              &world_.parties[task.to], task.to_site,
                              task.number};
      EventCtx ctx = Begin(t, shipper, shipper_site);
      Emit(ShipEvent(ctx.time_ms, transfer, ContainerIds(moving)), ctx);
      for (uint32_t box : moving)
        world_.ApplyToContainer(box, Step::kShip, ctx);
      arrival_from = ctx.time_ms;
    }
    Task receive = task;
    receive.kind = TaskKind::kReceiveCases;
    receive.from = shipper;
    receive.from_site = shipper_site;
    receive.time_ms =
        arrival_from + rng_.Range(6 * kMsPerHour, 48 * kMsPerHour);
    receive.items = moving;
    Schedule(std::move(receive));
  }
  if (!expired_cases.empty()) {
    EventCtx ctx = Begin(t, task.from, task.from_site);
    Emit(StatusEvent(ctx.time_ms, world_.parties[task.from], task.from_site,
                     "OBSERVE", "inspecting", "expired",
                     ContainerIds(expired_cases)),
         ctx);
    for (uint32_t box : expired_cases)
      world_.ApplyToContainer(box, Step::kExpire, ctx);
  }
}

void Simulation::ReceiveCases(const Task& task) {
  const Transfer transfer{&world_.parties[task.from], task.from_site,
                          &world_.parties[task.to], task.to_site, task.number};
  int64_t t = task.time_ms;
  EventCtx ctx = Begin(t, task.to, task.to_site);
  Emit(ReceiveEvent(ctx.time_ms, transfer, ContainerIds(task.items)), ctx);
  for (uint32_t box : task.items)
    world_.ApplyToContainer(box, Step::kReceive, ctx);

  Task unpack = task;
  unpack.kind = TaskKind::kUnpackCases;
  unpack.time_ms = ctx.time_ms + rng_.Range(1 * kMsPerHour, 12 * kMsPerHour);
  Schedule(std::move(unpack));
}

void Simulation::UnpackCases(const Task& task) {
  int64_t t = task.time_ms;
  for (uint32_t box : task.items) {
    const std::vector<uint32_t> units = world_.UnitsIn(box);
    if (units.empty()) continue;
    EventCtx ctx = Begin(t, task.to, task.to_site);
    Emit(
        AggregationEvent(ctx.time_ms, world_.parties[task.to], task.to_site,
                         /*add=*/false, ContainerIds({box})[0], UnitIds(units)),
        ctx);
    for (uint32_t unit : units) {
      world_.ApplyToUnit(unit, Step::kUnpack, ctx, false);
      world_.units[unit].container = kNone;
    }
    // Use on the ward: groups of 1-3 units dispensed, a few decommissioned
    // (damaged) or destroyed.
    for (size_t i = 0; i < units.size();) {
      const size_t n = std::min<size_t>(units.size() - i, 1 + rng_.Below(3));
      const uint64_t r = rng_.Below(100);
      Task use;
      use.kind = r < 3   ? TaskKind::kDecommission
                 : r < 5 ? TaskKind::kDestroy
                         : TaskKind::kDispense;
      use.time_ms = ctx.time_ms + rng_.Range(6 * kMsPerHour, 45 * kMsPerDay);
      use.to = task.to;
      use.to_site = task.to_site;
      use.items.assign(units.begin() + i, units.begin() + i + n);
      Schedule(std::move(use));
      i += n;
    }
  }
}

}  // namespace supplychain
