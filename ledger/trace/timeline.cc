// CollectTouches: the events that touch a unit, with aggregation inheritance.
#include <algorithm>

#include "ledger/trace/trace_internal.h"

namespace ledger::trace::internal {
namespace {

// Pallet -> case -> unit is depth 2; deeper nesting is allowed up to this
// bound, which also stops a (malformed) packing cycle.
constexpr int kMaxDepth = 8;

struct Interval {
  std::string parent;
  Pos from;
  Pos to;
};

bool IsAggregation(const EventRecord& r) {
  return r.facts.type == epcis::EventType::kAggregationEvent &&
         !r.facts.parent.empty();
}

// Events of `key` strictly inside (lo, hi); the containers `key` was packed in
// during that window are followed recursively over the intersection of the two
// windows.
Status Collect(Reader& reader, const std::string& key, Pos lo, Pos hi,
               int depth, std::vector<Touch>* out) {
  if (depth > kMaxDepth) return Status::OK();
  Result<std::vector<const EventRecord*>> events =
      reader.Events(IndexKind::kEpc, key);
  if (!events.ok()) return events.status();
  std::map<std::string, Pos> open;  // container -> position of the ADD
  std::vector<Interval> intervals;
  for (const EventRecord* r : *events) {
    const Pos p = r->pos();
    const bool in_window = lo < p && p < hi;
    // A DELETE naming this container as parent with no children empties it
    // (EPCIS 2.0 §7.4.3).
    if (depth > 0 && in_window && IsAggregation(*r) && !r->superseded &&
        r->facts.action == "DELETE" && r->facts.parent == key &&
        r->ChildCount() == 0) {
      out->push_back({r, true, key});
      hi = p;
      continue;
    }
    if (!r->Names(key))
      continue;  // named only as parentID: it does not move this thing
    if (in_window) out->push_back({r, depth > 0, depth > 0 ? key : ""});
    if (r->superseded || !IsAggregation(*r)) continue;
    if (r->facts.action == "ADD") {
      open.emplace(r->facts.parent, p);
    } else if (r->facts.action == "DELETE") {
      auto it = open.find(r->facts.parent);
      if (it == open.end()) continue;
      intervals.push_back({it->first, it->second, p});
      open.erase(it);
    }
  }
  for (auto& [parent, from] : open)
    intervals.push_back({parent, from, kMaxPos});
  for (const Interval& in : intervals) {
    const Pos from = std::max(in.from, lo);
    const Pos to = std::min(in.to, hi);
    if (from < to)
      LEDGER_RETURN_IF_ERROR(
          Collect(reader, in.parent, from, to, depth + 1, out));
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<Touch>> CollectTouches(Reader& reader,
                                          const std::string& key) {
  std::vector<Touch> touches;
  LEDGER_RETURN_IF_ERROR(Collect(reader, key, kMinPos, kMaxPos, 0, &touches));
  std::stable_sort(touches.begin(), touches.end(),
                   [](const Touch& a, const Touch& b) {
                     if (a.record->pos() != b.record->pos())
                       return a.record->pos() < b.record->pos();
                     return !a.inferred && b.inferred;
                   });
  touches.erase(std::unique(touches.begin(), touches.end(),
                            [](const Touch& a, const Touch& b) {
                              return a.record == b.record;
                            }),
                touches.end());
  return touches;
}

Result<std::vector<const EventRecord*>> RecallEvents(
    Reader& reader, const std::string& gtin, const std::string& lot_key) {
  std::vector<const EventRecord*> out;
  for (const std::string& cls : {lot_key, std::string("01/") + gtin}) {
    if (cls.empty() || cls == "01/") continue;
    Result<std::vector<const EventRecord*>> events =
        reader.Events(IndexKind::kEpcClass, cls);
    if (!events.ok()) return events.status();
    for (const EventRecord* r : *events) {
      if (r->facts.disposition == "recalled" && !r->superseded)
        out.push_back(r);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const EventRecord* a, const EventRecord* b) {
              return a->pos() < b->pos();
            });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace ledger::trace::internal
