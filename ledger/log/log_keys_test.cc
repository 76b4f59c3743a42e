// Key coding of ledger/log/log_keys.h (spec/log-format.md): the format-4
// entry, tree node and event id keys, and escaping of the free-text part of
// index keys.
#include "ledger/log/log_keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ledger/merkle.h"

namespace ledger::logkeys {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

// spec/log-format.md section 4, byte for byte.
TEST(SeqKeyTest, EntryAndNodeKeysAsTheSpecWritesThem) {
  struct Case {
    std::string key;
    std::string hex;
  };
  const Case cases[] = {
      {EntryKey(0),
       "73"
       "0000000000000000"
       "45"},
      {EntryKey(1042),
       "73"
       "0000000000000412"
       "45"},
      {NodeKey(0, 0),
       "73"
       "0000000000000000"
       "4e"
       "00"},
      {NodeKey(0, 1042),
       "73"
       "0000000000000412"
       "4e"
       "00"},
      // (level 1, index 520) covers leaves 1040, 1041: last leaf 1041.
      {NodeKey(1, 520),
       "73"
       "0000000000000411"
       "4e"
       "01"},
      // (level 3, index 2) covers leaves 16..23.
      {NodeKey(3, 2),
       "73"
       "0000000000000017"
       "4e"
       "03"},
      {NodeKey(63, 1),
       "73"
       "ffffffffffffffff"
       "4e"
       "3f"},
  };
  for (const auto& c : cases) EXPECT_EQ(Hex(c.key), c.hex);
}

TEST(SeqKeyTest, ParseInvertsAndRejectsOtherShapes) {
  for (uint64_t i : {uint64_t{0}, uint64_t{1}, uint64_t{1} << 40}) {
    EXPECT_EQ(ParseEntryKey(EntryKey(i)), i);
    EXPECT_FALSE(ParseNodeKey(EntryKey(i)));
    for (int level : {0, 1, 5, 20}) {
      auto n = ParseNodeKey(NodeKey(level, i));
      ASSERT_TRUE(n);
      EXPECT_EQ(n->level, level);
      EXPECT_EQ(n->index, i);
      EXPECT_FALSE(ParseEntryKey(NodeKey(level, i)));
    }
  }
  std::string node = NodeKey(1, 7);  // last leaf 15
  node[8] = 14;  // last leaf 14: no level-1 subtree ends there
  EXPECT_FALSE(ParseNodeKey(node));
  node = NodeKey(1, 7);
  node[10] = 64;  // level above 63
  EXPECT_FALSE(ParseNodeKey(node));
  EXPECT_FALSE(ParseEntryKey(EntryKey(3) + "x"));
  EXPECT_FALSE(ParseEntryKey(v3::EntryKey(3)));
  EXPECT_EQ(v3::ParseEntryKey(v3::EntryKey(3)), 3u);
  EXPECT_FALSE(ParseNodeKey(v3::NodeKey(0, 3)));
}

// The keys an append writes, in the order it writes them (each entry, then
// the nodes its leaf completes, level 0 first), ascend; the family sorts after
// every other key.
TEST(SeqKeyTest, AppendOrderIsKeyOrderAndTheFamilySortsLast) {
  merkle::CompactRange range;
  std::vector<std::string> keys;
  for (uint64_t i = 0; i < 300; ++i) {
    keys.push_back(EntryKey(i));
    range.Append(merkle::LeafHash(std::to_string(i)),
                 [&](const merkle::CompactRange::NewNode& n) {
                   keys.push_back(NodeKey(n.level, n.index));
                 });
  }
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end());
  for (std::string other :
       {std::string(kVersionKey), std::string(kSizeKey), std::string("m:zzz"),
        RegistryKey("z+ffffffff"), TimeKey(INT64_MAX, ~uint64_t{0}),
        IndexKey(IndexKind::kDisposition, "\xff", ~uint64_t{0}),
        std::string("I") + std::string(32, '\xff')}) {
    EXPECT_LT(other, EntryKey(0)) << Describe(other);
  }
}

TEST(EventIdKeyTest, TheDigestBytesOfACanonicalIdOnly) {
  const std::string hex =
      "00ff10a5c3e7b2d4f6a8091b2c3d4e5f60718293a4b5c6d7e8f9"
      "0a1b2c3d4e5f";
  const std::string id = "ni:///sha-256;" + hex;
  auto key = EventIdKey(id);
  ASSERT_TRUE(key);
  ASSERT_EQ(key->size(), 33u);
  EXPECT_EQ((*key)[0], 'I');
  EXPECT_EQ(Hex(key->substr(1)), hex);
  EXPECT_EQ(EventIdOfKey(*key), id);
  EXPECT_EQ(Describe(*key), "I/" + id);
  std::string upper = id;
  upper.back() = 'F';
  for (const std::string& bad :
       {std::string("ni:///sha-256;00"), id + "0", upper,
        "ni:///sha-512;" + hex, "urn:uuid:" + hex, std::string()}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(EventIdKey(bad));
  }
  EXPECT_FALSE(EventIdOfKey("I" + id));  // the format-3 key
  EXPECT_EQ(v3::EventIdKey(id), "I" + id);
}

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
