#include "scanners/hibc.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "scanners/charset_internal.h"

namespace scanners {
namespace {

using ledger::Result;
using ledger::Status;

constexpr std::string_view kHibcChars =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";
constexpr size_t kMaxPcn = 18;
constexpr size_t kMaxLotOrSerial = 18;

int HibcValue(char c) {
  const size_t i = kHibcChars.find(c);
  return i == std::string_view::npos ? -1 : static_cast<int>(i);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAlnum(char c) { return IsDigit(c) || IsUpper(c); }

Status ErrorAt(size_t pos, const std::string& what) {
  return Status::InvalidArgument("position " + std::to_string(pos) + ": " +
                                 what);
}

// A piece of the input with its offset, so errors can name positions in the
// whole scan.
struct Span {
  std::string_view text;
  size_t offset = 0;
  Span Sub(size_t from, size_t n = std::string_view::npos) const {
    return {text.substr(from, n), offset + from};
  }
};

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

std::string FormatDate(int y, int m, int d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
  return buf;
}

int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

Status AllDigits(Span s, const std::string& what) {
  for (size_t i = 0; i < s.text.size(); ++i) {
    if (!IsDigit(s.text[i])) {
      return ErrorAt(s.offset + i,
                     what + ": " + DescribeChar(s.text[i]) + " is not a digit");
    }
  }
  return Status::OK();
}

// Builds "YYYY-MM-DD" from year, month, day; `field` names the field in errors.
Result<std::string> CheckedDate(int y, int m, int d, const std::string& field) {
  if (m < 1 || m > 12) {
    return Status::InvalidArgument(field + ": month " + std::to_string(m) +
                                   " is not a month");
  }
  if (d < 1 || d > DaysInMonth(y, m)) {
    return Status::InvalidArgument(field + ": day " + std::to_string(d) +
                                   " is not a date in " +
                                   FormatDate(y, m, 1).substr(0, 7));
  }
  return FormatDate(y, m, d);
}

Result<std::string> JulianDate(int y, int jjj, const std::string& field) {
  const int days = IsLeap(y) ? 366 : 365;
  if (jjj < 1 || jjj > days) {
    return Status::InvalidArgument(field + ": day of year " +
                                   std::to_string(jjj) + " is not in 1.." +
                                   std::to_string(days));
  }
  int m = 1;
  while (jjj > DaysInMonth(y, m)) jjj -= DaysInMonth(y, m++);
  return FormatDate(y, m, jjj);
}

struct DateFormat {
  char flag;
  std::string_view layout;  // M D Y J H characters
};
// The $$ date formats of the HIBC secondary data structure, selected by the
// flag digit.
constexpr DateFormat kDateFormats[] = {
    {'0', "MMYY"},     {'1', "MMYY"},  {'2', "MMDDYY"},  {'3', "YYMMDD"},
    {'4', "YYMMDDHH"}, {'5', "YYJJJ"}, {'6', "YYJJJHH"}, {'7', ""}};

const DateFormat* FindDateFormat(char flag) {
  for (const DateFormat& f : kDateFormats) {
    if (f.flag == flag) return &f;
  }
  return nullptr;
}

std::string Pick(std::string_view digits, std::string_view layout, char field) {
  std::string out;
  for (size_t i = 0; i < layout.size(); ++i) {
    if (layout[i] == field) out.push_back(digits[i]);
  }
  return out;
}

// Decodes `digits` laid out as `layout` into out->expiry / expiry_hour.
Status DecodeExpiry(Span digits, std::string_view layout, HibcData* out) {
  LEDGER_RETURN_IF_ERROR(AllDigits(digits, "expiry"));
  const int y = 2000 + Num(Pick(digits.text, layout, 'Y'));
  const std::string month = Pick(digits.text, layout, 'M');
  const std::string day = Pick(digits.text, layout, 'D');
  const std::string julian = Pick(digits.text, layout, 'J');
  const std::string hour = Pick(digits.text, layout, 'H');
  Result<std::string> date = Status::Internal("unset");
  if (!julian.empty()) {
    date = JulianDate(y, Num(julian), "expiry");
  } else if (day.empty()) {
    const int m = Num(month);
    date =
        CheckedDate(y, m, m >= 1 && m <= 12 ? DaysInMonth(y, m) : 1, "expiry");
  } else {
    date = CheckedDate(y, Num(month), Num(day), "expiry");
  }
  if (!date.ok()) return date.status();
  out->expiry = *date;
  if (!hour.empty()) {
    if (Num(hour) > 23) {
      return Status::InvalidArgument("expiry: hour " + hour + " is not 00..23");
    }
    out->expiry_hour = Num(hour);
  }
  return Status::OK();
}

Status CheckLotOrSerial(Span s, const std::string& what) {
  if (s.text.size() > kMaxLotOrSerial) {
    return ErrorAt(s.offset, what + " has " + std::to_string(s.text.size()) +
                                 " characters, at most " +
                                 std::to_string(kMaxLotOrSerial));
  }
  for (size_t i = 0; i < s.text.size(); ++i) {
    const char c = s.text[i];
    if (!IsAlnum(c) && c != '-' && c != '.') {
      return ErrorAt(s.offset + i,
                     what + ": " + DescribeChar(c) + " is not allowed");
    }
  }
  return Status::OK();
}

// Stores the lot or serial that ends a secondary data structure. A serial form
// without a serial is an error; a lot may be empty (e.g. "$$1226": expiry
// only).
Status SetLotOrSerial(Span value, bool serial, HibcData* out) {
  if (serial && value.text.empty())
    return ErrorAt(value.offset, "serial is empty");
  LEDGER_RETURN_IF_ERROR(CheckLotOrSerial(value, serial ? "serial" : "lot"));
  (serial ? out->serial : out->lot) = std::string(value.text);
  return Status::OK();
}

// Parses "$$..." after the "$$" / "$$+": optional quantity, optional date, then
// lot or serial.
Status ParseQuantityDate(Span s, bool serial, HibcData* out) {
  if (s.text.empty())
    return ErrorAt(s.offset, "'$$' must be followed by a format digit");
  size_t pos = 0;
  const char first = s.text[0];
  if (first == '8' || first == '9') {
    const size_t n = first == '8' ? 2 : 5;
    if (s.text.size() < 1 + n) {
      return ErrorAt(s.offset, std::string("quantity format ") + first +
                                   " needs " + std::to_string(n) + " digits");
    }
    LEDGER_RETURN_IF_ERROR(AllDigits(s.Sub(1, n), "quantity"));
    out->quantity = Num(s.text.substr(1, n));
    pos = 1 + n;
  }
  const bool date_required = pos == 0;
  const char flag = pos < s.text.size() ? s.text[pos] : '\0';
  const DateFormat* format = FindDateFormat(flag);
  if (format == nullptr && date_required) {
    return ErrorAt(s.offset,
                   "'$$' must be followed by a date format digit 0..9, got " +
                       (flag ? DescribeChar(flag) : std::string("nothing")));
  }
  if (format != nullptr) {
    // MMYY has no flag of its own: its first month digit (0 or 1) is the flag.
    const size_t start = (flag == '0' || flag == '1') ? pos : pos + 1;
    const size_t len = format->layout.size();
    if (s.text.size() < start + len) {
      return ErrorAt(s.offset + pos, "date format " + std::string(1, flag) +
                                         " needs " + std::to_string(len) +
                                         " digits (" +
                                         std::string(format->layout) + ")");
    }
    if (len > 0)
      LEDGER_RETURN_IF_ERROR(
          DecodeExpiry(s.Sub(start, len), format->layout, out));
    pos = start + len;
  }
  return SetLotOrSerial(s.Sub(pos), serial, out);
}

// The first '/'-separated part of secondary data.
Status ParseSecondaryMain(Span s, HibcData* out) {
  out->has_secondary = true;
  if (s.text.empty()) return ErrorAt(s.offset, "secondary data is empty");
  if (IsDigit(s.text[0])) {
    // Julian date YYJJJ followed by the lot (the original HIBC secondary
    // format).
    if (s.text.size() < 5)
      return ErrorAt(s.offset, "Julian date YYJJJ needs 5 digits");
    LEDGER_RETURN_IF_ERROR(DecodeExpiry(s.Sub(0, 5), "YYJJJ", out));
    LEDGER_RETURN_IF_ERROR(CheckLotOrSerial(s.Sub(5), "lot"));
    out->lot = std::string(s.text.substr(5));
    return Status::OK();
  }
  if (s.text[0] != '$') {
    return ErrorAt(s.offset,
                   "secondary data must start with '$' or a Julian date, not " +
                       DescribeChar(s.text[0]));
  }
  if (s.text.substr(0, 3) == "$$+")
    return ParseQuantityDate(s.Sub(3), true, out);
  if (s.text.substr(0, 2) == "$$")
    return ParseQuantityDate(s.Sub(2), false, out);
  const bool serial = s.text.substr(0, 2) == "$+";
  return SetLotOrSerial(s.Sub(serial ? 2 : 1), serial, out);
}

Status ParseYyyymmdd(Span s, const std::string& field,
                     std::optional<std::string>* out) {
  if (s.text.size() != 8)
    return ErrorAt(s.offset, field + " needs 8 digits YYYYMMDD");
  LEDGER_RETURN_IF_ERROR(AllDigits(s, field));
  Result<std::string> date =
      CheckedDate(Num(s.text.substr(0, 4)), Num(s.text.substr(4, 2)),
                  Num(s.text.substr(6, 2)), field);
  if (!date.ok()) return date.status();
  *out = *date;
  return Status::OK();
}

// One supplemental field after a '/': 14D expiry, 16D manufacture date, S
// serial.
Status ParseSupplemental(Span s, HibcData* out) {
  if (s.text.substr(0, 3) == "14D") {
    if (out->expiry) return ErrorAt(s.offset, "expiry given twice");
    return ParseYyyymmdd(s.Sub(3), "expiry", &out->expiry);
  }
  if (s.text.substr(0, 3) == "16D") {
    return ParseYyyymmdd(s.Sub(3), "manufacture date", &out->manufacture_date);
  }
  if (s.text.substr(0, 1) == "S") {
    if (!out->serial.empty()) return ErrorAt(s.offset, "serial given twice");
    if (s.text.size() < 2) return ErrorAt(s.offset, "serial is empty");
    LEDGER_RETURN_IF_ERROR(CheckLotOrSerial(s.Sub(1), "serial"));
    out->serial = std::string(s.text.substr(1));
    return Status::OK();
  }
  return ErrorAt(s.offset, "unknown supplemental field '" +
                               std::string(s.text.substr(0, 3)) +
                               "' (expected 14D, 16D or S)");
}

// Secondary data, possibly followed by '/'-separated supplemental fields.
Status ParseSecondary(Span s, HibcData* out) {
  size_t start = 0;
  bool first = true;
  while (true) {
    const size_t slash = s.text.find('/', start);
    const Span part =
        s.Sub(start, slash == std::string_view::npos ? slash : slash - start);
    LEDGER_RETURN_IF_ERROR(first ? ParseSecondaryMain(part, out)
                                 : ParseSupplemental(part, out));
    first = false;
    if (slash == std::string_view::npos) return Status::OK();
    start = slash + 1;
  }
}

Status ParsePrimary(Span s, HibcData* out) {
  out->has_primary = true;
  if (s.text.size() < 6) {
    return ErrorAt(
        s.offset,
        "primary data needs LIC (4), PCN (1..18) and unit of measure (1)");
  }
  if (!IsUpper(s.text[0]))
    return ErrorAt(s.offset, "LIC must start with a letter");
  for (size_t i = 1; i < 4; ++i) {
    if (!IsAlnum(s.text[i])) {
      return ErrorAt(s.offset + i, "LIC: " + DescribeChar(s.text[i]) +
                                       " is not alphanumeric");
    }
  }
  out->lic = std::string(s.text.substr(0, 4));
  const Span pcn = s.Sub(4, s.text.size() - 5);
  if (pcn.text.size() > kMaxPcn) {
    return ErrorAt(pcn.offset, "PCN has " + std::to_string(pcn.text.size()) +
                                   " characters, at most " +
                                   std::to_string(kMaxPcn));
  }
  for (size_t i = 0; i < pcn.text.size(); ++i) {
    if (!IsAlnum(pcn.text[i])) {
      return ErrorAt(pcn.offset + i, "PCN: " + DescribeChar(pcn.text[i]) +
                                         " is not alphanumeric");
    }
  }
  out->pcn = std::string(pcn.text);
  const char uom = s.text.back();
  if (!IsDigit(uom)) {
    return ErrorAt(s.offset + s.text.size() - 1,
                   "unit of measure must be a digit, not " + DescribeChar(uom));
  }
  out->unit_of_measure = uom - '0';
  return Status::OK();
}

}  // namespace

char HibcCheckCharacter(std::string_view data) {
  int sum = 0;
  for (char c : data) sum += std::max(HibcValue(c), 0);
  return kHibcChars[sum % 43];
}

Result<HibcData> ParseHibc(std::string_view data) {
  if (data.empty() || data[0] != '+') {
    return Status::InvalidArgument("position 0: HIBC data must start with '+'");
  }
  for (size_t i = 0; i < data.size(); ++i) {
    if (HibcValue(data[i]) < 0) {
      return ErrorAt(
          i,
          DescribeChar(data[i]) +
              " is not in the HIBC character set (0-9 A-Z - . space $ / + %)");
    }
  }
  if (data.size() < 3) return Status::InvalidArgument("HIBC data is too short");
  const size_t check_pos = data.size() - 1;
  const char want = HibcCheckCharacter(data.substr(0, check_pos));
  if (data[check_pos] != want) {
    return ErrorAt(check_pos, "check character '" +
                                  std::string(1, data[check_pos]) +
                                  "' should be '" + std::string(1, want) + "'");
  }
  HibcData out;
  out.check = want;
  const Span body{data.substr(1, check_pos - 1), 1};
  if (IsUpper(body.text[0])) {
    const size_t slash = body.text.find('/');
    LEDGER_RETURN_IF_ERROR(ParsePrimary(body.Sub(0, slash), &out));
    if (slash != std::string_view::npos) {
      LEDGER_RETURN_IF_ERROR(ParseSecondary(body.Sub(slash + 1), &out));
    }
    return out;
  }
  // A standalone secondary ends with the link character before the check
  // character.
  if (body.text.size() < 2)
    return ErrorAt(1, "secondary data and link character are missing");
  out.link = body.text.back();
  LEDGER_RETURN_IF_ERROR(
      ParseSecondary(body.Sub(0, body.text.size() - 1), &out));
  return out;
}

}  // namespace scanners
