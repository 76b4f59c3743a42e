#include "node/witness/alarm_store.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/tokens.h"
#include "ledger/note.h"

namespace witness {

using ledger::Status;

std::string NoteText(const std::string& note) {
  auto parsed = ledger::SignedNote::Parse(note);
  return parsed.ok() ? parsed->text : note;
}

nlohmann::json Alarm::ToJson() const {
  return {{"origin", origin},           {"reason", reason},
          {"conflicting", conflicting}, {"evidence", evidence},
          {"source", source},           {"detectedAt", detected_at}};
}

ledger::Result<Alarm> Alarm::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::Corruption("alarm: not an object");
  Alarm a;
  for (auto [name, field] :
       {std::pair{"origin", &a.origin}, std::pair{"reason", &a.reason},
        std::pair{"conflicting", &a.conflicting},
        std::pair{"source", &a.source},
        std::pair{"detectedAt", &a.detected_at}}) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string())
      return Status::Corruption(std::string("alarm.") + name +
                                ": missing or not a string");
    *field = it->get<std::string>();
  }
  a.evidence = j.value("evidence", nlohmann::json::object());
  return a;
}

ledger::Result<std::unique_ptr<AlarmStore>> AlarmStore::Open(std::string path) {
  std::unique_ptr<AlarmStore> store(new AlarmStore(path));
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return store;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", 0) != 1 ||
      !j.contains("alarms") || !j["alarms"].is_array()) {
    return Status::Corruption(path + ": not a format-1 alarm file");
  }
  for (size_t i = 0; i < j["alarms"].size(); ++i) {
    auto alarm = Alarm::FromJson(j["alarms"][i]);
    if (!alarm.ok()) {
      return Status::Corruption(path + ": alarms[" + std::to_string(i) +
                                "]: " + alarm.status().message());
    }
    store->alarms_.push_back(std::move(*alarm));
  }
  return store;
}

ledger::Result<bool> AlarmStore::Add(const Alarm& alarm) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string text = NoteText(alarm.conflicting);
  bool origin_alarmed = false;
  for (const auto& a : alarms_) {
    if (a.origin != alarm.origin) continue;
    origin_alarmed = true;
    if (NoteText(a.conflicting) == text) return false;
  }
  if (alarms_.size() >= kMaxAlarms && origin_alarmed) return false;
  alarms_.push_back(alarm);
  Status saved = Save();
  if (!saved.ok()) {
    alarms_.pop_back();
    return saved;
  }
  return true;
}

std::optional<Alarm> AlarmStore::Find(
    const std::string& origin, const std::string& conflicting_text) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& a : alarms_) {
    if (a.origin == origin && NoteText(a.conflicting) == conflicting_text)
      return a;
  }
  return std::nullopt;
}

bool AlarmStore::HasAlarm(const std::string& origin) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& a : alarms_) {
    if (a.origin == origin) return true;
  }
  return false;
}

std::vector<Alarm> AlarmStore::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  return alarms_;
}

Status AlarmStore::Save() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& a : alarms_) list.push_back(a.ToJson());
  nlohmann::json doc = {{"format", 1}, {"alarms", std::move(list)}};
  return api::WriteFileAtomically(path_, doc.dump(2) + "\n", 0600);
}

}  // namespace witness
