// The parties of the simulated supply chain: GS1 company prefixes of different
// lengths (prefix-free among themselves), GLNs and site SGLNs with valid check
// digits, names, time zones and Ed25519 keys derived from the seed.
#include <algorithm>
#include <array>
#include <string>

#include "ledger/bytes.h"
#include "tools/supplychain/identifiers.h"
#include "tools/supplychain/rng.h"
#include "tools/supplychain/world.h"

namespace supplychain {
namespace {

// Three-digit GS1 prefixes of member organisations (US/CA 06x-09x, FR, DE, UK,
// CH, NL, IN, CN, KR, AU). Restricted-circulation (02, 04, 2x), ISSN/ISBN
// (977-979) and coupon ranges avoided.
const std::vector<std::string> kMoPrefixes = {"061", "070", "081", "090", "300",
                                              "401", "501", "761", "871", "890",
                                              "690", "880", "930"};
// Company prefix lengths: manufacturers use a wide mix so that EPC URI
// partitions differ.
constexpr std::array<int, 6> kManufacturerPrefixLengths = {7, 9, 8, 10, 6, 11};
constexpr std::array<int, 4> kOtherPrefixLengths = {7, 8, 9, 10};
const std::vector<int> kOffsets = {0,   60,  120, -300, -360, -480,
                                   330, 480, 540, -180, 60,   0};

const std::vector<std::string> kMakerStems = {
    "Norvia",  "Medtrix", "Halcyon",  "Vantis", "Orthelia", "Cardion",
    "Lumenex", "Sanova",  "Bioventa", "Keldor", "Aurimed",  "Pellucid"};
const std::vector<std::string> kMakerKinds = {
    "Medical", "Devices", "Pharma", "Surgical", "Healthcare", "Labs"};
const std::vector<std::string> kLegal = {"GmbH", "Inc.", "Ltd",
                                         "S.A.", "B.V.", "AG"};
const std::vector<std::string> kDistributorStems = {
    "Northway", "Meridian", "Crescent", "Summit",
    "Harbor",   "Atlas",    "Beacon",   "Keystone"};
const std::vector<std::string> kDistributorKinds = {
    "Logistics", "Distribution", "Health Supply", "Medical 3PL"};
const std::vector<std::string> kPlaces = {
    "Riverside",  "St. Anne's", "Lakeview", "Mercy",    "Hillcrest",
    "Greenfield", "Bayside",    "Oakwood",  "Westgate", "Northfield"};
const std::vector<std::string> kDispenserKinds = {
    "General Hospital", "Medical Center", "Pharmacy", "Clinic",
    "University Hospital"};

std::string Digits(Rng& rng, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i)
    s.push_back(static_cast<char>('0' + rng.Below(10)));
  return s;
}

// True if a is a prefix of b or b of a.
bool Overlaps(const std::string& a, const std::string& b) {
  return a.compare(0, b.size(), b) == 0 || b.compare(0, a.size(), a) == 0;
}

std::string UniquePrefix(Rng& rng, int length,
                         const std::vector<std::string>& taken) {
  for (;;) {
    std::string p = rng.Pick(kMoPrefixes) + Digits(rng, length - 3);
    bool clash =
        std::any_of(taken.begin(), taken.end(),
                    [&](const std::string& t) { return Overlaps(t, p); });
    if (!clash) return p;
  }
}

std::string Slug(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c - 'A' + 'a'));
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
    if (c == ' ' && !out.empty() && out.back() != '-') out.push_back('-');
    if (out.size() >= 24) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

// A name from stems x kinds without repeating a stem while unused stems remain.
std::string PickName(Rng& rng, std::vector<std::string>& stems,
                     const std::vector<std::string>& kinds,
                     const std::string& suffix, int index) {
  if (stems.empty())
    return "Party " + std::to_string(index) + " " + rng.Pick(kinds) + suffix;
  std::string stem = stems.back();
  stems.pop_back();
  return stem + " " + rng.Pick(kinds) + suffix;
}

Party MakeParty(Role role, int index, const std::string& name,
                const std::string& prefix, int sites, Rng& rng, uint64_t seed) {
  Party p;
  p.role = role;
  p.prefix = prefix;
  p.gln = MakeGln(prefix, 0);
  p.name = name;
  static constexpr const char* kTags[] = {"mfr", "dist", "disp", "reg"};
  p.key_name = std::string(kTags[static_cast<int>(role)]) +
               std::to_string(index + 1) + "-" + Slug(name);
  p.pgln = PglnEpc(prefix, p.gln);
  p.offset_minutes = rng.Pick(kOffsets);
  p.use_z = rng.Chance(0.5);
  for (int s = 1; s <= sites; ++s) {
    Site site;
    site.gln = MakeGln(prefix, static_cast<uint64_t>(s));
    site.sgln = SglnEpc(prefix, site.gln, "0");
    site.key = SglnKey(site.gln, "0");
    p.sites.push_back(std::move(site));
  }
  const ledger::Hash h = ledger::Sha256(
      "udi-gen/v1/key\n" + std::to_string(seed) + "\n" + p.key_name);
  std::array<uint8_t, 32> key_seed;
  std::copy(h.begin(), h.end(), key_seed.begin());
  p.key = ledger::SigningKey::FromSeed(p.key_name, key_seed);
  p.key_id = p.key.KeyId();
  return p;
}

}  // namespace

std::vector<Party> BuildParties(const GeneratorOptions& options) {
  Rng rng = Rng(options.seed).Fork("parties");
  std::vector<Party> parties;
  std::vector<std::string> prefixes;
  auto prefix = [&](int length) {
    prefixes.push_back(UniquePrefix(rng, length, prefixes));
    return prefixes.back();
  };
  std::vector<std::string> maker_stems = kMakerStems,
                           dist_stems = kDistributorStems, places = kPlaces;
  rng.Shuffle(maker_stems);
  rng.Shuffle(dist_stems);
  rng.Shuffle(places);
  for (int i = 0; i < options.manufacturers; ++i) {
    const std::string legal = " " + rng.Pick(kLegal);
    const std::string name =
        PickName(rng, maker_stems, kMakerKinds, legal, i + 1);
    const std::string p = prefix(
        kManufacturerPrefixLengths[i % kManufacturerPrefixLengths.size()]);
    const int sites = 1 + int(rng.Below(2));
    parties.push_back(
        MakeParty(Role::kManufacturer, i, name, p, sites, rng, options.seed));
  }
  for (int i = 0; i < options.distributors; ++i) {
    const std::string name =
        PickName(rng, dist_stems, kDistributorKinds, "", i + 1);
    const std::string p =
        prefix(kOtherPrefixLengths[i % kOtherPrefixLengths.size()]);
    const int sites = 1 + int(rng.Below(2));
    parties.push_back(
        MakeParty(Role::kDistributor, i, name, p, sites, rng, options.seed));
  }
  for (int i = 0; i < options.hospitals; ++i) {
    const std::string name = PickName(rng, places, kDispenserKinds, "", i + 1);
    const std::string p =
        prefix(kOtherPrefixLengths[(i + 1) % kOtherPrefixLengths.size()]);
    parties.push_back(
        MakeParty(Role::kDispenser, i, name, p, 1, rng, options.seed));
  }
  const std::string regulator_prefix = prefix(9);
  parties.push_back(MakeParty(Role::kRegulator, 0,
                              "National Medical Device Authority",
                              regulator_prefix, 1, rng, options.seed));
  return parties;
}

PartyInfo ToPartyInfo(const Party& p) {
  PartyInfo info;
  info.gln = p.gln;
  info.name = p.name;
  info.role = RoleName(p.role);
  info.company_prefix = p.prefix;
  info.pgln = p.pgln;
  for (const Site& s : p.sites) info.sites.push_back(s.sgln);
  info.time_zone_offset = FormatOffset(p.offset_minutes);
  info.key_name = p.key_name;
  info.verifier_key = p.key.verifier().ToText();
  info.private_key = p.key.ToText();
  return info;
}

}  // namespace supplychain
