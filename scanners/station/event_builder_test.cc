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

TEST(EventBuilderTest, HibcScansAreNamedByNonGs1Uris) {
  struct Case {
    std::string scan, uri;
    bool is_class;
    std::string lot, expiry;
  };
  const Case cases[] = {
      {"+A123BJC5D6E71G", "https://udi-ledger.org/hibc/class/A123BJC5D6E71",
       true, "", ""},
      {"+A123BJC5D6E71/$$3261231LOT123H",
       "https://udi-ledger.org/hibc/class/A123BJC5D6E71/LOT123", true, "LOT123",
       "2026-12-31"},
      {"+A123BJC5D6E71/$$+0227SER/",
       "https://udi-ledger.org/hibc/obj/A123BJC5D6E71/SER", false, "",
       "2027-02-28"},
      {"+A99912345/$$52001510X3/16D20111212/S77DE1G45-",
       "https://udi-ledger.org/hibc/obj/A99912345/77DE1G45", false, "10X3",
       "2020-01-15"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.scan);
    auto scan = scanners::ParseScan(c.scan, 2026);
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    auto what = IdentifyBarcode(*scan);
    ASSERT_TRUE(what.ok()) << what.status().ToString();
    EXPECT_EQ(what->uri, c.uri);
    EXPECT_EQ(what->is_class, c.is_class);
    EXPECT_TRUE(what->is_hibc);
    EXPECT_FALSE(what->is_logistic_unit);
    EXPECT_EQ(what->lot, c.lot);
    EXPECT_EQ(what->expiry, c.expiry);
    const json event = BuildObjectEvent(BaseConfig(), *what, 1795687200123);
    if (c.is_class) {
      EXPECT_EQ(event["quantityList"][0]["epcClass"], c.uri);
    } else {
      EXPECT_EQ(event["epcList"][0], c.uri);
    }
  }
  // Characters outside RFC 3986's unreserved set are percent-encoded.
  scanners::Scan scan;
  scan.scheme = scanners::ScanScheme::kHibc;
  scan.hibc.has_primary = true;
  scan.hibc.lic = "A123";
  scan.hibc.pcn = "X";
  scan.hibc.serial = "S/1 +$%";
  EXPECT_EQ(IdentifyBarcode(scan)->uri,
            "https://udi-ledger.org/hibc/obj/A123X/S%2F1%20%2B%24%25");
  // A secondary-only symbol names no product.
  auto secondary = scanners::ParseScan("+$$3261231LOT123GI", 2026);
  ASSERT_TRUE(secondary.ok());
  auto none = IdentifyBarcode(*secondary);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message().rfind("HIBC: a secondary-only symbol", 0),
            0u);
}

}  // namespace
}  // namespace station
