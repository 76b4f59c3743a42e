#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/gs1.h"
#include "ledger/gs1/test_vectors.h"

namespace ledger::gs1 {
namespace {

using testing::ReadVectors;

TEST(AiTable, LookupKnownAndUnknown) {
  const AiInfo* gtin = LookupAi("01");
  ASSERT_NE(gtin, nullptr);
  EXPECT_EQ(gtin->title, "GTIN");
  EXPECT_EQ(gtin->format, "N14,csum,gcppos2");
  EXPECT_TRUE(gtin->predefined_length);
  EXPECT_NE(gtin->attributes.find("dlpkey=22,10,21|235"),
            std::string_view::npos);
  const AiInfo* lot = LookupAi("10");
  ASSERT_NE(lot, nullptr);
  EXPECT_FALSE(lot->predefined_length);
  EXPECT_TRUE(lot->dl_data_attribute);
  EXPECT_FALSE(LookupAi("21")->dl_data_attribute);
  EXPECT_EQ(LookupAi("7003")->predefined_length,
            false);  // fixed length, still needs FNC1
  EXPECT_EQ(LookupAi("3103")->title,
            "NET WEIGHT (kg)");  // expanded from 3100-3105
  EXPECT_EQ(LookupAi("3106"), nullptr);
  EXPECT_EQ(LookupAi("95")->format, "X..90");
  EXPECT_EQ(LookupAi(""), nullptr);
  EXPECT_EQ(LookupAi("0"), nullptr);
  EXPECT_EQ(LookupAi("23"), nullptr);
  for (std::string_view ai :
       {"00",   "01",   "02",   "03",   "10",   "11",   "12",   "13",  "15",
        "16",   "17",   "20",   "21",   "22",   "30",   "37",   "240", "241",
        "250",  "251",  "253",  "254",  "255",  "400",  "401",  "402", "403",
        "410",  "411",  "412",  "413",  "414",  "415",  "416",  "417", "422",
        "7003", "7240", "8003", "8004", "8006", "8018", "8020", "8200"}) {
    SCOPED_TRACE(ai);
    EXPECT_NE(LookupAi(ai), nullptr);
  }
}

TEST(AiTable, PredefinedLengthMatchesTheFirstTwoDigitsTable) {
  // GS1 General Specifications Figure 7.8.4-2, keyed on the first two digits.
  for (std::string_view ai :
       {"00", "01", "02", "03", "11", "12", "13", "15", "16", "17", "20",
        "3103", "3925", "410", "414", "417"}) {
    SCOPED_TRACE(ai);
    bool in_table =
        std::string_view(
            "00 01 02 03 04 11 12 13 14 15 16 17 18 19 20 31 32 33 34 "
            "35 36 41")
            .find(ai.substr(0, 2)) != std::string_view::npos;
    EXPECT_EQ(LookupAi(ai)->predefined_length, in_table);
  }
}

// Every row of the generated table: the predefined-length flag agrees with the
// first-two-digits table, and its format string is one ValidateAiValue can
// interpret (the all-digits value of maximal length passes or fails cleanly).
TEST(AiTable, EveryRowIsConsistent) {
  constexpr std::string_view kPredefined =
      "00 01 02 03 04 11 12 13 14 15 16 17 18 19 20 31 32 33 34 35 36 41";
  int rows = 0;
  std::vector<std::string> all;
  for (int digits = 2; digits <= 4; ++digits) {
    int limit = digits == 2 ? 100 : digits == 3 ? 1000 : 10000;
    for (int n = 0; n < limit; ++n) {
      std::string ai = std::to_string(n);
      all.push_back(std::string(digits - ai.size(), '0') + ai);
    }
  }
  for (const std::string& ai : all) {
    const AiInfo* info = LookupAi(ai);
    if (info == nullptr) continue;
    SCOPED_TRACE(ai);
    ++rows;
    EXPECT_EQ(info->ai, ai);
    EXPECT_EQ(MatchAiPrefix(ai + "123"), info);
    bool predefined =
        kPredefined.find(ai.substr(0, 2)) != std::string_view::npos;
    EXPECT_EQ(info->predefined_length, predefined);
    for (std::string value : {std::string(90, '1'), std::string("1"),
                              std::string("000101000000000000")}) {
      Status st = ValidateAiValue(ai, value);
      if (!st.ok()) {
        EXPECT_EQ(st.message().rfind("AI " + ai + ": ", 0), 0u);
      }
    }
  }
  EXPECT_GT(rows, 500);
}

// ai_table.inc is what gen_ai_table.py makes from the committed copy of the
// facts file (testdata/gs1-ai-facts.json) and ai_supplement.txt: nobody edited
// the generated file by hand, and the generator still accepts its inputs.
TEST(AiTable, GeneratedTableIsUpToDate) {
  std::string dir = std::string(UDI_SOURCE_DIR) + "/ledger/gs1";
  std::string command = "python3 " + dir + "/gen_ai_table.py " +
                        std::string(UDI_TESTDATA) + "/gs1-ai-facts.json " +
                        dir + "/ai_supplement.txt";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr) << command;
  std::string generated;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) generated.append(buf, n);
  ASSERT_EQ(pclose(pipe), 0) << command;
  std::ifstream in(dir + "/ai_table.inc");
  std::stringstream committed;
  committed << in.rdbuf();
  EXPECT_EQ(generated, committed.str())
      << "regenerate ai_table.inc with the command in gen_ai_table.py";
}

TEST(AiTable, MatchAiPrefix) {
  struct Case {
    std::string_view data;
    std::string_view ai;  // "" = no match
  };
  for (const Case& c :
       std::initializer_list<Case>{{"0109506000134352", "01"},
                                   {"17201225", "17"},
                                   {"2544", "254"},
                                   {"7003261231", "7003"},
                                   {"310300125", "3103"},
                                   {"8018061414112345678902", "8018"},
                                   {"99ABC", "99"},
                                   {"23", ""},
                                   {"0", ""},
                                   {"", ""},
                                   {"ABC", ""}}) {
    SCOPED_TRACE(c.data);
    const AiInfo* info = MatchAiPrefix(c.data);
    EXPECT_EQ(info ? info->ai : "", c.ai);
  }
}

TEST(ValidateAiValue, Vectors) {
  auto vectors = ReadVectors("ai_values.txt", 3);
  ASSERT_GT(vectors.size(), 100u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.where);
    ASSERT_EQ(v.fields.size(), 3u);
    Status st = ValidateAiValue(v.fields[0], v.fields[1]);
    if (v.fields[2] == "OK") {
      EXPECT_TRUE(st.ok()) << st.ToString();
    } else {
      EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
      EXPECT_EQ(st.message(), v.fields[2]);
    }
  }
}

TEST(CheckDigit, KnownAnswers) {
  struct Case {
    std::string_view body;
    char check;
  };
  for (const Case& c : std::initializer_list<Case>{{"0950600013435", '2'},
                                                   {"8061414112345", '8'},
                                                   {"10614141234567890", '8'},
                                                   {"061414112345", '2'},
                                                   {"9501234", '6'},
                                                   {"61414100173", '6'},
                                                   {"0614141123456789", '0'},
                                                   {"00000000000", '0'}}) {
    SCOPED_TRACE(c.body);
    EXPECT_EQ(ComputeCheckDigit(c.body), c.check);
    EXPECT_TRUE(HasValidCheckDigit(std::string(c.body) + c.check));
    char wrong = c.check == '9' ? '0' : static_cast<char>(c.check + 1);
    EXPECT_FALSE(HasValidCheckDigit(std::string(c.body) + wrong));
  }
  EXPECT_FALSE(HasValidCheckDigit(""));
  EXPECT_FALSE(HasValidCheckDigit("7"));
  EXPECT_FALSE(HasValidCheckDigit("0950600013435A"));
}

TEST(ExpandYymmdd, Vectors) {
  auto vectors = ReadVectors("dates.txt", 4);
  ASSERT_GT(vectors.size(), 20u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.where);
    ASSERT_EQ(v.fields.size(), 4u);
    auto got =
        ExpandYymmdd(v.fields[0], std::stoi(v.fields[1]), v.fields[2] == "1");
    const std::string& want = v.fields[3];
    if (want.rfind("ERR ", 0) == 0) {
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.status().message(), want.substr(4));
    } else {
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, want);
    }
  }
}

}  // namespace
}  // namespace ledger::gs1
