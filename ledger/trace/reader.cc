// Reader: entry decoding and index lookups across the logs of one query.
#include <algorithm>
#include <bit>
#include <map>
#include <utility>

#include "ledger/jcs/jcs_internal.h"
#include "ledger/trace/trace_internal.h"

namespace ledger::trace::internal {
namespace {

using namespace std::string_view_literals;

constexpr size_t kScanPage = 1024;

}  // namespace

const std::vector<std::string>& EventRecord::Epcs() const {
  if (epcs_valid_) return epcs_;
  // A reused record keeps its keys' buffers (Clear).
  epcs_.resize(written.size());
  for (size_t i = 0; i < written.size(); ++i) KeyInto(written[i], &epcs_[i]);
  epcs_valid_ = true;
  return epcs_;
}

const std::string& EventRecord::EventId() const {
  if (event_id_.empty()) {
    event_id_ = EventIdFromCanonical(canonical_);
    // A reused record keeps an event's worth of buffer (SetCanonical would
    // allocate it again); a lot's commissioning event (thousands of EPCs)
    // gives its large one back.
    constexpr size_t kKeep = 8192;
    if (canonical_.capacity() > kKeep) {
      std::string().swap(canonical_);
    } else {
      canonical_.clear();
    }
  }
  return event_id_;
}

std::pair<const std::string*, const std::string*> EventRecord::ListKeys(
    List list) const {
  const std::vector<std::string>& keys = Epcs();
  size_t from = 0;
  for (int i = 0; i < list; ++i) from += list_size[i];
  const std::string* begin = keys.data() + from;
  return {begin, begin + list_size[list]};
}

void RecordMap::Insert(size_t log, uint64_t index, EventRecord* record) {
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
  const uint64_t key = Key(log, index);
  for (size_t i = Slot(key);; i = (i + 1) & mask_) {
    if (slots_[i].record == nullptr) {
      slots_[i] = {key, record};
      ++size_;
      return;
    }
    if (slots_[i].key == key) {
      slots_[i].record = record;
      return;
    }
  }
}

void RecordMap::Erase(size_t log, uint64_t index) {
  if (size_ == 0) return;
  const uint64_t key = Key(log, index);
  size_t hole = Slot(key);
  for (;; hole = (hole + 1) & mask_) {
    if (slots_[hole].record == nullptr) return;
    if (slots_[hole].key == key) break;
  }
  // Backward shift: a later slot of the probe run moves into the hole when
  // its home slot is not between the hole and it (cyclically), so that every
  // key stays reachable from its home without tombstones.
  for (size_t j = (hole + 1) & mask_; slots_[j].record != nullptr;
       j = (j + 1) & mask_) {
    const size_t home = Slot(slots_[j].key);
    if (((j - home) & mask_) >= ((j - hole) & mask_)) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot_{};
  --size_;
}

void RecordMap::Grow() {
  const size_t capacity = slots_.empty() ? 1024 : 2 * slots_.size();
  std::vector<Slot_> old = std::exchange(slots_, std::vector<Slot_>(capacity));
  mask_ = capacity - 1;
  shift_ = 64 - std::countr_zero(capacity);
  size_ = 0;
  for (const Slot_& s : old) {
    if (s.record == nullptr) continue;
    for (size_t i = Slot(s.key);; i = (i + 1) & mask_) {
      if (slots_[i].record == nullptr) {
        slots_[i] = s;
        ++size_;
        break;
      }
    }
  }
}

void EventRecord::Clear() {
  log = 0;
  index = 0;
  source_list_text.clear();
  destination_list_text.clear();
  biz_transaction_list_text.clear();
  facts.type = epcis::EventType::kObjectEvent;
  facts.action.clear();
  facts.event_time_ms = 0;
  facts.event_time.clear();
  facts.epcis_event_id.clear();
  facts.parent.clear();
  facts.biz_step.clear();
  facts.disposition.clear();
  facts.is_error_declaration = false;
  signer.clear();
  signer_gln.clear();
  // `written` is left as it is: ReadEventText sets it whole (resize and
  // assign), reusing its strings' buffers.
  for (uint32_t& n : list_size) n = 0;
  child_count = 0;
  biz_location.clear();
  read_point.clear();
  ilmd_lot.clear();
  ilmd_expiry.clear();
  destination_possessing.reset();
  destination_owning.reset();
  superseded = false;
  pinned = false;
  event_id_.clear();
  canonical_.clear();
  epcs_valid_ = false;
  location_key_valid_ = false;
  receiver_gln_.reset();
  lot_key_.reset();
}

namespace {

// A forward reader of JSON text (RFC 8259) that keeps only what it is asked
// for: strings are unescaped into caller buffers, every other value is
// skipped. Nesting is bounded (kMaxDepth) as a guard against hostile text.
class JsonText {
 public:
  explicit JsonText(std::string_view text) : s_(text) {}

  size_t offset() const { return pos_; }
  bool AtEnd() const { return pos_ == s_.size(); }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool Consume(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // A string value (at its opening quote), unescaped into *out.
  bool String(std::string* out) {
    out->clear();
    if (!Consume('"')) return false;
    while (pos_ < s_.size()) {
      size_t run = pos_;
      while (run < s_.size() && s_[run] != '"' && s_[run] != '\\' &&
             static_cast<unsigned char>(s_[run]) >= 0x20) {
        ++run;
      }
      out->append(s_.data() + pos_, run - pos_);
      pos_ = run;
      if (pos_ >= s_.size()) return false;
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (c != '\\') return false;  // a raw control character
      --pos_;
      if (!Escape(out)) return false;
    }
    return false;
  }

  // An escape sequence (at its backslash), unescaped onto *out.
  bool Escape(std::string* out) {
    if (!Consume('\\') || pos_ >= s_.size()) return false;
    const char e = s_[pos_++];
    if (jcs_internal::AppendShortEscape(e, out)) return true;
    if (e != 'u') return false;
    uint32_t cp = 0;
    if (!Hex4(&cp)) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (!Consume('\\') || !Consume('u') || !Hex4(&low) || low < 0xDC00 ||
          low > 0xDFFF) {
        return false;
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return false;
    }
    jcs_internal::AppendUtf8(cp, out);
    return true;
  }

  // A string value (at its opening quote), checked as String checks it but
  // not copied.
  bool SkipString() {
    if (!Consume('"')) return false;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') continue;
      // An escape: String reads (and checks) it into a scratch buffer.
      --pos_;
      scratch_.clear();
      if (!Escape(&scratch_)) return false;
    }
    return false;
  }

  // Any value.
  bool Skip(int depth = 0) {
    if (depth > kMaxDepth) return false;
    switch (Peek()) {
      case '"':
        return SkipString();
      case '{':
        ++pos_;
        if (Consume('}')) return true;
        do {
          if (!SkipString() || !Consume(':') || !Skip(depth + 1)) return false;
        } while (Consume(','));
        return Consume('}');
      case '[':
        ++pos_;
        if (Consume(']')) return true;
        do {
          if (!Skip(depth + 1)) return false;
        } while (Consume(','));
        return Consume(']');
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default: {
        const size_t from = pos_;
        while (pos_ < s_.size() &&
               std::string_view("0123456789+-.eE").find(s_[pos_]) !=
                   std::string_view::npos) {
          ++pos_;
        }
        return pos_ > from;
      }
    }
  }

  // A string value into *out, or "" after skipping a value of another type.
  bool StringOrSkip(std::string* out) {
    if (Peek() == '"') return String(out);
    out->clear();
    return Skip();
  }

  // Calls member(name) at each member's value of an object (at its '{'),
  // which MUST read or skip that value.
  template <typename F>
  bool Object(std::string* name, F&& member) {
    if (!Consume('{')) return false;
    if (Consume('}')) return true;
    do {
      if (!String(name) || !Consume(':') || !member(*name)) return false;
    } while (Consume(','));
    return Consume('}');
  }

  // Calls item() at each item of an array (at its '['), which MUST read or
  // skip it.
  template <typename F>
  bool Array(F&& item) {
    if (!Consume('[')) return false;
    if (Consume(']')) return true;
    do {
      if (!item()) return false;
    } while (Consume(','));
    return Consume(']');
  }

 private:
  static constexpr int kMaxDepth = 64;

  bool Hex4(uint32_t* cp) {
    if (s_.size() - pos_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        return false;
      }
    }
    *cp = v;
    return true;
  }

  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string scratch_;
};

// The bare name of a bizStep / disposition (epcis::NormalizeBizStep /
// NormalizeDisposition), or the value as written when it is not one of the
// vocabulary's. Memoized per thread: events repeat a dozen values (at most
// kMemo values are kept, against text naming endless ones).
const std::string& BareName(const std::string& value, bool biz_step) {
  constexpr size_t kMemo = 256;
  thread_local std::unordered_map<std::string, std::string> memo[2];
  std::unordered_map<std::string, std::string>& m = memo[biz_step ? 1 : 0];
  if (auto it = m.find(value); it != m.end()) return it->second;
  Result<std::string> bare = biz_step ? epcis::NormalizeBizStep(value)
                                      : epcis::NormalizeDisposition(value);
  if (m.size() >= kMemo) {
    thread_local std::string last;
    last = bare.ok() ? *bare : value;
    return last;
  }
  return m.emplace(value, bare.ok() ? *bare : value).first->second;
}

std::optional<epcis::EventType> EventTypeOf(std::string_view name) {
  if (name == "ObjectEvent") return epcis::EventType::kObjectEvent;
  if (name == "AggregationEvent") return epcis::EventType::kAggregationEvent;
  if (name == "TransactionEvent") return epcis::EventType::kTransactionEvent;
  if (name == "TransformationEvent")
    return epcis::EventType::kTransformationEvent;
  if (name == "AssociationEvent") return epcis::EventType::kAssociationEvent;
  return std::nullopt;
}

}  // namespace

Status ReadEventText(std::string_view text, EventRecord* r, bool list_texts) {
  JsonText in(text);
  // Scratch strings kept per thread: a recall decodes ~100k events, and
  // member names, types, bizSteps and parent URIs outgrow the short-string
  // buffer.
  struct Scratch {
    std::string name, value, type, item_type, item_destination;
    std::string parent, step, disp;
  };
  thread_local Scratch scratch;
  std::string& name = scratch.name;
  std::string& value = scratch.value;
  std::string& type = scratch.type;
  std::string& item_type = scratch.item_type;
  std::string& item_destination = scratch.item_destination;
  std::string& parent = scratch.parent;
  std::string& step = scratch.step;
  std::string& disp = scratch.disp;
  type.clear();
  parent.clear();
  step.clear();
  disp.clear();
  // The identifiers as read, per list: buffers kept per thread (a recall
  // decodes ~100k events), copied into r->written, whose strings keep their
  // buffers too when the record is reused (EventRecord::Clear).
  struct List {
    std::vector<std::string> items;
    size_t size = 0;
  };
  thread_local List lists[4];
  for (List& list : lists) list.size = 0;
  bool lot_found = false, expiry_found = false;
  epcis::EventFacts& f = r->facts;
  // An object member's "id" string ("" if none): bizLocation, readPoint.
  auto place_id = [&](std::string* out) {
    out->clear();
    if (in.Peek() != '{') return in.Skip();
    return in.Object(&value, [&](std::string_view member) {
      if (member == "id"sv) return in.StringOrSkip(out);
      return in.Skip();
    });
  };
  auto epc_list = [&](int list) {
    if (in.Peek() != '[') return in.Skip();
    return in.Array([&] {
      if (list == EventRecord::kChildEpcs) ++r->child_count;
      if (in.Peek() != '"') return in.Skip();
      List& l = lists[list];
      if (l.size == l.items.size()) l.items.emplace_back();
      return in.String(&l.items[l.size++]);
    });
  };
  // The text of a value kept as written.
  auto raw = [&](std::string* out) {
    const size_t from = in.offset();
    if (!in.Skip()) return false;
    if (list_texts) out->assign(text.substr(from, in.offset() - from));
    return true;
  };
  bool ok = in.Object(&name, [&](std::string_view member) {
    if (member == "sourceList"sv) return raw(&r->source_list_text);
    if (member == "bizTransactionList"sv)
      return raw(&r->biz_transaction_list_text);
    if (member == "type"sv) return in.StringOrSkip(&type);
    if (member == "action"sv) return in.StringOrSkip(&f.action);
    if (member == "eventTime"sv) return in.StringOrSkip(&f.event_time);
    if (member == "eventID"sv) return in.StringOrSkip(&f.epcis_event_id);
    if (member == "parentID"sv) return in.StringOrSkip(&parent);
    if (member == "bizStep"sv) return in.StringOrSkip(&step);
    if (member == "disposition"sv) return in.StringOrSkip(&disp);
    if (member == "errorDeclaration"sv) {
      f.is_error_declaration = true;
      return in.Skip();
    }
    if (member == "bizLocation"sv) return place_id(&r->biz_location);
    if (member == "readPoint"sv) return place_id(&r->read_point);
    if (member == "epcList"sv) return epc_list(EventRecord::kEpcList);
    if (member == "childEPCs"sv) return epc_list(EventRecord::kChildEpcs);
    if (member == "inputEPCList"sv) return epc_list(EventRecord::kInputEpcs);
    if (member == "outputEPCList"sv) return epc_list(EventRecord::kOutputEpcs);
    if (member == "ilmd"sv) {
      if (in.Peek() != '{') return in.Skip();
      return in.Object(&value, [&](std::string_view key) {
        const size_t colon = key.rfind(':');
        const std::string_view local =
            colon == std::string::npos ? key : key.substr(colon + 1);
        bool* found = local == "lotNumber"            ? &lot_found
                      : local == "itemExpirationDate" ? &expiry_found
                                                      : nullptr;
        if (found == nullptr || *found || in.Peek() != '"') return in.Skip();
        *found = true;
        return in.String(found == &lot_found ? &r->ilmd_lot : &r->ilmd_expiry);
      });
    }
    if (member == "destinationList"sv) {
      const size_t from = in.offset();
      if (in.Peek() != '[') return raw(&r->destination_list_text);
      const bool items = in.Array([&] {
        if (in.Peek() != '{') return in.Skip();
        item_type.clear();
        bool has_destination = false;
        bool read = in.Object(&value, [&](std::string_view key) {
          if (key == "type"sv) return in.StringOrSkip(&item_type);
          if (key == "destination"sv) {
            has_destination = in.Peek() == '"';
            return in.StringOrSkip(&item_destination);
          }
          return in.Skip();
        });
        if (!read) return false;
        if (!has_destination) return true;
        std::optional<std::string>* slot =
            item_type == "possessing_party" ? &r->destination_possessing
            : item_type == "owning_party"   ? &r->destination_owning
                                            : nullptr;
        if (slot != nullptr && !*slot) *slot = item_destination;
        return true;
      });
      if (items && list_texts) {
        r->destination_list_text.assign(text.substr(from, in.offset() - from));
      }
      return items;
    }
    return in.Skip();
  });
  if (!ok || !in.AtEnd()) {
    return Status::Corruption("event: not a JSON object (at offset " +
                              std::to_string(in.offset()) + ")");
  }
  std::optional<epcis::EventType> t = EventTypeOf(type);
  if (!t) return Status::Corruption("event.type: not an EPCIS event type");
  f.type = *t;
  Result<int64_t> ms = epcis::ParseRfc3339Millis(f.event_time);
  if (!ms.ok()) return ms.status().WithPrefix("event.eventTime");
  f.event_time_ms = *ms;
  if (!parent.empty()) KeyInto(parent, &f.parent);
  if (!step.empty()) f.biz_step = BareName(step, /*biz_step=*/true);
  if (!disp.empty()) f.disposition = BareName(disp, /*biz_step=*/false);
  size_t total = 0;
  for (int i = 0; i < 4; ++i) {
    r->list_size[i] = static_cast<uint32_t>(lists[i].size);
    total += lists[i].size;
  }
  r->written.resize(total);
  size_t at = 0;
  for (const List& list : lists) {
    for (size_t i = 0; i < list.size; ++i)
      r->written[at++].assign(list.items[i]);
  }
  return Status::OK();
}

namespace {

// The canonical event bytes inside a JCS event entry: members sort as envelope
// < index < ... and event < signature < signer, so the entry is
// {"envelope":{"event":<JCS(event)>, "signature":"...",... and the last
// ',"signature":"' ends the event (no string value can hold an unescaped
// quote).
std::optional<std::string_view> CanonicalEventIn(std::string_view entry) {
  constexpr std::string_view kHead = "{\"envelope\":{\"event\":";
  constexpr std::string_view kTail = ",\"signature\":\"";
  if (entry.substr(0, kHead.size()) != kHead) return std::nullopt;
  const size_t end = entry.rfind(kTail);
  if (end == std::string_view::npos || end < kHead.size()) return std::nullopt;
  return entry.substr(kHead.size(), end - kHead.size());
}

// The envelope's signer: after the event (of `event_size` bytes) come
// ,"signature":"<base64>","signer":"<key id>"} and key ids hold no quote or
// backslash (C2SP key names are printable ASCII without them... checked).
std::optional<std::string_view> SignerIn(std::string_view entry,
                                         size_t event_size) {
  constexpr std::string_view kHead = "{\"envelope\":{\"event\":";
  constexpr std::string_view kSigner = ",\"signer\":\"";
  const size_t from = kHead.size() + event_size;
  const size_t at = entry.find(kSigner, from);
  if (at == std::string_view::npos) return std::nullopt;
  const size_t begin = at + kSigner.size();
  const size_t end = entry.find('"', begin);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view id = entry.substr(begin, end - begin);
  if (id.find('\\') != std::string_view::npos) return std::nullopt;
  return id;
}

}  // namespace

Status Source::ScanIndexKeys(IndexKind kind,
                             const std::vector<std::string>& keys,
                             uint64_t end_index,
                             const Log::IndexHitSink& sink) const {
  return ScanIndexKeysByPages(
      keys, end_index,
      [&](std::string_view key, uint64_t start, size_t limit) {
        return ScanIndex(kind, key, start, limit);
      },
      sink);
}

Status Source::ReadEntriesAt(const std::vector<uint64_t>& indexes,
                             const Log::EntryBytesSink& sink) const {
  for (uint64_t index : indexes) {
    Result<LogEntry> entry = ReadEntry(index);
    if (!entry.ok()) return entry.status();
    LEDGER_RETURN_IF_ERROR(sink(index, entry->bytes));
  }
  return Status::OK();
}

std::vector<std::unique_ptr<Source>> SourcesOf(
    const std::vector<const Log*>& logs) {
  std::vector<std::unique_ptr<Source>> out;
  for (const Log* log : logs) out.push_back(std::make_unique<LogSource>(log));
  return out;
}

std::vector<const Source*> Pointers(
    const std::vector<std::unique_ptr<Source>>& sources) {
  std::vector<const Source*> out;
  for (const auto& s : sources) out.push_back(s.get());
  return out;
}

Reader::Reader(const std::vector<const Source*>& logs, bool full_events)
    : logs_(logs), full_events_(full_events) {
  for (const Source* log : logs_) {
    coverage_.push_back({log->origin(), log->size()});
    for (const Participant& p : log->Participants())
      party_names_.emplace(p.gln, p.name);
  }
}

std::vector<std::pair<size_t, uint64_t>> Reader::EntriesRead() const {
  std::vector<std::pair<size_t, uint64_t>> out;
  records_.ForEach([&](size_t log, uint64_t index, const EventRecord*) {
    out.emplace_back(log, index);
  });
  return out;
}

PartyRef Reader::Party(const std::string& gln) const {
  auto it = party_names_.find(gln);
  return {gln, it == party_names_.end() ? "" : it->second};
}

const std::string& Reader::SignerGln(const std::string& key_id) {
  auto it = signer_gln_.find(key_id);
  if (it != signer_gln_.end()) return it->second;
  std::string gln;
  for (const Source* log : logs_) {
    if (std::optional<Participant> p = log->LookupSigner(key_id)) {
      gln = p->gln;
      break;
    }
  }
  return signer_gln_.emplace(key_id, std::move(gln)).first->second;
}

Result<const EventRecord*> Reader::Load(size_t log, uint64_t index) {
  if (EventRecord* r = records_.Find(log, index)) return r;
  // The entry's bytes only (Source::ReadEntry would parse all of it too).
  const EventRecord* record = nullptr;
  Status decoded;  // Decode's errors name the entry already
  Status st = logs_[log]->ReadEntriesAt(
      {index}, [&](uint64_t, std::string_view bytes) -> Status {
        Result<const EventRecord*> r = Decode(log, index, bytes);
        if (r.ok()) record = *r;
        decoded = r.status();
        return decoded;
      });
  if (!decoded.ok()) return decoded;
  if (!st.ok()) {
    return st.WithPrefix(origin(log) + " entry " + std::to_string(index));
  }
  if (record == nullptr) {
    return Status::Corruption(origin(log) + " entry " + std::to_string(index) +
                              ": not read");
  }
  return record;
}

// A key with many hits (a lot's commissioning events: thousands) is read in
// one ordered pass per log (Source::ReadEntriesAt) instead of a lookup per
// entry; a few hits (a trace's unit) are left to Load (one ReadEntriesAt per
// entry, which, like every ReadEntriesAt, does not fill the block cache).
Status Reader::ReadMany(const std::vector<std::pair<size_t, uint64_t>>& hits) {
  constexpr size_t kBulkFrom = 32;
  if (hits.size() < kBulkFrom) return Status::OK();
  for (size_t log = 0; log < logs_.size(); ++log) {
    std::vector<uint64_t> need;
    for (const auto& [at, index] : hits) {
      if (at == log && !records_.contains(log, index)) need.push_back(index);
    }
    if (need.size() < kBulkFrom) continue;
    std::sort(need.begin(), need.end());
    need.erase(std::unique(need.begin(), need.end()), need.end());
    Status read = logs_[log]->ReadEntriesAt(
        need, [&](uint64_t index, std::string_view bytes) {
          return Decode(log, index, bytes).status();
        });
    if (!read.ok()) return read.WithPrefix(origin(log));
  }
  return Status::OK();
}

Result<const EventRecord*> Reader::Decode(size_t log, uint64_t index,
                                          std::string_view bytes) {
  // Built only on error: a recall decodes hundreds of thousands of entries.
  auto where = [&] { return origin(log) + " entry " + std::to_string(index); };
  // An event entry is {"envelope":{"event":<JCS event>,"signature":"...",
  // "signer":"<key id>"},"index":...}: only the event is parsed (the log
  // checked the entry's form and the event when appending it).
  std::optional<std::string_view> canonical = CanonicalEventIn(bytes);
  if (!canonical) {
    return Status::Corruption(where() +
                              ": indexed entry is not an event entry");
  }
  std::optional<std::string_view> signer = SignerIn(bytes, canonical->size());
  if (!signer) {
    return Status::Corruption(where() + ": envelope.signer missing");
  }
  // A record released by an earlier batch is reused with its strings'
  // buffers (a recall decodes ~100k entries, a batch's worth at a time).
  EventRecord* r = nullptr;
  if (free_.empty()) {
    r = &pool_.emplace_back();
  } else {
    r = free_.back();
    free_.pop_back();
    r->Clear();
  }
  Status read = ReadEventText(*canonical, r, full_events_);
  if (!read.ok()) {
    free_.push_back(r);
    return read.WithPrefix(where());
  }
  r->SetCanonical(*canonical);
  r->log = log;
  r->index = index;
  r->signer.assign(*signer);
  r->signer_gln = SignerGln(r->signer);
  records_.Insert(log, index, r);
  if (!r->facts.is_error_declaration && !r->facts.epcis_event_id.empty()) {
    LEDGER_RETURN_IF_ERROR(MarkSuperseded(r));
  }
  return r;
}

// A declaration counts only when signed by the same participant as the event it
// corrects: nobody else may void another party's events.
Status Reader::MarkSuperseded(EventRecord* record) {
  for (size_t log = 0; log < logs_.size(); ++log) {
    Result<std::vector<uint64_t>> hits = logs_[log]->ScanIndex(
        IndexKind::kCorrection, record->facts.epcis_event_id, 0, 64);
    if (!hits.ok())
      return hits.status().WithPrefix(origin(log) + ": correction index");
    for (uint64_t index : *hits) {
      if (index >= coverage_[log].size) break;
      Result<const EventRecord*> decl = Load(log, index);
      if (!decl.ok()) return decl.status();
      if ((*decl)->facts.is_error_declaration && !record->signer_gln.empty() &&
          (*decl)->signer_gln == record->signer_gln) {
        record->superseded = true;
        return Status::OK();
      }
    }
  }
  return Status::OK();
}

Result<std::vector<const EventRecord*>> Reader::ListOf(
    const std::vector<std::pair<size_t, uint64_t>>& hits) {
  std::vector<const EventRecord*> out;
  out.reserve(hits.size());
  for (const auto& [log, index] : hits) {
    Result<const EventRecord*> r = Load(log, index);
    if (!r.ok()) return r.status();
    if ((*r)->facts.is_error_declaration) continue;
    if (logs_.size() > 1) {
      auto [first, inserted] = by_event_id_.emplace((*r)->EventId(), *r);
      if (!inserted && first->second != *r)
        continue;  // the same event in an earlier log
    }
    out.push_back(*r);
  }
  std::sort(out.begin(), out.end(),
            [](const EventRecord* a, const EventRecord* b) {
              return a->pos() < b->pos();
            });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<const std::vector<const EventRecord*>*> Reader::Events(
    IndexKind kind, std::string_view key) {
  if (auto it = scans_.find(ScanKeyView(kind, key)); it != scans_.end())
    return &it->second;
  std::vector<std::pair<size_t, uint64_t>> hits;
  for (size_t log = 0; log < logs_.size(); ++log) {
    const uint64_t size = coverage_[log].size;
    uint64_t start = 0;
    while (start < size) {
      Result<std::vector<uint64_t>> page =
          logs_[log]->ScanIndex(kind, key, start, kScanPage);
      if (!page.ok())
        return page.status().WithPrefix(origin(log) + ": index scan");
      for (uint64_t index : *page) {
        if (index >= size) break;
        hits.emplace_back(log, index);
      }
      if (page->size() < kScanPage) break;
      start = page->back() + 1;
    }
  }
  LEDGER_RETURN_IF_ERROR(ReadMany(hits));
  Result<std::vector<const EventRecord*>> out = ListOf(hits);
  if (!out.ok()) return out.status();
  for (const EventRecord* r : *out) r->pinned = true;
  auto [it, inserted] =
      scans_.emplace(ScanKey(kind, key), std::move(out).value());
  return &it->second;
}

Status Reader::Prefetch(IndexKind kind, const std::vector<std::string>& keys,
                        bool pin) {
  // The keys not read yet: all of them, usually (a batch's units), and then
  // they are not copied.
  std::vector<std::string> copied;
  const std::vector<std::string>* pending = &keys;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!scans_.contains(ScanKeyView(kind, keys[i]))) {
      if (pending != &keys) copied.push_back(keys[i]);
      continue;
    }
    if (pending == &keys) {
      copied.assign(keys.begin(), keys.begin() + i);
      pending = &copied;
    }
  }
  const std::vector<std::string>& todo = *pending;
  if (todo.empty()) return Status::OK();
  // Every key's hits in one vector (a vector per key was an allocation or
  // three per unit), grouped by key below.
  struct Hit {
    size_t key;  // position in todo
    std::pair<size_t, uint64_t> at;
  };
  std::vector<Hit> hits;
  hits.reserve(4 * todo.size());
  for (size_t log = 0; log < logs_.size(); ++log) {
    std::vector<uint64_t> need;
    Status st = logs_[log]->ScanIndexKeys(kind, todo, coverage_[log].size,
                                          [&](size_t i, uint64_t index) {
                                            hits.push_back({i, {log, index}});
                                            need.push_back(index);
                                            return Status::OK();
                                          });
    if (!st.ok()) return st.WithPrefix(origin(log) + ": index scan");
    // Entries named by several keys (a case's worth of units share their
    // commissioning and packing events) are looked up once.
    std::sort(need.begin(), need.end());
    need.erase(std::unique(need.begin(), need.end()), need.end());
    std::erase_if(
        need, [&](uint64_t index) { return records_.contains(log, index); });
    Status decoded = logs_[log]->ReadEntriesAt(
        need, [&](uint64_t index, std::string_view bytes) {
          return Decode(log, index, bytes).status();
        });
    if (!decoded.ok()) return decoded.WithPrefix(origin(log));
  }
  // By key; a key's hits stay in the order they came (log by log, each
  // log's in index order), as ListOf expects.
  auto by_key = [](const Hit& a, const Hit& b) { return a.key < b.key; };
  if (!std::is_sorted(hits.begin(), hits.end(), by_key))
    std::stable_sort(hits.begin(), hits.end(), by_key);
  std::vector<std::pair<size_t, uint64_t>> of_key;
  size_t next = 0;
  for (size_t i = 0; i < todo.size(); ++i) {
    of_key.clear();
    for (; next < hits.size() && hits[next].key == i; ++next)
      of_key.push_back(hits[next].at);
    Result<std::vector<const EventRecord*>> list = ListOf(of_key);
    if (!list.ok()) return list.status();
    if (pin) {
      for (const EventRecord* r : *list) r->pinned = true;
    }
    scans_.emplace(ScanKey(kind, todo[i]), std::move(list).value());
  }
  return Status::OK();
}

Status Reader::PrefetchContainers(const std::vector<std::string>& keys) {
  constexpr int kMaxLevels = 8;
  std::vector<std::string> level;  // after the first (`keys`, not copied)
  for (int depth = 0; depth < kMaxLevels && (depth == 0 || !level.empty());
       ++depth) {
    // The parents as pointers into the records (a case's units name the same
    // one): copied once each, when not read yet.
    std::vector<const std::string*> found;
    for (const std::string& key : depth == 0 ? keys : level) {
      auto it = scans_.find(ScanKeyView(IndexKind::kEpc, key));
      if (it == scans_.end()) continue;
      for (const EventRecord* r : it->second) {
        if (r->superseded || r->facts.parent.empty() ||
            r->facts.type != epcis::EventType::kAggregationEvent ||
            r->facts.action != "ADD" || !r->Names(key)) {
          continue;
        }
        if (found.empty() || *found.back() != r->facts.parent)
          found.push_back(&r->facts.parent);
      }
    }
    auto less = [](const std::string* a, const std::string* b) {
      return *a < *b;
    };
    auto equal = [](const std::string* a, const std::string* b) {
      return *a == *b;
    };
    std::sort(found.begin(), found.end(), less);
    found.erase(std::unique(found.begin(), found.end(), equal), found.end());
    std::vector<std::string> parents;
    for (const std::string* parent : found) {
      if (!scans_.contains(ScanKeyView(IndexKind::kEpc, *parent)))
        parents.push_back(*parent);
    }
    LEDGER_RETURN_IF_ERROR(Prefetch(IndexKind::kEpc, parents, /*pin=*/true));
    level = std::move(parents);
  }
  return Status::OK();
}

void Reader::Release(IndexKind kind, const std::vector<std::string>& keys) {
  std::vector<const EventRecord*> held;
  for (const std::string& key : keys) {
    auto it = scans_.find(ScanKeyView(kind, key));
    if (it == scans_.end()) continue;
    for (const EventRecord* r : it->second) {
      if (!r->pinned) held.push_back(r);
    }
    scans_.erase(it);
  }
  std::sort(held.begin(), held.end());
  held.erase(std::unique(held.begin(), held.end()), held.end());
  for (const EventRecord* r : held) {
    // by_event_id_ holds ids only of what ListOf and CommissioningOfLot put
    // there (several logs, or a commissioning scan): an id not hashed yet is
    // not in it.
    if (auto it = by_event_id_.empty() ? by_event_id_.end()
                                       : by_event_id_.find(r->EventId());
        it != by_event_id_.end() && it->second == r) {
      by_event_id_.erase(it);
    }
    records_.Erase(r->log, r->index);
    free_.push_back(const_cast<EventRecord*>(r));  // one of pool_'s
  }
}

Result<std::vector<const EventRecord*>> Reader::CommissioningOfLot(
    const std::string& lot) {
  std::vector<const EventRecord*> out;
  for (size_t log = 0; log < logs_.size(); ++log) {
    const uint64_t size = coverage_[log].size;
    uint64_t start = 0;
    while (start < size) {
      Result<std::vector<uint64_t>> page = logs_[log]->ScanIndex(
          IndexKind::kBizStep, "commissioning", start, kScanPage);
      if (!page.ok())
        return page.status().WithPrefix(origin(log) + ": index scan");
      for (uint64_t index : *page) {
        if (index >= size) break;
        Result<LogEntry> entry = logs_[log]->ReadEntry(index);
        if (!entry.ok()) return entry.status().WithPrefix(origin(log));
        const nlohmann::json* event = nullptr;
        if (auto env = entry->json.find("envelope"); env != entry->json.end() &&
                                                     env->is_object() &&
                                                     env->contains("event")) {
          event = &(*env)["event"];
        }
        if (event == nullptr || IlmdValue(*event, "lotNumber") != lot) continue;
        Result<const EventRecord*> r = Load(log, index);
        if (!r.ok()) return r.status();
        auto [first, inserted] = by_event_id_.emplace((*r)->EventId(), *r);
        if (inserted || first->second == *r) out.push_back(*r);
      }
      if (page->size() < kScanPage) break;
      start = page->back() + 1;
    }
  }
  return out;
}

}  // namespace ledger::trace::internal
