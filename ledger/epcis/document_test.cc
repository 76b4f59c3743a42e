#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/epcis.h"
#include "ledger/epcis/test_util.h"

namespace ledger::epcis {
namespace {

using nlohmann::json;

TEST(EventsOfDocumentTest, OfficialExamplesKeepEventOrder) {
  const json doc = testing::ReadJsonFile(
      testing::TestdataPath("valid/gs1_example_9.6.1_object_event.json"));
  Result<std::vector<json>> events = EventsOfDocument(doc);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0], doc["epcisBody"]["eventList"][0]);
  EXPECT_EQ((*events)[1], doc["epcisBody"]["eventList"][1]);
}

TEST(EventsOfDocumentTest, EmptyEventListIsValid) {
  const json doc = json::parse(R"({"type":"EPCISDocument","schemaVersion":"2.0",
      "creationDate":"2026-11-26T10:00:00Z","epcisBody":{"eventList":[]}})");
  Result<std::vector<json>> events = EventsOfDocument(doc);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_TRUE(events->empty());
}

TEST(EventsOfDocumentTest, EventListOfDocumentChecksOnlyTheEnvelope) {
  const json doc = json::parse(R"({"type":"EPCISDocument","schemaVersion":"2.0",
      "creationDate":"2026-11-26T10:00:00Z",
      "epcisBody":{"eventList":[{"type":"ObjectEvent"},"not an event"]}})");
  Result<std::vector<json>> list = EventListOfDocument(doc);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1], "not an event");
  EXPECT_EQ(
      EventsOfDocument(doc).status().message(),
      "epcisBody.eventList[0].eventTime: missing (required on every event)");
  // Envelope errors are the same as EventsOfDocument's.
  for (const json& c : testing::ReadJsonLines(
           testing::TestdataPath("invalid/documents.jsonl"))) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const std::string error = c["error"].get<std::string>();
    if (error.starts_with("epcisBody.eventList[")) {
      EXPECT_TRUE(EventListOfDocument(c["document"]).ok());
    } else {
      EXPECT_EQ(EventListOfDocument(c["document"]).status().message(), error);
    }
  }
}

TEST(EventsOfDocumentTest, InvalidVectorsFailWithExactMessage) {
  const std::vector<json> cases =
      testing::ReadJsonLines(testing::TestdataPath("invalid/documents.jsonl"));
  ASSERT_GE(cases.size(), 15u);
  for (const json& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    Result<std::vector<json>> events = EventsOfDocument(c["document"]);
    ASSERT_FALSE(events.ok()) << "accepted: " << c["document"].dump();
    EXPECT_TRUE(events.status().IsInvalidArgument());
    EXPECT_EQ(events.status().message(), c["error"].get<std::string>());
  }
}

}  // namespace
}  // namespace ledger::epcis
