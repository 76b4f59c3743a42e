#include "tools/supplychain/world.h"

#include "tools/supplychain/identifiers.h"

namespace supplychain {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kManufacturer:
      return "manufacturer";
    case Role::kDistributor:
      return "distributor";
    case Role::kDispenser:
      return "dispenser";
    case Role::kRegulator:
      return "regulator";
  }
  return "?";
}

const char* StatusName(UnitStatus status) {
  switch (status) {
    case UnitStatus::kCommissioned:
      return "commissioned";
    case UnitStatus::kInTransit:
      return "in_transit";
    case UnitStatus::kInStock:
      return "in_stock";
    case UnitStatus::kDispensed:
      return "dispensed";
    case UnitStatus::kDecommissioned:
      return "decommissioned";
    case UnitStatus::kRecalled:
      return "recalled";
    case UnitStatus::kDestroyed:
      return "destroyed";
    case UnitStatus::kExpired:
      return "expired";
  }
  return "?";
}

const char* AnomalyKindName(AnomalyKind kind) {
  switch (kind) {
    case AnomalyKind::kDispensedTwice:
      return "dispensed_twice";
    case AnomalyKind::kReceivedWithoutShipment:
      return "received_without_shipment";
    case AnomalyKind::kShippedByNonCustodian:
      return "shipped_by_non_custodian";
    case AnomalyKind::kEventAfterDecommissioning:
      return "event_after_decommissioning";
    case AnomalyKind::kExpiredShipped:
      return "expired_shipped";
    case AnomalyKind::kRecalledMoved:
      return "recalled_moved";
  }
  return "?";
}

std::string Party::ReadPoint(size_t site, std::string_view ext) const {
  return SglnEpc(prefix, sites[site].gln, ext);
}

std::string SerialText(bool alphanumeric, uint64_t n) {
  if (!alphanumeric) return std::to_string(1000000 + n);
  // n -> (n * 1000000007 + 12345) mod 36^10 is a bijection (the multiplier is
  // coprime to 36).
  constexpr uint64_t kSpace = 3656158440062976ULL;  // 36^10
  static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  uint64_t v = static_cast<uint64_t>(
      (static_cast<unsigned __int128>(n) * 1000000007ULL + 12345) % kSpace);
  std::string s(10, '0');
  for (int i = 9; i >= 0; --i, v /= 36) s[i] = kDigits[v % 36];
  return s;
}

std::string World::Serial(const Unit& u) const {
  return SerialText(ProductOf(u).alphanumeric_serials, u.serial_number);
}

bool World::Expired(const Lot& lot, int64_t time_ms) const {
  return time_ms >= (lot.expiry_day + 1) * kMsPerDay;
}

void World::ApplyToUnit(uint32_t unit, Step step, const EventCtx& ctx,
                        bool inferred) {
  Unit& u = units[unit];
  const Lot& lot = lots[u.lot];
  if (record_truth_) {
    if (unit_events.size() <= unit) unit_events.resize(units.size());
    unit_events[unit].push_back(ctx.seq << 1 | (inferred ? 1 : 0));
  }
  if (u.status == UnitStatus::kDecommissioned ||
      u.status == UnitStatus::kDestroyed) {
    Record(AnomalyKind::kEventAfterDecommissioning, unit, ctx.seq);
  }
  if (record_truth_ && record_acknowledgements && lot.recalled &&
      ctx.signer == u.custodian &&
      (step == Step::kQuarantine || step == Step::kDestroy ||
       step == Step::kDecommission)) {
    acknowledgements.push_back(
        {lot.recall, unit, ctx.signer, ctx.seq, ctx.time_ms});
  }
  switch (step) {
    case Step::kCommission:
      u.status = UnitStatus::kCommissioned;
      u.custodian = ctx.signer;
      u.location_party = ctx.signer;
      u.site = ctx.site;
      u.shipment_pending = false;
      break;
    case Step::kPack:
    case Step::kUnpack:
    case Step::kQuarantine:
      break;
    case Step::kShip:
      if (ctx.signer != u.custodian)
        Record(AnomalyKind::kShippedByNonCustodian, unit, ctx.seq);
      if (lot.recalled) Record(AnomalyKind::kRecalledMoved, unit, ctx.seq);
      if (Expired(lot, ctx.time_ms))
        Record(AnomalyKind::kExpiredShipped, unit, ctx.seq);
      u.shipment_pending = true;
      if (u.status != UnitStatus::kRecalled) u.status = UnitStatus::kInTransit;
      break;
    case Step::kReceive:
      if (!u.shipment_pending)
        Record(AnomalyKind::kReceivedWithoutShipment, unit, ctx.seq);
      u.shipment_pending = false;
      u.custodian = ctx.signer;
      u.location_party = ctx.signer;
      u.site = ctx.site;
      if (u.status != UnitStatus::kRecalled) u.status = UnitStatus::kInStock;
      break;
    case Step::kDispense:
      if (u.dispensed) Record(AnomalyKind::kDispensedTwice, unit, ctx.seq);
      if (lot.recalled) Record(AnomalyKind::kRecalledMoved, unit, ctx.seq);
      u.dispensed = true;
      u.status = UnitStatus::kDispensed;
      break;
    case Step::kDecommission:
      u.status = UnitStatus::kDecommissioned;
      break;
    case Step::kDestroy:
      u.status = UnitStatus::kDestroyed;
      break;
    case Step::kExpire:
      u.status = UnitStatus::kExpired;
      break;
  }
}

std::vector<uint32_t> World::UnitsIn(uint32_t c) const {
  std::vector<uint32_t> out;
  const Container& box = containers[c];
  for (uint32_t child : box.children) {
    if (box.pallet) {
      if (containers[child].parent != c) continue;
      for (uint32_t unit : containers[child].children) {
        if (units[unit].container == child) out.push_back(unit);
      }
    } else if (units[child].container == c) {
      out.push_back(child);
    }
  }
  return out;
}

void World::ApplyToContainer(uint32_t c, Step step, const EventCtx& ctx) {
  for (uint32_t unit : UnitsIn(c))
    ApplyToUnit(unit, step, ctx, /*inferred=*/true);
}

void World::ApplyRecall(uint32_t lot) {
  lots[lot].recalled = true;
  for (uint32_t unit : lots[lot].units) {
    UnitStatus& s = units[unit].status;
    if (s == UnitStatus::kCommissioned || s == UnitStatus::kInTransit ||
        s == UnitStatus::kInStock) {
      s = UnitStatus::kRecalled;
    }
  }
}

GroundTruth World::BuildTruth(const std::vector<std::string>& event_ids,
                              uint64_t event_count) const {
  GroundTruth truth;
  truth.event_count = event_count;
  if (!record_truth_) return truth;
  auto unit_key = [&](uint32_t i) {
    return SgtinKey(ProductOf(units[i]).gtin, Serial(units[i]));
  };
  truth.units.reserve(units.size());
  for (uint32_t i = 0; i < units.size(); ++i) {
    const Unit& u = units[i];
    const Product& product = ProductOf(u);
    const Party& maker = ManufacturerOf(u);
    UnitTruth t;
    t.key = unit_key(i);
    const std::string serial = Serial(u);
    t.epc = SgtinEpc(maker.prefix, product.gtin, serial);
    t.digital_link =
        SgtinDigitalLink("https://id.gs1.org", product.gtin, serial);
    t.lot_key = LgtinKey(product.gtin, lots[u.lot].number);
    t.manufacturer = maker.gln;
    t.status = StatusName(u.status);
    t.custodian = parties[u.custodian].gln;
    t.location = parties[u.location_party].sites[u.site].key;
    t.location_epc = parties[u.location_party].sites[u.site].sgln;
    for (uint64_t e :
         i < unit_events.size() ? unit_events[i] : std::vector<uint64_t>{})
      t.events.push_back({event_ids[e >> 1], (e & 1) != 0});
    t.in_recall = lots[u.lot].recalled;
    truth.units.push_back(std::move(t));
  }
  for (const Lot& lot : lots) {
    if (!lot.produced) continue;
    const Product& product = products[lot.product];
    LotTruth t;
    t.key = LgtinKey(product.gtin, lot.number);
    t.gtin = product.gtin;
    t.lot = lot.number;
    t.expiry = FormatDate(lot.expiry_day);
    t.manufacturer = parties[product.manufacturer].gln;
    for (uint32_t unit : lot.units) t.units.push_back(unit_key(unit));
    truth.lots.push_back(std::move(t));
  }
  for (const Anomaly& a : anomalies) {
    truth.anomalies.push_back(
        {AnomalyKindName(a.kind), unit_key(a.unit), event_ids[a.seq]});
  }
  for (const Recall& r : recalls) {
    RecallTruth t;
    t.event_id = event_ids[r.seq];
    t.signer = parties[r.signer].gln;
    t.gtin = products[r.product].gtin;
    t.recall_class = r.recall_class;
    for (uint32_t lot : r.lots) {
      t.lots.push_back(lots[lot].number);
      for (uint32_t unit : lots[lot].units) t.units.push_back(unit_key(unit));
    }
    truth.recalls.push_back(std::move(t));
  }
  for (const Acknowledgement& a : acknowledgements) {
    truth.recalls[a.recall].acknowledgements.push_back(
        {unit_key(a.unit), parties[a.party].gln, event_ids[a.seq], a.time_ms});
  }
  return truth;
}

}  // namespace supplychain
