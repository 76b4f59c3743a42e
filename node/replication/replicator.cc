// Replicator: the replica store plus one puller thread per peer.
#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "node/replication/puller.h"
#include "node/replication/replica_store.h"
#include "node/replication/replication.h"
#include "node/replication/replication_stats.h"

namespace replication {

struct Replicator::Impl {
  ReplicationOptions options;
  Hooks hooks;
  std::unique_ptr<ReplicaStore> store;
  ReplicationStats stats;
  std::vector<std::thread> threads;
  std::mutex mu;               // guards stopping
  std::condition_variable cv;  // wakes pullers on Stop
  bool stopping = false;

  // Waits `d` or until Stop; false when stopping.
  bool Wait(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, d, [this] { return stopping; });
    return !stopping;
  }

  void RunPeer(const PeerConfig& peer) {
    PullContext ctx{&options, &hooks, store.get(), &stats, [this] {
                      std::lock_guard<std::mutex> lock(mu);
                      return stopping;
                    }};
    Puller puller(peer, ctx);
    auto backoff = options.min_backoff;
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (stopping) return;
      }
      ledger::Status st = puller.PullOnce();
      if (st.ok()) {
        backoff = options.min_backoff;
        // Something new arrived: the peer is likely still writing, ask again
        // at once; otherwise wait a poll interval.
        if (puller.last_imported() == 0 && !Wait(options.poll_interval)) return;
      } else {
        if (!Wait(backoff)) return;
        backoff = std::min(backoff * 2, options.max_backoff);
      }
    }
  }
};

Replicator::Replicator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Replicator::~Replicator() { Stop(); }

ledger::Result<std::unique_ptr<Replicator>> Replicator::Open(
    ReplicationOptions options, Hooks hooks) {
  auto impl = std::make_unique<Impl>();
  if (options.pinned_origins.count(options.own_origin)) {
    return ledger::Status::InvalidArgument(
        "origins: \"" + options.own_origin +
        "\" is this node's own origin; it is never replicated");
  }
  auto store =
      ReplicaStore::Open(options.data_dir + "/replicas", options.pinned_origins,
                         options.write_buffer_bytes);
  if (!store.ok()) return store.status();
  impl->store = std::move(*store);
  impl->options = std::move(options);
  impl->hooks = std::move(hooks);
  return std::unique_ptr<Replicator>(new Replicator(std::move(impl)));
}

void Replicator::Start() {
  for (const auto& peer : impl_->options.peers) {
    impl_->threads.emplace_back([this, peer] {
      pthread_setname_np(pthread_self(), "udi-pull");  // for top and perf
      impl_->RunPeer(peer);
    });
  }
}

void Replicator::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

std::vector<std::shared_ptr<const ledger::Log>> Replicator::Replicas() const {
  return impl_->store->Logs();
}

uint64_t Replicator::LargestSeenSize(const std::string& origin) const {
  return impl_->stats.LargestSeen(origin);
}

const std::vector<PeerConfig>& Replicator::peers() const {
  return impl_->options.peers;
}

void Replicator::RenderMetrics(std::string* out) const {
  std::map<std::string, uint64_t> held;
  for (const auto& log : impl_->store->Logs())
    held[log->origin()] = log->Size();
  impl_->stats.Render(out, held);
}

}  // namespace replication
