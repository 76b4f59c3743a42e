// Verifying evidence bundles offline (ledger/evidence.h,
// spec/evidence-bundle.md).
#include <algorithm>
#include <memory>
#include <set>

#include "ledger/bytes.h"
#include "ledger/envelope.h"
#include "ledger/evidence.h"
#include "ledger/jcs.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/trace/bundle_source.h"
#include "ledger/trace/trace_internal.h"

namespace ledger::evidence {
namespace {

using nlohmann::json;
using trace::internal::BundleSource;

Status Bad(const std::string& where, const std::string& why) {
  return Status::Corruption(where + ": " + why);
}

// Exactly these members, each of the given JSON type.
Status CheckMembers(
    const json& j, const std::string& where,
    const std::vector<std::pair<const char*, json::value_t>>& members) {
  if (!j.is_object()) return Bad(where, "not a JSON object");
  for (const auto& [name, value] : j.items()) {
    bool known = false;
    for (const auto& m : members) known |= name == m.first;
    if (!known) return Bad(where + "." + name, "unknown member");
  }
  for (const auto& [name, type] : members) {
    auto it = j.find(name);
    if (it == j.end()) return Bad(where + "." + name, "missing");
    const bool number = type == json::value_t::number_unsigned;
    if (number ? !it->is_number_unsigned() : it->type() != type)
      return Bad(where + "." + name, "wrong JSON type");
  }
  return Status::OK();
}

// Base64 that decodes and is in canonical form (no other text decodes to the
// same bytes).
Result<std::string> CanonicalBase64(const json& j, const std::string& where) {
  if (!j.is_string()) return Bad(where, "not a string");
  const std::string text = j.get<std::string>();
  std::optional<std::string> bytes = FromBase64(text);
  if (!bytes || ToBase64(*bytes) != text)
    return Bad(where, "not canonical base64");
  return *bytes;
}

// Every signature line of the checkpoint must verify: the log's key, a
// listed cosigner, or a trusted key.
Status CheckNoteSignatures(const SignedNote& note, const VerifierKey& log_key,
                           const std::vector<CosignerKey>& cosigners,
                           const std::vector<VerifierKey>& trusted,
                           const std::string& where) {
  bool by_log = false;
  for (size_t i = 0; i < note.signatures.size(); ++i) {
    const NoteSignature& sig = note.signatures[i];
    const std::string line = where + " signature line " +
                             std::to_string(i + 1) + " (" + sig.name + ")";
    auto same = [&](const auto& key) {
      return key.name() == sig.name && key.key_hash() == sig.key_hash;
    };
    bool checked = false;
    if (same(log_key)) {
      if (!log_key.Verify(note.text, sig.signature))
        return Bad(line, "does not verify under the log's key");
      by_log = checked = true;
    }
    for (const CosignerKey& k : cosigners) {
      if (checked || !same(k)) continue;
      Result<uint64_t> t = k.Verify(note.text, sig.signature);
      if (!t.ok()) return Bad(line, t.status().message());
      checked = true;
    }
    for (const VerifierKey& k : trusted) {
      if (checked || !same(k)) continue;
      if (!k.Verify(note.text, sig.signature))
        return Bad(line, "does not verify");
      checked = true;
    }
    if (!checked) return Bad(line, "no key in the bundle to check it with");
  }
  if (!by_log) return Bad(where, "not signed by the log's key");
  return Status::OK();
}

struct LogPart {
  std::unique_ptr<BundleSource> source;
  Checkpoint checkpoint;
};

Status CheckEntries(const json& list, const std::string& where,
                    const Checkpoint& cp, BundleSource* source,
                    size_t* leaves) {
  std::optional<std::pair<uint64_t, Hash>> previous;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    const json& e = list[i];
    LEDGER_RETURN_IF_ERROR(
        CheckMembers(e, at,
                     {{"index", json::value_t::number_unsigned},
                      {"leaf", json::value_t::string},
                      {"proof", json::value_t::array}}));
    const uint64_t index = e["index"].get<uint64_t>();
    if (previous && index <= previous->first)
      return Bad(at + ".index", "not ascending");
    Result<std::string> leaf = CanonicalBase64(e["leaf"], at + ".leaf");
    if (!leaf.ok()) return leaf.status();
    std::vector<Hash> proof;
    for (size_t k = 0; k < e["proof"].size(); ++k) {
      const std::string p = at + ".proof[" + std::to_string(k) + "]";
      Result<std::string> h = CanonicalBase64(e["proof"][k], p);
      if (!h.ok()) return h.status();
      if (h->size() != 32) return Bad(p, "not 32 bytes");
      Hash hash;
      std::copy(h->begin(), h->end(), hash.begin());
      proof.push_back(hash);
    }
    const Hash leaf_hash = merkle::LeafHash(*leaf);
    Status st =
        merkle::VerifyInclusion(index, cp.size, leaf_hash, proof, cp.root);
    if (!st.ok()) return Bad(at + ".proof", st.message());
    Result<json> parsed = ParseJsonStrict(*leaf);
    if (!parsed.ok()) return Bad(at + ".leaf", parsed.status().message());
    Result<std::string> canonical = CanonicalizeJson(*parsed);
    if (!canonical.ok() || *canonical != *leaf)
      return Bad(at + ".leaf", "not an RFC 8785 entry");
    if (!parsed->is_object() || parsed->value("index", json()) != index)
      return Bad(at + ".leaf",
                 "its index member is not " + std::to_string(index));
    if (previous && previous->first + 1 == index &&
        parsed->value("prevHash", "") != ToHex(previous->second)) {
      return Bad(at + ".leaf", "prevHash is not the hash of entry " +
                                   std::to_string(index - 1));
    }
    Status added = source->Add(LogEntry{index, *leaf, std::move(*parsed)});
    if (!added.ok()) return Bad(at + ".leaf", added.message());
    previous = {index, leaf_hash};
    ++*leaves;
  }
  return Status::OK();
}

// Every event entry's envelope verifies under its signer's key as registered
// (and not revoked) before that entry.
Status CheckEnvelopes(const BundleSource& source, const std::string& where,
                      size_t* signatures) {
  for (const auto& [index, entry] : source.entries()) {
    if (entry.json.value("type", "") != "event") continue;
    const std::string at = where + " entry " + std::to_string(index);
    Result<Envelope> env = Envelope::FromJson(entry.json["envelope"]);
    if (!env.ok()) return Bad(at, env.status().message());
    std::optional<Participant> p = source.SignerAt(env->signer, index);
    if (!p) {
      return Bad(at, "signer " + env->signer +
                         " is not registered (unrevoked) in the bundle's "
                         "participant entries before it");
    }
    Result<VerifierKey> key = VerifierKey::Parse(p->verifier_key);
    if (!key.ok()) return Bad(at, key.status().message());
    Status st = VerifyEnvelope(*env, *key);
    if (!st.ok()) return Bad(at, st.message());
    ++*signatures;
  }
  return Status::OK();
}

Result<LogPart> CheckLog(const json& j, const std::string& where,
                         const std::vector<VerifierKey>& trusted,
                         BundleSummary* summary) {
  LEDGER_RETURN_IF_ERROR(CheckMembers(j, where,
                                      {{"origin", json::value_t::string},
                                       {"verifierKey", json::value_t::string},
                                       {"cosignerKeys", json::value_t::array},
                                       {"checkpoint", json::value_t::string},
                                       {"entries", json::value_t::array}}));
  Result<VerifierKey> key =
      VerifierKey::Parse(j["verifierKey"].get<std::string>());
  if (!key.ok() || key->ToText() != j["verifierKey"])
    return Bad(where + ".verifierKey", "not a verifier key in canonical form");
  std::vector<CosignerKey> cosigners;
  for (size_t i = 0; i < j["cosignerKeys"].size(); ++i) {
    const json& text = j["cosignerKeys"][i];
    Result<CosignerKey> k =
        text.is_string()
            ? CosignerKey::Parse(text.get<std::string>())
            : Result<CosignerKey>(Status::InvalidArgument("not a string"));
    if (!k.ok() || k->ToText() != text) {
      return Bad(where + ".cosignerKeys[" + std::to_string(i) + "]",
                 "not a cosigner key in canonical form");
    }
    cosigners.push_back(*k);
  }
  const std::string note_text = j["checkpoint"].get<std::string>();
  Result<SignedNote> note = SignedNote::Parse(note_text);
  if (!note.ok() || note->ToString() != note_text)
    return Bad(where + ".checkpoint", "not a signed note");
  LEDGER_RETURN_IF_ERROR(CheckNoteSignatures(*note, *key, cosigners, trusted,
                                             where + ".checkpoint"));
  Result<Checkpoint> cp = Checkpoint::Parse(note->text);
  if (!cp.ok()) return Bad(where + ".checkpoint", cp.status().message());
  if (cp->origin != j["origin"])
    return Bad(where + ".origin", "differs from the checkpoint's origin");
  bool pinned = false;
  for (const VerifierKey& t : trusted) pinned |= t.ToText() == key->ToText();
  if (!trusted.empty() && !pinned) {
    return Status::FailedPrecondition(where + ": checkpoint key " +
                                      key->KeyId() +
                                      " is not one of the trusted keys");
  }
  if (!pinned) summary->unpinned_keys.push_back(key->KeyId());
  LogPart part{std::make_unique<BundleSource>(cp->origin, cp->size), *cp};
  LEDGER_RETURN_IF_ERROR(CheckEntries(j["entries"], where + ".entries", *cp,
                                      part.source.get(), &summary->entries));
  LEDGER_RETURN_IF_ERROR(
      CheckEnvelopes(*part.source, where, &summary->signatures));
  summary->logs.push_back(cp->origin + " size " + std::to_string(cp->size));
  return part;
}

// Where two answers first differ, as a JSON pointer.
std::string FirstDifference(const json& a, const json& b,
                            const std::string& path) {
  if (a.type() != b.type()) return path;
  if (a.is_object()) {
    for (const auto& [k, v] : a.items()) {
      if (!b.contains(k)) return path + "/" + k;
      if (v != b[k]) return FirstDifference(v, b[k], path + "/" + k);
    }
    return path;
  }
  if (a.is_array()) {
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
      if (a[i] != b[i])
        return FirstDifference(a[i], b[i], path + "/" + std::to_string(i));
    }
  }
  return path;
}

Status CheckCanonical(std::string_view bundle, const json& j) {
  Result<std::string> canonical = CanonicalizeJson(j);
  if (!canonical.ok()) return Bad("bundle", canonical.status().message());
  if (*canonical == bundle) return Status::OK();
  size_t at = 0;
  while (at < bundle.size() && at < canonical->size() &&
         bundle[at] == (*canonical)[at])
    ++at;
  return Bad("bundle",
             "not in canonical (RFC 8785) form at byte " + std::to_string(at));
}

}  // namespace

Result<BundleSummary> VerifyTraceBundle(
    std::string_view bundle, const std::vector<VerifierKey>& trusted) {
  Result<json> j = ParseJsonStrict(bundle);
  if (!j.ok()) return Bad("bundle", j.status().message());
  LEDGER_RETURN_IF_ERROR(CheckCanonical(bundle, *j));
  LEDGER_RETURN_IF_ERROR(CheckMembers(*j, "bundle",
                                      {{"format", json::value_t::string},
                                       {"trace", json::value_t::object},
                                       {"logs", json::value_t::array}}));
  if ((*j)["format"] != kBundleFormat)
    return Bad("bundle.format", "not " + std::string(kBundleFormat));
  BundleSummary summary;
  std::vector<LogPart> parts;
  std::set<std::string> origins;
  for (size_t i = 0; i < (*j)["logs"].size(); ++i) {
    Result<LogPart> part = CheckLog(
        (*j)["logs"][i], "logs[" + std::to_string(i) + "]", trusted, &summary);
    if (!part.ok()) return part.status();
    if (!origins.insert(part->checkpoint.origin).second)
      return Bad("logs[" + std::to_string(i) + "]", "origin given twice");
    parts.push_back(std::move(part).value());
  }
  const json& answer = (*j)["trace"];
  if (!answer.contains("key") || !answer["key"].is_string())
    return Bad("trace.key", "missing");
  std::vector<const trace::internal::Source*> sources;
  for (const LogPart& p : parts) sources.push_back(p.source.get());
  trace::internal::Reader reader(sources);
  Result<trace::CustodyChain> chain =
      trace::internal::TraceWith(reader, answer["key"].get<std::string>());
  if (!chain.ok()) return Bad("trace", chain.status().message());
  const json recomputed = chain->ToJson();
  if (recomputed != answer) {
    return Bad("trace",
               "answer differs from the one recomputed from the entries at " +
                   FirstDifference(answer, recomputed, ""));
  }
  summary.key = chain->key;
  summary.status = trace::UnitStatusName(chain->status);
  summary.hops = chain->hops.size();
  return summary;
}

}  // namespace ledger::evidence
