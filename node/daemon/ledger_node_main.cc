// ledger-node: one udi-ledger node. See node/daemon/config.h for flags.
#include <cstdio>
#include <string>
#include <vector>

#include "node/daemon/config.h"
#include "node/daemon/node_runner.h"

int main(int argc, char** argv) {
  auto config =
      node::ParseCommandLine(std::vector<std::string>(argv + 1, argv + argc));
  if (!config.ok()) {
    std::fprintf(stderr, "ledger-node: %s\n\n%s",
                 config.status().message().c_str(), node::UsageText());
    return 2;
  }
  if (config->help) {
    std::fputs(node::UsageText(), stdout);
    return 0;
  }
  if (config->print_config) {
    std::printf("%s\n", node::ConfigToJson(*config).dump(2).c_str());
    return 0;
  }
  return node::RunNode(*config);
}
