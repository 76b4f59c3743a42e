// Split-view alarms, kept in DATA/witness/alarms.json so that they survive a
// restart (an alarm is never cleared by the node itself: an operator who has
// investigated removes the file while the node is stopped).
//
// File format (format 1): {"format": 1, "alarms": [Alarm.ToJson()...]}, written
// atomically (temp file, fsync, rename, fsync of the directory).
//
// Threads: every method is thread-safe (one mutex guards the alarms).
#ifndef UDI_NODE_WITNESS_ALARM_STORE_H_
#define UDI_NODE_WITNESS_ALARM_STORE_H_

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ledger/status.h"

namespace witness {

struct Alarm {
  std::string origin;
  std::string reason;       // why the two checkpoints cannot both be true
  std::string conflicting;  // the checkpoint note that disagrees (verbatim)
  nlohmann::json evidence;  // see split_view.h (held checkpoint, proof)
  std::string source;       // "gossip" or the peer URL that served it
  std::string detected_at;  // RFC 3339 UTC

  nlohmann::json ToJson() const;
  static ledger::Result<Alarm> FromJson(const nlohmann::json& j);
};

class AlarmStore {
 public:
  // Reads `path` if it exists. Corruption naming the path and the member when
  // the file is not a format-1 alarm file.
  static ledger::Result<std::unique_ptr<AlarmStore>> Open(std::string path);

  // Records `alarm` durably unless an alarm with the same origin and
  // conflicting checkpoint text exists. Returns true when it was new. The
  // number of alarms kept is bounded (kMaxAlarms); beyond it, new alarms for an
  // origin that already has one are not stored (the origin is halted anyway).
  ledger::Result<bool> Add(const Alarm& alarm);
  // The alarm for `origin` whose conflicting note has the text of
  // `conflicting_text`, if any.
  std::optional<Alarm> Find(const std::string& origin,
                            const std::string& conflicting_text) const;
  bool HasAlarm(const std::string& origin) const;
  std::vector<Alarm> All() const;

  static constexpr size_t kMaxAlarms = 1000;

 private:
  explicit AlarmStore(std::string path) : path_(std::move(path)) {}
  ledger::Status Save() const;  // mu_ held

  const std::string path_;
  mutable std::mutex mu_;  // guards alarms_ and the file
  std::vector<Alarm> alarms_;
};

// The note text (before the blank line) of a signed note, or the whole input
// when it does not parse: the identity of a checkpoint for de-duplication.
std::string NoteText(const std::string& note);

}  // namespace witness

#endif  // UDI_NODE_WITNESS_ALARM_STORE_H_
