#include "node/witness/peer_link.h"

#include <charconv>

#include "api/http.h"

namespace witness {

using ledger::Status;

std::string LogPath(const std::string& origin) {
  return "/v1/logs/" + api::PercentEncode(origin);
}

ledger::Result<std::unique_ptr<PeerLink>> PeerLink::Create(
    const replication::PeerConfig& peer, std::chrono::milliseconds timeout) {
  constexpr std::string_view kScheme = "http://";
  std::string_view rest = peer.url;
  size_t colon = rest.rfind(':');
  if (rest.substr(0, kScheme.size()) != kScheme ||
      colon == std::string_view::npos || colon < kScheme.size() + 1) {
    return Status::InvalidArgument("peer " + peer.url +
                                   ": want http://HOST:PORT");
  }
  std::string host(rest.substr(kScheme.size(), colon - kScheme.size()));
  unsigned port = 0;
  auto port_text = rest.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(port_text.data(),
                                   port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() ||
      port == 0 || port > 65535) {
    return Status::InvalidArgument("peer " + peer.url + ": bad port");
  }
  auto http =
      std::make_unique<udi_http::HttpClient>(host, static_cast<uint16_t>(port));
  http->SetTimeout(timeout);
  http->SetBearerToken(peer.token);
  return std::unique_ptr<PeerLink>(new PeerLink(peer, std::move(http)));
}

ledger::Result<udi_http::HttpResponse> PeerLink::Get(
    const std::string& target) {
  auto r = http_->Get(target);
  if (!r.ok()) return r.status();
  return r;
}

ledger::Result<ledger::CosignerKey> PeerLink::CosignerKey() {
  auto r = Get("/v1/witness");
  if (!r.ok()) return r.status();
  if (r->status != 200)
    return Status::NotFound(url() + "/v1/witness: HTTP " +
                            std::to_string(r->status));
  auto j = r->Json();
  if (!j.is_object() || !j.contains("cosignerKey") ||
      !j["cosignerKey"].is_string()) {
    return Status::InvalidArgument(url() + "/v1/witness: no cosignerKey");
  }
  return ledger::CosignerKey::Parse(j["cosignerKey"].get<std::string>());
}

ledger::Result<std::string> PeerLink::Checkpoint(const std::string& origin) {
  auto r = Get(LogPath(origin) + "/checkpoint");
  if (!r.ok()) return r.status();
  if (r->status != 200)
    return Status::NotFound(url() + ": checkpoint of " + origin + ": HTTP " +
                            std::to_string(r->status));
  return std::move(r->body);
}

ledger::Result<std::vector<ledger::Hash>> PeerLink::ConsistencyProof(
    const std::string& origin, uint64_t from, uint64_t to) {
  auto r =
      Get(LogPath(origin) + "/proof/consistency?from=" + std::to_string(from) +
          "&to=" + std::to_string(to));
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return Status::NotFound(url() + ": no consistency proof " +
                            std::to_string(from) + ".." + std::to_string(to) +
                            " (HTTP " + std::to_string(r->status) + ")");
  }
  auto j = r->Json();
  if (!j.is_object() || !j.contains("hashes") || !j["hashes"].is_array())
    return Status::InvalidArgument(url() + ": consistency proof: no hashes");
  std::vector<ledger::Hash> proof;
  for (size_t i = 0; i < j["hashes"].size(); ++i) {
    const auto& h = j["hashes"][i];
    auto hash = h.is_string() ? ledger::HashFromBase64(h.get<std::string>())
                              : std::nullopt;
    if (!hash) {
      return Status::InvalidArgument(url() + ": consistency proof: hashes[" +
                                     std::to_string(i) + "] is not base64");
    }
    proof.push_back(*hash);
  }
  return proof;
}

ledger::Result<int> PeerLink::PostCheckpoint(const std::string& origin,
                                             const std::string& note) {
  auto r = http_->Send("POST", LogPath(origin) + "/checkpoint", note,
                       {{"Content-Type", "text/plain; charset=utf-8"}});
  if (!r.ok()) return r.status();
  return r->status;
}

}  // namespace witness
