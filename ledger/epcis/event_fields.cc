// EventChecker field helpers: identifiers, quantities, vocabularies, locations,
// business transactions, sources/destinations, error declarations and sensor
// data.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ledger/epcis/epcis_internal.h"
#include "ledger/epcis/event_checker.h"
#include "ledger/gs1.h"

namespace ledger::epcis::internal {
namespace {

using nlohmann::json;

std::string Index(std::string_view list, size_t i) {
  return std::string(list) + "[" + std::to_string(i) + "]";
}

std::string Join(std::string_view a, std::string_view b) {
  return std::string(a) + "." + std::string(b);
}

bool IsClassKind(gs1::KeyKind kind) {
  return kind == gs1::KeyKind::kGtin || kind == gs1::KeyKind::kLgtin;
}

// EPCIS 2.0 JSON schema "measurementType" enum (GS1 Web Vocabulary names).
constexpr std::array<std::string_view, 71> kMeasurementTypes = {
    "AbsoluteHumidity",
    "AbsorbedDose",
    "AbsorbedDoseRate",
    "Acceleration",
    "Radioactivity",
    "Altitude",
    "AmountOfSubstance",
    "AmountOfSubstancePerUnitVolume",
    "Angle",
    "AngularAcceleration",
    "AngularMomentum",
    "AngularVelocity",
    "Area",
    "Capacitance",
    "Conductance",
    "Conductivity",
    "Count",
    "Density",
    "Dimensionless",
    "DoseEquivalent",
    "DoseEquivalentRate",
    "DynamicViscosity",
    "ElectricCharge",
    "ElectricCurrent",
    "ElectricCurrentDensity",
    "ElectricFieldStrength",
    "Energy",
    "Exposure",
    "Force",
    "Frequency",
    "Illuminance",
    "Inductance",
    "Irradiance",
    "KinematicViscosity",
    "Length",
    "LinearMomentum",
    "Luminance",
    "LuminousFlux",
    "LuminousIntensity",
    "MagneticFlux",
    "MagneticFluxDensity",
    "MagneticVectorPotential",
    "Mass",
    "MassConcentration",
    "MassFlowRate",
    "MassPerAreaTime",
    "MemoryCapacity",
    "MolalityOfSolute",
    "MolarEnergy",
    "MolarMass",
    "MolarVolume",
    "Power",
    "Pressure",
    "RadiantFlux",
    "RadiantIntensity",
    "RelativeHumidity",
    "Resistance",
    "Resistivity",
    "SolidAngle",
    "SpecificVolume",
    "Speed",
    "SurfaceDensity",
    "SurfaceTension",
    "Temperature",
    "Time",
    "Torque",
    "Voltage",
    "Volume",
    "VolumeFlowRate",
    "VolumeFraction",
    "VolumetricFlux"};

// True if an http(s) URI has a path segment that is a GS1 AI followed by a
// value
// (".../414/9506000000009"): it is meant as a Digital Link, so a parse failure
// is an error rather than a non-GS1 URI to keep verbatim.
bool LooksLikeDigitalLink(std::string_view uri) {
  if (!uri.starts_with("https://") && !uri.starts_with("http://")) return false;
  size_t path = uri.find('/', uri.find("//") + 2);
  if (path == std::string_view::npos) return false;
  std::string_view rest = uri.substr(path + 1);
  rest = rest.substr(0, rest.find_first_of("?#"));
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return false;
    std::string_view segment = rest.substr(0, slash);
    bool digits = segment.size() >= 2 && segment.size() <= 4 &&
                  std::all_of(segment.begin(), segment.end(),
                              [](char c) { return c >= '0' && c <= '9'; });
    if (digits && gs1::LookupAi(segment) != nullptr &&
        slash + 1 < rest.size()) {
      return true;
    }
    rest = rest.substr(slash + 1);
  }
  return false;
}

}  // namespace

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

Result<std::string> EventChecker::IdentifierKey(std::string_view rel,
                                                const json& v,
                                                IdRole role) const {
  LEDGER_RETURN_IF_ERROR(CheckString(rel, v));
  const std::string& s = v.get_ref<const std::string&>();
  Result<gs1::Gs1Key> key = gs1::ParseIdentifier(s);
  if (!key.ok()) return Fail(rel, key.status().message());
  if (role == IdRole::kInstance && IsClassKind(key->kind)) {
    return Fail(rel,
                Quote(s) +
                    " identifies a class (GTIN or GTIN+lot), not an instance; "
                    "classes belong in a quantity list");
  }
  if (role == IdRole::kClass && !IsClassKind(key->kind)) {
    return Fail(
        rel,
        Quote(s) +
            " is not a class identifier (expected an LGTIN, a GTIN pattern "
            "or a GTIN/GTIN+lot Digital Link)");
  }
  return key->ToString();
}

Status EventChecker::CheckEpcList(std::string_view name, bool unique_items,
                                  bool children) {
  const json* list = Member(name);
  if (list == nullptr) return Status::OK();
  if (!list->is_array()) {
    return Fail(name, "must be an array, not " + JsonTypeName(*list));
  }
  std::unordered_map<std::string_view, size_t> first_index;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string rel = Index(name, i);
    Result<std::string> key = IdentifierKey(rel, (*list)[i], IdRole::kInstance);
    if (!key.ok()) return key.status();
    if (unique_items) {
      auto [it, inserted] =
          first_index.emplace((*list)[i].get_ref<const std::string&>(), i);
      if (!inserted)
        return Fail(rel, "duplicate of " + Index(name, it->second));
    }
    if (children) children_.Add(*key);
    epcs_.Add(std::move(*key));
  }
  return Status::OK();
}

// quantityList elements: {epcClass (required), quantity (number), uom (only
// with quantity, UN/ECE Rec 20 code of 2-3 upper-case letters or digits)};
// nothing else.
Status EventChecker::CheckQuantityList(std::string_view name) {
  const json* list = Member(name);
  if (list == nullptr) return Status::OK();
  if (!list->is_array()) {
    return Fail(name, "must be an array, not " + JsonTypeName(*list));
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string rel = Index(name, i);
    const json& q = (*list)[i];
    if (!q.is_object())
      return Fail(rel, "must be an object, not " + JsonTypeName(q));
    for (const auto& [member, value] : q.items()) {
      if (member != "epcClass" && member != "quantity" && member != "uom") {
        return Fail(
            Join(rel, member),
            "not allowed in a quantity element (only epcClass, quantity, uom)");
      }
    }
    auto cls = q.find("epcClass");
    if (cls == q.end())
      return Fail(Join(rel, "epcClass"), "missing (required)");
    Result<std::string> key =
        IdentifierKey(Join(rel, "epcClass"), *cls, IdRole::kClass);
    if (!key.ok()) return key.status();
    auto quantity = q.find("quantity");
    if (quantity != q.end() && !quantity->is_number()) {
      return Fail(Join(rel, "quantity"),
                  "must be a number, not " + JsonTypeName(*quantity));
    }
    auto uom = q.find("uom");
    if (uom != q.end()) {
      if (quantity == q.end())
        return Fail(Join(rel, "uom"), "only allowed together with quantity");
      LEDGER_RETURN_IF_ERROR(CheckString(Join(rel, "uom"), *uom));
      const std::string& u = uom->get_ref<const std::string&>();
      bool ok = (u.size() == 2 || u.size() == 3) &&
                std::all_of(u.begin(), u.end(), [](char c) {
                  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                });
      if (!ok) {
        return Fail(Join(rel, "uom"),
                    Quote(u) +
                        " is not a UN/ECE Recommendation 20 unit code (2-3 "
                        "upper-case letters or digits)");
      }
    }
    epc_classes_.Add(std::move(*key));
  }
  return Status::OK();
}

Status EventChecker::CheckParentId(bool required) {
  const json* parent = Member("parentID");
  if (parent == nullptr) {
    if (!required) return Status::OK();
    std::string when = facts_.type == EventType::kAssociationEvent
                           ? ""
                           : " with action " + facts_.action;
    return Fail("parentID", std::string("missing (required on ") +
                                EventTypeName(facts_.type) + when + ")");
  }
  Result<std::string> key = IdentifierKey("parentID", *parent, IdRole::kParent);
  if (!key.ok()) return key.status();
  facts_.parent = std::move(*key);
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

// readPoint / bizLocation: {id, namespaced extensions}. A GS1 id must be a
// location (SGLN EPC URI or GLN Digital Link) and is indexed by its key; any
// other absolute URI is kept verbatim.
Status EventChecker::CheckLocation(std::string_view name,
                                   std::string* key) const {
  const json* loc = Member(name);
  if (loc == nullptr) return Status::OK();
  if (!loc->is_object())
    return Fail(name, "must be an object, not " + JsonTypeName(*loc));
  LEDGER_RETURN_IF_ERROR(CheckExtensionMembers(name, *loc, {"id"}));
  auto id = loc->find("id");
  const std::string rel = Join(name, "id");
  if (id == loc->end()) return Fail(rel, "missing (required)");
  LEDGER_RETURN_IF_ERROR(CheckUri(rel, *id));
  const std::string& s = id->get_ref<const std::string&>();
  Result<gs1::Gs1Key> parsed = gs1::ParseIdentifier(s);
  if (parsed.ok()) {
    if (parsed->kind != gs1::KeyKind::kSgln) {
      return Fail(
          rel,
          Quote(s) +
              " is not a location identifier (expected an SGLN EPC URI, a GLN "
              "Digital Link or a non-GS1 URI)");
    }
    *key = parsed->ToString();
    return Status::OK();
  }
  if (s.starts_with("urn:epc:") || LooksLikeDigitalLink(s)) {
    return Fail(rel, parsed.status().message());
  }
  *key = s;
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

// sensorElementList, validated for shape: elements are objects with a non-empty
// sensorReport array of objects, each with a measurement type; times are RFC
// 3339, numbers are numbers.
Status EventChecker::CheckSensorElementList() const {
  const json* list = Member("sensorElementList");
  if (list == nullptr) return Status::OK();
  if (!list->is_array()) {
    return Fail("sensorElementList",
                "must be an array, not " + JsonTypeName(*list));
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string rel = Index("sensorElementList", i);
    const json& element = (*list)[i];
    if (!element.is_object())
      return Fail(rel, "must be an object, not " + JsonTypeName(element));
    // "type" is tolerated: JSON-LD producers add "type": "epcis:SensorElement".
    LEDGER_RETURN_IF_ERROR(CheckExtensionMembers(
        rel, element, {"sensorMetadata", "sensorReport", "type"}));
    auto metadata = element.find("sensorMetadata");
    if (metadata != element.end()) {
      const std::string mrel = Join(rel, "sensorMetadata");
      if (!metadata->is_object()) {
        return Fail(mrel, "must be an object, not " + JsonTypeName(*metadata));
      }
      for (std::string_view t : {"time", "startTime", "endTime"}) {
        auto v = metadata->find(std::string(t));
        if (v != metadata->end())
          LEDGER_RETURN_IF_ERROR(CheckTime(Join(mrel, t), *v, nullptr));
      }
    }
    auto reports = element.find("sensorReport");
    const std::string rrel = Join(rel, "sensorReport");
    if (reports == element.end()) return Fail(rrel, "missing (required)");
    if (!reports->is_array())
      return Fail(rrel, "must be an array, not " + JsonTypeName(*reports));
    if (reports->empty()) return Fail(rrel, "must not be empty");
    for (size_t j = 0; j < reports->size(); ++j) {
      LEDGER_RETURN_IF_ERROR(CheckSensorReport(Index(rrel, j), (*reports)[j]));
    }
  }
  return Status::OK();
}

Status EventChecker::CheckSensorReport(const std::string& rel,
                                       const json& report) const {
  if (!report.is_object())
    return Fail(rel, "must be an object, not " + JsonTypeName(report));
  auto type = report.find("type");
  if (type == report.end())
    return Fail(Join(rel, "type"), "missing (required)");
  LEDGER_RETURN_IF_ERROR(CheckString(Join(rel, "type"), *type));
  const std::string& t = type->get_ref<const std::string&>();
  if (std::find(kMeasurementTypes.begin(), kMeasurementTypes.end(), t) ==
          kMeasurementTypes.end() &&
      !IsAbsoluteUri(t)) {
    return Fail(Join(rel, "type"),
                Quote(t) + " is not a GS1 measurement type or an absolute URI");
  }
  auto time = report.find("time");
  if (time != report.end())
    LEDGER_RETURN_IF_ERROR(CheckTime(Join(rel, "time"), *time, nullptr));
  for (std::string_view n : {"value", "minValue", "maxValue", "meanValue",
                             "sDev", "percRank", "percValue"}) {
    auto v = report.find(std::string(n));
    if (v != report.end() && !v->is_number()) {
      return Fail(Join(rel, n), "must be a number, not " + JsonTypeName(*v));
    }
  }
  auto b = report.find("booleanValue");
  if (b != report.end() && !b->is_boolean()) {
    return Fail(Join(rel, "booleanValue"),
                "must be a boolean, not " + JsonTypeName(*b));
  }
  return Status::OK();
}

}  // namespace ledger::epcis::internal
