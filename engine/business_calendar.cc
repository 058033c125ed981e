#include "engine/business_calendar.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "engine/calendar_years_text.h"
#include "google/protobuf/text_format.h"

namespace docket {
namespace {

constexpr int kSecondsPerDay = 24 * 3600;
// Guards against a calendar with no working time at all.
constexpr int kMaxDaysSearched = 3 * 366;

absl::StatusOr<absl::CivilDay> ParseDay(const v1::CalendarYear& y, const std::string& text) {
  int year = 0, month = 0, day = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &year, &month, &day, &tail) != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("calendar ", y.year(), ": '", text, "' is not YYYY-MM-DD"));
  }
  const absl::CivilDay civil(year, month, day);
  if (civil.year() != year || civil.month() != month || civil.day() != day) {
    return absl::InvalidArgumentError(
        absl::StrCat("calendar ", y.year(), ": ", text, " is not a real date"));
  }
  if (year != y.year()) {
    return absl::InvalidArgumentError(
        absl::StrCat("calendar ", y.year(), ": ", text, " belongs to another year"));
  }
  return civil;
}

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday w = absl::GetWeekday(day);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

}  // namespace

absl::StatusOr<std::unique_ptr<BusinessCalendar>> BusinessCalendar::Create(
    const v1::BusinessHours& hours, const std::vector<v1::CalendarYear>& years) {
  std::unique_ptr<BusinessCalendar> c(new BusinessCalendar);
  if (hours.utc_offset_minutes() < -14 * 60 || hours.utc_offset_minutes() > 14 * 60) {
    return absl::InvalidArgumentError("business_hours.utc_offset_minutes is out of range");
  }
  c->offset_seconds_ = hours.utc_offset_minutes() * 60;
  int previous_end = 0;
  for (const v1::WorkingPeriod& p : hours.periods()) {
    if (p.start_minute() < previous_end || p.end_minute() <= p.start_minute() ||
        p.end_minute() > 1440) {
      return absl::InvalidArgumentError(
          "business_hours.periods must ascend, not overlap, and lie within a day");
    }
    c->periods_.emplace_back(p.start_minute() * 60, p.end_minute() * 60);
    previous_end = p.end_minute();
  }
  if (c->periods_.empty()) {
    return absl::InvalidArgumentError("business_hours needs at least one period");
  }
  for (const v1::CalendarYear& y : years) {
    if (!c->years_.insert(y.year()).second) {
      return absl::InvalidArgumentError(absl::StrCat("calendar ", y.year(), " is given twice"));
    }
    if (y.source().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("calendar ", y.year(), ": name the source of its dates"));
    }
    for (const std::string& text : y.holidays()) {
      absl::StatusOr<absl::CivilDay> day = ParseDay(y, text);
      if (!day.ok()) return day.status();
      c->holidays_.insert(*day);
    }
    for (const std::string& text : y.makeup_workdays()) {
      absl::StatusOr<absl::CivilDay> day = ParseDay(y, text);
      if (!day.ok()) return day.status();
      if (!IsWeekend(*day)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "calendar ", y.year(), ": make-up working day ", text, " is not a weekend day"));
      }
      if (c->holidays_.contains(*day)) {
        return absl::InvalidArgumentError(absl::StrCat("calendar ", y.year(), ": ", text,
                                                       " is both a holiday and a working day"));
      }
      c->makeup_days_.insert(*day);
    }
  }
  return c;
}

absl::CivilSecond BusinessCalendar::Local(absl::Time t) const {
  return absl::ToCivilSecond(t, absl::FixedTimeZone(offset_seconds_));
}

absl::Time BusinessCalendar::FromLocal(absl::CivilSecond s) const {
  return absl::FromCivil(s, absl::FixedTimeZone(offset_seconds_));
}

bool BusinessCalendar::IsWorkingDay(absl::CivilDay day) const {
  if (makeup_days_.contains(day)) return true;
  if (holidays_.contains(day)) return false;
  return !IsWeekend(day);
}

absl::Time BusinessCalendar::AddBusinessTime(absl::Time start, absl::Duration business) const {
  int64_t remaining = absl::ToInt64Seconds(business);
  if (remaining <= 0) return start;
  const absl::CivilSecond local = Local(start);
  absl::CivilDay day(local);
  int from = static_cast<int>(local - absl::CivilSecond(day));  // Seconds into the day.
  for (int searched = 0; searched < kMaxDaysSearched; ++searched, ++day, from = 0) {
    if (!IsWorkingDay(day)) continue;
    for (const auto& [begin, end] : periods_) {
      const int open = std::max(begin, from);
      if (open >= end) continue;
      if (remaining <= end - open) {
        return FromLocal(absl::CivilSecond(day) + open + remaining);
      }
      remaining -= end - open;
    }
  }
  return absl::InfiniteFuture();
}

absl::Duration BusinessCalendar::BusinessTimeBetween(absl::Time from_time,
                                                     absl::Time to_time) const {
  if (to_time <= from_time) return absl::ZeroDuration();
  const absl::CivilSecond a = Local(from_time), b = Local(to_time);
  int64_t total = 0;
  for (absl::CivilDay day(a); absl::CivilSecond(day) <= b; ++day) {
    if (!IsWorkingDay(day)) continue;
    const absl::CivilSecond midnight(day);
    const int64_t lo = std::max<int64_t>(0, a - midnight);
    const int64_t hi = std::min<int64_t>(kSecondsPerDay, b - midnight);
    for (const auto& [begin, end] : periods_) {
      total += std::max<int64_t>(0, std::min<int64_t>(end, hi) - std::max<int64_t>(begin, lo));
    }
  }
  return absl::Seconds(total);
}

std::vector<v1::CalendarYear> BuiltInCalendarYears() {
  std::vector<v1::CalendarYear> years;
  for (const char* const* it = kCalendarYearTexts; *it != nullptr; ++it) {
    const char* text = *it;
    v1::CalendarYear year;
    if (!google::protobuf::TextFormat::ParseFromString(text, &year)) {
      std::fprintf(stderr, "docket: a built-in calendar year does not parse\n");
      std::abort();  // A build defect: the files are tested.
    }
    years.push_back(std::move(year));
  }
  return years;
}

std::unique_ptr<BusinessCalendar> DefaultBusinessCalendar(const v1::Policy& policy) {
  absl::StatusOr<std::unique_ptr<BusinessCalendar>> calendar =
      BusinessCalendar::Create(policy.business_hours(), BuiltInCalendarYears());
  if (!calendar.ok()) {
    std::fprintf(stderr, "docket: built-in calendar: %s\n", calendar.status().ToString().c_str());
    std::abort();
  }
  return *std::move(calendar);
}

}  // namespace docket
