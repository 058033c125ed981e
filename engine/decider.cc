#include "engine/decider.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/case_kind.h"
#include "engine/decision_context.h"
#include "engine/envelope.h"
#include "engine/evolve.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"

namespace docket {
namespace internal {

std::string DecisionContext::Case() const { return absl::StrCat("case ", command.case_id()); }

absl::Status RequireStage(const DecisionContext& ctx, std::initializer_list<v1::Stage> allowed,
                          absl::string_view step) {
  for (v1::Stage stage : allowed) {
    if (ctx.state.stage() == stage) return absl::OkStatus();
  }
  std::vector<std::string> names;
  for (v1::Stage stage : allowed) names.push_back(v1::Stage_Name(stage));
  return RefuseNotNow(v1::RULE_STEP_ORDER,
                      absl::StrCat(ctx.Case(), " is at ", v1::Stage_Name(ctx.state.stage()), ": ",
                                   step, " is allowed only at ", absl::StrJoin(names, " or ")));
}

absl::Status RequireLevel(const DecisionContext& ctx, v1::Level required, absl::string_view what,
                          v1::Rule rule) {
  if (required == v1::LEVEL_UNSPECIFIED) {
    return Refuse(rule, absl::StatusCode::kPermissionDenied,
                  absl::StrCat(ctx.Case(), ": no level may approve ", what));
  }
  if (ctx.command.actor().level() >= required) return absl::OkStatus();
  return Refuse(rule, absl::StatusCode::kPermissionDenied,
                absl::StrCat(ctx.Case(), ": ", what, " needs ", v1::Level_Name(required),
                             " authority; actor ", ctx.command.actor().id(), " is ",
                             v1::Level_Name(ctx.command.actor().level())));
}

google::protobuf::RepeatedField<int> UnionFacts(const google::protobuf::RepeatedField<int>& base,
                                                const google::protobuf::RepeatedField<int>& added) {
  google::protobuf::RepeatedField<int> out;
  for (const auto* list : {&base, &added}) {
    for (int fact : *list) {
      if (fact == v1::AGGRAVATING_FACT_UNSPECIFIED) continue;
      if (std::find(out.begin(), out.end(), fact) == out.end()) out.Add(fact);
    }
  }
  return out;
}

}  // namespace internal

namespace {

using internal::DecisionContext;
using internal::Events;

absl::Status CheckCaseAndRevision(const v1::Command& command, const v1::CaseState& state) {
  if (command.has_expected_revision() && command.expected_revision() != state.revision()) {
    return Refuse(v1::RULE_EXPECTED_REVISION, absl::StatusCode::kAborted,
                  absl::StrCat("case ", command.case_id(), " revision ", state.revision(),
                               ": expected ", command.expected_revision()));
  }
  const bool opens = command.body_case() == v1::Command::kOpenCase;
  if (state.revision() == 0 && !opens) {
    return Refuse(v1::RULE_UNKNOWN_CASE, absl::StatusCode::kNotFound,
                  absl::StrCat("case ", command.case_id(), " does not exist"));
  }
  if (state.revision() > 0 && opens) {
    return Refuse(v1::RULE_CASE_EXISTS, absl::StatusCode::kAlreadyExists,
                  absl::StrCat("case ", command.case_id(), " already exists"));
  }
  if (state.stage() == v1::STAGE_MERGED && !state.merged_into().empty()) {
    // What was said about this complaint belongs to the case it joined.
    return RefuseNotNow(v1::RULE_CASE_CLOSED,
                        absl::StrCat("case ", command.case_id(), " was merged into ",
                                     state.merged_into(), ": its handling continues there"));
  }
  if (IsClosed(state)) {
    return RefuseNotNow(
        v1::RULE_CASE_CLOSED,
        absl::StrCat("case ", command.case_id(), " is ", v1::Stage_Name(state.stage()),
                     ": nothing follows; a new complaint opens a new case "
                     "linked to it"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Events> Dispatch(const DecisionContext& ctx) {
  using C = v1::Command;
  if (ctx.state.revision() > 0) DOCKET_RETURN_IF_ERROR(CheckCaseKind(ctx.state, ctx.command));
  switch (ctx.command.body_case()) {
    case C::kOpenCase:
      return internal::DecideOpenCase(ctx);
    case C::kAcknowledge:
      return internal::DecideAcknowledge(ctx);
    case C::kAccept:
      return internal::DecideAccept(ctx);
    case C::kClassify:
      return internal::DecideClassify(ctx);
    case C::kEscalate:
      return internal::DecideEscalate(ctx);
    case C::kReportUpward:
      return internal::DecideReportUpward(ctx);
    case C::kOpenInvestigation:
      return internal::DecideOpenInvestigation(ctx);
    case C::kAttachEvidence:
      return internal::DecideAttachEvidence(ctx);
    case C::kConcludeInvestigation:
      return internal::DecideConcludeInvestigation(ctx);
    case C::kProposeResolution:
      return internal::DecideProposeResolution(ctx);
    case C::kRecordCustomerReply:
      return internal::DecideRecordCustomerReply(ctx);
    case C::kStartSpecialHandling:
      return internal::DecideStartSpecialHandling(ctx);
    case C::kRecordFollowUp:
      return internal::DecideRecordFollowUp(ctx);
    case C::kDecidePenalty:
      return internal::DecidePenalty(ctx);
    case C::kExecutePenalty:
      return internal::DecideExecutePenalty(ctx);
    case C::kPayCompensation:
      return internal::DecidePayCompensation(ctx);
    case C::kAwaitCustomer:
      return internal::DecideAwaitCustomer(ctx);
    case C::kRecordCustomerResponse:
      return internal::DecideRecordCustomerResponse(ctx);
    case C::kRecordDeadlineWarning:
      return internal::DecideRecordDeadlineWarning(ctx);
    case C::kRecordDeadlineBreach:
      return internal::DecideRecordDeadlineBreach(ctx);
    case C::kMerge:
      return internal::DecideMerge(ctx);
    case C::kApproveCompensation:
      return internal::DecideApproveCompensation(ctx);
    case C::kDirectory:
      break;  // Refused above: decided against the directory.
    case C::kArchive:
      return internal::DecideArchive(ctx);
    case C::kAnswerInquiry:
      return internal::DecideAnswerInquiry(ctx);
    case C::kRouteToDepartment:
      return internal::DecideRouteToDepartment(ctx);
    case C::kEvaluateSuggestion:
      return internal::DecideEvaluateSuggestion(ctx);
    case C::kFeedBackSuggestion:
      return internal::DecideFeedBackSuggestion(ctx);
    case C::kSendProgressNotice:
      return internal::DecideSendProgressNotice(ctx);
    case C::kFormTaskGroup:
      return internal::DecideFormTaskGroup(ctx);
    case C::kCloseByReferral:
      return internal::DecideCloseByReferral(ctx);
    case C::kDemandRecovery:
      return internal::DecideDemandRecovery(ctx);
    case C::kSettleRecovery:
      return internal::DecideSettleRecovery(ctx);
    case C::BODY_NOT_SET:
      break;
  }
  return RefuseMalformed("command names no step");
}

}  // namespace

absl::StatusOr<std::vector<v1::CaseEvent>> Decide(const v1::CaseState& state,
                                                  const v1::Command& command,
                                                  const v1::Policy& policy, absl::Time now,
                                                  const Calendar& calendar,
                                                  const CaseLookup& cases) {
  DOCKET_RETURN_IF_ERROR(CheckEnvelope(command));
  if (command.body_case() == v1::Command::kDirectory) {
    return RefuseMalformed(absl::StrCat("command ", command.command_id(),
                                        ": a directory change is decided against the directory, "
                                        "not a case"));
  }
  if (state.revision() > 0 && state.case_id() != command.case_id()) {
    // The caller loaded the wrong case: a defect in the runtime, not input.
    return absl::InternalError(absl::StrCat("command ", command.command_id(), " names case ",
                                            command.case_id(), " but was given the state of case ",
                                            state.case_id()));
  }
  DOCKET_RETURN_IF_ERROR(CheckCaseAndRevision(command, state));
  DOCKET_RETURN_IF_ERROR(CheckTime(
      command,
      state.has_opened_at() ? std::optional<absl::Time>(ToTime(state.opened_at())) : std::nullopt,
      state.has_last_occurred_at() ? std::optional<absl::Time>(ToTime(state.last_occurred_at()))
                                   : std::nullopt,
      policy, now));
  const DeadlineClock clock(policy, calendar);
  const absl::Time occurred = command.has_occurred_at() ? ToTime(command.occurred_at()) : now;
  const DecisionContext ctx{state, command, policy, clock, cases, now, occurred};
  DOCKET_ASSIGN_OR_RETURN(Events events, Dispatch(ctx));

  StampEvents(command, state.revision(), occurred, now, policy, &events);
  return events;
}

}  // namespace docket
