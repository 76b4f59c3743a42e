// Handlers that read events: the EPCIS 2.0 event query (GET /v1/events) and one
// event with its inclusion proof (GET /v1/events/{eventId}).
#include <algorithm>
#include <set>

#include "api/handlers_internal.h"
#include "api/query.h"
#include "ledger/bytes.h"
#include "ledger/envelope.h"
#include "ledger/note.h"

namespace api {

namespace {

constexpr size_t kScanChunk = 256;
constexpr const char* kEpcisContext =
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
constexpr const char* kUdiNamespace = "https://udi-ledger.org/ns/";

struct Hit {
  QueryPosition pos;
  ledger::LogEntry entry;
};

// Loads entry `index` and its facts; nullopt for registry entries and
// unreadable events.
std::optional<std::pair<ledger::LogEntry, ledger::epcis::EventFacts>> LoadEvent(
    const ledger::Log& log, uint64_t index) {
  auto entry = log.ReadEntry(index);
  if (!entry.ok()) return std::nullopt;
  const auto& j = entry->json;
  if (!j.is_object() || j.value("type", "") != "event" ||
      !j.contains("envelope")) {
    return std::nullopt;
  }
  auto facts = ledger::epcis::ValidateEvent(j["envelope"]["event"]);
  if (!facts.ok()) return std::nullopt;
  return std::make_pair(std::move(*entry), std::move(*facts));
}

// Runs a query: collects one page of hits in result order.
class QueryRun {
 public:
  QueryRun(const ledger::Log& log, const EventQuery& q, size_t budget)
      : log_(log), q_(q), budget_(budget) {}

  ledger::Status Run() {
    auto range = RecordTimeRange(log_, q_);  // GE_/LT_recordTime
    if (!range.ok()) return range.status();
    range_ = *range;
    auto driving = ChooseDrivingIndex(q_);
    if (q_.order == QueryOrder::kRecordTime && !q_.descending) {
      return driving ? StreamIndex(*driving) : StreamSequential();
    }
    if (q_.order == QueryOrder::kRecordTime && !driving)
      return StreamBackwards();
    if (q_.order == QueryOrder::kEventTime && !q_.descending && !driving)
      return StreamEventTime();
    return Collect(driving);
  }

  std::vector<Hit>& hits() { return hits_; }
  // Where the next page starts, if there may be one.
  const std::optional<QueryPosition>& next() const { return next_; }

 private:
  // Considers one candidate; returns false when the page is full or the budget
  // is spent.
  bool Offer(uint64_t index) {
    ++scanned_;
    auto loaded = LoadEvent(log_, index);
    if (loaded) {
      QueryPosition pos{loaded->second.event_time_ms, index};
      last_ = pos;
      if (Wanted(pos, *loaded)) {
        hits_.push_back({pos, std::move(loaded->first)});
        if (hits_.size() >= q_.per_page) {
          next_ = pos;
          return false;
        }
      }
    } else {
      last_ = QueryPosition{last_ ? last_->time_ms : 0, index};
    }
    if (scanned_ >= budget_) {
      next_ = last_;  // a partial page: the client continues from here
      return false;
    }
    return true;
  }

  // Not already paged past, inside the record-time range, and matching.
  bool Wanted(const QueryPosition& pos,
              const std::pair<ledger::LogEntry, ledger::epcis::EventFacts>& e) {
    if (pos.index < range_.first || pos.index >= range_.second) return false;
    if (q_.ge_record_time_ms || q_.lt_record_time_ms) {
      auto ms = EntryRecordTime(e.first);
      if (!ms.ok() || !MatchesRecordTime(q_, *ms)) return false;
    }
    return IsAfterToken(q_, pos) && MatchesQuery(q_, e.second);
  }

  ledger::Status StreamSequential() {
    uint64_t size = std::min(log_.Size(), range_.second);
    uint64_t from = q_.after ? q_.after->index + 1 : 0;
    for (uint64_t i = std::max(from, range_.first); i < size; ++i) {
      if (!Offer(i)) break;
    }
    return ledger::Status::OK();
  }

  ledger::Status StreamBackwards() {
    uint64_t size = log_.Size();
    uint64_t i = std::min(q_.after ? q_.after->index : size, range_.second);
    while (i-- > range_.first) {
      if (!Offer(i)) break;
    }
    return ledger::Status::OK();
  }

  // Merges the ascending index scans of every key of the driving index.
  ledger::Status StreamIndex(const DrivingIndex& d) {
    uint64_t start = std::max(q_.after ? q_.after->index + 1 : 0, range_.first);
    for (;;) {
      std::set<uint64_t> merged;
      uint64_t bound = UINT64_MAX;
      for (const auto& key : d.keys) {
        auto got = log_.ScanIndex(d.kind, key, start, kScanChunk);
        if (!got.ok()) return got.status();
        merged.insert(got->begin(), got->end());
        if (got->size() == kScanChunk) bound = std::min(bound, got->back());
      }
      for (uint64_t i : merged) {
        if (i > bound || i >= range_.second) break;
        if (!Offer(i)) return ledger::Status::OK();
      }
      if (bound == UINT64_MAX || bound >= range_.second)
        return ledger::Status::OK();
      start = bound + 1;
    }
  }

  std::pair<int64_t, int64_t> TimeRange() const {
    return {q_.ge_event_time_ms.value_or(INT64_MIN),
            q_.lt_event_time_ms.value_or(INT64_MAX)};
  }

  ledger::Status StreamEventTime() {
    auto [from, to] = TimeRange();
    std::optional<std::pair<int64_t, uint64_t>> after;
    if (q_.after) after = std::make_pair(q_.after->time_ms, q_.after->index);
    for (;;) {
      auto got = log_.ScanEventTime(from, to, after, kScanChunk);
      if (!got.ok()) return got.status();
      for (uint64_t i : *got) {
        if (!Offer(i)) return ledger::Status::OK();
      }
      if (got->size() < kScanChunk || !last_) return ledger::Status::OK();
      after = std::make_pair(last_->time_ms, last_->index);
    }
  }

  // Gathers every candidate (bounded by the budget), then sorts and pages.
  ledger::Status Collect(const std::optional<DrivingIndex>& driving) {
    std::set<uint64_t> candidates;
    if (driving) {
      for (const auto& key : driving->keys) {
        uint64_t start = 0;
        for (;;) {
          auto got = log_.ScanIndex(driving->kind, key, start, kScanChunk);
          if (!got.ok()) return got.status();
          candidates.insert(got->begin(), got->end());
          if (candidates.size() > budget_) return TooBroad();
          if (got->size() < kScanChunk) break;
          start = got->back() + 1;
        }
      }
    } else {
      auto [from, to] = TimeRange();
      std::optional<std::pair<int64_t, uint64_t>> after;
      for (;;) {
        auto got = log_.ScanEventTime(from, to, after, kScanChunk);
        if (!got.ok()) return got.status();
        candidates.insert(got->begin(), got->end());
        if (candidates.size() > budget_) return TooBroad();
        if (got->size() < kScanChunk) break;
        auto last = LoadEvent(log_, got->back());
        if (!last)
          return ledger::Status::Internal(
              "query: event " + std::to_string(got->back()) + " unreadable");
        after = std::make_pair(last->second.event_time_ms, got->back());
      }
    }
    std::vector<Hit> all;
    for (uint64_t i : candidates) {
      auto loaded = LoadEvent(log_, i);
      if (!loaded) continue;
      QueryPosition pos{loaded->second.event_time_ms, i};
      if (Wanted(pos, *loaded)) {
        all.push_back({pos, std::move(loaded->first)});
      }
    }
    bool by_time = q_.order == QueryOrder::kEventTime;
    std::sort(all.begin(), all.end(), [&](const Hit& a, const Hit& b) {
      auto ka = by_time ? std::make_pair(a.pos.time_ms, a.pos.index)
                        : std::make_pair(int64_t{0}, a.pos.index);
      auto kb = by_time ? std::make_pair(b.pos.time_ms, b.pos.index)
                        : std::make_pair(int64_t{0}, b.pos.index);
      return q_.descending ? kb < ka : ka < kb;
    });
    if (all.size() > q_.per_page) {
      all.resize(q_.per_page);
      next_ = all.back().pos;
    }
    hits_ = std::move(all);
    return ledger::Status::OK();
  }

  ledger::Status TooBroad() const {
    return ledger::Status::InvalidArgument(
        "orderBy: more than " + std::to_string(budget_) +
        " candidate events to sort; narrow the query "
        "(GE_eventTime/LT_eventTime) or order by "
        "recordTime ASC");
  }

  const ledger::Log& log_;
  const EventQuery& q_;
  const size_t budget_;
  size_t scanned_ = 0;
  std::vector<Hit> hits_;
  std::optional<QueryPosition> last_;
  std::optional<QueryPosition> next_;
  std::pair<uint64_t, uint64_t> range_{0, UINT64_MAX};  // record-time indexes
};

// The event as stored, with the log's extension members.
nlohmann::json EventForQuery(const ledger::LogEntry& e,
                             const std::string& origin) {
  const auto& envelope = e.json["envelope"];
  nlohmann::json event = envelope["event"];
  auto canonical = ledger::CanonicalEventBytes(event);
  if (canonical.ok())
    event["udi:eventId"] = ledger::EventIdFromCanonical(*canonical);
  event["udi:origin"] = origin;
  event["udi:index"] = e.index;
  event["udi:recordTime"] = e.json.value("receivedAt", "");
  event["udi:signature"] = {{"signer", envelope["signer"]},
                            {"signature", envelope["signature"]}};
  return event;
}

std::string NextLink(const Request& request, const std::string& token) {
  std::string query;
  for (const auto& [k, v] : request.query) {
    if (k == "nextPageToken") continue;
    query += PercentEncode(k) + "=" + PercentEncode(v) + "&";
  }
  return "<" + request.path + "?" + query +
         "nextPageToken=" + PercentEncode(token) + ">; rel=\"next\"";
}

// Page tokens across held logs: "<hex of origin>~<token of that log's run>".
// A token without '~' continues in the node's own log (the first held log).
constexpr char kOriginSeparator = '~';

struct LogCursor {
  size_t log = 0;           // index into HeldLogs()
  std::string inner_token;  // "" = from the start of that log
};

ledger::Result<LogCursor> DecodeCursor(
    const std::vector<std::shared_ptr<const ledger::Log>>& logs,
    const std::string& token) {
  LogCursor cursor;
  size_t sep = token.find(kOriginSeparator);
  if (sep == std::string::npos) {
    cursor.inner_token = token;
    return cursor;
  }
  auto origin = ledger::FromHex(token.substr(0, sep));
  if (!origin) {
    return ledger::Status::InvalidArgument(
        "nextPageToken: malformed origin part");
  }
  for (size_t i = 0; i < logs.size(); ++i) {
    if (logs[i]->origin() == *origin) {
      cursor.log = i;
      cursor.inner_token = token.substr(sep + 1);
      return cursor;
    }
  }
  return ledger::Status::InvalidArgument("nextPageToken: origin \"" + *origin +
                                         "\" is not held here");
}

// `request` with nextPageToken replaced by `token` (removed when empty).
Request WithPageToken(const Request& request, const std::string& token) {
  Request out = request;
  std::erase_if(out.query,
                [](const auto& kv) { return kv.first == "nextPageToken"; });
  if (!token.empty()) out.query.emplace_back("nextPageToken", token);
  return out;
}

Response QueryError(const ledger::Status& st) {
  const std::string& msg = st.message();
  return ErrorResponse(400, msg, msg.substr(0, msg.find(':')));
}

}  // namespace

UDI_HANDLER(HandleQueryEvents) {
  (void)caller;
  const auto& opts = service.options();
  // Logs are answered one after the other (own first, then replicas by
  // origin), each in the requested order; a page may span several logs.
  auto logs = service.HeldLogs();
  LogCursor cursor;
  if (auto token = request.Query("nextPageToken")) {
    auto decoded = DecodeCursor(logs, *token);
    if (!decoded.ok()) return reply(QueryError(decoded.status()));
    cursor = std::move(*decoded);
  }
  auto q = ParseEventQuery(WithPageToken(request, cursor.inner_token),
                           opts.default_page_size, opts.max_page_size);
  if (!q.ok()) return reply(QueryError(q.status()));
  const size_t per_page = q->per_page;
  nlohmann::json events = nlohmann::json::array();
  std::optional<std::string> next_token;
  for (size_t i = cursor.log; i < logs.size() && !next_token; ++i) {
    if (events.size() >= per_page) {
      // The page is full at the end of a log: continue with this one.
      next_token = ledger::ToHex(logs[i]->origin()) + kOriginSeparator;
      break;
    }
    if (i != cursor.log) q->after.reset();
    q->per_page = per_page - events.size();
    QueryRun run(*logs[i], *q, opts.max_query_scan);
    ledger::Status st = run.Run();
    if (!st.ok())
      return reply(
          StatusResponse(st, st.message().substr(0, st.message().find(':'))));
    for (const auto& hit : run.hits())
      events.push_back(EventForQuery(hit.entry, logs[i]->origin()));
    if (run.next()) {
      next_token = ledger::ToHex(logs[i]->origin()) + kOriginSeparator +
                   EncodePageToken(*q, *run.next());
    }
  }
  nlohmann::json doc = {
      {"@context",
       nlohmann::json::array({kEpcisContext, {{"udi", kUdiNamespace}}})},
      {"type", "EPCISQueryDocument"},
      {"schemaVersion", "2.0"},
      {"creationDate", FormatRfc3339Millis(NowMillis())},
      {"epcisBody",
       {{"queryResults",
         {{"queryName", "SimpleEventQuery"},
          {"resultsBody", {{"eventList", std::move(events)}}}}}}}};
  Response r;
  if (next_token) {
    doc["udi:nextPageToken"] = *next_token;
    r = JsonResponse(200, doc);
    r.headers.emplace_back("Link", NextLink(request, *next_token));
  } else {
    r = JsonResponse(200, doc);
  }
  r.content_type = "application/ld+json";
  reply(std::move(r));
}

UDI_HANDLER(HandleGetEvent) {
  (void)caller;
  const std::string& event_id = request.path_params.at("eventId");
  // The first held log (own first) that has the event.
  std::shared_ptr<const ledger::Log> found;
  std::optional<uint64_t> index;
  for (auto& held : service.HeldLogs()) {
    index = held->FindEvent(event_id);
    if (index) {
      found = std::move(held);
      break;
    }
  }
  if (!index)
    return reply(
        ErrorResponse(404, "eventId: no event " + event_id, "eventId"));
  const ledger::Log& log = *found;
  auto entry = log.ReadEntry(*index);
  if (!entry.ok()) return reply(StatusResponse(entry.status()));
  std::string note = log.SignedCheckpoint();
  auto signed_note = ledger::SignedNote::Parse(note);
  if (!signed_note.ok()) return reply(StatusResponse(signed_note.status()));
  auto checkpoint = ledger::Checkpoint::Parse(signed_note->text);
  if (!checkpoint.ok()) return reply(StatusResponse(checkpoint.status()));
  auto proof = log.InclusionProof(*index, checkpoint->size);
  if (!proof.ok()) return reply(StatusResponse(proof.status()));
  nlohmann::json hashes = nlohmann::json::array();
  for (const auto& h : *proof) hashes.push_back(ledger::ToBase64(h));
  reply(JsonResponse(
      200,
      {{"envelope", entry->json["envelope"]},
       {"origin", log.origin()},
       {"index", *index},
       {"eventId", event_id},
       {"leaf", ledger::ToBase64(entry->bytes)},
       {"checkpoint", note},
       {"inclusionProof", {{"size", checkpoint->size}, {"hashes", hashes}}}}));
}

}  // namespace api
