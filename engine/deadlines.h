#ifndef DOCKET_ENGINE_DEADLINES_H_
#define DOCKET_ENGINE_DEADLINES_H_

#include <vector>

#include "absl/time/time.h"
#include "docket/v1/common.pb.h"
#include "docket/v1/policy.pb.h"
#include "docket/v1/state.pb.h"
#include "engine/calendar.h"

namespace docket {

// Computes the due times of a case's two clocks from policy: the regulatory
// clock (a result within policy.regulatory_result_minutes of the complaint,
// calendar time) and the internal SLA clocks per severity (and per channel
// for the first reply), on `calendar` where the policy says business time.
//
// Thread safety: immutable; the referenced policy and calendar must outlive it.
class DeadlineClock {
 public:
  DeadlineClock(const v1::Policy& policy, const Calendar& calendar)
      : policy_(policy), calendar_(calendar) {}

  // A new open deadline of `kind` whose window starts at `start`.
  // REQUIRES: severity is set; `channel` matters only for FIRST_RESPONSE.
  v1::Deadline Start(v1::DeadlineKind kind, absl::Time start,
                     v1::Severity severity, v1::Channel channel) const;

  // The clocks a complaint starts: first response, report upward,
  // resolution (internal) and the regulatory result.
  std::vector<v1::Deadline> Opening(v1::Severity severity, v1::Channel channel,
                                    absl::Time complained_at) const;

  // The open internal deadlines of `state` recomputed for `severity` from
  // their original starts (elapsed time is kept), plus a new report-upward
  // deadline from the complaint when `severity` must be reported higher
  // than the case has been. The regulatory clock never changes.
  std::vector<v1::Deadline> Recompute(const v1::CaseState& state,
                                      v1::Severity severity) const;

  // When `deadline` reaches `percent` of its window.
  absl::Time Mark(const v1::Deadline& deadline, int percent) const;

 private:
  absl::Time Add(absl::Time start, int64_t minutes, bool business) const;

  const v1::Policy& policy_;
  const Calendar& calendar_;
};

// The open (unmet) deadline of `kind`, or null. A case has at most one open
// deadline of each kind.
const v1::Deadline* FindOpenDeadline(const v1::CaseState& state,
                                     v1::DeadlineKind kind);
v1::Deadline* FindOpenDeadline(v1::CaseState* state, v1::DeadlineKind kind);

}  // namespace docket

#endif  // DOCKET_ENGINE_DEADLINES_H_
