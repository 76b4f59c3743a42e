// RFC 8785 canonical serialisation of an nlohmann::json value.
#include "ledger/jcs.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "ledger/jcs/jcs_internal.h"

namespace ledger {
namespace {

using jcs_internal::ShowPointer;

// True iff some name holds a character above U+FFFF (a 4-byte UTF-8 sequence).
// Only then can UTF-8 byte order (nlohmann's std::map order) differ from UTF-16
// code unit order.
bool HasSupplementaryName(const nlohmann::json& object) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    for (char c : it.key()) {
      if (static_cast<unsigned char>(c) >= 0xF0) return true;
    }
  }
  return false;
}

class Canonicalizer {
 public:
  Canonicalizer() { out_.reserve(512); }  // an event's size, typically

  Status Write(const nlohmann::json& v, int depth) {
    if (depth > kMaxJsonDepth) {
      return Fail("nesting deeper than " + std::to_string(kMaxJsonDepth) +
                  " levels");
    }
    switch (v.type()) {
      case nlohmann::json::value_t::null:
        out_ += "null";
        return Status::OK();
      case nlohmann::json::value_t::boolean:
        out_ += v.get<bool>() ? "true" : "false";
        return Status::OK();
      case nlohmann::json::value_t::number_integer:
        return WriteNumber(static_cast<double>(v.get<int64_t>()));
      case nlohmann::json::value_t::number_unsigned:
        return WriteNumber(static_cast<double>(v.get<uint64_t>()));
      case nlohmann::json::value_t::number_float:
        return WriteNumber(v.get<double>());
      case nlohmann::json::value_t::string:
        return WriteString(v.get_ref<const std::string&>());
      case nlohmann::json::value_t::array:
        return WriteArray(v, depth);
      case nlohmann::json::value_t::object:
        return WriteObject(v, depth);
      case nlohmann::json::value_t::binary:
        return Fail("binary values have no JSON form");
      case nlohmann::json::value_t::discarded:
        return Fail("discarded value");
    }
    return Fail("unknown value type");
  }

  std::string Take() { return std::move(out_); }

 private:
  // One step of the path to the value being written: a member name or an
  // array index. The JSON Pointer text is only built for error messages.
  struct Step {
    const std::string* name;  // nullptr for an array element
    size_t index;
  };

  Status Fail(const std::string& why) const {
    std::string pointer;
    for (const Step& step : path_) {
      jcs_internal::AppendPointerToken(
          step.name ? *step.name : std::to_string(step.index), &pointer);
    }
    return Status::InvalidArgument(ShowPointer(pointer) + ": " + why);
  }

  Status WriteNumber(double d) {
    if (!std::isfinite(d)) {
      return Fail("NaN and Infinity are not valid JSON numbers");
    }
    out_ += jcs_internal::FormatNumber(d);
    return Status::OK();
  }

  // Appends `s` in quotes when it is printable ASCII without '"' and '\\'
  // (most names and values): valid UTF-8 that needs no escape. False, with
  // nothing appended, otherwise.
  bool AppendPlainAscii(const std::string& s) {
    if (jcs_internal::UnescapedRun(s, /*ascii_only=*/true) != s.size()) {
      return false;
    }
    out_.push_back('"');
    out_ += s;
    out_.push_back('"');
    return true;
  }

  Status WriteString(const std::string& s) {
    if (AppendPlainAscii(s)) return Status::OK();
    size_t bad = jcs_internal::FindInvalidUtf8(s);
    if (bad != std::string_view::npos) {
      return Fail("string is not UTF-8 (byte " + std::to_string(bad) +
                  " of the string)");
    }
    jcs_internal::AppendQuoted(s, &out_);
    return Status::OK();
  }

  Status WriteArray(const nlohmann::json& v, int depth) {
    out_.push_back('[');
    size_t index = 0;
    for (const auto& element : v) {
      if (index > 0) out_.push_back(',');
      path_.push_back({nullptr, index++});
      LEDGER_RETURN_IF_ERROR(Write(element, depth + 1));
      path_.pop_back();
    }
    out_.push_back(']');
    return Status::OK();
  }

  Status WriteMember(const std::string& name, const nlohmann::json& value,
                     int depth) {
    if (!AppendPlainAscii(name)) {
      size_t bad = jcs_internal::FindInvalidUtf8(name);
      if (bad != std::string_view::npos) {  // reported at the object's path
        return Fail("member name is not UTF-8 (byte " + std::to_string(bad) +
                    " of the name)");
      }
      jcs_internal::AppendQuoted(name, &out_);
    }
    out_.push_back(':');
    path_.push_back({&name, 0});
    LEDGER_RETURN_IF_ERROR(Write(value, depth + 1));
    path_.pop_back();
    return Status::OK();
  }

  Status WriteObject(const nlohmann::json& v, int depth) {
    out_.push_back('{');
    bool first = true;
    auto write = [&](const std::string& name, const nlohmann::json& value) {
      if (!first) out_.push_back(',');
      first = false;
      return WriteMember(name, value, depth);
    };
    if (!HasSupplementaryName(v)) {
      // Without characters above U+FFFF, nlohmann's byte order is RFC 8785's
      // UTF-16 order.
      for (auto it = v.begin(); it != v.end(); ++it) {
        LEDGER_RETURN_IF_ERROR(write(it.key(), it.value()));
      }
    } else {
      // RFC 8785 §3.2.3: sort by UTF-16 code units, where U+10000.. (surrogate
      // pairs, 0xD800..) sorts before U+E000..U+FFFF.
      struct Member {
        std::u16string sort_key;
        const std::string* name;
        const nlohmann::json* value;
      };
      std::vector<Member> members;
      members.reserve(v.size());
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (jcs_internal::FindInvalidUtf8(it.key()) != std::string_view::npos) {
          return WriteMember(it.key(), it.value(), depth);  // reports it
        }
        members.push_back(
            {jcs_internal::ToUtf16(it.key()), &it.key(), &it.value()});
      }
      std::sort(members.begin(), members.end(),
                [](const Member& a, const Member& b) {
                  return a.sort_key < b.sort_key;
                });
      for (const Member& m : members) {
        LEDGER_RETURN_IF_ERROR(write(*m.name, *m.value));
      }
    }
    out_.push_back('}');
    return Status::OK();
  }

  std::string out_;
  std::vector<Step> path_;  // where the value being written sits
};

}  // namespace

Result<std::string> CanonicalizeJson(const nlohmann::json& value) {
  Canonicalizer c;
  LEDGER_RETURN_IF_ERROR(c.Write(value, 0));
  return c.Take();
}

}  // namespace ledger
