// HTTP content coding of responses (RFC 9110 section 8.4): zstd (RFC 8878)
// when the client asks for it with Accept-Encoding. Private to api/. Pure
// functions, thread-safe.
#ifndef UDI_API_CONTENT_ENCODING_H_
#define UDI_API_CONTENT_ENCODING_H_

#include <cstddef>
#include <string_view>

#include "api/http.h"

namespace api {

// True iff the Accept-Encoding header value lists "zstd" with a non-zero
// q-value (RFC 9110 section 12.5.3; names are case-insensitive). "*" alone
// does not select zstd.
bool AcceptsZstd(std::string_view accept_encoding);

// Compresses `response->body` with zstd and adds "Content-Encoding: zstd" and
// "Vary: Accept-Encoding", unless the body is shorter than `min_bytes` or the
// response already names a Content-Encoding. On a compression failure the
// response is left unencoded.
void EncodeZstd(Response* response, size_t min_bytes = 512);

}  // namespace api

#endif  // UDI_API_CONTENT_ENCODING_H_
