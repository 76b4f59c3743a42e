// EventFacts::ilmd_lots: which ilmd lotNumber forms give which class keys.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/epcis.h"

namespace ledger::epcis {
namespace {

using nlohmann::json;

json Commissioning(json epcs, json ilmd) {
  return json{
      {"type", "ObjectEvent"},           {"eventTime", "2026-03-01T08:00:00Z"},
      {"eventTimeZoneOffset", "+00:00"}, {"action", "ADD"},
      {"bizStep", "commissioning"},      {"epcList", std::move(epcs)},
      {"ilmd", std::move(ilmd)}};
}

TEST(IlmdLotsTest, LotNumberFormsAndTheGtinsOfTheCreatedObjects) {
  const json two_sgtins = {"urn:epc:id:sgtin:9506000.013435.A1",
                           "https://id.gs1.org/01/09506000134352/21/A2"};
  struct Case {
    const char* name;
    json event;
    std::vector<std::string> want;
  } cases[] = {
      {"compact cbvmda:lotNumber (EPCIS 2.0 JSON-LD examples)",
       Commissioning(two_sgtins, {{"cbvmda:lotNumber", "LOT7"}}),
       {"01/09506000134352/10/LOT7"}},
      {"expanded IRI urn:epcglobal:cbv:mda:lotNumber",
       Commissioning(two_sgtins, {{"urn:epcglobal:cbv:mda:lotNumber", "L8"}}),
       {"01/09506000134352/10/L8"}},
      {"two GTINs",
       Commissioning({"urn:epc:id:sgtin:9506000.013435.A1",
                      "urn:epc:id:sgtin:0614141.812345.B1"},
                     {{"cbvmda:lotNumber", "L9"}}),
       {"01/09506000134352/10/L9", "01/80614141123458/10/L9"}},
      {"a '/' in the lot is escaped as in every canonical key",
       Commissioning(two_sgtins, {{"cbvmda:lotNumber", "A/B"}}),
       {"01/09506000134352/10/A%2FB"}},
      {"not an SGTIN (SSCC) gives no lot key",
       Commissioning({"urn:epc:id:sscc:0614141.1234567890"},
                     {{"cbvmda:lotNumber", "L1"}}),
       {}},
      {"no lotNumber",
       Commissioning(two_sgtins, {{"cbvmda:itemExpirationDate", "2028-12-31"}}),
       {}},
      {"other namespace's lotNumber",
       Commissioning(two_sgtins, {{"example:lotNumber", "L1"}}),
       {}},
      {"lotNumber not a string",
       Commissioning(two_sgtins, {{"cbvmda:lotNumber", 7}}),
       {}},
      {"lot not a valid AI (10) value (21 characters)",
       Commissioning(two_sgtins,
                     {{"cbvmda:lotNumber", "ABCDEFGHIJKLMNOPQRSTU"}}),
       {}},
      {"TransformationEvent: outputs only",
       json{{"type", "TransformationEvent"},
            {"eventTime", "2026-03-01T08:00:00Z"},
            {"eventTimeZoneOffset", "+00:00"},
            {"inputEPCList", {"urn:epc:id:sgtin:0614141.812345.IN"}},
            {"outputEPCList", {"urn:epc:id:sgtin:9506000.013435.OUT"}},
            {"ilmd", {{"cbvmda:lotNumber", "T1"}}}},
       {"01/09506000134352/10/T1"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Result<EventFacts> facts = ValidateEvent(c.event);
    ASSERT_TRUE(facts.ok()) << facts.status().ToString();
    EXPECT_EQ(facts->ilmd_lots, c.want);
  }
}

TEST(IlmdLotsTest, IlmdOnAnObserveEventIsStillRefused) {
  json event = Commissioning({"urn:epc:id:sgtin:9506000.013435.A1"},
                             {{"cbvmda:lotNumber", "L1"}});
  event["action"] = "OBSERVE";
  Result<EventFacts> facts = ValidateEvent(event);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.status().message(), "ilmd: only allowed with action ADD");
}

}  // namespace
}  // namespace ledger::epcis
