#ifndef DOCKET_ENGINE_DECISION_CONTEXT_H_
#define DOCKET_ENGINE_DECISION_CONTEXT_H_

// Internal to the decider: what every step's decision reads, and the
// decisions themselves, one function per command kind.

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/policy.pb.h"
#include "docket/v1/rejection.pb.h"
#include "docket/v1/state.pb.h"
#include "engine/case_lookup.h"
#include "engine/deadlines.h"

namespace docket::internal {

struct DecisionContext {
  const v1::CaseState& state;
  const v1::Command& command;
  const v1::Policy& policy;
  const DeadlineClock& clock;
  const CaseLookup& cases;  // The other cases the command refers to.
  absl::Time now;
  absl::Time occurred;  // command.occurred_at, else now.

  // "case C-1" for messages.
  std::string Case() const;
};

// Event bodies only; Decide stamps the envelope.
using Events = std::vector<v1::CaseEvent>;

inline Events Single(v1::CaseEvent event) {
  Events out;
  out.push_back(std::move(event));
  return out;
}

// RULE_STEP_ORDER unless the case is at one of `allowed`. `step` names the
// command for the message, e.g. "Acknowledge (step 1)".
absl::Status RequireStage(const DecisionContext& ctx, std::initializer_list<v1::Stage> allowed,
                          absl::string_view step);

// RULE_AUTHORITY (or `rule`) unless the actor's level is at least `required`.
absl::Status RequireLevel(const DecisionContext& ctx, v1::Level required, absl::string_view what,
                          v1::Rule rule = v1::RULE_AUTHORITY);

// The ids of the penalties decided and not yet executed, in decision order
// (decide_settlement.cc): what an archive or a referral waits for.
std::vector<std::string> UnexecutedPenalties(const v1::CaseState& state);

// `base` with `added` appended, each fact once, in first-seen order.
google::protobuf::RepeatedField<int> UnionFacts(const google::protobuf::RepeatedField<int>& base,
                                                const google::protobuf::RepeatedField<int>& added);

// Links to other cases (decide_links.cc): RULE_LINK (or RULE_RECOVERY for
// what a recovery may claim) unless the link the intake names holds.
absl::Status CheckIntakeLink(const DecisionContext& ctx, const v1::Intake& intake);
// RULE_LINK unless `survivor_id` is a live complaint with this case's waybill.
absl::Status CheckMergeSurvivor(const DecisionContext& ctx, const std::string& survivor_id);

// Intake and judgement (decide_intake.cc).
absl::StatusOr<Events> DecideOpenCase(const DecisionContext& ctx);
absl::StatusOr<Events> DecideAcknowledge(const DecisionContext& ctx);
absl::StatusOr<Events> DecideAccept(const DecisionContext& ctx);
absl::StatusOr<Events> DecideClassify(const DecisionContext& ctx);
absl::StatusOr<Events> DecideEscalate(const DecisionContext& ctx);
absl::StatusOr<Events> DecideReportUpward(const DecisionContext& ctx);
absl::StatusOr<Events> DecideMerge(const DecisionContext& ctx);

// Step 3 to step 6 (decide_resolution.cc).
absl::StatusOr<Events> DecideOpenInvestigation(const DecisionContext& ctx);
absl::StatusOr<Events> DecideAttachEvidence(const DecisionContext& ctx);
absl::StatusOr<Events> DecideConcludeInvestigation(const DecisionContext& ctx);
absl::StatusOr<Events> DecideProposeResolution(const DecisionContext& ctx);
absl::StatusOr<Events> DecideRecordCustomerReply(const DecisionContext& ctx);
absl::StatusOr<Events> DecideStartSpecialHandling(const DecisionContext& ctx);
absl::StatusOr<Events> DecideRecordFollowUp(const DecisionContext& ctx);

// Settlement and archive (decide_settlement.cc).
absl::StatusOr<Events> DecidePenalty(const DecisionContext& ctx);
absl::StatusOr<Events> DecideExecutePenalty(const DecisionContext& ctx);
absl::StatusOr<Events> DecidePayCompensation(const DecisionContext& ctx);
absl::StatusOr<Events> DecideArchive(const DecisionContext& ctx);

// Inquiries and suggestions (decide_flows.cc).
absl::StatusOr<Events> DecideAnswerInquiry(const DecisionContext& ctx);
absl::StatusOr<Events> DecideRouteToDepartment(const DecisionContext& ctx);
absl::StatusOr<Events> DecideEvaluateSuggestion(const DecisionContext& ctx);
absl::StatusOr<Events> DecideFeedBackSuggestion(const DecisionContext& ctx);

// Recovery child cases (decide_recovery.cc).
absl::StatusOr<Events> DecideDemandRecovery(const DecisionContext& ctx);
absl::StatusOr<Events> DecideSettleRecovery(const DecisionContext& ctx);

// Handling a complaint beyond the six steps (decide_handling.cc): progress
// notices, the task group, closing by referral.
absl::StatusOr<Events> DecideSendProgressNotice(const DecisionContext& ctx);
absl::StatusOr<Events> DecideFormTaskGroup(const DecisionContext& ctx);
absl::StatusOr<Events> DecideCloseByReferral(const DecisionContext& ctx);
// RULE_TASK_GROUP when the complaint needs a task group and has none.
absl::Status RequireTaskGroup(const DecisionContext& ctx);

// Approval of compensation (decide_approval.cc).
absl::StatusOr<Events> DecideApproveCompensation(const DecisionContext& ctx);
// Before a payment: the approvals its severity needs, and separation of
// duties (the proposer does not record the payment).
absl::Status CheckPaymentApprovals(const DecisionContext& ctx);

// Clocks: waiting for the customer, the scanner's warnings and breaches
// (decide_deadlines.cc).
absl::StatusOr<Events> DecideAwaitCustomer(const DecisionContext& ctx);
absl::StatusOr<Events> DecideRecordCustomerResponse(const DecisionContext& ctx);
absl::StatusOr<Events> DecideRecordDeadlineWarning(const DecisionContext& ctx);
absl::StatusOr<Events> DecideRecordDeadlineBreach(const DecisionContext& ctx);

}  // namespace docket::internal

#endif  // DOCKET_ENGINE_DECISION_CONTEXT_H_
