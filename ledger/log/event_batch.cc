#include "ledger/log/event_batch.h"

#include <algorithm>
#include <functional>

#include "ledger/bytes.h"
#include "ledger/log/log_entry.h"
#include "ledger/log/log_keys.h"

namespace ledger::logimpl {

void SortedPuts::Reserve(size_t puts, size_t bytes) {
  puts_.reserve(puts);
  arena_.reserve(bytes);
}

void SortedPuts::Add(std::string_view key, std::string_view value) {
  if (ascending_ && !puts_.empty()) {
    const Put& last = puts_.back();
    ascending_ =
        std::string_view(arena_.data() + last.offset, last.key_size) < key;
  }
  puts_.push_back(Put{arena_.size(), static_cast<uint32_t>(key.size()),
                      static_cast<uint32_t>(value.size())});
  arena_.append(key);
  arena_.append(value);
}

void SortedPuts::SortOnce() {
  if (ascending_) return;
  const char* base = arena_.data();
  std::sort(puts_.begin(), puts_.end(), [base](const Put& a, const Put& b) {
    return std::string_view(base + a.offset, a.key_size) <
           std::string_view(base + b.offset, b.key_size);
  });
  ascending_ = true;
}

void SortedPuts::PutInOrder(leveldb::WriteBatch* batch) {
  SortOnce();
  const char* base = arena_.data();
  for (const Put& p : puts_) {
    batch->Put(leveldb::Slice(base + p.offset, p.key_size),
               leveldb::Slice(base + p.offset + p.key_size, p.value_size));
  }
}

void SortedPuts::PutAsIndexLists(leveldb::WriteBatch* batch) {
  const char* base = arena_.data();
  auto key_of = [&](const Put& p) {
    return std::string_view(base + p.offset, p.key_size);
  };
  // Groups of keys with one prefix (the key without its last 8 bytes; a key
  // shorter than 9 bytes is a group of its own, put as it is), found with a
  // hash table instead of sorting every key: a batch's keys share few prefixes
  // (signer, bizStep, ... of every event), and only the distinct prefixes are
  // sorted.
  struct Group {
    std::string_view prefix;
    uint32_t count = 0;
    uint32_t start = 0;      // of its indexes in `indexes`
    bool whole_key = false;  // a short key, put as it is
    bool ascending = true;   // indexes added in ascending order
    uint64_t last = 0;       // the latest index added
  };
  std::vector<Group> groups;
  std::vector<uint32_t> group_of(puts_.size());
  size_t slots = 16;
  while (slots < 2 * puts_.size()) slots *= 2;
  std::vector<uint32_t> table(slots, UINT32_MAX);  // group ids
  const std::hash<std::string_view> hash;
  for (size_t i = 0; i < puts_.size(); ++i) {
    const std::string_view key = key_of(puts_[i]);
    const bool whole = key.size() < 9;
    const std::string_view prefix = whole ? key : key.substr(0, key.size() - 8);
    size_t slot = hash(prefix) & (slots - 1);
    while (table[slot] != UINT32_MAX &&
           (groups[table[slot]].prefix != prefix ||
            groups[table[slot]].whole_key != whole)) {
      slot = (slot + 1) & (slots - 1);
    }
    if (table[slot] == UINT32_MAX) {
      table[slot] = static_cast<uint32_t>(groups.size());
      groups.push_back(Group{prefix, 0, 0, whole, true, 0});
    }
    Group& g = groups[table[slot]];
    if (!whole) {
      const uint64_t index = GetBigEndian64(key.substr(prefix.size()));
      if (g.count > 0 && index <= g.last) g.ascending = false;
      g.last = index;
    }
    ++g.count;
    group_of[i] = table[slot];
  }
  // Each group's indexes, contiguous, in the order added.
  uint32_t next = 0;
  for (Group& g : groups) {
    g.start = next;
    next += g.count;
  }
  std::vector<uint64_t> indexes(puts_.size());
  std::vector<uint32_t> filled(groups.size(), 0);
  for (size_t i = 0; i < puts_.size(); ++i) {
    Group& g = groups[group_of[i]];
    if (g.whole_key) continue;
    const std::string_view key = key_of(puts_[i]);
    indexes[g.start + filled[group_of[i]]++] =
        GetBigEndian64(key.substr(key.size() - 8));
  }
  std::vector<uint32_t> order(groups.size());
  for (uint32_t g = 0; g < order.size(); ++g) order[g] = g;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return groups[a].prefix < groups[b].prefix;
  });
  std::string key;
  std::string value;
  for (uint32_t id : order) {
    const Group& g = groups[id];
    if (g.whole_key) {
      // Keys are distinct, so a short key is a group of one.
      batch->Put(leveldb::Slice(g.prefix.data(), g.prefix.size()),
                 leveldb::Slice());
      continue;
    }
    uint64_t* first = indexes.data() + g.start;
    if (!g.ascending) std::sort(first, first + g.count);
    value.clear();
    logkeys::AppendIndexListValue(&value, first, g.count);
    // The list's key is prefix + be64(its last index).
    key.assign(g.prefix);
    PutBigEndian64(&key, first[g.count - 1]);
    batch->Put(key, value);
  }
}

void PutEventIndexKeys(const std::vector<PreparedEvent>& events,
                       const std::vector<size_t>& accepted,
                       uint64_t first_index, leveldb::WriteBatch* batch) {
  SortedPuts ids, times, index_keys;
  const size_t n = accepted.size();
  ids.Reserve(n, n * 48);
  times.Reserve(n, n * 17);
  index_keys.Reserve(n * 8, n * 8 * 56);
  std::string key;
  key.reserve(128);
  std::string be;
  be.reserve(8);
  for (size_t k = 0; k < n; ++k) {
    const PreparedEvent& ev = events[accepted[k]];
    const uint64_t index = first_index + k;
    // ev.event_id was computed by PrepareEvent (always the canonical form).
    if (!logkeys::EventIdKeyInto(&key, ev.event_id)) {
      key.assign("I" + ev.event_id);
    }
    be.clear();
    PutBigEndian64(&be, index);
    ids.Add(key, be);
    // The last key ForEachEventIndexKey makes is the T key.
    logentry::ForEachEventIndexKey(
        ev.facts, ev.envelope.signer, index, &key, [&](std::string_view k) {
          if (!k.empty() && k[0] == logkeys::kTimePrefix) {
            times.Add(k, {});
          } else {
            index_keys.Add(k, {});
          }
        });
  }
  ids.PutInOrder(batch);
  times.PutInOrder(batch);
  index_keys.PutAsIndexLists(batch);
}

}  // namespace ledger::logimpl
