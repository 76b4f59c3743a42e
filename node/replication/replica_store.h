// DATA/replicas/: one verified replica (a ledger::Log in replica mode) per
// foreign origin, and the origin → checkpoint key pins.
//
// Layout:
//   DATA/replicas/pins.json        {"<origin>": {"verifierKey": "...",
//                                   "source": "<where it was learned>"}}
//   DATA/replicas/<DirName(origin)>/   the replica's LevelDB directory
// DirName is the first 16 hex digits of SHA-256(origin), '-', and the origin
// with every byte outside [A-Za-z0-9._-] replaced by '_' (at most 48 bytes):
// never "..", never a '/', distinct for distinct origins with overwhelming
// probability, and still readable.
//
// Trust: a key pinned by configuration wins; otherwise the first key learned
// for an origin is written to pins.json (synced) and from then on a different
// key for that origin is refused (FailedPrecondition). The replica's LevelDB
// also stores its verifier key, so Log::Open refuses a swapped key too.
//
// Threads: every method is thread-safe (one mutex guards the maps and the
// pins file).
#ifndef UDI_NODE_REPLICATION_REPLICA_STORE_H_
#define UDI_NODE_REPLICATION_REPLICA_STORE_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/log.h"
#include "ledger/status.h"
#include "node/replication/replication.h"

namespace replication {

class ReplicaStore {
 public:
  // Opens (creating) `dir`, reads pins.json, checks `configured` (origin → key
  // text) against the pins on disk (FailedPrecondition naming the origin when
  // they differ; InvalidArgument when a configured key does not parse), and
  // opens every replica directory that exists for a pinned origin.
  // Each replica's LevelDB memtable is `write_buffer_bytes`
  // (ledger::LogOptions::write_buffer_bytes).
  static ledger::Result<std::unique_ptr<ReplicaStore>> Open(
      std::string dir, std::map<std::string, std::string> configured,
      size_t write_buffer_bytes = kDefaultReplicaWriteBufferBytes);

  // The directory name of `origin` under DATA/replicas/.
  static std::string DirName(std::string_view origin);

  // The key text trusted for `origin`, if any.
  std::optional<std::string> TrustedKey(const std::string& origin) const;

  // Pins `key_text` for `origin` on first use (durably, before returning OK).
  // OK when the same key is already trusted; FailedPrecondition "origin
  // \"X\": verifier key K1 from SOURCE differs from the pinned key K0" when
  // another key is; InvalidArgument when key_text does not parse or its key
  // name is not usable.
  ledger::Status Pin(const std::string& origin, const std::string& key_text,
                     const std::string& source);

  // The replica of `origin`, opened (or created, size 0) with its trusted
  // key. FailedPrecondition when no key is trusted for it.
  ledger::Result<std::shared_ptr<ledger::Log>> Get(const std::string& origin);

  // The replicas opened so far, sorted by origin.
  std::vector<std::shared_ptr<const ledger::Log>> Logs() const;

  // Serialises the fetch-and-import of one origin between pullers of several
  // peers: the returned mutex is the same for the life of the store.
  std::shared_ptr<std::mutex> ImportLock(const std::string& origin);

 private:
  ReplicaStore(std::string dir, size_t write_buffer_bytes)
      : dir_(std::move(dir)), write_buffer_bytes_(write_buffer_bytes) {}
  ledger::Status SavePinsLocked() const;
  ledger::Result<std::shared_ptr<ledger::Log>> OpenLocked(
      const std::string& origin, const std::string& key_text);

  struct PinnedKey {
    std::string key;
    std::string source;
  };
  const std::string dir_;
  const size_t write_buffer_bytes_;
  mutable std::mutex mu_;  // guards everything below and pins.json
  std::map<std::string, PinnedKey> pins_;          // learned or configured
  std::map<std::string, std::string> configured_;  // origin → key
  std::map<std::string, std::shared_ptr<ledger::Log>> logs_;
  std::map<std::string, std::shared_ptr<std::mutex>> import_locks_;
};

}  // namespace replication

#endif  // UDI_NODE_REPLICATION_REPLICA_STORE_H_
