#ifndef DOCKET_ENGINE_EVOLVE_H_
#define DOCKET_ENGINE_EVOLVE_H_

#include "docket/v1/events.pb.h"
#include "docket/v1/state.pb.h"

namespace docket {

// Folds one event into a case's state. Pure: reads nothing but its
// arguments; every number it needs (severity, deadlines, amounts) is in the
// event. Which deadlines an event meets is part of the process definition
// and lives here: Acknowledged meets the first response, ResolutionProposed
// the resolution, CustomerReplied the reply and the regulatory result,
// FollowUpRecorded the follow-up, ReportedUpward a report at or above the
// level required; ProgressNoticeSent or ResolutionProposed the progress
// notice; InquiryAnswered or RoutedToDepartment an inquiry's first answer,
// InquiryAnswered or SuggestionEvaluated the department's reply,
// SuggestionFedBack the feedback, RecoverySettled the recovery.
//
// REQUIRES: event.revision() == state->revision() + 1 and the event was
// decided against *state (the log guarantees both; verify checks them).
// hash_head is left alone: it belongs to the log.
void Apply(const v1::CaseEvent& event, v1::CaseState* state);

// Value-returning form of Apply, for the decider pattern.
v1::CaseState Evolve(v1::CaseState state, const v1::CaseEvent& event);

// Whether the case is closed: archived, merged into another, or referred
// (litigation, insurer). Nothing follows; its clocks have no more actions.
bool IsClosed(const v1::CaseState& state);

}  // namespace docket

#endif  // DOCKET_ENGINE_EVOLVE_H_
