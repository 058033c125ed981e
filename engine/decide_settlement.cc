// Settlement and closing: penalties (确定处罚办法 / 执行), compensation
// payment, and the archive (存档) with its preconditions.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/authority.h"
#include "engine/bounds.h"
#include "engine/case_kind.h"
#include "engine/decider.h"
#include "engine/decision_context.h"
#include "engine/refusal.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"

namespace docket::internal {
namespace {

// Stages in which a case is open and past registration.
constexpr std::initializer_list<v1::Stage> kAfterAcceptance = {
    v1::STAGE_RESOLVING, v1::STAGE_PROPOSED, v1::STAGE_DISPUTED, v1::STAGE_REPLIED,
    v1::STAGE_FOLLOWED_UP};

const v1::CaseState::PenaltyState* FindPenalty(const v1::CaseState& state, const std::string& id) {
  for (const v1::CaseState::PenaltyState& p : state.penalties()) {
    if (p.penalty().penalty_id() == id) return &p;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<Events> DecidePenalty(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, kAfterAcceptance, "DecidePenalty (step 3 onwards)"));
  const v1::Findings& f = ctx.state.findings();
  if (!ctx.state.investigation_concluded() || f.responsible() != v1::RESPONSIBLE_PARTY_INTERNAL) {
    return RefuseNotNow(v1::RULE_PENALTY_NEEDS_INTERNAL_FINDING,
                        absl::StrCat(ctx.Case(),
                                     ": a penalty needs a concluded investigation "
                                     "that finds internal responsibility"));
  }
  const v1::Penalty& p = ctx.command.decide_penalty().penalty();
  if (p.penalty_id().empty() || p.measure().empty()) {
    return RefuseMalformed(
        absl::StrCat(ctx.Case(), ": a penalty needs a penalty_id and a measure"));
  }
  if (FindPenalty(ctx.state, p.penalty_id()) != nullptr) {
    return RefuseMalformed(
        absl::StrCat(ctx.Case(), ": penalty ", p.penalty_id(), " was already decided"));
  }
  DOCKET_RETURN_IF_ERROR(CheckBounds(ctx.policy, ctx.Case(),
                                     {{"penalty.amount_fen", p.amount_fen(), Quantity::kAmount}}));
  // The party the findings name, and only it: an employee only when they
  // name one (a branch found at fault is no finding against any of its
  // people).
  if (p.party_branch() != f.internal_branch() ||
      (!p.party_employee().empty() && p.party_employee() != f.internal_employee())) {
    return RefuseNotNow(v1::RULE_PENALTY_NEEDS_INTERNAL_FINDING,
                        absl::StrCat(ctx.Case(),
                                     ": the penalty must fall on the party the "
                                     "findings name (branch ",
                                     f.internal_branch(),
                                     f.internal_employee().empty()
                                         ? ", no employee"
                                         : absl::StrCat(", employee ", f.internal_employee()),
                                     ")"));
  }
  DOCKET_RETURN_IF_ERROR(
      RequireLevel(ctx, LevelForAmount(p.amount_fen(), ctx.policy),
                   absl::StrCat("a penalty of ", FormatFen(p.amount_fen()), " CNY")));
  v1::CaseEvent event;
  *event.mutable_penalty_decided()->mutable_penalty() = p;
  return Single(std::move(event));
}

std::vector<std::string> UnexecutedPenalties(const v1::CaseState& state) {
  std::vector<std::string> ids;
  for (const v1::CaseState::PenaltyState& p : state.penalties()) {
    if (!p.executed()) ids.push_back(p.penalty().penalty_id());
  }
  return ids;
}

absl::StatusOr<Events> DecideExecutePenalty(const DecisionContext& ctx) {
  const std::string& id = ctx.command.execute_penalty().penalty_id();
  const bool pending = !UnexecutedPenalties(ctx.state).empty();
  const v1::CaseState::PenaltyState* p = FindPenalty(ctx.state, id);
  if (p != nullptr && p->executed()) {
    return RefuseNotNow(v1::RULE_PENALTY_NEEDS_INTERNAL_FINDING,
                        absl::StrCat(ctx.Case(), ": penalty ", id, " was already executed"));
  }
  if (!pending) {
    return RefuseNotNow(v1::RULE_PENALTY_NEEDS_INTERNAL_FINDING,
                        absl::StrCat(ctx.Case(), ": no penalty was decided and awaits execution"));
  }
  if (p == nullptr) {
    return Refuse(  // One awaits: the id is what to fix.
        v1::RULE_PENALTY_NEEDS_INTERNAL_FINDING, absl::StatusCode::kInvalidArgument,
        absl::StrCat(ctx.Case(), ": penalty ", id, " was never decided"));
  }
  v1::CaseEvent event;
  event.mutable_penalty_executed()->set_penalty_id(id);
  return Single(std::move(event));
}

absl::StatusOr<Events> DecidePayCompensation(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_REPLIED, v1::STAGE_FOLLOWED_UP},
                                      "PayCompensation (after the customer accepts)"));
  const v1::PayCompensation& cmd = ctx.command.pay_compensation();
  DOCKET_RETURN_IF_ERROR(
      CheckBounds(ctx.policy, ctx.Case(),
                  {{"pay_compensation.amount_fen", cmd.amount_fen(), Quantity::kAmount}}));
  const int64_t owed = OwedFen(ctx.state);
  if (owed <= 0) {
    return RefuseNotNow(v1::RULE_PAYMENT, absl::StrCat(ctx.Case(), ": nothing is owed"));
  }
  if (cmd.amount_fen() <= 0 || cmd.amount_fen() > owed) {
    return Refuse(  // The case owes: the amount is what to fix.
        v1::RULE_PAYMENT, absl::StatusCode::kInvalidArgument,
        absl::StrCat(ctx.Case(), ": ", FormatFen(owed), " CNY is owed; a payment of ",
                     FormatFen(cmd.amount_fen()), " CNY does not fit"));
  }
  DOCKET_RETURN_IF_ERROR(CheckPaymentApprovals(ctx));
  // 处理权限 covers what the case pays in all, not each payment: two
  // payments of 3,000 need the authority for 6,000.
  DOCKET_ASSIGN_OR_RETURN(const int64_t total, AddAmounts(ctx.policy, ctx.Case(), "the total paid",
                                                          ctx.state.paid_fen(), cmd.amount_fen()));
  DOCKET_RETURN_IF_ERROR(
      RequireLevel(ctx, LevelForAmount(total, ctx.policy),
                   absl::StrCat("a payment of ", FormatFen(cmd.amount_fen()), " CNY (",
                                FormatFen(total), " CNY paid on the case in all)")));
  v1::CaseEvent event;
  event.mutable_compensation_paid()->set_amount_fen(cmd.amount_fen());
  event.mutable_compensation_paid()->set_payment_reference(cmd.payment_reference());
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideArchive(const DecisionContext& ctx) {
  const v1::CaseState& s = ctx.state;
  std::vector<std::string> missing;
  if (KindOf(s) != v1::CASE_KIND_COMPLAINT) {
    // The short flows archive once their outcome is recorded.
    if (s.stage() != v1::STAGE_CONCLUDED) {
      missing.push_back(absl::StrCat("the ", v1::CaseKind_Name(KindOf(s)), "'s outcome"));
    }
  } else if (s.stage() != v1::STAGE_FOLLOWED_UP) {
    missing.push_back("the follow-up (step 6)");
  }
  if (s.proposed_fen() > s.paid_fen() && !s.compensation_declined()) {
    missing.push_back(absl::StrCat("payment of ", FormatFen(s.proposed_fen() - s.paid_fen()),
                                   " CNY (or the customer declining it)"));
  }
  for (const std::string& id : UnexecutedPenalties(s)) {
    missing.push_back(absl::StrCat("execution of penalty ", id));
  }
  for (const v1::Deadline& d : s.deadlines()) {
    if (!d.met()) {
      missing.push_back(absl::StrCat("the open ", v1::DeadlineKind_Name(d.kind()), " deadline"));
    }
  }
  if (s.awaiting_customer()) missing.push_back("the customer's response");
  if (!missing.empty()) {
    return RefuseNotNow(v1::RULE_ARCHIVE_PRECONDITIONS,
                        absl::StrCat(ctx.Case(), " cannot be archived yet; missing: ",
                                     absl::StrJoin(missing, "; ")));
  }
  v1::CaseEvent event;
  event.mutable_archived()->set_note(ctx.command.archive().note());
  return Single(std::move(event));
}

}  // namespace docket::internal

namespace docket {

int64_t OwedFen(const v1::CaseState& state) {
  if (state.compensation_declined()) return 0;
  return std::max<int64_t>(0, state.proposed_fen() - state.paid_fen());
}

}  // namespace docket
