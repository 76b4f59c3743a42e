// GS1 Digital Link URI syntax 1.x (uncompressed form with numeric AIs).
//
// https://<host>[/<path prefix>]/<primary AI>/<value>[/<qualifier
// AI>/<value>...][?<query>] The primary key is found by walking the path from
// its end in (AI, value) pairs until a primary key AI ("dlpkey" in the syntax
// dictionary) is reached; what precedes it is the path prefix. Qualifiers must
// follow one of the primary key's dlpkey chains in order (01: 22,10,21 | 235).
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "ledger/gs1.h"
#include "ledger/gs1/gs1_internal.h"

namespace ledger::gs1 {
namespace {

using Chains = std::vector<std::vector<std::string>>;

constexpr char kNoPrimaryKey[] =
    "path has no GS1 primary key AI (such as 01, 00, 414)";

Status Invalid(const std::string& why) {
  return Status::InvalidArgument("Digital Link: " + why);
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i])
      return false;
  }
  return true;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

// The "dlpkey[=a,b|c]" attribute of a table row; nullopt if the AI is not a
// Digital Link primary key.
std::optional<Chains> ParseChains(const AiInfo* info) {
  for (std::string_view attr : Split(info->attributes, ' ')) {
    if (attr == "dlpkey") return Chains{};
    if (attr.substr(0, 7) == "dlpkey=") {
      Chains chains;
      for (std::string_view alt : Split(attr.substr(7), '|')) {
        std::vector<std::string> chain;
        for (std::string_view q : Split(alt, ',')) chain.emplace_back(q);
        chains.push_back(std::move(chain));
      }
      return chains;
    }
  }
  return std::nullopt;
}

// Parsed once for every row of the AI table, on first use.
const std::optional<Chains>* QualifierChains(std::string_view ai) {
  static const std::vector<std::optional<Chains>> kChains = [] {
    std::vector<std::optional<Chains>> out;
    for (const AiInfo& row : internal::AllAis())
      out.push_back(ParseChains(&row));
    return out;
  }();
  const AiInfo* info = LookupAi(ai);
  if (info == nullptr) return nullptr;
  const std::optional<Chains>& chains =
      kChains[static_cast<size_t>(info - internal::AllAis().data())];
  return chains ? &chains : nullptr;
}

std::string DescribeChains(const Chains& chains) {
  std::string out;
  for (const auto& chain : chains) {
    if (!out.empty()) out += " | ";
    for (size_t i = 0; i < chain.size(); ++i) out += (i ? ", " : "") + chain[i];
  }
  return out.empty() ? "none" : out;
}

bool IsSubsequence(const std::vector<std::string>& qualifiers,
                   const std::vector<std::string>& chain) {
  size_t at = 0;
  for (const std::string& q : qualifiers) {
    while (at < chain.size() && chain[at] != q) ++at;
    if (at == chain.size()) return false;
    ++at;
  }
  return true;
}

Status CheckQualifierOrder(const std::string& pk,
                           const std::vector<std::string>& qualifiers) {
  if (qualifiers.empty()) return Status::OK();
  const Chains& chains = **QualifierChains(pk);
  for (const auto& chain : chains) {
    if (IsSubsequence(qualifiers, chain)) return Status::OK();
  }
  std::string allowed =
      " (allowed after AI " + pk + ": " + DescribeChains(chains) + ")";
  for (const std::string& q : qualifiers) {
    bool known = std::any_of(chains.begin(), chains.end(), [&](const auto& c) {
      return std::find(c.begin(), c.end(), q) != c.end();
    });
    if (!known)
      return Invalid("AI " + q + " is not a key qualifier of AI " + pk +
                     allowed);
  }
  for (size_t i = 1; i < qualifiers.size(); ++i) {
    const std::string &a = qualifiers[i - 1], &b = qualifiers[i];
    if (a == b) return Invalid("qualifier AI " + a + " is repeated");
    bool in_order =
        std::any_of(chains.begin(), chains.end(), [&](const auto& c) {
          return IsSubsequence({a, b}, c);
        });
    if (in_order) continue;
    bool same_chain =
        std::any_of(chains.begin(), chains.end(), [&](const auto& c) {
          return IsSubsequence({b, a}, c);
        });
    if (same_chain) {
      return Invalid("qualifier AI " + b + " after AI " + a +
                     " is out of order" + allowed);
    }
    return Invalid("qualifiers AI " + a + " and AI " + b +
                   " cannot be combined" + allowed);
  }
  return Invalid("qualifiers out of order" + allowed);
}

std::string MalformedEscape(size_t offset) {
  return "malformed percent-escape at offset " + std::to_string(offset);
}

// Decodes and validates one path value.
Result<std::string> PathValue(const std::string& ai, std::string_view raw,
                              bool primary) {
  std::string v;
  size_t bad = 0;
  if (!internal::PercentDecode(raw, &v, &bad)) {
    return Invalid("path value of AI " + ai + ": " + MalformedEscape(bad));
  }
  if (primary && ai == "01" && internal::IsDigits(v))
    v = internal::PadGtin14(v);
  LEDGER_RETURN_IF_ERROR(ValidateAiValue(ai, v));
  return v;
}

Status ParsePath(std::string_view path, DigitalLink* dl) {
  if (path.empty() || path[0] != '/') return Invalid("no path");
  if (path.size() > 1 && path.back() == '/') {
    return Invalid("path ends with '/' (no empty segments allowed)");
  }
  std::vector<std::string_view> segments = Split(path.substr(1), '/');
  if (segments.size() < 2) return Invalid(kNoPrimaryKey);
  // Walk back over (AI, value) pairs to the primary key.
  std::optional<size_t> primary;
  for (size_t j = segments.size() - 2;; j -= 2) {
    std::string ai(segments[j]);
    if (!internal::IsDigits(ai) || LookupAi(ai) == nullptr) break;
    if (QualifierChains(ai)) {
      primary = j;
      break;
    }
    if (j < 2) break;
  }
  if (!primary) return Invalid(kNoPrimaryKey);
  std::vector<std::string> qualifiers;
  for (size_t j = *primary; j < segments.size(); j += 2) {
    std::string ai(segments[j]);
    if (segments[j + 1].empty())
      return Invalid("AI " + ai + " has an empty value");
    auto value = PathValue(ai, segments[j + 1], j == *primary);
    if (!value.ok()) return value.status();
    if (j != *primary) qualifiers.push_back(ai);
    dl->path.emplace_back(ai, *value);
  }
  return CheckQualifierOrder(dl->path[0].first, qualifiers);
}

bool HasAi(const DigitalLink& dl, std::string_view ai) {
  auto same = [&](const auto& p) { return p.first == ai; };
  return std::any_of(dl.path.begin(), dl.path.end(), same) ||
         std::any_of(dl.attributes.begin(), dl.attributes.end(), same);
}

Status ParseQuery(std::string_view query, DigitalLink* dl) {
  for (std::string_view param : Split(query, '&')) {
    if (param.empty()) continue;
    size_t eq = param.find('=');
    std::string name, value;
    size_t bad = 0;
    if (!internal::PercentDecode(param.substr(0, eq), &name, &bad)) {
      return Invalid("query parameter name: " + MalformedEscape(bad));
    }
    std::string_view raw =
        eq == std::string_view::npos ? "" : param.substr(eq + 1);
    if (!internal::PercentDecode(raw, &value, &bad)) {
      return Invalid("query parameter " + name + ": " + MalformedEscape(bad));
    }
    const AiInfo* info = internal::IsDigits(name) ? LookupAi(name) : nullptr;
    if (info == nullptr) {  // not an AI: kept for the caller (e.g. linkType)
      dl->other_query.emplace_back(std::move(name), std::move(value));
      continue;
    }
    if (!info->dl_data_attribute) {
      return Invalid(
          "AI " + name +
          " is not allowed in the query string (not a data attribute)");
    }
    if (HasAi(*dl, name)) {
      return Invalid("AI " + name + " appears more than once");
    }
    LEDGER_RETURN_IF_ERROR(ValidateAiValue(name, value));
    dl->attributes.emplace_back(std::move(name), std::move(value));
  }
  return Status::OK();
}

}  // namespace

Result<DigitalLink> ParseDigitalLink(std::string_view uri) {
  size_t scheme_end;
  if (StartsWithNoCase(uri, "https://")) {
    scheme_end = 8;
  } else if (StartsWithNoCase(uri, "http://")) {
    scheme_end = 7;
  } else {
    return Invalid("not an http or https URI");
  }
  uri =
      uri.substr(0, uri.find('#'));  // a fragment is not part of the identifier
  size_t path_start = uri.find('/', scheme_end);
  size_t query_start = uri.find('?', scheme_end);
  if (path_start == std::string_view::npos || path_start > query_start) {
    return Invalid(kNoPrimaryKey);
  }
  DigitalLink dl;
  dl.host = std::string(uri.substr(0, path_start));
  if (path_start == scheme_end) return Invalid("empty host");
  std::string_view path = uri.substr(path_start, query_start - path_start);
  LEDGER_RETURN_IF_ERROR(ParsePath(path, &dl));
  if (query_start != std::string_view::npos) {
    LEDGER_RETURN_IF_ERROR(ParseQuery(uri.substr(query_start + 1), &dl));
  }
  return dl;
}

}  // namespace ledger::gs1
