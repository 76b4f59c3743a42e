// Starting and running one ledger-node: data dir, node key, admin token, log,
// committer, server.
#ifndef UDI_NODE_DAEMON_NODE_RUNNER_H_
#define UDI_NODE_DAEMON_NODE_RUNNER_H_

#include <string>

#include "api/tokens.h"
#include "ledger/keys.h"
#include "ledger/status.h"
#include "node/daemon/config.h"

namespace node {

// Reads the signing key at `path`, or creates one named `name` there (mode
// 0600) when the file does not exist. InvalidArgument when an existing key has
// another name than `name`.
ledger::Result<ledger::SigningKey> LoadOrCreateNodeKey(const std::string& path,
                                                       const std::string& name);

// Creates an admin token and writes it to `path` (mode 0600) unless that file
// exists. Returns true when it created one.
ledger::Result<bool> EnsureAdminToken(const std::string& path,
                                      api::TokenStore* tokens);

// Refuses a data dir a node must not start on (data_dir_check.cc):
// FailedPrecondition when it holds the marker of an unfinished restore
// (ledger::kRestoreMarker) or a log in a format other than this build's (a
// newer one: upgrade ledger-node; an older one: back up, then ledgerctl
// migrate). OK for a dir without a log (a new node).
ledger::Status CheckDataDirUsable(const std::string& data_dir);

// Runs the node until SIGTERM/SIGINT; returns the process exit code (0 after a
// clean stop, 1 when it cannot start). Prints one line when serving and errors
// to stderr.
int RunNode(const NodeConfig& config);

}  // namespace node

#endif  // UDI_NODE_DAEMON_NODE_RUNNER_H_
