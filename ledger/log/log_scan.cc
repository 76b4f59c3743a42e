// Bulk reads (Log::ScanIndexKeys, Log::ReadEntriesAt): many index keys or
// entries in one ordered pass of one LevelDB iterator, for queries that touch
// thousands of them (a recall of a 100k-unit lot). Keys are built and parsed
// only through log_keys.h, so the key layout stays in one place.
#include <algorithm>
#include <memory>
#include <numeric>
#include <optional>

#include "ledger/log/log_impl.h"
#include "ledger/log/log_keys.h"

namespace ledger {

Status ScanIndexKeysByPages(const std::vector<std::string>& keys,
                            uint64_t end_index, const IndexPageScan& scan,
                            const Log::IndexHitSink& sink) {
  std::vector<size_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  for (size_t n = 0; n < order.size(); ++n) {
    const size_t i = order[n];
    if (n > 0 && keys[order[n - 1]] == keys[i]) continue;
    constexpr size_t kPage = 1024;
    for (uint64_t start = 0; start < end_index;) {
      Result<std::vector<uint64_t>> page = scan(keys[i], start, kPage);
      if (!page.ok()) return page.status();
      for (uint64_t index : *page) {
        if (index >= end_index) break;
        LEDGER_RETURN_IF_ERROR(sink(i, index));
      }
      if (page->size() < kPage) break;
      start = page->back() + 1;
    }
  }
  return Status::OK();
}

// The defaults, for Log implementations without an ordered store.
Status Log::ScanIndexKeys(IndexKind kind, const std::vector<std::string>& keys,
                          uint64_t end_index, const IndexHitSink& sink) const {
  if (kind == IndexKind::kEventId) {
    return Status::InvalidArgument(
        "kind: the event-id index is not a secondary index");
  }
  return ScanIndexKeysByPages(
      keys, end_index,
      [&](std::string_view key, uint64_t start, size_t limit) {
        return ScanIndex(kind, key, start, limit);
      },
      sink);
}

Status Log::ReadEntriesAt(const std::vector<uint64_t>& indexes,
                          const EntryBytesSink& sink) const {
  for (size_t n = 0; n < indexes.size(); ++n) {
    if (n > 0 && indexes[n] <= indexes[n - 1]) {
      return Status::InvalidArgument("indexes[" + std::to_string(n) +
                                     "]: not ascending");
    }
    Result<LogEntry> entry = ReadEntry(indexes[n]);
    if (!entry.ok()) return entry.status();
    LEDGER_RETURN_IF_ERROR(sink(indexes[n], entry->bytes));
  }
  return Status::OK();
}

namespace logimpl {
namespace {

// A target this many keys ahead or fewer is reached by Next() (a few
// comparisons each), a farther one by Seek() (a binary search in every
// level's index block): dense targets (the units of one lot, the events of
// one day) become a sequential scan, sparse ones cost one seek each.
constexpr int kMaxSteps = 16;
// Entries are ~1 KiB and a data block 4 KiB: an entry this many indexes or
// fewer after the previous one read is reached by stepping (at most a block
// or two more), a farther one by a point Get (one block).
constexpr uint64_t kNearEntries = 4;

class ForwardCursor {
 public:
  ForwardCursor(const Db& db, const leveldb::Snapshot* snapshot) {
    leveldb::ReadOptions options = db.ReadOptions(snapshot);
    // A bulk pass would evict the blocks that traces and proofs keep hot;
    // the blocks it reads are used by this pass only (LevelDB's advice for
    // bulk scans).
    options.fill_cache = false;
    it_.reset(db.db->NewIterator(options));
  }

  // Positions at the first key >= target with one Seek (a target known to be
  // far ahead). Targets MUST ascend.
  void SeekTo(const std::string& target) {
    positioned_ = true;
    it_->Seek(leveldb::Slice(target));
  }

  // Positions at the first key >= target. Targets MUST ascend.
  void MoveTo(const std::string& target) {
    const leveldb::Slice t(target);
    if (positioned_) {
      for (int i = 0; i < kMaxSteps && it_->Valid(); ++i) {
        if (it_->key().compare(t) >= 0) return;
        it_->Next();
      }
      if (!it_->Valid() && it_->status().ok()) return;  // end of the store
    }
    positioned_ = true;
    it_->Seek(t);
  }
  leveldb::Iterator* operator->() const { return it_.get(); }

 private:
  std::unique_ptr<leveldb::Iterator> it_;
  bool positioned_ = false;
};

bool StartsWith(const leveldb::Slice& s, const std::string& prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.data());
}

}  // namespace

Status LogImpl::ScanIndexKeys(IndexKind kind,
                              const std::vector<std::string>& keys,
                              uint64_t end_index,
                              const IndexHitSink& sink) const {
  if (kind == IndexKind::kEventId) {
    return Status::InvalidArgument(
        "kind: the event-id index is not a secondary index");
  }
  // Every key's prefix (its index key without the 8-byte index) in one
  // buffer: a batch of a recall has thousands of keys, and a string each
  // (two allocations with the escaping) was ~10% of its allocations.
  std::string buffer, one;
  std::vector<std::pair<size_t, size_t>> spans;  // (offset, size) in buffer
  spans.reserve(keys.size());
  for (const std::string& key : keys) {
    logkeys::IndexKeyInto(&one, kind, key, 0);
    const size_t size = one.size() - 8;
    spans.emplace_back(buffer.size(), size);
    buffer.append(one, 0, size);
  }
  auto prefix_of = [&](size_t i) {
    return std::string_view(buffer).substr(spans[i].first, spans[i].second);
  };
  std::vector<size_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0);
  // Usually in order already (a lot's units).
  auto less = [&](size_t a, size_t b) { return prefix_of(a) < prefix_of(b); };
  if (!std::is_sorted(order.begin(), order.end(), less))
    std::stable_sort(order.begin(), order.end(), less);
  auto state = State();
  ForwardCursor cursor(*db_, state->snapshot.get());
  std::vector<uint64_t> list;
  std::string prefix;
  for (size_t n = 0; n < order.size(); ++n) {
    const size_t i = order[n];
    if (n > 0 && prefix_of(order[n - 1]) == prefix_of(i)) continue;
    prefix.assign(prefix_of(i));
    cursor.MoveTo(prefix);
    for (; cursor->Valid() && StartsWith(cursor->key(), prefix);
         cursor->Next()) {
      const std::string_view key(cursor->key().data(), cursor->key().size());
      if (key.size() != prefix.size() + 8) continue;  // not (prefix, be64)
      // An index list (format 3): its indexes ascend, and so do the lists.
      // The key is described only on error (a recall decodes ~100k lists).
      Status decoded = logkeys::DecodeIndexList(
          GetBigEndian64(key.substr(prefix.size())),
          std::string_view(cursor->value().data(), cursor->value().size()),
          &list);
      if (!decoded.ok())
        return decoded.WithPrefix("key " + logkeys::Describe(key));
      bool done = false;
      for (uint64_t index : list) {
        if (index >= end_index) {
          done = true;
          break;
        }
        LEDGER_RETURN_IF_ERROR(sink(i, index));
      }
      if (done) break;
    }
    LEDGER_RETURN_IF_ERROR(
        logdb::FromLevelDb(cursor->status(), "scanning an index"));
  }
  return Status::OK();
}

Status LogImpl::ReadEntriesAt(const std::vector<uint64_t>& indexes,
                              const EntryBytesSink& sink) const {
  auto state = State();
  for (size_t n = 0; n < indexes.size(); ++n) {
    if (indexes[n] >= state->size) {
      return Status::NotFound("entry " + std::to_string(indexes[n]) +
                              ": the log has " + std::to_string(state->size) +
                              " entries");
    }
    if (n > 0 && indexes[n] <= indexes[n - 1]) {
      return Status::InvalidArgument("indexes[" + std::to_string(n) +
                                     "]: not ascending");
    }
  }
  // An isolated entry is read with a point lookup: an iterator's Seek
  // positions every level of the LSM tree (a data block read and
  // decompressed per level), a Get reads only the table that holds the key
  // (the others are skipped by their bloom filters). Runs of near entries
  // are read by stepping one iterator.
  leveldb::ReadOptions point = db_->ReadOptions(state->snapshot.get());
  point.fill_cache = false;
  ForwardCursor cursor(*db_, state->snapshot.get());
  // The entry the cursor was last positioned at (a run of near entries
  // before): a run that starts more than kMaxSteps entries after it is sought
  // at once, instead of stepping kMaxSteps entries (and their blocks) first.
  std::optional<uint64_t> cursor_at;
  std::string key, value;
  for (size_t n = 0; n < indexes.size(); ++n) {
    const uint64_t index = indexes[n];
    logkeys::EntryKeyInto(&key, index);
    const bool near_previous = n > 0 && index - indexes[n - 1] <= kNearEntries;
    const bool near_next =
        n + 1 < indexes.size() && indexes[n + 1] - index <= kNearEntries;
    if (!near_previous && !near_next) {
      leveldb::Status s = db_->db->Get(point, key, &value);
      if (s.IsNotFound()) {
        return Status::Corruption("entry " + std::to_string(index) +
                                  ": missing");
      }
      LEDGER_RETURN_IF_ERROR(
          logdb::FromLevelDb(s, "reading entry " + std::to_string(index)));
      LEDGER_RETURN_IF_ERROR(sink(index, value));
      continue;
    }
    if (cursor_at && index - *cursor_at <= static_cast<uint64_t>(kMaxSteps)) {
      cursor.MoveTo(key);
    } else {
      cursor.SeekTo(key);
    }
    cursor_at = index;
    if (!cursor->Valid() || cursor->key() != leveldb::Slice(key)) {
      LEDGER_RETURN_IF_ERROR(
          logdb::FromLevelDb(cursor->status(), "reading entries"));
      return Status::Corruption("entry " + std::to_string(index) + ": missing");
    }
    LEDGER_RETURN_IF_ERROR(
        sink(index,
             std::string_view(cursor->value().data(), cursor->value().size())));
  }
  return Status::OK();
}

}  // namespace logimpl
}  // namespace ledger
