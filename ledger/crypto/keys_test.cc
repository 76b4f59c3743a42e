#include "ledger/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledger/bytes.h"

namespace ledger {
namespace {

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(UDI_TESTDATA) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open testdata/" << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Chomp(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::array<uint8_t, 32> Array32(const std::string& hex) {
  auto raw = FromHex(hex);
  EXPECT_TRUE(raw && raw->size() == 32) << hex;
  std::array<uint8_t, 32> out{};
  if (raw && raw->size() == 32)
    std::copy(raw->begin(), raw->end(), out.begin());
  return out;
}

TEST(KeysTest, SignsRfc8032Vectors) {
  std::istringstream in(ReadTestdata("rfc8032_ed25519.txt"));
  int count = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    SCOPED_TRACE(line.substr(0, 16));
    std::istringstream fields(line);
    std::string seed, pub, msg_hex, sig;
    fields >> seed >> pub >> msg_hex >> sig;
    std::string msg = msg_hex == "-" ? "" : *FromHex(msg_hex);
    SigningKey key = SigningKey::FromSeed("rfc8032", Array32(seed));
    EXPECT_EQ(ToHex(AsStringView(key.verifier().public_key())), pub);
    EXPECT_EQ(ToHex(key.Sign(msg)), sig);
    EXPECT_TRUE(key.verifier().Verify(msg, *FromHex(sig)));
    EXPECT_FALSE(key.verifier().Verify(msg + "x", *FromHex(sig)));
    ++count;
  }
  EXPECT_EQ(count, 3);
}

TEST(KeysTest, ParsesGoNoteKeyPair) {
  // The PeterNeumann key pair from golang.org/x/mod/sumdb/note's tests.
  std::string skey = ReadTestdata("go_note_peter.key");
  std::string vkey = Chomp(ReadTestdata("go_note_peter.vkey"));
  auto signer = SigningKey::Parse(skey);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  auto verifier = VerifierKey::Parse(vkey);
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  EXPECT_EQ(signer->name(), "PeterNeumann");
  EXPECT_EQ(signer->verifier().key_hash(), 0xc74f20a3u);
  EXPECT_EQ(signer->KeyId(), "PeterNeumann+c74f20a3");
  EXPECT_EQ(signer->ToText(), Chomp(skey));
  EXPECT_EQ(signer->verifier().ToText(), vkey);
  EXPECT_EQ(verifier->ToText(), vkey);
  EXPECT_TRUE(VerifierKey::Parse(vkey + "\n").ok());
  EXPECT_TRUE(VerifierKey::Parse(vkey + "\r\n").ok());
  EXPECT_FALSE(VerifierKey::Parse(vkey + "\n\n").ok());
  EXPECT_FALSE(VerifierKey::Parse(" " + vkey).ok());
  EXPECT_EQ(verifier->public_key(), signer->verifier().public_key());
  EXPECT_EQ(KeyHash("PeterNeumann", verifier->public_key()), 0xc74f20a3u);
  std::string sig = signer->Sign("hi");
  EXPECT_TRUE(verifier->Verify("hi", sig));
  sig[0] ^= 1;
  EXPECT_FALSE(verifier->Verify("hi", sig));
  EXPECT_FALSE(verifier->Verify("hi", sig.substr(1)));
}

// Go's TestNewVerifier/TestNewSigner: every proper substring and every
// single-byte change of a valid key must be rejected.
template <typename Key>
void ExpectManglingsRejected(const std::string& text) {
  ASSERT_TRUE(Key::Parse(text).ok());
  for (size_t i = 0; i <= text.size(); ++i) {
    for (size_t j = i + 1; j <= text.size(); ++j) {
      if (i == 0 && j == text.size()) continue;
      EXPECT_FALSE(Key::Parse(text.substr(i, j - i)).ok())
          << text.substr(i, j - i);
    }
  }
  std::string b = text;
  for (size_t i = 0; i < b.size(); ++i) {
    ++b[i];
    EXPECT_FALSE(Key::Parse(b).ok()) << b;
    --b[i];
  }
}

TEST(KeysTest, RejectsManglings) {
  ExpectManglingsRejected<VerifierKey>(
      Chomp(ReadTestdata("go_note_peter.vkey")));
  ExpectManglingsRejected<SigningKey>(Chomp(ReadTestdata("go_note_peter.key")));
}

TEST(KeysTest, ParseErrorsNameThePart) {
  struct Case {
    const char* text;
    const char* want;
  } cases[] = {
      // Go's wrong-length and unknown-algorithm keys (with adjusted key
      // hashes).
      {"PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
       "LDE4izWy10TWBADKEY==",
       "verifier key: key data"},
      {"PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       "algorithm byte 0x01"},
      {"PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       "key hash c74f20a4 does not match the name and key (want c74f20a3)"},
      {"Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       "key name"},
      {"PeterNeumann+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       "not 8 hex digits"},
      {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T!",
       "not base64"},
      {"PeterNeumann", "want <name>+<8 hex key hash>+<base64 key>"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto key = VerifierKey::Parse(c.text);
    ASSERT_FALSE(key.ok());
    EXPECT_TRUE(key.status().IsInvalidArgument());
    EXPECT_NE(key.status().message().find(c.want), std::string::npos)
        << key.status().message();
  }
  auto bad = SigningKey::Parse(
      "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+"
      "Y7hfZx09iUvxdXHKDFz");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("private key: key hash c74f20a4"),
            std::string::npos);
  EXPECT_EQ(bad.status().message().find("AYEKFALV"),
            std::string::npos);  // no secret in errors
}

TEST(KeysTest, ValidatesKeyNames) {
  for (const char* good : {"a", "example.com/log42", "caf\xc3\xa9"}) {
    EXPECT_TRUE(IsValidKeyName(good)) << good;
  }
  for (const char* bad : {"", "a+b", "a b", "a\tb", "a\nb",
                          "a\xc2\xa0"
                          "b",
                          "a\xe3\x80\x80"
                          "b",
                          "a\xe2\x80\x83"
                          "b",
                          "\xff", "x\x01y"}) {
    EXPECT_FALSE(IsValidKeyName(bad)) << ToHex(bad);
  }
  EXPECT_FALSE(SigningKey::Generate("bad name").ok());
}

TEST(KeysTest, GeneratesDistinctWorkingKeys) {
  auto a = SigningKey::Generate("acme.example/ledger");
  auto b = SigningKey::Generate("acme.example/ledger");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->ToText(), b->ToText());
  auto reparsed = SigningKey::Parse(a->ToText());
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(reparsed->verifier().ToText(), a->verifier().ToText());
  auto vkey = VerifierKey::Parse(a->verifier().ToText());
  ASSERT_TRUE(vkey.ok());
  EXPECT_TRUE(vkey->Verify("msg", a->Sign("msg")));
  EXPECT_FALSE(vkey->Verify("msg", b->Sign("msg")));
}

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/udi-keys-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(KeyFileTest, WritesMode0600AndReadsBack) {
  mode_t old = umask(0);  // even with a permissive umask the file must be 0600
  auto key = SigningKey::Generate("acme");
  ASSERT_TRUE(key.ok());
  std::string path = dir_ + "/acme.key";
  Status st = WritePrivateKeyFile(path, *key);
  umask(old);
  ASSERT_TRUE(st.ok()) << st.ToString();
  struct stat sb;
  ASSERT_EQ(stat(path.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
  EXPECT_EQ(content, key->ToText() + "\n");
  auto back = ReadPrivateKeyFile(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToText(), key->ToText());
}

TEST_F(KeyFileTest, RefusesToOverwrite) {
  auto key = SigningKey::Generate("acme");
  ASSERT_TRUE(key.ok());
  std::string path = dir_ + "/acme.key";
  { std::ofstream(path) << "precious\n"; }
  Status st = WritePrivateKeyFile(path, *key);
  EXPECT_EQ(st.code(), Status::Code::kAlreadyExists) << st.ToString();
  EXPECT_NE(st.message().find(path), std::string::npos);
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "precious\n");
  // A dangling symlink is not followed either.
  std::string link = dir_ + "/link.key";
  ASSERT_EQ(symlink((dir_ + "/target").c_str(), link.c_str()), 0);
  EXPECT_FALSE(WritePrivateKeyFile(link, *key).ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/target"));
}

TEST_F(KeyFileTest, ReadErrorsNameThePath) {
  auto missing = ReadPrivateKeyFile(dir_ + "/nope.key");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsIOError());
  EXPECT_NE(missing.status().message().find(dir_ + "/nope.key"),
            std::string::npos);
  std::string bad = dir_ + "/bad.key";
  {
    std::ofstream(bad) << "PeterNeumann+c74f20a3+"
                          "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n";
  }
  auto parsed = ReadPrivateKeyFile(bad);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find(
                bad + ": private key: must start with PRIVATE+KEY+"),
            std::string::npos)
      << parsed.status().message();
}

}  // namespace
}  // namespace ledger
