// EventChecker: walks one EPCIS 2.0 event and either fills EventFacts or stops
// at the first problem with "<json path>: <reason>". Internal to ledger/epcis.
#ifndef UDI_LEDGER_EPCIS_EVENT_CHECKER_H_
#define UDI_LEDGER_EPCIS_EVENT_CHECKER_H_

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
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

// "list[3]" and "parent.member": relative JSON paths for error messages.
inline std::string Index(std::string_view list, size_t i) {
  return std::string(list) + "[" + std::to_string(i) + "]";
}
inline std::string Join(std::string_view a, std::string_view b) {
  return std::string(a) + "." + std::string(b);
}

class EventChecker {
 public:
  // `root` prefixes every path ("" for a bare event, "epcisBody.eventList[4]"
  // in a document).
  EventChecker(const nlohmann::json& event, std::string root)
      : event_(event), root_(std::move(root)) {}
  EventChecker(const EventChecker&) =
      delete;  // the facts lists point into facts_
  EventChecker& operator=(const EventChecker&) = delete;

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
  void CollectIlmdLots();  // facts_.ilmd_lots

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
  // An EPC list: array of instance identifiers; keys go to facts.epcs (and
  // facts.children when `children`). `unique_items`: exact duplicate strings
  // are an error (schema uniqueItems).
  Status CheckEpcList(std::string_view name, bool unique_items, bool children);
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

  // A facts list kept free of duplicates in O(1) per insertion, in order of
  // first appearance.
  class UniqueList {
   public:
    explicit UniqueList(std::vector<std::string>* out) : out_(out) {}
    void Add(std::string key) {
      // Short lists (the usual event) are searched; a hash set is built only
      // once a list grows past kLinearMax.
      if (out_->size() < kLinearMax) {
        if (std::find(out_->begin(), out_->end(), key) != out_->end()) return;
        out_->push_back(std::move(key));
        return;
      }
      if (seen_.empty()) seen_.insert(out_->begin(), out_->end());
      if (seen_.insert(key).second) out_->push_back(std::move(key));
    }

   private:
    static constexpr size_t kLinearMax = 16;
    std::vector<std::string>* out_;
    std::unordered_set<std::string> seen_;
  };

  const nlohmann::json& event_;
  const std::string root_;
  // The event's members (name, value) for Member(), filled by Run() when the
  // event has at most kIndexedMembers of them (members_count_ > 0); a linear
  // scan that compares lengths first beats the ordered map's string compares
  // for the handful of members an event has.
  static constexpr size_t kIndexedMembers = 24;
  std::array<std::pair<std::string_view, const nlohmann::json*>,
             kIndexedMembers>
      members_;
  size_t members_count_ = 0;
  EventFacts facts_;  // declared before the lists that point into it
  UniqueList epcs_{&facts_.epcs};
  UniqueList epc_classes_{&facts_.epc_classes};
  UniqueList children_{&facts_.children};
};

}  // namespace ledger::epcis::internal

#endif  // UDI_LEDGER_EPCIS_EVENT_CHECKER_H_
