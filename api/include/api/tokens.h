// Bearer tokens mapped to roles. Only SHA-256 hashes of tokens are stored, in a
// JSON file (DATA/tokens.json) that is replaced atomically (write temp file,
// fsync, rename) on every change.
//
//   {"version": 1, "tokens": [{"id": "<16 hex>", "sha256": "<hex>", "role":
//   "writer",
//                              "participant": "<keyId>", "createdAt": "<RFC
//                              3339>"}]}
//
// Token text is "udi_" + 64 hex characters of OS randomness; it is shown once,
// at creation. Thread-safe: one mutex guards the in-memory table and the file.
#ifndef UDI_API_TOKENS_H_
#define UDI_API_TOKENS_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/status.h"

namespace api {

enum class Role { kReader, kWriter, kRegulator, kAdmin };
const char* RoleName(Role role);  // "reader", "writer", "regulator", "admin"
std::optional<Role> ParseRole(std::string_view name);

struct TokenInfo {
  std::string id;  // public handle, used to delete the token
  Role role = Role::kReader;
  std::string
      participant;     // writer tokens: the participant key id they may sign as
  std::string sha256;  // hex SHA-256 of the token text
  std::string created_at;
};

class TokenStore {
 public:
  // Loads `path` if it exists (Corruption naming the path and member if
  // malformed); otherwise starts empty and creates the file at the first
  // change.
  static ledger::Result<std::unique_ptr<TokenStore>> Open(std::string path);

  // Creates a token. Writers need a participant key id; other roles must not
  // have one (InvalidArgument naming "participant"). Returns the stored info
  // and the token text.
  ledger::Result<std::pair<TokenInfo, std::string>> Create(
      Role role, std::string participant);
  // The token's info if `token` is a known token.
  std::optional<TokenInfo> Authenticate(std::string_view token) const;
  // Deletes the token with this id; false if there is none.
  ledger::Result<bool> Delete(std::string_view id);
  std::vector<TokenInfo> List() const;

 private:
  explicit TokenStore(std::string path) : path_(std::move(path)) {}
  ledger::Status SaveLocked() const;

  const std::string path_;
  mutable std::mutex mu_;                     // guards by_hash_ and the file
  std::map<std::string, TokenInfo> by_hash_;  // sha256 hex → info
};

// Writes `contents` to `path` atomically with the given mode (temp file, fsync,
// rename, fsync of the directory). IOError naming the path on failure.
ledger::Status WriteFileAtomically(const std::string& path,
                                   std::string_view contents, int mode);

}  // namespace api

#endif  // UDI_API_TOKENS_H_
