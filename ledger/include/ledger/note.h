// C2SP signed notes (https://c2sp.org/signed-note) and tlog checkpoints
// (https://c2sp.org/tlog-checkpoint).
//
//   <text, ending in '\n'>
//   <blank line>
//   — <key name> <base64(4-byte key hash || signature)>\n     (U+2014 em dash,
//   one line per sig)
//
// A checkpoint's text is "<origin>\n<tree size decimal>\n<base64 root hash>\n"
// followed by optional extension lines. Pure functions, thread-safe.
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
  std::string
      text;  // everything before the blank line, including its final '\n'
  std::vector<NoteSignature> signatures;

  // The full note in wire form.
  std::string ToString() const;
  // Parses a note; errors (InvalidArgument) name the line that is malformed
  // ("line 4: ..."). Signatures are not checked here. At most 100 signature
  // lines are accepted.
  static Result<SignedNote> Parse(std::string_view note);
};

// Signs `text` and returns the note. `text` must be non-empty, end in "\n", be
// UTF-8 and hold no control character other than '\n' (InvalidArgument
// otherwise). Per c2sp.org/signed-note it may contain blank lines: a note's
// text ends at its last blank line.
Result<SignedNote> SignNote(std::string_view text, const SigningKey& key);
// Appends a signature by `key` to an existing note (cosigning); a signature
// with the same key name and hash is replaced, not duplicated (as Go's
// note.Sign does).
void AddSignature(SignedNote* note, const SigningKey& key);
// OK iff the note carries a valid signature by `key` (matched by name and key
// hash). Corruption("signature by <name> does not verify") / NotFound("no
// signature by <name>").
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
// Requires a valid checkpoint: non-empty origin, no '\n' or control characters
// in origin or extension lines.
std::string SignCheckpoint(const Checkpoint& cp, const SigningKey& key);
// Parses a signed checkpoint note and verifies it against `key` (errors as
// SignedNote::Parse, VerifyNote and Checkpoint::Parse, prefixed
// "checkpoint..."). The origin line is not compared with the key name: the
// caller decides which key it trusts for which origin.
Result<Checkpoint> OpenCheckpoint(std::string_view note,
                                  const VerifierKey& key);

}  // namespace ledger

#endif  // UDI_LEDGER_NOTE_H_
