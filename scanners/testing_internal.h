// Test helpers for the scanner vector files (private to scanners/ tests).
//
// A vector file holds one case per line, fields separated by '|', '#' starting
// a comment line. Fields are trimmed; "\xHH" inside a field stands for the byte
// 0xHH (e.g. \x1d for GS, \x20 for a significant space).
#ifndef UDI_SCANNERS_TESTING_INTERNAL_H_
#define UDI_SCANNERS_TESTING_INTERNAL_H_

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace scanners::testing {

struct VectorLine {
  int line_number = 0;
  std::vector<std::string> fields;  // trimmed, \xHH escapes decoded
  std::string raw_first_field;      // trimmed, escapes as written
};

inline std::string DecodeEscapes(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x') {
      out.push_back(
          static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16)));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

inline std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Reads UDI_TESTDATA/<name>; throws if the file is missing or has no cases.
// With `columns` > 0 the last column takes the rest of the line, '|' included.
inline std::vector<VectorLine> ReadVectors(const std::string& name,
                                           size_t columns = 0) {
  const std::string path = std::string(UDI_TESTDATA) + "/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<VectorLine> out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (Trim(line).empty() || Trim(line)[0] == '#') continue;
    VectorLine v;
    v.line_number = number;
    size_t start = 0;
    v.raw_first_field = Trim(line.substr(0, line.find('|')));
    while (true) {
      const bool last = columns > 0 && v.fields.size() + 1 == columns;
      const size_t bar = last ? std::string::npos : line.find('|', start);
      v.fields.push_back(DecodeEscapes(Trim(line.substr(start, bar - start))));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    out.push_back(std::move(v));
  }
  if (out.empty()) throw std::runtime_error("no vectors in " + path);
  return out;
}

}  // namespace scanners::testing

#endif  // UDI_SCANNERS_TESTING_INTERNAL_H_
