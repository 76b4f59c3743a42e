// The regulator console's static files (console/ in the source tree), built
// into the binary by cmake/EmbedFiles.cmake, and the handlers serving them at
// GET /console and GET /console/{asset}. Private to api/.
#ifndef UDI_API_CONSOLE_ASSETS_H_
#define UDI_API_CONSOLE_ASSETS_H_

#include <cstddef>
#include <optional>
#include <string_view>

#include "api/handlers_internal.h"
#include "api/http.h"

namespace api::console {

// One embedded file. All views point into static storage.
struct EmbeddedFile {
  const char* name;  // path relative to console/, e.g. "app.js"
  const char* data;
  size_t size;
  const char* sha256;  // hex SHA-256 of the bytes (the ETag)
};

// Every embedded file, sorted by name (generated console_assets.cc).
const EmbeddedFile* Files(size_t* count);

// The file named `name`, or nullopt.
std::optional<EmbeddedFile> Find(std::string_view name);

// "text/html; charset=utf-8" etc. from the file's extension;
// "application/octet-stream" for an unknown one.
std::string_view ContentTypeOf(std::string_view name);

// The answer for asset `name`: 200 with the bytes, its content type, an ETag
// and Cache-Control: no-cache; 304 (no body) when `if_none_match` names the
// current ETag; 404 naming the asset when there is none. Pure.
Response ServeAsset(std::string_view name, std::string_view if_none_match);

}  // namespace api::console

namespace api {
UDI_HANDLER(HandleConsoleIndex);  // GET /console: index.html
UDI_HANDLER(HandleConsoleAsset);  // GET /console/{asset}
}  // namespace api

#endif  // UDI_API_CONSOLE_ASSETS_H_
