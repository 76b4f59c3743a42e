#include "ledger/log/log_check.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "ledger/envelope.h"
#include "ledger/jcs.h"
#include "ledger/jcs/jcs_internal.h"
#include "ledger/keys.h"
#include "ledger/merkle.h"

namespace ledger::logcheck {
namespace {

std::string Entry(uint64_t i) { return "entry " + std::to_string(i); }

Status Fail(uint64_t i, std::string_view reason) {
  return Status::Corruption(Entry(i) + ": " + std::string(reason));
}

Status CheckReceivedAt(uint64_t i, std::string_view text) {
  // The entries of one source batch share their receivedAt: a text that passed
  // on this thread passes again (the check depends on the text alone).
  thread_local std::string last_passed;
  if (!last_passed.empty() && text == last_passed) return Status::OK();
  auto ms = epcis::ParseRfc3339Millis(text);
  if (!ms.ok() || logentry::FormatReceivedAt(*ms) != text) {
    return Fail(i, "receivedAt '" + std::string(text) +
                       "' is not RFC 3339 UTC with milliseconds");
  }
  last_passed = text;
  return Status::OK();
}

// The registered verifier key `text`, parsed (base64, algorithm byte, key
// hash) once per thread while consecutive entries have the same signer, as
// they nearly always do, with its key id. The parse depends on the text alone.
struct ParsedVerifier {
  VerifierKey key;
  std::string key_id;  // key.KeyId()
};
Result<const ParsedVerifier*> ParsedKey(const std::string& text) {
  thread_local std::string cached_text;
  thread_local std::optional<ParsedVerifier> cached;
  if (!cached || text != cached_text) {
    cached.reset();
    auto key = VerifierKey::Parse(text);
    if (!key.ok()) return key.status();
    std::string id = key->KeyId();
    cached = ParsedVerifier{std::move(key).value(), std::move(id)};
    cached_text = text;
  }
  return &*cached;
}

Status CheckMembers(uint64_t i, const nlohmann::json& j,
                    std::string_view payload) {
  if (j.size() != 5) {
    return Fail(i, "has " + std::to_string(j.size()) + " members, want 5");
  }
  for (std::string_view m :
       {std::string_view("index"), std::string_view("prevHash"),
        std::string_view("receivedAt"), payload}) {
    if (!j.contains(m)) return Fail(i, std::string(m) + ": missing");
  }
  const auto& index = j["index"];
  if (!index.is_number_unsigned() || index.get<uint64_t>() != i) {
    return Fail(i, "index: " + index.dump() + " != " + std::to_string(i));
  }
  if (!j["prevHash"].is_string() || !j["receivedAt"].is_string()) {
    return Fail(i, "prevHash and receivedAt must be strings");
  }
  return Status::OK();
}

// How every event entry's JCS bytes begin (the envelope is its first member,
// the event the envelope's).
constexpr std::string_view kEventEntryHead = "{\"envelope\":{\"event\":";

// True when JCS writes `s` as itself between quotes (printable ASCII, no
// quote or backslash).
bool PlainJcsString(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

// JCS(event) as it stands in the entry `bytes`, which is in JCS form already
// (checked by CheckEntry): {"envelope":{"event":<JCS(event)>,"signature":"..",
// "signer":".."},"index":<i>,"prevHash":...}, members in JCS order. The
// envelope ends at the last ',"index":<i>,"prevHash":"' (what follows it holds
// only hex, a timestamp and "event", none of which can contain it), and the
// event ends where the envelope's signature and signer members, written from
// their parsed values, begin. Empty when the entry is not laid out so (the
// caller then serialises the event again).
std::string_view EventBytesInEntry(uint64_t i, std::string_view bytes,
                                   const Envelope& env,
                                   const std::string& signature_text) {
  if (bytes.substr(0, kEventEntryHead.size()) != kEventEntryHead ||
      !PlainJcsString(env.signer) || !PlainJcsString(signature_text)) {
    return {};
  }
  const std::string after =
      ",\"index\":" + std::to_string(i) + ",\"prevHash\":\"";
  const size_t end = bytes.rfind(after);
  if (end == std::string_view::npos || end == 0 || bytes[end - 1] != '}') {
    return {};
  }
  const std::string tail = ",\"signature\":\"" + signature_text +
                           "\",\"signer\":\"" + env.signer + "\"}";
  if (end < kEventEntryHead.size() + tail.size() ||
      bytes.substr(end - tail.size(), tail.size()) != tail) {
    return {};
  }
  return bytes.substr(kEventEntryHead.size(),
                      end - tail.size() - kEventEntryHead.size());
}

Status CheckEvent(uint64_t i, nlohmann::json& j, std::string_view bytes,
                  const logentry::Registry& registry, CheckedEntry* out) {
  nlohmann::json& envelope = j["envelope"];
  std::string signature_text;
  if (auto s = envelope.find("signature");
      s != envelope.end() && s->is_string()) {
    signature_text = s->get<std::string>();
  }
  // The event is moved out of the entry's tree, not copied.
  auto env = Envelope::FromJson(std::move(envelope));
  if (!env.ok()) return Fail(i, "envelope." + env.status().message());
  Status signer = logentry::CheckSigner(registry, env->signer);
  if (!signer.ok()) return Fail(i, signer.message());
  auto key = ParsedKey(registry.at(env->signer).verifier_key);
  if (!key.ok()) return key.status().WithPrefix(Entry(i) + ": registered key");
  // The signed bytes are read from the entry (already JCS) rather than
  // serialised again; same bytes, checked by log_check_test.
  std::string reserialised;
  std::string_view canonical =
      EventBytesInEntry(i, bytes, *env, signature_text);
  if (canonical.empty()) {
    auto c = CanonicalEventBytes(env->event);
    if (!c.ok()) return Fail(i, "event: " + c.status().message());
    reserialised = std::move(c).value();
    canonical = reserialised;
  }
  Status sig = VerifyEnvelopeCanonical(*env, canonical, (*key)->key);
  if (!sig.ok()) return Fail(i, sig.message());
  auto facts = epcis::ValidateEvent(env->event);
  if (!facts.ok()) return Fail(i, "event: " + facts.status().message());
  out->event_id = EventIdFromCanonical(canonical);
  out->signer = env->signer;
  out->facts = std::move(facts).value();
  return Status::OK();
}

Status CheckParticipant(uint64_t i, const nlohmann::json& j,
                        const logentry::Registry& registry, CheckedEntry* out) {
  auto p = Participant::FromJson(j["participant"]);
  if (!p.ok()) return Fail(i, p.status().message());
  Status change = logentry::CheckRegistryChange(registry, *p);
  if (!change.ok()) return Fail(i, change.message());
  out->participant = std::move(p).value();
  return Status::OK();
}

// Largest integer JSON carries exactly (ParseJsonStrict refuses larger ones).
constexpr uint64_t kMaxExactIndex = (uint64_t{1} << 53) - 1;

}  // namespace

std::optional<CheckedEntry> TryCheckEventFast(
    uint64_t i, const Hash& prev_leaf, std::string_view bytes,
    const logentry::Registry& registry, const Hash& leaf) {
  // {"envelope":{"event":E,"signature":"S","signer":"K"},"index":I,
  //  "prevHash":"H","receivedAt":"R","type":"event"}: the only JCS form of an
  // event entry whose strings S, K, H, R need no escapes. It is taken apart
  // from both ends; E is what lies between.
  constexpr std::string_view kTail = "\",\"type\":\"event\"}";
  constexpr std::string_view kReceivedAt = "\",\"receivedAt\":\"";
  constexpr std::string_view kSigner = "\",\"signer\":\"";
  constexpr std::string_view kSignature = ",\"signature\":\"";
  if (i > kMaxExactIndex ||
      bytes.size() < kEventEntryHead.size() + kTail.size() ||
      bytes.substr(0, kEventEntryHead.size()) != kEventEntryHead ||
      bytes.substr(bytes.size() - kTail.size()) != kTail) {
    return std::nullopt;
  }
  // '"},"index":I,"prevHash":"H' with the expected I and H, written on the
  // stack (no allocation per entry).
  constexpr std::string_view kIndex = "\"},\"index\":";
  constexpr std::string_view kPrevHash = ",\"prevHash\":\"";
  char text[kIndex.size() + 20 + kPrevHash.size() + 64];
  char* w = std::copy(kIndex.begin(), kIndex.end(), text);
  w = std::to_chars(w, w + 20, i).ptr;
  w = std::copy(kPrevHash.begin(), kPrevHash.end(), w);
  static constexpr char kHex[] = "0123456789abcdef";
  for (uint8_t b : prev_leaf) {  // index 0: 64 zeros (logentry::ZeroHashHex)
    *w++ = i == 0 ? '0' : kHex[b >> 4];
    *w++ = i == 0 ? '0' : kHex[b & 15];
  }
  const std::string_view index_prev(text, static_cast<size_t>(w - text));
  // Taken apart from the end. R, K and S hold no quote, so each begins after
  // the last quote before its end; the template text between them is compared.
  // Every position stays at or after the head.
  const size_t floor = kEventEntryHead.size();
  // The text ending at `end` is `want`: the position where it starts, or npos.
  auto before = [&](size_t end, std::string_view want) {
    if (end == std::string_view::npos || end < floor + want.size() ||
        bytes.substr(end - want.size(), want.size()) != want) {
      return std::string_view::npos;
    }
    return end - want.size();
  };
  // The position after the last quote before `end` (the start of a string
  // that ends at `end`), or npos.
  auto string_start = [&](size_t end) {
    if (end == std::string_view::npos || end <= floor) {
      return std::string_view::npos;
    }
    const size_t quote = bytes.rfind('"', end - 1);
    return quote == std::string_view::npos || quote < floor
               ? std::string_view::npos
               : quote + 1;
  };
  const size_t r_end = bytes.size() - kTail.size();
  const size_t r_begin = string_start(r_end);
  const size_t k_end = before(before(r_begin, kReceivedAt), index_prev);
  const size_t k_begin = string_start(k_end);
  const size_t s_end = before(k_begin, kSigner);
  const size_t s_begin = string_start(s_end);
  const size_t e_end = before(s_begin, kSignature);
  if (e_end == std::string_view::npos) return std::nullopt;
  const std::string_view received_at = bytes.substr(r_begin, r_end - r_begin);
  const std::string_view signer = bytes.substr(k_begin, k_end - k_begin);
  const std::string_view signature_text =
      bytes.substr(s_begin, s_end - s_begin);
  if (!PlainJcsString(received_at) || !PlainJcsString(signer) ||
      !PlainJcsString(signature_text)) {
    return std::nullopt;
  }
  // E must be a JSON object in JCS form; then the whole entry is.
  const std::string_view event_bytes = bytes.substr(floor, e_end - floor);
  bool canonical = false;
  auto event = jcs_internal::ParseJsonFastCanonical(event_bytes, &canonical);
  if (!event || !canonical || !event->is_object()) return std::nullopt;
  // The checks of CheckEntry, in any order: all must pass.
  // (Envelope::FromJson's key-id form of the signer is implied below: the
  // signer must equal KeyId() of a key VerifierKey::Parse accepted.)
  if (!CheckReceivedAt(i, received_at).ok()) return std::nullopt;
  // VerifyEnvelopeCanonical's checks: the signer is the key's id, and the
  // signature verifies over the event's bytes.
  auto signature = FromBase64(signature_text);
  if (!signature || signature->size() != 64) return std::nullopt;
  // logentry::CheckSigner's condition (registered, not revoked), with the
  // one lookup that also finds the key.
  auto participant = registry.find(signer);
  if (participant == registry.end() || participant->second.revoked) {
    return std::nullopt;
  }
  auto key = ParsedKey(participant->second.verifier_key);
  if (!key.ok() || signer != (*key)->key_id ||
      !(*key)->key.Verify(event_bytes, *signature)) {
    return std::nullopt;
  }
  auto facts = epcis::ValidateEvent(*event);
  if (!facts.ok()) return std::nullopt;
  CheckedEntry out;
  out.type = EntryType::kEvent;
  out.leaf = leaf;
  out.event_id = EventIdFromCanonical(event_bytes);
  out.signer = std::string(signer);
  out.facts = std::move(facts).value();
  return out;
}

Result<CheckedEntry> CheckEntry(uint64_t i, const Hash& prev_leaf,
                                std::string_view bytes,
                                logentry::Registry* registry) {
  return CheckEntry(i, prev_leaf, bytes, registry, merkle::LeafHash(bytes));
}

Result<CheckedEntry> CheckEntry(uint64_t i, const Hash& prev_leaf,
                                std::string_view bytes,
                                logentry::Registry* registry,
                                const Hash& leaf) {
  if (auto fast = TryCheckEventFast(i, prev_leaf, bytes, *registry, leaf)) {
    return std::move(*fast);
  }
  return CheckEntryFull(i, prev_leaf, bytes, registry, leaf);
}

Result<CheckedEntry> CheckEntryFull(uint64_t i, const Hash& prev_leaf,
                                    std::string_view bytes,
                                    logentry::Registry* registry,
                                    const Hash& leaf) {
  bool canonical = false;  // bytes == CanonicalizeJson(*j), checked in place
  auto j = ParseJsonStrictCanonical(bytes, &canonical);
  if (!j.ok()) return j.status().WithPrefix(Entry(i) + ": not JSON");
  if (!canonical) return Fail(i, "not in JCS canonical form");
  if (!j->is_object() || !j->contains("type") || !(*j)["type"].is_string()) {
    return Fail(i, "type: missing or not a string");
  }
  const std::string type = (*j)["type"];
  CheckedEntry out;
  std::string_view payload;
  if (type == logentry::kTypeEvent) {
    out.type = EntryType::kEvent;
    payload = "envelope";
  } else if (type == logentry::kTypeParticipant) {
    out.type = EntryType::kParticipant;
    payload = "participant";
  } else if (type == logentry::kTypeQuery) {
    out.type = EntryType::kQuery;
    payload = "query";
  } else {
    return Fail(i, "type: unknown '" + type + "'");
  }
  LEDGER_RETURN_IF_ERROR(CheckMembers(i, *j, payload));
  const std::string want_prev =
      i == 0 ? logentry::ZeroHashHex() : ToHex(prev_leaf);
  const std::string& got_prev = (*j)["prevHash"].get_ref<const std::string&>();
  if (got_prev != want_prev) {
    return Fail(
        i, "prev hash mismatch (got " + got_prev + ", want " + want_prev + ")");
  }
  LEDGER_RETURN_IF_ERROR(
      CheckReceivedAt(i, (*j)["receivedAt"].get<std::string>()));
  switch (out.type) {
    case EntryType::kEvent:
      LEDGER_RETURN_IF_ERROR(CheckEvent(i, *j, bytes, *registry, &out));
      break;
    case EntryType::kParticipant:
      LEDGER_RETURN_IF_ERROR(CheckParticipant(i, *j, *registry, &out));
      (*registry)[out.participant->KeyId()] = *out.participant;
      break;
    case EntryType::kQuery:
      if (!(*j)["query"].is_object()) {
        return Fail(i, "query: must be an object, not " +
                           std::string((*j)["query"].type_name()));
      }
      break;
  }
  out.leaf = leaf;
  return out;
}

}  // namespace ledger::logcheck
