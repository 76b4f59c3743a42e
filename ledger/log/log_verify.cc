// VerifyDataDir: offline, full verification of a log data dir. Streams over the
// store (memory does not grow with the log, except the registry) and reports
// the first problem found.
//
// Order of checks (so the first message is the most precise one):
//   1. metadata: format version, verifier key, origin, size, the signed
//   checkpoint's signature;
//   2. every entry in order: canonical JSON, index, prev hash, receivedAt, the
//      envelope signature against the registry as of that entry, the event's
//      validity, its event-id key and every index key it implies (each X
//      (kind, key, index) found in the next unread place of that (kind,
//      key)'s index lists), and the tree nodes its leaf completes (format 4
//      stores them right after the entry: level 0 against the leaf hash, each
//      level above against the hash recomputed from the entries);
//   3. no stored key that the entries do not imply (counts per key family,
//      then a precise search);
//   4. the registry keys against the replayed registry;
//   5. the recomputed root against the signed checkpoint.
#include <leveldb/iterator.h>

#include <map>
#include <unordered_map>

#include "ledger/jcs.h"
#include "ledger/log.h"
#include "ledger/log/log_check.h"
#include "ledger/log/log_db.h"
#include "ledger/log/log_entry.h"
#include "ledger/log/log_keys.h"

namespace ledger {
namespace {

using logdb::Db;

std::string Entry(uint64_t i) { return "entry " + std::to_string(i); }

class DirVerifier {
 public:
  DirVerifier(const Db* db, const VerifierKey* expected)
      : db_(db), expected_(expected) {}
  Result<VerifyReport> Run();

 private:
  Status CheckMeta();
  Status CheckEntries();
  // Entry i (bytes), then its tree nodes at *it (advanced past them).
  Status CheckEntry(uint64_t i, const std::string& bytes,
                    leveldb::Iterator* it);
  Status CheckEventKeys(uint64_t i, const logcheck::CheckedEntry& e);
  // Entry i implies X key `key` (prefix + be64(i)): i must be the next unread
  // index of the (kind, key)'s lists, opening the next list when none is open.
  Status CheckListedIndex(uint64_t i, const std::string& key);
  // After the last entry: every opened list must have been read to its end.
  Status CheckListsConsumed();
  Status CheckKeyCounts();
  Status FindUnexpectedKey(char family);
  Result<std::vector<std::string>> ExpectedKeysOf(uint64_t i);
  Status CheckRegistry();
  Result<std::optional<std::string>> Get(std::string_view key) const {
    return db_->Get(key);
  }
  std::unique_ptr<leveldb::Iterator> NewIterator() const {
    return std::unique_ptr<leveldb::Iterator>(
        db_->db->NewIterator(db_->ReadOptions(nullptr)));
  }

  const Db* db_;
  const VerifierKey* expected_;
  std::optional<VerifierKey> verifier_;
  bool replica_ = false;  // m:replica present
  std::string origin_;
  uint64_t size_ = 0;
  Checkpoint checkpoint_;
  Hash checkpoint_tree_root_ = merkle::EmptyRoot();  // root at checkpoint_.size

  merkle::CompactRange range_;
  Hash prev_leaf_{};
  logentry::Registry registry_;
  uint64_t events_ = 0;
  uint64_t index_keys_ = 0;  // T keys implied by the events + X lists read
  // Index lists being read, by X key prefix (kind, escaped key, 0x00): a list
  // stays here while some of its indexes are still to be claimed by entries.
  struct OpenList {
    std::string key;  // the list's X key
    std::vector<uint64_t> indexes;
    size_t next = 0;  // indexes[next] is the next entry that must imply it
  };
  std::unordered_map<std::string, OpenList> open_lists_;
  std::unique_ptr<leveldb::Iterator> list_it_;  // for opening lists
};

Result<VerifyReport> DirVerifier::Run() {
  LEDGER_RETURN_IF_ERROR(CheckMeta());
  LEDGER_RETURN_IF_ERROR(CheckEntries());
  LEDGER_RETURN_IF_ERROR(CheckListsConsumed());
  LEDGER_RETURN_IF_ERROR(CheckKeyCounts());
  LEDGER_RETURN_IF_ERROR(CheckRegistry());
  const Hash root = range_.Root();
  // The root of the first checkpoint_.size entries (all of them except in a
  // replica caught up by prefix imports).
  if (checkpoint_tree_root_ != checkpoint_.root) {
    return Status::Corruption("checkpoint: root mismatch (got " +
                              ToHex(checkpoint_.root) + ", want " +
                              ToHex(checkpoint_tree_root_) + ")");
  }
  return VerifyReport{size_, events_, registry_.size(), root};
}

Status DirVerifier::CheckMeta() {
  std::map<std::string_view, std::string> meta;
  for (std::string_view key :
       {logkeys::kVersionKey, logkeys::kOriginKey, logkeys::kVerifierKey,
        logkeys::kSizeKey, logkeys::kCheckpointKey}) {
    auto v = Get(key);
    if (!v.ok()) return v.status();
    if (!v->has_value())
      return Status::Corruption(std::string(key) + ": missing");
    meta[key] = **v;
  }
  LEDGER_RETURN_IF_ERROR(
      logkeys::CheckFormatVersion(db_->dir, meta[logkeys::kVersionKey]));
  auto replica = Get(logkeys::kReplicaKey);
  if (!replica.ok()) return replica.status();
  replica_ = replica->has_value();
  if (replica_ && **replica != "1") {
    return Status::Corruption("m:replica: value '" + **replica + "', want '1'");
  }
  auto key = VerifierKey::Parse(meta[logkeys::kVerifierKey]);
  if (!key.ok()) return key.status().WithPrefix("m:verifier");
  if (key->ToText() != meta[logkeys::kVerifierKey]) {
    return Status::Corruption("m:verifier: not in canonical form");
  }
  if (expected_ != nullptr && expected_->ToText() != key->ToText()) {
    return Status::Corruption("m:verifier: the data dir's checkpoint key " +
                              key->ToText() + " is not the expected key " +
                              expected_->ToText());
  }
  verifier_ = *key;
  origin_ = meta[logkeys::kOriginKey];
  if (meta[logkeys::kSizeKey].size() != 8)
    return Status::Corruption("m:size: not 8 bytes");
  size_ = GetBigEndian64(meta[logkeys::kSizeKey]);
  const std::string& note_text = meta[logkeys::kCheckpointKey];
  if (replica_ && note_text.empty()) {
    // A replica that has reached no origin note yet (nothing imported, or only
    // prefixes: spec/log-format.md §2b).
    checkpoint_ = Checkpoint{origin_, 0, merkle::EmptyRoot(), {}};
    return Status::OK();
  }
  auto note = SignedNote::Parse(note_text);
  if (!note.ok()) return note.status().WithPrefix("m:checkpoint");
  if (note->ToString() != note_text) {
    return Status::Corruption("m:checkpoint: not in canonical note form");
  }
  // Other signature lines (cosignatures) are allowed and ignored.
  LEDGER_RETURN_IF_ERROR(
      VerifyNote(*note, *verifier_).WithPrefix("m:checkpoint"));
  auto cp = Checkpoint::Parse(note->text);
  if (!cp.ok()) return cp.status().WithPrefix("m:checkpoint");
  if (cp->ToText() != note->text) {
    return Status::Corruption(
        "m:checkpoint: text is not a canonical checkpoint");
  }
  if (cp->origin != origin_) {
    return Status::Corruption("m:checkpoint: origin '" + cp->origin +
                              "' != m:origin '" + origin_ + "'");
  }
  // A replica's note may cover a prefix of its entries (§2b).
  if (replica_ ? cp->size > size_ : cp->size != size_) {
    return Status::Corruption("m:checkpoint: size " + std::to_string(cp->size) +
                              (replica_ ? " > m:size " : " != m:size ") +
                              std::to_string(size_));
  }
  checkpoint_ = std::move(cp).value();
  return Status::OK();
}

Status DirVerifier::CheckEntries() {
  auto it = NewIterator();
  it->Seek(std::string(1, logkeys::kSeqPrefix));
  for (uint64_t i = 0; i < size_; ++i) {
    const std::string want = logkeys::EntryKey(i);
    if (!it->Valid() || it->key().ToString() != want) {
      LEDGER_RETURN_IF_ERROR(logdb::FromLevelDb(it->status(), Entry(i)));
      if (it->Valid() && it->key().compare(want) < 0) {
        return Status::Corruption("key " +
                                  logkeys::Describe(it->key().ToString()) +
                                  ": unexpected key (before " + Entry(i) + ")");
      }
      return Status::Corruption(Entry(i) + ": missing");
    }
    const std::string bytes = it->value().ToString();
    it->Next();
    LEDGER_RETURN_IF_ERROR(CheckEntry(i, bytes, it.get()));
  }
  if (it->Valid() &&
      it->key().starts_with(std::string(1, logkeys::kSeqPrefix))) {
    const std::string key = it->key().ToString();
    return Status::Corruption(
        "key " + logkeys::Describe(key) +
        (logkeys::ParseEntryKey(key)
             ? ": entry beyond m:size " + std::to_string(size_)
             : ": not an entry or tree node of the log (m:size " +
                   std::to_string(size_) + ")"));
  }
  return logdb::FromLevelDb(it->status(), "reading entries");
}

Status DirVerifier::CheckEntry(uint64_t i, const std::string& bytes,
                               leveldb::Iterator* it) {
  auto e = logcheck::CheckEntry(i, prev_leaf_, bytes, &registry_);
  if (!e.ok()) return e.status();
  if (e->type == logcheck::EntryType::kEvent) {
    LEDGER_RETURN_IF_ERROR(CheckEventKeys(i, *e));
  }
  const Hash& leaf = e->leaf;
  // The nodes the leaf completes, level 0 first, each recomputed from the
  // entries and stored right after the entry.
  Status bad;
  range_.Append(leaf, [&](const merkle::CompactRange::NewNode& n) {
    if (!bad.ok()) return;
    const std::string where = "tree node (level " + std::to_string(n.level) +
                              ", index " + std::to_string(n.index) + ")";
    const std::string want_key = logkeys::NodeKey(n.level, n.index);
    if (!it->Valid() || it->key().ToString() != want_key) {
      bad = logdb::FromLevelDb(it->status(), where);
      if (!bad.ok()) return;
      if (it->Valid() && it->key().compare(want_key) < 0) {
        bad = Status::Corruption("key " +
                                 logkeys::Describe(it->key().ToString()) +
                                 ": unexpected key (before " + where + ")");
      } else {
        bad = Status::Corruption(where + ": missing");
      }
      return;
    }
    const std::string got = it->value().ToString();
    if (got.size() != 32) {
      bad = Status::Corruption(where + ": not 32 bytes");
    } else if (got != AsStringView(n.hash)) {
      bad = n.level == 0
                ? Status::Corruption(
                      Entry(i) + ": leaf hash mismatch with stored " + where +
                      " (got " + ToHex(got) + ", want " + ToHex(n.hash) + ")")
                : Status::Corruption(where + ": hash mismatch (got " +
                                     ToHex(got) + ", want " + ToHex(n.hash) +
                                     ")");
    }
    it->Next();
  });
  LEDGER_RETURN_IF_ERROR(bad);
  prev_leaf_ = leaf;
  if (range_.size() == checkpoint_.size) checkpoint_tree_root_ = range_.Root();
  return Status::OK();
}

// The event's I key and every X/T key it implies.
Status DirVerifier::CheckEventKeys(uint64_t i,
                                   const logcheck::CheckedEntry& e) {
  const auto id_key = logkeys::EventIdKey(e.event_id);
  if (!id_key) {
    return Status::Corruption(Entry(i) + ": event id " + e.event_id +
                              " is not in canonical form");
  }
  auto id = Get(*id_key);
  if (!id.ok()) return id.status();
  if (!id->has_value()) {
    return Status::Corruption(Entry(i) + ": event id key " + e.event_id +
                              " missing");
  }
  if (**id != logkeys::Be64(i)) {
    const std::string at =
        (*id)->size() == 8 ? std::to_string(GetBigEndian64(**id)) : "?";
    return Status::Corruption(Entry(i) + ": event id key " + e.event_id +
                              " points to entry " + at +
                              " (a duplicate event, or a corrupted key)");
  }
  for (const std::string& k : logentry::EventIndexKeys(e.facts, e.signer, i)) {
    if (k[0] == logkeys::kIndexPrefix) {
      LEDGER_RETURN_IF_ERROR(CheckListedIndex(i, k));
      continue;
    }
    auto v = Get(k);
    if (!v.ok()) return v.status();
    if (!v->has_value()) {
      return Status::Corruption(Entry(i) + ": index key " +
                                logkeys::Describe(k) + " missing");
    }
    if (!(*v)->empty()) {
      return Status::Corruption(Entry(i) + ": index key " +
                                logkeys::Describe(k) +
                                " has a non-empty value");
    }
    ++index_keys_;
  }
  ++events_;
  return Status::OK();
}

Status DirVerifier::CheckListedIndex(uint64_t i, const std::string& key) {
  const std::string prefix = key.substr(0, key.size() - 8);
  auto open = open_lists_.find(prefix);
  if (open == open_lists_.end()) {
    // The first list whose last index is >= i must start with i (the lists
    // before it were read to their end by earlier entries).
    if (!list_it_) list_it_ = NewIterator();
    list_it_->Seek(key);
    if (!list_it_->Valid() || !list_it_->key().starts_with(prefix) ||
        list_it_->key().size() != key.size()) {
      LEDGER_RETURN_IF_ERROR(
          logdb::FromLevelDb(list_it_->status(), "reading index lists"));
      return Status::Corruption(Entry(i) + ": index key " +
                                logkeys::Describe(key) + " missing");
    }
    OpenList list;
    list.key = list_it_->key().ToString();
    LEDGER_RETURN_IF_ERROR(
        logkeys::DecodeIndexList(
            GetBigEndian64(std::string_view(list.key).substr(prefix.size())),
            std::string_view(list_it_->value().data(),
                             list_it_->value().size()),
            &list.indexes)
            .WithPrefix("key " + logkeys::Describe(list.key)));
    ++index_keys_;
    open = open_lists_.emplace(prefix, std::move(list)).first;
  }
  OpenList& list = open->second;
  const uint64_t want = list.indexes[list.next];
  if (want < i) {
    return Status::Corruption("key " + logkeys::Describe(list.key) +
                              ": lists entry " + std::to_string(want) +
                              ", which does not imply it");
  }
  if (want > i) {
    return Status::Corruption(Entry(i) + ": index key " +
                              logkeys::Describe(key) + " missing (" +
                              logkeys::Describe(list.key) + " lists entry " +
                              std::to_string(want) + " next)");
  }
  if (++list.next == list.indexes.size()) open_lists_.erase(open);
  return Status::OK();
}

Status DirVerifier::CheckListsConsumed() {
  const OpenList* first = nullptr;
  for (const auto& [prefix, list] : open_lists_) {
    if (first == nullptr ||
        list.indexes[list.next] < first->indexes[first->next]) {
      first = &list;
    }
  }
  if (first == nullptr) return Status::OK();
  return Status::Corruption(
      "key " + logkeys::Describe(first->key) + ": lists entry " +
      std::to_string(first->indexes[first->next]) +
      (first->indexes[first->next] < size_ ? ", which does not imply it"
                                           : ", beyond m:size"));
}

// Every expected key was found above; equal counts then mean no key is
// unexpected.
Status DirVerifier::CheckKeyCounts() {
  uint64_t want_nodes = 0;
  for (int level = 0; level < 64; ++level) want_nodes += size_ >> level;
  std::map<char, uint64_t> want = {{logkeys::kSeqPrefix, size_ + want_nodes},
                                   {logkeys::kEventIdPrefix, events_},
                                   {logkeys::kRegistryPrefix, registry_.size()},
                                   {logkeys::kMetaPrefix, replica_ ? 6u : 5u}};
  std::map<char, uint64_t> got;
  uint64_t index_keys = 0;
  auto it = NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    const char family = key.empty() ? '\0' : key[0];
    if (family == logkeys::kIndexPrefix || family == logkeys::kTimePrefix) {
      ++index_keys;
    } else if (want.count(family)) {
      ++got[family];
    } else {
      return Status::Corruption("key " + logkeys::Describe(key) +
                                ": unexpected key");
    }
  }
  LEDGER_RETURN_IF_ERROR(logdb::FromLevelDb(it->status(), "reading keys"));
  for (const auto& [family, count] : want) {
    if (got[family] != count) {
      LEDGER_RETURN_IF_ERROR(FindUnexpectedKey(family));
      return Status::Corruption(std::string(1, family) +
                                " keys: " + std::to_string(got[family]) +
                                " stored, want " + std::to_string(count));
    }
  }
  if (index_keys != index_keys_) {
    LEDGER_RETURN_IF_ERROR(FindUnexpectedKey(logkeys::kIndexPrefix));
    LEDGER_RETURN_IF_ERROR(FindUnexpectedKey(logkeys::kTimePrefix));
    return Status::Corruption("index keys: " + std::to_string(index_keys) +
                              " stored, want " + std::to_string(index_keys_));
  }
  return Status::OK();
}

Result<std::vector<std::string>> DirVerifier::ExpectedKeysOf(uint64_t i) {
  if (i >= size_) return std::vector<std::string>();
  auto bytes = Get(logkeys::EntryKey(i));
  if (!bytes.ok()) return bytes.status();
  auto j = ParseJsonStrict(bytes->value_or(""));
  if (!j.ok() || !j->contains("envelope")) return std::vector<std::string>();
  auto env = Envelope::FromJson((*j)["envelope"]);
  if (!env.ok()) return std::vector<std::string>();
  auto facts = epcis::ValidateEvent(env->event);
  if (!facts.ok()) return std::vector<std::string>();
  return logentry::EventIndexKeys(*facts, env->signer, i);
}

// Finds a stored key of `family` that no entry implies (only called when the
// counts differ).
Status DirVerifier::FindUnexpectedKey(char family) {
  auto it = NewIterator();
  const std::string prefix(1, family);
  std::string list_prefix, list_key;  // the X list before, if any
  uint64_t list_last = 0;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    const std::string key = it->key().ToString();
    const std::string what = "key " + logkeys::Describe(key);
    if (family == logkeys::kIndexPrefix) {
      // A list no entry read: it is not an index list, lists an entry that
      // does not imply it, or overlaps the list before it.
      const size_t end = key.find('\0');
      if (end == std::string::npos || key.size() != end + 9) {
        return Status::Corruption(what + ": not an index list key");
      }
      const std::string prefix = key.substr(0, end + 1);
      std::vector<uint64_t> list;
      LEDGER_RETURN_IF_ERROR(
          logkeys::DecodeIndexList(GetBigEndian64(key.substr(end + 1)),
                                   it->value().ToString(), &list)
              .WithPrefix(what));
      for (uint64_t i : list) {
        auto keys = ExpectedKeysOf(i);
        if (!keys.ok()) return keys.status();
        if (std::find(keys->begin(), keys->end(), prefix + logkeys::Be64(i)) ==
            keys->end()) {
          return Status::Corruption(what + ": lists entry " +
                                    std::to_string(i) +
                                    ", which does not imply it");
        }
      }
      if (prefix == list_prefix && list.front() <= list_last) {
        return Status::Corruption(
            what + ": overlaps the list before it (" +
            logkeys::Describe(list_key) +
            "): the lists of one key must be disjoint and ordered");
      }
      list_prefix = prefix;
      list_key = key;
      list_last = list.back();
    } else if (family == logkeys::kTimePrefix) {
      auto i = logkeys::TrailingIndex(key);
      auto keys = ExpectedKeysOf(i.value_or(size_));
      if (!keys.ok()) return keys.status();
      if (std::find(keys->begin(), keys->end(), key) == keys->end()) {
        return Status::Corruption(what + ": not implied by any entry");
      }
    } else if (family == logkeys::kSeqPrefix) {
      auto i = logkeys::ParseEntryKey(key);
      auto n = logkeys::ParseNodeKey(key);
      if (i ? *i >= size_ : !n || n->index >= (size_ >> n->level)) {
        return Status::Corruption(what +
                                  ": not an entry or tree node of the log");
      }
    } else if (family == logkeys::kEventIdPrefix) {
      if (it->value().size() != 8)
        return Status::Corruption(what + ": value not 8 bytes");
      auto bytes =
          Get(logkeys::EntryKey(GetBigEndian64(it->value().ToString())));
      if (!bytes.ok()) return bytes.status();
      auto j = ParseJsonStrict(bytes->value_or("null"));
      auto env = j.ok() && j->contains("envelope")
                     ? Envelope::FromJson((*j)["envelope"])
                     : Result<Envelope>(Status::NotFound(""));
      auto canonical = env.ok() ? CanonicalEventBytes(env->event)
                                : Result<std::string>(Status::NotFound(""));
      if (!canonical.ok() ||
          logkeys::EventIdKey(EventIdFromCanonical(*canonical)) != key) {
        return Status::Corruption(
            what + ": not the event id of the entry it points to");
      }
    } else if (family == logkeys::kRegistryPrefix) {
      if (!registry_.count(key.substr(1))) {
        return Status::Corruption(what + ": not a registered participant");
      }
    } else if (family == logkeys::kMetaPrefix) {
      bool known = false;
      for (std::string_view k :
           {logkeys::kVersionKey, logkeys::kOriginKey, logkeys::kVerifierKey,
            logkeys::kSizeKey, logkeys::kCheckpointKey, logkeys::kReplicaKey}) {
        known = known || key == k;
      }
      if (!known) return Status::Corruption(what + ": unexpected metadata key");
    }
  }
  return logdb::FromLevelDb(it->status(), "reading keys");
}

Status DirVerifier::CheckRegistry() {
  for (const auto& [id, p] : registry_) {
    const std::string key = logkeys::RegistryKey(id);
    auto v = Get(key);
    if (!v.ok()) return v.status();
    auto want = logentry::ParticipantBytes(p);
    if (!want.ok()) return want.status();
    if (!v->has_value())
      return Status::Corruption("registry key " + logkeys::Describe(key) +
                                ": missing");
    if (**v != *want) {
      return Status::Corruption("registry key " + logkeys::Describe(key) +
                                ": got " + **v + ", want " + *want);
    }
  }
  return Status::OK();
}

Result<VerifyReport> VerifyDir(const std::string& data_dir,
                               const VerifierKey* expected) {
  auto db = logdb::Open(data_dir, /*create=*/false, 8 << 20);
  if (!db.ok()) return db.status();
  return DirVerifier(db->get(), expected).Run();
}

}  // namespace

Result<VerifyReport> VerifyDataDir(const std::string& data_dir) {
  return VerifyDir(data_dir, nullptr);
}

Result<VerifyReport> VerifyDataDir(const std::string& data_dir,
                                   const VerifierKey& expected_verifier) {
  return VerifyDir(data_dir, &expected_verifier);
}

}  // namespace ledger
