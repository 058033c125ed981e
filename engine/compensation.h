#ifndef DOCKET_ENGINE_COMPENSATION_H_
#define DOCKET_ENGINE_COMPENSATION_H_

#include <string>

#include "absl/status/statusor.h"
#include "docket/v1/common.pb.h"
#include "docket/v1/policy.pb.h"
#include "docket/v1/state.pb.h"

namespace docket {

// What the compensation standard (赔偿标准) yields for a case.
struct Compensation {
  int64_t amount_fen = 0;
  v1::CompensationBasis basis = v1::COMPENSATION_BASIS_UNSPECIFIED;
  v1::Exemption exemption = v1::EXEMPTION_NONE;
  std::string calculation;  // The arithmetic, for the customer and auditors.
};

// Computes the amount the engine offers for `c` under `policy`, never an
// amount typed in by a person:
// - an exemption in the findings: zero, naming the clause;
// - LATE: the freight is waived (not the insurance fee);
// - BILLING: (billed - shipped weight) × the shipment's tariff;
// - DAMAGE/LOSS insured: loss × min(declared, value) ÷ value, where the loss
//   is the value less residual for a total loss, the assessed loss otherwise;
// - DAMAGE/LOSS uninsured: the least of the proven direct loss the
//   investigation assessed (直接损失赔偿, when assessed) and the limit
//   (最高限额赔偿) of the customer's contract basis, else the policy's: rate
//   per kg × weight, N × freight, or the proven direct loss itself;
// - other categories: no monetary basis, zero.
// Every amount is capped by the claim when the customer named one. Division
// rounds half up to the fen.
//
// A missing fact is never read as zero: RULE_COMPENSATION_FACTS naming the
// fact (a billing case without the shipped weight, a delay without the
// freight, a per-kg basis without the weight...). Arithmetic is checked
// (engine/bounds.h): a result beyond the policy's bounds is
// RULE_MALFORMED_COMMAND.
absl::StatusOr<Compensation> ComputeCompensation(const v1::CaseState& c, const v1::Policy& policy);

// a × b ÷ c rounded half up, computed in 128 bits. REQUIRES: a, b >= 0,
// c > 0 and the result fits in int64 (MulDivAmount in engine/bounds.h
// checks it).
int64_t MulDivRoundHalfUp(int64_t a, int64_t b, int64_t c);

}  // namespace docket

#endif  // DOCKET_ENGINE_COMPENSATION_H_
