#include "ledger/bytes.h"

#include <gtest/gtest.h>

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
    EXPECT_EQ(FromBase64(c.out), std::string(c.in));
  }
  EXPECT_FALSE(FromBase64("Zm9"));    // missing padding
  EXPECT_FALSE(FromBase64("Zm9=v"));  // garbage after padding
  EXPECT_FALSE(FromBase64("Zh=="));   // non-zero pad bits
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

}  // namespace
}  // namespace ledger
