#include "engine/deadlines.h"

#include "engine/policy.h"
#include "engine/time_util.h"

namespace docket {

absl::Time DeadlineClock::Add(absl::Time start, int64_t minutes,
                              bool business) const {
  const absl::Duration window = absl::Minutes(minutes);
  return business ? calendar_.AddBusinessTime(start, window) : start + window;
}

v1::Deadline DeadlineClock::Start(v1::DeadlineKind kind, absl::Time start,
                                  v1::Severity severity,
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
  *d.mutable_due_at() = ToProto(Add(start, minutes, business));
  return d;
}

std::vector<v1::Deadline> DeadlineClock::Opening(v1::Severity severity,
                                                 v1::Channel channel,
                                                 absl::Time complained_at) const {
  return {
      Start(v1::DEADLINE_KIND_FIRST_RESPONSE, complained_at, severity, channel),
      Start(v1::DEADLINE_KIND_REPORT_UPWARD, complained_at, severity, channel),
      Start(v1::DEADLINE_KIND_RESOLUTION, complained_at, severity, channel),
      Start(v1::DEADLINE_KIND_REGULATORY_RESULT, complained_at, severity,
            channel),
  };
}

std::vector<v1::Deadline> DeadlineClock::Recompute(const v1::CaseState& state,
                                                   v1::Severity severity) const {
  std::vector<v1::Deadline> out;
  bool report_open = false;
  for (const v1::Deadline& d : state.deadlines()) {
    if (d.met() || d.kind() == v1::DEADLINE_KIND_REGULATORY_RESULT) continue;
    v1::Deadline next = Start(d.kind(), ToTime(d.started_at()), severity,
                              state.intake().channel());
    // What already happened to this window stays on record.
    *next.mutable_warned_percent() = d.warned_percent();
    next.set_breached(d.breached());
    report_open |= d.kind() == v1::DEADLINE_KIND_REPORT_UPWARD;
    out.push_back(std::move(next));
  }
  const v1::Level report_to = ClocksFor(policy_, severity).report_to();
  if (!report_open && state.reported_level() < report_to) {
    out.push_back(Start(v1::DEADLINE_KIND_REPORT_UPWARD,
                        ToTime(state.opened_at()), severity,
                        state.intake().channel()));
  }
  return out;
}

absl::Time DeadlineClock::Mark(const v1::Deadline& deadline, int percent) const {
  // Whole minutes, rounded down: a 4-hour window warns at 120 and 180 min.
  return Add(ToTime(deadline.started_at()),
             deadline.window_minutes() * percent / 100,
             deadline.business_time());
}

const v1::Deadline* FindOpenDeadline(const v1::CaseState& state,
                                     v1::DeadlineKind kind) {
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
