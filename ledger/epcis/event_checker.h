// EventChecker: walks one EPCIS 2.0 event and either fills EventFacts or stops
// at the first problem with "<json path>: <reason>". Internal to ledger/epcis.
#ifndef UDI_LEDGER_EPCIS_EVENT_CHECKER_H_
#define UDI_LEDGER_EPCIS_EVENT_CHECKER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/epcis.h"
#include "ledger/epcis/epcis_internal.h"
#include "ledger/status.h"

namespace ledger::epcis::internal {

// How an identifier is used, which decides which GS1 keys fit.
enum class IdRole {
  kInstance,  // epcList, childEPCs, inputEPCList, outputEPCList: one thing, not
              // a class
  kClass,     // quantity element epcClass: a GTIN or GTIN+lot class, not an
              // instance
  kParent,    // parentID: any GS1 key
};

class EventChecker {
 public:
  // `root` prefixes every path ("" for a bare event, "epcisBody.eventList[4]"
  // in a document).
  EventChecker(const nlohmann::json& event, std::string root)
      : event_(event), root_(std::move(root)) {}

  Result<EventFacts> Run();

 private:
  // --- paths and errors ---
  std::string PathOf(std::string_view rel) const;
  Status Fail(std::string_view rel, std::string reason) const;
  const nlohmann::json* Member(std::string_view name) const;

  // --- top-level structure (event.cc) ---
  Status CheckType();
  Status CheckMemberNames() const;
  Status CheckWhen();
  Status CheckEventIdentity();
  Status CheckAction();
  Status CheckWhat();
  Status CheckObjectWhat();
  Status CheckAggregationOrAssociationWhat();
  Status CheckTransactionWhat();
  Status CheckTransformationWhat();
  Status CheckIlmd() const;

  // --- field helpers (event_fields.cc) ---
  Status CheckString(std::string_view rel, const nlohmann::json& v) const;
  Status CheckUri(std::string_view rel, const nlohmann::json& v) const;
  Status CheckTime(std::string_view rel, const nlohmann::json& v,
                   int64_t* millis) const;
  Status CheckExtensionMembers(
      std::string_view rel, const nlohmann::json& obj,
      std::initializer_list<std::string_view> allowed) const;
  Result<std::string> IdentifierKey(std::string_view rel,
                                    const nlohmann::json& v, IdRole role) const;
  // An EPC list: array of instance identifiers. Appends keys to `keys`
  // (deduplicated).
  Status CheckEpcList(std::string_view name, bool unique_items,
                      std::vector<std::string>* keys);
  Status CheckQuantityList(std::string_view name);
  Status CheckParentId(bool required);
  Status CheckWhyAndWhere();
  Status CheckVocabularyMember(std::string_view name, Vocabulary vocabulary,
                               std::string* out) const;
  Status CheckPersistentDisposition() const;
  Status CheckLocation(std::string_view name, std::string* key) const;
  Status CheckBizTransactionList();
  Status CheckSourceDestList(std::string_view list,
                             std::string_view field) const;
  Status CheckErrorDeclaration();
  Status CheckSensorElementList() const;
  Status CheckSensorReport(const std::string& rel,
                           const nlohmann::json& report) const;

  static bool NonEmptyArray(const nlohmann::json* v) {
    return v != nullptr && v->is_array() && !v->empty();
  }
  static void AddUnique(std::vector<std::string>* keys, std::string key);

  const nlohmann::json& event_;
  const std::string root_;
  EventFacts facts_;
};

}  // namespace ledger::epcis::internal

#endif  // UDI_LEDGER_EPCIS_EVENT_CHECKER_H_
