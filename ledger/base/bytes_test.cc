#include "ledger/bytes.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <random>
#include <vector>

namespace ledger {
namespace {

TEST(BytesTest, HexRoundTrip) {
  EXPECT_EQ(ToHex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(FromHex("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(FromHex("0"));
  EXPECT_FALSE(FromHex("zz"));
}

TEST(BytesTest, Base64Rfc4648Vectors) {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {{"", ""},
                        {"f", "Zg=="},
                        {"fo", "Zm8="},
                        {"foo", "Zm9v"},
                        {"foob", "Zm9vYg=="},
                        {"fooba", "Zm9vYmE="},
                        {"foobar", "Zm9vYmFy"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(ToBase64(c.in), c.out);
    std::string appended = "x";
    AppendBase64(&appended, c.in);
    EXPECT_EQ(appended, std::string("x") + c.out);
    EXPECT_EQ(FromBase64(c.out), std::string(c.in));
  }
  EXPECT_FALSE(FromBase64("Zm9"));    // missing padding
  EXPECT_FALSE(FromBase64("Zm9=v"));  // garbage after padding
  EXPECT_FALSE(FromBase64("Zh=="));   // non-zero pad bits
}

// AppendBase64 (table) gives exactly ToBase64's (libsodium's) text, for every
// length up to 300 and every byte value, appended after what was there.
TEST(BytesTest, AppendBase64AgreesWithToBase64) {
  std::mt19937 rng(7);
  std::string all(256, '\0');
  for (int i = 0; i < 256; ++i) all[i] = static_cast<char>(i);
  std::vector<std::string> inputs = {all};
  for (size_t len = 0; len <= 300; ++len) {
    std::string bytes(len, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng());
    inputs.push_back(bytes);
  }
  for (const std::string& bytes : inputs) {
    SCOPED_TRACE(bytes.size());
    std::string out = "prefix";
    AppendBase64(&out, bytes);
    EXPECT_EQ(out, "prefix" + ToBase64(bytes));
  }
}

TEST(BytesTest, Sha256KnownAnswer) {
  EXPECT_EQ(ToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 6962 empty-tree root = SHA-256("").
  EXPECT_EQ(ToHex(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256WithPrefix(0, "abc"), Sha256(std::string("\0abc", 4)));
}

TEST(BytesTest, BigEndianSortsNumerically) {
  std::string a, b;
  PutBigEndian64(&a, 255);
  PutBigEndian64(&b, 256);
  EXPECT_LT(a, b);
  EXPECT_EQ(GetBigEndian64(b), 256u);
}

TEST(BytesTest, BigEndianAppendsMostSignificantByteFirst) {
  std::string s = "k";
  PutBigEndian64(&s, 0x0102030405060708ULL);
  EXPECT_EQ(s, std::string("k\x01\x02\x03\x04\x05\x06\x07\x08"));
  PutBigEndian64(&s, 0xF0E0D0C0B0A09080ULL);
  EXPECT_EQ(s.substr(9), std::string("\xF0\xE0\xD0\xC0\xB0\xA0\x90\x80"));
  EXPECT_EQ(GetBigEndian64(std::string_view(s).substr(1)),
            0x0102030405060708ULL);
  EXPECT_EQ(GetBigEndian64(std::string_view(s).substr(9)),
            0xF0E0D0C0B0A09080ULL);
}

// The reference FromBase64 is checked against: libsodium's decoder plus a
// re-encoding that must give the text back (canonical form).
std::optional<std::string> ReferenceFromBase64(std::string_view b64) {
  if (b64.size() % 4 != 0) return std::nullopt;
  std::string out(b64.size() / 4 * 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()),
                        out.size(), b64.data(), b64.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != b64.data() + b64.size()) {
    return std::nullopt;
  }
  out.resize(len);
  if (ToBase64(out) != b64) return std::nullopt;
  return out;
}

void ExpectSameAsReference(const std::string& b64) {
  SCOPED_TRACE("\"" + b64 + "\"");
  std::optional<std::string> want = ReferenceFromBase64(b64);
  std::optional<std::string> got = FromBase64(b64);
  ASSERT_EQ(got.has_value(), want.has_value());
  if (got) {
    EXPECT_EQ(*got, *want);
  }
}

TEST(BytesTest, Base64StrictCases) {
  struct Case {
    const char* b64;
    bool ok;
  };
  const Case cases[] = {
      {"", true},        {"QQ==", true},     {"QUI=", true},
      {"QUJD", true},    {"QUJDRA==", true}, {"+/+/", true},
      {"QR==", false},   {"QUJ=", false},    {"QQ=", false},
      {"QQ", false},     {"QQ===", false},   {"QQ==QUJD", false},
      {"====", false},   {"Q===", false},    {"QU=D", false},
      {"QUJD\n", false}, {"QU JD", false},   {"QUJ-", false},
      {"QUJ_", false},   {"=QUJ", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.b64);
    EXPECT_EQ(FromBase64(c.b64).has_value(), c.ok);
    ExpectSameAsReference(c.b64);
  }
}

TEST(BytesTest, Base64AgreesWithReferenceOnRoundTripsAndMutations) {
  std::mt19937 rng(4);
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n";
  for (size_t len = 0; len < 300; ++len) {
    std::string bytes(len, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng());
    const std::string b64 = ToBase64(bytes);
    auto out = FromBase64(b64);
    ASSERT_TRUE(out) << len;
    ASSERT_EQ(*out, bytes) << len;
    if (b64.empty()) continue;
    for (int m = 0; m < 8; ++m) {  // one character replaced
      std::string bad = b64;
      bad[rng() % bad.size()] = alphabet[rng() % alphabet.size()];
      ExpectSameAsReference(bad);
    }
    ExpectSameAsReference(b64.substr(0, b64.size() - 1));
    ExpectSameAsReference(b64 + "====");
  }
}

}  // namespace
}  // namespace ledger
