#include "engine/evolve.h"

#include <algorithm>

#include "engine/deadlines.h"
#include "engine/severity.h"
#include "engine/time_util.h"

namespace docket {
namespace {

using google::protobuf::RepeatedPtrField;

void Meet(v1::DeadlineKind kind, const v1::CaseEvent& event, v1::CaseState* state) {
  if (v1::Deadline* d = FindOpenDeadline(state, kind)) {
    d->set_met(true);
    *d->mutable_met_at() = event.occurred_at();
    // A clock standing still for the customer counts no time past its pause.
    absl::Time counted = ToTime(d->met_at());
    if (d->has_paused_since()) counted = std::min(counted, ToTime(d->paused_since()));
    // At its due instant is on time (DESIGN.md).
    d->set_met_late(d->breached() || counted > ToTime(d->due_at()));
  }
}

// Replaces the open deadline of the same kind with `d`, or adds `d` when
// none is open.
void ReplaceOpen(const v1::Deadline& d, v1::CaseState* state) {
  if (v1::Deadline* open = FindOpenDeadline(state, d.kind())) {
    *open = d;
  } else {
    *state->add_deadlines() = d;
  }
}

void ReplaceOpen(const RepeatedPtrField<v1::Deadline>& recomputed, v1::CaseState* state) {
  for (const v1::Deadline& d : recomputed) ReplaceOpen(d, state);
}

void Judge(v1::Severity severity, v1::Level handling_level,
           const RepeatedPtrField<v1::Deadline>& deadlines, v1::CaseState* state) {
  state->set_severity(severity);
  state->set_handling_level(std::max(state->handling_level(), handling_level));
  state->set_warning(WarningOf(state->facts()));
  ReplaceOpen(deadlines, state);
}

// The first response and the first result, as the reports count them, for
// the flows whose steps are not Acknowledged and CustomerReplied.
void FirstResponse(const v1::CaseEvent& event, v1::CaseState* state) {
  if (!state->has_acknowledged_at()) *state->mutable_acknowledged_at() = event.occurred_at();
}
void FirstResult(const v1::CaseEvent& event, v1::CaseState* state) {
  if (!state->has_first_replied_at()) *state->mutable_first_replied_at() = event.occurred_at();
}
// Who works a case: who accepted a complaint, who first took on a short flow.
void TakeOn(const v1::CaseEvent& event, v1::CaseState* state) {
  if (state->handler_id().empty()) state->set_handler_id(event.actor().id());
}

void Close(v1::Stage stage, const v1::CaseEvent& event, v1::CaseState* state) {
  state->set_stage(stage);
  *state->mutable_closed_at() = event.occurred_at();
}

// The events of the short flows and of handling beyond the six steps.
void ApplyFlow(const v1::CaseEvent& event, v1::CaseState* state) {
  switch (event.body_case()) {
    case v1::CaseEvent::kInquiryAnswered:
      state->set_stage(v1::STAGE_CONCLUDED);
      TakeOn(event, state);
      FirstResponse(event, state);
      FirstResult(event, state);
      Meet(v1::DEADLINE_KIND_FIRST_RESPONSE, event, state);
      Meet(v1::DEADLINE_KIND_DEPARTMENT_REPLY, event, state);
      break;
    case v1::CaseEvent::kRoutedToDepartment:
      state->set_stage(v1::STAGE_ROUTED);
      state->set_department(event.routed_to_department().department());
      TakeOn(event, state);
      FirstResponse(event, state);
      Meet(v1::DEADLINE_KIND_FIRST_RESPONSE, event, state);
      ReplaceOpen(event.routed_to_department().deadlines(), state);
      break;
    case v1::CaseEvent::kSuggestionEvaluated:
      state->set_stage(v1::STAGE_EVALUATED);
      state->set_suggestion_adopted(event.suggestion_evaluated().adopted());
      Meet(v1::DEADLINE_KIND_DEPARTMENT_REPLY, event, state);
      break;
    case v1::CaseEvent::kSuggestionFedBack:
      state->set_stage(v1::STAGE_CONCLUDED);
      FirstResult(event, state);
      Meet(v1::DEADLINE_KIND_FEEDBACK, event, state);
      break;
    case v1::CaseEvent::kProgressNoticeSent: {
      const v1::ProgressNoticeSent& e = event.progress_notice_sent();
      state->set_progress_notices(state->progress_notices() + 1);
      *state->mutable_expected_completion_at() = e.expected_completion_at();
      Meet(v1::DEADLINE_KIND_PROGRESS_NOTICE, event, state);
      ReplaceOpen(e.deadlines(), state);
      break;
    }
    case v1::CaseEvent::kTaskGroupFormed:
      *state->mutable_task_group() = event.task_group_formed().task_group();
      break;
    case v1::CaseEvent::kClosedByReferral:
      state->set_referral(event.closed_by_referral().referral());
      Close(v1::STAGE_REFERRED, event, state);
      break;
    case v1::CaseEvent::kRecoveryDemanded:
      state->set_stage(v1::STAGE_ROUTED);
      TakeOn(event, state);
      break;
    case v1::CaseEvent::kRecoverySettled:
      state->set_stage(v1::STAGE_CONCLUDED);
      state->set_recovery_outcome(event.recovery_settled().outcome());
      state->set_recovered_fen(event.recovery_settled().recovered_fen());
      Meet(v1::DEADLINE_KIND_RECOVERY, event, state);
      break;
    default:
      break;
  }
}

}  // namespace

void Apply(const v1::CaseEvent& event, v1::CaseState* state) {
  state->set_case_id(event.case_id());
  state->set_revision(event.revision());
  state->set_policy_version(event.policy_version());
  if (!state->has_last_occurred_at() ||
      ToTime(event.occurred_at()) > ToTime(state->last_occurred_at())) {
    *state->mutable_last_occurred_at() = event.occurred_at();
  }
  switch (event.body_case()) {
    case v1::CaseEvent::kCaseOpened: {
      const v1::CaseOpened& e = event.case_opened();
      state->set_stage(v1::STAGE_OPENED);
      *state->mutable_intake() = e.intake();
      state->set_kind(e.intake().kind() == v1::CASE_KIND_UNSPECIFIED ? v1::CASE_KIND_COMPLAINT
                                                                     : e.intake().kind());
      state->set_warning(WarningOf(e.intake().facts()));
      state->set_category(e.intake().category());
      state->set_severity(e.severity());
      *state->mutable_facts() = e.intake().facts();
      state->set_claim_fen(e.intake().claim_fen());
      state->set_handling_level(v1::LEVEL_BRANCH);
      *state->mutable_deadlines() = e.deadlines();
      *state->mutable_opened_at() = event.occurred_at();
      if (e.intake().has_link()) *state->mutable_link() = e.intake().link();
      break;
    }
    case v1::CaseEvent::kAcknowledged:
      state->set_stage(v1::STAGE_ACKNOWLEDGED);
      *state->mutable_acknowledged_at() = event.occurred_at();
      Meet(v1::DEADLINE_KIND_FIRST_RESPONSE, event, state);
      break;
    case v1::CaseEvent::kAccepted: {
      const v1::Accepted& e = event.accepted();
      state->set_stage(v1::STAGE_RESOLVING);
      state->set_handler_id(event.actor().id());
      state->set_category(e.category());
      state->set_claim_fen(e.claim_fen());
      *state->mutable_facts() = e.facts();
      *state->mutable_departments() = e.departments();
      TakeOn(event, state);
      Judge(e.severity(), e.handling_level(), e.deadlines(), state);
      break;
    }
    case v1::CaseEvent::kClassified: {
      const v1::Classified& e = event.classified();
      *state->mutable_facts() = e.facts();
      state->set_assessed_loss_fen(e.assessed_loss_fen());
      Judge(e.severity(), e.handling_level(), e.deadlines(), state);
      break;
    }
    case v1::CaseEvent::kReclassified: {
      const v1::Reclassified& e = event.reclassified();
      state->set_category(e.to_category());
      *state->mutable_facts() = e.facts();
      state->set_assessed_loss_fen(e.assessed_loss_fen());
      Judge(e.to_severity(), e.handling_level(), e.deadlines(), state);
      break;
    }
    case v1::CaseEvent::kEscalated:
      state->set_handling_level(event.escalated().to_level());
      break;
    case v1::CaseEvent::kReportedUpward: {
      const v1::Level to = event.reported_upward().to_level();
      state->set_reported_level(std::max(state->reported_level(), to));
      const v1::Deadline* d = FindOpenDeadline(*state, v1::DEADLINE_KIND_REPORT_UPWARD);
      if (d != nullptr && to >= d->report_to()) {
        Meet(v1::DEADLINE_KIND_REPORT_UPWARD, event, state);
      }
      break;
    }
    case v1::CaseEvent::kInvestigationOpened:
      state->set_investigation_open(true);
      state->set_investigation_concluded(false);
      break;
    case v1::CaseEvent::kEvidenceAttached: {
      const v1::Evidence& e = event.evidence_attached().evidence();
      if (e.kind() == v1::EVIDENCE_KIND_PHOTO) {
        state->set_photo_count(state->photo_count() + 1);
      }
      *state->add_evidence() = e;
      break;
    }
    case v1::CaseEvent::kInvestigationConcluded: {
      const v1::Findings& f = event.investigation_concluded().findings();
      state->set_investigation_open(false);
      state->set_investigation_concluded(true);
      *state->mutable_findings() = f;
      if (f.assessed_loss_fen() > 0) {
        state->set_assessed_loss_fen(f.assessed_loss_fen());
      }
      break;
    }
    case v1::CaseEvent::kResolutionProposed: {
      const v1::ResolutionProposed& e = event.resolution_proposed();
      state->set_stage(v1::STAGE_PROPOSED);
      state->set_round(e.round());
      state->set_proposed_fen(e.amount_fen());
      state->set_computed_fen(e.computed_fen());
      state->set_goodwill_fen(e.goodwill_fen());
      state->set_basis(e.basis());
      state->set_proposer_id(event.actor().id());
      state->set_proposal_required_level(e.required_level());
      state->clear_approvals();
      Meet(v1::DEADLINE_KIND_RESOLUTION, event, state);
      // Resolved: no progress notice is owed any more.
      Meet(v1::DEADLINE_KIND_PROGRESS_NOTICE, event, state);
      ReplaceOpen(e.deadlines(), state);
      break;
    }
    case v1::CaseEvent::kCustomerReplied: {
      const v1::CustomerReplied& e = event.customer_replied();
      const bool accepts = e.decision() == v1::CUSTOMER_DECISION_ACCEPTS;
      state->set_stage(accepts ? v1::STAGE_REPLIED : v1::STAGE_DISPUTED);
      state->set_decision(e.decision());
      state->set_compensation_declined(e.declines_compensation());
      if (!state->has_first_replied_at()) {
        *state->mutable_first_replied_at() = event.occurred_at();
      }
      Meet(v1::DEADLINE_KIND_REPLY, event, state);
      Meet(v1::DEADLINE_KIND_REGULATORY_RESULT, event, state);
      ReplaceOpen(e.deadlines(), state);
      break;
    }
    case v1::CaseEvent::kSpecialHandlingStarted: {
      const v1::SpecialHandlingStarted& e = event.special_handling_started();
      state->set_stage(v1::STAGE_RESOLVING);
      state->set_special_handling_count(state->special_handling_count() + 1);
      state->set_handling_level(e.to_level());
      state->set_decision(v1::CUSTOMER_DECISION_UNSPECIFIED);
      ReplaceOpen(e.deadlines(), state);
      break;
    }
    case v1::CaseEvent::kFollowUpRecorded: {
      const v1::FollowUpRecorded& e = event.follow_up_recorded();
      state->set_stage(v1::STAGE_FOLLOWED_UP);
      state->set_satisfaction(e.satisfaction());
      state->set_follow_up_method(e.method());
      Meet(v1::DEADLINE_KIND_FOLLOW_UP, event, state);
      break;
    }
    case v1::CaseEvent::kPenaltyDecided:
      *state->add_penalties()->mutable_penalty() = event.penalty_decided().penalty();
      break;
    case v1::CaseEvent::kPenaltyExecuted:
      for (v1::CaseState::PenaltyState& p : *state->mutable_penalties()) {
        if (p.penalty().penalty_id() == event.penalty_executed().penalty_id()) {
          p.set_executed(true);
        }
      }
      break;
    case v1::CaseEvent::kCompensationPaid:
      state->set_paid_fen(state->paid_fen() + event.compensation_paid().amount_fen());
      break;
    case v1::CaseEvent::kAwaitingCustomer:
      state->set_awaiting_customer(true);
      state->set_awaiting_reason(event.awaiting_customer().reason());
      *state->mutable_awaiting_since() = event.occurred_at();
      // The internal clocks stand still; the regulatory one never does.
      for (v1::Deadline& d : *state->mutable_deadlines()) {
        if (!d.met() && d.kind() != v1::DEADLINE_KIND_REGULATORY_RESULT) {
          *d.mutable_paused_since() = event.occurred_at();
        }
      }
      break;
    case v1::CaseEvent::kCustomerResponded:
      state->set_awaiting_customer(false);
      state->clear_awaiting_since();
      state->clear_awaiting_reason();
      ReplaceOpen(event.customer_responded().deadlines(), state);
      break;
    case v1::CaseEvent::kDeadlineWarning: {
      const v1::DeadlineWarning& e = event.deadline_warning();
      if (v1::Deadline* d = FindOpenDeadline(state, e.kind())) {
        d->add_warned_percent(e.percent());
      }
      break;
    }
    case v1::CaseEvent::kDeadlineBreached:
      ReplaceOpen(event.deadline_breached().next(), state);
      break;
    case v1::CaseEvent::kMerged:
      state->set_merged_into(event.merged().survivor_case_id());
      Close(v1::STAGE_MERGED, event, state);
      break;
    case v1::CaseEvent::kCompensationApproved: {
      const v1::CompensationApproved& e = event.compensation_approved();
      v1::CompensationApproval* approval = state->add_approvals();
      approval->set_principal_id(event.actor().id());
      approval->set_role(e.role());
      approval->set_level(e.level());
      approval->set_amount_fen(e.amount_fen());
      break;
    }
    case v1::CaseEvent::kDirectoryChanged:
      break;  // Folded into the directory, never into a case.
    case v1::CaseEvent::kArchived:
      *state->mutable_archived_at() = event.occurred_at();
      Close(v1::STAGE_ARCHIVED, event, state);
      break;
    default:
      ApplyFlow(event, state);
      break;
  }
}

bool IsClosed(const v1::CaseState& state) {
  return state.stage() == v1::STAGE_ARCHIVED || state.stage() == v1::STAGE_MERGED ||
         state.stage() == v1::STAGE_REFERRED;
}

v1::CaseState Evolve(v1::CaseState state, const v1::CaseEvent& event) {
  Apply(event, &state);
  return state;
}

}  // namespace docket
