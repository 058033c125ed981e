#include "engine/bounds.h"

#include "absl/strings/str_cat.h"
#include "engine/refusal.h"

namespace docket {
namespace {

absl::Status OutOfRange(absl::string_view where, absl::string_view what, absl::string_view value,
                        int64_t bound) {
  return RefuseMalformed(absl::StrCat(where, ": ", what, " ", value,
                                      " is out of range: the policy allows 0 to ", bound));
}

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  std::string digits;
  while (v != 0) {
    const int d = static_cast<int>(v % 10);
    digits.insert(digits.begin(), static_cast<char>('0' + (negative ? -d : d)));
    v /= 10;
  }
  return negative ? absl::StrCat("-", digits) : digits;
}

}  // namespace

int64_t BoundOf(const v1::Policy& policy, Quantity quantity) {
  const v1::Bounds& b = policy.bounds();
  switch (quantity) {
    case Quantity::kAmount:
      return b.max_amount_fen();
    case Quantity::kWeight:
      return b.max_weight_g();
    case Quantity::kRate:
      return b.max_rate_fen_per_kg();
    case Quantity::kMultiple:
      return b.max_freight_multiple();
  }
  return 0;
}

absl::Status CheckBounds(const v1::Policy& policy, absl::string_view where,
                         std::initializer_list<BoundedField> fields) {
  for (const BoundedField& f : fields) {
    const int64_t bound = BoundOf(policy, f.quantity);
    if (f.value < 0 || f.value > bound) {
      return OutOfRange(where, f.name, absl::StrCat(f.value), bound);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> AddAmounts(const v1::Policy& policy, absl::string_view where,
                                   absl::string_view what, int64_t a, int64_t b) {
  const __int128 sum = static_cast<__int128>(a) + b;
  const int64_t bound = policy.bounds().max_amount_fen();
  if (a < 0 || b < 0 || sum > bound) return OutOfRange(where, what, Int128ToString(sum), bound);
  return static_cast<int64_t>(sum);
}

absl::StatusOr<int64_t> MulDivAmount(const v1::Policy& policy, absl::string_view where,
                                     absl::string_view what, int64_t a, int64_t b, int64_t c) {
  const int64_t bound = policy.bounds().max_amount_fen();
  if (a < 0 || b < 0 || c <= 0) {
    return OutOfRange(where, what, absl::StrCat(a, " × ", b, " ÷ ", c), bound);
  }
  // Both factors are below 2^63, so the product fits in 127 bits.
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  const unsigned __int128 quotient = (product + static_cast<uint64_t>(c) / 2) / c;
  if (quotient > static_cast<unsigned __int128>(bound)) {
    return OutOfRange(where, what, Int128ToString(static_cast<__int128>(quotient)), bound);
  }
  return static_cast<int64_t>(quotient);
}

}  // namespace docket
