#include "api/content_encoding.h"

#include <zstd.h>

#include <cctype>
#include <string>

namespace api {

namespace {

constexpr int kZstdLevel = 1;  // replication batches: speed over ratio

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// True iff a weight ("q=0", "q=0.000") is zero; absent or malformed weights
// count as non-zero.
bool IsZeroWeight(std::string_view params) {
  size_t q = params.find("q=");
  if (q == std::string_view::npos) return false;
  std::string_view v = Trim(params.substr(q + 2));
  if (v.empty() || v[0] != '0') return false;
  for (char c : v.substr(1)) {
    if (c != '.' && c != '0') return false;
  }
  return true;
}

}  // namespace

bool AcceptsZstd(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos
                          ? std::string_view()
                          : accept_encoding.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view coding = Trim(item.substr(0, semi));
    std::string_view params =
        semi == std::string_view::npos ? "" : item.substr(semi + 1);
    if (EqualsNoCase(coding, "zstd")) return !IsZeroWeight(params);
  }
  return false;
}

void EncodeZstd(Response* response, size_t min_bytes) {
  if (response->body.size() < min_bytes) return;
  for (const auto& [name, value] : response->headers) {
    if (EqualsNoCase(name, "content-encoding")) return;
  }
  std::string out(ZSTD_compressBound(response->body.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), response->body.data(),
                           response->body.size(), kZstdLevel);
  if (ZSTD_isError(n)) return;
  out.resize(n);
  response->body = std::move(out);
  response->headers.emplace_back("Content-Encoding", "zstd");
  response->headers.emplace_back("Vary", "Accept-Encoding");
}

}  // namespace api
