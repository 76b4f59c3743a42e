#include "node/witness/cosignature_store.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "api/tokens.h"

namespace witness {

using ledger::Status;

namespace {

// One signature as its note line (without the final '\n').
std::string LineOf(const ledger::NoteSignature& sig) {
  ledger::SignedNote note{"x\n", {sig}};
  std::string s = note.ToString();  // "x\n\n— name b64\n"
  return s.substr(3, s.size() - 4);
}

ledger::Result<ledger::NoteSignature> ParseLine(const std::string& line) {
  auto note = ledger::SignedNote::Parse("x\n\n" + line + "\n");
  if (!note.ok()) return note.status();
  if (note->signatures.size() != 1)
    return Status::Corruption("want one signature line");
  return note->signatures[0];
}

// Adds `sig`, or replaces the line of the same cosigner (name and key ID).
// False when it is already held verbatim, or the set is full.
bool AddOrReplace(std::vector<ledger::NoteSignature>* sigs,
                  ledger::NoteSignature sig) {
  for (auto& s : *sigs) {
    if (s.name == sig.name && s.key_hash == sig.key_hash) {
      if (s.signature == sig.signature) return false;
      s = std::move(sig);
      return true;
    }
  }
  if (sigs->size() >= CosignatureStore::kMaxSignatures) return false;
  sigs->push_back(std::move(sig));
  return true;
}

// The tree size of checkpoint text (its second line), if it reads as one.
std::optional<uint64_t> SizeOf(const std::string& text) {
  size_t first = text.find('\n');
  if (first == std::string::npos) return std::nullopt;
  size_t second = text.find('\n', first + 1);
  if (second == std::string::npos) return std::nullopt;
  const char* begin = text.data() + first + 1;
  const char* end = text.data() + second;
  uint64_t size = 0;
  auto [ptr, ec] = std::from_chars(begin, end, size);
  if (ec != std::errc() || ptr != end || begin == end) return std::nullopt;
  return size;
}

}  // namespace

ledger::Result<std::unique_ptr<CosignatureStore>> CosignatureStore::Open(
    std::string path) {
  std::unique_ptr<CosignatureStore> store(new CosignatureStore(path));
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return store;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", 0) != 1 ||
      !j.contains("origins") || !j["origins"].is_object()) {
    return Status::Corruption(path + ": not a format-1 cosignature file");
  }
  for (const auto& [origin, e] : j["origins"].items()) {
    std::string where = path + ": origins[\"" + origin + "\"]";
    if (!e.is_object() || !e.contains("text") || !e["text"].is_string() ||
        !e.contains("signatures") || !e["signatures"].is_array()) {
      return Status::Corruption(where + ": want {text, signatures}");
    }
    Entry entry{e["text"].get<std::string>(), {}};
    for (const auto& line : e["signatures"]) {
      auto sig = ParseLine(line.is_string() ? line.get<std::string>() : "");
      if (!sig.ok())
        return Status::Corruption(where +
                                  ".signatures: " + sig.status().message());
      entry.signatures.push_back(std::move(*sig));
    }
    store->origins_[origin].current = std::move(entry);
  }
  return store;
}

bool CosignatureStore::Advance(Origin* o, const std::string& text) {
  if (o->current.text == text) return true;
  if (!o->current.text.empty()) {
    auto now = SizeOf(o->current.text), next = SizeOf(text);
    if (now && next && *next <= *now) return false;  // older, or a conflict
  }
  o->current = o->ahead.text == text ? std::move(o->ahead) : Entry{text, {}};
  o->ahead = Entry{};
  return true;
}

bool CosignatureStore::Witnessed(const std::string& origin,
                                 const std::string& text,
                                 ledger::NoteSignature sig) {
  std::lock_guard<std::mutex> lock(mu_);
  Origin& o = origins_[origin];
  std::string before = o.current.text;
  if (!Advance(&o, text)) return false;
  if (AddOrReplace(&o.current.signatures, std::move(sig)) ||
      o.current.text != before)
    dirty_ = true;
  return true;
}

bool CosignatureStore::Track(const std::string& origin,
                             const std::string& text) {
  std::lock_guard<std::mutex> lock(mu_);
  Origin& o = origins_[origin];
  std::string before = o.current.text;
  if (!Advance(&o, text)) return false;
  if (o.current.text != before) dirty_ = true;
  return true;
}

bool CosignatureStore::Collect(const std::string& origin,
                               const std::string& text,
                               ledger::NoteSignature sig) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = origins_.find(origin);
  if (it == origins_.end()) {
    // Nothing current yet: every checkpoint is ahead.
    it = origins_.emplace(origin, Origin{}).first;
  }
  Origin& o = it->second;
  if (o.current.text == text) {
    auto& sigs = o.current.signatures;
    for (const auto& s : sigs) {
      if (s.name == sig.name && s.key_hash == sig.key_hash &&
          s.signature == sig.signature)
        return true;  // already held
    }
    if (!AddOrReplace(&sigs, std::move(sig))) return false;
    dirty_ = true;
    return true;
  }
  // Not current: keep it for the newest checkpoint seen ahead of the current.
  auto now = SizeOf(o.current.text), next = SizeOf(text);
  if (!o.current.text.empty() && (!now || !next || *next <= *now)) return false;
  if (o.ahead.text != text) {
    auto ahead = SizeOf(o.ahead.text);
    if (!o.ahead.text.empty() && ahead && next && *next <= *ahead) return false;
    o.ahead = Entry{text, {}};
  }
  AddOrReplace(&o.ahead.signatures, std::move(sig));
  return false;
}

std::vector<ledger::NoteSignature> CosignatureStore::For(
    const std::string& origin, const std::string& text) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = origins_.find(origin);
  if (it == origins_.end() || it->second.current.text != text) return {};
  return it->second.current.signatures;
}

std::string CosignatureStore::Text(const std::string& origin) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = origins_.find(origin);
  return it == origins_.end() ? "" : it->second.current.text;
}

Status CosignatureStore::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirty_) return Status::OK();
  nlohmann::json origins = nlohmann::json::object();
  for (const auto& [origin, o] : origins_) {
    const Entry& e = o.current;
    if (e.text.empty()) continue;  // only cosignatures held ahead
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& s : e.signatures) lines.push_back(LineOf(s));
    origins[origin] = {{"text", e.text}, {"signatures", std::move(lines)}};
  }
  nlohmann::json doc = {{"format", 1}, {"origins", std::move(origins)}};
  LEDGER_RETURN_IF_ERROR(
      api::WriteFileAtomically(path_, doc.dump(2) + "\n", 0600));
  dirty_ = false;
  return Status::OK();
}

}  // namespace witness
