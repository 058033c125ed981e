#ifndef DOCKET_ENGINE_DEADLINES_H_
#define DOCKET_ENGINE_DEADLINES_H_

#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "docket/v1/common.pb.h"
#include "docket/v1/policy.pb.h"
#include "docket/v1/state.pb.h"
#include "engine/calendar.h"

namespace docket {

// Computes the due times and warning marks of a case's two clocks from
// policy: the regulatory clock (a result within
// policy.regulatory_result_minutes of the complaint, calendar time, never
// paused) and the internal SLA clocks per severity (and per channel for the
// first reply), counted on `calendar` where the policy says business time.
// Time the case waited for the customer is added to the internal windows.
//
// Thread safety: immutable; the referenced policy and calendar must outlive it.
class DeadlineClock {
 public:
  DeadlineClock(const v1::Policy& policy, const Calendar& calendar)
      : policy_(policy), calendar_(calendar) {}

  // A new open deadline of a complaint's `kind` whose first window starts
  // at `start`. REQUIRES: severity is set; `channel` matters only for
  // FIRST_RESPONSE.
  v1::Deadline Start(v1::DeadlineKind kind, absl::Time start, v1::Severity severity,
                     v1::Channel channel) const;

  // A new open deadline of `kind` for a case of `case_kind` that is not a
  // complaint (an inquiry's first answer and its department's reply, a
  // suggestion's evaluation and feedback, a recovery of `link`'s kind).
  v1::Deadline StartFlow(v1::DeadlineKind kind, absl::Time start, v1::CaseKind case_kind,
                         v1::LinkKind link) const;

  // The clocks a case starts when it is registered. A complaint: first
  // response, report upward, resolution, progress notice (internal) and the
  // regulatory result. An inquiry: its first answer. A suggestion: its
  // feedback. A recovery: its settlement.
  std::vector<v1::Deadline> Opening(const v1::Intake& intake, v1::Severity severity,
                                    absl::Time at) const;

  // The progress notice after one sent at `at` promising completion at
  // `expected`: due then, or for an EXTRAORDINARY complaint a day (the
  // policy's update window) after `at`. REQUIRES: expected > at.
  v1::Deadline NextProgressNotice(absl::Time at, absl::Time expected, v1::Severity severity) const;

  // The open internal deadlines of `state` retimed for `severity` from their
  // original starts, keeping elapsed and paused time and what was already
  // warned, plus a new report-upward deadline from the complaint when
  // `severity` must be reported higher than the case has been. The
  // regulatory clock never changes; a progress notice changes only when
  // the case becomes EXTRAORDINARY (daily from its start).
  std::vector<v1::Deadline> Recompute(const v1::CaseState& state, v1::Severity severity) const;

  // `d` running again at `at` after standing still since d.paused_since:
  // the pause is added to its window. REQUIRES: d.has_paused_since().
  v1::Deadline Resume(const v1::Deadline& d, absl::Time at) const;

  // After `d` passed unmet: its next window, of the same length, from its
  // due time (warnings start over).
  v1::Deadline NextWindow(const v1::Deadline& d) const;

  // After `d` passed unmet with nowhere higher to go: no further actions.
  static v1::Deadline Silence(const v1::Deadline& d);

 private:
  // Sets due_at and marks from started_at, window_minutes, paused_seconds
  // and business_time.
  void Schedule(v1::Deadline* d) const;
  v1::Deadline Make(v1::DeadlineKind kind, absl::Time start, int64_t minutes, bool business) const;
  absl::Time Add(absl::Time start, absl::Duration d, bool business) const;

  const v1::Policy& policy_;
  const Calendar& calendar_;
};

// The first of `d`'s warning marks not yet warned, or null.
const v1::DeadlineMark* NextUnwarnedMark(const v1::Deadline& d);

// When the deadline scanner must next act on `d`: its first warning mark not
// yet warned, else its due time; nothing when it is met, paused or
// silenced. The `due` index holds exactly these instants.
std::optional<absl::Time> NextActionTime(const v1::Deadline& d);

// The open (unmet) deadline of `kind`, or null. A case has at most one open
// deadline of each kind.
const v1::Deadline* FindOpenDeadline(const v1::CaseState& state, v1::DeadlineKind kind);
v1::Deadline* FindOpenDeadline(v1::CaseState* state, v1::DeadlineKind kind);

}  // namespace docket

#endif  // DOCKET_ENGINE_DEADLINES_H_
