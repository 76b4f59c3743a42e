// EPCIS 2.0 event queries (GET /v1/events): parameter parsing, matching and
// page tokens.
//
// Identifiers (MATCH_*, EQ_bizLocation, EQ_readPoint) may be EPC URIs or GS1
// Digital Link URIs; both are normalised with gs1::ParseIdentifier to the
// canonical GS1 key the log indexes. Other URIs are matched verbatim. A
// parameter may carry several values separated by '|' (an OR). Pure functions,
// thread-safe.
#ifndef UDI_API_QUERY_H_
#define UDI_API_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http.h"
#include "ledger/epcis.h"
#include "ledger/log.h"
#include "ledger/status.h"

namespace api {

enum class QueryOrder { kRecordTime, kEventTime };

// A position in the result order: (eventTime ms, log index). Pages continue
// after it.
struct QueryPosition {
  int64_t time_ms = 0;
  uint64_t index = 0;
};

struct EventQuery {
  std::vector<std::string> match_epc, match_epc_class, match_any_epc,
      match_parent_id;
  std::vector<std::string> biz_step, disposition, biz_location, read_point,
      event_type;
  std::optional<int64_t> ge_event_time_ms, lt_event_time_ms;
  // GE_recordTime / LT_recordTime: the entry's receivedAt.
  std::optional<int64_t> ge_record_time_ms, lt_record_time_ms;
  QueryOrder order = QueryOrder::kRecordTime;
  bool descending = false;
  size_t per_page = 100;
  std::optional<QueryPosition> after;  // from nextPageToken
  std::string fingerprint;  // binds page tokens to the filter parameters
};

// Parses the query parameters of `request`. InvalidArgument "<parameter>:
// <reason>" naming the parameter (callers answer 400 with field = that
// parameter).
ledger::Result<EventQuery> ParseEventQuery(const Request& request,
                                           size_t default_page_size,
                                           size_t max_page_size);

// The canonical index key of an identifier given as EPC URI, Digital Link or
// other URI.
ledger::Result<std::string> IdentifierKey(std::string_view value);

// True iff the event with these facts satisfies every condition of `q` (paging
// aside).
bool MatchesQuery(const EventQuery& q, const ledger::epcis::EventFacts& facts);

// True iff an entry received at `record_time_ms` (its receivedAt) satisfies
// GE_recordTime / LT_recordTime.
bool MatchesRecordTime(const EventQuery& q, int64_t record_time_ms);

// The entry's receivedAt in ms. InvalidArgument naming the entry when absent or
// malformed.
ledger::Result<int64_t> EntryRecordTime(const ledger::LogEntry& entry);

// The half-open range [first, second) of log indexes whose receivedAt may
// satisfy GE_recordTime / LT_recordTime, found by binary search over entries
// with Log::ReadEntry (O(log n) reads). The whole log when neither is given.
// Exact when receivedAt never decreases along the log; callers still check
// each entry with MatchesRecordTime, so a clock that stepped back can hide
// entries from a record-time query but never adds wrong ones.
ledger::Result<std::pair<uint64_t, uint64_t>> RecordTimeRange(
    const ledger::Log& log, const EventQuery& q);

// True iff position `p` comes strictly after `q.after` in the order of `q` (or
// there is no after).
bool IsAfterToken(const EventQuery& q, const QueryPosition& p);

// The next-page token for a page ending at `last`.
std::string EncodePageToken(const EventQuery& q, const QueryPosition& last);

// The index the query should be driven by, if any: the kind and its keys (an
// OR).
struct DrivingIndex {
  ledger::IndexKind kind;
  std::vector<std::string> keys;
};
std::optional<DrivingIndex> ChooseDrivingIndex(const EventQuery& q);

}  // namespace api

#endif  // UDI_API_QUERY_H_
