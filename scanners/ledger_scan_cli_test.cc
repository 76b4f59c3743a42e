// Runs the real ledger-scan binary on the vector files and compares its JSON
// lines.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "scanners/testing_internal.h"

namespace scanners {
namespace {

struct RunResult {
  int exit_code = -1;
  std::vector<std::string> lines;
  std::string err;
};

// Runs `ledger-scan <args>` with `input` on stdin.
RunResult RunLedgerScan(const std::string& args, const std::string& input) {
  // Unique per process and test: ctest runs the test cases of this binary in
  // parallel.
  const ::testing::TestInfo* test =
      ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string base = ::testing::TempDir() + "/ledger_scan_" +
                           test->name() + "_" + std::to_string(getpid());
  const std::string in = base + ".in", out = base + ".out", err = base + ".err";
  std::ofstream(in, std::ios::binary) << input;
  const std::string cmd = std::string(UDI_BIN_DIR) + "/ledger-scan " + args +
                          " < " + in + " > " + out + " 2> " + err;
  const int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream o(out, std::ios::binary);
  for (std::string line; std::getline(o, line);) r.lines.push_back(line);
  std::stringstream e;
  e << std::ifstream(err).rdbuf();
  r.err = e.str();
  std::remove(in.c_str());
  std::remove(out.c_str());
  std::remove(err.c_str());
  return r;
}

// Feeds the first column of a vector file, as written (GS as the four
// characters \x1d), and checks each output line against the second column.
void CheckVectorFile(const std::string& name, const std::string& args) {
  const auto vectors = testing::ReadVectors(name, 2);
  std::string input;
  for (const auto& v : vectors) {
    // The file's first column with its \x1d escapes intact: re-read the raw
    // line.
    input += v.raw_first_field + "\n";
  }
  RunResult r = RunLedgerScan(args, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.lines.size(), vectors.size());
  for (size_t i = 0; i < vectors.size(); ++i) {
    SCOPED_TRACE(name + ":" + std::to_string(vectors[i].line_number));
    EXPECT_EQ(r.lines[i], vectors[i].fields[1]);
  }
}

TEST(LedgerScanCliTest, ParsePrintsTheVectorJsonLines) {
  CheckVectorFile("scan_vectors.txt", "parse --year 2026");
}

TEST(LedgerScanCliTest, ParseEpcPrintsTheVectorJsonLines) {
  CheckVectorFile("epc_json_vectors.txt", "parse --epc");
}

TEST(LedgerScanCliTest, RawGroupSeparatorBytesAndCrLfAreAccepted) {
  RunResult r = RunLedgerScan("parse --year 2026",
                              "]d20109506000134352"
                              "10AB\x1d"
                              "21CD\r\n\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(r.lines[0],
            "{\"ok\": true, \"scheme\": \"GS1\", \"elements\": [{\"ai\": "
            "\"01\", \"value\": "
            "\"09506000134352\"}, {\"ai\": \"10\", \"value\": \"AB\"}, "
            "{\"ai\": \"21\", "
            "\"value\": \"CD\"}], \"gtin\": \"09506000134352\", \"lot\": "
            "\"AB\", \"serial\": "
            "\"CD\", \"digitalLink\": "
            "\"https://id.gs1.org/01/09506000134352/10/AB/21/CD\"}");
  EXPECT_EQ(r.lines[1], "{\"ok\": false, \"error\": \"empty scan\"}");
}

TEST(LedgerScanCliTest, HelpAndUsageErrors) {
  RunResult help = RunLedgerScan("--help", "");
  EXPECT_EQ(help.exit_code, 0);
  RunResult parse_help = RunLedgerScan("parse --help", "");
  EXPECT_EQ(parse_help.exit_code, 0);
  ASSERT_FALSE(parse_help.lines.empty());
  EXPECT_EQ(parse_help.lines[0],
            "usage: ledger-scan parse [--epc] [--year YYYY]");
  EXPECT_NE(help.lines.size(), 0u);
  EXPECT_EQ(RunLedgerScan("frobnicate", "").exit_code, 2);
  EXPECT_EQ(RunLedgerScan("parse --bogus", "").exit_code, 2);
  EXPECT_EQ(RunLedgerScan("parse --year 26", "").exit_code, 2);
  EXPECT_EQ(RunLedgerScan("", "").exit_code, 2);
}

}  // namespace
}  // namespace scanners
