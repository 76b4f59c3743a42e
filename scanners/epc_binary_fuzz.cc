// libFuzzer target: EPC binary. The input is used both as hex and as a tag URI;
// every hex that decodes must encode back to the same bits from its tag URI,
// and every URI that encodes must decode to a tag that encodes to the same hex.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "scanners/epc_binary.h"

namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto tag = scanners::DecodeEpcHex(input);
  if (tag.ok()) {
    auto hex = scanners::EncodeEpcTagUri(tag->tag_uri);
    if (!hex.ok() || *hex != Upper(input)) std::abort();
    auto from_pure =
        scanners::EncodeEpcUri(tag->pure_uri, tag->scheme, tag->filter);
    if (!from_pure.ok() || *from_pure != *hex) std::abort();
  }
  auto encoded = scanners::EncodeEpcTagUri(input);
  if (encoded.ok()) {
    auto decoded = scanners::DecodeEpcHex(*encoded);
    if (!decoded.ok()) std::abort();
    auto again = scanners::EncodeEpcTagUri(decoded->tag_uri);
    if (!again.ok() || *again != *encoded) std::abort();
  }
  return 0;
}
