// The index puts of one AppendEvents batch, built apart from its entries so
// that a second thread can make them while the writer chains and hashes the
// entries (log.cc). Internal to ledger/log.
//
// LevelDB inserts a batch's puts one by one into its memtable, a skip list:
// puts grouped by key family and ascending inside each family land next to
// each other and find their search path still in the CPU cache (about half the
// cost of the same puts in event order). SortedPuts collects one family and
// writes it in that order, so the writer never has to reorder the whole batch.
#ifndef UDI_LEDGER_LOG_EVENT_BATCH_H_
#define UDI_LEDGER_LOG_EVENT_BATCH_H_

#include <leveldb/write_batch.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/log.h"

namespace ledger::logimpl {

// Puts of one key family: Add in any order, then Put them into a WriteBatch in
// ascending bytewise key order. Keys MUST be distinct (the order of two puts
// of one key would be lost). Not thread-safe; one owner at a time.
class SortedPuts {
 public:
  void Reserve(size_t puts, size_t bytes);
  void Add(std::string_view key, std::string_view value);
  // Appends every put to *batch, keys ascending (sorted here only when they
  // were not added in that order).
  void PutInOrder(leveldb::WriteBatch* batch);
  // For X keys (values ignored): all keys that differ only in their last 8
  // bytes (one (kind, key) with be64(index)) put as ONE index list key
  // (logkeys::AppendIndexListValue): their prefix with be64 of their greatest
  // index, the lists in ascending key order. Keys shorter than 9 bytes are put
  // as they are (with an empty value).
  void PutAsIndexLists(leveldb::WriteBatch* batch);
  size_t size() const { return puts_.size(); }
  bool empty() const { return puts_.empty(); }

 private:
  // Sorts puts_ by key unless they were added in ascending order.
  void SortOnce();
  struct Put {
    size_t offset;  // key bytes, then value bytes, in arena_
    uint32_t key_size;
    uint32_t value_size;
  };
  std::string arena_;
  std::vector<Put> puts_;
  bool ascending_ = true;
};

// The I (event id), T (eventTime) and X (secondary index) puts of the events
// events[accepted[k]], which are logged at index first_index + k, as
// AddEventKeys and the commit make them: appended to *batch family by family
// (I, T, X), each ascending, the X keys as one index list per (kind, key).
// Reads only event_id, facts and envelope.signer of those events.
void PutEventIndexKeys(const std::vector<PreparedEvent>& events,
                       const std::vector<size_t>& accepted,
                       uint64_t first_index, leveldb::WriteBatch* batch);

}  // namespace ledger::logimpl

#endif  // UDI_LEDGER_LOG_EVENT_BATCH_H_
