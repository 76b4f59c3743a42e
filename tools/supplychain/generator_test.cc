#include "supplychain/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/envelope.h"
#include "ledger/epcis.h"
#include "ledger/gs1.h"
#include "ledger/keys.h"
#include "tools/supplychain/replay_testing.h"

namespace supplychain {
namespace {

struct Dataset {
  GenerationResult result;
  std::vector<std::string> lines;
  std::vector<GeneratedEvent> events;
};

Dataset Make(GeneratorOptions options, bool keep_events = false) {
  Dataset d;
  ledger::Result<GenerationResult> r =
      Generate(options, [&](const GeneratedEvent& e) {
        d.lines.push_back(e.EnvelopeLine());
        if (keep_events) d.events.push_back(e);
        return ledger::Status::OK();
      });
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (r.ok()) d.result = std::move(r).value();
  return d;
}

std::string TruthText(const GroundTruth& truth) {
  std::ostringstream out;
  truth.WriteJson(out);
  return out.str();
}

GeneratorOptions Small(uint64_t seed, double rate) {
  GeneratorOptions o;
  o.seed = seed;
  o.units = 600;
  o.anomaly_rate = rate;
  return o;
}

TEST(GeneratorTest, SameSeedGivesIdenticalBytesWhateverTheThreadCount) {
  GeneratorOptions one = Small(42, 0.05);
  GeneratorOptions four = one;
  four.threads = 4;
  Dataset a = Make(one), b = Make(four);
  ASSERT_FALSE(a.lines.empty());
  EXPECT_EQ(a.lines, b.lines);
  EXPECT_EQ(TruthText(a.result.truth), TruthText(b.result.truth));
  EXPECT_EQ(ParticipantsJson(a.result.parties).dump(),
            ParticipantsJson(b.result.parties).dump());
}

TEST(GeneratorTest, DifferentSeedsGiveDifferentData) {
  Dataset a = Make(Small(1, 0)), b = Make(Small(2, 0));
  EXPECT_NE(a.lines, b.lines);
  EXPECT_NE(a.result.parties[0].gln, b.result.parties[0].gln);
}

TEST(GeneratorTest, MakePartiesMatchesGenerate) {
  GeneratorOptions o = Small(9, 0);
  ledger::Result<std::vector<PartyInfo>> parties = MakeParties(o);
  ASSERT_TRUE(parties.ok());
  Dataset d = Make(o);
  EXPECT_EQ(ParticipantsJson(*parties).dump(),
            ParticipantsJson(d.result.parties).dump());
}

TEST(GeneratorTest, PartiesHaveValidIdentifiersRolesAndKeys) {
  GeneratorOptions o = Small(5, 0);
  o.manufacturers = 6;
  o.distributors = 3;
  o.hospitals = 5;
  ledger::Result<std::vector<PartyInfo>> parties = MakeParties(o);
  ASSERT_TRUE(parties.ok());
  ASSERT_EQ(parties->size(), 15u);
  std::map<std::string, int> roles;
  std::set<size_t> maker_prefix_lengths;
  std::set<std::string> glns;
  for (const PartyInfo& p : *parties) {
    SCOPED_TRACE(p.name);
    roles[p.role]++;
    if (p.role == "manufacturer")
      maker_prefix_lengths.insert(p.company_prefix.size());
    EXPECT_TRUE(glns.insert(p.gln).second) << "duplicate GLN";
    ASSERT_EQ(p.gln.size(), 13u);
    EXPECT_TRUE(ledger::gs1::HasValidCheckDigit(p.gln));
    EXPECT_EQ(p.gln.rfind(p.company_prefix, 0), 0u);
    ledger::Result<ledger::gs1::Gs1Key> pgln =
        ledger::gs1::ParseIdentifier(p.pgln);
    ASSERT_TRUE(pgln.ok()) << pgln.status().ToString();
    EXPECT_EQ(pgln->ToString(), "417/" + p.gln);
    for (const std::string& site : p.sites) {
      ledger::Result<ledger::gs1::Gs1Key> key =
          ledger::gs1::ParseIdentifier(site);
      ASSERT_TRUE(key.ok()) << site << ": " << key.status().ToString();
      EXPECT_EQ(key->kind, ledger::gs1::KeyKind::kSgln);
    }
    ledger::Result<ledger::SigningKey> key =
        ledger::SigningKey::Parse(p.private_key);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->verifier().ToText(), p.verifier_key);
    EXPECT_EQ(key->name(), p.key_name);
  }
  EXPECT_EQ(roles, (std::map<std::string, int>{{"manufacturer", 6},
                                               {"distributor", 3},
                                               {"dispenser", 5},
                                               {"regulator", 1}}));
  EXPECT_EQ(maker_prefix_lengths.size(), 6u)
      << "manufacturers use prefixes of different lengths";
}

TEST(GeneratorTest, EveryEventValidatesAndEveryEnvelopeVerifies) {
  Dataset d = Make(Small(3, 0.05), /*keep_events=*/true);
  std::map<size_t, ledger::VerifierKey> keys;
  for (size_t i = 0; i < d.result.parties.size(); ++i) {
    ledger::Result<ledger::VerifierKey> k =
        ledger::VerifierKey::Parse(d.result.parties[i].verifier_key);
    ASSERT_TRUE(k.ok());
    keys.emplace(i, *k);
  }
  ASSERT_EQ(d.events.size(), d.result.truth.event_count);
  std::set<std::string> ids;
  for (const GeneratedEvent& e : d.events) {
    SCOPED_TRACE("event " + std::to_string(e.seq) + ": " + e.canonical_event);
    ledger::Result<ledger::epcis::EventFacts> facts =
        ledger::epcis::ValidateEvent(e.envelope.event);
    EXPECT_TRUE(facts.ok()) << facts.status().ToString();
    EXPECT_TRUE(ledger::VerifyEnvelope(e.envelope, keys.at(e.signer)).ok());
    EXPECT_EQ(e.envelope.signer, keys.at(e.signer).KeyId());
    EXPECT_TRUE(ids.insert(e.event_id).second) << "duplicate event id";
    // The line is the RFC 8785 form of the envelope and parses back to the same
    // envelope.
    ledger::Result<nlohmann::json> j = ledger::ParseJsonStrict(d.lines[e.seq]);
    ASSERT_TRUE(j.ok());
    ledger::Result<std::string> canonical_line = ledger::CanonicalizeJson(*j);
    ASSERT_TRUE(canonical_line.ok());
    EXPECT_EQ(*canonical_line, d.lines[e.seq]);
    EXPECT_EQ(*canonical_line, *ledger::CanonicalizeJson(e.envelope.ToJson()));
    ledger::Result<ledger::Envelope> back = ledger::Envelope::FromJson(*j);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(ledger::VerifyEnvelope(*back, keys.at(e.signer)).ok());
    EXPECT_EQ(e.event_id, ledger::EventIdFromCanonical(e.canonical_event));
  }
}

TEST(GeneratorTest,
     TamperedEnvelopeDoesNotVerify) {  // so the test above can fail
  Dataset d = Make(Small(3, 0), true);
  ASSERT_FALSE(d.events.empty());
  ledger::Envelope env = d.events[0].envelope;
  env.event["eventTimeZoneOffset"] = "+03:00";
  ledger::Result<ledger::VerifierKey> k = ledger::VerifierKey::Parse(
      d.result.parties[d.events[0].signer].verifier_key);
  ASSERT_TRUE(k.ok());
  EXPECT_FALSE(ledger::VerifyEnvelope(env, *k).ok());
}

TEST(GeneratorTest, SinkErrorStopsGenerationAndIsReturned) {
  int calls = 0;
  ledger::Result<GenerationResult> r =
      Generate(Small(1, 0), [&](const GeneratedEvent&) {
        return ++calls == 5 ? ledger::Status::IOError("disk full")
                            : ledger::Status::OK();
      });
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsIOError());
  EXPECT_EQ(r.status().message(), "event 4: disk full");
  EXPECT_EQ(calls, 5);
}

TEST(GeneratorTest, BadOptionsAreRejectedNamingTheOption) {
  struct Case {
    const char* name;
    void (*mutate)(GeneratorOptions&);
    const char* prefix;
  };
  const Case cases[] = {
      {"no units", [](GeneratorOptions& o) { o.units = 0; }, "units:"},
      {"no makers", [](GeneratorOptions& o) { o.manufacturers = 0; },
       "manufacturers:"},
      {"no distributors", [](GeneratorOptions& o) { o.distributors = 0; },
       "distributors:"},
      {"no hospitals", [](GeneratorOptions& o) { o.hospitals = 0; },
       "hospitals:"},
      {"rate > 1", [](GeneratorOptions& o) { o.anomaly_rate = 1.5; },
       "anomaly_rate:"},
      {"rate NaN", [](GeneratorOptions& o) { o.anomaly_rate = 0.0 / 0.0; },
       "anomaly_rate:"},
      {"threads 0", [](GeneratorOptions& o) { o.threads = 0; }, "threads:"},
      {"recalls -2", [](GeneratorOptions& o) { o.recalls = -2; }, "recalls:"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    GeneratorOptions o = Small(1, 0);
    c.mutate(o);
    ledger::Result<GenerationResult> r =
        Generate(o, [](const GeneratedEvent&) { return ledger::Status::OK(); });
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_EQ(r.status().message().rfind(c.prefix, 0), 0u)
        << r.status().message();
  }
}

TEST(GeneratorTest, CommissionsExactlyTheRequestedUnitsWithUniqueKeys) {
  for (uint64_t units : {1, 7, 250, 1001}) {
    SCOPED_TRACE(units);
    GeneratorOptions o = Small(11, 0);
    o.units = units;
    Dataset d = Make(o);
    ASSERT_EQ(d.result.truth.units.size(), units);
    std::set<std::string> keys;
    for (const UnitTruth& u : d.result.truth.units) keys.insert(u.key);
    EXPECT_EQ(keys.size(), units);
    size_t in_lots = 0;
    for (const LotTruth& lot : d.result.truth.lots) in_lots += lot.units.size();
    EXPECT_EQ(in_lots, units);
  }
}

}  // namespace
}  // namespace supplychain
