// C2SP signed notes and tlog checkpoints.
#include "ledger/note.h"

#include <cassert>
#include <charconv>
#include <string>

#include "ledger/jcs/jcs_internal.h"

namespace ledger {
namespace {

constexpr std::string_view kSigPrefix =
    "\xE2\x80\x94 ";  // U+2014 em dash, space
// Verifiers must accept at least 16 signatures (c2sp.org/signed-note); Go's
// note package caps at 100, and so do we.
constexpr size_t kMaxSignatures = 100;

std::string Line(size_t n) { return "line " + std::to_string(n) + ": "; }

// 1-based line number of byte `offset` of `text`.
size_t LineOf(std::string_view text, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i)
    line += text[i] == '\n';
  return line;
}

// Signed notes must be UTF-8 without ASCII control characters other than
// newline.
Status CheckNoteCharacters(std::string_view text) {
  size_t bad = jcs_internal::FindInvalidUtf8(text);
  if (bad != std::string_view::npos) {
    return Status::InvalidArgument(Line(LineOf(text, bad)) +
                                   "not UTF-8 (byte " + std::to_string(bad) +
                                   ")");
  }
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\n') {
      return Status::InvalidArgument(
          Line(LineOf(text, i)) + "control character 0x" +
          ToHex(text.substr(i, 1)) + " is not allowed in a note");
    }
  }
  return Status::OK();
}

std::string SignatureLine(const NoteSignature& sig) {
  std::string blob;
  for (int shift = 24; shift >= 0; shift -= 8) {
    blob.push_back(static_cast<char>(sig.key_hash >> shift));
  }
  blob += sig.signature;
  return std::string(kSigPrefix) + sig.name + " " + ToBase64(blob) + "\n";
}

Result<NoteSignature> ParseSignatureLine(std::string_view line,
                                         size_t line_no) {
  if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
    return Status::InvalidArgument(
        Line(line_no) +
        "signature line must start with an em dash (U+2014) and a "
        "space");
  }
  line.remove_prefix(kSigPrefix.size());
  size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return Status::InvalidArgument(Line(line_no) +
                                   "want '— <key name> <base64 signature>'");
  }
  NoteSignature sig;
  sig.name = std::string(line.substr(0, space));
  if (!IsValidKeyName(sig.name)) {
    return Status::InvalidArgument(Line(line_no) + "invalid key name '" +
                                   sig.name + "'");
  }
  auto blob = FromBase64(line.substr(space + 1));
  if (!blob)
    return Status::InvalidArgument(Line(line_no) + "signature is not base64");
  if (blob->size() < 5) {
    return Status::InvalidArgument(
        Line(line_no) +
        "signature must hold a 4-byte key hash and a signature");
  }
  for (int i = 0; i < 4; ++i) {
    sig.key_hash = sig.key_hash << 8 |
                   static_cast<uint8_t>((*blob)[static_cast<size_t>(i)]);
  }
  sig.signature = blob->substr(4);
  return sig;
}

Status CheckNoteText(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument(
        "note text must be non-empty and end in a newline");
  }
  return CheckNoteCharacters(text);
}

NoteSignature MakeSignature(std::string_view text, const SigningKey& key) {
  return NoteSignature{key.name(), key.verifier().key_hash(), key.Sign(text)};
}

}  // namespace

// ---- SignedNote ----

std::string SignedNote::ToString() const {
  std::string out = text + "\n";
  for (const auto& sig : signatures) out += SignatureLine(sig);
  return out;
}

Result<SignedNote> SignedNote::Parse(std::string_view note) {
  LEDGER_RETURN_IF_ERROR(CheckNoteCharacters(note));
  // The text ends at the last blank line (the text itself may contain blank
  // lines).
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Status::InvalidArgument(
        Line(LineOf(note, note.size())) +
        "no blank line separating the text from signature lines");
  }
  SignedNote out;
  out.text = std::string(note.substr(0, split + 1));
  std::string_view sigs = note.substr(split + 2);
  size_t line_no = LineOf(note, split + 2);
  if (sigs.empty())
    return Status::InvalidArgument(Line(line_no) + "no signature lines");
  while (!sigs.empty()) {
    size_t end = sigs.find('\n');
    if (end == std::string_view::npos) {
      return Status::InvalidArgument(
          Line(line_no) + "signature line does not end in a newline");
    }
    if (out.signatures.size() == kMaxSignatures) {
      return Status::InvalidArgument(Line(line_no) + "more than " +
                                     std::to_string(kMaxSignatures) +
                                     " signatures");
    }
    auto sig = ParseSignatureLine(sigs.substr(0, end), line_no);
    if (!sig.ok()) return sig.status();
    out.signatures.push_back(std::move(*sig));
    sigs.remove_prefix(end + 1);
    ++line_no;
  }
  return out;
}

Result<SignedNote> SignNote(std::string_view text, const SigningKey& key) {
  LEDGER_RETURN_IF_ERROR(CheckNoteText(text));
  SignedNote note;
  note.text = std::string(text);
  note.signatures.push_back(MakeSignature(text, key));
  return note;
}

void AddSignature(SignedNote* note, const SigningKey& key) {
  NoteSignature sig = MakeSignature(note->text, key);
  for (auto& existing : note->signatures) {
    if (existing.name == sig.name && existing.key_hash == sig.key_hash) {
      existing = std::move(sig);  // re-signing replaces, as Go's note.Sign does
      return;
    }
  }
  note->signatures.push_back(std::move(sig));
}

Status VerifyNote(const SignedNote& note, const VerifierKey& key) {
  bool found = false;
  for (const auto& sig : note.signatures) {
    if (sig.name != key.name() || sig.key_hash != key.key_hash()) continue;
    found = true;
    if (!key.Verify(note.text, sig.signature)) {
      return Status::Corruption("signature by " + key.KeyId() +
                                " does not verify");
    }
  }
  if (!found) return Status::NotFound("no signature by " + key.KeyId());
  return Status::OK();
}

// ---- Checkpoint ----

std::string Checkpoint::ToText() const {
  std::string out =
      origin + "\n" + std::to_string(size) + "\n" + ToBase64(root) + "\n";
  for (const auto& ext : extensions) out += ext + "\n";
  return out;
}

Result<Checkpoint> Checkpoint::Parse(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument(Line(LineOf(text, text.size())) +
                                   "checkpoint text must end in a newline");
  }
  LEDGER_RETURN_IF_ERROR(CheckNoteCharacters(text));
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (lines.size() < 3) {
    return Status::InvalidArgument(
        Line(lines.size() + 1) +
        "checkpoint needs origin, tree size and root hash lines");
  }
  Checkpoint cp;
  if (lines[0].empty())
    return Status::InvalidArgument(Line(1) + "origin is empty");
  cp.origin = std::string(lines[0]);
  std::string_view size = lines[1];
  bool digits = !size.empty() &&
                size.find_first_not_of("0123456789") == std::string_view::npos;
  if (!digits || (size.size() > 1 && size[0] == '0')) {
    return Status::InvalidArgument(
        Line(2) + "tree size '" + std::string(size) +
        "' is not a decimal number without leading zeros");
  }
  auto [ptr, ec] =
      std::from_chars(size.data(), size.data() + size.size(), cp.size);
  if (ec != std::errc() || ptr != size.data() + size.size()) {
    return Status::InvalidArgument(Line(2) + "tree size '" + std::string(size) +
                                   "' does not fit in 64 bits");
  }
  auto root = HashFromBase64(lines[2]);
  if (!root) {
    return Status::InvalidArgument(Line(3) +
                                   "root hash is not base64 of 32 bytes");
  }
  cp.root = *root;
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty())
      return Status::InvalidArgument(Line(i + 1) + "extension line is empty");
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

std::string SignCheckpoint(const Checkpoint& cp, const SigningKey& key) {
  SignedNote note;
  note.text = cp.ToText();
  assert(Checkpoint::Parse(note.text).ok());
  AddSignature(&note, key);
  return note.ToString();
}

Result<Checkpoint> OpenCheckpoint(std::string_view note,
                                  const VerifierKey& key) {
  auto parsed = SignedNote::Parse(note);
  if (!parsed.ok()) return parsed.status().WithPrefix("checkpoint note");
  LEDGER_RETURN_IF_ERROR(VerifyNote(*parsed, key).WithPrefix("checkpoint"));
  auto cp = Checkpoint::Parse(parsed->text);
  if (!cp.ok()) return cp.status().WithPrefix("checkpoint");
  return cp;
}

}  // namespace ledger
