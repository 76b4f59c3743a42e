// EventChecker sensor data: sensorElementList validated for shape.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ledger/epcis/epcis_internal.h"
#include "ledger/epcis/event_checker.h"

namespace ledger::epcis::internal {
namespace {

using nlohmann::json;

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

}  // namespace

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
