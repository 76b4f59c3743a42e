// The LevelDB key layout of the log (spec/log-format.md, section 4). Pure
// functions. Format 4:
//
//   m:version                  "4" (kFormatVersion)
//   m:origin, m:verifier, m:size, m:checkpoint, m:replica   metadata
//   I digest(32 bytes)         be64(i): event id → entry index (unique)
//   R key-id                   JCS participant JSON (registry, latest state)
//   T be64(ms + 2^63) be64(i)  "": eventTime index
//   X kind esc(key) 0x00 be64(i)  index list (IndexKind), key escaped
//   s be64(i) 'E'              entry i (JCS bytes)
//   s be64(last) 'N' level     32-byte hash of the perfect subtree (level, k),
//                              last = (k+1)·2^level − 1, its last leaf
//
// Entries and tree nodes form one family that grows at its end and sorts after
// every other key, so that LevelDB moves its tables down without rewriting
// them. Formats 1-3 keyed entries `E be64(i)`, nodes `N level be64(k)` and
// event ids `I <id text>` (namespace v3, for migration).
#ifndef UDI_LEDGER_LOG_LOG_KEYS_H_
#define UDI_LEDGER_LOG_LOG_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/log.h"

namespace ledger::logkeys {

inline constexpr std::string_view kFormatVersion = "4";
// The previous formats, which MigrateDataDir upgrades (spec/log-format.md §7).
inline constexpr std::string_view kFormatVersion3 = "3";
inline constexpr std::string_view kFormatVersion2 = "2";
inline constexpr std::string_view kFormatVersion1 = "1";

inline constexpr std::string_view kVersionKey = "m:version";
inline constexpr std::string_view kOriginKey = "m:origin";
inline constexpr std::string_view kVerifierKey = "m:verifier";
inline constexpr std::string_view kSizeKey = "m:size";
inline constexpr std::string_view kCheckpointKey = "m:checkpoint";
// Present (value "1") only in a replica's data dir: m:verifier is then the
// origin's checkpoint key and m:checkpoint the origin's note.
inline constexpr std::string_view kReplicaKey = "m:replica";

// Entries and tree nodes: kSeqPrefix be64(position) tag [level].
inline constexpr char kSeqPrefix = 's';
inline constexpr char kEntryTag = 'E';
inline constexpr char kNodeTag = 'N';
inline constexpr char kEventIdPrefix = 'I';
inline constexpr char kIndexPrefix = 'X';
inline constexpr char kTimePrefix = 'T';
inline constexpr char kRegistryPrefix = 'R';
inline constexpr char kMetaPrefix = 'm';

// OK when `version` (the m:version value of data dir `dir`) is the version
// this build reads. FailedPrecondition naming the migration for a previous
// version (1, 2 or 3) and for a newer one; Corruption for anything else.
Status CheckFormatVersion(std::string_view dir, std::string_view version);

std::string EntryKey(uint64_t index);
// The key of perfect subtree (level, index): keyed by its last leaf,
// (index+1)·2^level − 1, so that it follows the entry that completes it.
std::string NodeKey(int level, uint64_t index);
// `I` and the 32 digest bytes of an event id `ni:///sha-256;<64 lower-case
// hex>`; nullopt for any other text (no stored event has such an id).
std::optional<std::string> EventIdKey(std::string_view event_id);
// The event id text of an `I` key; nullopt if the key has another shape.
std::optional<std::string> EventIdOfKey(std::string_view key);
// "X" kind Escape(key) 0x00: every index key of (kind, key) starts with this.
std::string IndexPrefix(IndexKind kind, std::string_view key);
std::string IndexKey(IndexKind kind, std::string_view key, uint64_t index);
std::string TimeKey(int64_t event_time_ms, uint64_t index);
std::string RegistryKey(std::string_view key_id);
std::string Be64(uint64_t v);

// Index keys must not contain 0x00 (the terminator): 0x01 → 0x01 0x02 and 0x00
// → 0x01 0x01.
std::string Escape(std::string_view key);
// Escape(key) appended to *out.
void AppendEscaped(std::string* out, std::string_view key);

// The same keys written into a caller's buffer (the single writer reuses one
// buffer instead of allocating a string per key). Each replaces *out.
void EntryKeyInto(std::string* out, uint64_t index);
void NodeKeyInto(std::string* out, int level, uint64_t index);
// False (and *out unspecified) if `event_id` is not a canonical event id.
bool EventIdKeyInto(std::string* out, std::string_view event_id);
void IndexKeyInto(std::string* out, IndexKind kind, std::string_view key,
                  uint64_t index);
void TimeKeyInto(std::string* out, int64_t event_time_ms, uint64_t index);

// Decoded forms; nullopt if the key does not have the exact shape (for a
// node key: a level above 63, or a position that is not the last leaf of a
// subtree of that level).
std::optional<uint64_t> ParseEntryKey(std::string_view key);
struct NodeId {
  int level;
  uint64_t index;
};
std::optional<NodeId> ParseNodeKey(std::string_view key);

// The keys of formats 1-3 that format 4 changed (for MigrateDataDir).
namespace v3 {
inline constexpr char kEntryPrefix = 'E';
inline constexpr char kNodePrefix = 'N';
std::string EntryKey(uint64_t index);               // E be64(index)
std::string NodeKey(int level, uint64_t index);     // N level be64(index)
std::string EventIdKey(std::string_view event_id);  // I <id text>
std::optional<uint64_t> ParseEntryKey(std::string_view key);
std::optional<NodeId> ParseNodeKey(std::string_view key);
}  // namespace v3
// The log index a secondary-index or time key ends in (for an X key: the last
// index of its list).
std::optional<uint64_t> TrailingIndex(std::string_view key);

// Index lists (format 3): the X key of (kind, key) ending in be64(last) holds
// the ascending entry indexes e_0 < ... < e_m = last of one write batch as the
// gaps e_1 - e_0, ..., e_m - e_(m-1), each a minimal unsigned LEB128 varint
// (so a one-element list has an empty value, the version-2 key). Lists of one
// (kind, key) are disjoint and ordered: every index of a list is greater than
// every index of the lists before it in key order.
//
// The value for `indexes` (ascending, distinct, non-empty); the key ends in
// be64(indexes.back()).
void AppendIndexListValue(std::string* out, const uint64_t* indexes, size_t n);
// Decodes the list of an X key whose last index is `last` into *out
// (replaced), ascending. Corruption naming the byte offset when a varint is
// truncated, not minimal or zero, or the gaps exceed `last`.
Status DecodeIndexList(uint64_t last, std::string_view value,
                       std::vector<uint64_t>* out);

// Time bias so that signed milliseconds sort as unsigned big-endian.
inline uint64_t BiasTime(int64_t ms) {
  return static_cast<uint64_t>(ms) ^ (uint64_t{1} << 63);
}
inline int64_t UnbiasTime(uint64_t v) {
  return static_cast<int64_t>(v ^ (uint64_t{1} << 63));
}

// A printable form of a key for error messages ("E/1042", "N/1/520",
// "I/ni:///sha-256;...", "X/p/01/0950.../21/1 @7", ...).
std::string Describe(std::string_view key);

}  // namespace ledger::logkeys

#endif  // UDI_LEDGER_LOG_LOG_KEYS_H_
