// VerifyUnit: an EU FMD / DSCSA style verification answer for one unit.
#include "ledger/gs1.h"
#include "ledger/trace/trace_internal.h"

namespace ledger::trace {
namespace {

// YYYY-MM-DD, or GS1 YYMMDD (day 00 = end of month) expanded with the sliding
// century window.
Result<std::string> NormalizeExpiry(const std::string& expiry, int64_t now_ms) {
  if (expiry.size() == 10 && internal::ExpiryEndMs(expiry)) return expiry;
  if (expiry.size() == 6) {
    const int year = 1970 + static_cast<int>(now_ms / (365.2425 * 86'400'000));
    Result<std::string> full = gs1::ExpandYymmdd(expiry, year, true);
    if (!full.ok()) return full.status().WithPrefix("expiry");
    return full;
  }
  return Status::InvalidArgument("expiry: '" + expiry +
                                 "' is neither YYYY-MM-DD nor YYMMDD");
}

// Lot (AI 10) and expiry (AI 17) a Digital Link carries, for arguments not
// given.
void FillFromDigitalLink(std::string_view id, std::optional<std::string>* lot,
                         std::optional<std::string>* expiry) {
  if (id.rfind("http", 0) != 0) return;
  Result<gs1::DigitalLink> dl = gs1::ParseDigitalLink(id);
  if (!dl.ok()) return;
  for (const auto& [ai, value] : dl->path) {
    if (ai == "10" && !lot->has_value()) *lot = value;
  }
  for (const auto& [ai, value] : dl->attributes) {
    if (ai == "17" && !expiry->has_value()) *expiry = value;
  }
}

void Judge(const CustodyChain& chain, int64_t now_ms, UnitVerification* v) {
  v->status = chain.status;
  v->recalled = !chain.recalls.empty() || chain.status == UnitStatus::kRecalled;
  for (const Hop& h : chain.hops) {
    if (h.biz_step == "dispensing" || h.disposition == "dispensed")
      v->dispensed = true;
  }
  std::optional<int64_t> end = internal::ExpiryEndMs(chain.expiry);
  v->expired = end && now_ms >= *end;
  if (!v->exists) v->reasons.push_back("unknown to the logs");
  if (v->exists && chain.commissioned_by.gln.empty())
    v->reasons.push_back("never commissioned");
  if (v->lot_matches == false)
    v->reasons.push_back("lot does not match " + chain.lot);
  if (v->expiry_matches == false)
    v->reasons.push_back("expiry does not match " + chain.expiry);
  if (v->recalled) v->reasons.push_back("recalled");
  if (v->expired) v->reasons.push_back("expired");
  if (chain.status != UnitStatus::kCommissioned &&
      chain.status != UnitStatus::kInTransit &&
      chain.status != UnitStatus::kInStock &&
      chain.status != UnitStatus::kRecalled) {
    v->reasons.push_back(std::string("status ") + UnitStatusName(chain.status));
  }
  v->active = v->reasons.empty();
}

}  // namespace

Result<UnitVerification> VerifyUnit(const std::vector<const Log*>& logs,
                                    std::string_view id,
                                    std::optional<std::string> lot,
                                    std::optional<std::string> expiry,
                                    int64_t now_ms) {
  FillFromDigitalLink(id, &lot, &expiry);
  if (expiry) {
    Result<std::string> normalized = NormalizeExpiry(*expiry, now_ms);
    if (!normalized.ok()) return normalized.status();
    expiry = *normalized;
  }
  Result<CustodyChain> chain = Trace(logs, id);
  if (!chain.ok()) return chain.status();
  UnitVerification v;
  v.key = chain->key;
  v.coverage = chain->coverage;
  v.exists = !chain->hops.empty();
  v.commissioned_by = chain->commissioned_by;
  v.lot = chain->lot;
  v.expiry = chain->expiry;
  if (lot) v.lot_matches = v.exists && *lot == chain->lot;
  if (expiry) v.expiry_matches = v.exists && *expiry == chain->expiry;
  Judge(*chain, now_ms, &v);
  return v;
}

}  // namespace ledger::trace
