// C2SP tlog-cosignature v1 (Ed25519) over signed notes.
#include "ledger/cosignature.h"

#include <cstdio>
#include <string>

#include "ledger/bytes.h"

namespace ledger {
namespace {

constexpr size_t kBlobSize = 8 + 64;  // u64 timestamp || Ed25519 signature

std::string HashHex(uint32_t hash) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", hash);
  return buf;
}

std::string_view WithoutLineEnd(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

bool CutPlus(std::string_view* rest, std::string_view* head) {
  size_t plus = rest->find('+');
  if (plus == std::string_view::npos) return false;
  *head = rest->substr(0, plus);
  rest->remove_prefix(plus + 1);
  return true;
}

}  // namespace

uint32_t CosignatureKeyHash(std::string_view name,
                            const std::array<uint8_t, 32>& public_key) {
  std::string input(name);
  input.push_back('\n');
  input.push_back(static_cast<char>(kAlgCosignatureV1));
  input.append(AsStringView(public_key));
  Hash h = Sha256(input);
  return uint32_t{h[0]} << 24 | uint32_t{h[1]} << 16 | uint32_t{h[2]} << 8 |
         h[3];
}

std::string CosignatureMessage(std::string_view note_text, uint64_t timestamp) {
  std::string msg = "cosignature/v1\ntime " + std::to_string(timestamp) + "\n";
  msg.append(note_text);
  return msg;
}

Result<CosignerKey> CosignerKey::Parse(std::string_view text) {
  text = WithoutLineEnd(text);
  std::string_view rest = text, name, hash_hex;
  if (!CutPlus(&rest, &name) || !CutPlus(&rest, &hash_hex)) {
    return Status::InvalidArgument(
        "cosigner key: want <name>+<8 hex key ID>+<base64 key>");
  }
  if (!IsValidKeyName(name)) {
    return Status::InvalidArgument(
        "cosigner key: name must be non-empty UTF-8 without spaces or '+'");
  }
  auto hash_raw = FromHex(hash_hex);
  if (hash_hex.size() != 8 || !hash_raw) {
    return Status::InvalidArgument("cosigner key: key ID '" +
                                   std::string(hash_hex) +
                                   "' is not 8 hex digits");
  }
  uint32_t hash = 0;
  for (unsigned char c : *hash_raw) hash = hash << 8 | c;
  auto raw = FromBase64(rest);
  if (!raw) return Status::InvalidArgument("cosigner key: key is not base64");
  if (raw->empty() || static_cast<uint8_t>((*raw)[0]) != kAlgCosignatureV1) {
    return Status::InvalidArgument(
        "cosigner key: algorithm byte must be 0x04 (cosignature/v1 Ed25519)");
  }
  if (raw->size() != 33) {
    return Status::InvalidArgument(
        "cosigner key: Ed25519 key must be 32 "
        "bytes, got " +
        std::to_string(raw->size() - 1));
  }
  std::array<uint8_t, 32> pub{};
  std::copy(raw->begin() + 1, raw->end(), pub.begin());
  CosignerKey key = FromPublicKey(std::string(name), pub);
  if (key.key_hash_ != hash) {
    return Status::InvalidArgument("cosigner key: key ID " + HashHex(hash) +
                                   " does not match the name and key (want " +
                                   HashHex(key.key_hash_) + ")");
  }
  return key;
}

CosignerKey CosignerKey::FromPublicKey(
    std::string name, const std::array<uint8_t, 32>& public_key) {
  CosignerKey key;
  key.key_hash_ = CosignatureKeyHash(name, public_key);
  key.name_ = std::move(name);
  key.public_key_ = public_key;
  return key;
}

CosignerKey CosignerKey::Of(const SigningKey& witness) {
  return FromPublicKey(witness.name(), witness.verifier().public_key());
}

std::string CosignerKey::ToText() const {
  std::string raw(1, static_cast<char>(kAlgCosignatureV1));
  raw.append(AsStringView(public_key_));
  return name_ + "+" + HashHex(key_hash_) + "+" + ToBase64(raw);
}

Result<uint64_t> CosignerKey::Verify(std::string_view note_text,
                                     std::string_view blob) const {
  std::string who = "cosignature by " + name_;
  if (blob.size() != kBlobSize) {
    return Status::InvalidArgument(who + ": 72 bytes expected, got " +
                                   std::to_string(blob.size()));
  }
  uint64_t timestamp = GetBigEndian64(blob);
  if (timestamp > kMaxCosignatureTime) {
    return Status::InvalidArgument(who + ": timestamp exceeds 2^63-1");
  }
  VerifierKey ed = VerifierKey::FromPublicKey(name_, public_key_);
  if (!ed.Verify(CosignatureMessage(note_text, timestamp), blob.substr(8))) {
    return Status::Corruption(who + " does not verify");
  }
  return timestamp;
}

NoteSignature Cosign(std::string_view note_text, const SigningKey& witness,
                     uint64_t timestamp) {
  NoteSignature sig;
  sig.name = witness.name();
  sig.key_hash = CosignerKey::Of(witness).key_hash();
  PutBigEndian64(&sig.signature, timestamp);
  sig.signature += witness.Sign(CosignatureMessage(note_text, timestamp));
  return sig;
}

void AddCosignature(SignedNote* note, const SigningKey& witness,
                    uint64_t timestamp) {
  NoteSignature sig = Cosign(note->text, witness, timestamp);
  for (auto& existing : note->signatures) {
    if (existing.name == sig.name && existing.key_hash == sig.key_hash) {
      existing = std::move(sig);
      return;
    }
  }
  note->signatures.push_back(std::move(sig));
}

Result<uint64_t> VerifyCosignature(const SignedNote& note,
                                   const CosignerKey& key) {
  for (const auto& sig : note.signatures) {
    if (sig.name == key.name() && sig.key_hash == key.key_hash()) {
      return key.Verify(note.text, sig.signature);
    }
  }
  return Status::NotFound("no cosignature by " + key.name());
}

CosignatureCount CountCosignatures(const SignedNote& note,
                                   const std::vector<CosignerKey>& witnesses) {
  CosignatureCount count;
  for (size_t i = 0; i < witnesses.size(); ++i) {
    const CosignerKey& w = witnesses[i];
    bool seen = false;  // a witness listed twice counts once
    for (size_t j = 0; j < i; ++j) {
      seen |= witnesses[j].name() == w.name() &&
              witnesses[j].key_hash() == w.key_hash();
    }
    if (seen) continue;
    auto t = VerifyCosignature(note, w);
    if (t.ok()) {
      count.valid.push_back(w.name());
    } else if (!t.status().IsNotFound()) {
      count.invalid.push_back(w.name() + ": " + t.status().message());
    }
  }
  return count;
}

}  // namespace ledger
