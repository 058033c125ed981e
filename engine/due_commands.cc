#include "engine/due_commands.h"

#include "absl/strings/str_cat.h"
#include "engine/deadlines.h"
#include "engine/decider.h"
#include "engine/evolve.h"
#include "engine/input_grammar.h"
#include "engine/time_util.h"

namespace docket {
namespace {

// Earlier first; at the same instant, by kind, then warnings (ascending)
// before the breach.
bool Before(const DueMark& a, const DueMark& b) {
  if (a.at != b.at) return a.at < b.at;
  if (a.kind != b.kind) return a.kind < b.kind;
  return (a.percent == 0 ? 101 : a.percent) < (b.percent == 0 ? 101 : b.percent);
}

v1::Command Base(std::string id, std::string case_id, absl::Time occurred,
                 const v1::Actor& scanner) {
  v1::Command c;
  c.set_command_id(std::move(id));
  c.set_case_id(std::move(case_id));
  *c.mutable_actor() = scanner;
  *c.mutable_occurred_at() = ToProto(occurred);
  return c;
}

}  // namespace

bool Reached(const DueMark& mark, absl::Time now) {
  return mark.percent > 0 ? mark.at <= now : mark.at < now;
}

std::optional<DueMark> NextDueMark(const v1::CaseState& state) {
  if (state.revision() == 0 || IsClosed(state)) return std::nullopt;
  std::optional<DueMark> next;
  for (const v1::Deadline& d : state.deadlines()) {
    const std::optional<absl::Time> at = NextActionTime(d);
    if (!at.has_value()) continue;
    const v1::DeadlineMark* mark = NextUnwarnedMark(d);
    DueMark candidate{*at, d.kind(), d.window_number(), mark != nullptr ? mark->percent() : 0};
    if (!next.has_value() || Before(candidate, *next)) next = candidate;
  }
  return next;
}

v1::Command DueMarkCommand(const v1::CaseState& state, const DueMark& mark,
                           const v1::Actor& scanner) {
  const std::string id = absl::StrCat(
      "deadline:", state.case_id(), ":", v1::DeadlineKind_Name(mark.kind), ":", mark.window_number,
      ":", mark.percent > 0 ? absl::StrCat(mark.percent) : std::string("breach"));
  v1::Command c = Base(id, state.case_id(), mark.at, scanner);
  if (mark.percent > 0) {
    c.mutable_record_deadline_warning()->set_kind(mark.kind);
    c.mutable_record_deadline_warning()->set_percent(mark.percent);
  } else {
    c.mutable_record_deadline_breach()->set_kind(mark.kind);
  }
  return c;
}

v1::Command AppealCommand(const v1::CaseState& state, absl::Time at, const v1::Actor& scanner) {
  v1::Command c = Base(absl::StrCat("appeal:", state.case_id()),
                       absl::StrCat(state.case_id(), kAppealSuffix), at, scanner);
  v1::Intake* intake = c.mutable_open_case()->mutable_intake();
  *intake = state.intake();
  intake->set_kind(v1::CASE_KIND_COMPLAINT);
  intake->set_channel(v1::CHANNEL_REGULATOR);
  intake->set_category(state.category());
  intake->set_claim_fen(state.claim_fen());
  *intake->mutable_facts() = state.facts();
  intake->mutable_link()->set_kind(v1::LINK_KIND_REGULATOR_APPEAL);
  intake->mutable_link()->set_case_id(state.case_id());
  intake->set_description(
      absl::StrCat("appeal to the postal authority (12305): no handling result within the "
                   "regulatory window of case ",
                   state.case_id()));
  return c;
}

std::vector<v1::Command> DueCommands(const v1::CaseState& state, absl::Time now,
                                     const v1::Policy& policy, const Calendar& calendar,
                                     const v1::Actor& scanner) {
  // Every clock falls silent after its window at headquarters, so the
  // marks of a case are few; the bound only guards against a defect.
  constexpr int kMaxMarks = 10000;
  std::vector<v1::Command> out;
  v1::CaseState s = state;
  int planned = 0;
  for (std::optional<DueMark> mark = NextDueMark(s);
       mark.has_value() && Reached(*mark, now) && planned < kMaxMarks; mark = NextDueMark(s)) {
    ++planned;
    v1::Command command = DueMarkCommand(s, *mark, scanner);
    absl::StatusOr<std::vector<v1::CaseEvent>> events = Decide(s, command, policy, now, calendar);
    // A sound state is never refused. Were one, the command is not sent:
    // its refusal would be recorded, final, under an id derived from the
    // case, and the clock could not go on even once the engine is mended.
    if (!events.ok()) break;
    const bool appeal = mark->percent == 0 && mark->kind == v1::DEADLINE_KIND_REGULATORY_RESULT &&
                        s.link().kind() != v1::LINK_KIND_REGULATOR_APPEAL;
    const v1::CaseState before = s;
    for (const v1::CaseEvent& e : *events) Apply(e, &s);
    out.push_back(std::move(command));
    // In the same group as the breach: both happen, or neither.
    if (appeal) out.push_back(AppealCommand(before, mark->at, scanner));
  }
  return out;
}

}  // namespace docket
