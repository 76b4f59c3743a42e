// EventChecker identifier helpers: EPC lists, quantity lists, parentID and
// locations, all keyed through gs1::ParseIdentifier.
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

bool IsClassKind(gs1::KeyKind kind) {
  return kind == gs1::KeyKind::kGtin || kind == gs1::KeyKind::kLgtin;
}

// True if an http(s) URI has a path segment that is a GS1 AI followed by a
// value (".../414/9506000000009"): it is meant as a Digital Link, so a parse
// failure is an error rather than a non-GS1 URI to keep verbatim.
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

// The index key of a location id that checked out (`id` -> key), per thread:
// events come from few places (a scanner's read point, a site), so the GS1
// parse of the same id is done once. A pure function of the id; only
// successes are kept (errors are computed each time, with their messages).
class LocationKeyCache {
 public:
  const std::string* Find(const std::string& id) const {
    auto it = keys_.find(id);
    return it == keys_.end() ? nullptr : &it->second;
  }
  void Add(const std::string& id, const std::string& key) {
    if (keys_.size() >= kMaxEntries) keys_.clear();
    keys_.emplace(id, key);
  }

 private:
  static constexpr size_t kMaxEntries = 1024;
  std::unordered_map<std::string, std::string> keys_;
};

LocationKeyCache& ThreadLocationKeys() {
  thread_local LocationKeyCache cache;
  return cache;
}

}  // namespace

Result<std::string> EventChecker::IdentifierKey(std::string_view rel,
                                                const json& v,
                                                IdRole role) const {
  LEDGER_RETURN_IF_ERROR(CheckString(rel, v));
  const std::string& s = v.get_ref<const std::string&>();
  Result<gs1::Gs1Key> key = gs1::ParseIdentifier(s);
  if (!key.ok()) {
    // HIBC-labelled products have no GS1 key. Following CBV 2.0 section 8.3
    // (non-GS1 identifiers as HTTP URIs under a domain of the issuer) they are
    // named https://udi-ledger.org/hibc/obj/<LIC+PCN+UoM>/<serial> (instance)
    // or .../hibc/class/<LIC+PCN+UoM>[/<lot>] (class); see scanners/README.md.
    // Such URIs are indexed verbatim. Every other identifier must be an EPC URI
    // or a GS1 Digital Link URI.
    constexpr std::string_view kHibcObj = "https://udi-ledger.org/hibc/obj/";
    constexpr std::string_view kHibcClass =
        "https://udi-ledger.org/hibc/class/";
    const std::string_view want =
        role == IdRole::kInstance ? kHibcObj : kHibcClass;
    const std::string_view other =
        role == IdRole::kInstance ? kHibcClass : kHibcObj;
    if (s.starts_with(want) && s.size() > want.size()) {
      LEDGER_RETURN_IF_ERROR(CheckUri(rel, v));
      return s;
    }
    if (s.starts_with(want) || s.starts_with(other)) {
      return Fail(rel, Quote(s) + (role == IdRole::kInstance
                                       ? " is not a HIBC instance URI (want " +
                                             std::string(kHibcObj) +
                                             "<LIC+PCN+UoM>/<serial>)"
                                       : " is not a HIBC class URI (want " +
                                             std::string(kHibcClass) +
                                             "<LIC+PCN+UoM>[/<lot>])"));
    }
    return Fail(rel, key.status().message());
  }
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
  // Duplicates: a short list (the usual event has one or a few EPCs) is
  // searched, a long one hashed; both find the first earlier equal item.
  constexpr size_t kSearchMax = 16;
  const bool search = list->size() <= kSearchMax;
  std::unordered_map<std::string_view, size_t> first_index;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string rel = Index(name, i);
    Result<std::string> key = IdentifierKey(rel, (*list)[i], IdRole::kInstance);
    if (!key.ok()) return key.status();
    if (unique_items && search) {
      const std::string& item = (*list)[i].get_ref<const std::string&>();
      for (size_t j = 0; j < i; ++j) {
        if ((*list)[j].get_ref<const std::string&>() == item) {
          return Fail(rel, "duplicate of " + Index(name, j));
        }
      }
    } else if (unique_items) {
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
  LocationKeyCache& cache = ThreadLocationKeys();
  if (const std::string* cached = cache.Find(s)) {
    *key = *cached;
    return Status::OK();
  }
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
    cache.Add(s, *key);
    return Status::OK();
  }
  if (s.starts_with("urn:epc:") || LooksLikeDigitalLink(s)) {
    return Fail(rel, parsed.status().message());
  }
  *key = s;
  cache.Add(s, *key);
  return Status::OK();
}

}  // namespace ledger::epcis::internal
