// libFuzzer target: HIBC. Whatever parses must carry the right modulo-43 check
// character and the fields its form promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "scanners/hibc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto hibc = scanners::ParseHibc(input);
  if (!hibc.ok()) return 0;
  if (input.empty() || hibc->check != input.back()) std::abort();
  if (scanners::HibcCheckCharacter(input.substr(0, input.size() - 1)) !=
      hibc->check)
    std::abort();
  if (hibc->has_primary &&
      (hibc->lic.size() != 4 || hibc->pcn.empty() || !hibc->unit_of_measure)) {
    std::abort();
  }
  if (!hibc->has_primary && !hibc->link) std::abort();
  if (hibc->expiry && hibc->expiry->size() != 10) std::abort();
  return 0;
}
