#include "api/query.h"

#include <algorithm>
#include <charconv>

#include "ledger/bytes.h"
#include "ledger/gs1.h"

namespace api {

namespace {

using ledger::Status;

std::vector<std::string> SplitBar(std::string_view v) {
  std::vector<std::string> out;
  while (true) {
    size_t bar = v.find('|');
    out.emplace_back(v.substr(0, bar));
    if (bar == std::string_view::npos) break;
    v.remove_prefix(bar + 1);
  }
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

template <typename F>
ledger::Status ParseList(std::string_view name, std::string_view value,
                         F normalise, std::vector<std::string>* out) {
  for (const auto& v : SplitBar(value)) {
    if (v.empty())
      return Status::InvalidArgument(std::string(name) + ": empty value");
    auto key = normalise(v);
    if (!key.ok()) return key.status().WithPrefix(name);
    out->push_back(std::move(*key));
  }
  return Status::OK();
}

bool Contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

bool AnyIn(const std::vector<std::string>& wanted,
           const std::vector<std::string>& have) {
  for (const auto& w : wanted) {
    if (Contains(have, w)) return true;
  }
  return false;
}

ledger::Result<std::string> ParseEventTypeName(std::string_view v) {
  for (auto t : {ledger::epcis::EventType::kObjectEvent,
                 ledger::epcis::EventType::kAggregationEvent,
                 ledger::epcis::EventType::kTransactionEvent,
                 ledger::epcis::EventType::kTransformationEvent,
                 ledger::epcis::EventType::kAssociationEvent}) {
    if (v == ledger::epcis::EventTypeName(t)) return std::string(v);
  }
  return Status::InvalidArgument(
      "not an EPCIS event type (ObjectEvent, AggregationEvent, "
      "TransactionEvent, TransformationEvent, AssociationEvent)");
}

ledger::Result<size_t> ParsePerPage(std::string_view v, size_t max) {
  size_t n = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || n == 0 ||
      n > max) {
    return Status::InvalidArgument("perPage: want an integer from 1 to " +
                                   std::to_string(max));
  }
  return n;
}

std::string Fingerprint(const Request& request) {
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& p : request.query) {
    if (p.first != "perPage" && p.first != "nextPageToken") params.push_back(p);
  }
  std::sort(params.begin(), params.end());
  std::string joined;
  for (const auto& [k, v] : params) joined += k + "=" + v + "&";
  return ledger::ToHex(ledger::Sha256(joined)).substr(0, 16);
}

// Token text: "<fingerprint>.<r|e><a|d>.<time ms>.<index>".
ledger::Result<QueryPosition> DecodePageToken(const EventQuery& q,
                                              std::string_view token) {
  auto bad = Status::InvalidArgument("nextPageToken: malformed");
  auto parts = std::vector<std::string>();
  for (size_t start = 0;;) {
    size_t dot = token.find('.', start);
    parts.emplace_back(token.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 4) return bad;
  std::string mode =
      std::string(q.order == QueryOrder::kEventTime ? "e" : "r") +
      (q.descending ? "d" : "a");
  if (parts[0] != q.fingerprint || parts[1] != mode) {
    return Status::InvalidArgument(
        "nextPageToken: belongs to a different query");
  }
  QueryPosition p;
  auto r1 = std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(),
                            p.time_ms);
  auto r2 = std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(),
                            p.index);
  if (r1.ec != std::errc() || r1.ptr != parts[2].data() + parts[2].size() ||
      r2.ec != std::errc() || r2.ptr != parts[3].data() + parts[3].size()) {
    return bad;
  }
  return p;
}

}  // namespace

ledger::Result<std::string> IdentifierKey(std::string_view value) {
  auto key = ledger::gs1::ParseIdentifier(value);
  if (key.ok()) return key->ToString();
  if (StartsWith(value, "urn:epc:"))
    return key.status();  // a malformed EPC URI
  if (value.find(':') == std::string_view::npos) {
    return Status::InvalidArgument(
        "not an EPC URI, GS1 Digital Link URI or other URI");
  }
  return std::string(value);  // another URI: indexed verbatim
}

ledger::Result<EventQuery> ParseEventQuery(const Request& request,
                                           size_t default_page_size,
                                           size_t max_page_size) {
  EventQuery q;
  q.per_page = default_page_size;
  q.fingerprint = Fingerprint(request);
  bool direction_given = false;
  std::optional<std::string> token;
  auto identifier = [](std::string_view v) { return IdentifierKey(v); };
  for (const auto& [name, value] : request.query) {
    Status st;
    if (name == "MATCH_epc") {
      st = ParseList(name, value, identifier, &q.match_epc);
    } else if (name == "MATCH_epcClass") {
      st = ParseList(name, value, identifier, &q.match_epc_class);
    } else if (name == "MATCH_anyEPC") {
      st = ParseList(name, value, identifier, &q.match_any_epc);
    } else if (name == "MATCH_parentID") {
      st = ParseList(name, value, identifier, &q.match_parent_id);
    } else if (name == "EQ_bizLocation") {
      st = ParseList(name, value, identifier, &q.biz_location);
    } else if (name == "EQ_readPoint") {
      st = ParseList(name, value, identifier, &q.read_point);
    } else if (name == "EQ_bizStep") {
      st = ParseList(name, value, ledger::epcis::NormalizeBizStep, &q.biz_step);
    } else if (name == "EQ_disposition") {
      st = ParseList(name, value, ledger::epcis::NormalizeDisposition,
                     &q.disposition);
    } else if (name == "EQ_eventType" ||
               name == "eventType") {  // EPCIS 2.0 name
      st = ParseList(name, value, ParseEventTypeName, &q.event_type);
    } else if (name == "GE_eventTime" || name == "LT_eventTime") {
      auto ms = ledger::epcis::ParseRfc3339Millis(value);
      if (!ms.ok()) return ms.status().WithPrefix(name);
      (name == "GE_eventTime" ? q.ge_event_time_ms : q.lt_event_time_ms) = *ms;
    } else if (name == "GE_recordTime" || name == "LT_recordTime") {
      auto ms = ledger::epcis::ParseRfc3339Millis(value);
      if (!ms.ok()) return ms.status().WithPrefix(name);
      (name == "GE_recordTime" ? q.ge_record_time_ms : q.lt_record_time_ms) =
          *ms;
    } else if (name == "orderBy") {
      if (value == "eventTime") {
        q.order = QueryOrder::kEventTime;
      } else if (value == "recordTime") {
        q.order = QueryOrder::kRecordTime;
      } else {
        return Status::InvalidArgument("orderBy: want eventTime or recordTime");
      }
      if (!direction_given)
        q.descending = true;  // EPCIS: orderDirection defaults to DESC
    } else if (name == "orderDirection") {
      if (value != "ASC" && value != "DESC") {
        return Status::InvalidArgument("orderDirection: want ASC or DESC");
      }
      q.descending = value == "DESC";
      direction_given = true;
    } else if (name == "perPage") {
      auto n = ParsePerPage(value, max_page_size);
      if (!n.ok()) return n.status();
      q.per_page = *n;
    } else if (name == "nextPageToken") {
      token = value;
    } else {
      return Status::InvalidArgument(name + ": unknown query parameter");
    }
    if (!st.ok()) return st;
  }
  if (q.ge_event_time_ms && q.lt_event_time_ms &&
      *q.ge_event_time_ms >= *q.lt_event_time_ms) {
    return Status::InvalidArgument(
        "LT_eventTime: must be later than GE_eventTime");
  }
  if (q.ge_record_time_ms && q.lt_record_time_ms &&
      *q.ge_record_time_ms >= *q.lt_record_time_ms) {
    return Status::InvalidArgument(
        "LT_recordTime: must be later than GE_recordTime");
  }
  if (token) {
    auto p = DecodePageToken(q, *token);
    if (!p.ok()) return p.status();
    q.after = *p;
  }
  return q;
}

bool MatchesQuery(const EventQuery& q, const ledger::epcis::EventFacts& f) {
  if (!q.match_epc.empty() && !AnyIn(q.match_epc, f.epcs)) return false;
  if (!q.match_epc_class.empty() && !AnyIn(q.match_epc_class, f.epc_classes))
    return false;
  if (!q.match_any_epc.empty() && !AnyIn(q.match_any_epc, f.epcs) &&
      !Contains(q.match_any_epc, f.parent)) {
    return false;
  }
  if (!q.match_parent_id.empty() && !Contains(q.match_parent_id, f.parent))
    return false;
  if (!q.biz_step.empty() && !Contains(q.biz_step, f.biz_step)) return false;
  if (!q.disposition.empty() && !Contains(q.disposition, f.disposition))
    return false;
  if (!q.biz_location.empty() && !Contains(q.biz_location, f.biz_location))
    return false;
  if (!q.read_point.empty() && !Contains(q.read_point, f.read_point))
    return false;
  if (!q.event_type.empty() &&
      !Contains(q.event_type, ledger::epcis::EventTypeName(f.type))) {
    return false;
  }
  if (q.ge_event_time_ms && f.event_time_ms < *q.ge_event_time_ms) return false;
  if (q.lt_event_time_ms && f.event_time_ms >= *q.lt_event_time_ms)
    return false;
  return true;
}

bool MatchesRecordTime(const EventQuery& q, int64_t record_time_ms) {
  if (q.ge_record_time_ms && record_time_ms < *q.ge_record_time_ms)
    return false;
  if (q.lt_record_time_ms && record_time_ms >= *q.lt_record_time_ms)
    return false;
  return true;
}

ledger::Result<int64_t> EntryRecordTime(const ledger::LogEntry& entry) {
  const auto& j = entry.json;
  const std::string where = "entry " + std::to_string(entry.index);
  if (!j.is_object() || !j.contains("receivedAt") ||
      !j["receivedAt"].is_string()) {
    return Status::InvalidArgument(where + ": receivedAt: missing");
  }
  auto ms =
      ledger::epcis::ParseRfc3339Millis(j["receivedAt"].get<std::string>());
  if (!ms.ok()) return ms.status().WithPrefix(where + ": receivedAt");
  return *ms;
}

namespace {

// The first index in [lo, hi) whose receivedAt is >= t (hi when none), assuming
// receivedAt does not decrease along the log.
ledger::Result<uint64_t> FirstReceivedAtOrAfter(const ledger::Log& log,
                                                uint64_t lo, uint64_t hi,
                                                int64_t t) {
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    auto entry = log.ReadEntry(mid);
    if (!entry.ok()) return entry.status();
    auto ms = EntryRecordTime(*entry);
    if (!ms.ok()) return ms.status();
    if (*ms < t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace

ledger::Result<std::pair<uint64_t, uint64_t>> RecordTimeRange(
    const ledger::Log& log, const EventQuery& q) {
  uint64_t first = 0, last = log.Size();
  if (q.ge_record_time_ms) {
    auto lo = FirstReceivedAtOrAfter(log, first, last, *q.ge_record_time_ms);
    if (!lo.ok()) return lo.status();
    first = *lo;
  }
  if (q.lt_record_time_ms) {
    auto hi = FirstReceivedAtOrAfter(log, first, last, *q.lt_record_time_ms);
    if (!hi.ok()) return hi.status();
    last = *hi;
  }
  return std::make_pair(first, last);
}

bool IsAfterToken(const EventQuery& q, const QueryPosition& p) {
  if (!q.after) return true;
  const QueryPosition& a = *q.after;
  bool greater;
  if (q.order == QueryOrder::kRecordTime) {
    greater = p.index > a.index;
    if (p.index == a.index) return false;
  } else {
    if (p.time_ms == a.time_ms && p.index == a.index) return false;
    greater =
        p.time_ms != a.time_ms ? p.time_ms > a.time_ms : p.index > a.index;
  }
  return q.descending ? !greater : greater;
}

std::string EncodePageToken(const EventQuery& q, const QueryPosition& last) {
  return q.fingerprint + "." + (q.order == QueryOrder::kEventTime ? "e" : "r") +
         (q.descending ? "d" : "a") + "." + std::to_string(last.time_ms) + "." +
         std::to_string(last.index);
}

std::optional<DrivingIndex> ChooseDrivingIndex(const EventQuery& q) {
  using K = ledger::IndexKind;
  if (!q.match_parent_id.empty())
    return DrivingIndex{K::kParent, q.match_parent_id};
  if (!q.match_epc.empty()) return DrivingIndex{K::kEpc, q.match_epc};
  if (!q.match_any_epc.empty()) return DrivingIndex{K::kEpc, q.match_any_epc};
  if (!q.match_epc_class.empty())
    return DrivingIndex{K::kEpcClass, q.match_epc_class};
  if (!q.biz_location.empty())
    return DrivingIndex{K::kBizLocation, q.biz_location};
  if (!q.read_point.empty()) return DrivingIndex{K::kReadPoint, q.read_point};
  if (!q.biz_step.empty()) return DrivingIndex{K::kBizStep, q.biz_step};
  if (!q.disposition.empty())
    return DrivingIndex{K::kDisposition, q.disposition};
  return std::nullopt;
}

}  // namespace api
