// GS1 dates: YYMMDD with the sliding century window of the GS1 General
// Specifications §7.12.
#include <cstdio>

#include "ledger/gs1.h"
#include "ledger/gs1/gs1_internal.h"

namespace ledger::gs1 {
namespace internal {

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace internal

Result<std::string> ExpandYymmdd(std::string_view yymmdd, int today_year,
                                 bool day00_is_end_of_month) {
  if (yymmdd.size() != 6 || !internal::IsDigits(yymmdd)) {
    return Status::InvalidArgument("date '" + std::string(yymmdd) +
                                   "' is not 6 digits YYMMDD");
  }
  auto two = [&](size_t pos) {
    return (yymmdd[pos] - '0') * 10 + (yymmdd[pos + 1] - '0');
  };
  int yy = two(0), month = two(2), day = two(4);
  // §7.12: the difference between YY and the last two digits of the current
  // year decides the century: 51..99 → previous century, -99..-50 → next
  // century, otherwise the current one.
  int century = today_year / 100;
  int difference = yy - today_year % 100;
  if (difference >= 51) --century;
  if (difference <= -50) ++century;
  int year = century * 100 + yy;
  if (month < 1 || month > 12) {
    return Status::InvalidArgument("month " + std::string(yymmdd.substr(2, 2)) +
                                   " is not a date");
  }
  int last_day = internal::DaysInMonth(year, month);
  if (day == 0 && day00_is_end_of_month) day = last_day;
  if (day < 1 || day > last_day) {
    return Status::InvalidArgument("day " + std::string(yymmdd.substr(4, 2)) +
                                   " is not a date");
  }
  char out[48];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d", year, month, day);
  return std::string(out);
}

}  // namespace ledger::gs1
