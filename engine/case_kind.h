#ifndef DOCKET_ENGINE_CASE_KIND_H_
#define DOCKET_ENGINE_CASE_KIND_H_

#include "absl/status/status.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/common.pb.h"
#include "docket/v1/facts.pb.h"
#include "docket/v1/state.pb.h"

namespace docket {

// The kind of a case as its intake registers it: a complaint when the
// intake names none (and for cases opened before kinds existed).
v1::CaseKind KindOf(const v1::Intake& intake);
v1::CaseKind KindOf(const v1::CaseState& state);

// Each kind has its own process (渠道管理办法 四): a complaint the six steps,
// an inquiry its answer (at once, or routed and answered), a suggestion
// routing, evaluation and feedback, a recovery its demand and settlement.
// RULE_CASE_KIND (kFailedPrecondition) when `command` is another kind's
// step. Commands every kind takes (escalation, waiting for the customer,
// the scanner's, archive) and those outside the case process pass.
// REQUIRES: the case exists.
absl::Status CheckCaseKind(const v1::CaseState& state, const v1::Command& command);

}  // namespace docket

#endif  // DOCKET_ENGINE_CASE_KIND_H_
