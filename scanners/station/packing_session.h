// The open packing session of a packing station (parent SSCC + children
// scanned, not yet closed), kept in the spool directory so that it survives
// SIGKILL or power loss of the station.
//
// File `DIR/packing.json` (format version 1):
//   {"version": 1, "parent": <Identified>, "children": [<Identified>...],
//    "closeTimeMs": <ms, only while a close is in progress>}
// with <Identified> = {"uri", "isClass", "isLogisticUnit", "lot", "expiry",
// "isHibc"}.
// Replaced atomically (temp file, fsync, rename, fsync DIR) before the
// operator's scan is answered; removed (and DIR fsynced) when the session
// ends.
//
// Exactly one AggregationEvent per session: before a close spools the event,
// the session is saved with its event time (closeTimeMs). A crash between the
// spool append and the removal of this file leaves the session open with that
// time, so the operator's repeated close builds the very same event (same
// eventId), which the node stores once.
//
// Pure file I/O; not thread-safe (the Station serialises calls).
#ifndef UDI_SCANNERS_STATION_PACKING_SESSION_H_
#define UDI_SCANNERS_STATION_PACKING_SESSION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledger/status.h"
#include "scanners/station/event_builder.h"

namespace station {

struct PackingSession {
  Identified parent;
  std::vector<Identified> children;
  std::optional<int64_t> close_time_ms;  // set while a close is in progress
};

// The session saved in `dir`, or nullopt when there is none. Corruption naming
// the file and member when it does not parse.
ledger::Result<std::optional<PackingSession>> LoadPackingSession(
    const std::string& dir);

// Saves `session` in `dir` durably, or removes the file when nullopt. IOError
// naming the path.
ledger::Status SavePackingSession(const std::string& dir,
                                  const std::optional<PackingSession>& session);

}  // namespace station

#endif  // UDI_SCANNERS_STATION_PACKING_SESSION_H_
