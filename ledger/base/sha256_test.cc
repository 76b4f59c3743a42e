#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "ledger/bytes.h"

namespace ledger {
namespace {

std::string LibsodiumSha256Hex(std::string_view data) {
  Hash h;
  crypto_hash_sha256(h.data(), reinterpret_cast<const uint8_t*>(data.data()),
                     data.size());
  return ToHex(h);
}

// The meaningful part of a state: chaining words, bit count, pending bytes.
void ExpectSameState(const crypto_hash_sha256_state& a,
                     const crypto_hash_sha256_state& b) {
  EXPECT_EQ(std::memcmp(a.state, b.state, sizeof a.state), 0);
  ASSERT_EQ(a.count, b.count);
  EXPECT_EQ(std::memcmp(a.buf, b.buf, (a.count >> 3) & 63), 0);
}

TEST(Sha256Test, VectorsFromFile) {
  std::ifstream in(std::string(UDI_TESTDATA) + "/sha256_vectors.txt");
  ASSERT_TRUE(in) << "sha256_vectors.txt missing";
  std::string line;
  int vectors = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    size_t repeat = 0;
    std::string piece, digest;
    ASSERT_TRUE(fields >> repeat >> piece >> digest) << line;
    if (piece == "-") piece.clear();
    SCOPED_TRACE(line.substr(0, 60));
    std::string message;
    for (size_t i = 0; i < repeat; ++i) message += piece;
    EXPECT_EQ(ToHex(Sha256(message)), digest);
    // The same message fed in uneven pieces.
    crypto_hash_sha256_state st;
    Sha256Init(&st);
    for (size_t at = 0, step = 1; at < message.size(); at += step, step += 7) {
      Sha256Update(&st, std::string_view(message).substr(at, step));
    }
    EXPECT_EQ(ToHex(Sha256Final(&st)), digest);
    ++vectors;
  }
  EXPECT_EQ(vectors, 5);
  RecordProperty("cpu_extensions", Sha256UsesCpuExtensions() ? "yes" : "no");
}

// Every length up to 300 bytes, split at every point into two updates, gives
// libsodium's digest and libsodium's state; states mix both ways.
TEST(Sha256Test, SameAsLibsodiumForEveryLengthAndSplit) {
  std::mt19937 rng(20261127);
  for (size_t len = 0; len <= 300; ++len) {
    std::string data(len, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    SCOPED_TRACE("length " + std::to_string(len));
    const std::string want = LibsodiumSha256Hex(data);
    ASSERT_EQ(ToHex(Sha256(data)), want);
    for (size_t cut = 0; cut <= len; ++cut) {
      const std::string_view a = std::string_view(data).substr(0, cut);
      const std::string_view b = std::string_view(data).substr(cut);
      crypto_hash_sha256_state ours, theirs;
      Sha256Init(&ours);
      crypto_hash_sha256_init(&theirs);
      Sha256Update(&ours, a);
      crypto_hash_sha256_update(
          &theirs, reinterpret_cast<const uint8_t*>(a.data()), a.size());
      ExpectSameState(ours, theirs);
      // Ours continued by libsodium, libsodium's continued by ours.
      crypto_hash_sha256_state mixed1 = ours, mixed2 = theirs;
      Sha256Update(&ours, b);
      ASSERT_EQ(ToHex(Sha256Final(&ours)), want) << "cut " << cut;
      crypto_hash_sha256_update(
          &mixed1, reinterpret_cast<const uint8_t*>(b.data()), b.size());
      Hash h;
      crypto_hash_sha256_final(&mixed1, h.data());
      ASSERT_EQ(ToHex(h), want) << "cut " << cut;
      Sha256Update(&mixed2, b);
      ASSERT_EQ(ToHex(Sha256Final(&mixed2)), want) << "cut " << cut;
    }
  }
}

TEST(Sha256Test, PrefixFormsHashTheConcatenation) {
  const std::string data = "{\"envelope\":{}}";
  EXPECT_EQ(ToHex(Sha256WithPrefix(0, data)),
            LibsodiumSha256Hex(std::string(1, '\0') + data));
  Hash a, b;
  for (size_t i = 0; i < 32; ++i) {
    a[i] = static_cast<uint8_t>(i);
    b[i] = static_cast<uint8_t>(255 - i);
  }
  EXPECT_EQ(ToHex(Sha256WithPrefix(1, a, b)),
            LibsodiumSha256Hex("\x01" + std::string(AsStringView(a)) +
                               std::string(AsStringView(b))));
  // Final wipes the state.
  crypto_hash_sha256_state st;
  Sha256Init(&st);
  Sha256Update(&st, data);
  Sha256Final(&st);
  crypto_hash_sha256_state zero;
  std::memset(&zero, 0, sizeof zero);
  EXPECT_EQ(std::memcmp(&st, &zero, sizeof st), 0);
}

}  // namespace
}  // namespace ledger
