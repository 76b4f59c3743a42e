#include "api/http.h"

#include <zstd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace api {

std::string Request::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? "" : it->second;
}

std::optional<std::string> Request::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

Response JsonResponse(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.body += "\n";
  return r;
}

Response ErrorResponse(int status, std::string_view message,
                       std::string_view field) {
  nlohmann::json j = {{"error", std::string(message)}};
  if (!field.empty()) j["field"] = std::string(field);
  return JsonResponse(status, j);
}

Response OverloadedResponse(std::string_view message, int retry_after_seconds) {
  Response r = ErrorResponse(503, message);
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return r;
}

Response StatusResponse(const ledger::Status& status, std::string_view field) {
  using Code = ledger::Status::Code;
  int http = 500;
  switch (status.code()) {
    case Code::kInvalidArgument:
      http = 400;
      break;
    case Code::kNotFound:
      http = 404;
      break;
    case Code::kFailedPrecondition:
    case Code::kAlreadyExists:
      http = 409;
      break;
    case Code::kUnavailable:
      return OverloadedResponse(status.message());
    default:
      break;
  }
  return ErrorResponse(http, status.message(), field);
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> PercentDecode(std::string_view in,
                                         bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string PercentEncode(std::string_view in) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

ledger::Status ParseTarget(std::string_view target, Request* request) {
  size_t q = target.find('?');
  request->target = std::string(target);
  request->path = std::string(target.substr(0, q));
  request->query.clear();
  if (q == std::string_view::npos) return ledger::Status::OK();
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view()
                                         : rest.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view raw_name = part.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? "" : part.substr(eq + 1);
    auto name = PercentDecode(raw_name, true);
    if (!name) {
      return ledger::Status::InvalidArgument(
          "query: malformed percent-encoding in a name");
    }
    auto value = PercentDecode(raw_value, true);
    if (!value) {
      return ledger::Status::InvalidArgument(*name +
                                             ": malformed percent-encoding");
    }
    request->query.emplace_back(std::move(*name), std::move(*value));
  }
  return ledger::Status::OK();
}

std::string FormatRfc3339Millis(int64_t unix_ms) {
  int64_t secs = unix_ms / 1000;
  int ms = static_cast<int>(unix_ms % 1000);
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, ms);
  return buf;
}

namespace {

bool IsZstdCoding(std::string_view coding) {
  if (coding.size() != 4) return false;
  for (size_t i = 0; i < 4; ++i) {
    if (std::tolower(static_cast<unsigned char>(coding[i])) != "zstd"[i])
      return false;
  }
  return true;
}

// Decodes one or more zstd frames into at most `max_bytes` bytes (sets
// `too_big` when there would be more).
ledger::Result<std::string> DecompressZstd(std::string_view in,
                                           uint64_t max_bytes, bool* too_big) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(),
                                                         ZSTD_freeDCtx);
  if (!ctx) return ledger::Status::Internal("body: zstd: out of memory");
  // Bounds the window a frame may demand (RFC 8878 section 3.1.1.1.2: 8 MiB is
  // the recommended decoder limit).
  ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, 23);
  std::string out;
  std::string buf(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t left = 1;  // 0 once a frame is complete and flushed
  for (;;) {
    ZSTD_outBuffer output{buf.data(), buf.size(), 0};
    left = ZSTD_decompressStream(ctx.get(), &output, &input);
    if (ZSTD_isError(left)) {
      return ledger::Status::InvalidArgument(
          std::string("body: not valid zstd (RFC 8878): ") +
          ZSTD_getErrorName(left));
    }
    out.append(buf.data(), output.pos);
    if (out.size() > max_bytes) {
      *too_big = true;
      return ledger::Status::InvalidArgument("body: larger than " +
                                             std::to_string(max_bytes) +
                                             " bytes once decoded");
    }
    // Done when all input is read and the decoder had nothing more to flush.
    if (input.pos == input.size && output.pos < output.size) break;
  }
  if (left != 0) {
    return ledger::Status::InvalidArgument(
        "body: not valid zstd (RFC 8878): truncated frame");
  }
  return out;
}

}  // namespace

std::optional<Response> DecodeRequestBody(Request* request,
                                          uint64_t max_bytes) {
  static const std::string kContentEncoding = "content-encoding";
  auto it = request->headers.find(kContentEncoding);  // no temporary string
  if (it == request->headers.end()) return std::nullopt;
  std::string_view coding = it->second;
  while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t'))
    coding.remove_prefix(1);
  while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t'))
    coding.remove_suffix(1);
  if (coding.empty() || coding == "identity") {
    request->headers.erase(it);
    return std::nullopt;
  }
  if (!IsZstdCoding(coding)) {
    // RFC 9110 section 15.5.16: 415, naming the codings accepted.
    Response r = ErrorResponse(415,
                               "Content-Encoding: " + std::string(coding) +
                                   " is not supported (want zstd or none)",
                               "Content-Encoding");
    r.headers.emplace_back("Accept-Encoding", "zstd");
    return r;
  }
  bool too_big = false;
  auto decoded = DecompressZstd(request->body, max_bytes, &too_big);
  if (!decoded.ok())
    return ErrorResponse(too_big ? 413 : 400, decoded.status().message(),
                         "body");
  request->body = std::move(*decoded);
  request->headers.erase(it);
  return std::nullopt;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

// The AnswerBatch state of this thread.
struct AnswerBatchState {
  int depth = 0;
  std::vector<std::function<void()>> at_end;
};
thread_local AnswerBatchState t_answer_batch;

}  // namespace

AnswerBatch::AnswerBatch() { ++t_answer_batch.depth; }

AnswerBatch::~AnswerBatch() {
  if (--t_answer_batch.depth > 0) return;
  // A hand-off may not open another batch, but take the list first anyway.
  std::vector<std::function<void()>> run = std::move(t_answer_batch.at_end);
  t_answer_batch.at_end.clear();
  for (auto& hand_off : run) hand_off();
}

bool AnswerBatch::Open() { return t_answer_batch.depth > 0; }

void AnswerBatch::AtEnd(std::function<void()> hand_off) {
  t_answer_batch.at_end.push_back(std::move(hand_off));
}

}  // namespace api
