// Helpers for the epcis tests: reading vector files from UDI_TESTDATA.
#ifndef UDI_LEDGER_EPCIS_TEST_UTIL_H_
#define UDI_LEDGER_EPCIS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace ledger::epcis::testing {

inline std::string TestdataPath(const std::string& name) {
  return std::string(UDI_TESTDATA) + "/" + name;
}

inline nlohmann::json ReadJsonFile(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

// One JSON value per non-empty line that does not start with "#" or "//".
inline std::vector<nlohmann::json> ReadJsonLines(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.starts_with("//")) continue;
    out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

// Sorted names of the files in testdata/<dir> ending in `ext`.
inline std::vector<std::string> ListTestdata(const std::string& dir,
                                             const std::string& ext) {
  std::vector<std::string> names;
  for (const auto& entry :
       std::filesystem::directory_iterator(TestdataPath(dir))) {
    if (entry.path().extension() == ext)
      names.push_back(entry.path().filename());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace ledger::epcis::testing

#endif  // UDI_LEDGER_EPCIS_TEST_UTIL_H_
