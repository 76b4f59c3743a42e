// RFC 3339 §5.6 date-time parsing into Unix milliseconds.
//
//   date-time = full-date "T" full-time           ; "T" and "Z" may be lower
//   case (§5.6 NOTE) full-date = date-fullyear "-" date-month "-" date-mday
//   full-time = partial-time time-offset
//   partial-time = time-hour ":" time-minute ":" time-second [time-secfrac]
//   time-offset = "Z" / ("+" / "-") time-hour ":" time-minute
//
// Leap seconds (second 60) are refused: the ledger orders events by time and
// cannot place them.
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/epcis.h"

namespace ledger::epcis {
namespace {

bool IsLeapYear(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Reads exactly `n` digits at `pos` into `out`.
bool ReadDigits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

Status Bad(std::string reason) {
  return Status::InvalidArgument(std::move(reason));
}

Status Expect(std::string_view s, size_t pos, char c, std::string_view what) {
  if (pos < s.size() && s[pos] == c) return Status::OK();
  return Bad("expected '" + std::string(1, c) + "' " + std::string(what) +
             " at offset " + std::to_string(pos));
}

Status Field(std::string_view s, size_t pos, size_t n, std::string_view name,
             int& out) {
  if (ReadDigits(s, pos, n, out)) return Status::OK();
  return Bad("expected " + std::to_string(n) + "-digit " + std::string(name) +
             " at offset " + std::to_string(pos));
}

std::string Two(int v) { return (v < 10 ? "0" : "") + std::to_string(v); }

}  // namespace

Result<int64_t> ParseRfc3339Millis(std::string_view s) {
  int year, month, day, hour, minute, second;
  LEDGER_RETURN_IF_ERROR(Field(s, 0, 4, "year", year));
  LEDGER_RETURN_IF_ERROR(Expect(s, 4, '-', "after the year"));
  LEDGER_RETURN_IF_ERROR(Field(s, 5, 2, "month", month));
  LEDGER_RETURN_IF_ERROR(Expect(s, 7, '-', "after the month"));
  LEDGER_RETURN_IF_ERROR(Field(s, 8, 2, "day", day));
  if (month < 1 || month > 12) {
    return Bad("month " + Two(month) + " is out of range 01-12");
  }
  if (day < 1 || day > DaysInMonth(year, month)) {
    return Bad("day " + Two(day) + " does not exist in " +
               std::to_string(year) + "-" + Two(month));
  }
  if (s.size() <= 10 || (s[10] != 'T' && s[10] != 't')) {
    return Bad("expected 'T' between date and time at offset 10");
  }
  LEDGER_RETURN_IF_ERROR(Field(s, 11, 2, "hour", hour));
  LEDGER_RETURN_IF_ERROR(Expect(s, 13, ':', "after the hour"));
  LEDGER_RETURN_IF_ERROR(Field(s, 14, 2, "minute", minute));
  LEDGER_RETURN_IF_ERROR(Expect(s, 16, ':', "after the minute"));
  LEDGER_RETURN_IF_ERROR(Field(s, 17, 2, "second", second));
  if (hour > 23) return Bad("hour " + Two(hour) + " is out of range 00-23");
  if (minute > 59)
    return Bad("minute " + Two(minute) + " is out of range 00-59");
  if (second == 60) return Bad("leap second 60 is not accepted");
  if (second > 59)
    return Bad("second " + Two(second) + " is out of range 00-59");

  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) {
      return Bad("expected a digit after '.' at offset " + std::to_string(pos));
    }
    for (size_t i = digits; i < 3; ++i) millis *= 10;  // ".5" is 500 ms
  }

  int64_t offset_minutes = 0;
  if (pos >= s.size()) {
    return Bad("missing time zone offset ('Z' or +hh:mm) at offset " +
               std::to_string(pos));
  }
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '-' ? -1 : 1;
    int oh, om;
    LEDGER_RETURN_IF_ERROR(Field(s, pos + 1, 2, "offset hour", oh));
    LEDGER_RETURN_IF_ERROR(Expect(s, pos + 3, ':', "in the offset"));
    LEDGER_RETURN_IF_ERROR(Field(s, pos + 4, 2, "offset minute", om));
    if (oh > 23)
      return Bad("offset hour " + Two(oh) + " is out of range 00-23");
    if (om > 59)
      return Bad("offset minute " + Two(om) + " is out of range 00-59");
    offset_minutes = sign * (oh * 60 + om);
    pos += 6;
  } else {
    return Bad("expected 'Z', '+' or '-' (time zone offset) at offset " +
               std::to_string(pos));
  }
  if (pos != s.size()) {
    return Bad("unexpected text after the time zone offset at offset " +
               std::to_string(pos));
  }
  const int64_t days = DaysFromCivil(year, month, day);
  const int64_t seconds =
      days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

}  // namespace ledger::epcis
