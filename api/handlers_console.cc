// The regulator console: static files built into the binary (see
// console_assets.h and console/README.md).
#include <algorithm>
#include <string>

#include "api/console_assets.h"

namespace api::console {
namespace {

struct TypeByExtension {
  std::string_view extension;
  std::string_view content_type;
};
constexpr TypeByExtension kTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".json", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
};

// Only our own files, no inline script, no framing: the console handles
// bearer tokens, so it must not run anything but what the node serves.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

// RFC 9110 13.1.2: If-None-Match is "*" or a list of entity tags; weak tags
// compare equal under the weak comparison used for GET.
bool MatchesEtag(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  size_t start = 0;
  while (start < if_none_match.size()) {
    size_t comma = if_none_match.find(',', start);
    std::string_view tag = if_none_match.substr(
        start, comma == std::string_view::npos ? std::string_view::npos
                                               : comma - start);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

}  // namespace

std::optional<EmbeddedFile> Find(std::string_view name) {
  size_t count = 0;
  const EmbeddedFile* files = Files(&count);
  const EmbeddedFile* end = files + count;
  const EmbeddedFile* it = std::find_if(
      files, end, [name](const EmbeddedFile& f) { return f.name == name; });
  if (it == end) return std::nullopt;
  return *it;
}

std::string_view ContentTypeOf(std::string_view name) {
  for (const auto& t : kTypes) {
    if (EndsWith(name, t.extension)) return t.content_type;
  }
  return "application/octet-stream";
}

Response ServeAsset(std::string_view name, std::string_view if_none_match) {
  std::optional<EmbeddedFile> file = Find(name);
  if (!file) {
    return ErrorResponse(
        404, "asset: no console file named '" + std::string(name) + "'",
        "asset");
  }
  const std::string etag = "\"" + std::string(file->sha256) + "\"";
  Response r;
  r.content_type = std::string(ContentTypeOf(name));
  r.headers = {{"ETag", etag},
               {"Cache-Control", "no-cache"},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"}};
  if (EndsWith(name, ".html")) {
    r.headers.emplace_back("Content-Security-Policy",
                           std::string(kContentSecurityPolicy));
  }
  if (MatchesEtag(if_none_match, etag)) {
    r.status = 304;
    return r;
  }
  r.body.assign(file->data, file->size);
  return r;
}

}  // namespace api::console

namespace api {

UDI_HANDLER(HandleConsoleIndex) {
  (void)service;
  (void)caller;
  reply(console::ServeAsset("index.html", request.Header("if-none-match")));
}

UDI_HANDLER(HandleConsoleAsset) {
  (void)service;
  (void)caller;
  reply(console::ServeAsset(request.path_params.at("asset"),
                            request.Header("if-none-match")));
}

}  // namespace api
