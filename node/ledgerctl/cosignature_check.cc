#include "node/ledgerctl/cosignature_check.h"

#include <sstream>

#include "ledger/note.h"
#include "node/ledgerctl/client_common.h"

namespace ledgerctl {

using ledger::Status;

namespace {
std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}
}  // namespace

ledger::Result<std::vector<ledger::CosignerKey>> LoadCosignerKeys(
    const std::string& path) {
  auto single = ledger::CosignerKey::Parse(path);
  if (single.ok()) return std::vector<ledger::CosignerKey>{*single};
  auto text = ReadInput(path);
  if (!text.ok()) {
    return Status::InvalidArgument(
        "--witness-keys: " + single.status().message() +
        " (and not a readable file)");
  }
  std::vector<ledger::CosignerKey> keys;
  std::istringstream in(*text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto key = ledger::CosignerKey::Parse(line);
    if (!key.ok()) {
      return Status::InvalidArgument("--witness-keys " + path + ": line " +
                                     std::to_string(n) + ": " +
                                     key.status().message());
    }
    keys.push_back(*key);
  }
  if (keys.empty())
    return Status::InvalidArgument("--witness-keys " + path + ": no keys");
  return keys;
}

Status CheckCosignatureQuorum(const std::string& note,
                              const std::vector<ledger::CosignerKey>& witnesses,
                              uint64_t min, std::string* summary) {
  auto parsed = ledger::SignedNote::Parse(note);
  if (!parsed.ok()) return parsed.status().WithPrefix("checkpoint");
  auto count = ledger::CountCosignatures(*parsed, witnesses);
  std::string detail = "valid: " + Join(count.valid);
  if (!count.invalid.empty()) detail += "; invalid: " + Join(count.invalid);
  if (count.valid.size() < min) {
    return Status::FailedPrecondition(
        std::to_string(count.valid.size()) + " of " + std::to_string(min) +
        " required cosignatures (" + detail + ")");
  }
  *summary =
      std::to_string(count.valid.size()) + " cosignatures (" + detail + ")";
  return Status::OK();
}

}  // namespace ledgerctl
