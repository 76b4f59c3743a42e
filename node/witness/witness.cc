#include "node/witness/witness.h"

#include <sys/stat.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "api/http.h"
#include "node/witness/alarm_store.h"
#include "node/witness/cosignature_store.h"
#include "node/witness/peer_link.h"
#include "node/witness/split_view.h"

namespace witness {

using ledger::Status;

ledger::Result<ledger::SigningKey> LoadOrCreateWitnessKey(
    const std::string& path, const std::string& name) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) &&
      !std::filesystem::is_symlink(path, ec)) {
    auto key = ledger::SigningKey::Generate(name);
    if (!key.ok()) return key.status();
    LEDGER_RETURN_IF_ERROR(ledger::WritePrivateKeyFile(path, *key));
    return key;
  }
  auto key = ledger::ReadPrivateKeyFile(path);
  if (!key.ok()) return key.status();
  if (key->name() != name) {
    return Status::InvalidArgument("witness key " + path + ": name \"" +
                                   key->name() + "\", want \"" + name + "\"");
  }
  return key;
}

namespace {

uint64_t NowSeconds() { return static_cast<uint64_t>(api::NowMillis() / 1000); }

// A gossip task for the worker; `stopping` asks it to answer without I/O.
using Task = std::function<void(bool stopping)>;
constexpr size_t kMaxTasks = 256;

}  // namespace

struct NodeWitness::Impl {
  WitnessOptions options;
  ledger::SigningKey key;
  ledger::CosignerKey cosigner;
  std::unique_ptr<AlarmStore> alarms;
  std::unique_ptr<CosignatureStore> cosigs;

  std::mutex cosign_mu;   // one cosigning decision at a time
  mutable std::mutex mu;  // guards everything below
  std::map<std::string, ledger::CosignerKey> peer_keys;  // peer URL → key
  std::map<std::string, uint64_t> gossip_counts;         // result → count
  uint64_t cosigned = 0;
  std::deque<Task> tasks;
  bool stop = false;
  // A checkpoint carried a line by a cosigner whose key is not known yet
  // while some peer's key is still missing: poll at once instead of waiting
  // up to poll_interval (peers started after this node are learned early).
  bool poll_soon = false;
  std::chrono::steady_clock::time_point last_nudge;
  std::condition_variable wake;
  std::thread worker;

  void Count(const std::string& result) {
    std::lock_guard<std::mutex> lock(mu);
    ++gossip_counts[result];
  }

  // Parses `note` as a checkpoint of `origin` signed by `log`'s key.
  ledger::Result<std::pair<ledger::SignedNote, ledger::Checkpoint>> Open(
      const ledger::Log& log, const std::string& origin,
      const std::string& note) const {
    auto parsed = ledger::SignedNote::Parse(note);
    if (!parsed.ok()) return parsed.status().WithPrefix("checkpoint");
    LEDGER_RETURN_IF_ERROR(
        ledger::VerifyNote(*parsed, log.verifier()).WithPrefix("checkpoint"));
    auto cp = ledger::Checkpoint::Parse(parsed->text);
    if (!cp.ok()) return cp.status().WithPrefix("checkpoint");
    if (cp->origin != origin) {
      return Status::InvalidArgument("checkpoint: origin line \"" + cp->origin +
                                     "\" is not \"" + origin + "\"");
    }
    return std::make_pair(std::move(*parsed), std::move(*cp));
  }

  // Keeps the cosignatures on `note` made by known peer witnesses, when `note`
  // is the checkpoint currently witnessed for `origin`.
  void CollectFrom(const std::string& origin, const ledger::SignedNote& note) {
    std::vector<ledger::CosignerKey> keys;
    {
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& [url, k] : peer_keys) keys.push_back(k);
    }
    bool unknown_line = false;
    for (const auto& sig : note.signatures) {
      bool known = sig.name == cosigner.name();
      for (const auto& k : keys) known |= sig.name == k.name();
      unknown_line |= !known;
    }
    if (unknown_line) PollSoonIfKeysMissing();
    for (const auto& k : keys) {
      if (k.key_hash() == cosigner.key_hash() && k.name() == cosigner.name())
        continue;
      for (const auto& sig : note.signatures) {
        if (sig.name != k.name() || sig.key_hash != k.key_hash()) continue;
        if (k.Verify(note.text, sig.signature).ok())
          cosigs->Collect(origin, note.text, sig);
      }
    }
  }

  // Records the alarm; on a new one logs, and forwards the conflicting
  // checkpoint to every peer. Returns the stored alarm.
  Alarm Raise(const std::string& origin, const std::string& note,
              const Comparison& c, const std::string& source) {
    std::string text = NoteText(note);
    if (auto existing = alarms->Find(origin, text)) return *existing;
    Alarm a{origin,     c.reason, note,
            c.evidence, source,   api::FormatRfc3339Millis(api::NowMillis())};
    auto added = alarms->Add(a);
    if (!added.ok()) {
      std::fprintf(stderr, "ledger-node: witness: cannot store alarm: %s\n",
                   added.status().message().c_str());
    }
    if (added.ok() && *added) {
      std::fprintf(stderr,
                   "ledger-node: ALARM split view of %s (from %s): %s; "
                   "replication of %s halted\n",
                   origin.c_str(), source.c_str(), c.reason.c_str(),
                   origin.c_str());
      std::fflush(stderr);
      Enqueue([this, origin, note](bool stopping) {
        if (!stopping) Forward(origin, note);
      });
    }
    return a;
  }

  void Forward(const std::string& origin, const std::string& note) {
    for (const auto& peer : options.peers) {
      auto link = PeerLink::Create(peer, options.request_timeout);
      if (!link.ok()) continue;
      auto status = (*link)->PostCheckpoint(origin, note);
      Count(status.ok() ? "forwarded" : "forward_failed");
    }
  }

  // The origin's own line is "unknown" here too, hence the check that a
  // peer key is missing at all.
  void PollSoonIfKeysMissing() {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mu);
    if (peer_keys.size() >= options.peers.size() || poll_soon) return;
    if (now - last_nudge < std::chrono::milliseconds(100))
      return;  // a down peer
    last_nudge = now;
    poll_soon = true;
    wake.notify_one();
  }

  bool Enqueue(Task task) {
    std::lock_guard<std::mutex> lock(mu);
    if (tasks.size() >= kMaxTasks || stop) return false;
    tasks.push_back(std::move(task));
    wake.notify_one();
    return true;
  }

  // `note` is the replica's checkpoint just imported: the note some peer
  // served, so it may carry cosignatures. They are collected too: the next
  // import of the same checkpoint (from another peer, without them) replaces
  // the stored note, and the served one must not lose them.
  void OnVerified(const std::string& origin, const std::string& note) {
    if (alarms->HasAlarm(origin)) return;
    auto parsed = ledger::SignedNote::Parse(note);
    if (!parsed.ok()) return;
    bool made = false;
    {
      std::lock_guard<std::mutex> lock(cosign_mu);
      if (cosigs->Text(origin) != parsed->text) {
        made =
            cosigs->Witnessed(origin, parsed->text,
                              ledger::Cosign(parsed->text, key, NowSeconds()));
      }
    }
    if (made) {
      std::lock_guard<std::mutex> lock(mu);
      ++cosigned;
    }
    CollectFrom(origin, *parsed);
  }

  // This node's cosigner key and the peers' known so far.
  std::vector<ledger::CosignerKey> KnownCosigners() const {
    std::vector<ledger::CosignerKey> keys{cosigner};
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [url, k] : peer_keys) keys.push_back(k);
    return keys;
  }

  // A checkpoint a peer served (before verification): split-view input and a
  // source of cosignatures.
  void OnSeen(const std::string& origin, const std::string& note,
              const std::string& peer) {
    auto log = options.find_log(origin);
    if (!log) return;
    auto opened = Open(*log, origin, note);
    if (!opened.ok()) return;  // replication rejects and counts it
    bool own = origin == options.own_origin;
    auto c = CompareWithLog(*log, opened->second, own);
    if (!c.ok()) return;
    if (c->verdict == Verdict::kInconsistent) {
      Raise(origin, note, *c, peer);
      return;
    }
    if (own) {
      auto held = ledger::SignedNote::Parse(log->SignedCheckpoint());
      if (held.ok() && held->text == opened->first.text)
        cosigs->Track(origin, held->text);
    }
    CollectFrom(origin, opened->first);
  }

  void Submit(const std::string& origin, const std::string& note,
              api::Reply reply);
  void ResolveAhead(const std::string& origin, const std::string& note,
                    const Comparison& c, const ledger::Checkpoint& cp,
                    api::Reply reply);
  void Poll(std::map<std::string, std::unique_ptr<PeerLink>>* links);
  void Run();
};

void NodeWitness::Impl::Submit(const std::string& origin,
                               const std::string& note, api::Reply reply) {
  auto log = options.find_log(origin);
  if (!log) {
    Count("unknown_origin");
    return reply(api::ErrorResponse(
        404, "origin: no log \"" + origin + "\" is held here", "origin"));
  }
  auto opened = Open(*log, origin, note);
  if (!opened.ok()) {
    Count("invalid");
    return reply(api::ErrorResponse(400, opened.status().message(), "body"));
  }
  if (auto existing = alarms->Find(origin, opened->first.text)) {
    Count("inconsistent");
    return reply(
        api::JsonResponse(409, {{"error", "split view: " + existing->reason},
                                {"alarm", existing->ToJson()}}));
  }
  bool own = origin == options.own_origin;
  auto c = CompareWithLog(*log, opened->second, own);
  if (!c.ok()) return reply(api::StatusResponse(c.status()));
  if (c->verdict == Verdict::kInconsistent) {
    Count("inconsistent");
    Alarm a = Raise(origin, note, *c, "gossip");
    return reply(api::JsonResponse(
        409, {{"error", "split view: " + a.reason}, {"alarm", a.ToJson()}}));
  }
  if (c->verdict == Verdict::kConsistent) {
    Count("consistent");
    CollectFrom(origin, opened->first);
    return reply(api::JsonResponse(
        200, {{"status", "consistent"}, {"size", opened->second.size}}));
  }
  if (c->held_size == 0) {  // the empty tree is a prefix of every tree
    Count("consistent_ahead");
    return reply(api::JsonResponse(
        202, {{"status", "consistent"}, {"size", opened->second.size}}));
  }
  auto shared_reply = std::make_shared<api::Reply>(std::move(reply));
  bool queued = Enqueue([this, origin, note, c = *c, cp = opened->second,
                         shared_reply](bool stopping) {
    if (stopping) {
      (*shared_reply)(api::OverloadedResponse("shutting down"));
      return;
    }
    ResolveAhead(origin, note, c, cp, std::move(*shared_reply));
  });
  if (!queued) {
    Count("overloaded");
    (*shared_reply)(api::OverloadedResponse("witness queue is full"));
  }
}

// A checkpoint larger than the held log is consistent iff some peer proves
// the held tree is its prefix. Peers that hold the range but whose proof does
// not verify make it inconsistent ("no valid consistency proof"); when no
// peer holds the range the question stays open (503).
void NodeWitness::Impl::ResolveAhead(const std::string& origin,
                                     const std::string& note,
                                     const Comparison& c,
                                     const ledger::Checkpoint& cp,
                                     api::Reply reply) {
  std::vector<std::string> failures;
  for (const auto& peer : options.peers) {
    auto link = PeerLink::Create(peer, options.request_timeout);
    if (!link.ok()) continue;
    auto proof = (*link)->ConsistencyProof(origin, c.held_size, cp.size);
    if (!proof.ok() && !proof.status().IsInvalidArgument())
      continue;  // no answer, or the peer does not hold the range
    Status ok = proof.ok()
                    ? CheckAheadProof(c.held_size, c.held_root, cp, *proof)
                    : proof.status();
    if (ok.ok()) {
      Count("consistent_ahead");
      return reply(api::JsonResponse(202, {{"status", "consistent"},
                                           {"size", cp.size},
                                           {"heldSize", c.held_size},
                                           {"provedBy", peer.url}}));
    }
    failures.push_back(peer.url + ": " + ok.message());
  }
  if (failures.empty()) {
    Count("undecided");
    return reply(api::OverloadedResponse(
        "no peer holds " + origin + " up to size " + std::to_string(cp.size) +
            " yet: consistency with held size " + std::to_string(c.held_size) +
            " cannot be checked",
        5));
  }
  Comparison bad = c;
  bad.verdict = Verdict::kInconsistent;
  bad.reason = "no valid consistency proof from size " +
               std::to_string(c.held_size) + " to " + std::to_string(cp.size) +
               " (" + failures.front() + ")";
  Count("inconsistent");
  Alarm a = Raise(origin, note, bad, "gossip");
  reply(api::JsonResponse(
      409, {{"error", "split view: " + a.reason}, {"alarm", a.ToJson()}}));
}

// One polling round: learn peer cosigner keys, fetch each peer's copy of the
// own checkpoint (cosignatures for it, and a split-view check of what the peer
// serves), flush cosignatures.
void NodeWitness::Impl::Poll(
    std::map<std::string, std::unique_ptr<PeerLink>>* links) {
  for (const auto& peer : options.peers) {
    auto& link = (*links)[peer.url];
    if (!link) {
      auto created = PeerLink::Create(peer, options.request_timeout);
      if (!created.ok()) continue;
      link = std::move(*created);
    }
    bool known;
    {
      std::lock_guard<std::mutex> lock(mu);
      known = peer_keys.count(peer.url) > 0;
    }
    if (!known) {
      auto k = link->CosignerKey();
      if (!k.ok()) continue;
      std::lock_guard<std::mutex> lock(mu);
      peer_keys.emplace(peer.url, *k);
    }
    auto note = link->Checkpoint(options.own_origin);
    if (note.ok()) OnSeen(options.own_origin, *note, peer.url);
  }
  Status flushed = cosigs->Flush();
  if (!flushed.ok()) {
    std::fprintf(stderr, "ledger-node: witness: %s\n",
                 flushed.message().c_str());
  }
}

void NodeWitness::Impl::Run() {
  std::map<std::string, std::unique_ptr<PeerLink>> links;
  auto next_poll = std::chrono::steady_clock::now();
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mu);
      wake.wait_until(lock, next_poll,
                      [this] { return stop || !tasks.empty() || poll_soon; });
      if (stop) break;
      if (!tasks.empty()) {
        task = std::move(tasks.front());
        tasks.pop_front();
      } else {
        poll_soon = false;  // polled below
      }
    }
    if (task) {
      task(false);
      continue;
    }
    Poll(&links);
    next_poll = std::chrono::steady_clock::now() + options.poll_interval;
  }
  std::deque<Task> left;
  {
    std::lock_guard<std::mutex> lock(mu);
    left.swap(tasks);
  }
  for (auto& t : left) t(true);
}

NodeWitness::NodeWitness(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

NodeWitness::~NodeWitness() { Stop(); }

ledger::Result<std::unique_ptr<NodeWitness>> NodeWitness::Open(
    WitnessOptions options) {
  if (options.name.empty()) options.name = options.own_origin + "/witness";
  std::string dir = options.data_dir + "/witness";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  auto key =
      LoadOrCreateWitnessKey(options.data_dir + "/witness.key", options.name);
  if (!key.ok()) return key.status();
  auto alarms = AlarmStore::Open(dir + "/alarms.json");
  if (!alarms.ok()) return alarms.status();
  auto cosigs = CosignatureStore::Open(dir + "/cosigned.json");
  if (!cosigs.ok()) return cosigs.status();
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->key = *key;
  impl->cosigner = ledger::CosignerKey::Of(*key);
  impl->alarms = std::move(*alarms);
  impl->cosigs = std::move(*cosigs);
  for (const auto& [url, k] : impl->options.peer_cosigners)
    impl->peer_keys.emplace(url, k);
  return std::unique_ptr<NodeWitness>(new NodeWitness(std::move(impl)));
}

replication::Hooks NodeWitness::Hooks() {
  replication::Hooks hooks;
  Impl* impl = impl_.get();
  hooks.on_checkpoint_seen =
      [impl](const std::string& origin, const std::string& note,
             const std::string& peer) { impl->OnSeen(origin, note, peer); };
  hooks.on_verified = [impl](const std::string& origin,
                             const std::string& note) {
    impl->OnVerified(origin, note);
  };
  hooks.halted = [impl](const std::string& origin) {
    return impl->alarms->HasAlarm(origin);
  };
  return hooks;
}

void NodeWitness::Start() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->worker.joinable() || impl_->stop) return;
  impl_->worker = std::thread([impl = impl_.get()] { impl->Run(); });
}

void NodeWitness::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stop = true;
    impl_->wake.notify_all();
  }
  if (impl_->worker.joinable()) impl_->worker.join();
  (void)impl_->cosigs->Flush();
}

const ledger::CosignerKey& NodeWitness::cosigner() const {
  return impl_->cosigner;
}

bool NodeWitness::Halted(const std::string& origin) const {
  return impl_->alarms->HasAlarm(origin);
}

void NodeWitness::RenderMetrics(std::string* out) const {
  auto alarms = impl_->alarms->All();
  std::map<std::string, int> per_origin;
  for (const auto& a : alarms) ++per_origin[a.origin];
  *out +=
      "# HELP udi_witness_alarms Split-view alarms raised (kept across "
      "restarts).\n# TYPE udi_witness_alarms gauge\nudi_witness_alarms " +
      std::to_string(alarms.size()) + "\n";
  *out +=
      "# HELP udi_witness_halted_origin 1 for each origin whose replication "
      "is halted by an alarm.\n# TYPE udi_witness_halted_origin gauge\n";
  for (const auto& [origin, n] : per_origin) {
    *out += "udi_witness_halted_origin{origin=\"" + origin + "\"} 1\n";
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  *out +=
      "# HELP udi_witness_cosigned_total Peer checkpoints this node "
      "cosigned.\n# TYPE udi_witness_cosigned_total counter\n"
      "udi_witness_cosigned_total " +
      std::to_string(impl_->cosigned) + "\n";
  *out +=
      "# HELP udi_witness_gossip_total Checkpoints received by gossip or "
      "forwarded, by result.\n# TYPE udi_witness_gossip_total counter\n";
  for (const auto& [result, n] : impl_->gossip_counts) {
    *out += "udi_witness_gossip_total{result=\"" + result + "\"} " +
            std::to_string(n) + "\n";
  }
}

std::string NodeWitness::Cosigned(const std::string& origin,
                                  const std::string& signed_note) const {
  auto note = ledger::SignedNote::Parse(signed_note);
  if (!note.ok()) return signed_note;
  bool changed = false;
  auto known = impl_->KnownCosigners();
  std::vector<ledger::NoteSignature> kept;
  for (auto& sig : note->signatures) {
    const ledger::CosignerKey* by = nullptr;
    for (const auto& k : known) {
      if (sig.name == k.name() && sig.key_hash == k.key_hash()) by = &k;
    }
    if (by && !by->Verify(note->text, sig.signature).ok()) {
      changed = true;  // a known cosigner's line that does not verify
      continue;
    }
    kept.push_back(std::move(sig));
  }
  note->signatures = std::move(kept);
  for (auto& sig : impl_->cosigs->For(origin, note->text)) {
    bool present = false;
    for (const auto& s : note->signatures) {
      present |= s.name == sig.name && s.key_hash == sig.key_hash;
    }
    if (present || note->signatures.size() >= 100) continue;
    note->signatures.push_back(std::move(sig));
    changed = true;
  }
  return changed ? note->ToString() : signed_note;
}

void NodeWitness::SubmitCheckpoint(const std::string& origin,
                                   const std::string& note, api::Reply reply) {
  impl_->Submit(origin, note, std::move(reply));
}

nlohmann::json NodeWitness::Alarms() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& a : impl_->alarms->All()) list.push_back(a.ToJson());
  return {{"alarms", std::move(list)}};
}

nlohmann::json NodeWitness::Info() const {
  return {{"name", impl_->cosigner.name()},
          {"cosignerKey", impl_->cosigner.ToText()},
          {"cosignatureVersion", "cosignature/v1"}};
}

}  // namespace witness
