#include "supplychain/generator.h"

#include <filesystem>
#include <fstream>

#include "tools/supplychain/signing.h"
#include "tools/supplychain/simulation.h"
#include "tools/supplychain/world.h"

namespace supplychain {
namespace {

ledger::Status CheckOptions(const GeneratorOptions& o) {
  if (o.units < 1)
    return ledger::Status::InvalidArgument("units: must be at least 1");
  if (o.units > 100'000'000)
    return ledger::Status::InvalidArgument("units: at most 100000000");
  if (o.manufacturers < 1 || o.manufacturers > 50) {
    return ledger::Status::InvalidArgument("manufacturers: must be 1..50");
  }
  if (o.distributors < 1 || o.distributors > 50) {
    return ledger::Status::InvalidArgument("distributors: must be 1..50");
  }
  if (o.hospitals < 1 || o.hospitals > 500) {
    return ledger::Status::InvalidArgument("hospitals: must be 1..500");
  }
  if (!(o.anomaly_rate >= 0 && o.anomaly_rate <= 1)) {
    return ledger::Status::InvalidArgument(
        "anomaly_rate: must be between 0 and 1");
  }
  if (o.recalls < -1 || o.recalls > 1000) {
    return ledger::Status::InvalidArgument(
        "recalls: must be -1 (automatic) or 0..1000");
  }
  if (!(o.recall_ack_rate >= 0 && o.recall_ack_rate <= 1)) {
    return ledger::Status::InvalidArgument(
        "recall_ack_rate: must be between 0 and 1");
  }
  if (o.threads < 1 || o.threads > 256) {
    return ledger::Status::InvalidArgument("threads: must be 1..256");
  }
  return ledger::Status::OK();
}

}  // namespace

ledger::Result<std::vector<PartyInfo>> MakeParties(
    const GeneratorOptions& options) {
  LEDGER_RETURN_IF_ERROR(CheckOptions(options));
  std::vector<PartyInfo> out;
  for (const Party& p : BuildParties(options)) out.push_back(ToPartyInfo(p));
  return out;
}

ledger::Result<GenerationResult> Generate(const GeneratorOptions& options,
                                          const EventSink& sink) {
  LEDGER_RETURN_IF_ERROR(CheckOptions(options));
  World world(BuildParties(options), options.record_truth);
  SigningPipeline pipeline(world.parties, options.threads, sink,
                           options.record_truth);
  Simulation simulation(options, world, pipeline);
  simulation.Run();
  LEDGER_RETURN_IF_ERROR(pipeline.Finish());
  GenerationResult result;
  for (const Party& p : world.parties) result.parties.push_back(ToPartyInfo(p));
  result.truth = world.BuildTruth(pipeline.event_ids(), pipeline.count());
  return result;
}

ledger::Participant ToParticipant(const PartyInfo& party) {
  ledger::Participant p;
  p.gln = party.gln;
  p.name = party.name;
  p.role = party.role;
  p.verifier_key = party.verifier_key;
  return p;
}

nlohmann::json ParticipantsJson(const std::vector<PartyInfo>& parties) {
  nlohmann::json out = nlohmann::json::array();
  for (const PartyInfo& p : parties) {
    out.push_back({{"gln", p.gln},
                   {"name", p.name},
                   {"role", p.role},
                   {"companyPrefix", p.company_prefix},
                   {"pgln", p.pgln},
                   {"sites", p.sites},
                   {"timeZoneOffset", p.time_zone_offset},
                   {"keyName", p.key_name},
                   {"verifierKey", p.verifier_key},
                   {"privateKey", p.private_key}});
  }
  return out;
}

ledger::Result<GenerationResult> WriteDataset(const GeneratorOptions& options,
                                              const std::string& dir) {
  LEDGER_RETURN_IF_ERROR(CheckOptions(options));  // before anything is created
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return ledger::Status::IOError(
        dir + ": cannot create directory: " + ec.message());
  const std::string envelopes_path = dir + "/envelopes.jsonl";
  std::ofstream envelopes(envelopes_path, std::ios::binary | std::ios::trunc);
  if (!envelopes)
    return ledger::Status::IOError(envelopes_path +
                                   ": cannot open for writing");
  ledger::Result<GenerationResult> result =
      Generate(options, [&](const GeneratedEvent& e) -> ledger::Status {
        envelopes << e.EnvelopeLine() << '\n';
        if (!envelopes)
          return ledger::Status::IOError(envelopes_path + ": write failed");
        return ledger::Status::OK();
      });
  if (!result.ok()) return result.status();
  envelopes.close();
  if (!envelopes)
    return ledger::Status::IOError(envelopes_path + ": write failed");

  const std::string participants_path = dir + "/participants.json";
  std::ofstream participants(participants_path,
                             std::ios::binary | std::ios::trunc);
  participants << ParticipantsJson(result->parties).dump(2) << '\n';
  participants.close();
  if (!participants)
    return ledger::Status::IOError(participants_path + ": write failed");

  const std::string truth_path = dir + "/truth.json";
  std::ofstream truth(truth_path, std::ios::binary | std::ios::trunc);
  result->truth.WriteJson(truth);
  truth.close();
  if (!truth) return ledger::Status::IOError(truth_path + ": write failed");
  return result;
}

}  // namespace supplychain
