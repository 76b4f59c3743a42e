// Strict (I-JSON) parsing on top of nlohmann's SAX interface, which lets us see
// every member name before nlohmann's DOM would silently keep only one of two
// duplicates.
#include <cmath>
#include <string>
#include <vector>

#include "ledger/jcs.h"
#include "ledger/jcs/jcs_internal.h"

namespace ledger {
namespace {

using json = nlohmann::json;

constexpr int64_t kMaxExactInteger = (int64_t{1} << 53) - 1;

// Builds the DOM like nlohmann's own json_sax_dom_parser, but checks each event
// first.
class StrictBuilder {
 public:
  bool null() { return Add(json(nullptr)); }
  bool boolean(bool v) { return Add(json(v)); }
  bool number_integer(json::number_integer_t v) {
    if ((v < -kMaxExactInteger || v > kMaxExactInteger) &&
        !KeepsItsValue(std::to_string(v), static_cast<double>(v))) {
      return FailInteger(std::to_string(v), static_cast<double>(v));
    }
    return Add(json(v));
  }
  bool number_unsigned(json::number_unsigned_t v) {
    if (v > static_cast<uint64_t>(kMaxExactInteger) &&
        !KeepsItsValue(std::to_string(v), static_cast<double>(v))) {
      return FailInteger(std::to_string(v), static_cast<double>(v));
    }
    return Add(json(v));
  }
  bool number_float(json::number_float_t v, const std::string& text) {
    if (!std::isfinite(v)) {
      return FailAtValue("number " + text + " overflows a double");
    }
    // An integer token too long for 64 bits.
    bool integer_token = text.find_first_of(".eE") == std::string::npos;
    if (integer_token && !KeepsItsValue(text, v)) return FailInteger(text, v);
    return Add(json(v));
  }
  bool string(std::string& v) { return Add(json(std::move(v))); }
  bool binary(json::binary_t&) {
    return FailAtValue("binary values are not JSON");
  }

  bool start_object(std::size_t) { return Open(json::object()); }
  bool start_array(std::size_t) { return Open(json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }

  bool key(std::string& name) {
    Level& level = stack_.back();
    // One lookup; the name is moved into the object only when it is new.
    auto [it, inserted] =
        level.node->get_ref<json::object_t&>().try_emplace(std::move(name));
    if (!inserted) {
      duplicate_name_ = name;  // not moved from: try_emplace did not insert
      level.key = &duplicate_name_;
      return FailAtValue("duplicate member name");
    }
    level.key = &it->first;
    level.slot = &it->second;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) {
    std::string what = ex.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix; keep its
    // description.
    if (size_t close = what.find("] ");
        what.rfind("[json.exception", 0) == 0 && close != std::string::npos) {
      what = what.substr(close + 2);
    }
    // nlohmann counts the byte that failed as read; report the offset of that
    // byte.
    error_ =
        "byte " + std::to_string(position > 0 ? position - 1 : 0) + ": " + what;
    return false;
  }

  const std::string& error() const { return error_; }
  json TakeRoot() { return std::move(root_); }

 private:
  struct Level {
    json* node;  // the array or object being filled
    // For objects: the name of the member being parsed and its value's slot
    // (both in the object; std::map nodes do not move).
    const std::string* key = nullptr;
    json* slot = nullptr;
  };

  // JSON Pointer of the value about to be added (or, after key(), of the member
  // just named).
  std::string CurrentPath() const {
    std::string path;
    for (size_t i = 0; i < stack_.size(); ++i) {
      const Level& level = stack_[i];
      bool innermost = i + 1 == stack_.size();
      if (level.node->is_object()) {
        jcs_internal::AppendPointerToken(level.key ? *level.key : "", &path);
      } else {
        size_t index = level.node->size();
        if (!innermost) --index;  // the open child is already in the array
        jcs_internal::AppendPointerToken(std::to_string(index), &path);
      }
    }
    return path;
  }

  bool FailAtValue(const std::string& why) {
    error_ = jcs_internal::ShowPointer(CurrentPath()) + ": " + why;
    return false;
  }

  // RFC 8785 treats every number as an IEEE-754 double. An integer token
  // beyond ±(2^53-1) is kept only if JCS writes it back unchanged (e.g.
  // 100000000000000000000); otherwise the signed, canonical bytes would carry
  // a different integer than the sender wrote (9007199254740993 would become
  // ...992). Canonical output therefore always re-parses.
  static bool KeepsItsValue(const std::string& text, double value) {
    return jcs_internal::FormatNumber(value) == text;
  }

  bool FailInteger(const std::string& text, double value) {
    return FailAtValue("integer " + text +
                       " is not exactly representable as an IEEE-754 double "
                       "(RFC 8785 would write it as " +
                       jcs_internal::FormatNumber(value) +
                       "); send it as a string");
  }

  json* Insert(json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Level& level = stack_.back();
    if (level.node->is_array()) {
      level.node->push_back(std::move(v));
      return &level.node->back();
    }
    *level.slot = std::move(v);
    return level.slot;
  }

  bool Add(json&& v) {
    Insert(std::move(v));
    return true;
  }

  bool Open(json&& container) {
    if (stack_.size() >= static_cast<size_t>(kMaxJsonDepth)) {
      return FailAtValue("nesting deeper than " +
                         std::to_string(kMaxJsonDepth) + " levels");
    }
    json* node = Insert(std::move(container));
    stack_.push_back({node});
    return true;
  }

  bool Close() {
    stack_.pop_back();
    return true;
  }

  json root_;
  std::vector<Level> stack_;
  std::string duplicate_name_;  // a repeated member name, for its error
  std::string error_;
};

}  // namespace

Result<nlohmann::json> ParseJsonStrict(std::string_view text) {
  if (auto fast = jcs_internal::ParseJsonFast(text)) return std::move(*fast);
  return jcs_internal::ParseJsonStrictSax(text);
}

Result<nlohmann::json> ParseJsonStrictCanonical(std::string_view text,
                                                bool* canonical) {
  if (auto fast = jcs_internal::ParseJsonFastCanonical(text, canonical)) {
    return std::move(*fast);
  }
  auto parsed = jcs_internal::ParseJsonStrictSax(text);
  if (!parsed.ok()) return parsed.status();
  auto written = CanonicalizeJson(*parsed);
  *canonical = written.ok() && *written == text;
  return parsed;
}

Result<nlohmann::json> jcs_internal::ParseJsonStrictSax(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    return Status::InvalidArgument(
        "byte 0: byte-order mark not allowed in JSON text");
  }
  StrictBuilder builder;
  bool ok = json::sax_parse(text, &builder, json::input_format_t::json,
                            /*strict=*/true,
                            /*ignore_comments=*/false);
  if (!ok) {
    std::string error = builder.error();
    if (error.empty()) error = "byte 0: not a JSON text";
    return Status::InvalidArgument(error);
  }
  return builder.TakeRoot();
}

}  // namespace ledger
