#include "ledger/envelope.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

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
