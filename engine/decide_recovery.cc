// Recovery child cases (服务事故的常用处理办法: 向第三方索赔, 代位求偿;
// 网络追偿细则): after a complaint, the company claims what it lost or paid
// from the party at fault, a subcontractor or airline, or the branch at
// fault. The link to the parent is checked when the case opens
// (decide_links.cc); here its own process: the demand, then the settlement.

#include "absl/strings/str_cat.h"
#include "engine/bounds.h"
#include "engine/decision_context.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"

namespace docket::internal {

absl::StatusOr<Events> DecideDemandRecovery(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_OPENED}, "DemandRecovery"));
  const v1::DemandRecovery& cmd = ctx.command.demand_recovery();
  DOCKET_RETURN_IF_ERROR(CheckRequiredFields(cmd, "demand_recovery", ctx.Case()));
  v1::CaseEvent event;
  event.mutable_recovery_demanded()->set_reference(cmd.reference());
  return Single(std::move(event));
}

// The liable party paid all, part or nothing of the claim; what it says is
// what the amount must be.
absl::StatusOr<Events> DecideSettleRecovery(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(
      RequireStage(ctx, {v1::STAGE_ROUTED}, "SettleRecovery (after the demand)"));
  const v1::SettleRecovery& cmd = ctx.command.settle_recovery();
  DOCKET_RETURN_IF_ERROR(CheckRequiredFields(cmd, "settle_recovery", ctx.Case()));
  DOCKET_RETURN_IF_ERROR(
      CheckBounds(ctx.policy, ctx.Case(),
                  {{"settle_recovery.recovered_fen", cmd.recovered_fen(), Quantity::kAmount}}));
  const int64_t claimed = ctx.state.intake().recovery().amount_fen();
  const int64_t got = cmd.recovered_fen();
  auto refuse = [&](absl::string_view why) {
    return RefuseNotNow(
        v1::RULE_RECOVERY,
        absl::StrCat(ctx.Case(), ": ", v1::RecoveryOutcome_Name(cmd.outcome()), " with ",
                     FormatFen(got), " CNY of ", FormatFen(claimed), " CNY claimed: ", why));
  };
  switch (cmd.outcome()) {
    case v1::RECOVERY_OUTCOME_RECOVERED:
      if (got != claimed) return refuse("recovered means the whole claim");
      break;
    case v1::RECOVERY_OUTCOME_PARTIAL:
      if (got <= 0 || got >= claimed) return refuse("partial means more than 0, less than all");
      break;
    case v1::RECOVERY_OUTCOME_REFUSED:
      if (got != 0) return refuse("refused means nothing was paid");
      if (cmd.note().empty()) return refuse("a refusal needs the reason (note)");
      break;
    default:
      return RefuseMalformed(absl::StrCat(ctx.Case(), ": settle_recovery.outcome is required"));
  }
  v1::CaseEvent event;
  v1::RecoverySettled* e = event.mutable_recovery_settled();
  e->set_outcome(cmd.outcome());
  e->set_recovered_fen(got);
  e->set_note(cmd.note());
  return Single(std::move(event));
}

}  // namespace docket::internal
