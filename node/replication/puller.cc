#include "node/replication/puller.h"

#include <cstdio>
#include <mutex>

#include "ledger/note.h"

namespace replication {

using ledger::Status;

std::string ImportFailureReason(const Status& status) {
  const std::string& m = status.message();
  if (status.IsIOError()) return "storage";
  if (m.find("signature") != std::string::npos) return "bad_signature";
  if (m.find("root") != std::string::npos) return "root_mismatch";
  if (m.rfind("entry", 0) == 0 || m.find("prevHash") != std::string::npos)
    return "chain_mismatch";
  return "verification_failed";
}

Status SyncLogFromPeer(PeerClient* peer, const std::string& peer_url,
                       const std::string& origin, ledger::Log* log,
                       size_t batch_size, const Hooks* hooks,
                       ReplicationStats* stats, std::string* reason,
                       uint64_t* imported) {
  *imported = 0;
  auto note = peer->Checkpoint(origin);
  if (!note.ok()) {
    *reason = peer->last_reason();
    return note.status();
  }
  if (hooks && hooks->on_checkpoint_seen)
    hooks->on_checkpoint_seen(origin, *note, peer_url);
  auto checkpoint = ledger::OpenCheckpoint(*note, log->verifier());
  if (checkpoint.ok() && checkpoint->origin != origin) {
    checkpoint =
        Status::InvalidArgument("checkpoint: origin \"" + checkpoint->origin +
                                "\", want \"" + origin + "\"");
  }
  if (!checkpoint.ok()) {
    *reason = "bad_checkpoint";
    return checkpoint.status().WithPrefix(peer_url + LogPath(origin) +
                                          "/checkpoint");
  }
  if (stats) stats->SeeCheckpointSize(origin, checkpoint->size);
  uint64_t held = log->Size();
  if (checkpoint->size < held) {
    *reason = "shorter_log";
    return Status::FailedPrecondition(
        peer_url + LogPath(origin) + "/checkpoint: size " +
        std::to_string(checkpoint->size) +
        " is smaller than the verified size " + std::to_string(held) +
        " held here (a log never shrinks)");
  }
  if (checkpoint->size == held && *note == log->SignedCheckpoint())
    return Status::OK();
  std::vector<std::string> entries;
  if (checkpoint->size > held) {
    auto got = peer->Entries(origin, held, checkpoint->size, batch_size);
    if (!got.ok()) {
      *reason = peer->last_reason();
      return got.status();
    }
    entries = std::move(*got);
  }
  Status st = log->ImportEntries(entries, *note);
  if (!st.ok()) {
    *reason = ImportFailureReason(st);
    return st.WithPrefix(
        "import of " + origin + " entries " + std::to_string(held) + ".." +
        std::to_string(checkpoint->size) + " from " + peer_url);
  }
  *imported = entries.size();
  if (stats) stats->CountImported(origin, entries.size());
  if (hooks && hooks->on_verified)
    hooks->on_verified(origin, log->SignedCheckpoint());
  return Status::OK();
}

Status Puller::Count(const std::string& origin, const std::string& reason,
                     Status status) {
  ctx_.stats->CountFailure(peer_.url, reason);
  if (reason == "halted") return status;  // counted, not logged every round
  std::fprintf(stderr,
               "ledger-node: replication: peer %s origin \"%s\": %s: %s\n",
               peer_.url.c_str(), origin.c_str(), reason.c_str(),
               status.message().c_str());
  return status;
}

Status Puller::TrustKey(const PeerLog& row, std::string* reason) {
  *reason = "key_mismatch";
  std::string key = row.verifier_key;
  std::string source = "GET " + peer_.url + "/v1/logs";
  if (row.own && !peer_.verifier_key.empty()) {
    if (row.verifier_key != peer_.verifier_key) {
      return Status::FailedPrecondition(
          "origin \"" + row.origin + "\": peer " + peer_.url +
          " lists verifier key " + row.verifier_key +
          ", but peers[].verifierKey pins " + peer_.verifier_key);
    }
    source = "config peers[" + peer_.url + "].verifierKey";
  } else if (row.own && !ctx_.store->TrustedKey(row.origin)) {
    auto info = client_->NodeInfo();
    if (!info.ok()) {
      *reason = client_->last_reason();
      return info.status();
    }
    if (info->origin != row.origin || info->verifier_key != row.verifier_key) {
      *reason = "malformed_response";
      return Status::InvalidArgument(
          peer_.url + ": /v1/node (" + info->origin + ", " +
          info->verifier_key + ") disagrees with its own row in /v1/logs");
    }
    source = "GET " + peer_.url + "/v1/node";
  }
  return ctx_.store->Pin(row.origin, key, source);
}

Status Puller::PullOrigin(const PeerLog& row) {
  const Hooks& hooks = *ctx_.hooks;
  if (hooks.halted && hooks.halted(row.origin)) {
    return Count(row.origin, "halted",
                 Status::FailedPrecondition("origin \"" + row.origin +
                                            "\" is halted (split view)"));
  }
  std::string reason;
  Status trusted = TrustKey(row, &reason);
  if (!trusted.ok()) return Count(row.origin, reason, trusted);
  auto lock = ctx_.store->ImportLock(row.origin);
  std::unique_lock<std::mutex> guard(*lock, std::try_to_lock);
  if (!guard.owns_lock()) return Status::OK();  // another peer's puller has it
  auto log = ctx_.store->Get(row.origin);
  if (!log.ok()) return Count(row.origin, "storage", log.status());
  uint64_t imported = 0;
  Status st = SyncLogFromPeer(client_.get(), peer_.url, row.origin, log->get(),
                              ctx_.options->batch_size, &hooks, ctx_.stats,
                              &reason, &imported);
  if (!st.ok()) return Count(row.origin, reason, st);
  return Status::OK();
}

Status Puller::PullOnce() {
  if (!client_) {
    auto client = PeerClient::Create(peer_, ctx_.options->request_timeout);
    if (!client.ok()) return Count("", "unreachable", client.status());
    client_ = std::move(*client);
  }
  auto logs = client_->ListLogs();
  if (!logs.ok()) return Count("", client_->last_reason(), logs.status());
  Status first;
  for (const auto& row : *logs) {
    if (row.origin == ctx_.options->own_origin) continue;
    Status st = PullOrigin(row);
    if (first.ok() && !st.ok()) first = st;
  }
  return first;
}

}  // namespace replication
