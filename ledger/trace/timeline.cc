// CollectTouches: the events that touch a unit, with aggregation inheritance.
#include <algorithm>

#include "ledger/trace/trace_internal.h"

namespace ledger::trace::internal {
namespace {

using namespace std::string_view_literals;

// Pallet -> case -> unit is depth 2; deeper nesting is allowed up to this
// bound, which also stops a (malformed) packing cycle.
constexpr int kMaxDepth = 8;

struct Interval {
  const std::string* parent;  // an EventRecord's facts.parent
  Pos from;
  Pos to;
};

bool IsAggregation(const EventRecord& r) {
  return r.facts.type == epcis::EventType::kAggregationEvent &&
         !r.facts.parent.empty();
}

Status Collect(Reader& reader, const std::string& key, Pos lo, Pos hi,
               int depth, std::vector<Touch>* out);

// Collect for a container (depth > 0), memoized per Reader: every unit of a
// case packed by the same event follows the case over the same window. `key`
// is an EventRecord's facts.parent, alive as long as the Reader, so the
// touches' `via` may point into it.
Status CollectContainer(Reader& reader, const std::string& key, Pos lo, Pos hi,
                        int depth, std::vector<Touch>* out) {
  auto& memo = reader.container_touches();
  auto it = memo.find(Reader::ContainerKeyView{key, lo, hi, depth});
  if (it == memo.end()) {
    std::vector<Touch> touches;
    LEDGER_RETURN_IF_ERROR(Collect(reader, key, lo, hi, depth, &touches));
    // The memo outlives any batch of a recall: Reader::Release keeps these.
    for (const Touch& t : touches) t.record->pinned = true;
    it = memo.emplace(Reader::ContainerKey{key, lo, hi, depth},
                      std::move(touches))
             .first;
  }
  out->insert(out->end(), it->second.begin(), it->second.end());
  return Status::OK();
}

// Events of `key` strictly inside (lo, hi); the containers `key` was packed in
// during that window are followed recursively over the intersection of the two
// windows.
Status Collect(Reader& reader, const std::string& key, Pos lo, Pos hi,
               int depth, std::vector<Touch>* out) {
  if (depth > kMaxDepth) return Status::OK();
  Result<const std::vector<const EventRecord*>*> events =
      reader.Events(IndexKind::kEpc, key);
  if (!events.ok()) return events.status();
  const std::string_view via =
      depth > 0 ? std::string_view(key) : std::string_view();
  // Buffers kept per thread and depth (a recall runs this for 100k units; a
  // call at depth d only recurses to d + 1, so each depth's are free to use).
  struct Scratch {
    std::vector<std::pair<const std::string*, Pos>> open;  // container, ADD
    std::vector<Interval> intervals;
  };
  thread_local Scratch scratch[kMaxDepth + 1];
  std::vector<std::pair<const std::string*, Pos>>& open = scratch[depth].open;
  std::vector<Interval>& intervals = scratch[depth].intervals;
  open.clear();
  intervals.clear();
  for (const EventRecord* r : **events) {
    const Pos p = r->pos();
    const bool in_window = lo < p && p < hi;
    // A DELETE naming this container as parent with no children empties it
    // (EPCIS 2.0 §7.4.3).
    if (depth > 0 && in_window && IsAggregation(*r) && !r->superseded &&
        r->facts.action == "DELETE"sv && r->facts.parent == key &&
        r->ChildCount() == 0) {
      out->push_back({r, true, via});
      hi = p;
      continue;
    }
    if (!r->Names(key))
      continue;  // named only as parentID: it does not move this thing
    if (in_window) out->push_back({r, depth > 0, via});
    if (r->superseded || !IsAggregation(*r)) continue;
    if (r->facts.action == "ADD"sv) {
      auto it = std::find_if(open.begin(), open.end(), [&](const auto& o) {
        return *o.first == r->facts.parent;
      });
      if (it == open.end()) open.emplace_back(&r->facts.parent, p);
    } else if (r->facts.action == "DELETE"sv) {
      auto it = std::find_if(open.begin(), open.end(), [&](const auto& o) {
        return *o.first == r->facts.parent;
      });
      if (it == open.end()) continue;
      intervals.push_back({it->first, it->second, p});
      open.erase(it);
    }
  }
  // Still open at the end: in the order of the containers' keys (as a map
  // keyed by container would give).
  std::sort(open.begin(), open.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });
  for (auto& [parent, from] : open)
    intervals.push_back({parent, from, kMaxPos});
  for (const Interval& in : intervals) {
    const Pos from = std::max(in.from, lo);
    const Pos to = std::min(in.to, hi);
    if (from < to)
      LEDGER_RETURN_IF_ERROR(
          CollectContainer(reader, *in.parent, from, to, depth + 1, out));
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<Touch>> CollectTouches(Reader& reader,
                                          const std::string& key) {
  std::vector<Touch> touches;
  touches.reserve(16);  // a unit has a dozen: one allocation, not four
  LEDGER_RETURN_IF_ERROR(Collect(reader, key, kMinPos, kMaxPos, 0, &touches));
  auto before = [](const Touch& a, const Touch& b) {
    if (a.record->pos() != b.record->pos())
      return a.record->pos() < b.record->pos();
    return !a.inferred && b.inferred;
  };
  // A unit has a dozen touches, mostly in order already: a stable insertion
  // sort, without the buffer std::stable_sort allocates per call.
  constexpr size_t kInsertionSortMax = 64;
  if (touches.size() <= kInsertionSortMax) {
    for (size_t i = 1; i < touches.size(); ++i) {
      Touch t = touches[i];
      size_t j = i;
      for (; j > 0 && before(t, touches[j - 1]); --j)
        touches[j] = touches[j - 1];
      touches[j] = t;
    }
  } else {
    std::stable_sort(touches.begin(), touches.end(), before);
  }
  touches.erase(std::unique(touches.begin(), touches.end(),
                            [](const Touch& a, const Touch& b) {
                              return a.record == b.record;
                            }),
                touches.end());
  return touches;
}

Result<const std::vector<const EventRecord*>*> RecallEvents(
    Reader& reader, const std::string& gtin, const std::string& lot_key) {
  auto& memo = reader.recall_events();
  // The lot key names the GTIN too ("01/<gtin>/10/<lot>"); a GTIN alone (14
  // digits) cannot be mistaken for one.
  const std::string& memo_key = lot_key.empty() ? gtin : lot_key;
  if (auto it = memo.find(memo_key); it != memo.end()) return &it->second;
  std::vector<const EventRecord*> out;
  for (const std::string& cls : {lot_key, std::string("01/") + gtin}) {
    if (cls.empty() || cls == "01/") continue;
    Result<const std::vector<const EventRecord*>*> events =
        reader.Events(IndexKind::kEpcClass, cls);
    if (!events.ok()) return events.status();
    for (const EventRecord* r : **events) {
      if (r->facts.disposition == "recalled"sv && !r->superseded)
        out.push_back(r);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const EventRecord* a, const EventRecord* b) {
              return a->pos() < b->pos();
            });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return &memo.emplace(memo_key, std::move(out)).first->second;
}

}  // namespace ledger::trace::internal
