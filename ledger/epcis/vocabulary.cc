// CBV 2.0 vocabularies (GS1 Core Business Vocabulary 2.0 §7) and URI syntax
// checks.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "ledger/epcis.h"
#include "ledger/epcis/epcis_internal.h"

namespace ledger::epcis {
namespace internal {
namespace {

// CBV 2.0 §7.1 business steps (the EPCIS 2.0 JSON schema's bizStep enum).
constexpr std::array<std::string_view, 41> kBizSteps = {
    "accepting",
    "arriving",
    "assembling",
    "collecting",
    "commissioning",
    "consigning",
    "creating_class_instance",
    "cycle_counting",
    "decommissioning",
    "departing",
    "destroying",
    "disassembling",
    "dispensing",
    "encoding",
    "entering_exiting",
    "holding",
    "inspecting",
    "installing",
    "killing",
    "loading",
    "other",
    "packing",
    "picking",
    "receiving",
    "removing",
    "repackaging",
    "repairing",
    "replacing",
    "reserving",
    "retail_selling",
    "sampling",
    "sensor_reporting",
    "shipping",
    "staging_outbound",
    "stock_taking",
    "stocking",
    "storing",
    "transporting",
    "unloading",
    "unpacking",
    "void_shipping",
};

// CBV 2.0 §7.2 dispositions.
constexpr std::array<std::string_view, 33> kDispositions = {
    "active",
    "available",
    "completeness_inferred",
    "completeness_verified",
    "conformant",
    "container_closed",
    "container_open",
    "damaged",
    "destroyed",
    "dispensed",
    "disposed",
    "encoded",
    "expired",
    "in_progress",
    "in_transit",
    "inactive",
    "mismatch_class",
    "mismatch_instance",
    "mismatch_quantity",
    "needs_replacement",
    "no_pedigree_match",
    "non_conformant",
    "non_sellable_other",
    "partially_dispensed",
    "recalled",
    "reserved",
    "retail_sold",
    "returned",
    "sellable_accessible",
    "sellable_not_accessible",
    "stolen",
    "unavailable",
    "unknown",
};

// CBV 2.0 §7.3 business transaction types.
constexpr std::array<std::string_view, 13> kBizTransactionTypes = {
    "bol",       "cert",   "desadv", "inv",     "pedigree", "po",    "poc",
    "prodorder", "recadv", "rma",    "testprd", "testres",  "upevt",
};

// CBV 2.0 §7.4 source/destination types.
constexpr std::array<std::string_view, 3> kSourceDestTypes = {
    "owning_party", "possessing_party", "location"};

// CBV 2.0 §7.5 error reasons.
constexpr std::array<std::string_view, 2> kErrorReasons = {"did_not_occur",
                                                           "incorrect_data"};

struct VocabularyInfo {
  const std::string_view* names;
  size_t count;
  std::string_view uri_prefix;  // CBV 2.0 web URI
  std::string_view urn_prefix;  // EPCIS/CBV 1.x URN
  std::string_view what;        // for messages
};

VocabularyInfo InfoFor(Vocabulary vocabulary) {
  switch (vocabulary) {
    case Vocabulary::kBizStep:
      return {kBizSteps.data(), kBizSteps.size(),
              "https://ref.gs1.org/cbv/BizStep-",
              "urn:epcglobal:cbv:bizstep:", "business step"};
    case Vocabulary::kDisposition:
      return {kDispositions.data(), kDispositions.size(),
              "https://ref.gs1.org/cbv/Disp-",
              "urn:epcglobal:cbv:disp:", "disposition"};
    case Vocabulary::kBizTransactionType:
      return {kBizTransactionTypes.data(), kBizTransactionTypes.size(),
              "https://ref.gs1.org/cbv/BTT-",
              "urn:epcglobal:cbv:btt:", "business transaction type"};
    case Vocabulary::kSourceDestType:
      return {kSourceDestTypes.data(), kSourceDestTypes.size(),
              "https://ref.gs1.org/cbv/SDT-",
              "urn:epcglobal:cbv:sdt:", "source/destination type"};
    case Vocabulary::kErrorReason:
      break;
  }
  return {kErrorReasons.data(), kErrorReasons.size(),
          "https://ref.gs1.org/cbv/ER-",
          "urn:epcglobal:cbv:er:", "error reason"};
}

// URI prefixes owned by GS1's CBV: a value there must be a defined term, never
// an extension (the JSON schema's vocab-other-uri excludes urn:epcglobal:cbv
// and ns.gs1.org/cbv/).
constexpr std::array<std::string_view, 5> kCbvNamespaces = {
    "https://ref.gs1.org/cbv/", "http://ref.gs1.org/cbv/",
    "urn:epcglobal:cbv:", "https://ns.gs1.org/cbv/", "http://ns.gs1.org/cbv/"};

bool IsUriChar(unsigned char c) {
  if (std::isalnum(c)) return true;
  static constexpr std::string_view kOther = "-._~:/?#[]@!$&'()*+,;=";
  return kOther.find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsHex(unsigned char c) { return std::isxdigit(c) != 0; }

}  // namespace

bool IsAbsoluteUri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= s.size()) {
    return false;
  }
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (size_t i = colon + 1; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) {
        return false;
      }
      i += 2;
      continue;
    }
    if (!IsUriChar(c)) return false;
  }
  return true;
}

bool IsExtensionName(std::string_view name) { return IsAbsoluteUri(name); }

Result<std::string> NormalizeVocabulary(Vocabulary vocabulary,
                                        std::string_view value) {
  const VocabularyInfo info = InfoFor(vocabulary);
  auto known = [&](std::string_view name) {
    return std::find(info.names, info.names + info.count, name) !=
           info.names + info.count;
  };
  if (known(value)) return std::string(value);
  for (std::string_view prefix : {info.uri_prefix, info.urn_prefix}) {
    if (value.starts_with(prefix) && known(value.substr(prefix.size()))) {
      return std::string(value.substr(prefix.size()));
    }
  }
  for (std::string_view ns : kCbvNamespaces) {
    if (value.starts_with(ns)) {
      return Status::InvalidArgument(
          Quote(value) + " is in the CBV namespace but is not a CBV 2.0 " +
          std::string(info.what));
    }
  }
  if (IsAbsoluteUri(value)) return std::string(value);
  return Status::InvalidArgument(Quote(value) + " is not a CBV 2.0 " +
                                 std::string(info.what) +
                                 " or an absolute URI");
}

std::string Printable(std::string_view value) {
  constexpr size_t kMax = 80;
  std::string out;
  for (size_t i = 0; i < value.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (value.size() > kMax) out += "...";
  return out;
}

std::string Quote(std::string_view value) {
  return "'" + Printable(value) + "'";
}

std::string JsonTypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::binary:
      return "binary";
    case nlohmann::json::value_t::discarded:
      return "discarded";
    default:
      return "a number";
  }
}

}  // namespace internal

Result<std::string> NormalizeBizStep(std::string_view value) {
  return internal::NormalizeVocabulary(internal::Vocabulary::kBizStep, value);
}

Result<std::string> NormalizeDisposition(std::string_view value) {
  return internal::NormalizeVocabulary(internal::Vocabulary::kDisposition,
                                       value);
}

}  // namespace ledger::epcis
