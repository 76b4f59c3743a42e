// Reads the " | "-separated vector files in ledger/gs1/testdata (test-only
// helper).
//
// Each non-empty line not starting with '#' has `fields` fields separated by
// '|'; the last field takes the rest of the line (so it may contain '|').
// Fields are trimmed of spaces; "\xHH" in a field stands for the byte 0xHH.
#ifndef UDI_LEDGER_GS1_TEST_VECTORS_H_
#define UDI_LEDGER_GS1_TEST_VECTORS_H_

#include <fstream>
#include <string>
#include <vector>

namespace ledger::gs1::testing {

struct Vector {
  std::string where;  // "file:line", for SCOPED_TRACE
  std::vector<std::string> fields;
};

inline std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(' ');
  size_t e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

inline std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "\\x") == 0 && i + 3 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

inline std::vector<Vector> ReadVectors(const std::string& name, size_t fields) {
  std::string path = std::string(UDI_TESTDATA) + "/" + name;
  std::ifstream in(path);
  std::vector<Vector> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    Vector v;
    v.where = name + ":" + std::to_string(n);
    size_t pos = 0;
    for (size_t f = 0; f + 1 < fields; ++f) {
      size_t bar = line.find('|', pos);
      if (bar == std::string::npos) break;
      v.fields.push_back(Unescape(Trim(line.substr(pos, bar - pos))));
      pos = bar + 1;
    }
    v.fields.push_back(Unescape(Trim(line.substr(pos))));
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace ledger::gs1::testing

#endif  // UDI_LEDGER_GS1_TEST_VECTORS_H_
