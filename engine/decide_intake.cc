// Intake and judgement: registering a complaint (受理登记), step 1 (listen and
// apologise), step 2 (accept and judge), later corrections of the judgement,
// escalation, reporting upward (上报) and merging duplicates.

#include "absl/strings/str_cat.h"
#include "engine/decision_context.h"
#include "engine/refusal.h"
#include "engine/severity.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"

namespace docket::internal {
namespace {

absl::Status CheckNonNegative(const DecisionContext& ctx,
                              std::initializer_list<std::pair<const char*, int64_t>> fields) {
  for (const auto& [name, value] : fields) {
    if (value < 0) {
      return RefuseMalformed(absl::StrCat(ctx.Case(), ": ", name, " must not be negative"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckIntake(const DecisionContext& ctx, const v1::Intake& in) {
  if (in.channel() == v1::CHANNEL_UNSPECIFIED) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": intake.channel is required"));
  }
  if (in.category() == v1::CATEGORY_UNSPECIFIED) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": intake.category is required"));
  }
  if (in.customer().id().empty()) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": intake.customer.id is required"));
  }
  const v1::Shipment& s = in.shipment();
  DOCKET_RETURN_IF_ERROR(CheckNonNegative(
      ctx, {{"intake.claim_fen", in.claim_fen()},
            {"shipment.weight_g", s.weight_g()},
            {"shipment.billed_weight_g", s.billed_weight_g()},
            {"shipment.freight_fen", s.freight_fen()},
            {"shipment.insurance_fee_fen", s.insurance_fee_fen()},
            {"shipment.freight_rate_fen_per_kg", s.freight_rate_fen_per_kg()},
            {"shipment.declared_value_fen", s.declared_value_fen()},
            {"shipment.goods_value_fen", s.goods_value_fen()},
            {"customer.contract.rate_fen_per_kg", in.customer().contract().rate_fen_per_kg()},
            {"customer.contract.freight_multiple", in.customer().contract().freight_multiple()}}));
  if (in.has_link()) {
    if (in.link().kind() == v1::LINK_KIND_UNSPECIFIED || in.link().case_id().empty()) {
      return RefuseMalformed(absl::StrCat(ctx.Case(), ": intake.link needs a kind and a case_id"));
    }
    if (in.link().case_id() == ctx.command.case_id()) {
      return RefuseMalformed(absl::StrCat(ctx.Case(), ": a case cannot link to itself"));
    }
  }
  return absl::OkStatus();
}

// The facts known for a customer: a key account is an aggravating fact.
google::protobuf::RepeatedField<int> FactsWithCustomer(
    const v1::Customer& customer, const google::protobuf::RepeatedField<int>& facts) {
  google::protobuf::RepeatedField<int> key;
  if (customer.key_account()) key.Add(v1::AGGRAVATING_FACT_KEY_ACCOUNT);
  return UnionFacts(facts, key);
}

}  // namespace

absl::StatusOr<Events> DecideOpenCase(const DecisionContext& ctx) {
  v1::Intake intake = ctx.command.open_case().intake();
  DOCKET_RETURN_IF_ERROR(CheckIntake(ctx, intake));
  *intake.mutable_facts() = FactsWithCustomer(intake.customer(), intake.facts());
  const v1::Severity severity = ClassifySeverity(intake.claim_fen(), intake.facts(), ctx.policy);
  v1::CaseEvent event;
  v1::CaseOpened* opened = event.mutable_case_opened();
  for (v1::Deadline& d : ctx.clock.Opening(severity, intake.channel(), ctx.occurred)) {
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
  DOCKET_RETURN_IF_ERROR(CheckNonNegative(ctx, {{"accept.claim_fen", cmd.claim_fen()}}));
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
  accepted->set_handling_level(HandlingLevelFor(severity, ctx.policy));
  for (v1::Deadline& d : ctx.clock.Recompute(ctx.state, severity)) {
    *accepted->add_deadlines() = std::move(d);
  }
  accepted->set_note(cmd.note());
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideClassify(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_RESOLVING}, "Classify (within step 3)"));
  const v1::Classify& cmd = ctx.command.classify();
  if (cmd.reason().empty()) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": classify.reason is required"));
  }
  DOCKET_RETURN_IF_ERROR(
      CheckNonNegative(ctx, {{"classify.assessed_loss_fen", cmd.assessed_loss_fen()}}));
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
  if (to == from && facts.size() == ctx.state.facts_size() &&
      assessed == ctx.state.assessed_loss_fen()) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": classify changes nothing"));
  }
  const v1::Severity severity =
      ClassifySeverity(std::max(ctx.state.claim_fen(), assessed), facts, ctx.policy);
  const v1::Level level = HandlingLevelFor(severity, ctx.policy);
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
  if (cmd.to_level() <= ctx.state.handling_level()) {
    return RefuseNotNow(
        v1::RULE_ESCALATION,
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
  if (cmd.to_level() == v1::LEVEL_UNSPECIFIED) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": report_upward.to_level is required"));
  }
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
  v1::CaseEvent event;
  event.mutable_merged()->set_survivor_case_id(cmd.survivor_case_id());
  event.mutable_merged()->set_reason(cmd.reason());
  return Single(std::move(event));
}

}  // namespace docket::internal
