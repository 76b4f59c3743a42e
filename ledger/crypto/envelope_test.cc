#include "ledger/envelope.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/jcs.h"

namespace ledger {
namespace {

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(UDI_TESTDATA) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open testdata/" << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SigningKey PeterKey() {
  auto key = SigningKey::Parse(ReadTestdata("go_note_peter.key"));
  EXPECT_TRUE(key.ok());
  return *key;
}

nlohmann::json Event() {
  auto event = ParseJsonStrict(ReadTestdata("envelope_event.json"));
  EXPECT_TRUE(event.ok()) << event.status().ToString();
  return *event;
}

TEST(EnvelopeTest, MatchesKnownAnswer) {
  // testdata/envelope_expected.json was made by SignEvent with the PeterNeumann
  // key (Ed25519 is deterministic); its canonical event bytes are in
  // envelope_event.jcs and were checked against the RFC 8785 rules by hand
  // (sorted names, 10.5 -> 10.5, 1E3 -> 1000, raw UTF-8).
  nlohmann::json event = Event();
  auto canonical = CanonicalEventBytes(event);
  ASSERT_TRUE(canonical.ok());
  std::string want_jcs = ReadTestdata("envelope_event.jcs");
  if (!want_jcs.empty() && want_jcs.back() == '\n') want_jcs.pop_back();
  EXPECT_EQ(*canonical, want_jcs);
  EXPECT_EQ(EventIdFromCanonical(*canonical),
            "ni:///sha-256;" + ToHex(Sha256(want_jcs)));
  auto env = SignEvent(event, PeterKey());
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  auto want = ParseJsonStrict(ReadTestdata("envelope_expected.json"));
  ASSERT_TRUE(want.ok());
  EXPECT_EQ(env->ToJson(), *want);
  EXPECT_EQ(env->signer, "PeterNeumann+c74f20a3");
  EXPECT_TRUE(VerifyEnvelope(*env, PeterKey().verifier()).ok());
}

TEST(EnvelopeTest, EventIdIsRfc6920Form) {
  EXPECT_EQ(EventIdFromCanonical("{}"),
            "ni:///"
            "sha-256;"
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
}

TEST(EnvelopeTest, RoundTripsThroughJson) {
  auto env = SignEvent(Event(), PeterKey());
  ASSERT_TRUE(env.ok());
  auto parsed = ParseJsonStrict(env->ToJson().dump());
  ASSERT_TRUE(parsed.ok());
  auto back = Envelope::FromJson(*parsed);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->signature, env->signature);
  EXPECT_TRUE(VerifyEnvelope(*back, PeterKey().verifier()).ok());
}

TEST(EnvelopeTest, VerifyRejectsTamperingAndWrongKey) {
  VerifierKey peter = PeterKey().verifier();
  auto env = SignEvent(Event(), PeterKey());
  ASSERT_TRUE(env.ok());

  Envelope changed = *env;
  changed.event["bizStep"] = "shipping";
  Status st = VerifyEnvelope(changed, peter);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_EQ(st.message(),
            "signature: does not verify for signer PeterNeumann+c74f20a3");

  Envelope flipped = *env;
  flipped.signature[10] ^= 0x20;
  EXPECT_TRUE(VerifyEnvelope(flipped, peter).IsCorruption());

  auto other = SigningKey::Generate("PeterNeumann");
  ASSERT_TRUE(other.ok());
  st = VerifyEnvelope(*env, other->verifier());
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(
      st.message().find(
          "signer: envelope names PeterNeumann+c74f20a3, key is PeterNeumann+"),
      std::string::npos);

  // Reordering members or whitespace does not matter: the signature is over
  // JCS(event).
  auto reordered = ParseJsonStrict(env->event.dump(2));
  ASSERT_TRUE(reordered.ok());
  Envelope same = *env;
  same.event = *reordered;
  EXPECT_TRUE(VerifyEnvelope(same, peter).ok());
}

// VerifyEnvelopeCanonical compares the signer with the key id without
// formatting it: every character of "<name>+<8 hex>" counts.
TEST(EnvelopeTest, SignerMustBeExactlyTheKeyId) {
  VerifierKey peter = PeterKey().verifier();
  auto env = SignEvent(Event(), PeterKey());
  ASSERT_TRUE(env.ok());
  auto canonical = CanonicalEventBytes(env->event);
  ASSERT_TRUE(canonical.ok());
  ASSERT_EQ(peter.KeyId(), "PeterNeumann+c74f20a3");
  EXPECT_TRUE(VerifyEnvelopeCanonical(*env, *canonical, peter).ok());
  std::vector<std::string> wrong = {"PeterNeumann+c74f20a4",
                                    "PeterNeumann+d74f20a3",
                                    "PeterNeumann+C74F20A3",
                                    "PeterNeumann+c74f20a",
                                    "PeterNeumann+c74f20a30",
                                    "PeterNeumann-c74f20a3",
                                    "PeterNeumanm+c74f20a3",
                                    "eterNeumann+c74f20a3",
                                    "XPeterNeumann+c74f20a3",
                                    "PeterNeumann",
                                    "",
                                    "+c74f20a3"};
  for (const std::string& signer : wrong) {
    SCOPED_TRACE(signer);
    Envelope e = *env;
    e.signer = signer;
    Status st = VerifyEnvelopeCanonical(e, *canonical, peter);
    EXPECT_TRUE(st.IsCorruption());
    EXPECT_EQ(st.message(), "signer: envelope names " + signer +
                                ", key is PeterNeumann+c74f20a3");
  }
}

TEST(EnvelopeTest, FromJsonNamesTheBadMember) {
  auto env = SignEvent(Event(), PeterKey());
  ASSERT_TRUE(env.ok());
  nlohmann::json good = env->ToJson();
  struct Case {
    const char* label;
    std::function<void(nlohmann::json&)> mutate;
    const char* want;
  } cases[] = {
      {"extra member", [](nlohmann::json& j) { j["x"] = 1; },
       "x: unexpected member"},
      {"no event", [](nlohmann::json& j) { j.erase("event"); },
       "event: missing"},
      {"event array", [](nlohmann::json& j) { j["event"] = {1}; },
       "event: must be a JSON object"},
      {"no signer", [](nlohmann::json& j) { j.erase("signer"); },
       "signer: missing"},
      {"signer no hash", [](nlohmann::json& j) { j["signer"] = "acme"; },
       "signer: not a key id"},
      {"signer upper hex",
       [](nlohmann::json& j) { j["signer"] = "acme+C74F20A3"; },
       "signer: not a key id"},
      {"signer number", [](nlohmann::json& j) { j["signer"] = 5; },
       "signer: not a key id"},
      {"no signature", [](nlohmann::json& j) { j.erase("signature"); },
       "signature: missing"},
      {"short signature", [](nlohmann::json& j) { j["signature"] = "AAAA"; },
       "signature: not base64 of 64 bytes"},
      {"signature not b64", [](nlohmann::json& j) { j["signature"] = "!!"; },
       "signature: not base64 of 64 bytes"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    nlohmann::json j = good;
    c.mutate(j);
    auto got = Envelope::FromJson(j);
    ASSERT_FALSE(got.ok());
    EXPECT_TRUE(got.status().IsInvalidArgument());
    EXPECT_NE(got.status().message().find(c.want), std::string::npos)
        << got.status().message();
  }
  EXPECT_FALSE(Envelope::FromJson(nlohmann::json::array()).ok());
}

// FromJson decodes 88-character signatures itself: it must accept exactly
// what FromBase64 accepts (canonical padded base64 of 64 bytes), for both the
// copying and the moving overload, and move the event only on success.
TEST(EnvelopeTest, SignatureDecodingAgreesWithFromBase64) {
  auto env = SignEvent(Event(), PeterKey());
  ASSERT_TRUE(env.ok());
  const nlohmann::json good = env->ToJson();
  const std::string b64 = good["signature"];
  ASSERT_EQ(b64.size(), 88u);
  std::vector<std::pair<std::string, std::string>> texts = {
      {"as signed", b64},
      {"all zero", ToBase64(std::string(64, '\0'))},
      {"all 0xff", ToBase64(std::string(64, '\xff'))},
      {"pad bits set", b64.substr(0, 85) + "B=="},
      {"last group not padded", b64.substr(0, 86) + "A="},
      {"one pad only", b64.substr(0, 87) + "A"},
      {"url-safe alphabet",
       ToBase64(std::string(64, '\xfb')).replace(0, 1, "-")},
      {"space inside", b64.substr(0, 40) + " " + b64.substr(41)},
      {"pad in the middle", b64.substr(0, 40) + "=" + b64.substr(41)},
      {"65 bytes", ToBase64(std::string(65, 'a'))},
      {"63 bytes", ToBase64(std::string(63, 'a'))},
  };
  for (int i = 0; i < 64; ++i) {
    std::string raw(64, '\0');
    for (size_t k = 0; k < raw.size(); ++k)
      raw[k] = static_cast<char>((i * 131 + static_cast<int>(k) * 29) & 0xff);
    std::string text = ToBase64(raw);
    texts.push_back({"pattern " + std::to_string(i), text});
    // Every character in the first group's position, to hit each alphabet
    // value and the characters outside it.
    text[0] = static_cast<char>(i + 32);
    texts.push_back({"first char " + std::to_string(i + 32), text});
  }
  for (const auto& [label, text] : texts) {
    SCOPED_TRACE(label + ": " + text);
    nlohmann::json j = good;
    j["signature"] = text;
    auto want = FromBase64(text);
    bool ok = want && want->size() == 64;
    auto copied = Envelope::FromJson(j);
    ASSERT_EQ(copied.ok(), ok) << copied.status().ToString();
    nlohmann::json moved_from = j;
    auto moved = Envelope::FromJson(std::move(moved_from));
    ASSERT_EQ(moved.ok(), ok);
    if (ok) {
      EXPECT_EQ(copied->signature, *want);
      EXPECT_EQ(moved->signature, *want);
      EXPECT_EQ(moved->event, good["event"]);
      EXPECT_EQ(moved->signer, good["signer"]);
      EXPECT_EQ(copied->signer, good["signer"]);
    } else {
      EXPECT_EQ(copied.status().message(), "signature: not base64 of 64 bytes");
      EXPECT_EQ(moved_from, j);  // left unchanged on failure
    }
  }
}

TEST(EnvelopeTest, SignEventRejectsNonObjectsAndUncanonicalValues) {
  EXPECT_TRUE(SignEvent(nlohmann::json::array(), PeterKey())
                  .status()
                  .IsInvalidArgument());
  nlohmann::json bad = {{"quantity", std::nan("")}};
  auto got = SignEvent(bad, PeterKey());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("event: /quantity: NaN"),
            std::string::npos)
      << got.status().message();
}

}  // namespace
}  // namespace ledger
