#include "node/replication/base64_leaf.h"

#include <array>
#include <cstdint>

namespace replication {

namespace {

// Value of each base64 character, -1 for anything else (including '=').
constexpr std::array<int8_t, 256> kValue = [] {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  const char* alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i)
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}();

}  // namespace

bool DecodeBase64Strict(std::string_view b64, std::string* out) {
  if (b64.size() % 4 != 0) return false;
  size_t pad = 0;
  if (!b64.empty() && b64.back() == '=')
    pad = b64[b64.size() - 2] == '=' ? 2 : 1;
  out->resize(b64.size() / 4 * 3 - pad);
  const auto* p = reinterpret_cast<const unsigned char*>(b64.data());
  char* o = out->data();
  const size_t full = b64.size() / 4 - (pad > 0 ? 1 : 0);
  for (size_t i = 0; i < full; ++i, p += 4, o += 3) {
    const int a = kValue[p[0]], b = kValue[p[1]], c = kValue[p[2]],
              d = kValue[p[3]];
    if ((a | b | c | d) < 0) return false;
    const uint32_t v = static_cast<uint32_t>(a) << 18 |
                       static_cast<uint32_t>(b) << 12 |
                       static_cast<uint32_t>(c) << 6 | static_cast<uint32_t>(d);
    o[0] = static_cast<char>(v >> 16);
    o[1] = static_cast<char>(v >> 8);
    o[2] = static_cast<char>(v);
  }
  if (pad == 1) {  // xyz=: two bytes; the low 2 bits of z unused
    const int a = kValue[p[0]], b = kValue[p[1]], c = kValue[p[2]];
    if ((a | b | c) < 0 || (c & 3) != 0) return false;
    const uint32_t v = static_cast<uint32_t>(a) << 18 |
                       static_cast<uint32_t>(b) << 12 |
                       static_cast<uint32_t>(c) << 6;
    o[0] = static_cast<char>(v >> 16);
    o[1] = static_cast<char>(v >> 8);
  } else if (pad == 2) {  // xy==: one byte; the low 4 bits of y unused
    const int a = kValue[p[0]], b = kValue[p[1]];
    if ((a | b) < 0 || (b & 15) != 0) return false;
    o[0] = static_cast<char>(a << 2 | b >> 4);
  }
  return true;
}

}  // namespace replication
