#include "node/replication/peer_client.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <utility>

#include "ledger/bytes.h"

namespace replication {

using ledger::Status;

Status ParsePeerUrl(const std::string& url, std::string* host, uint16_t* port) {
  constexpr std::string_view kScheme = "http://";
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("peer URL \"" + url + "\": " + why);
  };
  if (url.compare(0, kScheme.size(), kScheme) != 0)
    return bad("want http://HOST:PORT");
  std::string rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos) return bad("must not have a path");
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad("want HOST:PORT");
  std::string h = rest.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']')
    h = h.substr(1, h.size() - 2);
  unsigned p = 0;
  const char* end = rest.data() + rest.size();
  auto [ptr, ec] = std::from_chars(rest.data() + colon + 1, end, p);
  if (ec != std::errc() || ptr != end || p == 0 || p > 65535)
    return bad("port must be 1..65535");
  *host = h;
  *port = static_cast<uint16_t>(p);
  return Status::OK();
}

std::string LogPath(const std::string& origin) {
  std::string out = "/v1/logs/";
  for (unsigned char c : origin) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                      c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      static const char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

ledger::Result<std::unique_ptr<PeerClient>> PeerClient::Create(
    const PeerConfig& peer, std::chrono::milliseconds timeout) {
  std::string host;
  uint16_t port = 0;
  LEDGER_RETURN_IF_ERROR(ParsePeerUrl(peer.url, &host, &port));
  auto http = std::make_unique<udi_http::HttpClient>(host, port);
  http->SetBearerToken(peer.token);
  http->SetAcceptZstd(true);
  http->SetTimeout(timeout);
  return std::unique_ptr<PeerClient>(new PeerClient(peer, std::move(http)));
}

Status PeerClient::Fail(const std::string& reason, Status status) {
  last_reason_ = reason;
  return status;
}

ledger::Result<udi_http::HttpResponse> PeerClient::Get(
    const std::string& target) {
  auto r = http_->Get(target);
  if (!r.ok()) {
    // A zstd body that does not decode is the peer's fault, not the network's.
    const std::string& m = r.status().message();
    if (m.find("zstd") != std::string::npos)
      return Fail("malformed_response", r.status());
    bool timed_out = m.find("timed out") != std::string::npos ||
                     m.find("temporarily unavailable") != std::string::npos;
    return Fail(timed_out ? "timeout" : "unreachable", r.status());
  }
  if (r->status != 200) {
    std::string body = r->body.substr(0, 200);
    return Fail("http_status",
                Status::Unavailable(peer_.url + target + ": HTTP " +
                                    std::to_string(r->status) + ": " + body));
  }
  if (r->Header("content-encoding") == "zstd") ++zstd_responses_;
  return r;
}

namespace {
bool GetString(const nlohmann::json& j, const char* name, std::string* out) {
  if (!j.is_object() || !j.contains(name) || !j[name].is_string()) return false;
  *out = j[name].get<std::string>();
  return true;
}
// The entries of a GET .../entries body in exactly the form ledger-node
// writes it ({"entries":[{"index":N,"leaf":"<base64>"},...]}, no spaces, keys
// in order, then maybe whitespace): (index, base64 text) without building a
// JSON document. nullopt for anything else; the caller then parses the body as
// JSON, so this is only a shortcut, never a more lenient reader.
std::optional<std::vector<std::pair<uint64_t, std::string_view>>> ScanEntries(
    std::string_view body) {
  std::vector<std::pair<uint64_t, std::string_view>> out;
  // JSON allows whitespace after the value (ledger-node ends the body with a
  // newline).
  while (!body.empty() && (body.back() == '\n' || body.back() == ' ' ||
                           body.back() == '\r' || body.back() == '\t')) {
    body.remove_suffix(1);
  }
  auto eat = [&body](std::string_view lit) {
    if (body.substr(0, lit.size()) != lit) return false;
    body.remove_prefix(lit.size());
    return true;
  };
  if (!eat("{\"entries\":[")) return std::nullopt;
  if (eat("]}")) return body.empty() ? std::make_optional(out) : std::nullopt;
  for (;;) {
    if (!eat("{\"index\":")) return std::nullopt;
    uint64_t index = 0;
    auto [ptr, ec] =
        std::from_chars(body.data(), body.data() + body.size(), index);
    if (ec != std::errc() || ptr == body.data() ||
        (body[0] == '0' && ptr - body.data() > 1))
      return std::nullopt;
    body.remove_prefix(ptr - body.data());
    if (!eat(",\"leaf\":\"")) return std::nullopt;
    size_t end = body.find('"');
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view leaf = body.substr(0, end);
    if (leaf.find('\\') != std::string_view::npos) return std::nullopt;
    body.remove_prefix(end + 1);
    out.emplace_back(index, leaf);
    if (eat("},")) continue;
    if (eat("}]}") && body.empty()) return out;
    return std::nullopt;
  }
}

}  // namespace

ledger::Result<PeerLog> PeerClient::NodeInfo() {
  auto r = Get("/v1/node");
  if (!r.ok()) return r.status();
  nlohmann::json j = r->Json();
  PeerLog out;
  out.own = true;
  if (!GetString(j, "name", &out.origin) ||
      !GetString(j, "verifierKey", &out.verifier_key)) {
    return Fail("malformed_response",
                Status::InvalidArgument(peer_.url +
                                        "/v1/node: want name and verifierKey "
                                        "strings"));
  }
  return out;
}

ledger::Result<std::vector<PeerLog>> PeerClient::ListLogs() {
  auto r = Get("/v1/logs");
  if (!r.ok()) return r.status();
  nlohmann::json j = r->Json();
  auto bad = [&](const std::string& why) {
    return Fail("malformed_response",
                Status::InvalidArgument(peer_.url + "/v1/logs: " + why));
  };
  if (!j.is_object() || !j.contains("logs") || !j["logs"].is_array())
    return bad("want {\"logs\": [...]}");
  std::vector<PeerLog> out;
  for (size_t i = 0; i < j["logs"].size(); ++i) {
    const auto& row = j["logs"][i];
    PeerLog log;
    std::string at = "logs[" + std::to_string(i) + "]";
    if (!GetString(row, "origin", &log.origin) || log.origin.empty())
      return bad(at + ".origin: want a non-empty string");
    if (!GetString(row, "verifierKey", &log.verifier_key))
      return bad(at + ".verifierKey: want a string");
    if (!row.contains("size") || !row["size"].is_number_unsigned())
      return bad(at + ".size: want an unsigned integer");
    log.size = row["size"].get<uint64_t>();
    log.own = row.value("own", false);
    out.push_back(std::move(log));
  }
  return out;
}

ledger::Result<std::string> PeerClient::Checkpoint(const std::string& origin) {
  auto r = Get(LogPath(origin) + "/checkpoint");
  if (!r.ok()) return r.status();
  return std::move(r->body);
}

ledger::Result<std::vector<ledger::Hash>> PeerClient::ConsistencyProof(
    const std::string& origin, uint64_t from, uint64_t to) {
  const std::string target = LogPath(origin) +
                             "/proof/consistency?from=" + std::to_string(from) +
                             "&to=" + std::to_string(to);
  auto r = Get(target);
  if (!r.ok()) return r.status();
  nlohmann::json j = r->Json();
  auto bad = [&](const std::string& why) {
    return Fail("malformed_response",
                Status::InvalidArgument(peer_.url + target + ": " + why));
  };
  if (!j.is_object() || !j.contains("hashes") || !j["hashes"].is_array())
    return bad("want {\"hashes\": [...]}");
  std::vector<ledger::Hash> out;
  for (size_t i = 0; i < j["hashes"].size(); ++i) {
    const auto& h = j["hashes"][i];
    const std::string at = "hashes[" + std::to_string(i) + "]";
    if (!h.is_string()) return bad(at + ": want a base64 string");
    auto hash = ledger::HashFromBase64(h.get<std::string>());
    if (!hash) return bad(at + ": want the base64 of 32 bytes");
    out.push_back(*hash);
  }
  return out;
}

ledger::Result<std::vector<std::string>> PeerClient::Entries(
    const std::string& origin, uint64_t start, uint64_t end, size_t batch) {
  std::vector<std::string> out;
  out.reserve(end - start);
  uint64_t next = start;
  while (next < end) {
    uint64_t count = std::min<uint64_t>(batch, end - next);
    std::string target = LogPath(origin) +
                         "/entries?start=" + std::to_string(next) +
                         "&count=" + std::to_string(count);
    auto r = Get(target);
    if (!r.ok()) return r.status();
    auto bad = [&](const std::string& why) {
      return Fail("malformed_response",
                  Status::InvalidArgument(peer_.url + target + ": " + why));
    };
    std::vector<std::pair<uint64_t, std::string_view>> scanned;
    nlohmann::json j;  // only when the shortcut does not apply
    if (auto fast = ScanEntries(r->body)) {
      scanned = std::move(*fast);
    } else {
      ++json_entries_responses_;
      j = r->Json();
      if (!j.is_object() || !j.contains("entries") || !j["entries"].is_array())
        return bad("want {\"entries\": [...]}");
      for (size_t i = 0; i < j["entries"].size(); ++i) {
        const auto& e = j["entries"][i];
        std::string at = "entries[" + std::to_string(i) + "]";
        if (!e.is_object() || !e.contains("index") ||
            !e["index"].is_number_unsigned())
          return bad(at + ".index: want " + std::to_string(next + i));
        if (!e.contains("leaf") || !e["leaf"].is_string())
          return bad(at + ".leaf: want a string");
        scanned.emplace_back(e["index"].get<uint64_t>(),
                             e["leaf"].get_ref<const std::string&>());
      }
    }
    const auto& entries = scanned;
    if (entries.empty()) {
      return Fail("truncated_entries",
                  Status::Corruption(peer_.url + target +
                                     ": no entries, but the checkpoint has " +
                                     std::to_string(end) + " (next index " +
                                     std::to_string(next) + ")"));
    }
    if (entries.size() > count)
      return bad("more entries than asked (" + std::to_string(entries.size()) +
                 ")");
    for (size_t i = 0; i < entries.size(); ++i) {
      const auto& [index, leaf] = entries[i];
      std::string at = "entries[" + std::to_string(i) + "]";
      if (index != next)
        return bad(at + ".index: want " + std::to_string(next));
      auto bytes = ledger::FromBase64(leaf);
      if (!bytes) return bad(at + ".leaf: not base64");
      out.push_back(std::move(*bytes));
      ++next;
    }
  }
  return out;
}

}  // namespace replication
