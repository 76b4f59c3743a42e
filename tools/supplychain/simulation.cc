#include "tools/supplychain/simulation.h"

#include <algorithm>

#include "tools/supplychain/identifiers.h"

namespace supplychain {
namespace {

// Lots are produced over the first 176 days and nothing happens after day 180,
// so that the latest lots are still in transit or in stock at the end.
constexpr int64_t kProductionDays = 176;
constexpr int64_t kHorizonDays = 180;
const std::vector<int> kCaseSizes = {5, 10, 12, 20, 24};
const std::vector<int> kCasesPerPallet = {4, 6, 8, 10};
const std::vector<std::string> kHosts = {"https://id.gs1.org",
                                         "https://dl.udi-ledger.example"};

}  // namespace

Simulation::Simulation(const GeneratorOptions& options, World& world,
                       SigningPipeline& pipeline)
    : options_(options),
      world_(world),
      pipeline_(pipeline),
      rng_(Rng(options.seed).Fork("simulation")),
      next_sscc_(world.parties.size(), 0) {
  start_ms_ = DaysFromCivil(2026, 1, 5) * kMsPerDay;
  horizon_ms_ = start_ms_ + kHorizonDays * kMsPerDay;
  clock_ms_ = start_ms_;
  world_.record_acknowledgements = options.recall_ack_rate > 0;
}

void Simulation::Schedule(Task task) {
  task.order = next_order_++;
  queue_.push(std::move(task));
}

EventCtx Simulation::Begin(int64_t& t, uint32_t signer, uint16_t site) {
  EventCtx ctx;
  ctx.seq = pipeline_.count();
  ctx.time_ms = NextTime(t);
  ctx.signer = signer;
  ctx.site = site;
  clock_ms_ = ctx.time_ms;
  t = ctx.time_ms + rng_.Range(200, 5000);
  return ctx;
}

void Simulation::Plan() {
  // Products: 2-4 per manufacturer, GTIN-14 with indicator 0 under the maker's
  // prefix.
  for (uint32_t m = 0; m < world_.parties.size(); ++m) {
    const Party& maker = world_.parties[m];
    if (maker.role != Role::kManufacturer) continue;
    const int width = 12 - static_cast<int>(maker.prefix.size());
    uint64_t span = 1;
    for (int i = 0; i < width; ++i) span *= 10;
    const int count = 2 + static_cast<int>(rng_.Below(3));
    const uint64_t base = rng_.Below(span - count);
    for (int k = 0; k < count; ++k) {
      Product p;
      p.manufacturer = m;
      p.gtin = MakeGtin14('0', maker.prefix, base + k);
      p.alphanumeric_serials = rng_.Chance(0.4);
      p.case_size = rng_.Pick(kCaseSizes);
      p.cases_per_pallet = rng_.Pick(kCasesPerPallet);
      world_.products.push_back(std::move(p));
    }
  }
  // Lots until exactly options.units units are planned; produced evenly over
  // the production days.
  const uint64_t target = std::clamp<uint64_t>(options_.units / 20, 24, 2400);
  std::vector<uint64_t> sizes;
  uint64_t planned = 0;
  while (planned < options_.units) {
    Lot lot;
    lot.product = static_cast<uint32_t>(rng_.Below(world_.products.size()));
    const Product& product = world_.products[lot.product];
    const uint64_t cases = std::max<uint64_t>(
        1, (target / 2 + rng_.Below(target + 1)) / product.case_size);
    uint64_t size =
        std::min<uint64_t>(cases * product.case_size, options_.units - planned);
    if (options_.big_lot_units > 0 && world_.lots.empty()) {
      size = std::min<uint64_t>(options_.big_lot_units, options_.units);
    }
    lot.site = static_cast<uint16_t>(
        rng_.Below(world_.parties[product.manufacturer].sites.size()));
    planned += size;
    sizes.push_back(size);
    world_.lots.push_back(std::move(lot));
  }
  const int64_t slot =
      kProductionDays * kMsPerDay / static_cast<int64_t>(world_.lots.size());
  for (uint32_t i = 0; i < world_.lots.size(); ++i) {
    Task task;
    task.kind = TaskKind::kProduceLot;
    task.time_ms = start_ms_ + i * slot + rng_.Range(0, slot - 1);
    task.items = {i};
    task.number = sizes[i];
    world_.lots[i].produce_at_ms = task.time_ms;
    Schedule(std::move(task));
  }
  // Recalls: one per 25 lots unless given, at random times in days 40..150.
  const int recalls =
      options_.recalls >= 0
          ? options_.recalls
          : std::max<int>(1, static_cast<int>(world_.lots.size() / 25));
  for (int r = 0; r < recalls; ++r) {
    Task task;
    task.kind = TaskKind::kRecall;
    task.time_ms = start_ms_ + rng_.Range(40 * kMsPerDay, 150 * kMsPerDay);
    Schedule(std::move(task));
  }
}

void Simulation::Run() {
  Plan();
  while (!queue_.empty() && pipeline_.status().ok()) {
    Task task = queue_.top();
    queue_.pop();
    if (task.time_ms > horizon_ms_) break;
    switch (task.kind) {
      case TaskKind::kProduceLot:
        ProduceLot(task);
        break;
      case TaskKind::kShipPallet:
        ShipPallet(task);
        break;
      case TaskKind::kReceivePallet:
        ReceivePallet(task);
        break;
      case TaskKind::kUnpackPallet:
        UnpackPallet(task);
        break;
      case TaskKind::kShipCases:
        ShipCases(task);
        break;
      case TaskKind::kReceiveCases:
        ReceiveCases(task);
        break;
      case TaskKind::kUnpackCases:
        UnpackCases(task);
        break;
      case TaskKind::kDispense:
        Dispense(task, /*force=*/false);
        break;
      case TaskKind::kDispenseAgain:
        Dispense(task, /*force=*/true);
        break;
      case TaskKind::kDecommission:
        EndOfLife(task, /*destroy=*/false);
        break;
      case TaskKind::kDestroy:
        EndOfLife(task, /*destroy=*/true);
        break;
      case TaskKind::kRecall:
        IssueRecall(task);
        break;
      case TaskKind::kAcknowledgeRecall:
        AcknowledgeRecall(task);
        break;
    }
  }
}

Simulation::Form Simulation::PickForm() {
  const uint64_t r = rng_.Below(100);
  if (r < 60) return Form::kEpc;
  if (r < 85) return Form::kDigitalLink;
  return Form::kMixed;
}

const std::string& Simulation::DigitalLinkHost(size_t position) {
  return kHosts[position % 3 == 2 ? 1 : 0];
}

std::string Simulation::UnitId(uint32_t unit, Form form, size_t position) {
  const Unit& u = world_.units[unit];
  const Product& product = world_.ProductOf(u);
  if (form == Form::kEpc || (form == Form::kMixed && position % 2 == 0)) {
    return SgtinEpc(world_.ManufacturerOf(u).prefix, product.gtin,
                    world_.Serial(u));
  }
  return SgtinDigitalLink(DigitalLinkHost(position), product.gtin,
                          world_.Serial(u));
}

std::string Simulation::ContainerId(uint32_t container, Form form,
                                    size_t position) {
  const Container& c = world_.containers[container];
  if (form == Form::kEpc || (form == Form::kMixed && position % 2 == 1)) {
    return SsccEpc(world_.parties[c.manufacturer].prefix, c.sscc);
  }
  return SsccDigitalLink(DigitalLinkHost(position), c.sscc);
}

Ids Simulation::UnitIds(const std::vector<uint32_t>& units) {
  const Form form = PickForm();
  Ids ids;
  for (size_t i = 0; i < units.size(); ++i)
    ids.push_back(UnitId(units[i], form, i));
  return ids;
}

Ids Simulation::ContainerIds(const std::vector<uint32_t>& containers) {
  const Form form = PickForm();
  Ids ids;
  for (size_t i = 0; i < containers.size(); ++i)
    ids.push_back(ContainerId(containers[i], form, i));
  return ids;
}

bool Simulation::MayMove(const std::vector<uint32_t>& units, int64_t time_ms,
                         bool* expired, bool* recalled) {
  *expired = false;
  *recalled = false;
  for (uint32_t unit : units) {
    const Lot& lot = world_.lots[world_.units[unit].lot];
    *recalled = *recalled || lot.recalled;
    *expired = *expired || world_.Expired(lot, time_ms);
  }
  if (!*expired && !*recalled) return true;
  return rng_.Chance(options_.anomaly_rate);
}

uint32_t Simulation::RandomParty(Role role) {
  std::vector<uint32_t> candidates;
  for (uint32_t i = 0; i < world_.parties.size(); ++i) {
    if (world_.parties[i].role == role) candidates.push_back(i);
  }
  return rng_.Pick(candidates);
}

uint32_t Simulation::OtherParty(uint32_t custodian, uint32_t destination) {
  std::vector<uint32_t> candidates;
  for (uint32_t i = 0; i < world_.parties.size(); ++i) {
    if (i != custodian && i != destination &&
        world_.parties[i].role != Role::kRegulator) {
      candidates.push_back(i);
    }
  }
  return rng_.Pick(candidates);
}

uint32_t Simulation::NewContainer(bool pallet, uint32_t manufacturer) {
  const Party& maker = world_.parties[manufacturer];
  const int width = 16 - static_cast<int>(maker.prefix.size());
  uint64_t span = 1;
  for (int i = 0; i < width; ++i) span *= 10;
  const uint64_t n = next_sscc_[manufacturer]++;
  Container c;
  c.pallet = pallet;
  c.manufacturer = manufacturer;
  c.sscc = MakeSscc(static_cast<char>('0' + (n / span) % 10), maker.prefix,
                    n % span);
  world_.containers.push_back(std::move(c));
  return static_cast<uint32_t>(world_.containers.size() - 1);
}

}  // namespace supplychain
