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

v1::Deadline DeadlineClock::Start(v1::DeadlineKind kind, absl::Time start, v1::Severity severity,
                                  v1::Channel channel) const {
  const v1::SeverityClocks& clocks = ClocksFor(policy_, severity);
  int64_t minutes = 0;
  bool business = clocks.business_time();
  v1::Deadline d;
  switch (kind) {
    case v1::DEADLINE_KIND_FIRST_RESPONSE:
      minutes = clocks.first_response_minutes();
      business = clocks.first_response_business_time();
      for (const v1::ChannelFirstReply& c : policy_.channel_first_reply()) {
        if (c.channel() == channel && c.minutes() < minutes) minutes = c.minutes();
      }
      break;
    case v1::DEADLINE_KIND_REPORT_UPWARD:
      minutes = clocks.report_upward_minutes();
      d.set_report_to(clocks.report_to());
      break;
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
    default:
      break;
  }
  d.set_kind(kind);
  *d.mutable_started_at() = ToProto(start);
  d.set_window_minutes(minutes);
  d.set_business_time(business);
  d.set_window_number(1);
  Schedule(&d);
  return d;
}

std::vector<v1::Deadline> DeadlineClock::Opening(v1::Severity severity, v1::Channel channel,
                                                 absl::Time complained_at) const {
  return {
      Start(v1::DEADLINE_KIND_FIRST_RESPONSE, complained_at, severity, channel),
      Start(v1::DEADLINE_KIND_REPORT_UPWARD, complained_at, severity, channel),
      Start(v1::DEADLINE_KIND_RESOLUTION, complained_at, severity, channel),
      Start(v1::DEADLINE_KIND_REGULATORY_RESULT, complained_at, severity, channel),
  };
}

std::vector<v1::Deadline> DeadlineClock::Recompute(const v1::CaseState& state,
                                                   v1::Severity severity) const {
  std::vector<v1::Deadline> out;
  bool report_open = false;
  for (const v1::Deadline& d : state.deadlines()) {
    if (d.met() || d.kind() == v1::DEADLINE_KIND_REGULATORY_RESULT) continue;
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
