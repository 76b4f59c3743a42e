#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "ledger/epcis.h"
#include "ledger/epcis/test_util.h"

namespace ledger::epcis {
namespace {

using nlohmann::json;

// The events of a valid vector: a whole EPCISDocument or one bare event.
std::vector<json> EventsOfVector(const json& vector) {
  if (vector.value("type", "") != "EPCISDocument") return {vector};
  Result<std::vector<json>> events = EventsOfDocument(vector);
  EXPECT_TRUE(events.ok()) << events.status().ToString();
  return events.ok() ? *events : std::vector<json>{};
}

json FactsToJson(const EventFacts& f) {
  return json{{"type", EventTypeName(f.type)},
              {"action", f.action},
              {"event_time_ms", f.event_time_ms},
              {"event_time", f.event_time},
              {"epcis_event_id", f.epcis_event_id},
              {"epcs", f.epcs},
              {"epc_classes", f.epc_classes},
              {"ilmd_lots", f.ilmd_lots},
              {"parent", f.parent},
              {"children", f.children},
              {"biz_step", f.biz_step},
              {"disposition", f.disposition},
              {"biz_location", f.biz_location},
              {"read_point", f.read_point},
              {"is_error_declaration", f.is_error_declaration},
              {"corrective_event_ids", f.corrective_event_ids}};
}

TEST(ValidateEventTest, ValidVectorsPass) {
  const std::vector<std::string> files =
      testing::ListTestdata("valid", ".json");
  ASSERT_GE(files.size(), 20u);
  int per_type[5] = {0, 0, 0, 0, 0};
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    const json vector =
        testing::ReadJsonFile(testing::TestdataPath("valid/" + file));
    const std::vector<json> events = EventsOfVector(vector);
    ASSERT_FALSE(events.empty());
    for (size_t i = 0; i < events.size(); ++i) {
      SCOPED_TRACE("event " + std::to_string(i));
      Result<EventFacts> facts = ValidateEvent(events[i]);
      ASSERT_TRUE(facts.ok()) << facts.status().ToString();
      ++per_type[static_cast<int>(facts->type)];
    }
  }
  for (int t = 0; t < 5; ++t) {
    SCOPED_TRACE(EventTypeName(static_cast<EventType>(t)));
    EXPECT_GE(per_type[t], 3);
  }
}

TEST(ValidateEventTest, FactsOfValidVectors) {
  const json expected =
      testing::ReadJsonFile(testing::TestdataPath("facts.json"));
  ASSERT_GE(expected["cases"].size(), 15u);
  for (const json& c : expected["cases"]) {
    const std::string file = c["file"].get<std::string>();
    const size_t index = c["index"].get<size_t>();
    SCOPED_TRACE(file + " event " + std::to_string(index));
    const std::vector<json> events =
        EventsOfVector(testing::ReadJsonFile(testing::TestdataPath(file)));
    ASSERT_LT(index, events.size());
    Result<EventFacts> facts = ValidateEvent(events[index]);
    ASSERT_TRUE(facts.ok()) << facts.status().ToString();
    const json got = FactsToJson(*facts);
    for (const auto& [member, want] : c["facts"].items()) {
      SCOPED_TRACE(member);
      ASSERT_TRUE(got.contains(member)) << "unknown facts member in facts.json";
      EXPECT_EQ(got[member], want);
    }
  }
}

TEST(ValidateEventTest, InvalidVectorsFailWithExactMessage) {
  const std::vector<json> cases =
      testing::ReadJsonLines(testing::TestdataPath("invalid/events.jsonl"));
  ASSERT_GE(cases.size(), 90u);
  for (const json& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    Result<EventFacts> facts = ValidateEvent(c["event"]);
    ASSERT_FALSE(facts.ok()) << "accepted: " << c["event"].dump();
    EXPECT_TRUE(facts.status().IsInvalidArgument());
    EXPECT_EQ(facts.status().message(), c["error"].get<std::string>());
  }
}

TEST(ValidateEventTest, EveryInvalidVectorIsOneChangeFromAValidEvent) {
  // Guards the vectors themselves: the base events of make_invalid_events.py
  // must be valid, or a case could fail for a reason other than the one it
  // names.
  const char* bases[] = {
      R"({"type":"ObjectEvent","eventTime":"2026-11-26T10:00:00.000+01:00",
          "eventTimeZoneOffset":"+01:00","action":"ADD","bizStep":"commissioning",
          "disposition":"active","epcList":["urn:epc:id:sgtin:0614141.812345.6789"],
          "readPoint":{"id":"urn:epc:id:sgln:0614141.07346.1234"}})",
      R"({"type":"AggregationEvent","eventTime":"2026-11-26T10:00:00Z",
          "eventTimeZoneOffset":"+00:00","action":"ADD","bizStep":"packing",
          "parentID":"urn:epc:id:sscc:0614141.1234567890",
          "childEPCs":["urn:epc:id:sgtin:0614141.812345.6789"]})",
      R"({"type":"TransactionEvent","eventTime":"2026-11-26T10:00:00Z",
          "eventTimeZoneOffset":"+00:00","action":"ADD",
          "bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:0614141073467:PO1"}],
          "epcList":["urn:epc:id:sgtin:0614141.812345.6789"]})",
      R"({"type":"TransformationEvent","eventTime":"2026-11-26T10:00:00Z",
          "eventTimeZoneOffset":"+00:00","inputEPCList":["urn:epc:id:sgtin:0614141.812345.6789"],
          "outputEPCList":["urn:epc:id:sgtin:0614141.812345.7000"]})",
      R"({"type":"AssociationEvent","eventTime":"2026-11-26T10:00:00Z",
          "eventTimeZoneOffset":"+00:00","action":"ADD",
          "parentID":"urn:epc:id:grai:4012345.55555.987",
          "childEPCs":["urn:epc:id:giai:4000001.12345"]})",
  };
  for (const char* base : bases) {
    SCOPED_TRACE(base);
    Result<EventFacts> facts = ValidateEvent(json::parse(base));
    EXPECT_TRUE(facts.ok()) << facts.status().ToString();
  }
}

TEST(ValidateEventTest, ErrorsAreDeterministic) {
  const std::vector<json> cases =
      testing::ReadJsonLines(testing::TestdataPath("invalid/events.jsonl"));
  for (const json& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const json copy = json::parse(c["event"].dump());
    EXPECT_EQ(ValidateEvent(c["event"]).status().message(),
              ValidateEvent(copy).status().message());
  }
}

// Robustness: every member of every valid event, replaced by a value of a wrong
// kind, either still validates (extensions, @context) or fails with an error
// that names that member, or with a presence rule the replacement broke (e.g.
// "epcList: an ObjectEvent needs ...").
TEST(ValidateEventTest, WrongKindOfValueIsNamed) {
  const std::vector<json> replacements = {
      nullptr, 1, "x y", json::array(), json::object(), json::array({1})};
  int mutations = 0;
  for (const std::string& file : testing::ListTestdata("valid", ".json")) {
    const json vector =
        testing::ReadJsonFile(testing::TestdataPath("valid/" + file));
    for (const json& event : EventsOfVector(vector)) {
      for (const auto& [member, value] : event.items()) {
        if (member == "type") continue;
        for (const json& replacement : replacements) {
          SCOPED_TRACE(file + " " + member + " = " + replacement.dump());
          json mutated = event;
          mutated[member] = replacement;
          ++mutations;
          Result<EventFacts> facts = ValidateEvent(mutated);
          if (facts.ok()) continue;
          const std::string& message = facts.status().message();
          const bool names_member = message.starts_with(member + ":") ||
                                    message.starts_with(member + ".") ||
                                    message.starts_with(member + "[");
          const bool presence_rule =
              message.find("needs at least one") != std::string::npos ||
              message.find("missing (required") != std::string::npos;
          EXPECT_TRUE(names_member || presence_rule) << message;
        }
      }
    }
  }
  EXPECT_GT(mutations, 1000);
}

TEST(ValidateEventTest, ControlCharactersInNamesAreEscaped) {
  json event =
      json::parse(R"({"type":"ObjectEvent","eventTime":"2026-11-26T10:00:00Z",
      "eventTimeZoneOffset":"+00:00","action":"OBSERVE",
      "epcList":["urn:epc:id:sgtin:0614141.812345.6789"]})");
  event["bad\nname"] = 1;
  EXPECT_EQ(ValidateEvent(event).status().message(),
            "bad\\x0aname: not an EPCIS 2.0 ObjectEvent member; extension "
            "members need a "
            "namespace prefix (e.g. \"example:bad\\x0aname\")");
}

// Regression: duplicate detection and facts deduplication were quadratic in the
// list length, so one large event could pin a core. 100k identifiers must
// validate in about a second.
TEST(ValidateEventTest, LargeEpcListIsCheckedInLinearTime) {
  json event =
      json::parse(R"({"type":"ObjectEvent","eventTime":"2026-11-26T10:00:00Z",
      "eventTimeZoneOffset":"+00:00","action":"OBSERVE"})");
  json& list = event["epcList"] = json::array();
  constexpr int kCount = 100000;
  for (int i = 0; i < kCount; ++i) {
    list.push_back("urn:epc:id:sgtin:0614141.812345." + std::to_string(i));
  }
  Result<EventFacts> facts = ValidateEvent(event);
  ASSERT_TRUE(facts.ok()) << facts.status().ToString();
  EXPECT_EQ(facts->epcs.size(), static_cast<size_t>(kCount));
  EXPECT_EQ(facts->epcs.back(), "01/80614141123458/21/99999");
  list.push_back("urn:epc:id:sgtin:0614141.812345.7");
  EXPECT_EQ(ValidateEvent(event).status().message(),
            "epcList[100000]: duplicate of epcList[7]");
}

// Short lists are searched for duplicates and long ones hashed: on both sides
// of the switch the first repeat is reported, naming the earlier item.
TEST(ValidateEventTest, DuplicateNamesTheFirstOccurrenceAtEveryListLength) {
  for (int count : {2, 3, 15, 16, 17, 40}) {
    for (int first : {0, count / 2 - 1, count - 2}) {
      if (first < 0) continue;
      SCOPED_TRACE(std::to_string(count) + " items, item " +
                   std::to_string(first) + " repeated at the end");
      json event = json::parse(
          R"({"type":"ObjectEvent","eventTime":"2026-11-26T10:00:00Z",
          "eventTimeZoneOffset":"+00:00","action":"OBSERVE"})");
      json& list = event["epcList"] = json::array();
      for (int i = 0; i + 1 < count; ++i) {
        list.push_back("urn:epc:id:sgtin:0614141.812345." + std::to_string(i));
      }
      list.push_back(list[first]);
      list.push_back(list[first]);  // a later repeat is not the one reported
      EXPECT_EQ(ValidateEvent(event).status().message(),
                "epcList[" + std::to_string(count - 1) +
                    "]: duplicate of epcList[" + std::to_string(first) + "]");
    }
  }
}

TEST(ValidateEventTest, SameItemAsEpcUriAndDigitalLinkIsOneFact) {
  const json event = json::parse(
      R"({"type":"AggregationEvent","eventTime":"2026-11-26T10:00:00Z",
      "eventTimeZoneOffset":"+00:00","action":"ADD","parentID":"urn:epc:id:sscc:0614141.1234567890",
      "childEPCs":["urn:epc:id:sgtin:0614141.812345.6789",
                   "https://id.gs1.org/01/80614141123458/21/6789",
                   "https://example.org/01/80614141123458/21/6790"]})");
  Result<EventFacts> facts = ValidateEvent(event);
  ASSERT_TRUE(facts.ok()) << facts.status().ToString();
  const std::vector<std::string> want = {"01/80614141123458/21/6789",
                                         "01/80614141123458/21/6790"};
  EXPECT_EQ(facts->epcs, want);
  EXPECT_EQ(facts->children, want);
  EXPECT_EQ(facts->parent, "00/106141412345678908");
}

// The header promises thread safety: validate every valid vector from several
// threads at once and compare with a single-threaded run.
TEST(ValidateEventTest, ConcurrentCallsAgree) {
  std::vector<json> events;
  for (const std::string& file : testing::ListTestdata("valid", ".json")) {
    for (json& e : EventsOfVector(
             testing::ReadJsonFile(testing::TestdataPath("valid/" + file)))) {
      events.push_back(std::move(e));
    }
  }
  std::vector<json> want;
  for (const json& e : events) want.push_back(FactsToJson(*ValidateEvent(e)));
  constexpr int kThreads = 4;
  std::vector<std::vector<json>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        got[t].clear();
        for (const json& e : events)
          got[t].push_back(FactsToJson(*ValidateEvent(e)));
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(got[t], want);
}

TEST(ValidateEventTest, EventTypeNames) {
  EXPECT_STREQ(EventTypeName(EventType::kObjectEvent), "ObjectEvent");
  EXPECT_STREQ(EventTypeName(EventType::kAggregationEvent), "AggregationEvent");
  EXPECT_STREQ(EventTypeName(EventType::kTransactionEvent), "TransactionEvent");
  EXPECT_STREQ(EventTypeName(EventType::kTransformationEvent),
               "TransformationEvent");
  EXPECT_STREQ(EventTypeName(EventType::kAssociationEvent), "AssociationEvent");
}

}  // namespace
}  // namespace ledger::epcis

namespace ledger::epcis {
namespace {

// Location keys are cached per thread after their first parse: a second (and
// third) validation of the same id must give the same key, and a bad id the
// same error, in any order.
TEST(ValidateEventTest, RepeatedLocationsGiveTheSameKeysAndErrors) {
  struct Case {
    std::string id;
    std::string want_key;    // empty: rejected
    std::string want_error;  // prefix of the error, when rejected
  };
  const Case cases[] = {
      {"urn:epc:id:sgln:0614141.07346.1234", "", ""},
      {"https://id.gs1.org/414/0614141073467/254/1234", "", ""},
      {"https://example.com/sites/dock-7", "https://example.com/sites/dock-7",
       ""},
      {"urn:epc:id:sgtin:0614141.812345.6789", "",
       "readPoint.id: 'urn:epc:id:sgtin:0614141.812345.6789' is not a "
       "location identifier"},
      {"urn:epc:id:sgln:0614141.07346", "", "readPoint.id: "},
  };
  auto event_at = [](const std::string& id) {
    json event = json::parse(
        R"({"type":"ObjectEvent","eventTime":"2026-11-26T10:00:00Z",
            "eventTimeZoneOffset":"+00:00","action":"OBSERVE",
            "epcList":["urn:epc:id:sgtin:0614141.812345.6789"]})");
    event["readPoint"] = {{"id", id}};
    return event;
  };
  std::map<size_t, std::string> first_keys;
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < std::size(cases); ++i) {
      const Case& c = cases[i];
      SCOPED_TRACE(c.id + " round " + std::to_string(round));
      Result<EventFacts> facts = ValidateEvent(event_at(c.id));
      if (!c.want_error.empty()) {
        ASSERT_FALSE(facts.ok());
        EXPECT_EQ(facts.status().message().rfind(c.want_error, 0), 0u)
            << facts.status().message();
        continue;
      }
      ASSERT_TRUE(facts.ok()) << facts.status().ToString();
      if (!c.want_key.empty()) {
        EXPECT_EQ(facts->read_point, c.want_key);
      }
      if (round == 0) {
        first_keys[i] = facts->read_point;
      } else {
        EXPECT_EQ(facts->read_point, first_keys[i]);
      }
    }
  }
}

}  // namespace
}  // namespace ledger::epcis
