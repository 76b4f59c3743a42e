// ZstdDecompress: frames that state their size (one-shot ZSTD_compress, what
// ledger-node sends) and frames that do not (streaming), alone and
// concatenated, and the refusals: garbage, truncation, a wrong stated size,
// more than max_bytes.
#include <gtest/gtest.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "node/client/http_client.h"

namespace {

std::string OneShot(const std::string& plain) {
  std::string out(ZSTD_compressBound(plain.size()), '\0');
  const size_t n =
      ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), 1);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// A frame without the content size field (as a streaming writer makes it).
std::string Unsized(const std::string& plain) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0);
  std::string out(ZSTD_compressBound(plain.size()), '\0');
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  ZSTD_inBuffer i{plain.data(), plain.size(), 0};
  const size_t left = ZSTD_compressStream2(c, &o, &i, ZSTD_e_end);
  EXPECT_EQ(left, 0u);
  ZSTD_freeCCtx(c);
  out.resize(o.pos);
  EXPECT_EQ(ZSTD_getFrameContentSize(out.data(), out.size()),
            ZSTD_CONTENTSIZE_UNKNOWN);
  return out;
}

std::string Text(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += std::to_string(i * 7919) + ",";
  s.resize(n);
  return s;
}

TEST(ZstdDecompressTest, DecodesSizedAndUnsizedFrames) {
  const std::string a = Text(3 << 20), b = Text(1000), empty;
  struct Case {
    std::string name, in, want;
  };
  const std::vector<Case> cases = {
      {"one-shot 3 MiB", OneShot(a), a},
      {"one-shot empty", OneShot(empty), empty},
      {"unsized 3 MiB", Unsized(a), a},
      {"two sized frames", OneShot(b) + OneShot(a), b + a},
      {"sized then unsized", OneShot(b) + Unsized(b), b + b},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto got = udi_http::ZstdDecompress(c.in);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_TRUE(*got == c.want) << got->size() << " bytes";
  }
}

TEST(ZstdDecompressTest, Refusals) {
  const std::string a = Text(200000);
  const std::string sized = OneShot(a), unsized = Unsized(a);
  // The one-shot frame's header states 200000; make it state 199999 (RFC
  // 8878 §3.1.1.1: after the magic number, the frame header descriptor, then
  // the window descriptor unless single-segment, the dictionary id, and the
  // content size, here a 4-byte little-endian field).
  std::string wrong = sized;
  const unsigned char fhd = static_cast<unsigned char>(wrong[4]);
  ASSERT_EQ(fhd >> 6, 2) << "4-byte content size field";
  ASSERT_EQ(fhd & 3, 0) << "no dictionary id";
  const size_t fcs = 5 + (((fhd >> 5) & 1) ? 0 : 1);
  wrong[fcs] = static_cast<char>(static_cast<unsigned char>(wrong[fcs]) - 1);
  ASSERT_EQ(ZSTD_getFrameContentSize(wrong.data(), wrong.size()), 199999u);
  struct Case {
    std::string name, in;
    size_t max_bytes;
    std::string want;  // in the message
  };
  const std::vector<Case> cases = {
      {"garbage", "not zstd at all", 1 << 20, "body: zstd: "},
      {"sized, truncated", sized.substr(0, sized.size() - 9), 1 << 20,
       "body: zstd: "},
      {"unsized, truncated", unsized.substr(0, unsized.size() - 9), 1 << 20,
       "body: zstd: "},
      {"sized, over max_bytes", sized, 199999, "decodes to more than 199999"},
      {"unsized, over max_bytes", unsized, 199999,
       "decodes to more than 199999"},
      {"stated size wrong", wrong, 1 << 20, "body: zstd: "},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto got = udi_http::ZstdDecompress(c.in, c.max_bytes);
    ASSERT_FALSE(got.ok());
    EXPECT_NE(got.status().message().find(c.want), std::string::npos)
        << got.status().message();
  }
  EXPECT_TRUE(udi_http::ZstdDecompress(sized, 200000).ok());
}

}  // namespace
