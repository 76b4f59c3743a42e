// C2SP signed notes (https://c2sp.org/signed-note) and tlog checkpoints
// (https://c2sp.org/tlog-checkpoint).
//
//   <text, ending in '\n'>
//   <blank line>
//   — <key name> <base64(4-byte key hash || signature)>\n     (U+2014 em dash, one line per sig)
//
// A checkpoint's text is "<origin>\n<tree size decimal>\n<base64 root hash>\n" followed by
// optional extension lines. Pure functions, thread-safe.
#ifndef UDI_LEDGER_NOTE_H_
#define UDI_LEDGER_NOTE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/keys.h"
#include "ledger/status.h"

namespace ledger {

struct NoteSignature {
  std::string name;       // key name
  uint32_t key_hash = 0;  // first 4 bytes of the signature blob
  std::string signature;  // the rest of the blob (64 bytes for Ed25519)
};

struct SignedNote {
  std::string text;  // everything before the blank line, including its final '\n'
  std::vector<NoteSignature> signatures;

  // The full note in wire form.
  std::string ToString() const;
  // Parses a note; errors name the line that is malformed. Signatures are not checked here.
  static Result<SignedNote> Parse(std::string_view note);
};

// Signs `text` (must be non-empty, end in "\n" and contain no blank line) and returns the note.
Result<SignedNote> SignNote(std::string_view text, const SigningKey& key);
// Appends a signature by `key` to an existing note (cosigning).
void AddSignature(SignedNote* note, const SigningKey& key);
// OK iff the note carries a valid signature by `key` (matched by name and key hash).
// Corruption("signature by <name> does not verify") / NotFound("no signature by <name>").
Status VerifyNote(const SignedNote& note, const VerifierKey& key);

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // extra lines, without '\n'

  std::string ToText() const;  // the note text (not signed)
  // Parses checkpoint text (a note's text part); errors name the line.
  static Result<Checkpoint> Parse(std::string_view text);
};

// Signs a checkpoint as a note with `key` (key name is usually the origin).
std::string SignCheckpoint(const Checkpoint& cp, const SigningKey& key);
// Parses a signed checkpoint note and verifies it against `key`.
Result<Checkpoint> OpenCheckpoint(std::string_view note, const VerifierKey& key);

}  // namespace ledger

#endif  // UDI_LEDGER_NOTE_H_
