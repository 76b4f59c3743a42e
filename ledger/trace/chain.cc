// BuildChain: the status rules and anomaly checks over a unit's touches (see
// trace.h).
#include <algorithm>
#include <unordered_map>

#include "ledger/gs1.h"
#include "ledger/trace/trace_internal.h"

namespace ledger::trace::internal {
namespace {

using namespace std::string_view_literals;

bool HeldOrMoving(UnitStatus s) {
  return s == UnitStatus::kCommissioned || s == UnitStatus::kInTransit ||
         s == UnitStatus::kInStock;
}

// A list member's text parsed, or [] when absent or not an array.
nlohmann::json ListOrEmpty(const std::string& text) {
  if (text.empty()) return nlohmann::json::array();
  nlohmann::json list =
      nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return list.is_array() ? list : nlohmann::json::array();
}

}  // namespace

const std::string& EventRecord::LocationKey() const {
  if (!location_key_valid_) {
    // Events name few places (a site's SGLN goes to the full GS1 parser), and
    // a recall decodes ~100k events: each place's key is computed once per
    // thread (at most kMemo places are kept, against text naming endless
    // ones).
    constexpr size_t kMemo = 4096;
    thread_local std::unordered_map<std::string, std::string> memo;
    if (auto it = memo.find(biz_location); it != memo.end()) {
      location_key_.assign(it->second);
    } else {
      KeyInto(biz_location, &location_key_);
      if (memo.size() < kMemo) memo.emplace(biz_location, location_key_);
    }
    location_key_valid_ = true;
  }
  return location_key_;
}

// Receiver of a receiving event: destination possessing party, else owning
// party, else signer.
const std::string& EventRecord::ReceiverGln() const {
  if (receiver_gln_) return *receiver_gln_;
  for (const std::optional<std::string>* party :
       {&destination_possessing, &destination_owning}) {
    if (!*party) continue;
    std::string gln = GlnOf(**party);
    if (!gln.empty()) return *(receiver_gln_ = std::move(gln));
  }
  return *(receiver_gln_ = signer_gln);
}

// The commissioning events of a case's worth of units are shared by them:
// the key is built once per GTIN asked (one, in practice).
const std::string& EventRecord::LotKey(const std::string& gtin) const {
  if (!lot_key_ || lot_key_->first != gtin) {
    std::string key;
    if (!ilmd_lot.empty()) {
      key = gs1::Gs1Key{gs1::KeyKind::kLgtin, {{"01", gtin}, {"10", ilmd_lot}}}
                .ToString();
    }
    lot_key_.emplace(gtin, std::move(key));
  }
  return lot_key_->second;
}

namespace {

Hop MakeHop(const Reader& reader, const Touch& t, bool with_lists) {
  const EventRecord& r = *t.record;
  Hop h;
  h.event_id = r.EventId();
  h.origin = reader.origin(r.log);
  h.index = r.index;
  h.event_type = epcis::EventTypeName(r.facts.type);
  h.event_time = r.facts.event_time;
  h.event_time_ms = r.facts.event_time_ms;
  h.action = r.facts.action;
  h.biz_step = r.facts.biz_step;
  h.disposition = r.facts.disposition;
  h.biz_location = r.biz_location;
  h.read_point = r.read_point;
  if (with_lists) {
    h.source_list = ListOrEmpty(r.source_list_text);
    h.destination_list = ListOrEmpty(r.destination_list_text);
    h.biz_transaction_list = ListOrEmpty(r.biz_transaction_list_text);
  }
  h.signer = r.signer;
  h.signed_by = reader.Party(r.signer_gln);
  h.inferred = t.inferred;
  h.via = std::string(t.via);
  return h;
}

std::string Describe(const PartyRef& p) {
  if (p.gln.empty()) return "an unregistered signer";
  return p.name.empty() ? p.gln : p.gln + " (" + p.name + ")";
}

class StateMachine {
 public:
  // With `summary`, only status, custodian, location and commissioned_by.gln
  // are kept (BuildChain with `applied`): no anomalies, recall ids, lot or
  // expiry are copied into the chain.
  StateMachine(Reader& reader, CustodyChain* chain, bool summary)
      : reader_(reader), chain_(chain), summary_(summary) {}
  const std::string& custodian() const { return custodian_; }
  // Key of the last bizLocation applied (nullptr if none): points into an
  // EventRecord the Reader holds.
  const std::string* location() const { return location_; }

  void Recall(const EventRecord& r) {
    recalled_lot_ = true;
    if (!summary_) chain_->recalls.push_back(r.EventId());
    if (HeldOrMoving(chain_->status)) chain_->status = UnitStatus::kRecalled;
  }

  void Apply(const EventRecord& r) {
    const std::string& step = r.facts.biz_step;
    const std::string& disp = r.facts.disposition;
    UnitStatus& s = chain_->status;
    if (!summary_ &&
        (s == UnitStatus::kDecommissioned || s == UnitStatus::kDestroyed)) {
      Flag("event_after_decommissioning", r,
           std::string(step.empty() ? "an event" : step) +
               " after the unit was " + UnitStatusName(s));
    }
    // The location is copied once, at the end (location()).
    const std::string& location = r.LocationKey();
    if (!location.empty()) location_ = &location;
    if (step == "commissioning"sv) {
      Commission(r);
    } else if (step == "shipping"sv) {
      Ship(r);
    } else if (step == "receiving"sv) {
      Receive(r);
    } else if (step == "dispensing"sv || disp == "dispensed"sv) {
      if (!summary_) {
        if (dispensed_) Flag("dispensed_twice", r, "dispensed again");
        if (recalled_lot_)
          Flag("recalled_moved", r, "dispensed after a recall of its lot");
      }
      dispensed_ = true;
      s = UnitStatus::kDispensed;
    } else if (step == "destroying"sv || disp == "destroyed"sv) {
      s = UnitStatus::kDestroyed;
    } else if (step == "decommissioning"sv || disp == "inactive"sv ||
               (r.facts.type == epcis::EventType::kObjectEvent &&
                r.facts.action == "DELETE"sv)) {
      s = UnitStatus::kDecommissioned;
    } else if (disp == "expired"sv) {
      s = UnitStatus::kExpired;
    } else if (disp == "recalled"sv) {
      s = UnitStatus::kRecalled;
    }
  }

 private:
  void Flag(const char* kind, const EventRecord& r, std::string detail) {
    chain_->anomalies.push_back({kind, r.EventId(), std::move(detail)});
  }

  bool ExpiredAt(int64_t ms) const {
    return expiry_end_ms_ && ms >= *expiry_end_ms_;
  }

  void Commission(const EventRecord& r) {
    if (summary_) {
      chain_->commissioned_by.gln = r.signer_gln;
    } else {
      if (chain_->lot.empty()) chain_->lot = r.ilmd_lot;
      if (chain_->expiry.empty()) {
        chain_->expiry = r.ilmd_expiry;
        expiry_end_ms_ = ExpiryEndMs(chain_->expiry);
      }
      chain_->commissioned_by = reader_.Party(r.signer_gln);
    }
    custodian_ = r.signer_gln;
    pending_shipment_ = false;
    chain_->status = UnitStatus::kCommissioned;
  }

  void Ship(const EventRecord& r) {
    if (!summary_) ShipFlags(r);
    pending_shipment_ = true;
    if (chain_->status != UnitStatus::kRecalled)
      chain_->status = UnitStatus::kInTransit;
  }

  void ShipFlags(const EventRecord& r) {
    if (r.signer_gln != custodian_) {
      Flag("shipped_by_non_custodian", r,
           "shipped by " + Describe(reader_.Party(r.signer_gln)) +
               " while the custodian is " +
               Describe(reader_.Party(custodian_)));
    }
    if (recalled_lot_)
      Flag("recalled_moved", r, "shipped after a recall of its lot");
    if (ExpiredAt(r.facts.event_time_ms)) {
      Flag("expired_shipped", r,
           "shipped at " + r.facts.event_time + " after expiry " +
               chain_->expiry);
    }
  }

  void Receive(const EventRecord& r) {
    if (!pending_shipment_ && !summary_) {
      Flag("received_without_shipment", r,
           "received by " + Describe(reader_.Party(r.signer_gln)) +
               " with no shipment since its last receipt or commissioning");
    }
    pending_shipment_ = false;
    custodian_ = r.ReceiverGln();
    if (chain_->status != UnitStatus::kRecalled)
      chain_->status = UnitStatus::kInStock;
  }

  Reader& reader_;
  CustodyChain* chain_;
  const bool summary_;
  bool pending_shipment_ = false;
  bool dispensed_ = false;
  bool recalled_lot_ = false;
  std::optional<int64_t> expiry_end_ms_;
  std::string custodian_;  // GLN
  const std::string* location_ = nullptr;
};

// The unit's lot key from its commissioning touch ("" if unknown): a
// reference into the commissioning record (alive as long as the Reader).
const std::string& LotKeyOf(const std::string& key,
                            const std::vector<Touch>& touches,
                            std::string* gtin) {
  static const std::string kNoKey;
  if (key.rfind("01/", 0) != 0 || key.size() < 17) return kNoKey;
  *gtin = key.substr(3, 14);
  for (const Touch& t : touches) {
    if (t.record->superseded || t.record->facts.biz_step != "commissioning"sv)
      continue;
    return t.record->LotKey(*gtin);
  }
  return kNoKey;
}

}  // namespace

Result<CustodyChain> BuildChain(Reader& reader, const std::string& key,
                                bool with_lists,
                                std::vector<const EventRecord*>* applied) {
  CustodyChain chain;
  if (applied == nullptr) {
    chain.key = key;
    chain.coverage = reader.coverage();
  }
  Result<std::vector<Touch>> touches = CollectTouches(reader, key);
  if (!touches.ok()) return touches.status();
  std::string gtin;
  const std::string& lot_key = LotKeyOf(key, *touches, &gtin);
  static const std::vector<const EventRecord*> kNone;
  const std::vector<const EventRecord*>* recalls = &kNone;
  if (!gtin.empty()) {
    Result<const std::vector<const EventRecord*>*> found =
        RecallEvents(reader, gtin, lot_key);
    if (!found.ok()) return found.status();
    recalls = *found;
  }
  StateMachine state(reader, &chain, /*summary=*/applied != nullptr);
  size_t next_recall = 0;
  bool any_hop = false;
  for (const Touch& t : *touches) {
    while (next_recall < recalls->size() &&
           (*recalls)[next_recall]->pos() < t.record->pos()) {
      state.Recall(*(*recalls)[next_recall++]);
    }
    if (t.record->superseded) {
      if (applied == nullptr) chain.superseded.push_back(t.record->EventId());
      continue;
    }
    state.Apply(*t.record);
    any_hop = true;
    if (applied != nullptr) {
      applied->push_back(t.record);
    } else {
      chain.hops.push_back(MakeHop(reader, t, with_lists));
    }
  }
  while (next_recall < recalls->size())
    state.Recall(*(*recalls)[next_recall++]);
  if (any_hop) chain.custodian = reader.Party(state.custodian());
  if (state.location() != nullptr) chain.location = *state.location();
  return chain;
}

}  // namespace ledger::trace::internal
