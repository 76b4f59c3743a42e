#include "ledger/jcs.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/jcs/jcs_internal.h"

namespace ledger {
namespace {

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(UDI_TESTDATA) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open testdata/" << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Lines of a testdata file, without comment lines ('#') and blank lines.
std::vector<std::string> DataLines(const std::string& name) {
  std::vector<std::string> lines;
  std::istringstream in(ReadTestdata(name));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

double FromBits(uint64_t bits) { return std::bit_cast<double>(bits); }

// Canonical form of JSON text, parsed strictly; the test fails on any error.
std::string Canon(std::string_view text) {
  auto parsed = ParseJsonStrict(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return "";
  auto canonical = CanonicalizeJson(*parsed);
  EXPECT_TRUE(canonical.ok()) << canonical.status().ToString();
  return canonical.ok() ? *canonical : "";
}

TEST(JcsTest, CanonicalizesReferenceVectors) {
  // testdata/input/X.json must canonicalise to exactly the bytes of
  // testdata/output/X.json. arrays..weird come from
  // cyberphone/json-canonicalization (the RFC 8785 reference code); rfc8785_*
  // are the examples in RFC 8785 §3.2.2-3.2.4.
  for (const char* name :
       {"arrays", "french", "simpleString", "structures", "unicode", "values",
        "weird", "rfc8785_sorting", "rfc8785_serialization"}) {
    SCOPED_TRACE(name);
    std::string file = std::string(name) + ".json";
    EXPECT_EQ(Canon(ReadTestdata("input/" + file)),
              ReadTestdata("output/" + file));
  }
}

TEST(JcsTest, FormatsRfc8785AppendixBNumbers) {
  auto lines = DataLines("rfc8785_appendix_b.txt");
  ASSERT_EQ(lines.size(), 26u);
  for (const auto& line : lines) {
    SCOPED_TRACE(line);
    std::istringstream fields(line);
    std::string hex, want;
    fields >> hex >> want;
    double d = FromBits(std::stoull(hex, nullptr, 16));
    auto got = CanonicalizeJson(nlohmann::json(d));
    if (want == "error") {
      ASSERT_FALSE(got.ok());
      EXPECT_TRUE(got.status().IsInvalidArgument());
      EXPECT_NE(got.status().message().find("NaN and Infinity"),
                std::string::npos);
    } else {
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, want);
    }
  }
}

// Reproduces the number sequence of cyberphone's es6testfile100m.txt (see
// testdata/es6_numbers_static.txt).
class Es6NumberSequence {
 public:
  Es6NumberSequence() {
    std::string text = ReadTestdata("es6_numbers_static.txt");
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream words(line);
      for (std::string word; words >> word;)
        static_.push_back(std::stoull(word, nullptr, 16));
    }
  }
  size_t static_count() const { return static_.size(); }

  double Next() {
    constexpr size_t kSerial = 2000;
    double f = 0;
    if (index_ < static_.size()) {
      f = FromBits(static_[index_]);
    } else if (index_ < static_.size() + kSerial) {
      f = FromBits(0x0010000000000000ULL + (index_ - static_.size()));
    } else {
      while (f == 0 || !std::isfinite(f)) {
        if (offset_ == block_.size()) {
          block_ = Sha256(AsStringView(block_));
          offset_ = 0;
        }
        uint64_t bits = 0;
        for (int i = 7; i >= 0; --i)
          bits = bits << 8 | block_[offset_ + static_cast<size_t>(i)];
        offset_ += 8;
        f = FromBits(bits);
      }
    }
    ++index_;
    return f;
  }

 private:
  std::vector<uint64_t> static_;
  size_t index_ = 0;
  Hash block_{};
  size_t offset_ = 32;  // the first use hashes the all-zero block
};

TEST(JcsTest, MatchesPublishedHashesOfEs6NumberTestFile) {
  Es6NumberSequence seq;
  ASSERT_EQ(seq.static_count(), 168u);
  auto checkpoints = DataLines("es6_numbers_sha256.txt");
  ASSERT_FALSE(checkpoints.empty());
  std::string all;
  size_t produced = 0;
  for (const auto& line : checkpoints) {
    std::istringstream fields(line);
    size_t count;
    std::string want;
    fields >> count >> want;
    SCOPED_TRACE("first " + std::to_string(count) + " lines");
    while (produced < count) {
      double d = seq.Next();
      char hex[32];
      std::snprintf(
          hex, sizeof(hex), "%llx",
          static_cast<unsigned long long>(std::bit_cast<uint64_t>(d)));
      all += hex;
      all += ',';
      all += jcs_internal::FormatNumber(d);
      all += '\n';
      ++produced;
    }
    EXPECT_EQ(ToHex(Sha256(all)), want);
  }
}

TEST(JcsTest, TreatsIntegersAsDoubles) {
  // RFC 8785 §3.2.2.3: every number is an IEEE-754 double, however nlohmann
  // stored it.
  EXPECT_EQ(*CanonicalizeJson(nlohmann::json(int64_t{9007199254740993})),
            "9007199254740992");
  EXPECT_EQ(*CanonicalizeJson(nlohmann::json(uint64_t{1} << 63)),
            "9223372036854776000");
  EXPECT_EQ(
      *CanonicalizeJson(nlohmann::json(uint64_t{10000000000000000000ULL})),
      "10000000000000000000");
  EXPECT_EQ(*CanonicalizeJson(nlohmann::json(-0.0)), "0");
  EXPECT_EQ(*CanonicalizeJson(nlohmann::json(1e-7)), "1e-7");
  EXPECT_EQ(*CanonicalizeJson(nlohmann::json(1e21)), "1e+21");
  EXPECT_EQ(*CanonicalizeJson(nlohmann::json(1e20)), "100000000000000000000");
  EXPECT_EQ(*CanonicalizeJson(nlohmann::json(123.0)), "123");
  EXPECT_EQ(*CanonicalizeJson(nlohmann::json(-1.5e-9)), "-1.5e-9");
}

TEST(JcsTest, EscapesStringsMinimally) {
  struct Case {
    std::string in, want;
  } cases[] = {
      {std::string("\x00", 1), "\"\\u0000\""},
      {"\x01\x1f", "\"\\u0001\\u001f\""},
      {"\b\t\n\f\r", "\"\\b\\t\\n\\f\\r\""},
      {"\"\\/", "\"\\\"\\\\/\""},
      {"\x7f", "\"\x7f\""},
      {"\xe2\x80\xa8",
       "\"\xe2\x80\xa8\""},  // U+2028 stays raw, as in ECMAScript
      {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.want);
    auto got = CanonicalizeJson(nlohmann::json(c.in));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, c.want);
  }
}

// Plain ASCII strings and names are copied between quotes without a UTF-8
// check or an escape scan: every byte value at positions in and across
// eight-byte words must still be escaped, kept or refused exactly as before.
TEST(JcsTest, LongStringsAndNamesWithEveryByte) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t at : {0, 7, 8, 13, 19}) {
    for (int b = 0; b < 256; ++b) {
      std::string s = "abcdefghijklmnopqrst";  // 20 bytes
      s[at] = static_cast<char>(b);
      SCOPED_TRACE(testing::Message() << "byte " << b << " at " << at);
      std::string quoted = "\"" + s.substr(0, at);
      const char c = static_cast<char>(b);
      if (c == '"' || c == '\\') {
        quoted += std::string("\\") + c;
      } else if (c == '\b' || c == '\t' || c == '\n' || c == '\f' ||
                 c == '\r') {
        quoted +=
            std::string("\\") + "btnfr"[std::string("\b\t\n\f\r").find(c)];
      } else if (b < 0x20) {
        quoted += std::string("\\u00") + kHex[b >> 4] + kHex[b & 15];
      } else {
        quoted += c;
      }
      quoted += s.substr(at + 1) + "\"";
      auto value = CanonicalizeJson(nlohmann::json(s));
      auto name = CanonicalizeJson(nlohmann::json{{s, 1}});
      if (b >= 0x80) {  // a lone byte >= 0x80 is never UTF-8
        ASSERT_FALSE(value.ok());
        EXPECT_EQ(value.status().message(),
                  "(root): string is not UTF-8 (byte " + std::to_string(at) +
                      " of the string)");
        ASSERT_FALSE(name.ok());
        EXPECT_EQ(name.status().message(),
                  "(root): member name is not UTF-8 (byte " +
                      std::to_string(at) + " of the name)");
        continue;
      }
      ASSERT_TRUE(value.ok()) << value.status().message();
      EXPECT_EQ(*value, quoted);
      ASSERT_TRUE(name.ok()) << name.status().message();
      EXPECT_EQ(*name, "{" + quoted + ":1}");
    }
  }
}

TEST(JcsTest, SortsNamesByUtf16CodeUnitsNotUtf8Bytes) {
  // U+1F600 is 0xD83D 0xDE00 in UTF-16 and sorts before U+FB33; in UTF-8 it
  // sorts after.
  nlohmann::json v = {{"\xef\xac\xb3", 1}, {"\xf0\x9f\x98\x80", 2}};
  EXPECT_EQ(*CanonicalizeJson(v),
            "{\"\xf0\x9f\x98\x80\":2,\"\xef\xac\xb3\":1}");
}

TEST(JcsTest, RejectsWhatHasNoCanonicalForm) {
  struct Case {
    const char* label;
    nlohmann::json value;
    const char* want;
  } cases[] = {
      {"nan", {{"a", {1, std::nan("")}}}, "/a/1: NaN and Infinity"},
      {"inf", {{"x~/y", HUGE_VAL}}, "/x~0~1y: NaN and Infinity"},
      {"bad utf8 string", {{"s", "\xff"}}, "/s: string is not UTF-8 (byte 0"},
      {"surrogate in string",
       {{"s", "a\xed\xa0\x80"}},
       "/s: string is not UTF-8 (byte 1"},
      {"overlong", nlohmann::json("\xc0\xaf"), "(root): string is not UTF-8"},
      {"bad utf8 name", {{"\xc3", 1}}, "(root): member name is not UTF-8"},
      {"binary", nlohmann::json::binary({1, 2}), "(root): binary"},
      {"bad name among supplementary names",
       {{"\xf0\x9f", 1}, {"\xf0\x9f\x98\x80", 2}},
       "(root): member name is not UTF-8"},
      {"nested under supplementary name",
       {{"\xf0\x9f\x98\x80", {1, std::nan("")}}, {"\xef\xac\xb3", 2}},
       "/\xf0\x9f\x98\x80/1: NaN"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    auto got = CanonicalizeJson(c.value);
    ASSERT_FALSE(got.ok());
    EXPECT_TRUE(got.status().IsInvalidArgument());
    EXPECT_NE(got.status().message().find(c.want), std::string::npos)
        << got.status().message();
  }
}

TEST(JcsTest, RejectsNestingBeyondLimit) {
  nlohmann::json deep = 1;
  for (int i = 0; i <= kMaxJsonDepth; ++i) deep = nlohmann::json::array({deep});
  auto got = CanonicalizeJson(deep);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("nesting deeper"), std::string::npos);
  nlohmann::json ok = 1;
  for (int i = 0; i < kMaxJsonDepth; ++i) ok = nlohmann::json::array({ok});
  EXPECT_TRUE(CanonicalizeJson(ok).ok());
}

TEST(ParseJsonStrictTest, AcceptsIJson) {
  auto v = ParseJsonStrict(
      " {\"a\": [1, -2.5, \"\\ud83d\\ude00\", null, true], \"b\": {}} \n");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)["a"][2], "\xf0\x9f\x98\x80");
  EXPECT_TRUE(ParseJsonStrict("9007199254740991").ok());
  EXPECT_TRUE(ParseJsonStrict("-9007199254740991").ok());
  EXPECT_TRUE(ParseJsonStrict("1e300").ok());
  EXPECT_TRUE(ParseJsonStrict("[1.0e20]").ok());
  // Integer tokens beyond 2^53 that JCS writes back unchanged keep their value.
  for (const char* exact :
       {"9007199254740992", "-9007199254740992", "10000000000000000000",
        "100000000000000000000", "295147905179352830000"}) {
    SCOPED_TRACE(exact);
    auto parsed = ParseJsonStrict(exact);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*CanonicalizeJson(*parsed), exact);
  }
}

TEST(ParseJsonStrictTest, RejectsWithOffsetOrPath) {
  struct Case {
    const char* label;
    std::string text;
    const char* want;
  } cases[] = {
      {"duplicate member", R"({"a":1,"b":{"c":1,"c":2}})",
       "/b/c: duplicate member name"},
      {"duplicate in array", R"([0,{"x":1,"x":1}])",
       "/1/x: duplicate member name"},
      {"duplicate via escape", R"({"a":1,"\u0061":2})",
       "/a: duplicate member name"},
      {"trailing garbage", "{} x", "byte 3: "},
      {"second value", "1 2", "byte 2: "},
      {"invalid utf8", "[\"a\xff\"]", "byte 3: "},
      {"lone surrogate", R"(["\ud800"])", "byte "},
      {"lone low surrogate", R"(["\udc00x"])", "byte "},
      {"bom", "\xef\xbb\xbf{}", "byte 0: byte-order mark"},
      {"empty", "", "byte 0: "},
      {"comment", "[1] // c", "byte 4: "},
      {"big integer", R"({"q":[1,9007199254740993]})",
       "/q/1: integer 9007199254740993 is not exactly representable as an "
       "IEEE-754 double (RFC 8785 would write it as 9007199254740992)"},
      {"big negative", "-9007199254740993",
       "(root): integer -9007199254740993"},
      {"2^64", "18446744073709551616",
       "would write it as 18446744073709552000"},
      {"huge integer", "[123456789012345678901234567890]",
       "/0: integer 1234567890"},
      {"overflow", R"({"x":1e400})", "number overflow parsing '1e400'"},
      {"nan literal", "[NaN]", "byte 1: "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    auto got = ParseJsonStrict(c.text);
    ASSERT_FALSE(got.ok());
    EXPECT_TRUE(got.status().IsInvalidArgument());
    EXPECT_NE(got.status().message().find(c.want), std::string::npos)
        << got.status().message();
  }
}

TEST(ParseJsonStrictTest, RejectsNestingBeyondLimit) {
  std::string deep(kMaxJsonDepth + 1, '[');
  auto got = ParseJsonStrict(deep + std::string(kMaxJsonDepth + 1, ']'));
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("nesting deeper"), std::string::npos);
  std::string ok(kMaxJsonDepth, '[');
  EXPECT_TRUE(ParseJsonStrict(ok + std::string(kMaxJsonDepth, ']')).ok());
}

// Regression: canonical output must always re-parse strictly to the same
// value (an event's stored canonical bytes are parsed again by verifiers).
TEST(JcsPropertyTest, CanonicalNumbersReparseToTheSameDouble) {
  std::mt19937_64 rng(8785);
  for (int i = 0; i < 200000; ++i) {
    double d = FromBits(rng());
    if (!std::isfinite(d)) continue;
    std::string text = jcs_internal::FormatNumber(d);
    auto parsed = ParseJsonStrict(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    double back = parsed->get<double>();
    ASSERT_EQ(back, d) << text;
    ASSERT_EQ(*CanonicalizeJson(*parsed), text);
  }
}

// Random JSON with random Unicode names: canonicalisation is idempotent through
// a strict re-parse, and object names come out in UTF-16 order.
nlohmann::json RandomJson(std::mt19937_64& rng, int depth) {
  auto random_string = [&rng] {
    static const char32_t kAlphabet[] = {
        'a',  'B',    '0',    ' ',    '"',    '\\',    0x01,    0x1f,    0x7f,
        0xe9, 0x2028, 0xe000, 0xfb33, 0xffff, 0x10000, 0x1f600, 0x10ffff};
    std::string s;
    int n = static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i) {
      char32_t c = kAlphabet[rng() % std::size(kAlphabet)];
      if (c < 0x80) {
        s.push_back(static_cast<char>(c));
      } else if (c < 0x800) {
        s.push_back(static_cast<char>(0xC0 | c >> 6));
        s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      } else if (c < 0x10000) {
        s.push_back(static_cast<char>(0xE0 | c >> 12));
        s.push_back(static_cast<char>(0x80 | (c >> 6 & 0x3F)));
        s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      } else {
        s.push_back(static_cast<char>(0xF0 | c >> 18));
        s.push_back(static_cast<char>(0x80 | (c >> 12 & 0x3F)));
        s.push_back(static_cast<char>(0x80 | (c >> 6 & 0x3F)));
        s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      }
    }
    return s;
  };
  switch (depth > 3 ? rng() % 5 : rng() % 7) {
    case 0:
      return nullptr;
    case 1:
      return rng() % 2 == 0;
    case 2:
      return static_cast<int64_t>(rng() % 2000001) - 1000000;
    case 3: {
      double d = FromBits(rng());
      return std::isfinite(d) ? d : 0.5;
    }
    case 4:
      return random_string();
    case 5: {
      nlohmann::json a = nlohmann::json::array();
      for (int n = static_cast<int>(rng() % 4); n > 0; --n) {
        a.push_back(RandomJson(rng, depth + 1));
      }
      return a;
    }
    default: {
      nlohmann::json o = nlohmann::json::object();
      for (int n = static_cast<int>(rng() % 5); n > 0; --n) {
        o[random_string()] = RandomJson(rng, depth + 1);
      }
      return o;
    }
  }
}

TEST(JcsPropertyTest, CanonicalFormIsIdempotentAndSorted) {
  std::mt19937_64 rng(6962);
  for (int i = 0; i < 3000; ++i) {
    nlohmann::json v = RandomJson(rng, 0);
    auto first = CanonicalizeJson(v);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    auto reparsed = ParseJsonStrict(*first);
    ASSERT_TRUE(reparsed.ok())
        << *first << ": " << reparsed.status().ToString();
    auto second = CanonicalizeJson(*reparsed);
    ASSERT_TRUE(second.ok());
    ASSERT_EQ(*first, *second);
    // Names of every object in the output appear in strictly increasing UTF-16
    // order: check the top level by scanning the members in output order.
    if (v.is_object() && v.size() > 1) {
      std::vector<std::u16string> keys;
      nlohmann::json::parser_callback_t record =
          [&keys](int depth, nlohmann::json::parse_event_t event,
                  nlohmann::json& parsed) {
            if (depth == 1 && event == nlohmann::json::parse_event_t::key) {
              keys.push_back(
                  jcs_internal::ToUtf16(parsed.get_ref<const std::string&>()));
            }
            return true;
          };
      nlohmann::json unused = nlohmann::json::parse(*first, record);
      ASSERT_EQ(keys.size(), v.size());
      for (size_t k = 1; k < keys.size(); ++k) ASSERT_LT(keys[k - 1], keys[k]);
    }
  }
}

TEST(Utf8Test, FindsFirstInvalidByte) {
  struct Case {
    std::string s;
    size_t want;
  } cases[] = {
      {"abc", std::string_view::npos},
      {"\xf4\x8f\xbf\xbf", std::string_view::npos},  // U+10FFFF
      {"\xf4\x90\x80\x80", 0},                       // above U+10FFFF
      {"a\xe0\x80\x80", 1},                          // overlong
      {"ab\xed\xbf\xbf", 2},                         // surrogate
      {"\xc3", 0},                                   // truncated
      {"\x80", 0},                                   // lone continuation
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(ToHex(c.s));
    EXPECT_EQ(jcs_internal::FindInvalidUtf8(c.s), c.want);
  }
}

}  // namespace
}  // namespace ledger
