// libFuzzer target: strict parsing and RFC 8785 canonicalisation. Whatever
// parses must canonicalise, and the canonical form must re-parse strictly and
// canonicalise to the same bytes (stored canonical events are re-parsed by
// verifiers).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/jcs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = ledger::ParseJsonStrict(text);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) std::abort();
    return 0;
  }
  auto canonical = ledger::CanonicalizeJson(*parsed);
  if (!canonical.ok()) std::abort();
  auto again = ledger::ParseJsonStrict(*canonical);
  if (!again.ok()) std::abort();
  auto second = ledger::CanonicalizeJson(*again);
  if (!second.ok() || *second != *canonical) std::abort();
  return 0;
}
