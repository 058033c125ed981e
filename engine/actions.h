#ifndef DOCKET_ENGINE_ACTIONS_H_
#define DOCKET_ENGINE_ACTIONS_H_

#include "absl/time/time.h"
#include "docket/v1/api.pb.h"
#include "docket/v1/policy.pb.h"
#include "docket/v1/state.pb.h"
#include "engine/calendar.h"
#include "engine/case_lookup.h"
#include "engine/directory.h"

namespace docket {

// What `actor` (as ResolveActor gave it) may send now to the case whose
// state is `state` (revision > 0), and why not the rest: one ActionOption
// per command kind a case takes (every Command body but open_case and
// directory), in the schema's order.
//
// Not a second copy of the rules: each kind is decided as a probe, a
// command of that kind with an empty body, by the same Authorize and
// Decide the runtime runs at `now`. A refusal that says "fix the command"
// (kInvalidArgument: the body is needed) leaves the kind allowed; any other
// refusal (not now, not this actor, not this case) is the kind's reason,
// exactly as the runtime would refuse every command of that kind. That
// holds because each step checks the case before it reads the body; the
// property test in actions_test holds it against Decide.
//
// Pure and deterministic, like Decide.
v1::CaseActions AvailableActions(const Directory& directory, const v1::Actor& actor,
                                 const v1::CaseState& state, const v1::Policy& policy,
                                 absl::Time now,
                                 const Calendar& calendar = AlwaysOpenCalendar::Get(),
                                 const CaseLookup& cases = CaseMap::Empty());

}  // namespace docket

#endif  // DOCKET_ENGINE_ACTIONS_H_
