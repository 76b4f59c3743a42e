// ledgerctl sub-commands. Each takes the arguments after the command name and
// returns the process exit code (0 ok, 1 the checked thing is bad, 2 usage
// error). Each prints its own --help.
#ifndef UDI_NODE_LEDGERCTL_COMMANDS_H_
#define UDI_NODE_LEDGERCTL_COMMANDS_H_

#include <string>
#include <vector>

namespace ledgerctl {

using Args = std::vector<std::string>;

int RunKeygen(const Args& args);  // keygen.cc
int RunSign(const Args& args);    // sign.cc
int RunVerify(const Args& args);  // verify.cc

// Client commands talking to a ledger-node over HTTP.
int RunSubmit(const Args& args);        // client_commands.cc
int RunQuery(const Args& args);         // client_commands.cc
int RunParticipant(const Args& args);   // client_commands.cc
int RunToken(const Args& args);         // client_commands.cc
int RunCheckpoint(const Args& args);    // client_commands.cc
int RunProof(const Args& args);         // proof_commands.cc
int RunBundle(const Args& args);        // bundle.cc
int RunVerifyBundle(const Args& args);  // bundle.cc (offline)

// Operations (issue 7).
int RunBackup(const Args& args);   // backup.cc
int RunRestore(const Args& args);  // backup.cc
int RunMigrate(const Args& args);  // migrate.cc

}  // namespace ledgerctl

#endif  // UDI_NODE_LEDGERCTL_COMMANDS_H_
