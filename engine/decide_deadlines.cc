// The clocks of a case: waiting for the customer stops the internal ones
// and the customer's response starts them again; the deadline scanner
// records warnings and breaches (with the automatic escalation one level
// up) as the policy's marks and due times pass.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/decision_context.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"

namespace docket::internal {
namespace {

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
    const bool any_open = std::any_of(ctx.state.deadlines().begin(), ctx.state.deadlines().end(),
                                      [](const v1::Deadline& open) { return !open.met(); });
    // With none open nothing is due; with some, the kind named is what to fix.
    return Refuse(
        v1::RULE_DEADLINE,
        any_open ? absl::StatusCode::kInvalidArgument : absl::StatusCode::kFailedPrecondition,
        absl::StrCat(ctx.Case(), " has no open ", v1::DeadlineKind_Name(kind), " deadline"));
  }
  return d;
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

}  // namespace

absl::StatusOr<Events> DecideAwaitCustomer(const DecisionContext& ctx) {
  if (ctx.state.awaiting_customer()) {
    return RefuseNotNow(v1::RULE_AWAITING_CUSTOMER,
                        absl::StrCat(ctx.Case(), " already waits for the customer"));
  }
  DOCKET_RETURN_IF_ERROR(
      CheckRequiredFields(ctx.command.await_customer(), "await_customer", ctx.Case()));
  // Step 1 comes first: the customer is listened to and answered before
  // the case waits on them, so waiting never holds the first response
  // (nor the report upward that runs beside it).
  if (ctx.state.stage() == v1::STAGE_OPENED) {
    return RefuseNotNow(v1::RULE_STEP_ORDER,
                        absl::StrCat(ctx.Case(),
                                     " is at STAGE_OPENED: the customer is answered first (step 1, "
                                     "listen and apologise), then the case may wait for them"));
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
  // Met at its due time is met on time: breached only after it.
  if (ctx.now <= ToTime(d->due_at())) {
    return RefuseNotNow(
        v1::RULE_DEADLINE,
        absl::StrCat(ctx.Case(), ": ", v1::DeadlineKind_Name(kind),
                     " is breached only after its due time ", FormatUtc(ToTime(d->due_at()))));
  }
  const v1::Level from = ctx.state.handling_level();
  const bool escalates = from < v1::LEVEL_HEADQUARTERS;
  const bool regulatory = kind == v1::DEADLINE_KIND_REGULATORY_RESULT;
  // An appeal case is the regulator's: when its own result is late it goes
  // straight to headquarters, and nothing appeals it again.
  const bool appeal_case = ctx.state.link().kind() == v1::LINK_KIND_REGULATOR_APPEAL;
  const v1::Level to =
      regulatory && appeal_case ? v1::LEVEL_HEADQUARTERS : static_cast<v1::Level>(from + 1);
  // An internal clock runs a next window at the higher level; the regulatory
  // clock passes once (the customer's appeal takes over), as does any clock
  // at the top.
  const bool next_window = escalates && !regulatory;
  Events events(1);
  v1::DeadlineBreached* breached = events[0].mutable_deadline_breached();
  breached->set_kind(kind);
  *breached->mutable_due_at() = d->due_at();
  *breached->mutable_next() = next_window ? ctx.clock.NextWindow(*d) : DeadlineClock::Silence(*d);
  if (escalates) {
    v1::Escalated* e = events.emplace_back().mutable_escalated();
    e->set_from_level(from);
    e->set_to_level(to);
    e->set_reason(absl::StrCat(v1::DeadlineKind_Name(kind), " breached"));
    e->set_automatic(true);
    e->set_breached_deadline(kind);
  }
  return events;
}

}  // namespace docket::internal
