#include "ledger/note.h"

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

VerifierKey LoadVerifier(const std::string& name) {
  std::string text = ReadTestdata(name);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  auto key = VerifierKey::Parse(text);
  EXPECT_TRUE(key.ok()) << name << ": " << key.status().ToString();
  return key.ok() ? *key : VerifierKey();
}

SigningKey LoadSigner(const std::string& name) {
  auto key = SigningKey::Parse(ReadTestdata(name));
  EXPECT_TRUE(key.ok()) << name << ": " << key.status().ToString();
  return *key;
}

const char kPeterText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";

TEST(NoteTest, SignsExactlyLikeGoNotePackage) {
  // Ed25519 is deterministic, so our note must equal Go's TestSign output byte
  // for byte.
  auto note = SignNote(kPeterText, LoadSigner("go_note_peter.key"));
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_EQ(note->ToString(), ReadTestdata("go_note_peter.note"));
}

TEST(NoteTest, OpensGoNoteWithTwoSignatures) {
  auto note = SignedNote::Parse(ReadTestdata("go_note_peter_enoch.note"));
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_EQ(note->text, kPeterText);
  ASSERT_EQ(note->signatures.size(), 2u);
  EXPECT_EQ(note->signatures[0].name, "PeterNeumann");
  EXPECT_EQ(note->signatures[0].key_hash, 0xc74f20a3u);
  EXPECT_EQ(note->signatures[1].name, "EnochRoot");
  EXPECT_EQ(note->signatures[1].key_hash, 0xaf0cfe78u);
  EXPECT_TRUE(VerifyNote(*note, LoadVerifier("go_note_peter.vkey")).ok());
  EXPECT_TRUE(VerifyNote(*note, LoadVerifier("go_note_enoch.vkey")).ok());
  EXPECT_EQ(note->ToString(), ReadTestdata("go_note_peter_enoch.note"));
}

TEST(NoteTest, VerifyFailsOnTamperingAndUnknownKeys) {
  VerifierKey peter = LoadVerifier("go_note_peter.vkey");
  auto note = SignedNote::Parse(ReadTestdata("go_note_peter.note"));
  ASSERT_TRUE(note.ok());
  SignedNote tampered = *note;
  tampered.text[0] = 'i';
  Status st = VerifyNote(tampered, peter);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_EQ(st.message(), "signature by PeterNeumann+c74f20a3 does not verify");
  st = VerifyNote(*note, LoadVerifier("go_note_enoch.vkey"));
  EXPECT_TRUE(st.IsNotFound());
  EXPECT_EQ(st.message(), "no signature by EnochRoot+af0cfe78");
  // Same name, different key hash: not this key's signature
  // (c2sp.org/signed-note).
  SignedNote other_hash = *note;
  other_hash.signatures[0].key_hash ^= 1;
  EXPECT_TRUE(VerifyNote(other_hash, peter).IsNotFound());
}

TEST(NoteTest, ParsesC2spSpecExamples) {
  // Keys unpublished: check the parse (text with an inner blank line, signature
  // blob layout).
  auto note = SignedNote::Parse(ReadTestdata("c2sp_signed_note_example.note"));
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_EQ(note->text,
            "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di "
            "sole:\n\ned \xc3\xa8 "
            "subito sera.\n");
  ASSERT_EQ(note->signatures.size(), 1u);
  EXPECT_EQ(note->signatures[0].name, "quasimodo.example/salvatore");
  EXPECT_EQ(note->signatures[0].signature.size(), 64u);
  auto cp_note =
      SignedNote::Parse(ReadTestdata("c2sp_checkpoint_example.note"));
  ASSERT_TRUE(cp_note.ok());
  auto cp = Checkpoint::Parse(cp_note->text);
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(cp->size, 20852163u);
  EXPECT_EQ(ToBase64(cp->root), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  EXPECT_EQ(cp->ToText(), cp_note->text);
}

TEST(NoteTest, VerifiesRealSumGolangOrgCheckpoints) {
  // Signed tree heads published by the Go checksum database, verified with its
  // public key.
  VerifierKey sumdb = LoadVerifier("sumdb.vkey");
  EXPECT_EQ(sumdb.KeyId(), "sum.golang.org+033de0ae");
  struct Case {
    const char* file;
    uint64_t size;
    const char* root;
  } cases[] = {
      {"sumdb_31700353.note", 31700353,
       "qINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs="},
      {"sumdb_65209736.note", 65209736,
       "5+uGFjx6xBZG8ip1+wi77v+grwbhhukIrxEUS8PXvRo="},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    std::string note = ReadTestdata(c.file);
    auto cp = OpenCheckpoint(note, sumdb);
    ASSERT_TRUE(cp.ok()) << cp.status().ToString();
    EXPECT_EQ(cp->origin, "go.sum database tree");
    EXPECT_EQ(cp->size, c.size);
    EXPECT_EQ(ToBase64(cp->root), c.root);
    // One changed digit of the size breaks the signature.
    std::string forged = note;
    forged[21] = forged[21] == '9' ? '8' : static_cast<char>(forged[21] + 1);
    auto bad = OpenCheckpoint(forged, sumdb);
    ASSERT_FALSE(bad.ok());
    EXPECT_TRUE(bad.status().IsCorruption()) << bad.status().ToString();
  }
}

TEST(NoteTest, CosignsAndReplacesOwnSignature) {
  SigningKey peter = LoadSigner("go_note_peter.key");
  auto other = SigningKey::Generate("witness.example/w1");
  ASSERT_TRUE(other.ok());
  auto note = SignNote(kPeterText, peter);
  ASSERT_TRUE(note.ok());
  AddSignature(&*note, *other);
  AddSignature(&*note, peter);  // re-signing does not duplicate
  ASSERT_EQ(note->signatures.size(), 2u);
  auto reparsed = SignedNote::Parse(note->ToString());
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().ToString();
  EXPECT_TRUE(VerifyNote(*reparsed, peter.verifier()).ok());
  EXPECT_TRUE(VerifyNote(*reparsed, other->verifier()).ok());
}

TEST(NoteTest, SignNoteRejectsBadText) {
  SigningKey key = LoadSigner("go_note_peter.key");
  for (const char* text : {"", "abc", "a\tb\n", "a\rb\n", "\xff\n"}) {
    SCOPED_TRACE(text);
    auto note = SignNote(text, key);
    ASSERT_FALSE(note.ok());
    EXPECT_TRUE(note.status().IsInvalidArgument());
  }
  // Inner blank lines are allowed: the text ends at the last blank line.
  auto note = SignNote("a\n\nb\n", key);
  ASSERT_TRUE(note.ok());
  auto reparsed = SignedNote::Parse(note->ToString());
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(reparsed->text, "a\n\nb\n");
}

TEST(NoteTest, ParseErrorsNameTheLine) {
  std::string text = kPeterText;
  std::string peter_sig =
      "\xe2\x80\x94 PeterNeumann "
      "x08go/ZJkuBS9UG/"
      "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJ"
      "nAM=\n";
  std::string many;
  for (int i = 0; i < 101; ++i) many += peter_sig;
  struct Case {
    const char* label;
    std::string note;
    const char* want;
  } cases[] = {
      // The bad messages of Go's TestOpen, plus more.
      {"no signatures", text, "line 3: no blank line"},
      {"blank then nothing", text + "\n", "line 4: no signature lines"},
      {"no final newline",
       text + "\n" + peter_sig.substr(0, peter_sig.size() - 1),
       "line 4: signature line does not end in a newline"},
      {"control char", "\x01" + text + "\n" + peter_sig,
       "line 1: control character 0x01"},
      {"not utf8", "\xff" + text + "\n" + peter_sig, "line 1: not UTF-8"},
      {"space in name",
       text + "\n\xe2\x80\x94 Bad Name "
              "x08go/ZJkuBS9UG/"
              "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6K"
              "E6RyyBwJnAM=\n",
       "line 4: signature is not base64"},
      {"unexpected line", text + "\n" + peter_sig + "Unexpected line.\n",
       "line 5: signature line must start with an em dash"},
      {"short blob", text + "\n\xe2\x80\x94 PeterNeumann AAAA\n",
       "line 4: signature must hold"},
      {"too many", text + "\n" + many, "line 104: more than 100 signatures"},
      {"hyphen not em dash", text + "\n- PeterNeumann AAAAAAA=\n",
       "line 4: signature line must"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    auto note = SignedNote::Parse(c.note);
    ASSERT_FALSE(note.ok());
    EXPECT_TRUE(note.status().IsInvalidArgument());
    EXPECT_NE(note.status().message().find(c.want), std::string::npos)
        << note.status().message();
  }
}

TEST(CheckpointTest, RoundTripsAndSigns) {
  Checkpoint cp;
  cp.origin = "udi.example/ledger";
  cp.size = 0;
  cp.root = Sha256("");
  cp.extensions = {"ext one", "ext two"};
  EXPECT_EQ(cp.ToText(),
            "udi.example/ledger\n0\n47DEQpj8HBSa+/"
            "TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\next two\n");
  auto key = SigningKey::Generate("udi.example/ledger");
  ASSERT_TRUE(key.ok());
  std::string note = SignCheckpoint(cp, *key);
  auto opened = OpenCheckpoint(note, key->verifier());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->ToText(), cp.ToText());
  auto stranger = SigningKey::Generate("udi.example/ledger");
  ASSERT_TRUE(stranger.ok());
  auto wrong = OpenCheckpoint(note, stranger->verifier());
  ASSERT_FALSE(wrong.ok());
  EXPECT_TRUE(wrong.status().IsNotFound()) << wrong.status().ToString();
}

TEST(CheckpointTest, ParseErrorsNameTheLine) {
  const std::string root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  struct Case {
    const char* label;
    std::string text;
    const char* want;
  } cases[] = {
      {"no newline", "o\n1\n" + root,
       "line 3: checkpoint text must end in a newline"},
      {"two lines", "o\n1\n", "line 3: checkpoint needs origin"},
      {"empty origin", "\n1\n" + root + "\n", "line 1: origin is empty"},
      {"leading zero", "o\n01\n" + root + "\n", "line 2: tree size '01'"},
      {"sign", "o\n+1\n" + root + "\n", "line 2: tree size '+1'"},
      {"negative", "o\n-1\n" + root + "\n", "line 2: tree size '-1'"},
      {"empty size", "o\n\n" + root + "\n", "line 2: tree size ''"},
      {"overflow", "o\n18446744073709551616\n" + root + "\n",
       "line 2: tree size"},
      {"short root", "o\n1\nAAAA\n",
       "line 3: root hash is not base64 of 32 bytes"},
      {"root not base64", "o\n1\n" + root.substr(1) + "!\n",
       "line 3: root hash"},
      {"empty extension", "o\n1\n" + root + "\nx\n\n",
       "line 5: extension line is empty"},
      {"tab", "o\t\n1\n" + root + "\n", "line 1: control character 0x09"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    auto cp = Checkpoint::Parse(c.text);
    ASSERT_FALSE(cp.ok());
    EXPECT_TRUE(cp.status().IsInvalidArgument());
    EXPECT_NE(cp.status().message().find(c.want), std::string::npos)
        << cp.status().message();
  }
  auto max = Checkpoint::Parse("o\n18446744073709551615\n" + root + "\n");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->size, UINT64_MAX);
}

}  // namespace
}  // namespace ledger
