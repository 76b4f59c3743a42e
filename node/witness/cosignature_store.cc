#include "node/witness/cosignature_store.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
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

void AddOrReplace(std::vector<ledger::NoteSignature>* sigs,
                  ledger::NoteSignature sig) {
  for (auto& s : *sigs) {
    if (s.name == sig.name && s.key_hash == sig.key_hash) {
      s = std::move(sig);
      return;
    }
  }
  sigs->push_back(std::move(sig));
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
    store->origins_[origin] = std::move(entry);
  }
  return store;
}

void CosignatureStore::Witnessed(const std::string& origin,
                                 const std::string& text,
                                 ledger::NoteSignature sig) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = origins_[origin];
  if (e.text != text) e = Entry{text, {}};
  AddOrReplace(&e.signatures, std::move(sig));
  dirty_ = true;
}

void CosignatureStore::Track(const std::string& origin,
                             const std::string& text) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = origins_[origin];
  if (e.text == text) return;
  e = Entry{text, {}};
  dirty_ = true;
}

bool CosignatureStore::Collect(const std::string& origin,
                               const std::string& text,
                               ledger::NoteSignature sig) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = origins_.find(origin);
  if (it == origins_.end() || it->second.text != text) return false;
  auto& sigs = it->second.signatures;
  for (const auto& s : sigs) {
    if (s.name == sig.name && s.key_hash == sig.key_hash &&
        s.signature == sig.signature)
      return true;  // already held
  }
  if (sigs.size() >= kMaxSignatures) return false;
  AddOrReplace(&sigs, std::move(sig));
  dirty_ = true;
  return true;
}

std::vector<ledger::NoteSignature> CosignatureStore::For(
    const std::string& origin, const std::string& text) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = origins_.find(origin);
  if (it == origins_.end() || it->second.text != text) return {};
  return it->second.signatures;
}

std::string CosignatureStore::Text(const std::string& origin) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = origins_.find(origin);
  return it == origins_.end() ? "" : it->second.text;
}

Status CosignatureStore::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirty_) return Status::OK();
  nlohmann::json origins = nlohmann::json::object();
  for (const auto& [origin, e] : origins_) {
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
