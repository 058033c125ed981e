// Settlement and closing: penalties (确定处罚办法 / 执行), compensation
// payment, waiting for the customer, the deadline scanner's records, and the
// archive (存档) with its preconditions.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/authority.h"
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

absl::Status RequireSystem(const DecisionContext& ctx) {
  if (ctx.command.actor().role() == v1::ROLE_SYSTEM) return absl::OkStatus();
  return Refuse(v1::RULE_DEADLINE, absl::StatusCode::kPermissionDenied,
                absl::StrCat(ctx.Case(),
                             ": only docket's deadline scanner "
                             "(ROLE_SYSTEM) records deadline events"));
}

absl::StatusOr<const v1::Deadline*> OpenDeadline(const DecisionContext& ctx,
                                                 v1::DeadlineKind kind) {
  const v1::Deadline* d = FindOpenDeadline(ctx.state, kind);
  if (d == nullptr) {
    return RefuseNotNow(v1::RULE_DEADLINE, absl::StrCat(ctx.Case(), " has no open ",
                                                        v1::DeadlineKind_Name(kind), " deadline"));
  }
  return d;
}

}  // namespace

absl::StatusOr<Events> DecideDecidePenalty(const DecisionContext& ctx) {
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
  if (p.amount_fen() < 0) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": penalty amount must not be negative"));
  }
  if (p.party_branch() != f.internal_branch() ||
      (!p.party_employee().empty() && !f.internal_employee().empty() &&
       p.party_employee() != f.internal_employee())) {
    return RefuseNotNow(
        v1::RULE_PENALTY_NEEDS_INTERNAL_FINDING,
        absl::StrCat(
            ctx.Case(),
            ": the penalty must fall on the party the "
            "findings name (branch ",
            f.internal_branch(),
            f.internal_employee().empty() ? "" : absl::StrCat(", employee ", f.internal_employee()),
            ")"));
  }
  DOCKET_RETURN_IF_ERROR(
      RequireLevel(ctx, LevelForAmount(p.amount_fen(), ctx.policy),
                   absl::StrCat("a penalty of ", FormatFen(p.amount_fen()), " CNY")));
  v1::CaseEvent event;
  *event.mutable_penalty_decided()->mutable_penalty() = p;
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideExecutePenalty(const DecisionContext& ctx) {
  const std::string& id = ctx.command.execute_penalty().penalty_id();
  const v1::CaseState::PenaltyState* p = FindPenalty(ctx.state, id);
  if (p == nullptr || p->executed()) {
    return RefuseNotNow(
        v1::RULE_PENALTY_NEEDS_INTERNAL_FINDING,
        absl::StrCat(ctx.Case(), ": penalty ", id,
                     p == nullptr ? " was never decided" : " was already executed"));
  }
  v1::CaseEvent event;
  event.mutable_penalty_executed()->set_penalty_id(id);
  return Single(std::move(event));
}

absl::StatusOr<Events> DecidePayCompensation(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_REPLIED, v1::STAGE_FOLLOWED_UP},
                                      "PayCompensation (after the customer accepts)"));
  const v1::PayCompensation& cmd = ctx.command.pay_compensation();
  const int64_t owed =
      ctx.state.compensation_declined() ? 0 : ctx.state.proposed_fen() - ctx.state.paid_fen();
  if (cmd.amount_fen() <= 0 || cmd.amount_fen() > owed) {
    return RefuseNotNow(
        v1::RULE_PAYMENT,
        absl::StrCat(ctx.Case(), ": ", FormatFen(owed), " CNY is owed; a payment of ",
                     FormatFen(cmd.amount_fen()), " CNY does not fit"));
  }
  DOCKET_RETURN_IF_ERROR(
      RequireLevel(ctx, LevelForAmount(cmd.amount_fen(), ctx.policy),
                   absl::StrCat("a payment of ", FormatFen(cmd.amount_fen()), " CNY")));
  v1::CaseEvent event;
  event.mutable_compensation_paid()->set_amount_fen(cmd.amount_fen());
  event.mutable_compensation_paid()->set_payment_reference(cmd.payment_reference());
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideAwaitCustomer(const DecisionContext& ctx) {
  if (ctx.state.awaiting_customer()) {
    return RefuseNotNow(v1::RULE_AWAITING_CUSTOMER,
                        absl::StrCat(ctx.Case(), " already waits for the customer"));
  }
  if (ctx.command.await_customer().reason().empty()) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": await_customer.reason is required"));
  }
  v1::CaseEvent event;
  event.mutable_awaiting_customer()->set_reason(ctx.command.await_customer().reason());
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideRecordCustomerResponse(const DecisionContext& ctx) {
  if (!ctx.state.awaiting_customer()) {
    return RefuseNotNow(v1::RULE_AWAITING_CUSTOMER,
                        absl::StrCat(ctx.Case(), " is not waiting for the customer"));
  }
  v1::CaseEvent event;
  v1::CustomerResponded* e = event.mutable_customer_responded();
  e->set_note(ctx.command.record_customer_response().note());
  for (const v1::Deadline& d : ctx.state.deadlines()) {
    if (!d.met() && d.has_paused_since()) *e->add_deadlines() = ctx.clock.Resume(d, ctx.occurred);
  }
  return Single(std::move(event));
}

// A deadline the scanner may act on: open, running, not silenced.
absl::StatusOr<const v1::Deadline*> RunningDeadline(const DecisionContext& ctx,
                                                    v1::DeadlineKind kind) {
  DOCKET_ASSIGN_OR_RETURN(const v1::Deadline* d, OpenDeadline(ctx, kind));
  if (d->has_paused_since()) {
    return RefuseNotNow(v1::RULE_DEADLINE,
                        absl::StrCat(ctx.Case(), ": ", v1::DeadlineKind_Name(kind),
                                     " stands still while the case waits for the customer"));
  }
  if (d->silenced()) {
    return RefuseNotNow(v1::RULE_DEADLINE,
                        absl::StrCat(ctx.Case(), ": ", v1::DeadlineKind_Name(kind),
                                     " was breached at the top level; nothing more to record"));
  }
  return d;
}

absl::StatusOr<Events> DecideRecordDeadlineWarning(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireSystem(ctx));
  const v1::RecordDeadlineWarning& cmd = ctx.command.record_deadline_warning();
  DOCKET_ASSIGN_OR_RETURN(const v1::Deadline* d, RunningDeadline(ctx, cmd.kind()));
  const v1::DeadlineMark* mark = nullptr;
  for (const v1::DeadlineMark& m : d->marks()) {
    if (m.percent() == cmd.percent()) mark = &m;
  }
  if (mark == nullptr) {
    return RefuseMalformed(
        absl::StrCat(ctx.Case(), ": ", cmd.percent(), "% is not a warning mark of this deadline"));
  }
  const auto& warned = d->warned_percent();
  if (std::find(warned.begin(), warned.end(), cmd.percent()) != warned.end()) {
    return RefuseNotNow(v1::RULE_DEADLINE,
                        absl::StrCat(ctx.Case(), ": the ", cmd.percent(), "% warning of ",
                                     v1::DeadlineKind_Name(cmd.kind()), " was already recorded"));
  }
  if (ctx.now < ToTime(mark->at())) {
    return RefuseNotNow(
        v1::RULE_DEADLINE,
        absl::StrCat(ctx.Case(), ": ", v1::DeadlineKind_Name(cmd.kind()), " reaches ",
                     cmd.percent(), "% only at ", FormatUtc(ToTime(mark->at()))));
  }
  v1::CaseEvent event;
  v1::DeadlineWarning* e = event.mutable_deadline_warning();
  e->set_kind(cmd.kind());
  e->set_percent(cmd.percent());
  *e->mutable_due_at() = d->due_at();
  return Single(std::move(event));
}

absl::StatusOr<Events> DecideRecordDeadlineBreach(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireSystem(ctx));
  const v1::DeadlineKind kind = ctx.command.record_deadline_breach().kind();
  DOCKET_ASSIGN_OR_RETURN(const v1::Deadline* d, RunningDeadline(ctx, kind));
  if (ctx.now < ToTime(d->due_at())) {
    return RefuseNotNow(v1::RULE_DEADLINE,
                        absl::StrCat(ctx.Case(), ": ", v1::DeadlineKind_Name(kind),
                                     " is due only at ", FormatUtc(ToTime(d->due_at()))));
  }
  const v1::Level from = ctx.state.handling_level();
  const bool escalates = from < v1::LEVEL_HEADQUARTERS;
  // An internal clock runs a next window at the higher level; the regulatory
  // clock passes once (the customer's appeal takes over), as does any clock
  // at the top.
  const bool next_window = escalates && kind != v1::DEADLINE_KIND_REGULATORY_RESULT;
  Events events(1);
  v1::DeadlineBreached* breached = events[0].mutable_deadline_breached();
  breached->set_kind(kind);
  *breached->mutable_due_at() = d->due_at();
  *breached->mutable_next() = next_window ? ctx.clock.NextWindow(*d) : DeadlineClock::Silence(*d);
  if (escalates) {
    v1::Escalated* e = events.emplace_back().mutable_escalated();
    e->set_from_level(from);
    e->set_to_level(static_cast<v1::Level>(from + 1));
    e->set_reason(absl::StrCat(v1::DeadlineKind_Name(kind), " breached"));
    e->set_automatic(true);
    e->set_breached_deadline(kind);
  }
  return events;
}

absl::StatusOr<Events> DecideArchive(const DecisionContext& ctx) {
  const v1::CaseState& s = ctx.state;
  std::vector<std::string> missing;
  if (s.stage() != v1::STAGE_FOLLOWED_UP) missing.push_back("the follow-up (step 6)");
  if (s.proposed_fen() > s.paid_fen() && !s.compensation_declined()) {
    missing.push_back(absl::StrCat("payment of ", FormatFen(s.proposed_fen() - s.paid_fen()),
                                   " CNY (or the customer declining it)"));
  }
  for (const v1::CaseState::PenaltyState& p : s.penalties()) {
    if (!p.executed()) {
      missing.push_back(absl::StrCat("execution of penalty ", p.penalty().penalty_id()));
    }
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
