// The regulator API's process-wide counters (api/handlers_regulator.cc): how
// many regulator queries were recorded in the log (Log::AppendQuery) and how
// many could not be (the query was answered anyway). Thread-safe.
#ifndef UDI_API_REGULATOR_H_
#define UDI_API_REGULATOR_H_

#include <cstdint>

namespace api {

struct AuditCounts {
  uint64_t recorded = 0;
  uint64_t failed = 0;
};
AuditCounts RegulatorAuditCounts();

}  // namespace api

#endif  // UDI_API_REGULATOR_H_
