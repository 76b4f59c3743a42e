// EPCISDocument envelope (EPCIS 2.0 JSON binding): the document members, then
// every event.
#include <string>
#include <string_view>
#include <vector>

#include "ledger/epcis.h"
#include "ledger/epcis/epcis_internal.h"

namespace ledger::epcis {
namespace {

using nlohmann::json;

constexpr std::string_view kDocumentMembers[] = {
    "@context",           "id",     "type",     "schemaVersion", "creationDate",
    "instanceIdentifier", "sender", "receiver", "epcisHeader",   "epcisBody"};

Status Fail(const std::string& path, const std::string& reason) {
  return Status::InvalidArgument(path + ": " + reason);
}

Status CheckDocumentMembers(const json& document) {
  for (const auto& [name, value] : document.items()) {
    bool known = false;
    for (std::string_view m : kDocumentMembers) known = known || m == name;
    if (!known && !internal::IsExtensionName(name)) {
      return Fail(internal::Printable(name),
                  "not an EPCISDocument member; extension members need a "
                  "namespace prefix (e.g. \"example:" +
                      internal::Printable(name.empty() ? "name" : name) +
                      "\")");
    }
  }
  return Status::OK();
}

Status CheckHeaderFields(const json& document) {
  auto type = document.find("type");
  if (type == document.end())
    return Fail("type", "missing (must be \"EPCISDocument\")");
  if (!type->is_string() || *type != "EPCISDocument") {
    return Fail("type",
                (type->is_string() ? internal::Quote(type->get<std::string>())
                                   : internal::JsonTypeName(*type)) +
                    " is not \"EPCISDocument\"");
  }
  auto version = document.find("schemaVersion");
  if (version == document.end())
    return Fail("schemaVersion", "missing (must be \"2.0\")");
  if (!version->is_string() || *version != "2.0") {
    return Fail(
        "schemaVersion",
        (version->is_string() ? internal::Quote(version->get<std::string>())
                              : internal::JsonTypeName(*version)) +
            " is not \"2.0\" (a string)");
  }
  auto created = document.find("creationDate");
  if (created == document.end())
    return Fail("creationDate", "missing (required)");
  if (!created->is_string()) {
    return Fail("creationDate",
                "must be a string, not " + internal::JsonTypeName(*created));
  }
  Result<int64_t> t =
      ParseRfc3339Millis(created->get_ref<const std::string&>());
  if (!t.ok()) {
    return Fail("creationDate",
                internal::Quote(created->get<std::string>()) +
                    " is not an RFC 3339 date-time: " + t.status().message());
  }
  for (std::string_view member :
       {"id", "instanceIdentifier", "sender", "receiver"}) {
    auto v = document.find(std::string(member));
    if (v != document.end() && !v->is_string()) {
      return Fail(std::string(member),
                  "must be a string, not " + internal::JsonTypeName(*v));
    }
  }
  auto header = document.find("epcisHeader");
  if (header != document.end() && !header->is_object()) {
    return Fail("epcisHeader",
                "must be an object, not " + internal::JsonTypeName(*header));
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<json>> EventListOfDocument(const json& document) {
  if (!document.is_object()) {
    return Fail("document", "an EPCISDocument must be a JSON object, not " +
                                internal::JsonTypeName(document));
  }
  LEDGER_RETURN_IF_ERROR(CheckHeaderFields(document));
  LEDGER_RETURN_IF_ERROR(CheckDocumentMembers(document));
  auto body = document.find("epcisBody");
  if (body == document.end()) return Fail("epcisBody", "missing (required)");
  if (!body->is_object()) {
    return Fail("epcisBody",
                "must be an object, not " + internal::JsonTypeName(*body));
  }
  auto list = body->find("eventList");
  if (list == body->end()) {
    return Fail("epcisBody.eventList", "missing (required)");
  }
  if (!list->is_array()) {
    return Fail("epcisBody.eventList",
                "must be an array, not " + internal::JsonTypeName(*list));
  }
  return list->get<std::vector<json>>();
}

Result<std::vector<json>> EventsOfDocument(const json& document) {
  Result<std::vector<json>> events = EventListOfDocument(document);
  if (!events.ok()) return events.status();
  for (size_t i = 0; i < events->size(); ++i) {
    const std::string path = "epcisBody.eventList[" + std::to_string(i) + "]";
    Result<EventFacts> facts = internal::ValidateEventAt((*events)[i], path);
    if (!facts.ok()) return facts.status();
  }
  return events;
}

}  // namespace ledger::epcis
