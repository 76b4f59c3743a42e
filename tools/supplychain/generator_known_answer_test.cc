// The output for one seed is pinned (testdata/known_answer_seed1_units50.txt),
// so an accidental change of any draw, format or ordering is caught.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "ledger/bytes.h"
#include "supplychain/generator.h"

namespace supplychain {
namespace {

std::map<std::string, std::string> ExpectedDigests() {
  std::ifstream in(std::string(UDI_TESTDATA) +
                   "/known_answer_seed1_units50.txt");
  EXPECT_TRUE(in.good());
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, digest;
    fields >> name >> digest;
    out[name] = digest;
  }
  return out;
}

TEST(GeneratorKnownAnswerTest, SeedOneMatchesThePinnedDigests) {
  GeneratorOptions o;
  o.seed = 1;
  o.units = 50;
  o.anomaly_rate = 0.1;
  std::string envelopes;
  ledger::Result<GenerationResult> r =
      Generate(o, [&](const GeneratedEvent& e) {
        envelopes += e.EnvelopeLine() + "\n";
        return ledger::Status::OK();
      });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::ostringstream truth;
  r->truth.WriteJson(truth);
  const std::map<std::string, std::string> got = {
      {"participants.json", ledger::ToHex(ledger::Sha256(
                                ParticipantsJson(r->parties).dump(2) + "\n"))},
      {"envelopes.jsonl", ledger::ToHex(ledger::Sha256(envelopes))},
      {"truth.json", ledger::ToHex(ledger::Sha256(truth.str()))},
  };
  EXPECT_EQ(got, ExpectedDigests());
}

}  // namespace
}  // namespace supplychain
