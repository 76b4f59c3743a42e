#include "node/replication/puller.h"

#include <algorithm>
#include <cstdio>
#include <future>
#include <mutex>

#include "ledger/log_pipeline.h"
#include "ledger/note.h"

namespace replication {

using ledger::Status;

std::string ImportFailureReason(const Status& status) {
  const std::string& m = status.message();
  if (status.IsIOError()) return "storage";
  if (m.find("signature") != std::string::npos) return "bad_signature";
  if (m.find("root") != std::string::npos ||
      m.find("consistency proof") != std::string::npos)
    return "root_mismatch";
  if (m.rfind("entry", 0) == 0 || m.find("prevHash") != std::string::npos)
    return "chain_mismatch";
  return "verification_failed";
}

namespace {

// One chunk of a catch-up: entries [from, to) and, when to < the checkpoint's
// size, the consistency proof from `to` to it.
struct Chunk {
  Status status;
  std::string reason;
  std::vector<std::string> entries;
  std::vector<ledger::Hash> proof;
};

Chunk FetchChunk(PeerClient* peer, const std::string& origin, uint64_t from,
                 uint64_t to, uint64_t checkpoint_size) {
  Chunk c;
  auto got = peer->Entries(origin, from, to, to - from);
  if (!got.ok()) {
    c.status = got.status();
    c.reason = peer->last_reason();
    return c;
  }
  c.entries = std::move(*got);
  if (to < checkpoint_size) {
    auto proof = peer->ConsistencyProof(origin, to, checkpoint_size);
    if (!proof.ok()) {
      c.status = proof.status();
      c.reason = peer->last_reason();
      return c;
    }
    c.proof = std::move(*proof);
  }
  return c;
}

}  // namespace

std::string MergeSameCheckpoint(const std::string& held,
                                const std::string& incoming) {
  auto h = ledger::SignedNote::Parse(held);
  auto in = ledger::SignedNote::Parse(incoming);
  if (!h.ok() || !in.ok() || h->text != in->text) return incoming;
  bool added = false;
  for (auto& sig : in->signatures) {
    bool present = false;
    for (const auto& s : h->signatures) {
      present |= s.name == sig.name && s.key_hash == sig.key_hash;
    }
    if (present || h->signatures.size() >= kMaxMergedSignatures) continue;
    h->signatures.push_back(std::move(sig));
    added = true;
  }
  return added ? h->ToString() : "";
}

Status SyncLogFromPeer(PeerClient* peer, const std::string& peer_url,
                       const std::string& origin, ledger::Log* log,
                       const SyncContext& ctx, std::string* reason,
                       uint64_t* imported) {
  *imported = 0;
  const Hooks* hooks = ctx.hooks;
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
  const uint64_t size = checkpoint->size;
  const uint64_t held = log->Size();
  if (ctx.stats) {
    ctx.stats->SeeCheckpointSize(origin, size);
    ctx.stats->SeePeerCheckpoint(peer_url, origin, size, held);
  }
  if (size < held) {
    *reason = "shorter_log";
    return Status::FailedPrecondition(
        peer_url + LogPath(origin) + "/checkpoint: size " +
        std::to_string(size) + " is smaller than the verified size " +
        std::to_string(held) + " held here (a log never shrinks)");
  }
  if (size == held && *note == log->SignedCheckpoint()) return Status::OK();
  auto fail_import = [&](const Status& st, uint64_t from, uint64_t to) {
    *reason = ImportFailureReason(st);
    return st.WithPrefix("import of " + origin + " entries " +
                         std::to_string(from) + ".." + std::to_string(to) +
                         " (checkpoint size " + std::to_string(size) +
                         ") from " + peer_url);
  };
  if (size == held) {  // the same checkpoint, maybe with other cosignatures
    // Served lines are only ever added (see MergeSameCheckpoint); a note with
    // nothing new is not written again.
    const std::string merged =
        MergeSameCheckpoint(log->SignedCheckpoint(), *note);
    if (merged.empty()) return Status::OK();
    Status st = log->ImportEntries({}, merged);
    if (!st.ok()) return fail_import(st, held, size);
    if (hooks && hooks->on_verified)
      hooks->on_verified(origin, log->SignedCheckpoint());
    return Status::OK();
  }
  // An own log (recovery) must reach a note of its own size in one call.
  if (!log->is_replica()) {
    Chunk c = FetchChunk(peer, origin, held, size, size);
    if (!c.status.ok()) {
      *reason = c.reason;
      return c.status;
    }
    Status st = log->ImportEntries(c.entries, *note);
    if (!st.ok()) return fail_import(st, held, held + c.entries.size());
    *imported = c.entries.size();
    if (ctx.stats) ctx.stats->CountImported(origin, c.entries.size());
    if (hooks && hooks->on_verified)
      hooks->on_verified(origin, log->SignedCheckpoint());
    return Status::OK();
  }
  // A replica catches up in a pipeline of three stages: chunk k+2 is fetched
  // and chunk k+1 checked (every signature, on all cores) while chunk k
  // commits; a chunk is committed only after every chunk before it.
  const uint64_t chunk = std::max<uint64_t>(1, ctx.batch_size);
  auto plan = [&](uint64_t from) { return std::min(size, from + chunk); };
  auto stop = [&] { return ctx.stopping && ctx.stopping(); };
  struct Stage {
    Chunk chunk;  // entries moved into `checked`
    uint64_t from = 0, to = 0;
    std::shared_ptr<const ledger::PrecheckedEntries> checked;
  };
  // Only the task of the stage being checked touches these two.
  uint64_t fetch_from = held;
  std::future<Chunk> fetching = std::async(std::launch::async, FetchChunk, peer,
                                           origin, held, plan(held), size);
  // Takes the fetched chunk, starts the next fetch, checks the chunk.
  auto check_next =
      [&](std::shared_ptr<const ledger::PrecheckedEntries> previous) {
        return std::async(std::launch::async, [&, previous] {
          Stage s;
          s.chunk = fetching.get();
          s.from = fetch_from;
          if (!s.chunk.status.ok()) return s;
          s.to = s.from + s.chunk.entries.size();
          fetch_from = s.to;
          if (s.to < size && !stop()) {
            fetching = std::async(std::launch::async, FetchChunk, peer, origin,
                                  s.to, plan(s.to), size);
          }
          s.checked = ledger::PrecheckImport(*log, std::move(s.chunk.entries),
                                             previous.get());
          return s;
        });
      };
  std::future<Stage> checking = check_next(nullptr);
  while (true) {
    Stage s = checking.get();
    if (!s.chunk.status.ok()) {
      *reason = s.chunk.reason;
      return s.chunk.status;
    }
    // (No task runs now: `fetching` holds the next chunk unless stopping.)
    if (s.to < size && !stop() && fetching.valid()) {
      checking = check_next(s.checked);
    }
    Status st =
        ledger::ImportPrefixChecked(*log, *s.checked, *note, s.chunk.proof);
    if (!st.ok()) return fail_import(st, s.from, s.to);
    const uint64_t n = s.to - s.from;
    *imported += n;
    if (ctx.stats) ctx.stats->CountImported(origin, n);
    if (s.to >= size) break;
    if (stop()) return Status::OK();  // resumable
    if (hooks && hooks->halted && hooks->halted(origin)) {
      *reason = "halted";
      return Status::FailedPrecondition("origin \"" + origin +
                                        "\" was halted during catch-up");
    }
  }
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
  SyncContext sync;
  sync.batch_size = ctx_.options->batch_size;
  sync.hooks = &hooks;
  sync.stats = ctx_.stats;
  sync.stopping = ctx_.stopping;
  Status st = SyncLogFromPeer(client_.get(), peer_.url, row.origin, log->get(),
                              sync, &reason, &imported);
  last_imported_ += imported;
  if (!st.ok()) return Count(row.origin, reason, st);
  return Status::OK();
}

Status Puller::PullOnce() {
  last_imported_ = 0;
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
