// The Application Identifier table (generated into ai_table.inc by
// gen_ai_table.py).
#include <algorithm>
#include <iterator>

#include "ledger/gs1.h"
#include "ledger/gs1/gs1_internal.h"

namespace ledger::gs1 {
namespace {

constexpr AiInfo kAiTable[] = {
#include "ledger/gs1/ai_table.inc"
};

}  // namespace

const AiInfo* LookupAi(std::string_view ai) {
  auto it = std::lower_bound(
      std::begin(kAiTable), std::end(kAiTable), ai,
      [](const AiInfo& row, std::string_view key) { return row.ai < key; });
  return it != std::end(kAiTable) && it->ai == ai ? &*it : nullptr;
}

namespace internal {
std::span<const AiInfo> AllAis() { return kAiTable; }
}  // namespace internal

const AiInfo* MatchAiPrefix(std::string_view data) {
  // AIs are 2 to 4 digits long and no AI is a prefix of another (checked by the
  // generator).
  for (size_t n = 2; n <= 4 && n <= data.size(); ++n) {
    if (const AiInfo* info = LookupAi(data.substr(0, n))) return info;
  }
  return nullptr;
}

}  // namespace ledger::gs1
