// ledgerctl sub-commands. Each takes the arguments after the command name and returns the process
// exit code (0 ok, 1 the checked thing is bad, 2 usage error). Each prints its own --help.
#ifndef UDI_NODE_LEDGERCTL_COMMANDS_H_
#define UDI_NODE_LEDGERCTL_COMMANDS_H_

#include <string>
#include <vector>

namespace ledgerctl {

using Args = std::vector<std::string>;

int RunKeygen(const Args& args);  // keygen.cc
int RunSign(const Args& args);    // sign.cc
int RunVerify(const Args& args);  // verify.cc

}  // namespace ledgerctl

#endif  // UDI_NODE_LEDGERCTL_COMMANDS_H_
