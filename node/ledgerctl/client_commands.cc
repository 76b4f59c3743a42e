// ledgerctl commands that talk to a ledger-node over HTTP: submit, query,
// participant, token, checkpoint. See each kUsage text.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "ledger/jcs.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "node/ledgerctl/client_common.h"
#include "node/ledgerctl/commands.h"
#include "node/ledgerctl/cosignature_check.h"

namespace ledgerctl {
namespace {

using json = nlohmann::json;

constexpr char kConnOptions[] =
    "  --node URL    the node, http://HOST:PORT (required)\n"
    "  --token T     bearer token (default: $UDI_TOKEN)\n"
    "  -h, --help    show this help\n";

int Usage(const char* cmd, const std::string& message,
          const std::string& usage) {
  std::fprintf(stderr, "ledgerctl %s: %s\n\n%s", cmd, message.c_str(),
               usage.c_str());
  return 2;
}

int Fail(const char* cmd, const std::string& message) {
  std::fprintf(stderr, "ledgerctl %s: %s\n", cmd, message.c_str());
  return 1;
}

// Sends one request; prints the body and returns 0 on 2xx, else prints the
// server's error and returns 1.
int SendAndPrint(const char* cmd, udi_http::HttpClient& client,
                 const std::string& method, const std::string& target,
                 const std::string& body = "") {
  auto r = client.Send(method, target, body);
  if (!r.ok()) return Fail(cmd, r.status().message());
  if (r->status / 100 != 2) return Fail(cmd, ServerError(*r));
  std::fputs(r->body.c_str(), stdout);
  if (r->body.empty() || r->body.back() != '\n') std::fputc('\n', stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

// ---------------------------------------------------------------- submit

const std::string kSubmitUsage =
    std::string(
        "Usage: ledgerctl submit --node URL [--token T] [FILE|-]\n"
        "\n"
        "Submits signed envelopes (as made by 'ledgerctl sign') to POST "
        "/v1/events.\n"
        "FILE (stdin when '-' or omitted) holds one JSON envelope, a JSON "
        "array of\n"
        "envelopes, {\"envelopes\":[...]}, or JSON lines (one envelope per "
        "line). They are\n"
        "sent in batches of up to 10,000. Prints one JSON result per envelope "
        "(in order)\n"
        "and a summary on stderr. A 503 (node busy) is retried after its "
        "Retry-After.\n"
        "\nOptions:\n") +
    kConnOptions +
    "\nExit status: 0 all accepted or duplicate, 1 any rejected or a "
    "server/network\nerror, 2 usage error.\n";

constexpr size_t kSubmitBatch = 10000;

// The envelopes in `text` in any of the accepted layouts.
ledger::Result<std::vector<json>> ParseEnvelopes(const std::string& text,
                                                 const std::string& source) {
  std::vector<json> out;
  auto whole = ledger::ParseJsonStrict(text);
  if (whole.ok()) {
    json j = std::move(*whole);
    if (j.is_object() && j.contains("envelopes")) j = j["envelopes"];
    if (j.is_array()) {
      for (auto& e : j) out.push_back(std::move(e));
    } else if (j.is_object()) {
      out.push_back(std::move(j));
    } else {
      return ledger::Status::InvalidArgument(
          source +
          ": want an envelope object, an array or {\"envelopes\":[...]}");
    }
    return out;
  }
  // JSON lines.
  size_t start = 0, line_no = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line_no;
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = ledger::ParseJsonStrict(line);
    if (!j.ok()) {
      return ledger::Status::InvalidArgument(source + ": line " +
                                             std::to_string(line_no) + ": " +
                                             j.status().message());
    }
    out.push_back(std::move(*j));
  }
  if (out.empty()) {
    return ledger::Status::InvalidArgument(source + ": no envelopes");
  }
  return out;
}

}  // namespace

int RunSubmit(const Args& args) {
  const char* cmd = "submit";
  auto parsed = ParseClientArgs(args, {"--node", "--token"}, {});
  if (!parsed.ok()) return Usage(cmd, parsed.status().message(), kSubmitUsage);
  if (parsed->help) return std::fputs(kSubmitUsage.c_str(), stdout), 0;
  if (parsed->positional.size() > 1) {
    return Usage(cmd, "only one FILE", kSubmitUsage);
  }
  auto client = ConnectToNode(*parsed);
  if (!client.ok()) return Usage(cmd, client.status().message(), kSubmitUsage);
  std::string input = parsed->positional.empty() ? "-" : parsed->positional[0];
  auto text = ReadInput(input);
  if (!text.ok()) return Fail(cmd, text.status().message());
  auto envelopes =
      ParseEnvelopes(*text, input == "-" ? std::string("<stdin>") : input);
  if (!envelopes.ok()) return Fail(cmd, envelopes.status().message());

  size_t accepted = 0, duplicate = 0, rejected = 0;
  for (size_t begin = 0; begin < envelopes->size(); begin += kSubmitBatch) {
    size_t end = std::min(envelopes->size(), begin + kSubmitBatch);
    json body = {{"envelopes", json::array()}};
    for (size_t i = begin; i < end; ++i)
      body["envelopes"].push_back((*envelopes)[i]);
    const std::string payload = body.dump();
    ledger::Result<udi_http::HttpResponse> r =
        ledger::Status::IOError("not sent");
    for (int attempt = 0; attempt < 20; ++attempt) {
      r = (*client)->Send("POST", "/v1/events", payload);
      if (!r.ok() || r->status != 503) break;
      int wait = std::atoi(r->Header("retry-after").c_str());
      std::this_thread::sleep_for(std::chrono::seconds(std::clamp(wait, 1, 5)));
    }
    if (!r.ok()) return Fail(cmd, r.status().message());
    if (r->status != 200) {
      return Fail(cmd, "envelopes " + std::to_string(begin) + ".." +
                           std::to_string(end - 1) + ": " + ServerError(*r));
    }
    json results = r->Json().value("results", json::array());
    if (results.size() != end - begin) {
      return Fail(cmd, "server answered " + std::to_string(results.size()) +
                           " results for " + std::to_string(end - begin) +
                           " envelopes");
    }
    for (const auto& res : results) {
      std::printf("%s\n", res.dump().c_str());
      std::string status = res.value("status", "");
      if (status == "accepted") {
        ++accepted;
      } else if (status == "duplicate") {
        ++duplicate;
      } else {
        ++rejected;
      }
    }
  }
  std::fflush(stdout);
  std::fprintf(stderr,
               "ledgerctl submit: %zu accepted, %zu duplicate, %zu rejected\n",
               accepted, duplicate, rejected);
  return rejected == 0 ? 0 : 1;
}

// ---------------------------------------------------------------- query

namespace {
const std::string kQueryUsage =
    std::string(
        "Usage: ledgerctl query --node URL [--token T] [--all] "
        "[PARAM=VALUE ...]\n"
        "\n"
        "Runs an EPCIS 2.0 event query (GET /v1/events) and prints the "
        "EPCISQueryDocument.\n"
        "PARAMs are the EPCIS query parameters, e.g. MATCH_epc=urn:epc:id:"
        "sgtin:...,\n"
        "EQ_bizStep=shipping, GE_eventTime=2026-01-01T00:00:00Z, perPage=100 "
        "(values are\npercent-encoded for you).\n"
        "\nOptions:\n"
        "  --all         follow udi:nextPageToken and print one document with "
        "every page's\n                events\n") +
    kConnOptions +
    "\nExit status: 0 ok, 1 server/network error, 2 usage error.\n";

json* EventList(json& doc) {
  try {
    return &doc.at("epcisBody")
                .at("queryResults")
                .at("resultsBody")
                .at("eventList");
  } catch (const json::exception&) {
    return nullptr;
  }
}
}  // namespace

int RunQuery(const Args& args) {
  const char* cmd = "query";
  auto parsed = ParseClientArgs(args, {"--node", "--token"}, {"--all"});
  if (!parsed.ok()) return Usage(cmd, parsed.status().message(), kQueryUsage);
  if (parsed->help) return std::fputs(kQueryUsage.c_str(), stdout), 0;
  std::string query;
  for (const auto& p : parsed->positional) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Usage(cmd, "'" + p + "': want PARAM=VALUE", kQueryUsage);
    }
    query += (query.empty() ? "?" : "&") + PercentEncode(p.substr(0, eq)) +
             "=" + PercentEncode(p.substr(eq + 1));
  }
  auto client = ConnectToNode(*parsed);
  if (!client.ok()) return Usage(cmd, client.status().message(), kQueryUsage);
  json merged;
  std::string target = "/v1/events" + query;
  for (int page = 0;; ++page) {
    auto r = (*client)->Get(target);
    if (!r.ok()) return Fail(cmd, r.status().message());
    if (r->status != 200) return Fail(cmd, ServerError(*r));
    if (!parsed->flags.count("--all")) {
      std::fputs(r->body.c_str(), stdout);
      std::fputc('\n', stdout);
      return std::fflush(stdout) == 0 ? 0 : 1;
    }
    json doc = r->Json();
    if (doc.is_discarded())
      return Fail(cmd, "page " + std::to_string(page) + ": not JSON");
    std::string next = doc.value("udi:nextPageToken", "");
    if (page == 0) {
      merged = doc;
      merged.erase("udi:nextPageToken");
    } else {
      json* from = EventList(doc);
      json* to = EventList(merged);
      if (!from || !to)
        return Fail(cmd, "page " + std::to_string(page) + ": no eventList");
      for (auto& e : *from) to->push_back(std::move(e));
    }
    if (next.empty()) break;
    target = "/v1/events" + query + (query.empty() ? "?" : "&") +
             "nextPageToken=" + PercentEncode(next);
  }
  std::printf("%s\n", merged.dump().c_str());
  return std::fflush(stdout) == 0 ? 0 : 1;
}

// ---------------------------------------------------------------- participant

namespace {
const std::string kParticipantUsage =
    std::string(
        "Usage: ledgerctl participant add --node URL --token ADMIN --gln GLN "
        "--name NAME\n"
        "           --role ROLE (--verifier-key KEY | --verifier-key-file "
        "FILE)\n"
        "       ledgerctl participant list --node URL [--token T]\n"
        "       ledgerctl participant revoke --node URL --token ADMIN KEYID\n"
        "\n"
        "Registers a participant (POST /v1/participants), lists them, or "
        "revokes one key\n(POST /v1/participants/KEYID/revoke). Prints the "
        "node's JSON answer.\n"
        "ROLE is one of the registry roles (e.g. manufacturer, distributor, "
        "hospital,\nregulator); KEY is a verifier key NAME+HASH+DATA (as "
        "printed by 'ledgerctl keygen').\n"
        "\nOptions:\n") +
    kConnOptions +
    "\nExit status: 0 ok, 1 server/network error (the server's message is "
    "printed),\n2 usage error.\n";
}  // namespace

int RunParticipant(const Args& args) {
  const char* cmd = "participant";
  auto parsed =
      ParseClientArgs(args,
                      {"--node", "--token", "--gln", "--name", "--role",
                       "--verifier-key", "--verifier-key-file"},
                      {});
  if (!parsed.ok())
    return Usage(cmd, parsed.status().message(), kParticipantUsage);
  if (parsed->help) return std::fputs(kParticipantUsage.c_str(), stdout), 0;
  if (parsed->positional.empty()) {
    return Usage(cmd, "missing sub-command add|list|revoke", kParticipantUsage);
  }
  const std::string sub = parsed->positional[0];
  auto client = ConnectToNode(*parsed);
  if (!client.ok())
    return Usage(cmd, client.status().message(), kParticipantUsage);
  if (sub == "list") {
    if (parsed->positional.size() != 1)
      return Usage(cmd, "list takes no arguments", kParticipantUsage);
    return SendAndPrint(cmd, **client, "GET", "/v1/participants");
  }
  if (sub == "revoke") {
    if (parsed->positional.size() != 2)
      return Usage(cmd, "revoke needs one KEYID", kParticipantUsage);
    return SendAndPrint(
        cmd, **client, "POST",
        "/v1/participants/" + PercentEncode(parsed->positional[1]) + "/revoke");
  }
  if (sub != "add")
    return Usage(cmd, "unknown sub-command '" + sub + "'", kParticipantUsage);
  if (parsed->positional.size() != 1)
    return Usage(cmd, "add takes options only", kParticipantUsage);
  for (const char* required : {"--gln", "--name", "--role"}) {
    if (!parsed->Has(required))
      return Usage(cmd, std::string(required) + ": required",
                   kParticipantUsage);
  }
  std::string key = parsed->Option("--verifier-key");
  if (parsed->Has("--verifier-key") == parsed->Has("--verifier-key-file")) {
    return Usage(cmd,
                 "give exactly one of --verifier-key and --verifier-key-file",
                 kParticipantUsage);
  }
  if (parsed->Has("--verifier-key-file")) {
    auto text = ReadInput(parsed->Option("--verifier-key-file"));
    if (!text.ok())
      return Fail(cmd, "--verifier-key-file: " + text.status().message());
    key = *text;
  }
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r'))
    key.pop_back();
  if (auto vk = ledger::VerifierKey::Parse(key); !vk.ok()) {
    return Fail(cmd, "verifier key: " + vk.status().message());
  }
  json body = {{"gln", parsed->Option("--gln")},
               {"name", parsed->Option("--name")},
               {"role", parsed->Option("--role")},
               {"verifierKey", key}};
  return SendAndPrint(cmd, **client, "POST", "/v1/participants", body.dump());
}

// ---------------------------------------------------------------- token

namespace {
const std::string kTokenUsage =
    std::string(
        "Usage: ledgerctl token create --node URL --token ADMIN --role ROLE "
        "[--participant KEYID]\n"
        "       ledgerctl token revoke --node URL --token ADMIN ID\n"
        "\n"
        "Creates an API bearer token (POST /v1/tokens; the answer, printed as "
        "JSON, holds the\ntoken itself, shown once, and its id) or revokes "
        "one (DELETE /v1/tokens/ID).\nA writer token is bound to the "
        "participant KEYID whose envelopes it may submit.\n"
        "\nOptions:\n") +
    kConnOptions +
    "\nExit status: 0 ok, 1 server/network error, 2 usage error.\n";
}  // namespace

int RunToken(const Args& args) {
  const char* cmd = "token";
  auto parsed = ParseClientArgs(
      args, {"--node", "--token", "--role", "--participant"}, {});
  if (!parsed.ok()) return Usage(cmd, parsed.status().message(), kTokenUsage);
  if (parsed->help) return std::fputs(kTokenUsage.c_str(), stdout), 0;
  if (parsed->positional.empty())
    return Usage(cmd, "missing sub-command create|revoke", kTokenUsage);
  const std::string sub = parsed->positional[0];
  auto client = ConnectToNode(*parsed);
  if (!client.ok()) return Usage(cmd, client.status().message(), kTokenUsage);
  if (sub == "create") {
    if (parsed->positional.size() != 1)
      return Usage(cmd, "create takes options only", kTokenUsage);
    if (!parsed->Has("--role"))
      return Usage(cmd, "--role: required", kTokenUsage);
    json body = {{"role", parsed->Option("--role")}};
    if (parsed->Has("--participant"))
      body["participant"] = parsed->Option("--participant");
    return SendAndPrint(cmd, **client, "POST", "/v1/tokens", body.dump());
  }
  if (sub == "revoke") {
    if (parsed->positional.size() != 2)
      return Usage(cmd, "revoke needs one ID", kTokenUsage);
    return SendAndPrint(cmd, **client, "DELETE",
                        "/v1/tokens/" + PercentEncode(parsed->positional[1]));
  }
  return Usage(cmd, "unknown sub-command '" + sub + "'", kTokenUsage);
}

// ---------------------------------------------------------------- checkpoint

namespace {
const std::string kCheckpointUsage =
    std::string(
        "Usage: ledgerctl checkpoint --node URL [--token T] [--verifier-key "
        "KEY|FILE]\n"
        "\n"
        "Prints the node's signed checkpoint (GET /v1/checkpoint, a C2SP "
        "signed note:\norigin, tree size, base64 root hash, signature lines). "
        "With --verifier-key (the\nnode's verifier key text, or a file "
        "holding it) the signature is checked too.\n"
        "\nOptions:\n"
        "  --verifier-key KEY  check the note's signature with KEY\n"
        "  --origin ORIGIN     the checkpoint of held log ORIGIN instead "
        "(GET\n"
        "                      /v1/logs/{ORIGIN}/checkpoint, with the "
        "cosignatures\n"
        "                      the node collected)\n"
        "  --witness-keys F    witness cosigner keys (C2SP tlog-cosignature, "
        "one per\n"
        "                      line; GET /v1/witness of each node gives its "
        "key)\n"
        "  --min-cosignatures K  fail unless K of those witnesses cosigned "
        "(default 1\n"
        "                      with --witness-keys)\n") +
    kConnOptions +
    "\nExit status: 0 ok (and verified), 1 bad signature or server/network "
    "error, 2 usage.\n";
}  // namespace

ledger::Result<ledger::VerifierKey> LoadVerifierKey(const std::string& arg) {
  auto key = ledger::VerifierKey::Parse(arg);
  if (key.ok()) return key;
  auto text = ReadInput(arg);
  if (!text.ok()) {
    return ledger::Status::InvalidArgument(
        "--verifier-key: " + key.status().message() +
        " (and not a readable file)");
  }
  auto from_file = ledger::VerifierKey::Parse(*text);
  if (!from_file.ok())
    return from_file.status().WithPrefix("--verifier-key: " + arg);
  return from_file;
}

int RunCheckpoint(const Args& args) {
  const char* cmd = "checkpoint";
  auto parsed =
      ParseClientArgs(args,
                      {"--node", "--token", "--verifier-key", "--origin",
                       "--witness-keys", "--min-cosignatures"},
                      {});
  if (!parsed.ok())
    return Usage(cmd, parsed.status().message(), kCheckpointUsage);
  if (parsed->help) return std::fputs(kCheckpointUsage.c_str(), stdout), 0;
  if (!parsed->positional.empty())
    return Usage(cmd, "unexpected argument '" + parsed->positional[0] + "'",
                 kCheckpointUsage);
  auto client = ConnectToNode(*parsed);
  if (!client.ok())
    return Usage(cmd, client.status().message(), kCheckpointUsage);
  std::optional<ledger::VerifierKey> key;
  if (parsed->Has("--verifier-key")) {
    auto k = LoadVerifierKey(parsed->Option("--verifier-key"));
    if (!k.ok()) return Usage(cmd, k.status().message(), kCheckpointUsage);
    key = *k;
  }
  std::vector<ledger::CosignerKey> witnesses;
  uint64_t min_cosignatures = 0;
  if (parsed->Has("--witness-keys")) {
    auto keys = LoadCosignerKeys(parsed->Option("--witness-keys"));
    if (!keys.ok())
      return Usage(cmd, keys.status().message(), kCheckpointUsage);
    witnesses = *keys;
    min_cosignatures = 1;
  }
  if (parsed->Has("--min-cosignatures")) {
    const std::string v = parsed->Option("--min-cosignatures");
    if (witnesses.empty() || v.empty() ||
        v.find_first_not_of("0123456789") != std::string::npos ||
        v.size() > 6) {
      return Usage(cmd, "--min-cosignatures: want a count, with --witness-keys",
                   kCheckpointUsage);
    }
    min_cosignatures = std::stoull(v);
  }
  auto r = (*client)->Get(parsed->Has("--origin")
                              ? "/v1/logs/" +
                                    PercentEncode(parsed->Option("--origin")) +
                                    "/checkpoint"
                              : std::string("/v1/checkpoint"));
  if (!r.ok()) return Fail(cmd, r.status().message());
  if (r->status != 200) return Fail(cmd, ServerError(*r));
  std::fputs(r->body.c_str(), stdout);
  std::fflush(stdout);
  if (key) {
    auto cp = ledger::OpenCheckpoint(r->body, *key);
    if (!cp.ok()) {
      return Fail(cmd, "checkpoint NOT verified with " + key->KeyId() + ": " +
                           cp.status().message());
    }
    std::fprintf(stderr, "ledgerctl checkpoint: verified: %s size %llu\n",
                 key->KeyId().c_str(),
                 static_cast<unsigned long long>(cp->size));
  }
  if (!witnesses.empty()) {
    std::string summary;
    ledger::Status quorum =
        CheckCosignatureQuorum(r->body, witnesses, min_cosignatures, &summary);
    if (!quorum.ok())
      return Fail(cmd, "cosignature quorum NOT met: " + quorum.message());
    std::fprintf(stderr, "ledgerctl checkpoint: %s\n", summary.c_str());
  }
  return 0;
}

}  // namespace ledgerctl
