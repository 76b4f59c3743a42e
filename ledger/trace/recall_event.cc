// RecallSpecFromEvent: the recall a recall event declares (see trace.h).
#include <algorithm>

#include "ledger/gs1.h"
#include "ledger/trace/trace_internal.h"

namespace ledger::trace {
namespace {

Status CheckNotice(const nlohmann::json& event, const RecallSpec& spec) {
  auto it = event.find("udi:recall");
  if (it == event.end() || !it->is_object())
    return Status::InvalidArgument("event.udi:recall: required (an object)");
  const nlohmann::json& notice = *it;
  const std::string cls = notice.value("class", "");
  if (cls != "I" && cls != "II" && cls != "III") {
    return Status::InvalidArgument(
        "event.udi:recall.class: want \"I\", \"II\" or \"III\"");
  }
  auto reason = notice.find("reason");
  if (reason == notice.end() || !reason->is_string() ||
      reason->get<std::string>().empty()) {
    return Status::InvalidArgument(
        "event.udi:recall.reason: required (a non-empty string)");
  }
  if (auto gtin = notice.find("gtin"); gtin != notice.end()) {
    if (!gtin->is_string() || gtin->get<std::string>() != spec.gtin) {
      return Status::InvalidArgument(
          "event.udi:recall.gtin: does not match the quantityList GTIN " +
          spec.gtin);
    }
  }
  if (auto lots = notice.find("lots"); lots != notice.end()) {
    std::vector<std::string> want = spec.lots, got;
    if (!lots->is_array())
      return Status::InvalidArgument("event.udi:recall.lots: not an array");
    for (const auto& l : *lots) {
      if (!l.is_string())
        return Status::InvalidArgument("event.udi:recall.lots: not strings");
      got.push_back(l.get<std::string>());
    }
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    if (got != want) {
      return Status::InvalidArgument(
          "event.udi:recall.lots: do not match the quantityList lots");
    }
  }
  return Status::OK();
}

}  // namespace

Result<RecallSpec> RecallSpecFromEvent(const nlohmann::json& event,
                                       bool require_notice) {
  if (!event.is_object() || event.value("type", "") != "ObjectEvent")
    return Status::InvalidArgument("event.type: a recall is an ObjectEvent");
  Result<std::string> disp =
      epcis::NormalizeDisposition(event.value("disposition", ""));
  if (!disp.ok() || *disp != "recalled")
    return Status::InvalidArgument("event.disposition: want recalled");
  RecallSpec spec;
  if (auto list = event.find("quantityList"); list != event.end()) {
    for (size_t i = 0; list->is_array() && i < list->size(); ++i) {
      const std::string where =
          "event.quantityList[" + std::to_string(i) + "].epcClass";
      const nlohmann::json& q = (*list)[i];
      Result<gs1::Gs1Key> key =
          internal::ParseKeyOrUri(q.is_object() ? q.value("epcClass", "") : "");
      if (!key.ok()) return key.status().WithPrefix(where);
      if (key->kind != gs1::KeyKind::kLgtin) {
        return Status::InvalidArgument(
            where + ": name a lot (LGTIN); a whole GTIN is not exploded");
      }
      const std::string& gtin = key->parts[0].second;
      if (!spec.gtin.empty() && spec.gtin != gtin)
        return Status::InvalidArgument(where + ": one GTIN per recall");
      spec.gtin = gtin;
      spec.lots.push_back(key->parts[1].second);
    }
  }
  if (auto list = event.find("epcList"); list != event.end()) {
    for (const auto& id : *list) {
      if (id.is_string()) spec.ids.push_back(id.get<std::string>());
    }
  }
  if (spec.lots.empty() && spec.ids.empty()) {
    return Status::InvalidArgument(
        "event.quantityList: names no lot, and epcList no unit");
  }
  if (require_notice) LEDGER_RETURN_IF_ERROR(CheckNotice(event, spec));
  Result<int64_t> ms = epcis::ParseRfc3339Millis(event.value("eventTime", ""));
  if (!ms.ok()) return ms.status().WithPrefix("event.eventTime");
  spec.issued_ms = *ms;
  return spec;
}

}  // namespace ledger::trace
