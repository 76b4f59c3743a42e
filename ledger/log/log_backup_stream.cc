// The backup stream (spec/backup-format.md): encoder and decoder.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "ledger/bytes.h"
#include "ledger/log/log_backup.h"

namespace ledger::logbackup {

namespace {

constexpr int kZstdLevel = 3;
constexpr size_t kFlushBytes = 1 << 20;   // compress in chunks of ~1 MiB
constexpr uint32_t kMaxItem = 64u << 20;  // no key, value or JSON is larger

void PutBe32(uint32_t v, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>((v >> shift) & 0xff));
}

uint32_t GetBe32(std::string_view b) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(b[i]);
  return v;
}

uint64_t GetBe64(std::string_view b) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(b[i]);
  return v;
}

std::string HexDigest(crypto_hash_sha256_state* sha) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(sha, digest);
  return ToHex(
      std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

nlohmann::json TrailerJson(const BackupInfo& info, const std::string& sha) {
  nlohmann::json j = {{"records", info.records},
                      {"logFormat", info.log_format},
                      {"origin", info.origin},
                      {"verifierKey", info.verifier_key},
                      {"size", info.size},
                      {"checkpoint", info.signed_checkpoint},
                      {"sha256", sha}};
  if (info.backup_version >= 2) j["files"] = info.files;
  return j;
}

// UTC now, RFC 3339 with seconds.
std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

bool IsBackupFileName(std::string_view name) {
  for (auto known : kBackupStateFiles)
    if (name == known) return true;
  for (auto known : kBackupSecretFiles)
    if (name == known) return true;
  return false;
}

void NoteMetaRecord(std::string_view key, std::string_view value,
                    BackupInfo* info) {
  if (key == "m:version") info->log_format = std::string(value);
  if (key == "m:origin") info->origin = std::string(value);
  if (key == "m:verifier") info->verifier_key = std::string(value);
  if (key == "m:checkpoint") info->signed_checkpoint = std::string(value);
  if (key == "m:size" && value.size() == 8) info->size = GetBe64(value);
}

// ---- Encoder ----

Encoder::Encoder(BackupOutput out, std::string source)
    : out_(std::move(out)), cctx_(ZSTD_createCCtx()) {
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, kZstdLevel);
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
  crypto_hash_sha256_init(&sha_);
  info_.created_at = NowRfc3339();
  info_.backup_version = kBackupVersion;
  nlohmann::json header = {{"format", "udi-ledger-backup"},
                           {"version", kBackupVersion},
                           {"source", source},
                           {"createdAt", info_.created_at}};
  std::string h = header.dump();
  std::string bytes(kMagic);
  PutBe32(static_cast<uint32_t>(h.size()), &bytes);
  bytes += h;
  pending_ = bytes;
  crypto_hash_sha256_update(
      &sha_, reinterpret_cast<const unsigned char*>(bytes.data()),
      bytes.size());
}

Encoder::~Encoder() { ZSTD_freeCCtx(cctx_); }

Status Encoder::Write(std::string_view bytes, bool hash) {
  if (hash) {
    crypto_hash_sha256_update(
        &sha_, reinterpret_cast<const unsigned char*>(bytes.data()),
        bytes.size());
  }
  pending_.append(bytes);
  if (pending_.size() >= kFlushBytes) return Flush(ZSTD_e_continue);
  return Status::OK();
}

Status Encoder::Flush(ZSTD_EndDirective mode) {
  ZSTD_inBuffer in{pending_.data(), pending_.size(), 0};
  std::string chunk(ZSTD_CStreamOutSize(), '\0');
  while (true) {
    ZSTD_outBuffer out{chunk.data(), chunk.size(), 0};
    size_t left = ZSTD_compressStream2(cctx_, &out, &in, mode);
    if (ZSTD_isError(left)) {
      return Status::Internal(std::string("backup: zstd: ") +
                              ZSTD_getErrorName(left));
    }
    if (out.pos > 0) {
      LEDGER_RETURN_IF_ERROR(out_(std::string_view(chunk.data(), out.pos)));
    }
    bool done = mode == ZSTD_e_continue ? in.pos == in.size : left == 0;
    if (done) break;
  }
  pending_.clear();
  return Status::OK();
}

Status Encoder::Add(std::string_view key, std::string_view value) {
  if (any_ && key <= std::string_view(last_key_)) {
    return Status::Internal("backup: keys not in ascending order");
  }
  if (!info_.files.empty()) {
    return Status::Internal("backup: a record after the files");
  }
  if (key.size() > kMaxItem || value.size() > kMaxItem) {
    return Status::InvalidArgument("backup: record larger than 64 MiB");
  }
  any_ = true;
  last_key_ = std::string(key);
  NoteMetaRecord(key, value, &info_);
  ++info_.records;
  std::string head(1, kRecordTag);
  PutBe32(static_cast<uint32_t>(key.size()), &head);
  LEDGER_RETURN_IF_ERROR(Write(head, true));
  LEDGER_RETURN_IF_ERROR(Write(key, true));
  std::string len;
  PutBe32(static_cast<uint32_t>(value.size()), &len);
  LEDGER_RETURN_IF_ERROR(Write(len, true));
  return Write(value, true);
}

Status Encoder::AddFile(std::string_view name, std::string_view content) {
  if (!IsBackupFileName(name)) {
    return Status::Internal("backup: " + std::string(name) +
                            ": not a node file a backup carries");
  }
  if (!info_.files.empty() && name <= std::string_view(info_.files.back())) {
    return Status::Internal("backup: files not in ascending order");
  }
  if (content.size() > kMaxItem) {
    return Status::InvalidArgument("backup: " + std::string(name) +
                                   ": larger than 64 MiB");
  }
  info_.files.emplace_back(name);
  std::string head(1, kFileTag);
  PutBe32(static_cast<uint32_t>(name.size()), &head);
  LEDGER_RETURN_IF_ERROR(Write(head, true));
  LEDGER_RETURN_IF_ERROR(Write(name, true));
  std::string len;
  PutBe32(static_cast<uint32_t>(content.size()), &len);
  LEDGER_RETURN_IF_ERROR(Write(len, true));
  return Write(content, true);
}

Result<BackupInfo> Encoder::Finish() {
  if (info_.log_format.empty() || info_.signed_checkpoint.empty() ||
      info_.verifier_key.empty()) {
    return Status::Corruption(
        "backup: the snapshot has no m:version, m:verifier or m:checkpoint "
        "record (not a log data dir?)");
  }
  std::string trailer = TrailerJson(info_, HexDigest(&sha_)).dump();
  std::string bytes(1, kTrailerTag);
  PutBe32(static_cast<uint32_t>(trailer.size()), &bytes);
  bytes += trailer;
  LEDGER_RETURN_IF_ERROR(Write(bytes, false));
  LEDGER_RETURN_IF_ERROR(Flush(ZSTD_e_end));
  return info_;
}

// ---- Decoder ----

namespace {

// Parses the uncompressed stream as it arrives. Items are handled once
// complete; `offset_` is the stream offset of buffer_[0].
class StreamParser {
 public:
  using OnRecord =
      std::function<Status(std::string_view key, std::string_view value)>;
  StreamParser(std::string path, const OnRecord& on_record,
               const OnRecord& on_file)
      : path_(std::move(path)), on_record_(on_record), on_file_(on_file) {
    crypto_hash_sha256_init(&sha_);
  }

  Status Feed(std::string_view bytes) {
    if (done_ && !bytes.empty())
      return Error(offset_, "data after the trailer");
    buffer_.append(bytes);
    while (!done_) {
      bool progressed = false;
      LEDGER_RETURN_IF_ERROR(Step(&progressed));
      if (!progressed) break;
    }
    return Status::OK();
  }

  Result<BackupInfo> End() {
    if (!done_) {
      return Error(offset_ + buffer_.size(),
                   "truncated (the stream ends before the trailer)");
    }
    if (!buffer_.empty()) return Error(offset_, "data after the trailer");
    return info_;
  }

  Status Error(uint64_t at, const std::string& why) const {
    return Status::Corruption("backup " + path_ + ": offset " +
                              std::to_string(at) + ": " + why);
  }

 private:
  // Handles one complete item at the front of the buffer, if there is one.
  Status Step(bool* progressed) {
    if (stage_ == 0) {
      if (buffer_.size() < kMagic.size()) return Status::OK();
      if (std::string_view(buffer_).substr(0, kMagic.size()) != kMagic)
        return Error(0, "not a udi-ledger backup (bad magic)");
      Consume(kMagic.size(), true);
      stage_ = 1;
      *progressed = true;
      return Status::OK();
    }
    if (stage_ == 1) {
      std::string_view header;
      if (!Item(0, &header)) return CheckLength(0);
      auto j = nlohmann::json::parse(header, nullptr, false);
      int version = j.is_object() && j.contains("version") &&
                            j["version"].is_number_integer()
                        ? j["version"].get<int>()
                        : 0;
      if (!j.is_object() || j.value("format", "") != "udi-ledger-backup" ||
          version < 1 || version > kBackupVersion) {
        return Error(offset_ + 4,
                     "header: want format udi-ledger-backup, version 1 to " +
                         std::to_string(kBackupVersion) +
                         " (a newer ledgerctl wrote it?)");
      }
      info_.created_at = j.value("createdAt", "");
      info_.backup_version = version;
      Consume(4 + header.size(), true);
      stage_ = 2;
      *progressed = true;
      return Status::OK();
    }
    if (buffer_.empty()) return Status::OK();
    char tag = buffer_[0];
    if (tag == kRecordTag) return Record(progressed);
    if (tag == kFileTag && info_.backup_version >= 2) return File(progressed);
    if (tag == kTrailerTag) return Trailer(progressed);
    return Error(offset_, "unknown item tag 0x" +
                              ToHex(std::string_view(&buffer_[0], 1)));
  }

  // The length-prefixed item at buffer_[at]; false until it is complete.
  bool Item(size_t at, std::string_view* item) const {
    if (buffer_.size() < at + 4) return false;
    uint32_t len = GetBe32(std::string_view(buffer_).substr(at, 4));
    if (len > kMaxItem || buffer_.size() < at + 4 + len) return false;
    *item = std::string_view(buffer_).substr(at + 4, len);
    return true;
  }

  Status CheckLength(size_t at) const {
    if (buffer_.size() >= at + 4 &&
        GetBe32(std::string_view(buffer_).substr(at, 4)) > kMaxItem) {
      return Error(offset_ + at, "item length over 64 MiB");
    }
    return Status::OK();
  }

  Status Record(bool* progressed) {
    std::string_view key, value;
    if (!Item(1, &key)) return CheckLength(1);
    if (!Item(5 + key.size(), &value)) return CheckLength(5 + key.size());
    if (info_.records > 0 && key <= std::string_view(last_key_)) {
      return Error(offset_, "record keys out of order");
    }
    if (!info_.files.empty()) return Error(offset_, "record after a file");
    if (on_record_) LEDGER_RETURN_IF_ERROR(on_record_(key, value));
    NoteMetaRecord(key, value, &info_);
    last_key_ = std::string(key);
    ++info_.records;
    Consume(9 + key.size() + value.size(), true);
    *progressed = true;
    return Status::OK();
  }

  // A data dir file (format version 2): a known name, in ascending order.
  Status File(bool* progressed) {
    std::string_view name, content;
    if (!Item(1, &name)) return CheckLength(1);
    if (!Item(5 + name.size(), &content)) return CheckLength(5 + name.size());
    std::string shown(name.substr(0, 80));
    if (!IsBackupFileName(name)) {
      return Error(offset_, "file \"" + shown +
                                "\": not a node file a backup may carry "
                                "(spec/backup-format.md section 4)");
    }
    if (!info_.files.empty() && name <= std::string_view(info_.files.back()))
      return Error(offset_, "file \"" + shown + "\": out of order");
    if (on_file_) LEDGER_RETURN_IF_ERROR(on_file_(name, content));
    info_.files.emplace_back(name);
    Consume(9 + name.size() + content.size(), true);
    *progressed = true;
    return Status::OK();
  }

  Status Trailer(bool* progressed) {
    std::string_view text;
    if (!Item(1, &text)) return CheckLength(1);
    uint64_t at = offset_;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) return Error(at, "trailer: not a JSON object");
    std::string digest = HexDigest(&sha_);
    nlohmann::json want = TrailerJson(info_, digest);
    for (const auto& [name, value] : want.items()) {
      if (!j.contains(name) || j[name] != value) {
        std::string got = j.contains(name) ? j[name].dump() : "nothing";
        if (got.size() > 80) got = got.substr(0, 80) + "...";
        return Error(
            at,
            "trailer: " + name + " is " + got + ", the records give " +
                (value.dump().size() > 80 ? value.dump().substr(0, 80) + "..."
                                          : value.dump()));
      }
    }
    Consume(5 + text.size(), false);
    done_ = true;
    *progressed = true;
    return Status::OK();
  }

  void Consume(size_t n, bool hash) {
    if (hash) {
      crypto_hash_sha256_update(
          &sha_, reinterpret_cast<const unsigned char*>(buffer_.data()), n);
    }
    buffer_.erase(0, n);
    offset_ += n;
  }

  const std::string path_;
  const OnRecord& on_record_;
  const OnRecord& on_file_;
  crypto_hash_sha256_state sha_;
  std::string buffer_;
  uint64_t offset_ = 0;
  int stage_ = 0;  // 0 magic, 1 header, 2 records and trailer
  bool done_ = false;
  std::string last_key_;
  BackupInfo info_;
};

}  // namespace

Result<BackupInfo> Decode(const std::string& path,
                          const ItemCallback& on_record,
                          const ItemCallback& on_file) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("backup " + path + ": cannot open");
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(),
                                                          ZSTD_freeDCtx);
  StreamParser parser(path, on_record, on_file);
  std::string input(ZSTD_DStreamInSize(), '\0');
  std::string output(ZSTD_DStreamOutSize(), '\0');
  uint64_t compressed_offset = 0;
  size_t last = 1;  // 0 once a frame is complete
  while (true) {
    in.read(input.data(), static_cast<std::streamsize>(input.size()));
    size_t got = static_cast<size_t>(in.gcount());
    if (got == 0) break;
    ZSTD_inBuffer zin{input.data(), got, 0};
    while (zin.pos < zin.size) {
      ZSTD_outBuffer zout{output.data(), output.size(), 0};
      last = ZSTD_decompressStream(dctx.get(), &zout, &zin);
      if (ZSTD_isError(last)) {
        return Status::Corruption("backup " + path + ": compressed offset " +
                                  std::to_string(compressed_offset + zin.pos) +
                                  ": zstd: " + ZSTD_getErrorName(last));
      }
      LEDGER_RETURN_IF_ERROR(
          parser.Feed(std::string_view(output.data(), zout.pos)));
    }
    compressed_offset += got;
  }
  // Drain what zstd still holds.
  while (true) {
    ZSTD_inBuffer zin{nullptr, 0, 0};
    ZSTD_outBuffer zout{output.data(), output.size(), 0};
    size_t r = ZSTD_decompressStream(dctx.get(), &zout, &zin);
    if (ZSTD_isError(r) || zout.pos == 0) break;
    LEDGER_RETURN_IF_ERROR(
        parser.Feed(std::string_view(output.data(), zout.pos)));
  }
  if (compressed_offset == 0)
    return Status::Corruption("backup " + path + ": empty file");
  if (last != 0) {
    return Status::Corruption(
        "backup " + path + ": truncated at compressed offset " +
        std::to_string(compressed_offset) + " (incomplete zstd frame)");
  }
  return parser.End();
}

}  // namespace ledger::logbackup
