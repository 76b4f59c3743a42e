#include "scanners/station/event_builder.h"

#include <gtest/gtest.h>

#include "ledger/epcis.h"
#include "scanners/station/station_testing.h"

namespace station {
namespace {

using json = nlohmann::json;

StationConfig BaseConfig() {
  StationConfig c;
  c.biz_step = "receiving";
  c.disposition = "in_progress";
  c.read_point = "urn:epc:id:sgln:0614141.00777.0";
  c.biz_location = "urn:epc:id:sgln:0614141.00888.0";
  c.time_zone_offset = "+01:00";
  return c;
}

void ApplyOverrides(const json& o, StationConfig* c) {
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (it.key() == "action") c->action = it.value().get<std::string>();
    if (it.key() == "bizStep") c->biz_step = it.value().get<std::string>();
    if (it.key() == "disposition")
      c->disposition = it.value().get<std::string>();
    if (it.key() == "sourceList") {
      for (const auto& p : it.value())
        c->source_list.push_back(
            {p["type"].get<std::string>(), p["source"].get<std::string>()});
    }
    if (it.key() == "destinationList") {
      for (const auto& p : it.value())
        c->destination_list.push_back({p["type"].get<std::string>(),
                                       p["destination"].get<std::string>()});
    }
  }
}

json Vectors() {
  return json::parse(
      testing::ReadFile(std::string(UDI_TESTDATA) + "/event_vectors.json"));
}

TEST(EventBuilderTest, Vectors) {
  const json v = Vectors();
  ASSERT_GE(v["cases"].size(), 6u);
  for (const auto& c : v["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    StationConfig config = BaseConfig();
    ApplyOverrides(c["config"], &config);
    auto scan = scanners::ParseScan(c["scan"].get<std::string>(), 2026);
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    auto what = IdentifyBarcode(*scan);
    ASSERT_TRUE(what.ok()) << what.status().ToString();
    const json event =
        BuildObjectEvent(config, *what, c["unixMs"].get<int64_t>());
    EXPECT_EQ(event, c["event"]) << event.dump(1);
    auto facts = ledger::epcis::ValidateEvent(event);
    EXPECT_TRUE(facts.ok()) << facts.status().ToString();
  }
}

TEST(EventBuilderTest, ErrorVectors) {
  const json v = Vectors();
  for (const auto& c : v["errors"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto scan = scanners::ParseScan(c["scan"].get<std::string>(), 2026);
    ledger::Status st = scan.status();
    if (scan.ok()) st = IdentifyBarcode(*scan).status();
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find(c["error"].get<std::string>()),
              std::string::npos)
        << st.message();
  }
}

TEST(EventBuilderTest, RfidTagIsAnInstanceByPureIdentityUri) {
  auto tag = scanners::DecodeEpcHex("3074257BF7194E4000001A85");
  ASSERT_TRUE(tag.ok());
  const Identified what = IdentifyTag(*tag);
  EXPECT_FALSE(what.is_class);
  EXPECT_FALSE(what.is_logistic_unit);
  EXPECT_EQ(what.uri, "urn:epc:id:sgtin:0614141.812345.6789");
  const json event = BuildObjectEvent(BaseConfig(), what, 0);
  EXPECT_EQ(event["epcList"],
            json::array({"urn:epc:id:sgtin:0614141.812345.6789"}));
  EXPECT_EQ(event["eventTime"], "1970-01-01T00:00:00.000Z");
  EXPECT_TRUE(ledger::epcis::ValidateEvent(event).ok());
}

TEST(EventBuilderTest, AggregationCountsClassesAndListsInstances) {
  StationConfig config = BaseConfig();
  config.biz_step = "packing";
  const Identified parent{false, true,
                          "https://id.gs1.org/00/106141412345678908", "", ""};
  const std::vector<Identified> children = {
      {false, false, "https://id.gs1.org/01/09506000134352/21/A", "", ""},
      {true, false, "https://id.gs1.org/01/09506000134352/10/L1", "L1", ""},
      {false, false, "https://id.gs1.org/01/09506000134352/21/B", "", ""},
      {true, false, "https://id.gs1.org/01/09506000134352/10/L1", "L1", ""},
  };
  const json event =
      BuildAggregationEvent(config, parent, children, 1795687200123);
  const json want = json::parse(R"({
    "type": "AggregationEvent", "eventTime": "2026-11-26T10:00:00.123Z",
    "eventTimeZoneOffset": "+01:00", "parentID": "https://id.gs1.org/00/106141412345678908",
    "childEPCs": ["https://id.gs1.org/01/09506000134352/21/A",
                  "https://id.gs1.org/01/09506000134352/21/B"],
    "childQuantityList": [{"epcClass": "https://id.gs1.org/01/09506000134352/10/L1", "quantity": 2}],
    "action": "ADD", "bizStep": "packing", "disposition": "in_progress",
    "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"},
    "bizLocation": {"id": "urn:epc:id:sgln:0614141.00888.0"}})");
  EXPECT_EQ(event, want) << event.dump(1);
  auto facts = ledger::epcis::ValidateEvent(event);
  EXPECT_TRUE(facts.ok()) << facts.status().ToString();
}

TEST(EventBuilderTest, EventTimeFormat) {
  EXPECT_EQ(FormatEventTime(1795687200123), "2026-11-26T10:00:00.123Z");
  EXPECT_EQ(FormatEventTime(951782400007), "2000-02-29T00:00:00.007Z");
}

}  // namespace
}  // namespace station
