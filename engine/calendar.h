#ifndef DOCKET_ENGINE_CALENDAR_H_
#define DOCKET_ENGINE_CALENDAR_H_

#include "absl/time/time.h"

namespace docket {

// Answers where a window of business time ends. Implementations are pure
// data (working hours, holidays, make-up working days), never a clock, so
// the engine stays deterministic.
//
// Thread safety: implementations are immutable after construction and safe
// to share between threads.
class Calendar {
 public:
  virtual ~Calendar() = default;

  // The instant `business` of working time after `start`.
  // REQUIRES: business >= absl::ZeroDuration().
  virtual absl::Time AddBusinessTime(absl::Time start, absl::Duration business) const = 0;

  // The working time within [from, to); zero when to <= from.
  virtual absl::Duration BusinessTimeBetween(absl::Time from, absl::Time to) const = 0;
};

// A calendar where every minute is a working minute (24 × 7). Until the
// business calendars land, business time equals calendar time.
class AlwaysOpenCalendar final : public Calendar {
 public:
  absl::Time AddBusinessTime(absl::Time start, absl::Duration business) const override {
    return start + business;
  }
  absl::Duration BusinessTimeBetween(absl::Time from, absl::Time to) const override {
    return to > from ? to - from : absl::ZeroDuration();
  }

  // A shared instance.
  static const AlwaysOpenCalendar& Get();
};

}  // namespace docket

#endif  // DOCKET_ENGINE_CALENDAR_H_
