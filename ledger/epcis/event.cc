// EPCIS 2.0 event validation: structure, event types and the "what" dimension
// of each type. Rules follow the EPCIS 2.0 JSON schema
// (shared/reference/epcis-schema) and ISO/IEC 19987:2024 §7.4; where the
// standard is stricter than the schema (ObjectEvent needs an identifier,
// AggregationEvent needs parentID for ADD/DELETE) the standard wins.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "ledger/epcis.h"
#include "ledger/epcis/epcis_internal.h"
#include "ledger/epcis/event_checker.h"
#include "ledger/gs1.h"

namespace ledger::epcis {
namespace internal {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 8> kCommonMembers = {
    "@context",
    "type",
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "eventID",
    "certificationInfo",
    "errorDeclaration"};

// Members defined for each event type by the EPCIS 2.0 JSON schema (besides
// kCommonMembers).
// Returned lists are static.
const std::vector<std::string_view>& TypeMembers(EventType type) {
  static const std::vector<std::string_view> kObject = {
      "action",     "epcList",         "quantityList",
      "bizStep",    "disposition",     "persistentDisposition",
      "readPoint",  "bizLocation",     "bizTransactionList",
      "sourceList", "destinationList", "sensorElementList",
      "ilmd"};
  static const std::vector<std::string_view> kAggregationOrAssociation = {
      "parentID",   "childEPCs",       "childQuantityList",
      "action",     "bizStep",         "disposition",
      "readPoint",  "bizLocation",     "bizTransactionList",
      "sourceList", "destinationList", "sensorElementList"};
  static const std::vector<std::string_view> kTransaction = {
      "bizTransactionList", "parentID",        "epcList",
      "quantityList",       "action",          "bizStep",
      "disposition",        "readPoint",       "bizLocation",
      "sourceList",         "destinationList", "sensorElementList"};
  static const std::vector<std::string_view> kTransformation = {
      "inputEPCList",       "inputQuantityList",     "outputEPCList",
      "outputQuantityList", "transformationID",      "bizStep",
      "disposition",        "persistentDisposition", "readPoint",
      "bizLocation",        "bizTransactionList",    "sourceList",
      "destinationList",    "sensorElementList",     "ilmd"};
  switch (type) {
    case EventType::kObjectEvent:
      return kObject;
    case EventType::kAggregationEvent:
    case EventType::kAssociationEvent:
      return kAggregationOrAssociation;
    case EventType::kTransactionEvent:
      return kTransaction;
    case EventType::kTransformationEvent:
      break;
  }
  return kTransformation;
}

bool Contains(const std::vector<std::string_view>& names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

bool IsMemberOfAnyType(std::string_view name) {
  for (EventType t :
       {EventType::kObjectEvent, EventType::kAggregationEvent,
        EventType::kTransactionEvent, EventType::kTransformationEvent}) {
    if (Contains(TypeMembers(t), name)) return true;
  }
  return false;
}

}  // namespace

std::string EventChecker::PathOf(std::string_view rel) const {
  if (root_.empty()) return rel.empty() ? "event" : std::string(rel);
  if (rel.empty()) return root_;
  return root_ + (rel.front() == '[' ? "" : ".") + std::string(rel);
}

Status EventChecker::Fail(std::string_view rel, std::string reason) const {
  return Status::InvalidArgument(PathOf(rel) + ": " + reason);
}

const json* EventChecker::Member(std::string_view name) const {
  if (members_count_ > 0) {
    for (size_t k = 0; k < members_count_; ++k) {
      const auto& [member, value] = members_[k];
      if (member.size() == name.size() && member == name) return value;
    }
    return nullptr;
  }
  auto it = event_.find(name);
  return it == event_.end() ? nullptr : &*it;
}

Result<EventFacts> EventChecker::Run() {
  if (!event_.is_object()) {
    return Fail("",
                "an event must be a JSON object, not " + JsonTypeName(event_));
  }
  if (event_.size() <= kIndexedMembers) {
    for (auto it = event_.begin(); it != event_.end(); ++it) {
      members_[members_count_++] = {it.key(), &*it};
    }
  }
  LEDGER_RETURN_IF_ERROR(CheckType());
  LEDGER_RETURN_IF_ERROR(CheckMemberNames());
  LEDGER_RETURN_IF_ERROR(CheckWhen());
  LEDGER_RETURN_IF_ERROR(CheckEventIdentity());
  LEDGER_RETURN_IF_ERROR(CheckErrorDeclaration());
  LEDGER_RETURN_IF_ERROR(CheckAction());
  LEDGER_RETURN_IF_ERROR(CheckWhat());
  LEDGER_RETURN_IF_ERROR(CheckWhyAndWhere());
  LEDGER_RETURN_IF_ERROR(CheckIlmd());
  CollectIlmdLots();
  return std::move(facts_);
}

Status EventChecker::CheckType() {
  const json* type = Member("type");
  if (type == nullptr)
    return Fail("type", "missing (the event type is required)");
  if (!type->is_string()) {
    return Fail("type", "must be a string, not " + JsonTypeName(*type));
  }
  const std::string& name = type->get_ref<const std::string&>();
  for (EventType t :
       {EventType::kObjectEvent, EventType::kAggregationEvent,
        EventType::kTransactionEvent, EventType::kTransformationEvent,
        EventType::kAssociationEvent}) {
    if (name == EventTypeName(t)) {
      facts_.type = t;
      return Status::OK();
    }
  }
  return Fail(
      "type",
      Quote(name) +
          " is not an EPCIS 2.0 event type (ObjectEvent, AggregationEvent, "
          "TransactionEvent, TransformationEvent, AssociationEvent)");
}

// Every member must be defined for this event type or be a namespaced
// extension. Members are visited in sorted order (nlohmann::json objects are
// ordered maps), so the first error is deterministic.
Status EventChecker::CheckMemberNames() const {
  const std::vector<std::string_view>& allowed = TypeMembers(facts_.type);
  const char* type_name = EventTypeName(facts_.type);
  for (const auto& [name, value] : event_.items()) {
    if (Contains(allowed, name) ||
        std::find(kCommonMembers.begin(), kCommonMembers.end(), name) !=
            kCommonMembers.end()) {
      continue;
    }
    if (IsExtensionName(name)) continue;  // no defined member contains ':'
    if (IsMemberOfAnyType(name)) {
      return Fail(name, std::string("not allowed on ") + type_name);
    }
    return Fail(Printable(name),
                std::string("not an EPCIS 2.0 ") + type_name +
                    " member; extension members need a namespace prefix "
                    "(e.g. \"example:" +
                    Printable(name.empty() ? "name" : name) + "\")");
  }
  return Status::OK();
}

Status EventChecker::CheckWhen() {
  const json* time = Member("eventTime");
  if (time == nullptr)
    return Fail("eventTime", "missing (required on every event)");
  LEDGER_RETURN_IF_ERROR(CheckTime("eventTime", *time, &facts_.event_time_ms));
  facts_.event_time = time->get<std::string>();

  const json* offset = Member("eventTimeZoneOffset");
  if (offset == nullptr) {
    return Fail("eventTimeZoneOffset", "missing (required on every event)");
  }
  LEDGER_RETURN_IF_ERROR(CheckString("eventTimeZoneOffset", *offset));
  const std::string& o = offset->get_ref<const std::string&>();
  auto digit = [&](size_t i) { return o[i] >= '0' && o[i] <= '9'; };
  bool shape = o.size() == 6 && (o[0] == '+' || o[0] == '-') && digit(1) &&
               digit(2) && o[3] == ':' && digit(4) && digit(5);
  int hours = shape ? (o[1] - '0') * 10 + (o[2] - '0') : 0;
  int minutes = shape ? (o[4] - '0') * 10 + (o[5] - '0') : 0;
  if (!shape || minutes > 59 || hours > 14 || (hours == 14 && minutes != 0)) {
    return Fail(
        "eventTimeZoneOffset",
        Quote(o) +
            " is not a time zone offset \"+hh:mm\" or \"-hh:mm\" within "
            "-14:00..+14:00");
  }
  if (const json* record = Member("recordTime")) {
    LEDGER_RETURN_IF_ERROR(CheckTime("recordTime", *record, nullptr));
  }
  return Status::OK();
}

Status EventChecker::CheckEventIdentity() {
  if (const json* context = Member("@context")) {
    bool ok = context->is_string() || context->is_object();
    if (context->is_array()) {
      ok = std::all_of(context->begin(), context->end(), [](const json& c) {
        return c.is_string() || c.is_object();
      });
    }
    if (!ok) {
      return Fail("@context", "must be a URI, an object or an array of them");
    }
  }
  if (const json* id = Member("eventID")) {
    LEDGER_RETURN_IF_ERROR(CheckUri("eventID", *id));
    facts_.epcis_event_id = id->get<std::string>();
  }
  if (const json* cert = Member("certificationInfo")) {
    if (cert->is_array()) {
      for (size_t i = 0; i < cert->size(); ++i) {
        LEDGER_RETURN_IF_ERROR(CheckUri(
            "certificationInfo[" + std::to_string(i) + "]", (*cert)[i]));
      }
    } else {
      LEDGER_RETURN_IF_ERROR(CheckUri("certificationInfo", *cert));
    }
  }
  return Status::OK();
}

Status EventChecker::CheckAction() {
  if (facts_.type == EventType::kTransformationEvent) return Status::OK();
  const json* action = Member("action");
  if (action == nullptr) {
    return Fail("action", std::string("missing (required on ") +
                              EventTypeName(facts_.type) + ")");
  }
  LEDGER_RETURN_IF_ERROR(CheckString("action", *action));
  const std::string& a = action->get_ref<const std::string&>();
  if (a != "ADD" && a != "OBSERVE" && a != "DELETE") {
    return Fail("action", Quote(a) + " is not one of ADD, OBSERVE, DELETE");
  }
  facts_.action = a;
  return Status::OK();
}

Status EventChecker::CheckWhat() {
  switch (facts_.type) {
    case EventType::kObjectEvent:
      return CheckObjectWhat();
    case EventType::kAggregationEvent:
    case EventType::kAssociationEvent:
      return CheckAggregationOrAssociationWhat();
    case EventType::kTransactionEvent:
      return CheckTransactionWhat();
    case EventType::kTransformationEvent:
      break;
  }
  return CheckTransformationWhat();
}

// ObjectEvent: at least one identifier in epcList or quantityList; the JSON
// schema also admits a pure sensor observation (non-empty sensorElementList
// plus readPoint) without identifiers.
Status EventChecker::CheckObjectWhat() {
  LEDGER_RETURN_IF_ERROR(
      CheckEpcList("epcList", /*unique_items=*/true, /*children=*/false));
  LEDGER_RETURN_IF_ERROR(CheckQuantityList("quantityList"));
  if (NonEmptyArray(Member("epcList")) ||
      NonEmptyArray(Member("quantityList"))) {
    return Status::OK();
  }
  if (NonEmptyArray(Member("sensorElementList")) &&
      Member("readPoint") != nullptr) {
    return Status::OK();
  }
  return Fail(
      "epcList",
      "an ObjectEvent needs at least one identifier in epcList or quantityList "
      "(or, for a sensor-only observation, sensorElementList and readPoint)");
}

// AggregationEvent (§7.4.3): parentID required for ADD and DELETE, optional for
// OBSERVE. AssociationEvent (§7.4.6): parentID always required. Both need
// children unless DELETE, which may omit them to mean "all children".
Status EventChecker::CheckAggregationOrAssociationWhat() {
  LEDGER_RETURN_IF_ERROR(
      CheckEpcList("childEPCs", /*unique_items=*/false, /*children=*/true));
  LEDGER_RETURN_IF_ERROR(CheckQuantityList("childQuantityList"));
  const bool association = facts_.type == EventType::kAssociationEvent;
  LEDGER_RETURN_IF_ERROR(
      CheckParentId(association || facts_.action != "OBSERVE"));
  if (facts_.action == "DELETE" || NonEmptyArray(Member("childEPCs")) ||
      NonEmptyArray(Member("childQuantityList"))) {
    return Status::OK();
  }
  return Fail("childEPCs", std::string("an ") + EventTypeName(facts_.type) +
                               " with action " + facts_.action +
                               " needs at least one child in childEPCs or "
                               "childQuantityList");
}

// TransactionEvent (§7.4.5): bizTransactionList (non-empty) is required; the
// objects are needed unless action is DELETE.
Status EventChecker::CheckTransactionWhat() {
  const json* list = Member("bizTransactionList");
  if (list == nullptr) {
    return Fail("bizTransactionList", "missing (required on TransactionEvent)");
  }
  if (list->is_array() && list->empty()) {
    return Fail("bizTransactionList",
                "must not be empty on a TransactionEvent");
  }
  LEDGER_RETURN_IF_ERROR(
      CheckEpcList("epcList", /*unique_items=*/false, /*children=*/false));
  LEDGER_RETURN_IF_ERROR(CheckQuantityList("quantityList"));
  LEDGER_RETURN_IF_ERROR(CheckParentId(/*required=*/false));
  if (facts_.action == "DELETE" || NonEmptyArray(Member("epcList")) ||
      NonEmptyArray(Member("quantityList"))) {
    return Status::OK();
  }
  return Fail("epcList",
              "a TransactionEvent with action " + facts_.action +
                  " needs at least one identifier in epcList or quantityList");
}

// TransformationEvent (§7.4.4): inputs and outputs, or at least one of them
// plus a transformationID that ties it to the other half of the transformation.
Status EventChecker::CheckTransformationWhat() {
  LEDGER_RETURN_IF_ERROR(CheckEpcList("inputEPCList", true, false));
  LEDGER_RETURN_IF_ERROR(CheckQuantityList("inputQuantityList"));
  LEDGER_RETURN_IF_ERROR(CheckEpcList("outputEPCList", true, false));
  LEDGER_RETURN_IF_ERROR(CheckQuantityList("outputQuantityList"));
  const json* id = Member("transformationID");
  if (id != nullptr) LEDGER_RETURN_IF_ERROR(CheckUri("transformationID", *id));
  const bool inputs = NonEmptyArray(Member("inputEPCList")) ||
                      NonEmptyArray(Member("inputQuantityList"));
  const bool outputs = NonEmptyArray(Member("outputEPCList")) ||
                       NonEmptyArray(Member("outputQuantityList"));
  if (!inputs && !outputs) {
    return Fail(
        "inputEPCList",
        "a TransformationEvent needs at least one input or output "
        "(inputEPCList, inputQuantityList, outputEPCList, outputQuantityList)");
  }
  if ((!inputs || !outputs) && id == nullptr) {
    return Fail(
        "transformationID",
        std::string("missing (required when a TransformationEvent has no ") +
            (inputs ? "outputs" : "inputs") + ")");
  }
  return Status::OK();
}

// ilmd: instance/lot master data, namespaced members only; on ObjectEvent only
// with ADD.
Status EventChecker::CheckIlmd() const {
  const json* ilmd = Member("ilmd");
  if (ilmd == nullptr) return Status::OK();
  if (facts_.type == EventType::kObjectEvent && facts_.action != "ADD") {
    return Fail("ilmd", "only allowed with action ADD");
  }
  if (!ilmd->is_object()) {
    return Fail("ilmd", "must be an object, not " + JsonTypeName(*ilmd));
  }
  return CheckExtensionMembers("ilmd", *ilmd, {});
}

// The member names under which EPCIS 2.0 JSON(-LD) carries the CBV master data
// attribute lotNumber: the compact form with the "cbvmda" prefix of the EPCIS
// 2.0 context, and its expansion (cbvmda = "urn:epcglobal:cbv:mda:", the CBV
// namespace EPCIS 1.x XML uses as xmlns:cbvmda).
constexpr std::array<std::string_view, 2> kLotNumberNames = {
    "cbvmda:lotNumber", "urn:epcglobal:cbv:mda:lotNumber"};

// ilmd describes the objects the event creates: epcList of an ObjectEvent
// (ADD, checked by CheckIlmd) or outputEPCList of a TransformationEvent. Each
// SGTIN among them with the lot gives the class key "01/<gtin14>/10/<lot>". A
// lotNumber that is not a string or not a valid AI (10) value is not indexed
// (the event stays valid: ilmd members are not validated further).
void EventChecker::CollectIlmdLots() {
  const json* ilmd = Member("ilmd");
  if (ilmd == nullptr || !ilmd->is_object()) return;
  const json* list =
      Member(facts_.type == EventType::kTransformationEvent ? "outputEPCList"
                                                            : "epcList");
  if (list == nullptr || !list->is_array()) return;
  UniqueList lots(&facts_.ilmd_lots);
  for (std::string_view name : kLotNumberNames) {
    auto lot = ilmd->find(name);
    if (lot == ilmd->end() || !lot->is_string()) continue;
    const std::string& value = lot->get_ref<const std::string&>();
    if (!gs1::ValidateAiValue("10", value).ok()) continue;
    for (const json& epc : *list) {
      if (!epc.is_string()) continue;
      auto key = gs1::ParseIdentifier(epc.get_ref<const std::string&>());
      if (!key.ok() || key->kind != gs1::KeyKind::kSgtin) continue;
      gs1::Gs1Key lgtin{gs1::KeyKind::kLgtin, {key->parts[0], {"10", value}}};
      lots.Add(lgtin.ToString());
    }
  }
}

}  // namespace internal

const char* EventTypeName(EventType t) {
  switch (t) {
    case EventType::kObjectEvent:
      return "ObjectEvent";
    case EventType::kAggregationEvent:
      return "AggregationEvent";
    case EventType::kTransactionEvent:
      return "TransactionEvent";
    case EventType::kTransformationEvent:
      return "TransformationEvent";
    case EventType::kAssociationEvent:
      return "AssociationEvent";
  }
  return "?";
}

Result<EventFacts> ValidateEvent(const nlohmann::json& event) {
  return internal::ValidateEventAt(event, "");
}

namespace internal {
Result<EventFacts> ValidateEventAt(const nlohmann::json& event,
                                   const std::string& path) {
  return EventChecker(event, path).Run();
}
}  // namespace internal

}  // namespace ledger::epcis
