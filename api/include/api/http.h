// Plain HTTP request and response values for the handlers, so that no handler
// includes Beast. server.cc converts Beast messages to and from these. Pure
// functions, thread-safe.
#ifndef UDI_API_HTTP_H_
#define UDI_API_HTTP_H_

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/status.h"

namespace api {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received, e.g. "/v1/events?MATCH_epc=..."
  std::string path;    // the target before '?', still percent-encoded
  // Query parameters in order, percent-decoded ('+' is a space).
  std::vector<std::pair<std::string, std::string>> query;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  // Filled by the router: decoded values of the {name} segments of the matched
  // route.
  std::map<std::string, std::string> path_params;

  // The value of header `name` (lower-case), or "".
  std::string Header(std::string_view name) const;
  // The first value of query parameter `name`, if present.
  std::optional<std::string> Query(std::string_view name) const;
};

// A response body produced piece by piece, for downloads too large to hold
// (GET /v1/admin/backup). The server calls Next() on an I/O thread, one call at
// a time, each only after the previous piece has been written to the socket,
// so it holds at most one piece; Next() may block briefly. Next() returns the
// next non-empty piece, "" at the end of the body, or an error, after which
// the server closes the connection without ending the chunked body (so the
// client sees an incomplete response). Destroyed once the body is complete or
// the connection is gone; the destructor MUST stop any work feeding it.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual ledger::Result<std::string> Next() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  // When set, `body` is ignored: the body is sent with Transfer-Encoding:
  // chunked, one chunk per BodySource::Next() piece, and never
  // content-encoded.
  std::shared_ptr<BodySource> stream;
};

// A JSON body with the given status.
Response JsonResponse(int status, const nlohmann::json& body);
// {"error": message, "field": field} (field omitted when empty).
Response ErrorResponse(int status, std::string_view message,
                       std::string_view field = "");
// 503 with Retry-After (seconds).
Response OverloadedResponse(std::string_view message,
                            int retry_after_seconds = 1);
// Maps a ledger Status to an HTTP error (InvalidArgument 400, NotFound 404,
// FailedPrecondition 409, Unavailable 503, others 500).
Response StatusResponse(const ledger::Status& status,
                        std::string_view field = "");

// Splits a request target into path and decoded query parameters.
// InvalidArgument naming the parameter whose percent-encoding is malformed.
ledger::Status ParseTarget(std::string_view target, Request* request);

// RFC 3986 percent-decoding; with `plus_is_space` (query strings), '+' decodes
// to ' '. nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view in,
                                         bool plus_is_space);
// Percent-encodes everything but RFC 3986 unreserved characters.
std::string PercentEncode(std::string_view in);

// Undoes the request's Content-Encoding (RFC 9110 section 8.4): zstd (RFC
// 8878) bodies are decoded in place, up to `max_bytes` decoded bytes, and the
// header removed; "identity" or none leaves the body as is. Returns the error
// response to send instead: 415 (with Accept-Encoding: zstd) for any other
// coding, 413 when the decoded body would exceed `max_bytes`, 400 when it is
// not valid zstd. Only a single coding is accepted.
std::optional<Response> DecodeRequestBody(Request* request, uint64_t max_bytes);

// Answers given in a burst on one thread that is not an I/O thread (the
// committer's writer answers every request of a batch at once). While an
// AnswerBatch lives on a thread, the server holds the answers given on that
// thread and hands them to its I/O threads together when the outermost batch
// on the thread ends: one wake-up of an I/O thread per batch instead of one
// per answer (each costs both threads a futex or eventfd syscall and a context
// switch). Without a batch, answers are handed over one by one. Thread-local:
// a batch only gathers the answers given on the thread that opened it.
class AnswerBatch {
 public:
  AnswerBatch();
  ~AnswerBatch();  // the outermost batch runs the hand-offs (AtEnd)
  AnswerBatch(const AnswerBatch&) = delete;
  AnswerBatch& operator=(const AnswerBatch&) = delete;

  // Whether a batch is open on this thread.
  static bool Open();
  // Runs `hand_off` on this thread when the outermost batch ends. Requires
  // Open().
  static void AtEnd(std::function<void()> hand_off);
};

// RFC 3339 UTC with milliseconds, e.g. "2026-11-26T10:00:00.123Z".
std::string FormatRfc3339Millis(int64_t unix_ms);
// Milliseconds since the Unix epoch, from the system clock.
int64_t NowMillis();

}  // namespace api

#endif  // UDI_API_HTTP_H_
