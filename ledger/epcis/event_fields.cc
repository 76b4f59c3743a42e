// EventChecker field helpers: basic JSON types, vocabularies, persistent
// dispositions, business transactions, sources/destinations, error
// declarations.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ledger/epcis/epcis_internal.h"
#include "ledger/epcis/event_checker.h"

namespace ledger::epcis::internal {

using nlohmann::json;

Status EventChecker::CheckString(std::string_view rel, const json& v) const {
  if (v.is_string()) return Status::OK();
  return Fail(rel, "must be a string, not " + JsonTypeName(v));
}

Status EventChecker::CheckUri(std::string_view rel, const json& v) const {
  LEDGER_RETURN_IF_ERROR(CheckString(rel, v));
  const std::string& s = v.get_ref<const std::string&>();
  if (IsAbsoluteUri(s)) return Status::OK();
  return Fail(rel, Quote(s) + " is not an absolute URI");
}

Status EventChecker::CheckTime(std::string_view rel, const json& v,
                               int64_t* millis) const {
  LEDGER_RETURN_IF_ERROR(CheckString(rel, v));
  const std::string& s = v.get_ref<const std::string&>();
  Result<int64_t> t = ParseRfc3339Millis(s);
  if (!t.ok()) {
    return Fail(rel, Quote(s) + " is not an RFC 3339 date-time: " +
                         t.status().message());
  }
  if (millis != nullptr) *millis = *t;
  return Status::OK();
}

Status EventChecker::CheckExtensionMembers(
    std::string_view rel, const json& obj,
    std::initializer_list<std::string_view> allowed) const {
  for (const auto& [name, value] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end())
      continue;
    if (!IsExtensionName(name)) {
      return Fail(
          Join(rel, Printable(name)),
          "not a defined member here; extension members need a namespace "
          "prefix (e.g. \"example:" +
              Printable(name.empty() ? "name" : name) + "\")");
    }
  }
  return Status::OK();
}

Status EventChecker::CheckVocabularyMember(std::string_view name,
                                           Vocabulary vocabulary,
                                           std::string* out) const {
  const json* v = Member(name);
  if (v == nullptr) return Status::OK();
  LEDGER_RETURN_IF_ERROR(CheckString(name, *v));
  Result<std::string> n =
      NormalizeVocabulary(vocabulary, v->get_ref<const std::string&>());
  if (!n.ok()) return Fail(name, n.status().message());
  *out = std::move(*n);
  return Status::OK();
}

Status EventChecker::CheckWhyAndWhere() {
  LEDGER_RETURN_IF_ERROR(
      CheckVocabularyMember("bizStep", Vocabulary::kBizStep, &facts_.biz_step));
  LEDGER_RETURN_IF_ERROR(CheckVocabularyMember(
      "disposition", Vocabulary::kDisposition, &facts_.disposition));
  LEDGER_RETURN_IF_ERROR(CheckPersistentDisposition());
  LEDGER_RETURN_IF_ERROR(CheckLocation("readPoint", &facts_.read_point));
  LEDGER_RETURN_IF_ERROR(CheckLocation("bizLocation", &facts_.biz_location));
  LEDGER_RETURN_IF_ERROR(CheckBizTransactionList());
  LEDGER_RETURN_IF_ERROR(CheckSourceDestList("sourceList", "source"));
  LEDGER_RETURN_IF_ERROR(CheckSourceDestList("destinationList", "destination"));
  return CheckSensorElementList();
}

// persistentDisposition: {set?, unset?}, at least one, each a non-empty list of
// distinct dispositions.
Status EventChecker::CheckPersistentDisposition() const {
  const json* pd = Member("persistentDisposition");
  if (pd == nullptr) return Status::OK();
  if (!pd->is_object()) {
    return Fail("persistentDisposition",
                "must be an object, not " + JsonTypeName(*pd));
  }
  for (const auto& [name, value] : pd->items()) {
    if (name != "set" && name != "unset") {
      return Fail(Join("persistentDisposition", name),
                  "not allowed (only set and unset)");
    }
  }
  if (pd->empty()) return Fail("persistentDisposition", "needs set or unset");
  for (std::string_view part : {"set", "unset"}) {
    auto list = pd->find(std::string(part));
    if (list == pd->end()) continue;
    const std::string rel = Join("persistentDisposition", part);
    if (!list->is_array())
      return Fail(rel, "must be an array, not " + JsonTypeName(*list));
    if (list->empty()) return Fail(rel, "must not be empty");
    std::unordered_map<std::string_view, size_t> first_index;
    for (size_t i = 0; i < list->size(); ++i) {
      LEDGER_RETURN_IF_ERROR(CheckString(Index(rel, i), (*list)[i]));
      Result<std::string> d = NormalizeVocabulary(
          Vocabulary::kDisposition, (*list)[i].get_ref<const std::string&>());
      if (!d.ok()) return Fail(Index(rel, i), d.status().message());
      auto [it, inserted] =
          first_index.emplace((*list)[i].get_ref<const std::string&>(), i);
      if (!inserted) {
        return Fail(Index(rel, i), "duplicate of " + Index(rel, it->second));
      }
    }
  }
  return Status::OK();
}

Status EventChecker::CheckBizTransactionList() {
  const json* list = Member("bizTransactionList");
  if (list == nullptr) return Status::OK();
  if (!list->is_array()) {
    return Fail("bizTransactionList",
                "must be an array, not " + JsonTypeName(*list));
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string rel = Index("bizTransactionList", i);
    const json& bt = (*list)[i];
    if (!bt.is_object())
      return Fail(rel, "must be an object, not " + JsonTypeName(bt));
    for (const auto& [name, value] : bt.items()) {
      if (name != "type" && name != "bizTransaction") {
        return Fail(Join(rel, name),
                    "not allowed (only type and bizTransaction)");
      }
    }
    auto id = bt.find("bizTransaction");
    if (id == bt.end())
      return Fail(Join(rel, "bizTransaction"), "missing (required)");
    LEDGER_RETURN_IF_ERROR(CheckUri(Join(rel, "bizTransaction"), *id));
    auto type = bt.find("type");
    if (type != bt.end()) {
      LEDGER_RETURN_IF_ERROR(CheckString(Join(rel, "type"), *type));
      Result<std::string> t = NormalizeVocabulary(
          Vocabulary::kBizTransactionType, type->get_ref<const std::string&>());
      if (!t.ok()) return Fail(Join(rel, "type"), t.status().message());
    }
  }
  return Status::OK();
}

// sourceList / destinationList entries: {type, source|destination}, both
// required.
Status EventChecker::CheckSourceDestList(std::string_view list_name,
                                         std::string_view field) const {
  const json* list = Member(list_name);
  if (list == nullptr) return Status::OK();
  if (!list->is_array())
    return Fail(list_name, "must be an array, not " + JsonTypeName(*list));
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string rel = Index(list_name, i);
    const json& e = (*list)[i];
    if (!e.is_object())
      return Fail(rel, "must be an object, not " + JsonTypeName(e));
    for (const auto& [name, value] : e.items()) {
      if (name != "type" && name != field) {
        return Fail(Join(rel, name),
                    "not allowed (only type and " + std::string(field) + ")");
      }
    }
    auto type = e.find("type");
    if (type == e.end()) return Fail(Join(rel, "type"), "missing (required)");
    LEDGER_RETURN_IF_ERROR(CheckString(Join(rel, "type"), *type));
    Result<std::string> t = NormalizeVocabulary(
        Vocabulary::kSourceDestType, type->get_ref<const std::string&>());
    if (!t.ok()) return Fail(Join(rel, "type"), t.status().message());
    auto value = e.find(std::string(field));
    if (value == e.end()) return Fail(Join(rel, field), "missing (required)");
    LEDGER_RETURN_IF_ERROR(CheckUri(Join(rel, field), *value));
  }
  return Status::OK();
}

// errorDeclaration: {declarationTime (required), reason?, correctiveEventIDs?,
// extensions}.
Status EventChecker::CheckErrorDeclaration() {
  const json* ed = Member("errorDeclaration");
  if (ed == nullptr) return Status::OK();
  if (!ed->is_object()) {
    return Fail("errorDeclaration",
                "must be an object, not " + JsonTypeName(*ed));
  }
  LEDGER_RETURN_IF_ERROR(CheckExtensionMembers(
      "errorDeclaration", *ed,
      {"declarationTime", "reason", "correctiveEventIDs"}));
  auto time = ed->find("declarationTime");
  if (time == ed->end()) {
    return Fail("errorDeclaration.declarationTime", "missing (required)");
  }
  LEDGER_RETURN_IF_ERROR(
      CheckTime("errorDeclaration.declarationTime", *time, nullptr));
  auto reason = ed->find("reason");
  if (reason != ed->end()) {
    LEDGER_RETURN_IF_ERROR(CheckString("errorDeclaration.reason", *reason));
    Result<std::string> r = NormalizeVocabulary(
        Vocabulary::kErrorReason, reason->get_ref<const std::string&>());
    if (!r.ok()) return Fail("errorDeclaration.reason", r.status().message());
  }
  facts_.is_error_declaration = true;
  auto ids = ed->find("correctiveEventIDs");
  if (ids == ed->end()) return Status::OK();
  const std::string rel = "errorDeclaration.correctiveEventIDs";
  if (!ids->is_array())
    return Fail(rel, "must be an array, not " + JsonTypeName(*ids));
  for (size_t i = 0; i < ids->size(); ++i) {
    LEDGER_RETURN_IF_ERROR(CheckUri(Index(rel, i), (*ids)[i]));
    facts_.corrective_event_ids.push_back((*ids)[i].get<std::string>());
  }
  return Status::OK();
}

}  // namespace ledger::epcis::internal
