// Handlers of the operations routes (issue 7): backup and log level. Private
// to api/; defined in handlers_operations.cc.
#ifndef UDI_API_HANDLERS_OPERATIONS_H_
#define UDI_API_HANDLERS_OPERATIONS_H_

#include "api/handlers_internal.h"

namespace api {

// GET /v1/admin/backup: a backup of the node's own log (ledger/backup.h,
// spec/backup-format.md) from one LevelDB snapshot, as application/zstd.
UDI_HANDLER(HandleBackup);
// GET /v1/admin/log-level: {"level": "info"}.
UDI_HANDLER(HandleGetLogLevel);
// POST /v1/admin/log-level {"level": "debug"}: {"level": ..., "previous": ...}.
UDI_HANDLER(HandleSetLogLevel);

}  // namespace api

#endif  // UDI_API_HANDLERS_OPERATIONS_H_
