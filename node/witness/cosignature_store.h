// The checkpoint each origin was last witnessed at, with the cosignatures
// collected for it (this node's and its peers'), so that GET
// /v1/logs/{origin}/checkpoint serves "origin note + cosignature lines" and
// still does after a restart.
//
// File DATA/witness/cosigned.json (format 1): {"format": 1, "origins":
// {origin: {"text": note text, "signatures": [signature line, ...]}}}. Written
// by Flush (atomically), which the witness calls about once a second and at
// stop: losing the last second of cosignatures in a crash is harmless (they
// are re-made or re-collected), and the append-only guarantee rests on the
// replica log, not on this file.
//
// Threads: thread-safe (one mutex).
#ifndef UDI_NODE_WITNESS_COSIGNATURE_STORE_H_
#define UDI_NODE_WITNESS_COSIGNATURE_STORE_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ledger/note.h"
#include "ledger/status.h"

namespace witness {

class CosignatureStore {
 public:
  // Reads `path` if it exists; Corruption naming the path otherwise.
  static ledger::Result<std::unique_ptr<CosignatureStore>> Open(
      std::string path);

  // The checkpoint of an origin only moves forward: a text replaces the
  // current one only when its size (the note text's second line) is larger,
  // or when either size cannot be read. An older or same-size other text is
  // ignored (a same-size conflict is the split-view check's business). For the
  // same text, cosignatures are only ever added (a newer one by the same
  // cosigner replaces its older line); a new checkpoint starts a new set,
  // seeded with the cosignatures collected for it while it was ahead.

  // Makes `text` the witnessed checkpoint of `origin` (see above) and adds
  // `sig` to it. False when `text` is older than the current checkpoint.
  bool Witnessed(const std::string& origin, const std::string& text,
                 ledger::NoteSignature sig);
  // Makes `text` the current checkpoint of `origin` without cosigning it
  // (the node's own log, which peers cosign). False when older.
  bool Track(const std::string& origin, const std::string& text);
  // Adds a peer's (already verified) cosignature of `text`. When `text` is the
  // current checkpoint it joins the current set; when `text` is newer, it is
  // held for that checkpoint (the newest one seen ahead, in memory only) until
  // Witnessed/Track makes it current. Returns true when added to the current
  // set or already held there; false when the text is not current or
  // kMaxSignatures is reached.
  bool Collect(const std::string& origin, const std::string& text,
               ledger::NoteSignature sig);
  // The cosignatures held for `origin` at exactly `text` (empty otherwise).
  std::vector<ledger::NoteSignature> For(const std::string& origin,
                                         const std::string& text) const;
  // The current witnessed checkpoint text of `origin` ("" when none).
  std::string Text(const std::string& origin) const;
  // Writes the file when anything changed since the last Flush.
  ledger::Status Flush();

  static constexpr size_t kMaxSignatures = 32;

 private:
  struct Entry {
    std::string text;
    std::vector<ledger::NoteSignature> signatures;
  };
  struct Origin {
    Entry current;
    Entry ahead;  // cosignatures of a newer checkpoint, collected early
  };
  // Moves `o` to `text` when it is newer (see above); false when older.
  static bool Advance(Origin* o, const std::string& text);
  explicit CosignatureStore(std::string path) : path_(std::move(path)) {}

  const std::string path_;
  mutable std::mutex mu_;  // guards origins_ and dirty_
  std::map<std::string, Origin> origins_;
  bool dirty_ = false;
};

}  // namespace witness

#endif  // UDI_NODE_WITNESS_COSIGNATURE_STORE_H_
