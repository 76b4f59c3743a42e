#include "api/tokens.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/http.h"
#include "ledger/bytes.h"

namespace api {

namespace {
constexpr std::pair<Role, const char*> kRoleNames[] = {
    {Role::kReader, "reader"},
    {Role::kWriter, "writer"},
    {Role::kRegulator, "regulator"},
    {Role::kAdmin, "admin"},
};

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return ledger::ToHex(raw);
}

std::string HashHex(std::string_view token) {
  return ledger::ToHex(ledger::Sha256(token));
}

ledger::Status Errno(const std::string& what, const std::string& path) {
  return ledger::Status::IOError(path + ": " + what + ": " +
                                 std::strerror(errno));
}
}  // namespace

const char* RoleName(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "?";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [r, n] : kRoleNames) {
    if (name == n) return r;
  }
  return std::nullopt;
}

ledger::Status WriteFileAtomically(const std::string& path,
                                   std::string_view contents, int mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Errno("open", tmp);
  ::fchmod(fd, static_cast<mode_t>(mode));
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ledger::Status st = Errno("write", tmp);
      ::close(fd);
      return st;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ledger::Status st = Errno("fsync", tmp);
    ::close(fd);
    return st;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Errno("rename", path);
  std::string dir = path.substr(0, path.find_last_of('/') == std::string::npos
                                       ? 0
                                       : path.find_last_of('/'));
  if (dir.empty()) dir = ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return ledger::Status::OK();
}

ledger::Result<std::unique_ptr<TokenStore>> TokenStore::Open(std::string path) {
  std::unique_ptr<TokenStore> store(new TokenStore(path));
  std::ifstream in(path);
  if (!in) return store;
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("tokens") ||
      !j["tokens"].is_array()) {
    return ledger::Status::Corruption(
        path + ": not a token file (want {\"tokens\": [...]})");
  }
  size_t i = 0;
  for (const auto& t : j["tokens"]) {
    std::string where = path + ": tokens[" + std::to_string(i++) + "]";
    if (!t.is_object() || !t.value("id", nlohmann::json()).is_string() ||
        !t.value("sha256", nlohmann::json()).is_string() ||
        !t.value("role", nlohmann::json()).is_string()) {
      return ledger::Status::Corruption(where +
                                        ": needs string id, sha256 and role");
    }
    auto role = ParseRole(t["role"].get<std::string>());
    if (!role) return ledger::Status::Corruption(where + ".role: unknown role");
    TokenInfo info;
    info.id = t["id"];
    info.role = *role;
    info.sha256 = t["sha256"];
    info.participant = t.value("participant", "");
    info.created_at = t.value("createdAt", "");
    store->by_hash_[info.sha256] = info;
  }
  return store;
}

ledger::Status TokenStore::SaveLocked() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [hash, info] : by_hash_) {
    nlohmann::json t = {{"id", info.id},
                        {"sha256", info.sha256},
                        {"role", RoleName(info.role)},
                        {"createdAt", info.created_at}};
    if (!info.participant.empty()) t["participant"] = info.participant;
    list.push_back(std::move(t));
  }
  nlohmann::json doc = {{"version", 1}, {"tokens", std::move(list)}};
  return WriteFileAtomically(path_, doc.dump(2) + "\n", 0600);
}

ledger::Result<std::pair<TokenInfo, std::string>> TokenStore::Create(
    Role role, std::string participant) {
  if (role == Role::kWriter && participant.empty()) {
    return ledger::Status::InvalidArgument(
        "participant: a writer token needs a participant key id");
  }
  if (role != Role::kWriter && !participant.empty()) {
    return ledger::Status::InvalidArgument(
        "participant: only writer tokens are bound to one");
  }
  std::string token = "udi_" + RandomHex(32);
  TokenInfo info;
  info.id = RandomHex(8);
  info.role = role;
  info.participant = std::move(participant);
  info.sha256 = HashHex(token);
  info.created_at = FormatRfc3339Millis(NowMillis());
  std::lock_guard<std::mutex> lock(mu_);
  by_hash_[info.sha256] = info;
  ledger::Status st = SaveLocked();
  if (!st.ok()) {
    by_hash_.erase(info.sha256);
    return st;
  }
  return std::make_pair(info, token);
}

std::optional<TokenInfo> TokenStore::Authenticate(
    std::string_view token) const {
  std::string hash = HashHex(token);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  return it->second;
}

ledger::Result<bool> TokenStore::Delete(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = by_hash_.begin(); it != by_hash_.end(); ++it) {
    if (it->second.id != id) continue;
    TokenInfo removed = it->second;
    by_hash_.erase(it);
    ledger::Status st = SaveLocked();
    if (!st.ok()) {
      by_hash_[removed.sha256] = removed;
      return st;
    }
    return true;
  }
  return false;
}

std::vector<TokenInfo> TokenStore::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<TokenInfo> out;
  for (const auto& [hash, info] : by_hash_) out.push_back(info);
  return out;
}

}  // namespace api
