// GS1 mod-10 check digits and the GMN alphanumeric check character pair.
#include <array>

#include "ledger/gs1.h"
#include "ledger/gs1/gs1_internal.h"

namespace ledger::gs1 {

char ComputeCheckDigit(std::string_view digits) {
  // Weights 3,1,3,1,... starting with the digit next to the (absent) check
  // digit.
  int sum = 0;
  int weight = 3;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    sum += (*it - '0') * weight;
    weight = 4 - weight;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

bool HasValidCheckDigit(std::string_view digits) {
  if (digits.size() < 2 || !internal::IsDigits(digits)) return false;
  return ComputeCheckDigit(digits.substr(0, digits.size() - 1)) ==
         digits.back();
}

namespace internal {

std::string ComputeCheckPair(std::string_view data) {
  // Data character values (CSET 82 positions) weighted by the primes 2, 3, 5,
  // ... from the right, summed modulo 1021; the 10-bit result is split into two
  // CSET 32 characters.
  static constexpr std::array<int, 97> kPrimes = {
      2,   3,   5,   7,   11,  13,  17,  19,  23,  29,  31,  37,  41,  43,
      47,  53,  59,  61,  67,  71,  73,  79,  83,  89,  97,  101, 103, 107,
      109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181,
      191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263,
      269, 271, 277, 281, 283, 293, 307, 311, 313, 317, 331, 337, 347, 349,
      353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419, 421, 431, 433,
      439, 443, 449, 457, 461, 463, 467, 479, 487, 491, 499, 503, 509};
  static constexpr std::string_view kCset32 =
      "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  if (data.size() > kPrimes.size()) return "";
  int sum = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    int value = Cset82Index(data[data.size() - 1 - i]);
    if (value < 0) return "";
    sum += value * kPrimes[i];
  }
  sum %= 1021;
  return {kCset32[sum >> 5], kCset32[sum & 31]};
}

}  // namespace internal
}  // namespace ledger::gs1
