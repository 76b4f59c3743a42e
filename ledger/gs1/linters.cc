// Implementations of the syntax-dictionary linters listed in linters.h.
#include "ledger/gs1/linters.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "ledger/gs1.h"
#include "ledger/gs1/gs1_internal.h"

namespace ledger::gs1::internal {
namespace {

// Reference year for the century of YYMMDD values when only validity matters:
// 2000 puts YY 00..50 in 2000..2050 and 51..99 in 1951..1999, so Feb 29 is
// valid exactly when YY % 4 == 0.
constexpr int kLintReferenceYear = 2000;

// ISO 3166-1 numeric country codes.
constexpr std::array<int, 249> kIso3166 = {
    4,   8,   10,  12,  16,  20,  24,  28,  31,  32,  36,  40,  44,  48,  50,
    51,  52,  56,  60,  64,  68,  70,  72,  74,  76,  84,  86,  90,  92,  96,
    100, 104, 108, 112, 116, 120, 124, 132, 136, 140, 144, 148, 152, 156, 158,
    162, 166, 170, 174, 175, 178, 180, 184, 188, 191, 192, 196, 203, 204, 208,
    212, 214, 218, 222, 226, 231, 232, 233, 234, 238, 239, 242, 246, 248, 250,
    254, 258, 260, 262, 266, 268, 270, 275, 276, 288, 292, 296, 300, 304, 308,
    312, 316, 320, 324, 328, 332, 334, 336, 340, 344, 348, 352, 356, 360, 364,
    368, 372, 376, 380, 384, 388, 392, 398, 400, 404, 408, 410, 414, 417, 418,
    422, 426, 428, 430, 434, 438, 440, 442, 446, 450, 454, 458, 462, 466, 470,
    474, 478, 480, 484, 492, 496, 498, 499, 500, 504, 508, 512, 516, 520, 524,
    528, 531, 533, 534, 535, 540, 548, 554, 558, 562, 566, 570, 574, 578, 580,
    581, 583, 584, 585, 586, 591, 598, 600, 604, 608, 612, 616, 620, 624, 626,
    630, 634, 638, 642, 643, 646, 652, 654, 659, 660, 662, 663, 666, 670, 674,
    678, 682, 686, 688, 690, 694, 702, 703, 704, 705, 706, 710, 716, 724, 728,
    729, 732, 740, 744, 748, 752, 756, 760, 762, 764, 768, 772, 776, 780, 784,
    788, 792, 795, 796, 798, 800, 804, 807, 818, 826, 831, 832, 833, 834, 840,
    850, 854, 858, 860, 862, 876, 882, 887, 894};

// Code lists as space-separated codes and LO-HI ranges of codes of one length
// (transcribed from the GS1 syntax dictionary reference linters).
constexpr std::string_view kIso4217 =
    "008 012 032 036 044 048 050-052 060 064 068 072 084 090 096 104 108 116 "
    "124 132 136 144 152 156 170 174 188 191-192 203 208 214 222 230 232 238 "
    "242 262 270 292 320 324 328 332 340 344 348 352 356 360 364 368 376 388 "
    "392 398 400 404 408 410 414 417-418 422 426 430 434 446 454 458 462 480 "
    "484 496 498 504 512 516 524 532-533 548 554 558 566 578 586 590 598 600 "
    "604 608 634 643 646 654 682 690 694 702 704 706 710 728 748 752 756 760 "
    "764 776 780 784 788 800 807 818 826 834 840 858 860 882 886 901 924-925 "
    "927-934 936 938 940-941 943-944 946-953 955-965 967-973 975-981 984-986 "
    "990 994 997 999";
constexpr std::string_view kIso3166Alpha2 =
    "AD-AG AI AL-AM AO AQ-AU AW-AX AZ-BB BD-BJ BL-BO BQ-BT BV-BW BY-CA CC-CD "
    "CF-CI CK-CO CR CU-CZ DE DJ-DK DM DO DZ EC EE EG-EH ER-ET FI-FK FM FO FR "
    "GA-GB GD-GI GL-GN GP-GU GW GY HK HM-HN HR HT-HU ID-IE IL-IO IQ-IT JE JM "
    "JO-JP KE KG-KI KM-KN KP KR KW KY-KZ LA-LC LI LK LR-LV LY MA MC-MH MK-NA "
    "NC NE-NG NI NL NO-NP NR NU NZ OM PA PE-PH PK-PN PR-PT PW PY QA RE RO RS "
    "RU RW SA-SE SG-SO SR-ST SV SX-SZ TC-TD TF-TH TJ-TO TR TT TV-TW TZ UA UG "
    "UM US UY-UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";
constexpr std::string_view kMediaTypes = "01-10 80-99";

bool InCodeList(std::string_view code, std::string_view list) {
  while (!list.empty()) {
    size_t end = list.find(' ');
    std::string_view token = list.substr(0, end);
    list = end == std::string_view::npos ? "" : list.substr(end + 1);
    size_t dash = token.find('-');
    std::string_view lo = token.substr(0, dash);
    std::string_view hi =
        dash == std::string_view::npos ? lo : token.substr(dash + 1);
    if (code.size() == lo.size() && code >= lo && code <= hi) return true;
  }
  return false;
}

Status Fail(std::string_view ai, const std::string& reason) {
  return Status::InvalidArgument("AI " + std::string(ai) + ": " + reason);
}

int TwoDigits(std::string_view s, size_t pos) {
  return (s[pos] - '0') * 10 + (s[pos + 1] - '0');
}

Status LintCsum(std::string_view ai, std::string_view v) {
  char want = ComputeCheckDigit(v.substr(0, v.size() - 1));
  if (v.back() == want) return Status::OK();
  return Fail(ai,
              std::string("check digit ") + v.back() + " should be " + want);
}

Status LintCsumAlpha(std::string_view ai, std::string_view v) {
  if (v.size() < 2) return Fail(ai, "too short for a check character pair");
  std::string want = ComputeCheckPair(v.substr(0, v.size() - 2));
  std::string_view got = v.substr(v.size() - 2);
  if (!want.empty() && got == want) return Status::OK();
  return Fail(ai,
              "check characters " + std::string(got) + " should be " + want);
}

// The value must start with the minimum-length (4-digit) GS1 Company Prefix.
Status LintGcpPosition(std::string_view ai, std::string_view v, size_t offset,
                       size_t position) {
  constexpr size_t kMinGcpLength = 4;
  if (v.size() < offset + kMinGcpLength) {
    return Fail(ai, "too short to contain a GS1 Company Prefix");
  }
  for (size_t i = offset; i < offset + kMinGcpLength; ++i) {
    if (v[i] < '0' || v[i] > '9') {
      return Fail(ai,
                  "character " + DescribeChar(v[i]) + " at position " +
                      std::to_string(position + i) +
                      " is not allowed (a GS1 Company Prefix has digits only)");
    }
  }
  return Status::OK();
}

Status LintYymmdd(std::string_view ai, std::string_view v, bool day00_allowed) {
  auto date = ExpandYymmdd(v, kLintReferenceYear, day00_allowed);
  return date.ok() ? Status::OK()
                   : date.status().WithPrefix("AI " + std::string(ai));
}

Status LintYyyymmdd(std::string_view ai, std::string_view v,
                    bool day00_allowed) {
  int year = TwoDigits(v, 0) * 100 + TwoDigits(v, 2);
  int month = TwoDigits(v, 4), day = TwoDigits(v, 6);
  if (month < 1 || month > 12)
    return Fail(ai, "month " + std::string(v.substr(4, 2)) + " is not a date");
  if (day == 0 && day00_allowed) return Status::OK();
  if (day < 1 || day > DaysInMonth(year, month)) {
    return Fail(ai, "day " + std::string(v.substr(6, 2)) + " is not a date");
  }
  return Status::OK();
}

Status LintRange(std::string_view ai, std::string_view v, size_t pos, int max,
                 const char* unit) {
  if (TwoDigits(v, pos) <= max) return Status::OK();
  return Fail(ai, std::string(unit) + " " + std::string(v.substr(pos, 2)) +
                      " is not a time");
}

Status LintOneOf(std::string_view ai, std::string_view v,
                 std::string_view allowed, const char* what) {
  if (v.size() == 1 && allowed.find(v[0]) != std::string_view::npos)
    return Status::OK();
  return Fail(ai, "'" + std::string(v) + "' is not " + what);
}

Status LintPieceOfTotal(std::string_view ai, std::string_view v) {
  int piece = TwoDigits(v, 0), total = TwoDigits(v, 2);
  if (piece >= 1 && total >= 1 && piece <= total) return Status::OK();
  return Fail(ai, "piece " + std::string(v.substr(0, 2)) + " of total " +
                      std::string(v.substr(2, 2)) + " is not valid");
}

Status LintPcenc(std::string_view ai, std::string_view v, size_t position) {
  auto hex = [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  };
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' &&
        (i + 2 >= v.size() || !hex(v[i + 1]) || !hex(v[i + 2]))) {
      return Fail(ai, "malformed percent-escape at position " +
                          std::to_string(position + i));
    }
  }
  return Status::OK();
}

bool IsCountry(std::string_view v) {
  if (v.size() != 3 || !IsDigits(v)) return false;
  int code = std::stoi(std::string(v));
  return std::binary_search(kIso3166.begin(), kIso3166.end(), code);
}

Status LintCountries(std::string_view ai, std::string_view v, bool list,
                     bool allow999) {
  if (v.empty() || v.size() % 3 != 0 || (!list && v.size() != 3)) {
    return Fail(ai, "country codes must be 3 digits each");
  }
  for (size_t i = 0; i < v.size(); i += 3) {
    std::string_view code = v.substr(i, 3);
    if (!IsCountry(code) && !(allow999 && code == "999")) {
      return Fail(ai, std::string(code) + " is not an ISO 3166 country code");
    }
  }
  return Status::OK();
}

Status LintMaxNumber(std::string_view ai, std::string_view v,
                     unsigned long long max, const char* what) {
  if (std::stoull(std::string(v)) <= max) return Status::OK();
  return Fail(ai, std::string(v) + " is not a " + what);
}

// ISO 13616 IBAN: country letters, check digits, alphanumerics; mod 97 of the
// rearranged number is 1.
Status LintIban(std::string_view ai, std::string_view v) {
  bool shape = v.size() >= 5 &&
               std::isupper(static_cast<unsigned char>(v[0])) &&
               std::isupper(static_cast<unsigned char>(v[1])) &&
               std::isdigit(v[2]) && std::isdigit(v[3]);
  for (char c : v) {
    shape = shape && (std::isdigit(static_cast<unsigned char>(c)) ||
                      std::isupper(static_cast<unsigned char>(c)));
  }
  if (!shape)
    return Fail(ai, "not an IBAN (country letters, 2 check digits, A-Z 0-9)");
  std::string rearranged =
      std::string(v.substr(4)) + std::string(v.substr(0, 4));
  int remainder = 0;
  for (char c : rearranged) {
    int value =
        std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : c - 'A' + 10;
    remainder = (remainder * (value >= 10 ? 100 : 10) + value) % 97;
  }
  return remainder == 1 ? Status::OK()
                        : Fail(ai, "IBAN check digits are wrong");
}

// "<pos>/<end>": digits, no leading zero, pos <= end.
Status LintPositionInSequence(std::string_view ai, std::string_view v) {
  size_t slash = v.find('/');
  std::string_view pos = v.substr(0, slash);
  std::string_view end =
      slash == std::string_view::npos ? "" : v.substr(slash + 1);
  if (!IsDigits(pos) || !IsDigits(end)) {
    return Fail(ai, "'" + std::string(v) + "' is not <position>/<end>");
  }
  if (pos[0] == '0' || end[0] == '0') {
    return Fail(ai, "'" + std::string(v) + "' has a zero or a leading zero");
  }
  bool after_end =
      pos.size() != end.size() ? pos.size() > end.size() : pos > end;
  if (after_end) {
    return Fail(ai, "position " + std::string(pos) + " is after the end " +
                        std::string(end));
  }
  return Status::OK();
}

// Helpers with a uniform signature for the linter table.
struct Args {
  std::string_view ai;
  std::string_view v;  // the component
  size_t position;     // 1-based position of the component in the value
};

Status CheckCodeList(const Args& a, std::string_view list, const char* what) {
  if (InCodeList(a.v, list)) return Status::OK();
  return Fail(a.ai, std::string(a.v) + " is not " + what);
}

Status LintTime(const Args& a, size_t hour_at, size_t minute_at) {
  LEDGER_RETURN_IF_ERROR(LintRange(a.ai, a.v, hour_at, 23, "hour"));
  return LintRange(a.ai, a.v, minute_at, 59, "minute");
}

struct Linter {
  std::string_view name;
  Status (*run)(const Args&);
};

// Numeric linters run after the character-set check, so their digits are
// '0'..'9' and their lengths are those of the format.
constexpr Linter kLinters[] = {
    {"csum", [](const Args& a) { return LintCsum(a.ai, a.v); }},
    {"csumalpha", [](const Args& a) { return LintCsumAlpha(a.ai, a.v); }},
    {"gcppos1",
     [](const Args& a) { return LintGcpPosition(a.ai, a.v, 0, a.position); }},
    {"key",
     [](const Args& a) { return LintGcpPosition(a.ai, a.v, 0, a.position); }},
    {"gcppos2",
     [](const Args& a) { return LintGcpPosition(a.ai, a.v, 1, a.position); }},
    {"keyoff1",
     [](const Args& a) { return LintGcpPosition(a.ai, a.v, 1, a.position); }},
    {"yymmdd", [](const Args& a) { return LintYymmdd(a.ai, a.v, false); }},
    {"yymmd0", [](const Args& a) { return LintYymmdd(a.ai, a.v, true); }},
    {"yyyymmdd", [](const Args& a) { return LintYyyymmdd(a.ai, a.v, false); }},
    {"yyyymmd0", [](const Args& a) { return LintYyyymmdd(a.ai, a.v, true); }},
    {"yymmddhh",
     [](const Args& a) {
       LEDGER_RETURN_IF_ERROR(LintYymmdd(a.ai, a.v.substr(0, 6), false));
       return LintRange(a.ai, a.v, 6, 23, "hour");
     }},
    {"hhmm", [](const Args& a) { return LintTime(a, 0, 2); }},
    {"hhmi", [](const Args& a) { return LintTime(a, 0, 2); }},
    {"hh", [](const Args& a) { return LintRange(a.ai, a.v, 0, 23, "hour"); }},
    {"mi", [](const Args& a) { return LintRange(a.ai, a.v, 0, 59, "minute"); }},
    {"ss", [](const Args& a) { return LintRange(a.ai, a.v, 0, 59, "second"); }},
    {"zero", [](const Args& a) { return LintOneOf(a.ai, a.v, "0", "0"); }},
    {"nonzero",
     [](const Args& a) {
       bool zero =
           std::all_of(a.v.begin(), a.v.end(), [](char c) { return c == '0'; });
       return zero ? Fail(a.ai, std::string(a.v) + " must not be zero")
                   : Status::OK();
     }},
    {"nozeroprefix",
     [](const Args& a) {
       return a.v.size() > 1 && a.v[0] == '0'
                  ? Fail(a.ai, "leading zero not allowed")
                  : Status::OK();
     }},
    {"pieceoftotal", [](const Args& a) { return LintPieceOfTotal(a.ai, a.v); }},
    {"winding",
     [](const Args& a) {
       return LintOneOf(a.ai, a.v, "019", "a winding direction (0, 1, 9)");
     }},
    {"yesno",
     [](const Args& a) { return LintOneOf(a.ai, a.v, "01", "0 or 1"); }},
    {"hyphen", [](const Args& a) { return LintOneOf(a.ai, a.v, "-", "'-'"); }},
    {"iso5218",
     [](const Args& a) {
       return LintOneOf(a.ai, a.v, "0129", "an ISO 5218 sex code (0, 1, 2, 9)");
     }},
    {"hasnondigit",
     [](const Args& a) {
       return IsDigits(a.v) ? Fail(a.ai, "must contain a non-digit character")
                            : Status::OK();
     }},
    {"pcenc", [](const Args& a) { return LintPcenc(a.ai, a.v, a.position); }},
    {"iso3166",
     [](const Args& a) { return LintCountries(a.ai, a.v, false, false); }},
    {"iso3166999",
     [](const Args& a) { return LintCountries(a.ai, a.v, false, true); }},
    {"iso3166list",
     [](const Args& a) { return LintCountries(a.ai, a.v, true, false); }},
    {"iso3166alpha2",
     [](const Args& a) {
       return CheckCodeList(a, kIso3166Alpha2,
                            "an ISO 3166 alpha-2 country code");
     }},
    {"iso4217",
     [](const Args& a) {
       return CheckCodeList(a, kIso4217, "an ISO 4217 currency code");
     }},
    {"mediatype",
     [](const Args& a) {
       return CheckCodeList(a, kMediaTypes, "an AIDC media type");
     }},
    {"latitude",
     [](const Args& a) {
       return LintMaxNumber(a.ai, a.v, 1800000000ULL, "latitude");
     }},
    {"longitude",
     [](const Args& a) {
       return LintMaxNumber(a.ai, a.v, 3600000000ULL, "longitude");
     }},
    {"iban", [](const Args& a) { return LintIban(a.ai, a.v); }},
    {"posinseqslash",
     [](const Args& a) { return LintPositionInSequence(a.ai, a.v); }},
    {"importeridx",  // one of - 0-9 A-Z _ a-z
     [](const Args& a) {
       bool ok = a.v.size() == 1 && IsCset64(a.v[0]) && a.v[0] != '=';
       return ok ? Status::OK()
                 : Fail(a.ai,
                        "'" + std::string(a.v) + "' is not an importer index");
     }},
};

}  // namespace

Status RunLinter(std::string_view name, std::string_view ai, std::string_view v,
                 size_t position) {
  for (const Linter& linter : kLinters) {
    if (linter.name == name) return linter.run(Args{ai, v, position});
  }
  return Fail(ai, "value cannot be checked: linter '" + std::string(name) +
                      "' is not implemented");
}

}  // namespace ledger::gs1::internal
