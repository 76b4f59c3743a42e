#include "ledger/cosignature.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace ledger {
namespace {

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(UDI_TESTDATA) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open testdata/" << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SigningKey Peter() {
  auto key = SigningKey::Parse(ReadTestdata("go_note_peter.key"));
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return *key;
}

constexpr char kCheckpointText[] =
    "example.com/behind-the-sofa\n20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr uint64_t kTime = 1679315147;

TEST(CosignatureTest, MessageIsTheSpecExample) {
  EXPECT_EQ(CosignatureMessage(kCheckpointText, kTime),
            "cosignature/v1\ntime 1679315147\n"
            "example.com/behind-the-sofa\n20852163\n"
            "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
}

TEST(CosignatureTest, CosignerKeyMatchesIndependentVector) {
  // testdata/make_cosignature_vectors.py computed it with Python/OpenSSL.
  CosignerKey key = CosignerKey::Of(Peter());
  EXPECT_EQ(key.ToText() + "\n", ReadTestdata("cosig_peter.vkey"));
  auto parsed = CosignerKey::Parse(ReadTestdata("cosig_peter.vkey"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->key_hash(), 0x18b9780bu);
  EXPECT_EQ(parsed->public_key(), Peter().verifier().public_key());
}

TEST(CosignatureTest, SignsExactlyLikeIndependentImplementation) {
  auto note = SignedNote::Parse(ReadTestdata("cosig_peter_checkpoint.note"));
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  SignedNote ours{kCheckpointText, {}};
  AddCosignature(&ours, Peter(), kTime);
  EXPECT_EQ(ours.ToString(), ReadTestdata("cosig_peter_checkpoint.note"));
  auto t = VerifyCosignature(*note, CosignerKey::Of(Peter()));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, kTime);
}

TEST(CosignatureTest, ParsesTimestampsOfPublishedCosignatures) {
  struct Case {
    std::string note;
    uint32_t key_hash;
    uint64_t time;
  };
  // The example in c2sp.org/tlog-cosignature, and the cosignature in
  // transparency-dev/formats note_cosigv1_test.go (TestCoSigV1Timestamp).
  const Case cases[] = {
      {ReadTestdata("c2sp_cosignature_example.note"), 0x8d66cf3f, 1679315147},
      {std::string(kCheckpointText) +
           "\n\xE2\x80\x94 w ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/"
           "iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==\n",
       0x646846b9, 1727964367},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.note);
    auto note = SignedNote::Parse(c.note);
    ASSERT_TRUE(note.ok()) << note.status().ToString();
    const NoteSignature& sig = note->signatures.back();
    EXPECT_EQ(sig.key_hash, c.key_hash);
    ASSERT_EQ(sig.signature.size(), 72u);
    EXPECT_EQ(GetBigEndian64(sig.signature), c.time);
  }
}

TEST(CosignatureTest, RejectsTamperingAndPlainSignatures) {
  SigningKey witness = Peter();
  CosignerKey key = CosignerKey::Of(witness);
  SignedNote note{kCheckpointText, {}};
  AddCosignature(&note, witness, kTime);

  SignedNote changed = note;
  changed.text[30] ^= 1;
  EXPECT_TRUE(VerifyCosignature(changed, key).status().IsCorruption());

  SignedNote later = note;  // timestamp altered: the signature covers it
  later.signatures[0].signature[7] ^= 1;
  EXPECT_TRUE(VerifyCosignature(later, key).status().IsCorruption());

  SignedNote plain = *SignNote(kCheckpointText, witness);  // 0x01, not 0x04
  EXPECT_TRUE(VerifyCosignature(plain, key).status().IsNotFound());
  EXPECT_EQ(VerifyNote(note, witness.verifier()).code(),
            Status::Code::kNotFound);

  SignedNote short_sig = note;
  short_sig.signatures[0].signature.resize(64);
  auto r = VerifyCosignature(short_sig, key);
  EXPECT_EQ(r.status().message(),
            "cosignature by PeterNeumann: 72 bytes expected, got 64");

  SignedNote future = note;
  future.signatures[0].signature[0] = '\x80';
  EXPECT_EQ(VerifyCosignature(future, key).status().message(),
            "cosignature by PeterNeumann: timestamp exceeds 2^63-1");
}

TEST(CosignatureTest, NewerCosignatureReplacesOlder) {
  SigningKey witness = Peter();
  SignedNote note{kCheckpointText, {}};
  AddCosignature(&note, witness, kTime);
  AddCosignature(&note, witness, kTime + 60);
  ASSERT_EQ(note.signatures.size(), 1u);
  EXPECT_EQ(*VerifyCosignature(note, CosignerKey::Of(witness)), kTime + 60);
}

TEST(CosignatureTest, CosignerKeyParseErrorsNameThePart) {
  struct Case {
    std::string text;
    std::string error;
  };
  const std::string good = ReadTestdata("cosig_peter.vkey");
  const Case cases[] = {
      {"PeterNeumann+18b9780b", "want <name>+<8 hex key ID>+<base64 key>"},
      {"Peter Neumann+18b9780b+BBpc", "name must be"},
      {"PeterNeumann+18b978+BBpc", "key ID '18b978' is not 8 hex digits"},
      {"PeterNeumann+18b9780b+!!", "key is not base64"},
      {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       "algorithm byte must be 0x04"},
      {"PeterNeumann+18b9780b+BBpc", "must be 32 bytes, got 2"},
      {"PeterNeumann+00000000+BBpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       "key ID 00000000 does not match the name and key (want 18b9780b)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto key = CosignerKey::Parse(c.text);
    ASSERT_FALSE(key.ok());
    EXPECT_NE(key.status().message().find(c.error), std::string::npos)
        << key.status().message();
  }
  EXPECT_TRUE(CosignerKey::Parse(good).ok());
}

TEST(CosignatureTest, CountsDistinctValidWitnesses) {
  auto w1 = *SigningKey::Generate("w1.example");
  auto w2 = *SigningKey::Generate("w2.example");
  auto w3 = *SigningKey::Generate("w3.example");
  SignedNote note{kCheckpointText, {}};
  AddCosignature(&note, w1, kTime);
  AddCosignature(&note, w2, kTime);
  AddCosignature(&note, w3, kTime);
  note.signatures[2].signature[20] ^= 1;  // w3's line is broken
  auto count = CountCosignatures(
      note, {CosignerKey::Of(w1), CosignerKey::Of(w1), CosignerKey::Of(w2),
             CosignerKey::Of(w3),
             CosignerKey::Of(*SigningKey::Generate("w4.example"))});
  EXPECT_EQ(count.valid,
            (std::vector<std::string>{"w1.example", "w2.example"}));
  ASSERT_EQ(count.invalid.size(), 1u);
  EXPECT_EQ(count.invalid[0],
            "w3.example: cosignature by w3.example does not verify");
}

}  // namespace
}  // namespace ledger
