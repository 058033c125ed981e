#ifndef DOCKET_ENGINE_BUSINESS_CALENDAR_H_
#define DOCKET_ENGINE_BUSINESS_CALENDAR_H_

#include <memory>
#include <set>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "docket/v1/policy.pb.h"
#include "engine/calendar.h"

namespace docket {

// The working time of the Chinese calendar: the policy's working hours on
// working days. A working day is Monday to Friday unless the year's file
// makes it a holiday, plus the weekend days it makes working days (调休).
// Years without a file count Monday to Friday only; Covers() tells which
// years have one.
//
// Thread safety: immutable after Create.
class BusinessCalendar final : public Calendar {
 public:
  // Validates and builds: periods ascending, non-overlapping, within a day;
  // every date a real date of its file's year; a make-up day a weekend day;
  // no day both off and worked; one file per year. kInvalidArgument naming
  // the year and the date.
  static absl::StatusOr<std::unique_ptr<BusinessCalendar>> Create(
      const v1::BusinessHours& hours, const std::vector<v1::CalendarYear>& years);

  absl::Time AddBusinessTime(absl::Time start, absl::Duration business) const override;
  absl::Duration BusinessTimeBetween(absl::Time from, absl::Time to) const override;

  bool IsWorkingDay(absl::CivilDay day) const;
  bool Covers(int year) const { return years_.contains(year); }

 private:
  BusinessCalendar() = default;
  absl::CivilSecond Local(absl::Time t) const;
  absl::Time FromLocal(absl::CivilSecond s) const;

  int offset_seconds_ = 0;
  std::vector<std::pair<int, int>> periods_;  // Seconds after local midnight.
  std::set<absl::CivilDay> holidays_;
  std::set<absl::CivilDay> makeup_days_;
  std::set<int> years_;
};

// engine/calendars/*.textproto, compiled into the binary: the years docket
// ships (2025 and 2026, from the State Council's notices).
std::vector<v1::CalendarYear> BuiltInCalendarYears();

// A calendar of the policy's business hours and the built-in years.
// REQUIRES: the policy is validated (its business hours are valid).
std::unique_ptr<BusinessCalendar> DefaultBusinessCalendar(const v1::Policy& policy);

}  // namespace docket

#endif  // DOCKET_ENGINE_BUSINESS_CALENDAR_H_
