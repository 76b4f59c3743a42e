#include "ledger/log/event_filter.h"

#include <gtest/gtest.h>

#include <string>

#include "ledger/bytes.h"
#include "ledger/log/log_keys.h"

namespace ledger::logimpl {
namespace {

std::string EventId(const std::string& seed) {
  return "ni:///sha-256;" + ToHex(Sha256(seed));
}

TEST(EventIdFilterTest, NeverForgetsAnAddedIdAcrossGenerations) {
  struct Case {
    const char* name;
    uint64_t expected;  // first generation's size
    uint64_t ids;
  };
  for (const Case& c : {Case{"undersized", 0, 300000},
                        Case{"sized", 300000, 300000}, Case{"empty", 10, 0}}) {
    SCOPED_TRACE(c.name);
    EventIdFilter f(c.expected);
    for (uint64_t i = 0; i < c.ids; ++i) {
      f.Add(EventId("in-" + std::to_string(i)));
      if (i % 10 == 0) f.Add("urn:uuid:other-" + std::to_string(i));
    }
    EXPECT_EQ(f.count(), c.ids + (c.ids + 9) / 10);
    for (uint64_t i = 0; i < c.ids; ++i) {
      ASSERT_TRUE(f.MayContain(EventId("in-" + std::to_string(i)))) << i;
      if (i % 10 == 0) {
        ASSERT_TRUE(f.MayContain("urn:uuid:other-" + std::to_string(i))) << i;
      }
    }
    // False positives stay rare (each generation ~1%; a few generations).
    uint64_t maybe = 0;
    const uint64_t probes = 100000;
    for (uint64_t i = 0; i < probes; ++i) {
      maybe += f.MayContain(EventId("out-" + std::to_string(i)));
    }
    EXPECT_LT(maybe, probes * 4 / 100) << "false positives";
    if (c.ids == 0) {
      EXPECT_EQ(maybe, 0u);
    }
    // About 1.5 bytes per id, at most twice that in a new generation, plus the
    // first generation's minimum.
    EXPECT_LT(f.memory_bytes(), 128 * 1024 + f.count() * 4);
  }
}

TEST(EventIdFilterTest, DigestOfAnEventIdIsItsHashBits) {
  const std::string id = "ni:///sha-256;0123456789abcdef" +
                         std::string("fedcba9876543210") + std::string(32, '0');
  const auto d = EventIdFilter::DigestOf(id);
  EXPECT_EQ(d.block, 0x0123456789abcdefULL);
  EXPECT_EQ(d.bits, 0xfedcba9876543210ULL);
  // Other strings (wrong length, not hex) are hashed, and still distinguish.
  const auto a = EventIdFilter::DigestOf(id.substr(0, id.size() - 1));
  const auto b =
      EventIdFilter::DigestOf("ni:///sha-256;" + std::string(63, '0') + "g");
  EXPECT_NE(a.block, b.block);
}

// The filter rebuilt at open reads the I keys of format 4 (the id's digest
// bytes): the same digest as from the id's text.
TEST(EventIdFilterTest, DigestOfTheDigestBytesIsThatOfTheIdText) {
  const std::string hex =
      "0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff";
  auto key = logkeys::EventIdKey("ni:///sha-256;" + hex);
  ASSERT_TRUE(key);
  const auto from_bytes = EventIdFilter::DigestOfBytes(key->substr(1));
  const auto from_text = EventIdFilter::DigestOf("ni:///sha-256;" + hex);
  EXPECT_EQ(from_bytes.block, from_text.block);
  EXPECT_EQ(from_bytes.bits, from_text.bits);
  EXPECT_EQ(from_bytes.block, 0x0123456789abcdefULL);
  EXPECT_EQ(from_bytes.bits, 0xfedcba9876543210ULL);
}

TEST(EventIdFilterTest, DigestParsesHexOfEitherCaseAndHashesAnythingElse) {
  const std::string ni = "ni:///sha-256;";
  const std::string tail(32, '0');
  struct Case {
    const char* name;
    std::string hex32;  // the first 32 hex digits of the id
    bool parsed;
    uint64_t block = 0, bits = 0;
  } cases[] = {
      {"lower", "00ff10a0b0c0d0e0f0123456789abcde", true, 0x00ff10a0b0c0d0e0,
       0xf0123456789abcde},
      {"upper", "00FF10A0B0C0D0E0F0123456789ABCDE", true, 0x00ff10a0b0c0d0e0,
       0xf0123456789abcde},
      {"'g' in the block digits", "g0ff10a0b0c0d0e0f0123456789abcde", false},
      {"'/' in the bits digits", "00ff10a0b0c0d0e0f012345678/abcde", false},
      {"byte 0x80",
       std::string("00ff10a0b0c0d0e0f012345678") + '\x80' + "abcde", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string id = ni + c.hex32 + tail;
    const auto d = EventIdFilter::DigestOf(id);
    const auto d2 = EventIdFilter::DigestOf(id);
    EXPECT_EQ(d.block, d2.block);  // deterministic either way
    EXPECT_EQ(d.bits, d2.bits);
    if (c.parsed) {
      EXPECT_EQ(d.block, c.block);
      EXPECT_EQ(d.bits, c.bits);
    } else {
      // Hashed: not the value the parse of the valid digits would give.
      EXPECT_NE(d.block, 0x00ff10a0b0c0d0e0u);
    }
    // Both forms of one lookup agree.
    EventIdFilter f;
    f.Add(d);
    EXPECT_TRUE(f.MayContain(id));
  }
}

}  // namespace
}  // namespace ledger::logimpl
