#include "ledger/log/event_batch.h"

#include <algorithm>

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
  SortOnce();
  const char* base = arena_.data();
  std::vector<uint64_t> run;
  std::string value;
  for (size_t i = 0; i < puts_.size();) {
    const std::string_view key(base + puts_[i].offset, puts_[i].key_size);
    if (key.size() < 9) {
      batch->Put(leveldb::Slice(key.data(), key.size()), leveldb::Slice());
      ++i;
      continue;
    }
    const std::string_view prefix = key.substr(0, key.size() - 8);
    run.clear();
    size_t j = i;
    for (; j < puts_.size(); ++j) {
      const std::string_view k(base + puts_[j].offset, puts_[j].key_size);
      if (k.size() != key.size() || !k.starts_with(prefix)) break;
      run.push_back(GetBigEndian64(k.substr(prefix.size())));
    }
    value.clear();
    logkeys::AppendIndexListValue(&value, run.data(), run.size());
    // The run's last key is prefix + be64(last index).
    const Put& last = puts_[j - 1];
    batch->Put(leveldb::Slice(base + last.offset, last.key_size), value);
    i = j;
  }
}

void PutEventIndexKeys(const std::vector<PreparedEvent>& events,
                       const std::vector<size_t>& accepted,
                       uint64_t first_index, leveldb::WriteBatch* batch) {
  SortedPuts ids, times, index_keys;
  const size_t n = accepted.size();
  ids.Reserve(n, n * 96);
  times.Reserve(n, n * 17);
  index_keys.Reserve(n * 8, n * 8 * 56);
  std::string key;
  key.reserve(128);
  std::string be;
  be.reserve(8);
  for (size_t k = 0; k < n; ++k) {
    const PreparedEvent& ev = events[accepted[k]];
    const uint64_t index = first_index + k;
    logkeys::EventIdKeyInto(&key, ev.event_id);
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
