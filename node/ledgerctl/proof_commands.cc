// ledgerctl proof inclusion|consistency: fetches a Merkle proof from a node and
// verifies it locally (RFC 9162 §2.1.3.2 / §2.1.4.2) against roots taken from
// checkpoints signed by the node's key, so an auditor checks the node instead
// of trusting it.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "ledger/bytes.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "node/ledgerctl/client_common.h"
#include "node/ledgerctl/commands.h"

namespace ledgerctl {
namespace {

using json = nlohmann::json;

const char kProofUsage[] =
    "Usage: ledgerctl proof inclusion --node URL --index I [--size N] "
    "[--leaf-file F]\n"
    "           [--checkpoint FILE] [--verifier-key KEY|FILE] [--token T]\n"
    "       ledgerctl proof consistency --node URL --old-checkpoint FILE "
    "[--from M] [--to N]\n"
    "           [--checkpoint FILE] [--verifier-key KEY|FILE] [--token T]\n"
    "\n"
    "Fetches a Merkle audit proof (GET /v1/proof/inclusion or "
    "/v1/proof/consistency) and\n"
    "verifies it locally against tree roots from signed checkpoints "
    "(C2SP signed notes),\n"
    "opened with the node's verifier key:\n"
    "  inclusion    leaf I is in the tree of size N. N defaults to the node's "
    "current\n"
    "               checkpoint size; another N needs --checkpoint FILE, a "
    "signed note of\n"
    "               size N saved earlier ('ledgerctl checkpoint > FILE'). The "
    "leaf bytes\n"
    "               come from --leaf-file or else GET /v1/log/entries.\n"
    "  consistency  the tree of --old-checkpoint (size M) is a prefix of the "
    "tree of size\n"
    "               N (default: the node's current checkpoint, or "
    "--checkpoint FILE).\n"
    "\n"
    "Options:\n"
    "  --verifier-key KEY  the node's verifier key (text or file); without "
    "it the key\n"
    "                      announced by GET /v1/node is used (trust on first "
    "use)\n"
    "  --node URL          the node, http://HOST:PORT (required)\n"
    "  --token T           bearer token (default: $UDI_TOKEN)\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 verified, 1 proof or checkpoint does not verify, or "
    "server/network\nerror, 2 usage error.\n";

int Usage(const std::string& message) {
  std::fprintf(stderr, "ledgerctl proof: %s\n\n%s", message.c_str(),
               kProofUsage);
  return 2;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "ledgerctl proof: %s\n", message.c_str());
  return 1;
}

ledger::Result<uint64_t> ParseUint(const ParsedArgs& parsed,
                                   const std::string& name) {
  std::string v = parsed.Option(name);
  if (v.empty() || v.size() > 19 ||
      v.find_first_not_of("0123456789") != std::string::npos) {
    return ledger::Status::InvalidArgument(
        name + ": want an unsigned integer, got '" + v + "'");
  }
  return std::stoull(v);
}

// GET `target`, expecting 200; the error names the target.
ledger::Result<udi_http::HttpResponse> Fetch(udi_http::HttpClient& client,
                                             const std::string& target) {
  auto r = client.Get(target);
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return ledger::Status::IOError(target + ": " + ServerError(*r));
  }
  return r;
}

ledger::Result<std::vector<ledger::Hash>> ParseHashes(
    const udi_http::HttpResponse& r, const std::string& what) {
  json j = r.Json();
  if (!j.is_object() || !j.contains("hashes") || !j["hashes"].is_array()) {
    return ledger::Status::Corruption(what +
                                      ": answer has no \"hashes\" array");
  }
  std::vector<ledger::Hash> out;
  for (size_t i = 0; i < j["hashes"].size(); ++i) {
    const auto& h = j["hashes"][i];
    auto hash = h.is_string() ? ledger::HashFromBase64(h.get<std::string>())
                              : std::nullopt;
    if (!hash) {
      return ledger::Status::Corruption(what + ": hashes[" + std::to_string(i) +
                                        "]: not a base64 SHA-256 hash");
    }
    out.push_back(*hash);
  }
  return out;
}

struct Context {
  std::unique_ptr<udi_http::HttpClient> client;
  ledger::VerifierKey key;
  ledger::Checkpoint current;  // the node's current signed checkpoint
};

ledger::Result<ledger::Checkpoint> OpenFile(const std::string& path,
                                            const ledger::VerifierKey& key,
                                            const std::string& option) {
  auto text = ReadInput(path);
  if (!text.ok()) return text.status().WithPrefix(option);
  auto cp = ledger::OpenCheckpoint(*text, key);
  if (!cp.ok()) return cp.status().WithPrefix(option + ": " + path);
  return cp;
}

}  // namespace

int RunProof(const Args& args) {
  auto parsed = ParseClientArgs(
      args,
      {"--node", "--token", "--index", "--size", "--leaf-file", "--checkpoint",
       "--old-checkpoint", "--from", "--to", "--verifier-key"},
      {});
  if (!parsed.ok()) return Usage(parsed.status().message());
  if (parsed->help) return std::fputs(kProofUsage, stdout), 0;
  if (parsed->positional.size() != 1)
    return Usage("want one of inclusion|consistency");
  const std::string kind = parsed->positional[0];
  if (kind != "inclusion" && kind != "consistency") {
    return Usage("unknown proof kind '" + kind + "'");
  }
  auto client = ConnectToNode(*parsed);
  if (!client.ok()) return Usage(client.status().message());
  if (kind == "inclusion" && !parsed->Has("--index"))
    return Usage("--index: required");
  if (kind == "consistency" && !parsed->Has("--old-checkpoint")) {
    return Usage(
        "--old-checkpoint: required (the signed note of the old tree)");
  }

  // The node's key: given, or announced by the node.
  std::optional<ledger::VerifierKey> key;
  if (parsed->Has("--verifier-key")) {
    auto k = LoadVerifierKey(parsed->Option("--verifier-key"));
    if (!k.ok()) return Usage(k.status().message());
    key = *k;
  } else {
    auto info = Fetch(**client, "/v1/node");
    if (!info.ok()) return Fail(info.status().message());
    json j = info->Json();
    auto k = ledger::VerifierKey::Parse(
        j.is_object() ? j.value("verifierKey", "") : "");
    if (!k.ok()) return Fail("/v1/node: verifierKey: " + k.status().message());
    key = *k;
  }

  // The signed root of the (new) tree.
  ledger::Checkpoint tree;
  if (parsed->Has("--checkpoint")) {
    auto cp = OpenFile(parsed->Option("--checkpoint"), *key, "--checkpoint");
    if (!cp.ok()) return Fail(cp.status().message());
    tree = *cp;
  } else {
    auto note = Fetch(**client, "/v1/checkpoint");
    if (!note.ok()) return Fail(note.status().message());
    auto cp = ledger::OpenCheckpoint(note->body, *key);
    if (!cp.ok()) {
      return Fail("the node's checkpoint does not verify with " + key->KeyId() +
                  ": " + cp.status().message());
    }
    tree = *cp;
  }
  const char* size_option = kind == "inclusion" ? "--size" : "--to";
  if (parsed->Has(size_option)) {
    auto n = ParseUint(*parsed, size_option);
    if (!n.ok()) return Usage(n.status().message());
    if (*n != tree.size) {
      return Fail(std::string(size_option) + ": " + std::to_string(*n) +
                  " differs from the signed checkpoint's size " +
                  std::to_string(tree.size) +
                  "; pass --checkpoint FILE, a signed note of that size");
    }
  }

  if (kind == "inclusion") {
    auto index = ParseUint(*parsed, "--index");
    if (!index.ok()) return Usage(index.status().message());
    if (*index >= tree.size) {
      return Fail("--index: " + std::to_string(*index) +
                  " is not below the tree size " + std::to_string(tree.size));
    }
    std::string leaf;
    if (parsed->Has("--leaf-file")) {
      auto text = ReadInput(parsed->Option("--leaf-file"));
      if (!text.ok())
        return Fail(text.status().WithPrefix("--leaf-file").message());
      leaf = *text;
    } else {
      const std::string target =
          "/v1/log/entries?start=" + std::to_string(*index) + "&count=1";
      auto entries = Fetch(**client, target);
      if (!entries.ok()) return Fail(entries.status().message());
      json j = entries->Json();
      std::optional<std::string> bytes;
      if (j.is_object() && j.contains("entries") && j["entries"].is_array() &&
          j["entries"].size() == 1 &&
          j["entries"][0].value("leaf", json()).is_string()) {
        bytes = ledger::FromBase64(j["entries"][0]["leaf"].get<std::string>());
      }
      if (!bytes)
        return Fail(target + ": no base64 leaf for index " +
                    std::to_string(*index));
      leaf = *bytes;
    }
    const std::string target =
        "/v1/proof/inclusion?index=" + std::to_string(*index) +
        "&size=" + std::to_string(tree.size);
    auto r = Fetch(**client, target);
    if (!r.ok()) return Fail(r.status().message());
    auto proof = ParseHashes(*r, target);
    if (!proof.ok()) return Fail(proof.status().message());
    auto st = ledger::merkle::VerifyInclusion(
        *index, tree.size, ledger::merkle::LeafHash(leaf), *proof, tree.root);
    if (!st.ok()) return Fail("inclusion NOT verified: " + st.message());
    std::printf(
        "inclusion verified: leaf %llu (hash %s) is in tree size %llu root %s "
        "(%s)\n",
        static_cast<unsigned long long>(*index),
        ledger::ToBase64(ledger::merkle::LeafHash(leaf)).c_str(),
        static_cast<unsigned long long>(tree.size),
        ledger::ToBase64(tree.root).c_str(), key->KeyId().c_str());
    return std::fflush(stdout) == 0 ? 0 : 1;
  }

  auto old_cp =
      OpenFile(parsed->Option("--old-checkpoint"), *key, "--old-checkpoint");
  if (!old_cp.ok()) return Fail(old_cp.status().message());
  if (parsed->Has("--from")) {
    auto m = ParseUint(*parsed, "--from");
    if (!m.ok()) return Usage(m.status().message());
    if (*m != old_cp->size) {
      return Fail("--from: " + std::to_string(*m) +
                  " differs from --old-checkpoint's size " +
                  std::to_string(old_cp->size));
    }
  }
  std::vector<ledger::Hash> proof;
  if (old_cp->size > 0 && old_cp->size < tree.size) {
    const std::string target =
        "/v1/proof/consistency?from=" + std::to_string(old_cp->size) +
        "&to=" + std::to_string(tree.size);
    auto r = Fetch(**client, target);
    if (!r.ok()) return Fail(r.status().message());
    auto hashes = ParseHashes(*r, target);
    if (!hashes.ok()) return Fail(hashes.status().message());
    proof = std::move(*hashes);
  }
  auto st = ledger::merkle::VerifyConsistency(old_cp->size, tree.size,
                                              old_cp->root, tree.root, proof);
  if (!st.ok()) return Fail("consistency NOT verified: " + st.message());
  std::printf(
      "consistency verified: tree size %llu root %s is a prefix of tree size "
      "%llu root %s (%s)\n",
      static_cast<unsigned long long>(old_cp->size),
      ledger::ToBase64(old_cp->root).c_str(),
      static_cast<unsigned long long>(tree.size),
      ledger::ToBase64(tree.root).c_str(), key->KeyId().c_str());
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace ledgerctl
