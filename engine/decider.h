#ifndef DOCKET_ENGINE_DECIDER_H_
#define DOCKET_ENGINE_DECIDER_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/policy.pb.h"
#include "docket/v1/state.pb.h"
#include "engine/calendar.h"
#include "engine/case_lookup.h"

namespace docket {

// Decides what `command` does to the case whose current state is `state`
// (a default CaseState for a case that does not exist yet):
// - the events it produces, with revisions state.revision()+1, +2, ...,
//   stamped with the command id, actor, occurred_at (the command's, else
//   `now`), recorded_at = `now` and the policy's version; or
// - a refusal: an absl::Status carrying the docket.v1.Rule it enforces
//   (RuleOf), whose code says what the caller may do: kInvalidArgument fix
//   the command, kAborted reload and retry (expected_revision), kNotFound /
//   kAlreadyExists the case id, kFailedPrecondition not allowed now,
//   kPermissionDenied not this actor.
//
// `cases` answers for the other cases the command refers to
// (ReferencedCases): a merge's survivor, a linked case.
//
// Pure and deterministic: no I/O, no clock, no globals; the same arguments
// give the same events, byte for byte. REQUIRES: `policy` is validated.
absl::StatusOr<std::vector<v1::CaseEvent>> Decide(
    const v1::CaseState& state, const v1::Command& command, const v1::Policy& policy,
    absl::Time now, const Calendar& calendar = AlwaysOpenCalendar::Get(),
    const CaseLookup& cases = CaseMap::Empty());

// What the case still owes the customer in compensation, in fen: the
// standing proposal less what was paid, nothing once the customer waived
// payment. A PayCompensation of more is refused (RULE_PAYMENT); the
// console shows this figure (CaseActions.owed_fen), never its own.
int64_t OwedFen(const v1::CaseState& state);

}  // namespace docket

#endif  // DOCKET_ENGINE_DECIDER_H_
