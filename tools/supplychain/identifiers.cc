#include "tools/supplychain/identifiers.h"

#include <cassert>
#include <cstdio>

namespace supplychain {
namespace {

std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out += p;
  return out;
}

// Floor division for negative times.
int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace

char Gs1CheckDigit(std::string_view digits) {
  int sum = 0;
  int weight = 3;
  for (size_t i = digits.size(); i-- > 0;) {
    sum += (digits[i] - '0') * weight;
    weight = 4 - weight;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::string ZeroPad(uint64_t number, int width) {
  std::string s = std::to_string(number);
  assert(static_cast<int>(s.size()) <= width);
  return std::string(width - s.size(), '0') + s;
}

std::string MakeGln(std::string_view prefix, uint64_t location_ref) {
  std::string body =
      std::string(prefix) + ZeroPad(location_ref, 12 - int(prefix.size()));
  return body + Gs1CheckDigit(body);
}

std::string MakeGtin14(char indicator, std::string_view prefix,
                       uint64_t item_ref) {
  std::string body = std::string(1, indicator) + std::string(prefix) +
                     ZeroPad(item_ref, 12 - int(prefix.size()));
  return body + Gs1CheckDigit(body);
}

std::string MakeSscc(char extension, std::string_view prefix,
                     uint64_t serial_ref) {
  std::string body = std::string(1, extension) + std::string(prefix) +
                     ZeroPad(serial_ref, 16 - int(prefix.size()));
  return body + Gs1CheckDigit(body);
}

std::string SgtinEpc(std::string_view prefix, std::string_view gtin14,
                     std::string_view serial) {
  // gtin14 = indicator, prefix, item ref, check digit.
  std::string indicator_item_ref =
      std::string(gtin14.substr(0, 1)) +
      std::string(gtin14.substr(1 + prefix.size(), 12 - prefix.size()));
  return Cat(
      {"urn:epc:id:sgtin:", prefix, ".", indicator_item_ref, ".", serial});
}

std::string LgtinEpc(std::string_view prefix, std::string_view gtin14,
                     std::string_view lot) {
  std::string indicator_item_ref =
      std::string(gtin14.substr(0, 1)) +
      std::string(gtin14.substr(1 + prefix.size(), 12 - prefix.size()));
  return Cat(
      {"urn:epc:class:lgtin:", prefix, ".", indicator_item_ref, ".", lot});
}

std::string SsccEpc(std::string_view prefix, std::string_view sscc) {
  std::string ext_serial =
      std::string(sscc.substr(0, 1)) +
      std::string(sscc.substr(1 + prefix.size(), 16 - prefix.size()));
  return Cat({"urn:epc:id:sscc:", prefix, ".", ext_serial});
}

std::string SglnEpc(std::string_view prefix, std::string_view gln,
                    std::string_view extension) {
  return Cat({"urn:epc:id:sgln:", prefix, ".",
              gln.substr(prefix.size(), 12 - prefix.size()), ".", extension});
}

std::string PglnEpc(std::string_view prefix, std::string_view gln) {
  return Cat({"urn:epc:id:pgln:", prefix, ".",
              gln.substr(prefix.size(), 12 - prefix.size())});
}

std::string SgtinDigitalLink(std::string_view host, std::string_view gtin14,
                             std::string_view serial) {
  return Cat({host, "/01/", gtin14, "/21/", serial});
}
std::string LgtinDigitalLink(std::string_view host, std::string_view gtin14,
                             std::string_view lot) {
  return Cat({host, "/01/", gtin14, "/10/", lot});
}
std::string SsccDigitalLink(std::string_view host, std::string_view sscc) {
  return Cat({host, "/00/", sscc});
}

std::string SgtinKey(std::string_view gtin14, std::string_view serial) {
  return Cat({"01/", gtin14, "/21/", serial});
}
std::string LgtinKey(std::string_view gtin14, std::string_view lot) {
  return Cat({"01/", gtin14, "/10/", lot});
}
std::string SsccKey(std::string_view sscc) { return Cat({"00/", sscc}); }
std::string SglnKey(std::string_view gln, std::string_view extension) {
  if (extension == "0") return Cat({"414/", gln});
  return Cat({"414/", gln, "/254/", extension});
}

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(int year, int month, int day) {
  const int64_t y = year - (month <= 2);
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string FormatDate(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", int(y), int(m), int(d));
  return buf;
}

std::string FormatOffset(int offset_minutes) {
  const char sign = offset_minutes < 0 ? '-' : '+';
  const int abs_min = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, abs_min / 60,
                abs_min % 60);
  return buf;
}

std::string FormatEventTime(int64_t utc_ms, int offset_minutes, bool use_z) {
  const int64_t local_ms = utc_ms + int64_t{offset_minutes} * 60 * kMsPerSecond;
  const int64_t days = FloorDiv(local_ms, kMsPerDay);
  const int64_t in_day = local_ms - days * kMsPerDay;
  char buf[40];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d.%03d",
                int(in_day / kMsPerHour), int(in_day / 60000 % 60),
                int(in_day / 1000 % 60), int(in_day % 1000));
  std::string zone =
      (use_z && offset_minutes == 0) ? "Z" : FormatOffset(offset_minutes);
  return FormatDate(days) + buf + zone;
}

}  // namespace supplychain
