// The simulated world: parties, products, lots, units and containers, and the
// one place where an event's effect on a unit is decided (World::ApplyToUnit),
// including anomaly detection. Private to the generator. Not thread-safe.
#ifndef UDI_TOOLS_SUPPLYCHAIN_WORLD_H_
#define UDI_TOOLS_SUPPLYCHAIN_WORLD_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ledger/keys.h"
#include "supplychain/generator.h"

namespace supplychain {

constexpr uint32_t kNone = 0xffffffff;

enum class Role { kManufacturer, kDistributor, kDispenser, kRegulator };
const char* RoleName(Role role);

struct Site {
  std::string gln;
  std::string sgln;  // EPC URI, extension 0
  std::string key;   // canonical key "414/<gln>"
};

struct Party {
  Role role = Role::kManufacturer;
  std::string prefix;
  std::string gln;
  std::string name;
  std::string key_name;
  std::string pgln;
  int offset_minutes = 0;
  bool use_z = false;  // writes "Z" instead of "+00:00" when the offset is 0
  std::vector<Site> sites;
  ledger::SigningKey key;
  std::string key_id;

  // A read point at site `site`: the site SGLN with extension `ext` (e.g. "1"
  // receiving dock).
  std::string ReadPoint(size_t site, std::string_view ext) const;
};

// Builds the parties: manufacturers, distributors, dispensers, then the
// regulator.
std::vector<Party> BuildParties(const GeneratorOptions& options);
PartyInfo ToPartyInfo(const Party& party);

enum class UnitStatus : uint8_t {
  kCommissioned,
  kInTransit,
  kInStock,
  kDispensed,
  kDecommissioned,
  kRecalled,
  kDestroyed,
  kExpired,
};
const char* StatusName(UnitStatus status);

enum class Step : uint8_t {
  kCommission,
  kPack,
  kUnpack,
  kShip,
  kReceive,
  kDispense,
  kDecommission,
  kDestroy,
  kExpire,
  kQuarantine,  // holding / recalled: acknowledges a recall, changes nothing
};

enum class AnomalyKind : uint8_t {
  kDispensedTwice,
  kReceivedWithoutShipment,
  kShippedByNonCustodian,
  kEventAfterDecommissioning,
  kExpiredShipped,
  kRecalledMoved,
};
const char* AnomalyKindName(AnomalyKind kind);

// The n-th serial number of a product: decimal from 1000000, or 10 base-36
// characters through a bijection (so serials never repeat) for products with
// alphanumeric serials.
std::string SerialText(bool alphanumeric, uint64_t n);

struct Product {
  uint32_t manufacturer = 0;
  std::string gtin;
  bool alphanumeric_serials = false;
  int case_size = 12;
  int cases_per_pallet = 6;
  uint64_t next_serial = 0;
  int next_lot = 0;
};

struct Lot {
  uint32_t product = 0;
  std::string number;
  int64_t expiry_day = 0;  // days since the epoch
  uint16_t site = 0;       // plant
  int64_t produce_at_ms = 0;
  bool produced = false;
  bool recalled = false;
  uint32_t recall = kNone;  // index into World::recalls once recalled
  std::vector<uint32_t> units;
};

struct Unit {
  uint32_t lot = 0;
  uint64_t serial_number = 0;  // the n-th serial of its product (SerialText)
  UnitStatus status = UnitStatus::kCommissioned;
  bool shipment_pending = false;  // shipped and not yet received
  bool dispensed = false;
  uint32_t custodian = kNone;  // party index
  uint16_t site = 0;           // site of `location_party`
  uint32_t location_party = kNone;
  uint32_t container = kNone;  // case it is packed in
};

struct Container {
  bool pallet = false;
  uint32_t manufacturer = 0;  // whose prefix the SSCC uses
  std::string sscc;
  uint32_t parent = kNone;         // pallet a case is on
  std::vector<uint32_t> children;  // units of a case, cases of a pallet
};

struct Acknowledgement {
  uint32_t recall;
  uint32_t unit;
  uint32_t party;
  uint64_t seq;
  int64_t time_ms;
};

struct Anomaly {
  AnomalyKind kind;
  uint32_t unit;
  uint64_t seq;
};

struct Recall {
  uint64_t seq = 0;
  uint32_t signer = 0;
  uint32_t product = 0;
  std::vector<uint32_t> lots;
  std::string recall_class;
};

// Where and when an event happens, and who signs it.
struct EventCtx {
  uint64_t seq = 0;
  int64_t time_ms = 0;
  uint32_t signer = 0;
  uint16_t site = 0;  // a site of the signer
};

class World {
 public:
  World(std::vector<Party> parties, bool record_truth)
      : parties(std::move(parties)), record_truth_(record_truth) {}

  std::vector<Party> parties;
  std::vector<Product> products;
  std::vector<Lot> lots;
  std::vector<Unit> units;
  std::vector<Container> containers;
  std::vector<Anomaly> anomalies;
  // Recorded only with record_truth and options.recall_ack_rate > 0 (so the
  // truth of earlier options stays byte-identical).
  std::vector<Acknowledgement> acknowledgements;
  bool record_acknowledgements = false;
  std::vector<Recall> recalls;
  // Per unit, when recording truth: the events touching it, as seq << 1 |
  // inferred.
  std::vector<std::vector<uint64_t>> unit_events;

  const Party& ManufacturerOf(const Unit& u) const {
    return parties[products[lots[u.lot].product].manufacturer];
  }
  std::string Serial(const Unit& u) const;
  const Product& ProductOf(const Unit& u) const {
    return products[lots[u.lot].product];
  }
  bool Expired(const Lot& lot, int64_t time_ms) const;

  // The effect of one event on one unit (status, custody, location, anomalies,
  // truth).
  void ApplyToUnit(uint32_t unit, Step step, const EventCtx& ctx,
                   bool inferred);
  // Applies `step` to every unit inside container `c` (inferred) as it is
  // packed now.
  void ApplyToContainer(uint32_t c, Step step, const EventCtx& ctx);
  // Every unit inside container `c` now.
  std::vector<uint32_t> UnitsIn(uint32_t c) const;
  // Marks a lot recalled by the event `ctx`.
  void ApplyRecall(uint32_t lot);

  // Converts the world into the public truth; event_ids[seq] is the id of event
  // seq.
  GroundTruth BuildTruth(const std::vector<std::string>& event_ids,
                         uint64_t event_count) const;

 private:
  void Record(AnomalyKind kind, uint32_t unit, uint64_t seq) {
    anomalies.push_back({kind, unit, seq});
  }
  bool record_truth_;
};

}  // namespace supplychain

#endif  // UDI_TOOLS_SUPPLYCHAIN_WORLD_H_
