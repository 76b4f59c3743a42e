#include "node/ledgerctl/client_common.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace ledgerctl {

ledger::Result<ParsedArgs> ParseClientArgs(
    const Args& args, const std::set<std::string>& with_value,
    const std::set<std::string>& flags) {
  ParsedArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      out.help = true;
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      out.positional.push_back(arg);
      continue;
    }
    std::string name = arg, value;
    bool inline_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inline_value = true;
    }
    if (flags.count(name)) {
      if (inline_value) {
        return ledger::Status::InvalidArgument(name + ": takes no value");
      }
      out.flags.insert(name);
      continue;
    }
    if (!with_value.count(name)) {
      return ledger::Status::InvalidArgument("unknown option '" + name + "'");
    }
    if (!inline_value) {
      if (i + 1 == args.size()) {
        return ledger::Status::InvalidArgument(name + ": needs a value");
      }
      value = args[++i];
    }
    if (!out.options.emplace(name, value).second) {
      return ledger::Status::InvalidArgument(name + ": given twice");
    }
  }
  return out;
}

ledger::Result<std::unique_ptr<udi_http::HttpClient>> ConnectToNode(
    const ParsedArgs& parsed) {
  auto address = ParseNodeAddress(parsed);
  if (!address.ok()) return address.status();
  auto client =
      std::make_unique<udi_http::HttpClient>(address->host, address->port);
  client->SetBearerToken(address->token);
  return client;
}

ledger::Result<NodeAddress> ParseNodeAddress(const ParsedArgs& parsed) {
  const std::string url = parsed.Option("--node");
  if (url.empty()) return ledger::Status::InvalidArgument("--node: required");
  const std::string kScheme = "http://";
  auto bad = [&](const std::string& why) {
    return ledger::Status::InvalidArgument("--node: '" + url + "': " + why);
  };
  if (url.rfind(kScheme, 0) != 0) return bad("want http://HOST:PORT");
  std::string rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return bad("want http://HOST:PORT (missing port)");
  }
  std::string host = rest.substr(0, colon), port_text = rest.substr(colon + 1);
  if (host == "localhost") host = "127.0.0.1";
  if (!host.empty() && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port_text) == 0 || std::stoul(port_text) > 65535) {
    return bad("port must be 1..65535");
  }
  NodeAddress address;
  address.host = host;
  address.port = static_cast<uint16_t>(std::stoul(port_text));
  address.token = parsed.Option("--token");
  if (address.token.empty()) {
    const char* env = std::getenv("UDI_TOKEN");
    if (env) address.token = env;
  }
  return address;
}

std::string ServerError(const udi_http::HttpResponse& response) {
  std::string out = "HTTP " + std::to_string(response.status) + ": ";
  auto j = response.Json();
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    out += j["error"].get<std::string>();
    if (j.contains("field") && j["field"].is_string()) {
      out += " (field " + j["field"].get<std::string>() + ")";
    }
  } else {
    out += response.body.empty() ? "(empty body)" : response.body;
  }
  return out;
}

std::string PercentEncode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

ledger::Result<std::string> ReadInput(const std::string& path) {
  std::ostringstream buf;
  if (path == "-") {
    buf << std::cin.rdbuf();
    if (std::cin.bad()) return ledger::Status::IOError("<stdin>: unreadable");
    return buf.str();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return ledger::Status::IOError(path + ": cannot open");
  buf << file.rdbuf();
  if (file.bad()) return ledger::Status::IOError(path + ": unreadable");
  return buf.str();
}

}  // namespace ledgerctl
