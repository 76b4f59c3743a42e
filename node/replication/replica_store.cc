#include "node/replication/replica_store.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/tokens.h"
#include "ledger/bytes.h"
#include "ledger/keys.h"

namespace replication {

using ledger::Status;

namespace {

constexpr size_t kMaxReadableName = 48;

ledger::Result<ledger::VerifierKey> ParseKey(const std::string& origin,
                                             const std::string& key_text) {
  auto key = ledger::VerifierKey::Parse(key_text);
  if (!key.ok()) {
    return key.status().WithPrefix("origin \"" + origin + "\": verifierKey");
  }
  return key;
}

}  // namespace

std::string ReplicaStore::DirName(std::string_view origin) {
  std::string out = ledger::ToHex(ledger::Sha256(origin)).substr(0, 16) + "-";
  for (char c : origin.substr(0, kMaxReadableName)) {
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    out += keep ? c : '_';
  }
  return out;
}

ledger::Result<std::unique_ptr<ReplicaStore>> ReplicaStore::Open(
    std::string dir, std::map<std::string, std::string> configured,
    size_t write_buffer_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(dir + ": " + ec.message());
  std::unique_ptr<ReplicaStore> store(
      new ReplicaStore(dir, write_buffer_bytes));
  std::string pins_path = dir + "/pins.json";
  if (std::filesystem::exists(pins_path, ec)) {
    std::ifstream in(pins_path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return Status::Corruption(pins_path + ": not a JSON object");
    for (const auto& [origin, pin] : j.items()) {
      if (!pin.is_object() || !pin.contains("verifierKey") ||
          !pin["verifierKey"].is_string()) {
        return Status::Corruption(pins_path + ": " + origin +
                                  ".verifierKey: missing");
      }
      store->pins_[origin] = {pin["verifierKey"].get<std::string>(),
                              pin.value("source", "")};
    }
  }
  for (const auto& [origin, key] : configured) {
    LEDGER_RETURN_IF_ERROR(ParseKey(origin, key).status());
    auto it = store->pins_.find(origin);
    if (it != store->pins_.end() && it->second.key != key) {
      return Status::FailedPrecondition(
          "origins: \"" + origin + "\": configured verifier key " + key +
          " differs from the key already pinned in " + pins_path + " (" +
          it->second.key + ", from " + it->second.source +
          "); a log's key never changes: remove the replica and its pin only "
          "if the origin really started a new log");
    }
    store->pins_[origin] = {key, "config"};
  }
  store->configured_ = std::move(configured);
  std::lock_guard<std::mutex> lock(store->mu_);
  LEDGER_RETURN_IF_ERROR(store->SavePinsLocked());
  for (const auto& [origin, pin] : store->pins_) {
    if (!std::filesystem::exists(dir + "/" + DirName(origin), ec)) continue;
    auto log = store->OpenLocked(origin, pin.key);
    if (!log.ok()) return log.status();
  }
  return store;
}

ledger::Status ReplicaStore::SavePinsLocked() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [origin, pin] : pins_) {
    j[origin] = {{"verifierKey", pin.key}, {"source", pin.source}};
  }
  return api::WriteFileAtomically(dir_ + "/pins.json", j.dump(2) + "\n", 0600);
}

std::optional<std::string> ReplicaStore::TrustedKey(
    const std::string& origin) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pins_.find(origin);
  if (it == pins_.end()) return std::nullopt;
  return it->second.key;
}

ledger::Status ReplicaStore::Pin(const std::string& origin,
                                 const std::string& key_text,
                                 const std::string& source) {
  LEDGER_RETURN_IF_ERROR(ParseKey(origin, key_text).status());
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pins_.find(origin);
  if (it != pins_.end()) {
    if (it->second.key == key_text) return Status::OK();
    return Status::FailedPrecondition(
        "origin \"" + origin + "\": verifier key " + key_text + " from " +
        source + " differs from the pinned key " + it->second.key + " (from " +
        it->second.source + ")");
  }
  pins_[origin] = {key_text, source};
  Status saved = SavePinsLocked();
  if (!saved.ok()) pins_.erase(origin);
  return saved;
}

ledger::Result<std::shared_ptr<ledger::Log>> ReplicaStore::OpenLocked(
    const std::string& origin, const std::string& key_text) {
  auto it = logs_.find(origin);
  if (it != logs_.end()) return it->second;
  auto key = ParseKey(origin, key_text);
  if (!key.ok()) return key.status();
  ledger::LogOptions options;
  options.data_dir = dir_ + "/" + DirName(origin);
  options.origin = origin;
  options.replica_verifier = *key;
  options.write_buffer_bytes = write_buffer_bytes_;
  auto log = ledger::Log::Open(std::move(options));
  if (!log.ok()) {
    return log.status().WithPrefix("replica of \"" + origin + "\" in " + dir_ +
                                   "/" + DirName(origin));
  }
  std::shared_ptr<ledger::Log> shared(std::move(*log));
  logs_[origin] = shared;
  return shared;
}

ledger::Result<std::shared_ptr<ledger::Log>> ReplicaStore::Get(
    const std::string& origin) {
  std::lock_guard<std::mutex> lock(mu_);
  auto pin = pins_.find(origin);
  if (pin == pins_.end()) {
    return Status::FailedPrecondition("origin \"" + origin +
                                      "\": no verifier key pinned");
  }
  return OpenLocked(origin, pin->second.key);
}

std::vector<std::shared_ptr<const ledger::Log>> ReplicaStore::Logs() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<const ledger::Log>> out;
  for (const auto& [origin, log] : logs_) out.push_back(log);
  return out;
}

std::shared_ptr<std::mutex> ReplicaStore::ImportLock(
    const std::string& origin) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& m = import_locks_[origin];
  if (!m) m = std::make_shared<std::mutex>();
  return m;
}

}  // namespace replication
