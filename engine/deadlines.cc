#include "engine/deadlines.h"

#include <algorithm>

#include "engine/policy.h"
#include "engine/time_util.h"

namespace docket {

absl::Time DeadlineClock::Add(absl::Time start, absl::Duration d, bool business) const {
  return business ? calendar_.AddBusinessTime(start, d) : start + d;
}

void DeadlineClock::Schedule(v1::Deadline* d) const {
  const absl::Time start = ToTime(d->started_at());
  const absl::Duration paused = absl::Seconds(d->paused_seconds());
  *d->mutable_due_at() =
      ToProto(Add(start, absl::Minutes(d->window_minutes()) + paused, d->business_time()));
  d->clear_marks();
  for (int percent : policy_.warning_percent()) {
    v1::DeadlineMark* mark = d->add_marks();
    mark->set_percent(percent);
    // Whole seconds, rounded down: a 4-hour window warns at 2 h and 3 h.
    const absl::Duration part = absl::Seconds(d->window_minutes() * 60 * percent / 100);
    *mark->mutable_at() = ToProto(Add(start, part + paused, d->business_time()));
  }
}

v1::Deadline DeadlineClock::Make(v1::DeadlineKind kind, absl::Time start, int64_t minutes,
                                 bool business) const {
  v1::Deadline d;
  d.set_kind(kind);
  *d.mutable_started_at() = ToProto(start);
  d.set_window_minutes(minutes);
  d.set_business_time(business);
  d.set_window_number(1);
  Schedule(&d);
  return d;
}

v1::Deadline DeadlineClock::Start(v1::DeadlineKind kind, absl::Time start, v1::Severity severity,
                                  v1::Channel channel) const {
  const v1::SeverityClocks& clocks = ClocksFor(policy_, severity);
  int64_t minutes = 0;
  bool business = clocks.business_time();
  switch (kind) {
    case v1::DEADLINE_KIND_FIRST_RESPONSE:
      minutes = clocks.first_response_minutes();
      business = clocks.first_response_business_time();
      for (const v1::ChannelFirstReply& c : policy_.channel_first_reply()) {
        if (c.channel() == channel && c.minutes() < minutes) minutes = c.minutes();
      }
      break;
    case v1::DEADLINE_KIND_REPORT_UPWARD: {
      v1::Deadline d = Make(kind, start, clocks.report_upward_minutes(), business);
      d.set_report_to(clocks.report_to());
      return d;
    }
    case v1::DEADLINE_KIND_RESOLUTION:
      minutes = clocks.resolution_minutes();
      break;
    case v1::DEADLINE_KIND_REPLY:
      minutes = clocks.reply_minutes();
      break;
    case v1::DEADLINE_KIND_FOLLOW_UP:
      minutes = clocks.follow_up_minutes();
      break;
    case v1::DEADLINE_KIND_REGULATORY_RESULT:
      minutes = policy_.regulatory_result_minutes();
      business = false;
      break;
    case v1::DEADLINE_KIND_PROGRESS_NOTICE: {
      const v1::ProgressNoticePolicy& p = policy_.progress_notice();
      if (severity == v1::SEVERITY_EXTRAORDINARY) {
        minutes = p.extraordinary_update_minutes();
        business = false;
      } else {
        minutes = p.window_minutes();
        business = p.business_time();
      }
      break;
    }
    default:
      break;
  }
  return Make(kind, start, minutes, business);
}

v1::Deadline DeadlineClock::StartFlow(v1::DeadlineKind kind, absl::Time start,
                                      v1::CaseKind case_kind, v1::LinkKind link) const {
  int64_t minutes = 0;
  bool business = false;
  if (case_kind == v1::CASE_KIND_INQUIRY) {
    minutes = kind == v1::DEADLINE_KIND_FIRST_RESPONSE
                  ? policy_.inquiry().answer_minutes()
                  : policy_.inquiry().department_reply_minutes();
    business = policy_.inquiry().business_time();
  } else if (case_kind == v1::CASE_KIND_SUGGESTION) {
    minutes = kind == v1::DEADLINE_KIND_FEEDBACK ? policy_.suggestion().feedback_minutes()
                                                 : policy_.suggestion().evaluation_minutes();
    business = policy_.suggestion().business_time();
  } else if (case_kind == v1::CASE_KIND_RECOVERY) {
    minutes = link == v1::LINK_KIND_NETWORK_RECOVERY
                  ? policy_.recovery().network_recovery_minutes()
                  : policy_.recovery().third_party_claim_minutes();
  }
  return Make(kind, start, minutes, business);
}

std::vector<v1::Deadline> DeadlineClock::Opening(const v1::Intake& intake, v1::Severity severity,
                                                 absl::Time at) const {
  const v1::LinkKind link = intake.link().kind();
  switch (intake.kind()) {
    case v1::CASE_KIND_INQUIRY:
      return {StartFlow(v1::DEADLINE_KIND_FIRST_RESPONSE, at, intake.kind(), link)};
    case v1::CASE_KIND_SUGGESTION:
      return {StartFlow(v1::DEADLINE_KIND_FEEDBACK, at, intake.kind(), link)};
    case v1::CASE_KIND_RECOVERY:
      return {StartFlow(v1::DEADLINE_KIND_RECOVERY, at, intake.kind(), link)};
    default:
      break;
  }
  const v1::Channel channel = intake.channel();
  return {
      Start(v1::DEADLINE_KIND_FIRST_RESPONSE, at, severity, channel),
      Start(v1::DEADLINE_KIND_REPORT_UPWARD, at, severity, channel),
      Start(v1::DEADLINE_KIND_RESOLUTION, at, severity, channel),
      Start(v1::DEADLINE_KIND_PROGRESS_NOTICE, at, severity, channel),
      Start(v1::DEADLINE_KIND_REGULATORY_RESULT, at, severity, channel),
  };
}

v1::Deadline DeadlineClock::NextProgressNotice(absl::Time at, absl::Time expected,
                                               v1::Severity severity) const {
  if (severity == v1::SEVERITY_EXTRAORDINARY) {
    return Start(v1::DEADLINE_KIND_PROGRESS_NOTICE, at, severity, v1::CHANNEL_UNSPECIFIED);
  }
  // Whole minutes, rounded up: never due before the promised time.
  const int64_t minutes = (absl::ToInt64Seconds(expected - at) + 59) / 60;
  return Make(v1::DEADLINE_KIND_PROGRESS_NOTICE, at, minutes, /*business=*/false);
}

std::vector<v1::Deadline> DeadlineClock::Recompute(const v1::CaseState& state,
                                                   v1::Severity severity) const {
  std::vector<v1::Deadline> out;
  bool report_open = false;
  for (const v1::Deadline& d : state.deadlines()) {
    if (d.met() || d.kind() == v1::DEADLINE_KIND_REGULATORY_RESULT) continue;
    if (d.kind() == v1::DEADLINE_KIND_PROGRESS_NOTICE && severity != v1::SEVERITY_EXTRAORDINARY) {
      continue;
    }
    const v1::Deadline fresh =
        Start(d.kind(), ToTime(d.started_at()), severity, state.intake().channel());
    // The new window and level; everything that already happened stays.
    v1::Deadline next = d;
    next.set_window_minutes(fresh.window_minutes());
    next.set_business_time(fresh.business_time());
    next.set_report_to(fresh.report_to());
    Schedule(&next);
    report_open |= d.kind() == v1::DEADLINE_KIND_REPORT_UPWARD;
    out.push_back(std::move(next));
  }
  const v1::Level report_to = ClocksFor(policy_, severity).report_to();
  if (!report_open && state.reported_level() < report_to) {
    out.push_back(Start(v1::DEADLINE_KIND_REPORT_UPWARD, ToTime(state.opened_at()), severity,
                        state.intake().channel()));
  }
  return out;
}

v1::Deadline DeadlineClock::Resume(const v1::Deadline& d, absl::Time at) const {
  v1::Deadline next = d;
  const absl::Time since = ToTime(d.paused_since());
  const absl::Duration stood = d.business_time() ? calendar_.BusinessTimeBetween(since, at)
                                                 : std::max(absl::ZeroDuration(), at - since);
  next.set_paused_seconds(d.paused_seconds() + absl::ToInt64Seconds(stood));
  next.clear_paused_since();
  Schedule(&next);
  return next;
}

v1::Deadline DeadlineClock::NextWindow(const v1::Deadline& d) const {
  v1::Deadline next = d;
  *next.mutable_started_at() = d.due_at();
  next.set_paused_seconds(0);
  next.clear_warned_percent();
  next.set_breached(true);
  next.set_breach_count(d.breach_count() + 1);
  next.set_window_number(d.window_number() + 1);
  Schedule(&next);
  return next;
}

v1::Deadline DeadlineClock::Silence(const v1::Deadline& d) {
  v1::Deadline next = d;
  next.set_breached(true);
  next.set_breach_count(d.breach_count() + 1);
  next.set_silenced(true);
  return next;
}

const v1::DeadlineMark* NextUnwarnedMark(const v1::Deadline& d) {
  const auto& warned = d.warned_percent();
  for (const v1::DeadlineMark& mark : d.marks()) {
    if (std::find(warned.begin(), warned.end(), mark.percent()) == warned.end()) {
      return &mark;
    }
  }
  return nullptr;
}

std::optional<absl::Time> NextActionTime(const v1::Deadline& d) {
  if (d.met() || d.silenced() || d.has_paused_since()) return std::nullopt;
  const v1::DeadlineMark* mark = NextUnwarnedMark(d);
  return ToTime(mark != nullptr ? mark->at() : d.due_at());
}

const v1::Deadline* FindOpenDeadline(const v1::CaseState& state, v1::DeadlineKind kind) {
  for (const v1::Deadline& d : state.deadlines()) {
    if (d.kind() == kind && !d.met()) return &d;
  }
  return nullptr;
}

v1::Deadline* FindOpenDeadline(v1::CaseState* state, v1::DeadlineKind kind) {
  for (v1::Deadline& d : *state->mutable_deadlines()) {
    if (d.kind() == kind && !d.met()) return &d;
  }
  return nullptr;
}

}  // namespace docket
