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

class Canonicalizer {
 public:
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
  Status Fail(const std::string& why) const {
    return Status::InvalidArgument(ShowPointer(path_) + ": " + why);
  }

  Status WriteNumber(double d) {
    if (!std::isfinite(d))
      return Fail("NaN and Infinity are not valid JSON numbers");
    out_ += jcs_internal::FormatNumber(d);
    return Status::OK();
  }

  Status WriteString(const std::string& s) {
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
      size_t saved = path_.size();
      jcs_internal::AppendPointerToken(std::to_string(index++), &path_);
      LEDGER_RETURN_IF_ERROR(Write(element, depth + 1));
      path_.resize(saved);
    }
    out_.push_back(']');
    return Status::OK();
  }

  Status WriteObject(const nlohmann::json& v, int depth) {
    // nlohmann orders members by UTF-8 bytes; RFC 8785 §3.2.3 orders by UTF-16
    // code units, which differs once names mix characters above U+FFFF with
    // U+E000..U+FFFF.
    struct Member {
      std::u16string sort_key;
      const std::string* name;
      const nlohmann::json* value;
    };
    std::vector<Member> members;
    members.reserve(v.size());
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& name = it.key();
      size_t bad = jcs_internal::FindInvalidUtf8(name);
      if (bad != std::string_view::npos) {
        return Fail("member name is not UTF-8 (byte " + std::to_string(bad) +
                    " of the name)");
      }
      members.push_back({jcs_internal::ToUtf16(name), &name, &it.value()});
    }
    std::sort(members.begin(), members.end(),
              [](const Member& a, const Member& b) {
                return a.sort_key < b.sort_key;
              });
    out_.push_back('{');
    bool first = true;
    for (const Member& m : members) {
      if (!first) out_.push_back(',');
      first = false;
      jcs_internal::AppendQuoted(*m.name, &out_);
      out_.push_back(':');
      size_t saved = path_.size();
      jcs_internal::AppendPointerToken(*m.name, &path_);
      LEDGER_RETURN_IF_ERROR(Write(*m.value, depth + 1));
      path_.resize(saved);
    }
    out_.push_back('}');
    return Status::OK();
  }

  std::string out_;
  std::string path_;  // JSON Pointer of the value being written
};

}  // namespace

Result<std::string> CanonicalizeJson(const nlohmann::json& value) {
  Canonicalizer c;
  LEDGER_RETURN_IF_ERROR(c.Write(value, 0));
  return c.Take();
}

}  // namespace ledger
