// Private key files: created with mode 0600, never overwritten.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "ledger/keys.h"

namespace ledger {
namespace {

constexpr size_t kMaxKeyFileSize = 4096;

std::string Errno(const std::string& path, const char* what) {
  return path + ": " + what + ": " + std::strerror(errno);
}

}  // namespace

Status WritePrivateKeyFile(const std::string& path, const SigningKey& key) {
  // O_EXCL makes creation atomic and refuses an existing file (or symlink) at
  // `path`.
  int fd = ::open(path.c_str(),
                  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Status::AlreadyExists(
          path + ": already exists; refusing to overwrite a key file");
    }
    return Status::IOError(Errno(path, "cannot create"));
  }
  std::string text = key.ToText() + "\n";
  Status status;
  if (::fchmod(fd, 0600) !=
      0) {  // the umask may have removed bits; never leave it wider
    status = Status::IOError(Errno(path, "cannot set mode 0600"));
  }
  size_t written = 0;
  while (status.ok() && written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status = Status::IOError(Errno(path, "cannot write"));
      break;
    }
    written += static_cast<size_t>(n);
  }
  if (status.ok() && ::fsync(fd) != 0)
    status = Status::IOError(Errno(path, "cannot fsync"));
  if (::close(fd) != 0 && status.ok())
    status = Status::IOError(Errno(path, "cannot close"));
  std::fill(text.begin(), text.end(), '\0');
  if (!status.ok()) ::unlink(path.c_str());
  return status;
}

Result<SigningKey> ReadPrivateKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(Errno(path, "cannot open"));
  std::string text(kMaxKeyFileSize + 1, '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Status::IOError(Errno(path, "cannot read"));
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got > kMaxKeyFileSize) {
    return Status::InvalidArgument(path +
                                   ": too large to be a private key file");
  }
  text.resize(got);
  auto key = SigningKey::Parse(text);
  std::fill(text.begin(), text.end(), '\0');
  if (!key.ok()) return key.status().WithPrefix(path);
  return key;
}

}  // namespace ledger
