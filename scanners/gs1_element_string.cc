#include "scanners/gs1_element_string.h"

#include <algorithm>
#include <string>
#include <vector>

#include "ledger/gs1.h"
#include "scanners/charset_internal.h"

namespace scanners {
namespace {

using ledger::Result;
using ledger::Status;

Status ErrorAt(size_t pos, const std::string& what) {
  return Status::InvalidArgument("position " + std::to_string(pos) + ": " +
                                 what);
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

// The value of attribute `name` ("req", "ex", "dlpkey") in an AI's attribute
// list; nullopt if absent, "" for a bare "dlpkey".
std::optional<std::string_view> Attribute(std::string_view attributes,
                                          std::string_view name) {
  for (std::string_view attr : Split(attributes, ' ')) {
    if (attr == name) return std::string_view();
    if (attr.size() > name.size() && attr.substr(0, name.size()) == name &&
        attr[name.size()] == '=') {
      return attr.substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

// True iff `ai` matches the dictionary token `pattern`, where 'n' stands for
// any digit ("310n").
bool Matches(std::string_view pattern, std::string_view ai) {
  if (pattern.size() != ai.size()) return false;
  for (size_t i = 0; i < ai.size(); ++i) {
    if (pattern[i] != ai[i] &&
        !(pattern[i] == 'n' && ai[i] >= '0' && ai[i] <= '9')) {
      return false;
    }
  }
  return true;
}

bool HasAi(const std::vector<Gs1Element>& elements, std::string_view pattern,
           std::string_view except = {}) {
  return std::any_of(elements.begin(), elements.end(),
                     [&](const Gs1Element& e) {
                       return e.ai != except && Matches(pattern, e.ai);
                     });
}

// "01, 03 or 8006".
std::string DescribeAlternatives(
    const std::vector<std::string_view>& alternatives) {
  std::string out;
  for (size_t i = 0; i < alternatives.size(); ++i) {
    if (i > 0) out += i + 1 == alternatives.size() ? " or " : ", ";
    out += alternatives[i];
  }
  return out;
}

Status CheckRequisites(const Gs1Element& e, std::string_view req,
                       const std::vector<Gs1Element>& elements) {
  const std::vector<std::string_view> alternatives = Split(req, ',');
  for (std::string_view alternative : alternatives) {
    const std::vector<std::string_view> all = Split(alternative, '+');
    if (std::all_of(all.begin(), all.end(),
                    [&](std::string_view ai) { return HasAi(elements, ai); })) {
      return Status::OK();
    }
  }
  return Status::InvalidArgument("AI " + e.ai + " needs AI " +
                                 DescribeAlternatives(alternatives));
}

Status CheckExclusions(const Gs1Element& e, std::string_view ex,
                       const std::vector<Gs1Element>& elements) {
  for (std::string_view pattern : Split(ex, ',')) {
    for (const Gs1Element& other : elements) {
      if (other.ai != e.ai && Matches(pattern, other.ai)) {
        return Status::InvalidArgument("AI " + e.ai + " and AI " + other.ai +
                                       " must not appear together");
      }
    }
  }
  return Status::OK();
}

// Validates one value; ValidateAiValue's messages already name the AI.
Status CheckValue(const std::string& ai, const std::string& value, size_t pos) {
  if (value.empty()) return ErrorAt(pos, "AI " + ai + " has an empty value");
  return ledger::gs1::ValidateAiValue(ai, value);
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                            c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

int PredefinedElementLength(std::string_view ai) {
  // GS1 General Specifications Figure 7.8.4-2: element length (AI included) by
  // the AI's first two digits. The same table in
  // shared/reference/gs1-ai-facts.json.
  struct Row {
    std::string_view prefix;
    int length;
  };
  static constexpr Row kTable[] = {
      {"00", 20}, {"01", 16}, {"02", 16}, {"03", 16}, {"04", 18}, {"11", 8},
      {"12", 8},  {"13", 8},  {"14", 8},  {"15", 8},  {"16", 8},  {"17", 8},
      {"18", 8},  {"19", 8},  {"20", 4},  {"31", 10}, {"32", 10}, {"33", 10},
      {"34", 10}, {"35", 10}, {"36", 10}, {"41", 16}};
  for (const Row& row : kTable) {
    if (ai.substr(0, 2) == row.prefix) return row.length;
  }
  return 0;
}

Status CheckAiCombination(std::vector<Gs1Element>& elements) {
  std::vector<Gs1Element> unique;
  for (Gs1Element& e : elements) {
    auto same_ai =
        std::find_if(unique.begin(), unique.end(),
                     [&](const Gs1Element& u) { return u.ai == e.ai; });
    if (same_ai == unique.end()) {
      unique.push_back(std::move(e));
    } else if (same_ai->value != e.value) {
      return Status::InvalidArgument(
          "AI " + e.ai + " appears twice with different values \"" +
          same_ai->value + "\" and \"" + e.value + "\"");
    }
  }
  elements = std::move(unique);
  for (const Gs1Element& e : elements) {
    const ledger::gs1::AiInfo* info = ledger::gs1::LookupAi(e.ai);
    if (info == nullptr)
      return Status::InvalidArgument("AI " + e.ai + " is not a known AI");
    if (auto req = Attribute(info->attributes, "req")) {
      LEDGER_RETURN_IF_ERROR(CheckRequisites(e, *req, elements));
    }
    if (auto ex = Attribute(info->attributes, "ex")) {
      LEDGER_RETURN_IF_ERROR(CheckExclusions(e, *ex, elements));
    }
  }
  return Status::OK();
}

namespace {

// "0109<GS>" -> "0109<GS>" for error messages: at most 4 characters, GS spelled
// out.
std::string ShowAt(std::string_view data, size_t pos) {
  std::string shown;
  for (char c : data.substr(pos, 4)) {
    shown += c == kGroupSeparator ? std::string("<GS>") : std::string(1, c);
  }
  return shown;
}

// Reads the value of `ai` that starts at `value_pos` into `value`. Returns the
// position after it, and after the FNC1 that ends a variable-length value.
Result<size_t> ReadValue(std::string_view data, const std::string& ai,
                         size_t value_pos, std::string* value) {
  if (const int length = PredefinedElementLength(ai); length > 0) {
    const size_t n = static_cast<size_t>(length) - ai.size();
    *value = std::string(data.substr(value_pos, n));
    const size_t gs = value->find(kGroupSeparator);
    if (value->size() < n || gs != std::string::npos) {
      const bool at_gs = gs != std::string::npos;
      return ErrorAt(value_pos, "AI " + ai + " needs " + std::to_string(n) +
                                    " characters, only " +
                                    std::to_string(at_gs ? gs : value->size()) +
                                    " before the " +
                                    (at_gs ? "separator" : "end"));
    }
    return value_pos + n;
  }
  const size_t end =
      std::min(data.find(kGroupSeparator, value_pos), data.size());
  *value = std::string(data.substr(value_pos, end - value_pos));
  const size_t next = end < data.size() ? end + 1 : end;
  if (next < data.size() && data[next] == kGroupSeparator) {
    return ErrorAt(next, "two separators in a row (empty element)");
  }
  return next;
}

}  // namespace

Result<std::vector<Gs1Element>> ParseElementString(std::string_view data) {
  std::vector<Gs1Element> elements;
  size_t pos = 0;
  while (pos < data.size()) {
    if (data[pos] == kGroupSeparator) {
      // A separator that is not needed: FNC1 in first position, after a
      // predefined-length value or at the end. (The one after a variable-length
      // value is consumed by ReadValue.)
      ++pos;
      continue;
    }
    const ledger::gs1::AiInfo* info =
        ledger::gs1::MatchAiPrefix(data.substr(pos));
    if (info == nullptr) {
      return ErrorAt(pos, "no GS1 Application Identifier starts with \"" +
                              ShowAt(data, pos) + "\"");
    }
    const std::string ai(info->ai);
    const size_t value_pos = pos + ai.size();
    std::string value;
    Result<size_t> next = ReadValue(data, ai, value_pos, &value);
    if (!next.ok()) return next.status();
    LEDGER_RETURN_IF_ERROR(CheckValue(ai, value, value_pos));
    elements.push_back({ai, std::move(value)});
    pos = *next;
  }
  if (elements.empty())
    return Status::InvalidArgument("no GS1 element string data");
  LEDGER_RETURN_IF_ERROR(CheckAiCombination(elements));
  return elements;
}

Result<std::vector<Gs1Element>> ParseBracketedElementString(
    std::string_view text) {
  std::vector<Gs1Element> elements;
  size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] != '(') return ErrorAt(pos, "expected '(' to start an AI");
    const size_t close = text.find(')', pos);
    if (close == std::string_view::npos) return ErrorAt(pos, "'(' without ')'");
    const std::string ai(text.substr(pos + 1, close - pos - 1));
    if (ledger::gs1::LookupAi(ai) == nullptr) {
      return ErrorAt(
          pos + 1, "\"" + ai + "\" is not a known GS1 Application Identifier");
    }
    std::string value;
    size_t at = close + 1;
    for (; at < text.size() && text[at] != '('; ++at) {
      if (text[at] == '\\' && at + 1 < text.size() && text[at + 1] == '(') ++at;
      value.push_back(text[at]);
    }
    LEDGER_RETURN_IF_ERROR(CheckValue(ai, value, close + 1));
    elements.push_back({ai, std::move(value)});
    pos = at;
  }
  if (elements.empty())
    return Status::InvalidArgument("no GS1 element string data");
  LEDGER_RETURN_IF_ERROR(CheckAiCombination(elements));
  return elements;
}

std::string BuildDigitalLink(const std::vector<Gs1Element>& elements,
                             std::string_view host) {
  const Gs1Element* primary = nullptr;
  std::optional<std::string_view> chains;
  for (const Gs1Element& e : elements) {
    const ledger::gs1::AiInfo* info = ledger::gs1::LookupAi(e.ai);
    if (info == nullptr) continue;
    chains = Attribute(info->attributes, "dlpkey");
    if (chains) {
      primary = &e;
      break;
    }
  }
  if (primary == nullptr) return "";
  // Of the qualifier chains ("22,10,21|235"), use the one that covers the most
  // elements.
  std::vector<std::string_view> best;
  size_t best_count = 0;
  for (std::string_view chain : Split(*chains, '|')) {
    std::vector<std::string_view> present;
    for (std::string_view q : Split(chain, ',')) {
      if (!q.empty() && HasAi(elements, q)) present.push_back(q);
    }
    if (present.size() > best_count) {
      best = present;
      best_count = present.size();
    }
  }
  std::string uri = std::string(host) + "/" + primary->ai + "/" +
                    PercentEncode(primary->value);
  for (std::string_view q : best) {
    for (const Gs1Element& e : elements) {
      if (e.ai == q) uri += "/" + e.ai + "/" + PercentEncode(e.value);
    }
  }
  char sep = '?';
  for (const Gs1Element& e : elements) {
    if (&e == primary ||
        std::find(best.begin(), best.end(), e.ai) != best.end())
      continue;
    const ledger::gs1::AiInfo* info = ledger::gs1::LookupAi(e.ai);
    if (info == nullptr || !info->dl_data_attribute) continue;
    uri += sep + e.ai + "=" + PercentEncode(e.value);
    sep = '&';
  }
  return uri;
}

}  // namespace scanners
