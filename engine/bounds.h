#ifndef DOCKET_ENGINE_BOUNDS_H_
#define DOCKET_ENGINE_BOUNDS_H_

#include <cstdint>
#include <initializer_list>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "docket/v1/policy.pb.h"

namespace docket {

// Checked arithmetic under the policy's bounds (Policy.bounds): every
// amount, weight and rate a command carries lies in [0, its bound], and
// every product and sum the engine computes from them stays within
// max_amount_fen. A value or a result out of range is refused with
// RULE_MALFORMED_COMMAND naming the field or the computation, never
// wrapped or truncated. `where` prefixes the message ("case C-1").
//
// The policy caps the bounds (max_amount_fen <= 10^15, weights and rates
// <= 10^12), so a sum of two bounded amounts cannot overflow int64 and a
// product of two bounded values fits in 128 bits.

enum class Quantity {
  kAmount,    // fen: bounds.max_amount_fen
  kWeight,    // grams: bounds.max_weight_g
  kRate,      // fen per kg: bounds.max_rate_fen_per_kg
  kMultiple,  // a freight multiple: bounds.max_freight_multiple
};

struct BoundedField {
  const char* name;  // As the command spells it, e.g. "shipment.weight_g".
  int64_t value;
  Quantity quantity;
};

// The bound of `quantity` under `policy`.
int64_t BoundOf(const v1::Policy& policy, Quantity quantity);

// Refuses the first field outside [0, its bound].
absl::Status CheckBounds(const v1::Policy& policy, absl::string_view where,
                         std::initializer_list<BoundedField> fields);

// a + b as an amount. REQUIRES: a, b >= 0.
absl::StatusOr<int64_t> AddAmounts(const v1::Policy& policy, absl::string_view where,
                                   absl::string_view what, int64_t a, int64_t b);

// a × b ÷ c rounded half up to the fen, as an amount. REQUIRES: a, b >= 0,
// c > 0.
absl::StatusOr<int64_t> MulDivAmount(const v1::Policy& policy, absl::string_view where,
                                     absl::string_view what, int64_t a, int64_t b, int64_t c);

}  // namespace docket

#endif  // DOCKET_ENGINE_BOUNDS_H_
