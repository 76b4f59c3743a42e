#include "ledger/log/log_entry.h"

#include <sodium.h>

#include <charconv>
#include <cstdio>
#include <cstring>

#include "ledger/gs1.h"
#include "ledger/jcs.h"
#include "ledger/log/log_keys.h"
#include "ledger/merkle.h"

namespace ledger::logentry {
namespace {

// Howard Hinnant's civil_from_days: days since 1970-01-01 → (y, m, d),
// proleptic Gregorian.
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Appends the JCS of a string. Printable ASCII without '"' and '\\'
// serialises as itself in quotes (RFC 8785 §3.2.2.2 escapes nothing else),
// which covers key ids and timestamps without building a JSON value; anything
// else goes through the full serialiser.
void AppendJcsString(std::string* out, std::string_view s) {
  bool plain = true;
  for (unsigned char c : s)
    plain = plain && c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  if (plain) {
    out->push_back('"');
    out->append(s);
    out->push_back('"');
    return;
  }
  auto r = CanonicalizeJson(nlohmann::json(std::string(s)));
  if (r.ok()) out->append(*r);
}

}  // namespace

std::string FormatReceivedAt(int64_t ms) {
  const int64_t days = FloorDiv(ms, 86400000);
  const int64_t in_day = ms - days * 86400000;
  int64_t y;
  unsigned mo, d;
  CivilFromDays(days, &y, &mo, &d);
  char buf[128];
  std::snprintf(buf, sizeof(buf),
                "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), mo, d,
                static_cast<long long>(in_day / 3600000),
                static_cast<long long>(in_day / 60000 % 60),
                static_cast<long long>(in_day / 1000 % 60),
                static_cast<long long>(in_day % 1000));
  return buf;
}

std::string ZeroHashHex() { return std::string(64, '0'); }

std::string EventEntryPrefix(const Envelope& envelope,
                             std::string_view canonical_event) {
  // Members in JCS order: envelope < index < prevHash < receivedAt < type, and
  // inside the envelope: event < signature < signer. The signature's base64
  // (letters, digits, '+', '/', '=') is its own JCS string between quotes;
  // the signer goes through the JCS serialiser. One allocation: the size is
  // known.
  static constexpr std::string_view kHead = "{\"envelope\":{\"event\":";
  static constexpr std::string_view kSignature = ",\"signature\":\"";
  static constexpr std::string_view kSigner = "\",\"signer\":";
  static constexpr std::string_view kTail = "},\"index\":";
  std::string out;
  out.reserve(kHead.size() + canonical_event.size() + kSignature.size() +
              (envelope.signature.size() + 2) / 3 * 4 + kSigner.size() +
              envelope.signer.size() + 2 + kTail.size());
  out += kHead;
  out += canonical_event;
  out += kSignature;
  AppendBase64(&out, envelope.signature);
  out += kSigner;
  AppendJcsString(&out, envelope.signer);
  out += kTail;
  return out;
}

std::string EventEntrySuffix(uint64_t index, const Hash& prev_leaf,
                             std::string_view received_at) {
  std::string out;
  AppendEventEntrySuffix(&out, index, prev_leaf, received_at);
  return out;
}

void AppendEventEntrySuffix(std::string* out, uint64_t index,
                            const Hash& prev_leaf,
                            std::string_view received_at) {
  char digits[20];
  auto end = std::to_chars(digits, digits + sizeof(digits), index).ptr;
  out->append(digits, end);
  out->append(",\"prevHash\":\"");
  if (index == 0) {
    out->append(64, '0');  // ZeroHashHex()
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    char hex[64];
    for (size_t i = 0; i < prev_leaf.size(); ++i) {
      hex[2 * i] = kHex[prev_leaf[i] >> 4];
      hex[2 * i + 1] = kHex[prev_leaf[i] & 15];
    }
    out->append(hex, sizeof(hex));
  }
  out->append("\",\"receivedAt\":");
  AppendJcsString(out, received_at);
  out->append(",\"type\":\"event\"}");
}

std::string EventEntryBytes(uint64_t index, const Hash& prev_leaf,
                            std::string_view received_at,
                            const Envelope& envelope,
                            std::string_view canonical_event) {
  return EventEntryPrefix(envelope, canonical_event) +
         EventEntrySuffix(index, prev_leaf, received_at);
}

std::string LeafPrefixState(std::string_view prefix) {
  crypto_hash_sha256_state st;
  Sha256Init(&st);
  const char leaf_prefix = static_cast<char>(merkle::kLeafHashPrefix);
  Sha256Update(&st, std::string_view(&leaf_prefix, 1));
  Sha256Update(&st, prefix);
  return std::string(reinterpret_cast<const char*>(&st), sizeof(st));
}

std::optional<Hash> LeafHashFromPrefixState(std::string_view state,
                                            std::string_view suffix) {
  crypto_hash_sha256_state st;
  if (state.size() != sizeof(st)) return std::nullopt;
  std::memcpy(&st, state.data(), sizeof(st));
  Sha256Update(&st, suffix);
  return Sha256Final(&st);
}

Result<std::string> ParticipantBytes(const Participant& p) {
  return CanonicalizeJson(p.ToJson());
}

Result<std::string> ParticipantEntryBytes(uint64_t index, const Hash& prev_leaf,
                                          std::string_view received_at,
                                          const Participant& p) {
  nlohmann::json entry = {
      {"index", index},
      {"participant", p.ToJson()},
      {"prevHash", index == 0 ? ZeroHashHex() : ToHex(prev_leaf)},
      {"receivedAt", std::string(received_at)},
      {"type", std::string(kTypeParticipant)},
  };
  return CanonicalizeJson(entry);
}

Result<std::string> QueryEntryBytes(uint64_t index, const Hash& prev_leaf,
                                    std::string_view received_at,
                                    const nlohmann::json& record) {
  if (!record.is_object()) {
    return Status::InvalidArgument("query: must be a JSON object, not " +
                                   std::string(record.type_name()));
  }
  nlohmann::json entry = {
      {"index", index},
      {"prevHash", index == 0 ? ZeroHashHex() : ToHex(prev_leaf)},
      {"query", record},
      {"receivedAt", std::string(received_at)},
      {"type", std::string(kTypeQuery)},
  };
  auto bytes = CanonicalizeJson(entry);
  if (!bytes.ok()) return bytes.status().WithPrefix("query");
  return bytes;
}

void ForEachEventIndexKey(const epcis::EventFacts& facts,
                          std::string_view signer, uint64_t index,
                          std::string* scratch,
                          const std::function<void(std::string_view)>& put) {
  // (kind, key) pairs already written: a few per event, so a linear check
  // beats a set; the first kInline live on the stack.
  constexpr size_t kInline = 16;
  std::pair<IndexKind, std::string_view> inline_seen[kInline];
  std::vector<std::pair<IndexKind, std::string_view>> more_seen;
  size_t n_seen = 0;
  auto add = [&](IndexKind kind, std::string_view key) {
    if (key.empty()) return;
    for (size_t i = 0; i < std::min(n_seen, kInline); ++i) {
      if (inline_seen[i].first == kind && inline_seen[i].second == key) return;
    }
    for (const auto& s : more_seen) {
      if (s.first == kind && s.second == key) return;
    }
    if (n_seen < kInline) {
      inline_seen[n_seen] = {kind, key};
    } else {
      more_seen.emplace_back(kind, key);
    }
    ++n_seen;
    logkeys::IndexKeyInto(scratch, kind, key, index);
    put(*scratch);
  };
  add(IndexKind::kEpcisEventId, facts.epcis_event_id);
  for (const auto& epc : facts.epcs) add(IndexKind::kEpc, epc);
  add(IndexKind::kEpc, facts.parent);  // parentID is an instance identifier too
  for (const auto& c : facts.epc_classes) add(IndexKind::kEpcClass, c);
  add(IndexKind::kParent, facts.parent);
  for (const auto& c : facts.children) add(IndexKind::kChild, c);
  add(IndexKind::kBizLocation, facts.biz_location);
  add(IndexKind::kReadPoint, facts.read_point);
  add(IndexKind::kSigner, signer);
  add(IndexKind::kBizStep, facts.biz_step);
  add(IndexKind::kDisposition, facts.disposition);
  if (facts.is_error_declaration)
    add(IndexKind::kCorrection, facts.epcis_event_id);
  for (const auto& c : facts.ilmd_lots) add(IndexKind::kIlmdLot, c);
  logkeys::TimeKeyInto(scratch, facts.event_time_ms, index);
  put(*scratch);
}

std::vector<std::string> EventIndexKeys(const epcis::EventFacts& facts,
                                        std::string_view signer,
                                        uint64_t index) {
  std::vector<std::string> keys;
  std::string scratch;
  ForEachEventIndexKey(facts, signer, index, &scratch,
                       [&](std::string_view k) { keys.emplace_back(k); });
  return keys;
}

Status CheckRegistryChange(const Registry& registry, const Participant& p) {
  if (p.gln.size() != 13 ||
      p.gln.find_first_not_of("0123456789") != std::string::npos ||
      !gs1::HasValidCheckDigit(p.gln)) {
    return Status::InvalidArgument(
        "participant.gln: '" + p.gln +
        "' is not a GLN-13 with a valid check digit");
  }
  if (p.name.empty()) return Status::InvalidArgument("participant.name: empty");
  if (p.role.empty()) return Status::InvalidArgument("participant.role: empty");
  auto key = VerifierKey::Parse(p.verifier_key);
  if (!key.ok()) return key.status().WithPrefix("participant.verifierKey");
  if (key->ToText() != p.verifier_key) {
    return Status::InvalidArgument(
        "participant.verifierKey: not in canonical form");
  }
  const std::string id = key->KeyId();
  auto it = registry.find(id);
  if (it == registry.end()) {
    if (p.revoked) {
      return Status::InvalidArgument("participant: cannot revoke key " + id +
                                     ": it is not registered");
    }
    return Status::OK();
  }
  const Participant& old = it->second;
  if (old.revoked) {
    return Status::FailedPrecondition(
        "participant: key " + id +
        " was revoked and cannot be used again; register a new key");
  }
  if (!p.revoked) {
    return Status::AlreadyExists("participant: key " + id +
                                 " is already registered");
  }
  if (old.gln != p.gln || old.name != p.name || old.role != p.role) {
    return Status::InvalidArgument(
        "participant: revocation of " + id +
        " must repeat its gln, name and role unchanged");
  }
  return Status::OK();
}

Status CheckSigner(const Registry& registry, std::string_view key_id) {
  auto it = registry.find(key_id);
  if (it == registry.end()) {
    return Status::FailedPrecondition("signer " + std::string(key_id) +
                                      " is not a registered participant");
  }
  if (it->second.revoked) {
    return Status::FailedPrecondition("signer " + std::string(key_id) +
                                      " is revoked");
  }
  return Status::OK();
}

}  // namespace ledger::logentry
