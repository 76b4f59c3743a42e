// ValidateAiValue: interprets the syntax-dictionary format string of an AI.
//
// A format is a list of whitespace-separated components "T<n>" (exactly n) or
// "T..<n>" (1..n), T one of N (digits), X (CSET 82), Y (CSET 39), Z (CSET 64),
// optionally wrapped in [ ] (an optional trailing component), followed by
// ",linter" names (see linters.h). Components are filled left to right, each
// taking as many characters as it may.
#include <string>
#include <vector>

#include "ledger/gs1.h"
#include "ledger/gs1/gs1_internal.h"
#include "ledger/gs1/linters.h"

namespace ledger::gs1 {
namespace {

struct Component {
  char type = 'X';
  size_t min_length = 1;
  size_t max_length = 1;
  bool optional = false;
  std::vector<std::string_view> linters;
};

// The generator has checked the grammar of every format in the table.
std::vector<Component> ParseFormat(std::string_view format) {
  std::vector<Component> out;
  size_t pos = 0;
  while (pos < format.size()) {
    size_t end = format.find(' ', pos);
    if (end == std::string_view::npos) end = format.size();
    std::string_view token = format.substr(pos, end - pos);
    pos = end + 1;
    if (token.empty()) continue;
    Component c;
    if (token[0] == '[') {
      c.optional = true;
      token.remove_prefix(1);
    }
    size_t comma = token.find(',');
    std::string_view spec = token.substr(0, comma);
    if (!spec.empty() && spec.back() == ']') spec.remove_suffix(1);
    c.type = spec[0];
    bool variable = spec.substr(1, 2) == "..";
    size_t n = std::stoul(std::string(spec.substr(variable ? 3 : 1)));
    c.min_length = variable ? 1 : n;
    c.max_length = n;
    while (comma != std::string_view::npos) {
      size_t next = token.find(',', comma + 1);
      std::string_view linter = token.substr(comma + 1, next - comma - 1);
      if (!linter.empty() && linter.back() == ']') linter.remove_suffix(1);
      c.linters.push_back(linter);
      comma = next;
    }
    out.push_back(std::move(c));
  }
  return out;
}

// The parsed format of a table row; all rows are parsed once, on first use.
const std::vector<Component>& FormatOf(const AiInfo* info) {
  static const std::vector<std::vector<Component>> kFormats = [] {
    std::vector<std::vector<Component>> out;
    for (const AiInfo& row : internal::AllAis()) {
      out.push_back(ParseFormat(row.format));
    }
    return out;
  }();
  return kFormats[static_cast<size_t>(info - internal::AllAis().data())];
}

Status CheckLength(std::string_view ai, size_t size,
                   const std::vector<Component>& format) {
  size_t min = 0, max = 0;
  for (const Component& c : format) {
    if (!c.optional) min += c.min_length;
    max += c.max_length;
  }
  if (size != 0 && size >= min && size <= max) return Status::OK();
  std::string prefix = "AI " + std::string(ai) + ": ";
  if (size == 0) return Status::InvalidArgument(prefix + "empty value");
  std::string got =
      std::to_string(size) + (size == 1 ? " character, " : " characters, ");
  if (min == max && size != min) {
    return Status::InvalidArgument(prefix + got + "exactly " +
                                   std::to_string(min) + " required");
  }
  if (size > max) {
    return Status::InvalidArgument(prefix + got + "at most " +
                                   std::to_string(max) + " allowed");
  }
  if (size < min) {
    return Status::InvalidArgument(prefix + got + "at least " +
                                   std::to_string(min) + " required");
  }
  return Status::OK();
}

Status CheckCharacters(std::string_view ai, std::string_view part,
                       size_t position, char type) {
  for (size_t i = 0; i < part.size(); ++i) {
    char c = part[i];
    bool ok = false;
    const char* set = "";
    switch (type) {
      case 'N':
        ok = c >= '0' && c <= '9';
        set = "numeric";
        break;
      case 'X':
        ok = internal::IsCset82(c);
        set = "CSET 82";
        break;
      case 'Y':
        ok = internal::IsCset39(c);
        set = "CSET 39";
        break;
      case 'Z':
        ok = internal::IsCset64(c);
        set = "CSET 64";
        break;
    }
    if (!ok) {
      return Status::InvalidArgument(
          "AI " + std::string(ai) + ": character " + internal::DescribeChar(c) +
          " at position " + std::to_string(position + i) + " is not allowed (" +
          set + ")");
    }
  }
  return Status::OK();
}

}  // namespace

Status ValidateAiValue(std::string_view ai, std::string_view value) {
  const AiInfo* info = LookupAi(ai);
  if (info == nullptr) {
    return Status::InvalidArgument("AI " + std::string(ai) +
                                   ": unknown Application Identifier");
  }
  const std::vector<Component>& format = FormatOf(info);
  LEDGER_RETURN_IF_ERROR(CheckLength(ai, value.size(), format));
  size_t pos = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    const Component& c = format[i];
    size_t left = value.size() - pos;
    if (left == 0 && c.optional) break;
    size_t take = std::min(left, c.max_length);
    if (take < c.min_length) {
      return Status::InvalidArgument(
          "AI " + std::string(ai) + ": " + std::to_string(value.size()) +
          " characters do not fit the format " + std::string(info->format));
    }
    std::string_view part = value.substr(pos, take);
    LEDGER_RETURN_IF_ERROR(CheckCharacters(ai, part, pos + 1, c.type));
    for (std::string_view linter : c.linters) {
      LEDGER_RETURN_IF_ERROR(internal::RunLinter(linter, ai, part, pos + 1));
    }
    pos += take;
  }
  if (pos != value.size()) {
    return Status::InvalidArgument(
        "AI " + std::string(ai) + ": " + std::to_string(value.size()) +
        " characters do not fit the format " + std::string(info->format));
  }
  return Status::OK();
}

}  // namespace ledger::gs1
