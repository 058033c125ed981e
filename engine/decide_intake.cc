// Intake and judgement: registering a complaint (受理登记), step 1 (listen and
// apologise), step 2 (accept and judge), later corrections of the judgement,
// escalation, reporting upward (上报) and merging duplicates.

#include "absl/strings/str_cat.h"
#include "engine/bounds.h"
#include "engine/case_kind.h"
#include "engine/decision_context.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/severity.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"

namespace docket::internal {
namespace {

absl::Status CheckDepartments(const DecisionContext& ctx, absl::string_view field,
                              const google::protobuf::RepeatedPtrField<std::string>& departments) {
  for (int i = 0; i < departments.size(); ++i) {
    if (departments[i].empty()) {
      return RefuseMalformed(absl::StrCat(ctx.Case(), ": ", field, "[", i, "] is empty"));
    }
    for (int j = 0; j < i; ++j) {
      if (departments[j] == departments[i]) {
        return RefuseMalformed(
            absl::StrCat(ctx.Case(), ": ", field, " names ", departments[i], " twice"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRecoveryClaim(const DecisionContext& ctx, const v1::Intake& in) {
  const v1::RecoveryClaim& r = in.recovery();
  if (KindOf(in) != v1::CASE_KIND_RECOVERY) {
    if (in.has_recovery()) {
      return RefuseMalformed(absl::StrCat(ctx.Case(), ": only a recovery case has a recovery"));
    }
    return absl::OkStatus();
  }
  if (r.amount_fen() <= 0) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": intake.recovery.amount_fen is required"));
  }
  const bool network = in.link().kind() == v1::LINK_KIND_NETWORK_RECOVERY;
  if (network && (r.liable_branch().empty() || r.subrogation())) {
    return RefuseMalformed(absl::StrCat(ctx.Case(),
                                        ": a network recovery names the liable_branch (and is "
                                        "not a subrogation)"));
  }
  if (!network && r.third_party().empty()) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": a third-party claim names the third_party"));
  }
  return absl::OkStatus();
}

absl::Status CheckIntake(const DecisionContext& ctx, const v1::Intake& in) {
  if (!v1::CaseKind_IsValid(in.kind())) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": intake.kind is not a case kind"));
  }
  const v1::CaseKind kind = KindOf(in);
  if (kind != v1::CASE_KIND_RECOVERY && in.channel() == v1::CHANNEL_UNSPECIFIED) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": intake.channel is required"));
  }
  if (kind == v1::CASE_KIND_COMPLAINT && in.category() == v1::CATEGORY_UNSPECIFIED) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": intake.category is required"));
  }
  if (kind != v1::CASE_KIND_RECOVERY && in.customer().id().empty()) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": intake.customer.id is required"));
  }
  const v1::Shipment& s = in.shipment();
  const v1::CustomerContract& contract = in.customer().contract();
  DOCKET_RETURN_IF_ERROR(CheckBounds(
      ctx.policy, ctx.Case(),
      {{"intake.claim_fen", in.claim_fen(), Quantity::kAmount},
       {"shipment.weight_g", s.weight_g(), Quantity::kWeight},
       {"shipment.billed_weight_g", s.billed_weight_g(), Quantity::kWeight},
       {"shipment.freight_fen", s.freight_fen(), Quantity::kAmount},
       {"shipment.insurance_fee_fen", s.insurance_fee_fen(), Quantity::kAmount},
       {"shipment.freight_rate_fen_per_kg", s.freight_rate_fen_per_kg(), Quantity::kRate},
       {"shipment.declared_value_fen", s.declared_value_fen(), Quantity::kAmount},
       {"shipment.goods_value_fen", s.goods_value_fen(), Quantity::kAmount},
       {"customer.contract.rate_fen_per_kg", contract.rate_fen_per_kg(), Quantity::kRate},
       {"customer.contract.freight_multiple", contract.freight_multiple(), Quantity::kMultiple},
       {"intake.recovery.amount_fen", in.recovery().amount_fen(), Quantity::kAmount}}));
  if (in.has_link()) {
    if (in.link().kind() == v1::LINK_KIND_UNSPECIFIED || in.link().case_id().empty()) {
      return RefuseMalformed(absl::StrCat(ctx.Case(), ": intake.link needs a kind and a case_id"));
    }
    if (in.link().case_id() == ctx.command.case_id()) {
      return RefuseMalformed(absl::StrCat(ctx.Case(), ": a case cannot link to itself"));
    }
  }
  return CheckRecoveryClaim(ctx, in);
}

// The facts known for a customer: a key account (大客户, flagged or of a
// class the policy counts as one) is an aggravating fact.
google::protobuf::RepeatedField<int> FactsWithCustomer(
    const v1::Customer& customer, const google::protobuf::RepeatedField<int>& facts,
    const v1::Policy& policy) {
  google::protobuf::RepeatedField<int> key;
  if (IsKeyAccount(customer, policy)) key.Add(v1::AGGRAVATING_FACT_KEY_ACCOUNT);
  return UnionFacts(facts, key);
}

}  // namespace

absl::StatusOr<Events> DecideOpenCase(const DecisionContext& ctx) {
  v1::Intake intake = ctx.command.open_case().intake();
  DOCKET_RETURN_IF_ERROR(CheckIntake(ctx, intake));
  DOCKET_RETURN_IF_ERROR(CheckIntakeLink(ctx, intake));
  intake.set_kind(KindOf(intake));
  *intake.mutable_facts() = FactsWithCustomer(intake.customer(), intake.facts(), ctx.policy);
  // 事故级别 judges an incident: complaints have one, the other kinds none.
  const v1::Severity severity =
      intake.kind() == v1::CASE_KIND_COMPLAINT
          ? ClassifySeverity(intake.claim_fen(), intake.facts(), ctx.policy)
          : v1::SEVERITY_UNSPECIFIED;
  v1::CaseEvent event;
  v1::CaseOpened* opened = event.mutable_case_opened();
  for (v1::Deadline& d : ctx.clock.Opening(intake, severity, ctx.occurred)) {
    *opened->add_deadlines() = std::move(d);
  }
  opened->set_severity(severity);
  *opened->mutable_intake() = std::move(intake);
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideAcknowledge(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_OPENED}, "Acknowledge (step 1)"));
  v1::CaseEvent event;
  event.mutable_acknowledged()->set_note(ctx.command.acknowledge().note());
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideAccept(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_ACKNOWLEDGED}, "Accept (step 2)"));
  const v1::Accept& cmd = ctx.command.accept();
  DOCKET_RETURN_IF_ERROR(CheckBounds(ctx.policy, ctx.Case(),
                                     {{"accept.claim_fen", cmd.claim_fen(), Quantity::kAmount}}));
  DOCKET_RETURN_IF_ERROR(CheckDepartments(ctx, "accept.departments", cmd.departments()));
  v1::CaseEvent event;
  v1::Accepted* accepted = event.mutable_accepted();
  accepted->set_category(cmd.category() != v1::CATEGORY_UNSPECIFIED ? cmd.category()
                                                                    : ctx.state.category());
  accepted->set_claim_fen(cmd.claim_fen() > 0 ? cmd.claim_fen() : ctx.state.claim_fen());
  *accepted->mutable_facts() = UnionFacts(ctx.state.facts(), cmd.facts());
  const v1::Severity severity =
      ClassifySeverity(std::max(accepted->claim_fen(), ctx.state.assessed_loss_fen()),
                       accepted->facts(), ctx.policy);
  accepted->set_severity(severity);
  accepted->set_handling_level(HandlingLevelFor(severity, accepted->facts(), ctx.policy));
  for (v1::Deadline& d : ctx.clock.Recompute(ctx.state, severity)) {
    *accepted->add_deadlines() = std::move(d);
  }
  accepted->set_note(cmd.note());
  *accepted->mutable_departments() = cmd.departments();
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideClassify(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_RESOLVING}, "Classify (within step 3)"));
  const v1::Classify& cmd = ctx.command.classify();
  DOCKET_RETURN_IF_ERROR(CheckRequiredFields(cmd, "classify", ctx.Case()));
  DOCKET_RETURN_IF_ERROR(
      CheckBounds(ctx.policy, ctx.Case(),
                  {{"classify.assessed_loss_fen", cmd.assessed_loss_fen(), Quantity::kAmount}}));
  // The loss an investigation assessed is the case's: a judgement does not
  // contradict it (the compensation is computed from the findings). A new
  // figure needs a new investigation's findings; while one runs, the last
  // findings stand.
  const v1::Findings& findings = ctx.state.findings();
  if (findings.assessed_loss_fen() > 0 && cmd.assessed_loss_fen() > 0 &&
      cmd.assessed_loss_fen() != findings.assessed_loss_fen()) {
    return Refuse(
        v1::RULE_FINDINGS, absl::StatusCode::kFailedPrecondition,
        absl::StrCat(ctx.Case(), ": the investigation assessed the loss at ",
                     FormatFen(findings.assessed_loss_fen()),
                     " CNY; a classification takes its figure (another needs ",
                     ctx.state.investigation_open() ? "the findings of the investigation now open"
                                                    : "a new investigation",
                     ")"));
  }
  const v1::Category from = ctx.state.category();
  const v1::Category to = cmd.category() != v1::CATEGORY_UNSPECIFIED ? cmd.category() : from;
  if (from == v1::CATEGORY_LATE && to == v1::CATEGORY_LOSS) {
    // 彻底延误: only a parcel still undelivered past the limit counts as lost.
    const v1::Shipment& s = ctx.state.intake().shipment();
    const int days = ctx.policy.compensation().complete_delay_days();
    if (s.has_delivered_at() || !s.has_promised_by() ||
        ctx.occurred < ToTime(s.promised_by()) + absl::Hours(24 * days)) {
      return RefuseNotNow(v1::RULE_DELAY_NOT_COMPLETE,
                          absl::StrCat(ctx.Case(),
                                       ": a delay becomes a loss only when the "
                                       "parcel is undelivered ",
                                       days, " days past its promised time"));
    }
  }
  const google::protobuf::RepeatedField<int> facts = UnionFacts(ctx.state.facts(), cmd.facts());
  const int64_t assessed =
      cmd.assessed_loss_fen() > 0 ? cmd.assessed_loss_fen() : ctx.state.assessed_loss_fen();
  // The explicit judgement, with its reason: the proven loss when there is
  // one, else the claim. The only way severity goes down.
  const v1::Severity severity =
      ClassifySeverity(assessed > 0 ? assessed : ctx.state.claim_fen(), facts, ctx.policy);
  const v1::Level level = HandlingLevelFor(severity, facts, ctx.policy);
  if (to == from && facts.size() == ctx.state.facts_size() &&
      assessed == ctx.state.assessed_loss_fen() && severity == ctx.state.severity()) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": classify changes nothing"));
  }
  std::vector<v1::Deadline> deadlines = ctx.clock.Recompute(ctx.state, severity);

  v1::CaseEvent event;
  if (to == from) {
    v1::Classified* e = event.mutable_classified();
    *e->mutable_facts() = facts;
    e->set_assessed_loss_fen(assessed);
    e->set_severity(severity);
    e->set_handling_level(level);
    for (v1::Deadline& d : deadlines) *e->add_deadlines() = std::move(d);
    e->set_reason(cmd.reason());
  } else {
    v1::Reclassified* e = event.mutable_reclassified();
    e->set_from_category(from);
    e->set_to_category(to);
    *e->mutable_facts() = facts;
    e->set_assessed_loss_fen(assessed);
    e->set_from_severity(ctx.state.severity());
    e->set_to_severity(severity);
    e->set_handling_level(level);
    for (v1::Deadline& d : deadlines) *e->add_deadlines() = std::move(d);
    e->set_reason(cmd.reason());
  }
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideEscalate(const DecisionContext& ctx) {
  const v1::Escalate& cmd = ctx.command.escalate();
  if (ctx.state.handling_level() >= v1::LEVEL_HEADQUARTERS) {
    return RefuseNotNow(
        v1::RULE_ESCALATION,
        absl::StrCat(ctx.Case(), " is handled at ", v1::Level_Name(ctx.state.handling_level()),
                     ": there is no higher level to escalate to"));
  }
  if (cmd.to_level() <= ctx.state.handling_level()) {
    return Refuse(  // A higher level exists: the level asked for is what to fix.
        v1::RULE_ESCALATION, absl::StatusCode::kInvalidArgument,
        absl::StrCat(ctx.Case(), " is handled at ", v1::Level_Name(ctx.state.handling_level()),
                     ": escalation must go higher, not to ", v1::Level_Name(cmd.to_level())));
  }
  v1::CaseEvent event;
  v1::Escalated* e = event.mutable_escalated();
  e->set_from_level(ctx.state.handling_level());
  e->set_to_level(cmd.to_level());
  e->set_reason(cmd.reason());
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideReportUpward(const DecisionContext& ctx) {
  const v1::ReportUpward& cmd = ctx.command.report_upward();
  DOCKET_RETURN_IF_ERROR(CheckRequiredFields(cmd, "report_upward", ctx.Case()));
  v1::CaseEvent event;
  event.mutable_reported_upward()->set_to_level(cmd.to_level());
  event.mutable_reported_upward()->set_report(cmd.report());
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideMerge(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(
      RequireStage(ctx, {v1::STAGE_OPENED, v1::STAGE_ACKNOWLEDGED, v1::STAGE_RESOLVING},
                   "Merge (before a proposal)"));
  const v1::Merge& cmd = ctx.command.merge();
  if (cmd.survivor_case_id().empty() || cmd.survivor_case_id() == ctx.command.case_id()) {
    return RefuseMalformed(
        absl::StrCat(ctx.Case(), ": merge.survivor_case_id must name another case"));
  }
  DOCKET_RETURN_IF_ERROR(CheckMergeSurvivor(ctx, cmd.survivor_case_id()));
  v1::CaseEvent event;
  event.mutable_merged()->set_survivor_case_id(cmd.survivor_case_id());
  event.mutable_merged()->set_reason(cmd.reason());
  return Single(std::move(event));
}

}  // namespace docket::internal
