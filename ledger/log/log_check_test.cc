// logcheck: CheckEntry's fast path for event entries (TryCheckEventFast) and
// the full check (CheckEntryFull) agree on every entry: the fast path answers
// only with exactly what the full check returns, and CheckEntry gives the full
// check's verdict and message. Inputs: every event vector of ledger/log and
// ledger/epcis (valid and invalid), participant and query entries, targeted
// tamperings, and random mutations of each entry's bytes.
#include "ledger/log/log_check.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "ledger/envelope.h"
#include "ledger/jcs.h"
#include "ledger/log/log_entry.h"
#include "ledger/log/log_testing.h"
#include "ledger/merkle.h"

namespace ledger::logcheck {
namespace {

using logtesting::MakeParticipant;
using logtesting::TestKey;

constexpr char kReceivedAt[] = "2026-11-26T10:44:14.123Z";

// Every event in the repository's vectors: ledger/log/testdata/events.json,
// the events of ledger/epcis/testdata/valid/*.json (documents or bare events)
// and the "event" of each line of ledger/epcis/testdata/invalid/events.jsonl
// (objects only: an envelope's event is an object).
std::vector<nlohmann::json> VectorEvents() {
  std::vector<nlohmann::json> out;
  for (const auto& e :
       logtesting::ReadJsonFile(std::string(UDI_TESTDATA) + "/events.json")) {
    out.push_back(e);
  }
  const std::string epcis =
      std::string(UDI_SOURCE_DIR) + "/ledger/epcis/testdata";
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(epcis + "/valid")) {
    files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    nlohmann::json doc = logtesting::ReadJsonFile(f.string());
    if (doc.contains("epcisBody")) {
      for (const auto& e : doc["epcisBody"]["eventList"]) out.push_back(e);
    } else {
      out.push_back(doc);
    }
  }
  std::ifstream invalid(epcis + "/invalid/events.jsonl");
  for (std::string line; std::getline(invalid, line);) {
    if (line.empty() || line[0] == '#') continue;
    nlohmann::json v = nlohmann::json::parse(line);
    if (v["event"].is_object()) out.push_back(v["event"]);
  }
  return out;
}

std::string Facts(const epcis::EventFacts& f) {
  return nlohmann::json{{"type", epcis::EventTypeName(f.type)},
                        {"action", f.action},
                        {"ms", f.event_time_ms},
                        {"time", f.event_time},
                        {"id", f.epcis_event_id},
                        {"epcs", f.epcs},
                        {"classes", f.epc_classes},
                        {"lots", f.ilmd_lots},
                        {"parent", f.parent},
                        {"children", f.children},
                        {"step", f.biz_step},
                        {"disp", f.disposition},
                        {"loc", f.biz_location},
                        {"rp", f.read_point},
                        {"err", f.is_error_declaration},
                        {"corr", f.corrective_event_ids}}
      .dump();
}

// Everything a CheckedEntry says, as text.
std::string Show(const CheckedEntry& e) {
  std::string s = std::to_string(static_cast<int>(e.type)) + " " +
                  ToHex(e.leaf) + " " + e.event_id + " " + e.signer + " " +
                  Facts(e.facts);
  if (e.participant) s += " " + e.participant->ToJson().dump();
  return s;
}

std::string Show(const Result<CheckedEntry>& r) {
  return r.ok() ? "OK " + Show(*r) : r.status().ToString();
}

class CheckAgreement : public ::testing::Test {
 protected:
  CheckAgreement()
      : key_(TestKey("acme", 7)),
        other_(TestKey("other", 8)),
        revoked_(TestKey("gone", 9)) {
    Participant p = MakeParticipant(key_);
    registry_[p.KeyId()] = p;
    Participant r = MakeParticipant(revoked_);
    r.revoked = true;
    registry_[r.KeyId()] = r;
    prev_ = merkle::LeafHash("previous entry");
  }

  std::string EventEntry(uint64_t index, const Hash& prev,
                         const nlohmann::json& event, const SigningKey& key) {
    auto env = SignEvent(event, key);
    EXPECT_TRUE(env.ok()) << env.status().ToString();
    auto canonical = CanonicalEventBytes(event);
    EXPECT_TRUE(canonical.ok()) << canonical.status().ToString();
    return logentry::EventEntryBytes(index, prev, kReceivedAt, *env,
                                     *canonical);
  }

  // Runs all three on (index, prev, bytes) with a copy of `registry`; fails
  // the test on any disagreement. Returns whether the fast path answered.
  bool Agree(uint64_t index, const Hash& prev, std::string_view bytes,
             const logentry::Registry& registry) {
    const Hash leaf = merkle::LeafHash(bytes);
    logentry::Registry full_registry = registry, combined_registry = registry;
    const auto full = CheckEntryFull(index, prev, bytes, &full_registry, leaf);
    const auto fast = TryCheckEventFast(index, prev, bytes, registry, leaf);
    const auto combined = CheckEntry(index, prev, bytes, &combined_registry);
    if (fast) {
      EXPECT_TRUE(full.ok()) << "fast path accepted what the full check "
                                "refuses: "
                             << full.status().ToString() << "\n"
                             << bytes;
      if (full.ok()) {
        EXPECT_EQ(Show(*fast), Show(*full)) << bytes;
      }
    }
    EXPECT_EQ(Show(combined), Show(full)) << bytes;
    EXPECT_EQ(full_registry.size(), combined_registry.size());
    return fast.has_value();
  }

  SigningKey key_, other_, revoked_;
  logentry::Registry registry_;
  Hash prev_{};
};

// Every vector event as a valid entry: the fast path answers for each one the
// full check accepts, with the same CheckedEntry; and for each it refuses
// (invalid EPCIS) CheckEntry gives the full check's message.
TEST_F(CheckAgreement, VectorEventsAgreeAndValidOnesTakeTheFastPath) {
  const auto events = VectorEvents();
  ASSERT_GT(events.size(), 100u);
  size_t accepted = 0, fast = 0;
  for (size_t n = 0; n < events.size(); ++n) {
    SCOPED_TRACE("event " + std::to_string(n) + ": " + events[n].dump());
    for (uint64_t index : {uint64_t{0}, uint64_t{17}}) {
      const Hash prev = index == 0 ? Hash{} : prev_;
      const std::string bytes = EventEntry(index, prev, events[n], key_);
      logentry::Registry scratch = registry_;
      const bool ok =
          CheckEntryFull(index, prev, bytes, &scratch, merkle::LeafHash(bytes))
              .ok();
      const bool answered = Agree(index, prev, bytes, registry_);
      EXPECT_EQ(answered, ok);
      accepted += ok;
      fast += answered;
    }
  }
  EXPECT_GT(accepted, 50u);
  EXPECT_EQ(fast, accepted);
}

// One change at a time to a valid entry's context or bytes, each refused by
// the full check; the fast path must not answer, and CheckEntry must give the
// full check's message.
TEST_F(CheckAgreement, TamperedEntriesAreRefusedWithTheFullMessage) {
  const nlohmann::json event = logtesting::SyntheticEvent(3, "tamper");
  const std::string good = EventEntry(5, prev_, event, key_);
  ASSERT_TRUE(Agree(5, prev_, good, registry_));
  auto replace = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    const size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
  };
  struct Case {
    std::string name;
    uint64_t index;
    Hash prev;
    std::string bytes;
    logentry::Registry registry;
  };
  logentry::Registry empty;
  Hash other_prev = prev_;
  other_prev[0] ^= 1;
  auto env = SignEvent(event, key_);
  ASSERT_TRUE(env.ok());
  const std::string sig = ToBase64(env->signature);
  std::string flipped_sig = sig;
  flipped_sig[3] = flipped_sig[3] == 'A' ? 'B' : 'A';
  std::string index0_nonzero = EventEntry(0, prev_, event, key_);
  index0_nonzero.replace(index0_nonzero.find(std::string(64, '0')), 64,
                         ToHex(prev_));
  const std::vector<Case> cases = {
      {"wrong index", 6, prev_, good, registry_},
      {"wrong prev leaf", 5, other_prev, good, registry_},
      {"index 0 with a nonzero prevHash", 0, prev_, index0_nonzero, registry_},
      {"unregistered signer", 5, prev_, good, empty},
      {"revoked signer", 5, prev_, EventEntry(5, prev_, event, revoked_),
       registry_},
      {"unknown signer", 5, prev_, EventEntry(5, prev_, event, other_),
       registry_},
      {"bad signature", 5, prev_, replace(sig, flipped_sig), registry_},
      {"short signature", 5, prev_, replace(sig, sig.substr(4)), registry_},
      {"receivedAt not RFC 3339", 5, prev_,
       replace(kReceivedAt, "2026-11-26T10:44:14Z"), registry_},
      {"receivedAt with an escape", 5, prev_,
       replace(kReceivedAt, "2026-11-26T10:44:14.123\\u005a"), registry_},
      {"type query", 5, prev_,
       replace("\"type\":\"event\"", "\"type\":\"query\""), registry_},
      {"event changed", 5, prev_, replace("in_transit", "in_progress"),
       registry_},
      {"whitespace", 5, prev_, replace("\"index\":", "\"index\": "), registry_},
      {"index with leading zero", 5, prev_,
       replace("\"index\":5", "\"index\":05"), registry_},
      {"index as a float", 5, prev_, replace("\"index\":5", "\"index\":5.0"),
       registry_},
      {"extra envelope member", 5, prev_,
       replace("\"signer\":", "\"signex\":\"x\",\"signer\":"), registry_},
      {"signer not a key id", 5, prev_, replace("acme+", "acme-"), registry_},
      {"trailing byte", 5, prev_, good + " ", registry_},
      {"leading byte", 5, prev_, " " + good, registry_},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    logentry::Registry scratch = c.registry;
    EXPECT_FALSE(CheckEntryFull(c.index, c.prev, c.bytes, &scratch,
                                merkle::LeafHash(c.bytes))
                     .ok());
    EXPECT_FALSE(Agree(c.index, c.prev, c.bytes, c.registry));
  }
}

// An event whose own members spell out a wrapper ("signature", "signer",
// "index", "prevHash" with the entry's values) must not confuse the split of
// the entry: both checks agree, and the fast path still answers for the valid
// entry.
TEST_F(CheckAgreement, EventMembersThatLookLikeTheWrapper) {
  nlohmann::json event = logtesting::SyntheticEvent(4, "wrap");
  const std::string tricky = "\"},\"index\":9,\"prevHash\":\"" + ToHex(prev_) +
                             "\",\"signature\":\"x\",\"signer\":\"acme+1\"";
  event["example:a"] = tricky;
  event["example:b"] = {{"signature", "AAAA"}, {"signer", "acme+00000000"}};
  event["example:index"] = 9;
  const std::string bytes = EventEntry(9, prev_, event, key_);
  EXPECT_TRUE(Agree(9, prev_, bytes, registry_));
  // The same text with the escapes removed is no longer one JSON value.
  std::string raw = bytes;
  for (size_t at; (at = raw.find("\\\"")) != std::string::npos;) {
    raw.erase(at, 1);
  }
  EXPECT_FALSE(Agree(9, prev_, raw, registry_));
}

// Participant and query entries never take the fast path, and CheckEntry
// decides them exactly as before (including the registry change).
TEST_F(CheckAgreement, ParticipantAndQueryEntries) {
  Participant p = MakeParticipant(other_);
  auto participant = logentry::ParticipantEntryBytes(3, prev_, kReceivedAt, p);
  ASSERT_TRUE(participant.ok());
  EXPECT_FALSE(Agree(3, prev_, *participant, registry_));
  auto query = logentry::QueryEntryBytes(3, prev_, kReceivedAt,
                                         {{"q", "x"}, {"envelope", 1}});
  ASSERT_TRUE(query.ok());
  EXPECT_FALSE(Agree(3, prev_, *query, registry_));
}

// Random single-byte edits (replace, insert, delete) of valid entries built
// from every vector event, with bytes chosen to hit JSON structure, escapes,
// digits and UTF-8: the fast path never answers differently from the full
// check, and CheckEntry always gives the full check's verdict and message.
TEST_F(CheckAgreement, RandomMutationsAgree) {
  const auto events = VectorEvents();
  std::mt19937_64 rng(20261127);
  const std::string alphabet =
      "\"\\{}[],: 0123456789eE+-.aAzZ_/\x7f\x80\xc3\xa9\xff\t\n";
  size_t mutants = 0, answered = 0;
  for (size_t n = 0; n < events.size(); ++n) {
    const std::string base = EventEntry(11, prev_, events[n], key_);
    for (int m = 0; m < 200; ++m) {
      std::string s = base;
      const size_t at = rng() % s.size();
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          s[at] = c;
          break;
        case 1:
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), c);
          break;
        default:
          s.erase(at, 1);
      }
      if (s == base) continue;
      SCOPED_TRACE("event " + std::to_string(n) + " mutation at " +
                   std::to_string(at));
      answered += Agree(11, prev_, s, registry_);
      ++mutants;
      if (HasFailure()) return;
    }
  }
  EXPECT_GT(mutants, 20000u);
  // Only edits the signature does not cover (receivedAt digits that still
  // form a valid time) can be accepted.
  EXPECT_LT(answered, mutants / 20);
}

}  // namespace
}  // namespace ledger::logcheck
