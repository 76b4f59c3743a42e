// The station core: one scan in, one answer out. Every input (TCP listener,
// serial/stdin reader, LLRP client) hands its lines or tags to one Station.
//
// A good scan is parsed, turned into an EPCIS event, validated
// (ledger::epcis::ValidateEvent), signed with the station key and appended to
// the spool with fdatasync BEFORE the answer "OK <eventId>" is returned. A bad
// scan is answered "ERR <reason>" at once, counted, and never spooled.
//
// Packing mode: a logistic unit (SSCC) opens a parent ("OK OPEN <parent uri>"),
// each further scan adds a child ("OK ADDED <n children>"), and the close
// command (config.close_command, default "CLOSE") spools one AggregationEvent
// ("OK <eventId>"). The open session (parent and children) is saved in the
// spool directory before each answer (packing_session.h), so after a crash or
// SIGKILL the restarted station continues it and the close still makes one
// AggregationEvent with every child.
//
// RFID: a tag's EPC seen again within rfid_repeat_window_ms of its last report
// is not reported again.
//
// Spool record payload (JSON): {"eventId", "receivedAt", "input", "scan",
// "envelope"}.
//
// Threads: all methods are thread-safe (mu_ protects the packing state and the
// repeat filter; the spool has its own lock).
#ifndef UDI_SCANNERS_STATION_STATION_H_
#define UDI_SCANNERS_STATION_STATION_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ledger/keys.h"
#include "ledger/status.h"
#include "scanners/station/config.h"
#include "scanners/station/event_builder.h"
#include "scanners/station/spool.h"

namespace station {

struct Clock {
  std::function<int64_t()> unix_ms;       // wall clock, for eventTime
  std::function<int64_t()> monotonic_ms;  // for the RFID repeat window
  static Clock System();
};

struct StationCounters {
  uint64_t good = 0;        // scans spooled (or added to a packing parent)
  uint64_t bad = 0;         // scans answered ERR
  uint64_t suppressed = 0;  // RFID repeats within the window
};

class Station {
 public:
  // Checks that the configured locations and parties make a valid event (so a
  // typo in readPoint fails at start, not at the first scan). `spool` is not
  // owned and must outlive the Station. In packing mode, resumes the session
  // saved in spool->dir() (Corruption naming the file when it is damaged).
  static ledger::Result<std::unique_ptr<Station>> Create(
      const StationConfig& config, ledger::SigningKey key, Spool* spool,
      Clock clock = Clock::System());

  // One barcode line as the scanner sent it (a trailing CR is ignored; GS may
  // be the byte 0x1D or the four characters \x1d). `input` names the source for
  // the spool record ("tcp 10.0.0.7:5120"). Returns the answer line without
  // newline.
  std::string HandleLine(std::string_view line, std::string_view input);

  // Several lines from one input, answered in order. In object mode the good
  // scans among them are spooled with one AppendBatch (one fdatasync) before
  // any of them is answered OK; packing mode handles them one by one.
  std::vector<std::string> HandleLines(const std::vector<std::string>& lines,
                                       std::string_view input);

  // One RFID read: a hex EPC from an LLRP report. nullopt when suppressed as a
  // repeat, else the answer as for HandleLine.
  std::optional<std::string> HandleTag(std::string_view epc_hex,
                                       std::string_view input);

  // Called after every successful spool append (the forwarder's wake-up).
  void SetOnSpooled(std::function<void()> fn) { on_spooled_ = std::move(fn); }

  StationCounters counters() const;

 private:
  Station(StationConfig config, ledger::SigningKey key, Spool* spool,
          Clock clock);
  // A signed spool record, or the reason the scan is bad.
  struct Prepared {
    std::string error;  // non-empty: the scan is bad
    std::string event_id;
    std::string payload;
  };
  Prepared Prepare(const nlohmann::json& event, std::string_view raw,
                   std::string_view input);
  Prepared PrepareObjectLine(std::string_view line, std::string_view input);
  std::string HandlePackingLine(std::string_view line, std::string_view input);
  std::string HandleIdentified(const Identified& what, std::string_view raw,
                               std::string_view input);
  std::string HandlePacking(const Identified& what);
  std::string CloseParent(std::string_view raw, std::string_view input);
  // Validates, signs and spools `event`; "OK <eventId>" or "ERR <reason>".
  std::string Commit(const nlohmann::json& event, std::string_view raw,
                     std::string_view input);
  std::string Bad(const std::string& reason);
  // Saves parent_/children_/close_time_ms_ (mu_ held). IOError naming the
  // file.
  ledger::Status SaveSession();

  const StationConfig config_;
  const ledger::SigningKey key_;
  Spool* const spool_;
  const Clock clock_;
  std::function<void()> on_spooled_;
  std::atomic<uint64_t> good_{0}, bad_{0}, suppressed_{0};

  std::mutex mu_;  // protects parent_, children_, close_time_ms_, last_seen_
  std::optional<Identified> parent_;
  std::vector<Identified> children_;
  std::optional<int64_t> close_time_ms_;  // eventTime of a close in progress
  std::unordered_map<std::string, int64_t>
      last_seen_;  // EPC hex -> monotonic ms
};

}  // namespace station

#endif  // UDI_SCANNERS_STATION_STATION_H_
