#ifndef DOCKET_ENGINE_DUE_COMMANDS_H_
#define DOCKET_ENGINE_DUE_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/common.pb.h"
#include "docket/v1/policy.pb.h"
#include "docket/v1/state.pb.h"
#include "engine/calendar.h"

namespace docket {

// One thing the deadline scanner records on a case: a warning mark or the
// due time (a breach) of one window of one of its clocks.
struct DueMark {
  absl::Time at;
  v1::DeadlineKind kind = v1::DEADLINE_KIND_UNSPECIFIED;
  int32_t window_number = 0;
  int32_t percent = 0;  // The warning's percentage; 0 for the due time.
};

// The earliest mark of `state`'s running clocks (open, not paused, not
// silenced) the scanner has still to record; none when the case is closed
// or no clock runs. Ties go in DeadlineKind order, and a clock's warning
// comes before its own breach.
std::optional<DueMark> NextDueMark(const v1::CaseState& state);

// Whether `mark` is due to be recorded at `now`: a warning at its instant;
// a breach only once its due time has passed (a clock met at its due time
// was met on time, DESIGN.md).
bool Reached(const DueMark& mark, absl::Time now);

// The command recording `mark` on `state`'s case, by `scanner`, occurring at
// the mark: id "deadline:<case>:<KIND>:<window>:<percent|breach>", so the
// same mark is the same command however often it is planned.
v1::Command DueMarkCommand(const v1::CaseState& state, const DueMark& mark,
                           const v1::Actor& scanner);

// The OpenCase of the appeal (12305) a complaint's missed regulatory clock
// lets its customer make: case "<case>-APPEAL", channel REGULATOR, linked to
// the case, occurring at the clock's due time; id "appeal:<case>".
v1::Command AppealCommand(const v1::CaseState& state, absl::Time at, const v1::Actor& scanner);

// The scanner's commands for one case at `now`: every mark due at or
// before `now`, in time order across all the case's clocks, each decided
// (Decide at `now`, then Apply) against the state the one before left, so
// that a breach's escalation is seen by the next mark and the history is
// the same however often the scanner runs. After the breach of a
// complaint's regulatory clock comes its appeal's OpenCase (never for an
// appeal case: the regulator's own case is not appealed again). The plan
// stops early at a refusal, which a sound state never gives.
//
// Pure and deterministic, like Decide.
std::vector<v1::Command> DueCommands(const v1::CaseState& state, absl::Time now,
                                     const v1::Policy& policy, const Calendar& calendar,
                                     const v1::Actor& scanner);

}  // namespace docket

#endif  // DOCKET_ENGINE_DUE_COMMANDS_H_
