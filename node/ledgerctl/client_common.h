// Shared plumbing for the ledgerctl commands that talk to a ledger-node over
// HTTP (client_commands.cc, proof_commands.cc): option parsing, --node URL and
// bearer-token handling, and printing the server's error message.
#ifndef UDI_NODE_LEDGERCTL_CLIENT_COMMON_H_
#define UDI_NODE_LEDGERCTL_CLIENT_COMMON_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/keys.h"
#include "ledger/status.h"
#include "node/client/http_client.h"
#include "node/ledgerctl/commands.h"

namespace ledgerctl {

// Parsed command line: "--name VALUE" / "--name=VALUE" options, "--flag"
// flags, and the remaining positional arguments ("-" is positional).
struct ParsedArgs {
  std::map<std::string, std::string> options;
  std::set<std::string> flags;
  std::vector<std::string> positional;
  bool help = false;
  std::string Option(const std::string& name) const {
    auto it = options.find(name);
    return it == options.end() ? "" : it->second;
  }
  bool Has(const std::string& name) const { return options.count(name) > 0; }
};

// Parses `args` given the option names that take a value and the flag names
// (both with the leading "--"). InvalidArgument naming the argument when it is
// unknown, given twice, or lacks its value.
ledger::Result<ParsedArgs> ParseClientArgs(
    const Args& args, const std::set<std::string>& with_value,
    const std::set<std::string>& flags);

// A connection to the node named by --node (http://HOST:PORT[/]) with the
// bearer token from --token or else $UDI_TOKEN (none when both are empty).
// InvalidArgument naming --node when the URL is not of that form.
ledger::Result<std::unique_ptr<udi_http::HttpClient>> ConnectToNode(
    const ParsedArgs& parsed);

// The host, port and bearer token ConnectToNode uses (same rules and errors),
// for commands that open their own connection (backup downloads).
struct NodeAddress {
  std::string host;
  uint16_t port = 0;
  std::string token;  // "" for none
};
ledger::Result<NodeAddress> ParseNodeAddress(const ParsedArgs& parsed);

// "HTTP <status>: <server's error> (field <field>)" for a non-2xx response.
std::string ServerError(const udi_http::HttpResponse& response);

// Percent-encodes everything except RFC 3986 unreserved characters.
std::string PercentEncode(const std::string& text);

// The whole file (or stdin for "-"); IOError naming it.
ledger::Result<std::string> ReadInput(const std::string& path);

// A verifier key from its text or from a file holding it; InvalidArgument
// naming --verifier-key otherwise. (client_commands.cc)
ledger::Result<ledger::VerifierKey> LoadVerifierKey(const std::string& arg);

}  // namespace ledgerctl

#endif  // UDI_NODE_LEDGERCTL_CLIENT_COMMON_H_
