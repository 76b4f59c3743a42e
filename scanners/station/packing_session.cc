#include "scanners/station/packing_session.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace station {

namespace {

using json = nlohmann::json;
using ledger::Status;

constexpr char kFileName[] = "/packing.json";

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

Status FsyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno(dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : Errno("fsync " + dir);
}

json ToJson(const Identified& what) {
  return {{"uri", what.uri},
          {"isClass", what.is_class},
          {"isLogisticUnit", what.is_logistic_unit},
          {"lot", what.lot},
          {"expiry", what.expiry},
          {"isHibc", what.is_hibc}};
}

ledger::Result<Identified> FromJson(const json& j, const std::string& where) {
  auto bad = [&](const char* member) {
    return Status::Corruption(where + "." + member + ": missing or wrong type");
  };
  if (!j.is_object()) return Status::Corruption(where + ": not an object");
  Identified what;
  for (auto [member, out] :
       {std::pair{"uri", &what.uri}, std::pair{"lot", &what.lot},
        std::pair{"expiry", &what.expiry}}) {
    if (!j.contains(member) || !j[member].is_string()) return bad(member);
    *out = j[member].get<std::string>();
  }
  for (auto [member, out] :
       {std::pair{"isClass", &what.is_class},
        std::pair{"isLogisticUnit", &what.is_logistic_unit}}) {
    if (!j.contains(member) || !j[member].is_boolean()) return bad(member);
    *out = j[member].get<bool>();
  }
  if (j.contains("isHibc")) {
    if (!j["isHibc"].is_boolean()) return bad("isHibc");
    what.is_hibc = j["isHibc"].get<bool>();
  }
  if (what.uri.empty()) return bad("uri");
  return what;
}

ledger::Result<PackingSession> SessionFromJson(const json& j,
                                               const std::string& path) {
  if (!j.is_object() || !j.contains("version") || j["version"] != 1) {
    return Status::Corruption(path + ": version: want 1");
  }
  PackingSession s;
  auto parent = FromJson(j.value("parent", json()), path + ": parent");
  if (!parent.ok()) return parent.status();
  s.parent = std::move(*parent);
  if (!j.contains("children") || !j["children"].is_array())
    return Status::Corruption(path + ": children: missing or not an array");
  for (size_t i = 0; i < j["children"].size(); ++i) {
    auto child = FromJson(j["children"][i],
                          path + ": children[" + std::to_string(i) + "]");
    if (!child.ok()) return child.status();
    s.children.push_back(std::move(*child));
  }
  if (j.contains("closeTimeMs")) {
    if (!j["closeTimeMs"].is_number_integer())
      return Status::Corruption(path + ": closeTimeMs: not an integer");
    s.close_time_ms = j["closeTimeMs"].get<int64_t>();
  }
  return s;
}

}  // namespace

ledger::Result<std::optional<PackingSession>> LoadPackingSession(
    const std::string& dir) {
  const std::string path = dir + kFileName;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::optional<PackingSession>();
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded()) return Status::Corruption(path + ": not JSON");
  auto s = SessionFromJson(j, path);
  if (!s.ok()) return s.status();
  return std::optional<PackingSession>(std::move(*s));
}

Status SavePackingSession(const std::string& dir,
                          const std::optional<PackingSession>& session) {
  const std::string path = dir + kFileName;
  if (!session) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return Errno("unlink " + path);
    return FsyncDir(dir);
  }
  json j = {{"version", 1}, {"parent", ToJson(session->parent)}};
  j["children"] = json::array();
  for (const auto& c : session->children) j["children"].push_back(ToJson(c));
  if (session->close_time_ms) j["closeTimeMs"] = *session->close_time_ms;
  const std::string text =
      j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  const std::string tmp = path + ".tmp";
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(tmp);
  std::string_view rest = text;
  Status st;
  while (!rest.empty() && st.ok()) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      st = Errno("write " + tmp);
    } else {
      rest.remove_prefix(static_cast<size_t>(n));
    }
  }
  if (st.ok() && ::fsync(fd) != 0) st = Errno("fsync " + tmp);
  ::close(fd);
  LEDGER_RETURN_IF_ERROR(st);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Errno("rename " + tmp);
  return FsyncDir(dir);
}

}  // namespace station
