// Approval of compensation before it is paid (DESIGN.md, "Compensation"):
// from the policy's co-approval severity (MAJOR) up, of the case or of a
// loss the size of the compensation (ApprovalSeverity), the proposal is
// approved by a supervisor holding the authority its amount needs and
// co-approved by claims (理赔处); a proposal with goodwill, at any
// severity, is approved by a supervisor holding its level (one higher);
// whoever proposed goodwill does not approve it, and a payment is recorded
// by claims, not by the proposer.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/decision_context.h"
#include "engine/refusal.h"
#include "engine/severity.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"

namespace docket::internal {
namespace {

bool Approved(const v1::CaseState& s, v1::Role role) {
  return std::any_of(s.approvals().begin(), s.approvals().end(),
                     [&](const v1::CompensationApproval& a) { return a.role() == role; });
}

}  // namespace

absl::StatusOr<Events> DecideApproveCompensation(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(
      RequireStage(ctx, {v1::STAGE_PROPOSED, v1::STAGE_REPLIED, v1::STAGE_FOLLOWED_UP},
                   "ApproveCompensation (while a proposal stands)"));
  const v1::CaseState& s = ctx.state;
  const v1::Actor& actor = ctx.command.actor();
  if (s.proposed_fen() <= 0 || s.compensation_declined()) {
    return RefuseNotNow(v1::RULE_APPROVAL,
                        absl::StrCat(ctx.Case(), ": there is no compensation to approve"));
  }
  if (s.paid_fen() >= s.proposed_fen()) {
    return RefuseNotNow(v1::RULE_APPROVAL,
                        absl::StrCat(ctx.Case(),
                                     ": the compensation is paid in full; there is "
                                     "nothing left to approve"));
  }
  if (actor.role() != v1::ROLE_SUPERVISOR && actor.role() != v1::ROLE_CLAIMS) {
    return Refuse(v1::RULE_PERMISSION, absl::StatusCode::kPermissionDenied,
                  absl::StrCat(ctx.Case(),
                               ": compensation is approved by a supervisor and "
                               "co-approved by claims"));
  }
  if (s.goodwill_fen() > 0 && actor.id() == s.proposer_id()) {
    return Refuse(v1::RULE_SEPARATION_OF_DUTIES, absl::StatusCode::kPermissionDenied,
                  absl::StrCat(ctx.Case(), ": ", actor.id(),
                               " proposed the goodwill and may not approve it"));
  }
  if (Approved(s, actor.role())) {
    return RefuseNotNow(v1::RULE_APPROVAL,
                        absl::StrCat(ctx.Case(), ": the proposal already has the ",
                                     actor.role() == v1::ROLE_CLAIMS ? "co-approval of claims"
                                                                     : "approval of a supervisor"));
  }
  if (actor.role() == v1::ROLE_SUPERVISOR) {
    DOCKET_RETURN_IF_ERROR(RequireLevel(
        ctx, s.proposal_required_level(),
        absl::StrCat("approving ", FormatFen(s.proposed_fen()), " CNY of compensation")));
  }
  v1::CaseEvent event;
  v1::CompensationApproved* e = event.mutable_compensation_approved();
  e->set_amount_fen(s.proposed_fen());
  e->set_role(actor.role());
  e->set_level(actor.level());
  e->set_note(ctx.command.approve_compensation().note());
  return Single(std::move(event));
}

absl::Status CheckPaymentApprovals(const DecisionContext& ctx) {
  const v1::CaseState& s = ctx.state;
  if (ctx.command.actor().id() == s.proposer_id()) {
    return Refuse(v1::RULE_SEPARATION_OF_DUTIES, absl::StatusCode::kPermissionDenied,
                  absl::StrCat(ctx.Case(), ": ", s.proposer_id(),
                               " proposed this compensation; claims records its payment"));
  }
  // Goodwill is approved by a supervisor other than its proposer, one
  // level higher (the proposal's required level), whatever the severity.
  const v1::Severity approved_as = ApprovalSeverity(s.severity(), s.proposed_fen(), ctx.policy);
  const bool co_approved = approved_as >= ctx.policy.co_approval_from();
  if (!co_approved && s.goodwill_fen() <= 0) return absl::OkStatus();
  std::vector<std::string> missing;
  if (!Approved(s, v1::ROLE_SUPERVISOR)) {
    missing.push_back(absl::StrCat("the approval of a ",
                                   v1::Level_Name(s.proposal_required_level()), " supervisor"));
  }
  if (co_approved && !Approved(s, v1::ROLE_CLAIMS)) {
    missing.push_back("the co-approval of claims (理赔处)");
  }
  if (missing.empty()) return absl::OkStatus();
  if (!co_approved) {
    return RefuseNotNow(
        v1::RULE_APPROVAL,
        absl::StrCat(ctx.Case(), "'s proposal holds ", FormatFen(s.goodwill_fen()),
                     " CNY of goodwill (通融赔偿): it is paid only with ", missing.front(),
                     " other than its proposer ", s.proposer_id()));
  }
  return RefuseNotNow(
      v1::RULE_APPROVAL,
      absl::StrCat(
          ctx.Case(),
          approved_as == s.severity()
              ? absl::StrCat(" is ", v1::Severity_Name(s.severity()))
              : absl::StrCat("'s compensation of ", FormatFen(s.proposed_fen()),
                             " CNY is the size of a ", v1::Severity_Name(approved_as), " loss"),
          ": its compensation is paid only with ", absl::StrJoin(missing, " and ")));
}

}  // namespace docket::internal
