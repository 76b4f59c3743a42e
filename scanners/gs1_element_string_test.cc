#include "scanners/gs1_element_string.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/gs1.h"

namespace scanners {
namespace {

TEST(Gs1ElementStringTest, PredefinedLengthTableFollowsTheFirstTwoDigits) {
  struct Case {
    const char* ai;
    int length;
  };
  const Case kCases[] = {{"00", 20},  {"01", 16},  {"02", 16},  {"11", 8},
                         {"15", 8},   {"17", 8},   {"20", 4},   {"3103", 10},
                         {"414", 16}, {"410", 16}, {"10", 0},   {"21", 0},
                         {"22", 0},   {"30", 0},   {"37", 0},   {"240", 0},
                         {"241", 0},  {"250", 0},  {"251", 0},  {"253", 0},
                         {"254", 0},  {"400", 0},  {"401", 0},  {"402", 0},
                         {"403", 0},  {"422", 0},  {"7003", 0}, {"7240", 0},
                         {"8003", 0}, {"8004", 0}, {"8006", 0}, {"8020", 0}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.ai);
    EXPECT_EQ(PredefinedElementLength(c.ai), c.length);
    // The dictionary's "no FNC1 needed" flag agrees with the table for every AI
    // we cover.
    const ledger::gs1::AiInfo* info = ledger::gs1::LookupAi(c.ai);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->predefined_length, c.length > 0);
  }
}

TEST(Gs1ElementStringTest, FixedLengthValueNeedsNoSeparatorButVariableOneDoes) {
  // 7003 is N10 but not predefined-length: without GS it swallows what follows.
  auto with_gs = ParseElementString(
      "0109506000134352"
      "7003261231235"
      "9\x1d"
      "10LOT");
  ASSERT_TRUE(with_gs.ok()) << with_gs.status().ToString();
  EXPECT_EQ(with_gs->size(), 3u);
  auto without_gs = ParseElementString(
      "0109506000134352"
      "70032612312359"
      "10LOT");
  ASSERT_FALSE(without_gs.ok());
  EXPECT_EQ(without_gs.status().message().rfind("AI 7003:", 0), 0u)
      << without_gs.status().message();
}

TEST(Gs1ElementStringTest, BracketedAndUnbracketedFormsAgree) {
  auto bracketed =
      ParseBracketedElementString("(01)09506000134352(17)261231(10)A(21)B");
  auto scanned = ParseElementString(
      "010950600013435217261231"
      "10A\x1d"
      "21B");
  ASSERT_TRUE(bracketed.ok()) << bracketed.status().ToString();
  ASSERT_TRUE(scanned.ok()) << scanned.status().ToString();
  EXPECT_EQ(*bracketed, *scanned);
  const std::vector<Gs1Element> want = {
      {"01", "09506000134352"}, {"17", "261231"}, {"10", "A"}, {"21", "B"}};
  EXPECT_EQ(*scanned, want);
}

TEST(Gs1ElementStringTest, CombinationRules) {
  struct Case {
    std::vector<Gs1Element> elements;
    std::string error;  // empty: valid
  };
  const std::vector<Case> kCases = {
      {{{"01", "09506000134352"}, {"21", "1"}}, ""},
      {{{"21", "1"}}, "AI 21 needs AI 01, 03 or 8006"},
      {{{"10", "1"}}, "AI 10 needs AI 01, 02, 03, 8006 or 8026"},
      {{{"00", "106141412345678908"},
        {"02", "09506000134352"},
        {"37", "1"},
        {"01", "09506000134352"}},
       "AI 02 and AI 01 must not appear together"},
      {{{"01", "09506000134352"}, {"37", "1"}},
       "AI 01 and AI 37 must not appear together"},
      {{{"00", "106141412345678908"}, {"02", "09506000134352"}, {"37", "5"}},
       ""},
      {{{"02", "09506000134352"}, {"37", "5"}},
       "AI 37 needs AI 00+02 or 00+8026"},
      {{{"01", "09506000134352"}, {"3100", "000100"}, {"3102", "000100"}},
       "AI 3100 and AI 3102 must not appear together"},
      {{{"01", "09506000134352"}, {"250", "X"}},
       "AI 250 needs AI 01+21, 03+21 or 8006+21"},
      {{{"254", "X"}}, "AI 254 needs AI 414"},
      {{{"8020", "X"}}, "AI 8020 needs AI 415"},
      {{{"01", "09506000134352"}, {"10", "A"}, {"10", "A"}}, ""},
      {{{"01", "09506000134352"}, {"10", "A"}, {"10", "B"}},
       "AI 10 appears twice with different values \"A\" and \"B\""},
  };
  for (const Case& c : kCases) {
    std::vector<Gs1Element> elements = c.elements;
    SCOPED_TRACE(elements.size() > 1 ? elements[1].ai : elements[0].ai);
    ledger::Status s = CheckAiCombination(elements);
    EXPECT_EQ(s.ok() ? "" : s.message(), c.error);
  }
}

TEST(Gs1ElementStringTest, IdenticalRepeatIsDroppedKeepingOrder) {
  auto r = ParseElementString(
      "0109506000134352"
      "10A\x1d"
      "0109506000134352"
      "21B");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::vector<Gs1Element> want = {
      {"01", "09506000134352"}, {"10", "A"}, {"21", "B"}};
  EXPECT_EQ(*r, want);
}

TEST(Gs1ElementStringTest,
     DigitalLinkPutsQualifiersInChainOrderAndAttributesInQuery) {
  const std::vector<Gs1Element> elements = {{"17", "261231"},
                                            {"21", "S/1"},
                                            {"01", "09506000134352"},
                                            {"10", "L 1"},
                                            {"91", "x"}};
  EXPECT_EQ(
      BuildDigitalLink(elements),
      "https://id.gs1.org/01/09506000134352/10/L%201/21/S%2F1?17=261231&91=x");
  EXPECT_EQ(BuildDigitalLink({{"410", "0614141000005"}}), "");
  EXPECT_EQ(BuildDigitalLink({{"414", "0614141000005"}, {"254", "7"}},
                             "https://d.example"),
            "https://d.example/414/0614141000005/254/7");
}

}  // namespace
}  // namespace scanners
