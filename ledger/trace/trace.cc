// Trace: a unit's chain of custody, and its JSON form.
#include "ledger/trace.h"

#include "ledger/trace/trace_internal.h"

namespace ledger::trace {
namespace {

using nlohmann::json;

json OrNull(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

json PartyJson(const PartyRef& p) {
  return {{"gln", OrNull(p.gln)}, {"name", OrNull(p.name)}};
}

json HopJson(const Hop& h) {
  return {{"eventId", h.event_id},
          {"origin", h.origin},
          {"index", h.index},
          {"type", h.event_type},
          {"eventTime", h.event_time},
          {"action", OrNull(h.action)},
          {"bizStep", OrNull(h.biz_step)},
          {"disposition", OrNull(h.disposition)},
          {"bizLocation", OrNull(h.biz_location)},
          {"readPoint", OrNull(h.read_point)},
          {"sourceList", h.source_list},
          {"destinationList", h.destination_list},
          {"bizTransactionList", h.biz_transaction_list},
          {"signer", h.signer},
          {"inferred", h.inferred},
          {"via", OrNull(h.via)}};
}

}  // namespace

namespace internal {
json CoverageJsonList(const std::vector<Coverage>& coverage) {
  json out = json::array();
  for (const Coverage& c : coverage)
    out.push_back({{"origin", c.origin}, {"size", c.size}});
  return out;
}
}  // namespace internal

json CustodyChain::ToJson() const {
  json hop_list = json::array();
  for (const Hop& h : hops) hop_list.push_back(HopJson(h));
  json anomaly_list = json::array();
  for (const Anomaly& a : anomalies) {
    anomaly_list.push_back(
        {{"kind", a.kind}, {"eventId", a.event_id}, {"detail", a.detail}});
  }
  return {{"key", key},
          {"status", UnitStatusName(status)},
          {"custodian", PartyJson(custodian)},
          {"location", OrNull(location)},
          {"lot", OrNull(lot)},
          {"expiry", OrNull(expiry)},
          {"commissionedBy", PartyJson(commissioned_by)},
          {"hops", std::move(hop_list)},
          {"anomalies", std::move(anomaly_list)},
          {"recalls", recalls},
          {"superseded", superseded},
          {"coverage", internal::CoverageJsonList(coverage)}};
}

namespace internal {
Result<CustodyChain> TraceWith(Reader& reader, std::string_view id) {
  Result<gs1::Gs1Key> key = ParseKeyOrUri(id);
  if (!key.ok()) return key.status().WithPrefix("id");
  if (!key->is_instance()) {
    return Status::InvalidArgument(
        "id: '" + std::string(id) +
        "' names a class of items, not one instance");
  }
  return BuildChain(reader, key->ToString(), /*with_lists=*/true);
}
}  // namespace internal

Result<CustodyChain> TraceAtSizes(const std::vector<const Log*>& logs,
                                  const std::vector<uint64_t>& sizes,
                                  std::string_view id) {
  if (sizes.size() != logs.size()) {
    return Status::InvalidArgument("sizes: " + std::to_string(sizes.size()) +
                                   " sizes for " + std::to_string(logs.size()) +
                                   " logs");
  }
  std::vector<std::unique_ptr<internal::Source>> sources;
  for (size_t i = 0; i < logs.size(); ++i) {
    if (sizes[i] > logs[i]->LatestCheckpoint().size) {
      return Status::InvalidArgument(
          "sizes[" + std::to_string(i) + "]: " + std::to_string(sizes[i]) +
          " is beyond the checkpoint of " + logs[i]->origin());
    }
    sources.push_back(std::make_unique<internal::LogSource>(logs[i], sizes[i]));
  }
  internal::Reader reader(internal::Pointers(sources));
  return internal::TraceWith(reader, id);
}

Result<CustodyChain> Trace(const std::vector<const Log*>& logs,
                           std::string_view id) {
  std::vector<std::unique_ptr<internal::Source>> sources =
      internal::SourcesOf(logs);
  internal::Reader reader(internal::Pointers(sources));
  return internal::TraceWith(reader, id);
}

}  // namespace ledger::trace
