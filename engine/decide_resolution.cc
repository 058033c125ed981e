// Step 3 (resolve: the incident procedure of investigation, evidence and a
// computed proposal), step 4 (reply), step 5 (special handling) and step 6
// (follow-up).

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/authority.h"
#include "engine/bounds.h"
#include "engine/compensation.h"
#include "engine/decision_context.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/severity.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"

namespace docket::internal {
namespace {

absl::Status CheckEvidence(const DecisionContext& ctx, const v1::Evidence& e) {
  if (!IsSha256Hex(e.sha256_hex())) {
    return RefuseMalformed(
        absl::StrCat(ctx.Case(), ": evidence.sha256_hex must be 64 lowercase hex digits"));
  }
  if (e.size_bytes() <= 0) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": evidence.size_bytes must be > 0"));
  }
  if (e.uri().empty() || e.media_type().empty()) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": evidence needs a uri and a media_type"));
  }
  // A URI holds no spaces (RFC 3986), nor anything that would show a
  // handler another address than the one it opens. One naming the content
  // store, its scheme in any case, names exactly this file: "CAS://…" or
  // " cas://…" would otherwise pass for an outside reference, unchecked.
  if (!IsValidUri(e.uri())) {
    return RefuseMalformed(
        absl::StrCat(ctx.Case(), ": evidence.uri must be at most ", kMaxUriBytes,
                     " bytes without spaces, control, invisible or bidirectional characters"));
  }
  if (absl::StartsWithIgnoreCase(e.uri(), "cas:") &&
      e.uri() != absl::StrCat("cas://", e.sha256_hex())) {
    return RefuseMalformed(absl::StrCat(
        ctx.Case(), ": evidence in the store is named cas://<its sha256_hex>, in lowercase"));
  }
  if (e.kind() == v1::EVIDENCE_KIND_PHOTO && !absl::StartsWith(e.media_type(), "image/")) {
    return RefuseMalformed(
        absl::StrCat(ctx.Case(), ": a photo's media_type must be image/*, not ", e.media_type()));
  }
  // Photo evidence is stored by content hash (DESIGN.md), where its bytes
  // are checked to be a photo and the audit re-hashes them: a photo at an
  // outside address would count towards DAMAGE's photo, unchecked.
  if (e.kind() == v1::EVIDENCE_KIND_PHOTO && !absl::StartsWith(e.uri(), "cas://")) {
    return Refuse(v1::RULE_EVIDENCE, absl::StatusCode::kInvalidArgument,
                  absl::StrCat(ctx.Case(),
                               ": a photo is uploaded to the evidence store and attached as "
                               "cas://<its sha256_hex>, not by an outside address"));
  }
  return absl::OkStatus();
}

absl::Status CheckFindings(const DecisionContext& ctx, const v1::Findings& f) {
  auto bad = [&](absl::string_view why) {
    return Refuse(v1::RULE_FINDINGS, absl::StatusCode::kInvalidArgument,
                  absl::StrCat(ctx.Case(), ": findings ", why));
  };
  switch (f.responsible()) {
    case v1::RESPONSIBLE_PARTY_UNSPECIFIED:
      return bad("must name the responsible party");
    case v1::RESPONSIBLE_PARTY_INTERNAL:
      if (f.internal_branch().empty()) return bad("of internal fault must name the branch");
      break;
    case v1::RESPONSIBLE_PARTY_THIRD_PARTY:
      if (f.third_party().empty()) return bad("of third-party fault must name the third party");
      break;
    case v1::RESPONSIBLE_PARTY_FORCE_MAJEURE:
      if (f.exemption() != v1::EXEMPTION_FORCE_MAJEURE) {
        return bad("of force majeure must apply EXEMPTION_FORCE_MAJEURE");
      }
      break;
    case v1::RESPONSIBLE_PARTY_CUSTOMER:
      // 免责条款: the customer's fault exempts the carrier by the clause
      // that says which (a missing clause is never read as none).
      if (f.exemption() == v1::EXEMPTION_NONE || f.exemption() == v1::EXEMPTION_FORCE_MAJEURE) {
        return bad(
            "of the customer's fault must apply the clause that exempts the carrier: "
            "EXEMPTION_SHIPPER_FAULT (a wrong address, its own packaging), "
            "EXEMPTION_INHERENT_DEFECT or EXEMPTION_CONTRABAND");
      }
      break;
    default:
      break;
  }
  if (f.exemption() != v1::EXEMPTION_NONE &&
      (f.responsible() == v1::RESPONSIBLE_PARTY_INTERNAL ||
       f.responsible() == v1::RESPONSIBLE_PARTY_THIRD_PARTY)) {
    return bad(
        "cannot exempt the carrier when the fault is its own or its "
        "subcontractor's");
  }
  return CheckBounds(ctx.policy, ctx.Case(),
                     {{"findings.assessed_loss_fen", f.assessed_loss_fen(), Quantity::kAmount},
                      {"findings.residual_value_fen", f.residual_value_fen(), Quantity::kAmount}});
}

bool NeedsInvestigation(v1::Category category) {
  return category == v1::CATEGORY_DAMAGE || category == v1::CATEGORY_LOSS ||
         category == v1::CATEGORY_LATE;
}

}  // namespace

absl::StatusOr<Events> DecideOpenInvestigation(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_RESOLVING}, "OpenInvestigation (step 3)"));
  if (ctx.state.investigation_open()) {
    return RefuseNotNow(v1::RULE_INVESTIGATION_STATE,
                        absl::StrCat(ctx.Case(), ": an investigation is already open"));
  }
  v1::CaseEvent event;
  event.mutable_investigation_opened()->set_investigator(
      ctx.command.open_investigation().investigator());
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideAttachEvidence(const DecisionContext& ctx) {
  // Complaints until the customer accepts; recoveries until settled.
  DOCKET_RETURN_IF_ERROR(
      RequireStage(ctx,
                   {v1::STAGE_OPENED, v1::STAGE_ACKNOWLEDGED, v1::STAGE_RESOLVING,
                    v1::STAGE_PROPOSED, v1::STAGE_DISPUTED, v1::STAGE_ROUTED},
                   "AttachEvidence (before the case's outcome)"));
  DOCKET_RETURN_IF_ERROR(
      CheckRequiredFields(ctx.command.attach_evidence(), "attach_evidence", ctx.Case()));
  const v1::Evidence& evidence = ctx.command.attach_evidence().evidence();
  DOCKET_RETURN_IF_ERROR(CheckEvidence(ctx, evidence));
  // One file once: the same bytes again would count twice (two photos of
  // one) and say nothing new. Compared by address: the store's names its
  // checked hash; an outside one's hash is only claimed, and two files
  // claiming one hash are not thereby the same, nor one claimed twice over
  // two hashes another.
  for (const v1::Evidence& held : ctx.state.evidence()) {
    if (held.uri() == evidence.uri()) {
      return RefuseNotNow(
          v1::RULE_EVIDENCE,
          absl::StrCat(
              ctx.Case(), " already holds this file (", evidence.uri(),
              held.description().empty() ? ")" : absl::StrCat(", \"", held.description(), "\")")));
    }
  }
  v1::CaseEvent event;
  *event.mutable_evidence_attached()->mutable_evidence() = evidence;
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideConcludeInvestigation(const DecisionContext& ctx) {
  if (!ctx.state.investigation_open()) {
    return RefuseNotNow(v1::RULE_INVESTIGATION_STATE,
                        absl::StrCat(ctx.Case(), ": no investigation is open"));
  }
  const v1::Findings& findings = ctx.command.conclude_investigation().findings();
  DOCKET_RETURN_IF_ERROR(CheckFindings(ctx, findings));
  Events events(1);
  *events[0].mutable_investigation_concluded()->mutable_findings() = findings;
  // 事故级别 by the proven loss: an assessment that puts the incident higher
  // re-judges it at once (Classified: the new level, its report upward, the
  // clocks recomputed from their original starts). One that puts it lower
  // changes nothing until someone reclassifies with a reason.
  const v1::CaseState& s = ctx.state;
  if (findings.assessed_loss_fen() > 0) {
    const v1::Severity severity =
        ClassifySeverity(findings.assessed_loss_fen(), s.facts(), ctx.policy);
    if (severity > s.severity()) {
      v1::Classified* e = events.emplace_back().mutable_classified();
      *e->mutable_facts() = s.facts();
      e->set_assessed_loss_fen(findings.assessed_loss_fen());
      e->set_severity(severity);
      e->set_handling_level(HandlingLevelFor(severity, s.facts(), ctx.policy));
      for (v1::Deadline& d : ctx.clock.Recompute(s, severity)) *e->add_deadlines() = std::move(d);
      e->set_reason(absl::StrCat("the investigation assessed the loss at ",
                                 FormatFen(findings.assessed_loss_fen()),
                                 " CNY: ", v1::Severity_Name(severity)));
    }
  }
  return events;
}

absl::StatusOr<Events> DecideProposeResolution(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_RESOLVING}, "ProposeResolution (step 3)"));
  const v1::CaseState& state = ctx.state;
  if (state.investigation_open()) {
    return RefuseNotNow(v1::RULE_INVESTIGATION_BEFORE_RESOLUTION,
                        absl::StrCat(ctx.Case(), ": conclude the open investigation first"));
  }
  // The incident procedure: register, photos, investigation, then a decision.
  if (state.category() == v1::CATEGORY_DAMAGE && state.photo_count() == 0) {
    return RefuseNotNow(v1::RULE_PHOTO_BEFORE_DAMAGE_RESOLUTION,
                        absl::StrCat(ctx.Case(),
                                     ": a DAMAGE case needs at least one photo "
                                     "before a resolution"));
  }
  if (NeedsInvestigation(state.category()) && !state.investigation_concluded()) {
    return RefuseNotNow(v1::RULE_INVESTIGATION_BEFORE_RESOLUTION,
                        absl::StrCat(ctx.Case(), ": a ", v1::Category_Name(state.category()),
                                     " case needs a concluded investigation before a "
                                     "resolution"));
  }
  DOCKET_RETURN_IF_ERROR(RequireTaskGroup(ctx));
  const v1::ProposeResolution& cmd = ctx.command.propose_resolution();
  DOCKET_RETURN_IF_ERROR(
      CheckBounds(ctx.policy, ctx.Case(),
                  {{"propose_resolution.goodwill_fen", cmd.goodwill_fen(), Quantity::kAmount}}));
  DOCKET_ASSIGN_OR_RETURN(const Compensation computed, ComputeCompensation(state, ctx.policy));
  DOCKET_ASSIGN_OR_RETURN(const int64_t amount,
                          AddAmounts(ctx.policy, ctx.Case(), "the proposal (computed + goodwill)",
                                     computed.amount_fen, cmd.goodwill_fen()));
  const v1::Severity approved_as = ApprovalSeverity(state.severity(), amount, ctx.policy);
  const v1::Level required =
      RequiredApprovalLevel(amount, cmd.goodwill_fen(), approved_as, ctx.policy);
  const v1::Level without_goodwill = RequiredApprovalLevel(amount, 0, approved_as, ctx.policy);
  const bool goodwill_decides =
      cmd.goodwill_fen() > 0 && ctx.command.actor().level() >= without_goodwill;
  DOCKET_RETURN_IF_ERROR(RequireLevel(
      ctx, required,
      absl::StrCat("a proposal of ", FormatFen(amount), " CNY", " at ",
                   v1::Severity_Name(approved_as), cmd.goodwill_fen() > 0 ? " with goodwill" : ""),
      goodwill_decides ? v1::RULE_GOODWILL_NEEDS_HIGHER_LEVEL : v1::RULE_AUTHORITY));

  v1::CaseEvent event;
  v1::ResolutionProposed* e = event.mutable_resolution_proposed();
  e->set_amount_fen(amount);
  e->set_computed_fen(computed.amount_fen);
  e->set_goodwill_fen(cmd.goodwill_fen());
  e->set_basis(computed.basis);
  e->set_exemption(computed.exemption);
  e->set_calculation(computed.calculation);
  e->set_required_level(required);
  e->set_remedy(cmd.remedy());
  e->set_round(state.special_handling_count() + 1);
  *e->add_deadlines() = ctx.clock.Start(v1::DEADLINE_KIND_REPLY, ctx.occurred, state.severity(),
                                        state.intake().channel());
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideRecordCustomerReply(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_PROPOSED}, "RecordCustomerReply (step 4)"));
  const v1::RecordCustomerReply& cmd = ctx.command.record_customer_reply();
  DOCKET_RETURN_IF_ERROR(CheckRequiredFields(cmd, "record_customer_reply", ctx.Case()));
  const bool accepts = cmd.decision() == v1::CUSTOMER_DECISION_ACCEPTS;
  if (cmd.declines_compensation() && !accepts) {
    return RefuseMalformed(
        absl::StrCat(ctx.Case(), ": only a customer who accepts can decline compensation"));
  }
  v1::CaseEvent event;
  v1::CustomerReplied* e = event.mutable_customer_replied();
  e->set_decision(cmd.decision());
  e->set_declines_compensation(cmd.declines_compensation());
  e->set_comment(cmd.comment());
  if (accepts) {
    *e->add_deadlines() = ctx.clock.Start(v1::DEADLINE_KIND_FOLLOW_UP, ctx.occurred,
                                          ctx.state.severity(), ctx.state.intake().channel());
  }
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideStartSpecialHandling(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_DISPUTED}, "StartSpecialHandling (step 5)"));
  const v1::StartSpecialHandling& cmd = ctx.command.start_special_handling();
  // Special handling starts by asking the customer's view.
  DOCKET_RETURN_IF_ERROR(CheckRequiredFields(cmd, "start_special_handling", ctx.Case()));
  const v1::Level from = ctx.state.handling_level();
  if (cmd.escalate_to() != v1::LEVEL_UNSPECIFIED && cmd.escalate_to() <= from) {
    return RefuseNotNow(v1::RULE_ESCALATION,
                        absl::StrCat(ctx.Case(), " is handled at ", v1::Level_Name(from),
                                     ": escalation must go higher"));
  }
  v1::CaseEvent event;
  v1::SpecialHandlingStarted* e = event.mutable_special_handling_started();
  e->set_customer_view(cmd.customer_view());
  e->set_from_level(from);
  e->set_to_level(cmd.escalate_to() != v1::LEVEL_UNSPECIFIED ? cmd.escalate_to() : from);
  // Unresolved again: a fresh resolution and, if it drags on, a progress
  // notice.
  for (v1::DeadlineKind kind : {v1::DEADLINE_KIND_RESOLUTION, v1::DEADLINE_KIND_PROGRESS_NOTICE}) {
    *e->add_deadlines() =
        ctx.clock.Start(kind, ctx.occurred, ctx.state.severity(), ctx.state.intake().channel());
  }
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideRecordFollowUp(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_REPLIED}, "RecordFollowUp (step 6)"));
  const v1::RecordFollowUp& cmd = ctx.command.record_follow_up();
  DOCKET_RETURN_IF_ERROR(CheckRequiredFields(cmd, "record_follow_up", ctx.Case()));
  if (cmd.satisfaction() < 1 || cmd.satisfaction() > 5) {
    return RefuseMalformed(
        absl::StrCat(ctx.Case(), ": record_follow_up.satisfaction must be 1 to 5"));
  }
  v1::CaseEvent event;
  v1::FollowUpRecorded* e = event.mutable_follow_up_recorded();
  e->set_method(cmd.method());
  e->set_satisfaction(cmd.satisfaction());
  e->set_note(cmd.note());
  return Single(std::move(event));
}

}  // namespace docket::internal
