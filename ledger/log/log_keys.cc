#include "ledger/log/log_keys.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "ledger/bytes.h"

namespace ledger::logkeys {

std::string Be64(uint64_t v) {
  std::string out;
  PutBigEndian64(&out, v);
  return out;
}

Status CheckFormatVersion(std::string_view dir, std::string_view version) {
  if (version == kFormatVersion) return Status::OK();
  const std::string d(dir);
  const std::string v(version);
  if (version == kFormatVersion3 || version == kFormatVersion2 ||
      version == kFormatVersion1) {
    return Status::FailedPrecondition(
        "data dir " + d + " has log format version " + v +
        "; this build reads version " + std::string(kFormatVersion) +
        ": back the dir up, then upgrade it with `ledgerctl migrate --data " +
        d + "`");
  }
  const bool numeric = !v.empty() && v.size() < 10 &&
                       v.find_first_not_of("0123456789") == std::string::npos;
  if (numeric && std::stoul(v) > std::stoul(std::string(kFormatVersion))) {
    return Status::FailedPrecondition(
        "data dir " + d + " has log format version " + v +
        ", newer than the version " + std::string(kFormatVersion) +
        " this build reads: use a newer udi-ledger");
  }
  return Status::Corruption("data dir " + d + ": unknown format version '" + v +
                            "' (this build reads " +
                            std::string(kFormatVersion) + ")");
}

namespace {

constexpr std::string_view kNiPrefix = "ni:///sha-256;";

// Lower-case hex digit values; 0x80 for every other byte (upper case is not
// the canonical form). A table, not branches: the digits of a hash are
// random, and a branch per digit mispredicts half the time (~280 ns per id).
constexpr std::array<uint8_t, 256> kHexValue = [] {
  std::array<uint8_t, 256> t{};
  t.fill(0x80);
  for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<uint8_t>(c);
  for (int c = 0; c < 6; ++c) t['a' + c] = static_cast<uint8_t>(10 + c);
  return t;
}();

// Position of the last leaf of perfect subtree (level, index).
uint64_t LastLeaf(int level, uint64_t index) {
  return level >= 64 ? ~uint64_t{0}
                     : ((index + 1) << level) - 1;  // wraps only at 2^64
}

}  // namespace

std::string EntryKey(uint64_t index) {
  std::string key;
  EntryKeyInto(&key, index);
  return key;
}

std::string NodeKey(int level, uint64_t index) {
  std::string key;
  NodeKeyInto(&key, level, index);
  return key;
}

std::optional<std::string> EventIdKey(std::string_view event_id) {
  std::string key;
  if (!EventIdKeyInto(&key, event_id)) return std::nullopt;
  return key;
}

std::optional<std::string> EventIdOfKey(std::string_view key) {
  if (key.size() != 33 || key[0] != kEventIdPrefix) return std::nullopt;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(kNiPrefix);
  for (unsigned char c : key.substr(1)) {
    id.push_back(kHex[c >> 4]);
    id.push_back(kHex[c & 15]);
  }
  return id;
}

std::string Escape(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  AppendEscaped(&out, key);
  return out;
}

void AppendEscaped(std::string* out, std::string_view key) {
  // Index keys (EPCs, locations, signers) almost never hold 0x00 or 0x01:
  // skip eight bytes at a time while none is below 0x02 (the high bit of a
  // byte of `low` is set iff the word has one; exact as to whether).
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, key.data() + i, sizeof w);
    const uint64_t low = (w - 2 * kOnes) & ~w & kHigh;
    if (low != 0) break;
  }
  size_t start = 0;  // copies runs without 0x00 / 0x01 in one append
  for (; i < key.size(); ++i) {
    const char c = key[i];
    if (c == '\0' || c == '\x01') {
      out->append(key.substr(start, i - start));
      out->push_back('\x01');
      out->push_back(c == '\0' ? '\x01' : '\x02');
      start = i + 1;
    }
  }
  out->append(key.substr(start));
}

void EntryKeyInto(std::string* out, uint64_t index) {
  out->clear();
  out->push_back(kSeqPrefix);
  PutBigEndian64(out, index);
  out->push_back(kEntryTag);
}

void NodeKeyInto(std::string* out, int level, uint64_t index) {
  out->clear();
  out->push_back(kSeqPrefix);
  PutBigEndian64(out, LastLeaf(level, index));
  out->push_back(kNodeTag);
  out->push_back(static_cast<char>(level));
}

bool EventIdKeyInto(std::string* out, std::string_view event_id) {
  if (event_id.size() != kNiPrefix.size() + 64 ||
      !event_id.starts_with(kNiPrefix)) {
    return false;
  }
  out->resize(33);
  char* key = out->data();
  key[0] = kEventIdPrefix;
  const auto* hex = reinterpret_cast<const unsigned char*>(event_id.data() +
                                                           kNiPrefix.size());
  uint8_t bad = 0;
  for (size_t i = 0; i < 32; ++i) {
    const uint8_t hi = kHexValue[hex[2 * i]];
    const uint8_t lo = kHexValue[hex[2 * i + 1]];
    bad |= hi | lo;
    key[1 + i] = static_cast<char>((hi << 4) | (lo & 15));
  }
  return (bad & 0x80) == 0;
}

void IndexKeyInto(std::string* out, IndexKind kind, std::string_view key,
                  uint64_t index) {
  out->clear();
  out->push_back(kIndexPrefix);
  out->push_back(static_cast<char>(kind));
  AppendEscaped(out, key);
  out->push_back('\0');
  PutBigEndian64(out, index);
}

void TimeKeyInto(std::string* out, int64_t event_time_ms, uint64_t index) {
  out->clear();
  out->push_back(kTimePrefix);
  PutBigEndian64(out, BiasTime(event_time_ms));
  PutBigEndian64(out, index);
}

std::string IndexPrefix(IndexKind kind, std::string_view key) {
  std::string out(1, kIndexPrefix);
  out.push_back(static_cast<char>(kind));
  out.append(Escape(key));
  out.push_back('\0');
  return out;
}

std::string IndexKey(IndexKind kind, std::string_view key, uint64_t index) {
  std::string out = IndexPrefix(kind, key);
  PutBigEndian64(&out, index);
  return out;
}

std::string TimeKey(int64_t event_time_ms, uint64_t index) {
  std::string key(1, kTimePrefix);
  PutBigEndian64(&key, BiasTime(event_time_ms));
  PutBigEndian64(&key, index);
  return key;
}

std::string RegistryKey(std::string_view key_id) {
  std::string key(1, kRegistryPrefix);
  key.append(key_id);
  return key;
}

std::optional<uint64_t> ParseEntryKey(std::string_view key) {
  if (key.size() != 10 || key[0] != kSeqPrefix || key[9] != kEntryTag) {
    return std::nullopt;
  }
  return GetBigEndian64(key.substr(1, 8));
}

std::optional<NodeId> ParseNodeKey(std::string_view key) {
  if (key.size() != 11 || key[0] != kSeqPrefix || key[9] != kNodeTag) {
    return std::nullopt;
  }
  const int level = static_cast<unsigned char>(key[10]);
  if (level > 63) return std::nullopt;
  const uint64_t last = GetBigEndian64(key.substr(1, 8));
  const uint64_t mask = (uint64_t{1} << level) - 1;
  if ((last & mask) != mask) return std::nullopt;  // not a subtree's last leaf
  return NodeId{level, last >> level};
}

namespace v3 {

std::string EntryKey(uint64_t index) { return kEntryPrefix + Be64(index); }

std::string NodeKey(int level, uint64_t index) {
  std::string key(1, kNodePrefix);
  key.push_back(static_cast<char>(level));
  PutBigEndian64(&key, index);
  return key;
}

std::string EventIdKey(std::string_view event_id) {
  std::string key(1, kEventIdPrefix);
  key.append(event_id);
  return key;
}

std::optional<uint64_t> ParseEntryKey(std::string_view key) {
  if (key.size() != 9 || key[0] != kEntryPrefix) return std::nullopt;
  return GetBigEndian64(key.substr(1));
}

std::optional<NodeId> ParseNodeKey(std::string_view key) {
  if (key.size() != 10 || key[0] != kNodePrefix) return std::nullopt;
  int level = static_cast<unsigned char>(key[1]);
  if (level > 63) return std::nullopt;
  return NodeId{level, GetBigEndian64(key.substr(2))};
}

}  // namespace v3

std::optional<uint64_t> TrailingIndex(std::string_view key) {
  if (key.size() < 9) return std::nullopt;
  return GetBigEndian64(key.substr(key.size() - 8));
}

void AppendIndexListValue(std::string* out, const uint64_t* indexes, size_t n) {
  for (size_t k = 1; k < n; ++k) {
    uint64_t gap = indexes[k] - indexes[k - 1];
    while (gap >= 0x80) {
      out->push_back(static_cast<char>((gap & 0x7f) | 0x80));
      gap >>= 7;
    }
    out->push_back(static_cast<char>(gap));
  }
}

Status DecodeIndexList(uint64_t last, std::string_view value,
                       std::vector<uint64_t>* out) {
  out->clear();
  out->push_back(0);  // e_0, set below
  uint64_t total = 0;
  size_t pos = 0;
  while (pos < value.size()) {
    const size_t start = pos;
    uint64_t gap = 0;
    int shift = 0;
    for (;;) {
      if (pos >= value.size()) {
        return Status::Corruption("index list: varint at byte " +
                                  std::to_string(start) + " is truncated");
      }
      const auto b = static_cast<unsigned char>(value[pos++]);
      if (shift == 63 && b > 1) {
        return Status::Corruption("index list: varint at byte " +
                                  std::to_string(start) + " overflows");
      }
      gap |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && pos - start > 1) {
          return Status::Corruption("index list: varint at byte " +
                                    std::to_string(start) + " is not minimal");
        }
        break;
      }
      shift += 7;
      if (shift > 63) {
        return Status::Corruption("index list: varint at byte " +
                                  std::to_string(start) + " overflows");
      }
    }
    if (gap == 0) {
      return Status::Corruption("index list: gap 0 at byte " +
                                std::to_string(start) +
                                " (indexes must ascend)");
    }
    if (gap > last - total) {
      return Status::Corruption(
          "index list: gaps up to byte " + std::to_string(start) +
          " exceed the last index " + std::to_string(last));
    }
    total += gap;
    out->push_back(gap);
  }
  // out holds [0, g_1, ..., g_m]: turn it into e_0 .. e_m.
  uint64_t e = last - total;
  for (uint64_t& v : *out) {
    e += v;
    v = e;
  }
  return Status::OK();
}

std::string Describe(std::string_view key) {
  if (key.empty()) return "(empty key)";
  auto printable = [](std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
      if (c >= 0x20 && c < 0x7f) {
        out.push_back(static_cast<char>(c));
      } else {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\x";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
    }
    return out;
  };
  if (auto i = ParseEntryKey(key)) return "E/" + std::to_string(*i);
  if (auto n = ParseNodeKey(key)) {
    return "N/" + std::to_string(n->level) + "/" + std::to_string(n->index);
  }
  if (key[0] == kIndexPrefix && key.size() >= 11 &&
      key[key.size() - 9] == '\0') {
    return "X/" + printable(key.substr(1, 1)) + "/" +
           printable(key.substr(2, key.size() - 11)) + " @" +
           std::to_string(*TrailingIndex(key));
  }
  if (key[0] == kTimePrefix && key.size() == 17) {
    return "T/" + std::to_string(UnbiasTime(GetBigEndian64(key.substr(1)))) +
           " @" + std::to_string(*TrailingIndex(key));
  }
  if (auto id = EventIdOfKey(key)) return "I/" + *id;
  if (key[0] == kEventIdPrefix || key[0] == kRegistryPrefix) {
    return std::string(1, key[0]) + "/" + printable(key.substr(1));
  }
  return printable(key);
}

}  // namespace ledger::logkeys
