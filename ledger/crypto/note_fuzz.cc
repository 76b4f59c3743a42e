// libFuzzer target: signed notes, checkpoints and verifier keys. Whatever
// parses must print back to exactly the input (one text form per value).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ledger/keys.h"
#include "ledger/note.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto note = ledger::SignedNote::Parse(input);
  if (note.ok()) {
    if (note->ToString() != input || note->signatures.empty()) std::abort();
    auto cp = ledger::Checkpoint::Parse(note->text);
    if (cp.ok() && cp->ToText() != note->text) std::abort();
  }
  auto cp = ledger::Checkpoint::Parse(input);
  if (cp.ok() && cp->ToText() != input) std::abort();
  auto key = ledger::VerifierKey::Parse(input);
  if (key.ok()) {
    auto again = ledger::VerifierKey::Parse(key->ToText());
    if (!again.ok() || again->ToText() != key->ToText()) std::abort();
    if (again->public_key() != key->public_key()) std::abort();
  }
  return 0;
}
