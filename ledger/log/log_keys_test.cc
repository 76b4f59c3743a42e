// Key coding of ledger/log/log_keys.h (spec/log-format.md): escaping of the
// free-text part of index keys.
#include "ledger/log/log_keys.h"

#include <gtest/gtest.h>

#include <string>

namespace ledger::logkeys {
namespace {

// The escape as spec/log-format.md writes it, byte by byte: 0x00 -> 01 01,
// 0x01 -> 01 02, every other byte as itself.
std::string ReferenceEscape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '\0') {
      out += "\x01\x01";
    } else if (c == '\x01') {
      out += "\x01\x02";
    } else {
      out += c;
    }
  }
  return out;
}

// AppendEscaped skips eight bytes at a time: every byte value at positions in
// and across those words, alone and with a second one later, must come out
// as the byte-by-byte escape.
TEST(KeyEscapeTest, EveryByteAtEveryWordPosition) {
  for (size_t size : {1, 7, 8, 9, 16, 17, 30}) {
    for (size_t at = 0; at < size; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string key(size, 'k');
        key[at] = static_cast<char>(b);
        if (at + 3 < size) key[size - 1] = static_cast<char>(b);
        SCOPED_TRACE(testing::Message()
                     << "size " << size << " byte " << b << " at " << at);
        std::string out = "X";
        AppendEscaped(&out, key);
        EXPECT_EQ(out, "X" + ReferenceEscape(key));
        EXPECT_EQ(Escape(key), ReferenceEscape(key));
      }
    }
  }
}

}  // namespace
}  // namespace ledger::logkeys
