#include "scanners/station/config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace station {
namespace {

using json = nlohmann::json;

json Base() {
  return json::parse(R"({
    "node": "http://127.0.0.1:8080", "token": "t0k", "key": "/etc/station.key",
    "spool": "/var/spool/station", "bizStep": "receiving",
    "inputs": [{"tcp": "0.0.0.0:5120"}]})");
}

TEST(StationConfigTest, FullConfigParses) {
  json j = Base();
  j["bizLocation"] = "urn:epc:id:sgln:0614141.00888.0";
  j["readPoint"] = "urn:epc:id:sgln:0614141.00777.0";
  j["disposition"] = "in_progress";
  j["inputs"] = json::parse(
      R"([{"tcp": "127.0.0.1:0"}, {"llrp": "reader-1"}, {"llrp": "[::1]:6000"},
          {"serial": "/dev/ttyACM0"}, {"stdin": true}])");
  j["rfidRepeatWindowMs"] = 2500;
  j["sourceList"] = json::parse(
      R"([{"type": "owning_party", "source": "urn:epc:id:pgln:0614141.00001"}])");
  j["destinationList"] = json::parse(
      R"([{"type": "location", "destination": "urn:epc:id:sgln:0012345.11111.0"}])");
  j["mode"] = "packing";
  j["closeCommand"] = "PACKED";
  j["timeZoneOffset"] = "-05:00";
  auto c = ParseStationConfig(j.dump());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->node_host, "127.0.0.1");
  EXPECT_EQ(c->node_port, 8080);
  ASSERT_EQ(c->inputs.size(), 5u);
  EXPECT_EQ(c->inputs[0].kind, InputSpec::Kind::kTcp);
  EXPECT_EQ(c->inputs[0].port, 0);
  EXPECT_EQ(c->inputs[1].kind, InputSpec::Kind::kLlrp);
  EXPECT_EQ(c->inputs[1].host, "reader-1");
  EXPECT_EQ(c->inputs[1].port, 5084);  // the LLRP default port
  EXPECT_EQ(c->inputs[2].host, "::1");
  EXPECT_EQ(c->inputs[2].port, 6000);
  EXPECT_EQ(c->inputs[3].device, "/dev/ttyACM0");
  EXPECT_EQ(c->inputs[4].kind, InputSpec::Kind::kStdin);
  EXPECT_EQ(c->rfid_repeat_window_ms, 2500);
  EXPECT_EQ(c->mode, StationMode::kPacking);
  EXPECT_EQ(c->close_command, "PACKED");
  ASSERT_EQ(c->source_list.size(), 1u);
  EXPECT_EQ(c->source_list[0].id, "urn:epc:id:pgln:0614141.00001");
  EXPECT_EQ(c->destination_list[0].type, "location");
}

TEST(StationConfigTest, PackingDefaultsToBizStepPacking) {
  json j = Base();
  j.erase("bizStep");
  j["mode"] = "packing";
  auto c = ParseStationConfig(j.dump());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->biz_step, "packing");
}

TEST(StationConfigTest, ErrorsNameTheKey) {
  struct Case {
    std::string name;
    std::function<void(json&)> edit;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"unknown top-level key", [](json& j) { j["colour"] = "red"; },
       "colour: unknown key"},
      {"unknown input kind",
       [](json& j) { j["inputs"] = json::parse(R"([{"usb": "x"}])"); },
       "inputs[0].usb: unknown key"},
      {"two keys in one input",
       [](json& j) {
         j["inputs"] = json::parse(R"([{"tcp": "a:1", "stdin": true}])");
       },
       "inputs[0]: want one of"},
      {"unknown key in a party",
       [](json& j) {
         j["sourceList"] = json::parse(
             R"([{"type": "owning_party", "source": "x", "name": "y"}])");
       },
       "sourceList[0].name: unknown key"},
      {"party without its id",
       [](json& j) {
         j["destinationList"] = json::parse(R"([{"type": "owning_party"}])");
       },
       "destinationList[0]: destination: required"},
      {"missing node", [](json& j) { j.erase("node"); }, "node: required"},
      {"https node", [](json& j) { j["node"] = "https://n:443"; },
       "node: want \"http://host:port\""},
      {"node with a path", [](json& j) { j["node"] = "http://n:80/api"; },
       "without a path"},
      {"missing token", [](json& j) { j.erase("token"); }, "token: required"},
      {"empty key", [](json& j) { j["key"] = ""; },
       "key: want a non-empty string"},
      {"missing spool", [](json& j) { j.erase("spool"); }, "spool: required"},
      {"missing bizStep for object mode", [](json& j) { j.erase("bizStep"); },
       "bizStep: required"},
      {"unknown bizStep", [](json& j) { j["bizStep"] = "juggling"; },
       "bizStep"},
      {"unknown disposition", [](json& j) { j["disposition"] = "happy"; },
       "disposition"},
      {"bad mode", [](json& j) { j["mode"] = "shipping"; },
       "mode: want \"object\" or \"packing\""},
      {"bad action", [](json& j) { j["action"] = "DELETE"; },
       "action: want \"OBSERVE\" or \"ADD\""},
      {"no inputs", [](json& j) { j["inputs"] = json::array(); },
       "inputs: want a non-empty array"},
      {"tcp without port",
       [](json& j) { j["inputs"] = json::parse(R"([{"tcp": "host"}])"); },
       "inputs[0].tcp: want \"host:port\""},
      {"port too big",
       [](json& j) { j["inputs"] = json::parse(R"([{"tcp": "h:70000"}])"); },
       "inputs[0].tcp: port \"70000\" is not 0..65535"},
      {"llrp port 0",
       [](json& j) { j["inputs"] = json::parse(R"([{"llrp": "h:0"}])"); },
       "inputs[0].llrp: port 0"},
      {"stdin false",
       [](json& j) { j["inputs"] = json::parse(R"([{"stdin": false}])"); },
       "inputs[0].stdin: want true"},
      {"stdin twice",
       [](json& j) {
         j["inputs"] = json::parse(R"([{"stdin": true}, {"stdin": true}])");
       },
       "inputs[1].stdin: given twice"},
      {"serial not a string",
       [](json& j) { j["inputs"] = json::parse(R"([{"serial": 1}])"); },
       "inputs[0].serial"},
      {"negative repeat window", [](json& j) { j["rfidRepeatWindowMs"] = -1; },
       "rfidRepeatWindowMs: want an integer in [0, 86400000]"},
      {"repeat window not an integer",
       [](json& j) { j["rfidRepeatWindowMs"] = 1.5; }, "rfidRepeatWindowMs"},
      {"bad time zone", [](json& j) { j["timeZoneOffset"] = "+1:00"; },
       "timeZoneOffset"},
      {"retry max below initial",
       [](json& j) {
         j["retryInitialMs"] = 500;
         j["retryMaxMs"] = 100;
       },
       "retryMaxMs: smaller than retryInitialMs"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    json j = Base();
    c.edit(j);
    auto parsed = ParseStationConfig(j.dump());
    ASSERT_FALSE(parsed.ok());
    EXPECT_TRUE(parsed.status().IsInvalidArgument());
    EXPECT_NE(parsed.status().message().find(c.want), std::string::npos)
        << parsed.status().message();
  }
}

TEST(StationConfigTest, DuplicateKeysAndNonObjectsAreRejected) {
  EXPECT_FALSE(
      ParseStationConfig(R"({"node": "http://a:1", "node": "http://b:2"})")
          .ok());
  EXPECT_FALSE(ParseStationConfig("[]").ok());
  auto missing = ReadStationConfig("/nonexistent/station.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/station.json"),
            std::string::npos);
}

}  // namespace
}  // namespace station
