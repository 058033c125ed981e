// The business calendar: working hours on working days, the official
// holidays and make-up working days (调休) of each year's file.

#include "engine/business_calendar.h"

#include "engine/policy.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::testing::HasSubstr;

absl::Time Cst(int y, int m, int d, int hh, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::FixedTimeZone(8 * 3600));
}

const BusinessCalendar& Calendar() {
  static const BusinessCalendar* const kCalendar =
      DefaultBusinessCalendar(DefaultPolicy()).release();
  return *kCalendar;
}

TEST(BusinessCalendarTest, ShipsTheOfficial2025And2026Years) {
  EXPECT_TRUE(Calendar().Covers(2025));
  EXPECT_TRUE(Calendar().Covers(2026));
  for (const v1::CalendarYear& y : BuiltInCalendarYears()) {
    EXPECT_THAT(y.source(), HasSubstr("国务院办公厅")) << y.year();
  }
  // 2025 National Day and Mid-Autumn: 1-8 October off; 28 September (a
  // Sunday) and 11 October (a Saturday) worked.
  EXPECT_FALSE(Calendar().IsWorkingDay(absl::CivilDay(2025, 10, 3)));
  EXPECT_FALSE(Calendar().IsWorkingDay(absl::CivilDay(2025, 10, 8)));
  EXPECT_TRUE(Calendar().IsWorkingDay(absl::CivilDay(2025, 9, 28)));
  EXPECT_TRUE(Calendar().IsWorkingDay(absl::CivilDay(2025, 10, 11)));
  EXPECT_FALSE(Calendar().IsWorkingDay(absl::CivilDay(2025, 10, 12)));  // An ordinary Sunday.
  // 2026 Spring Festival: 15-23 February off; 14 and 28 February worked.
  EXPECT_FALSE(Calendar().IsWorkingDay(absl::CivilDay(2026, 2, 16)));
  EXPECT_TRUE(Calendar().IsWorkingDay(absl::CivilDay(2026, 2, 14)));
  EXPECT_TRUE(Calendar().IsWorkingDay(absl::CivilDay(2026, 2, 28)));
}

// A complaint at 17:00 on Friday 26 September 2025, the last Friday before
// the National Day holiday; working hours 09:00-12:00 and 13:00-18:00.
TEST(BusinessCalendarTest, NationalDaySkipsTheHolidayAndCountsMakeUpDays) {
  const absl::Time complaint = Cst(2025, 9, 26, 17);
  // 4 business hours: 1 on Friday, Saturday off, 3 on the make-up Sunday.
  EXPECT_EQ(Calendar().AddBusinessTime(complaint, absl::Hours(4)), Cst(2025, 9, 28, 12));
  // 45 business hours: Fri 1, Sun 8, Mon 8, Tue 8, 1-8 October off, Thu 8,
  // Fri 8, then 4 on the make-up Saturday 11 October: 14:00.
  EXPECT_EQ(Calendar().AddBusinessTime(complaint, absl::Hours(45)), Cst(2025, 10, 11, 14));
  EXPECT_EQ(Calendar().BusinessTimeBetween(complaint, Cst(2025, 9, 30, 12)),
            absl::Hours(1 + 8 + 8 + 3));
  EXPECT_EQ(Calendar().BusinessTimeBetween(Cst(2025, 10, 1, 0), Cst(2025, 10, 9, 0)),
            absl::ZeroDuration());
}

TEST(BusinessCalendarTest, LunchAndNightsAreNotWorkingTime) {
  EXPECT_EQ(Calendar().AddBusinessTime(Cst(2026, 11, 23, 11), absl::Hours(2)),
            Cst(2026, 11, 23, 14));
  EXPECT_EQ(Calendar().AddBusinessTime(Cst(2026, 11, 23, 20), absl::Minutes(30)),
            Cst(2026, 11, 24, 9, 30));
  EXPECT_EQ(Calendar().AddBusinessTime(Cst(2026, 11, 23, 20), absl::ZeroDuration()),
            Cst(2026, 11, 23, 20));
}

TEST(BusinessCalendarTest, AYearWithoutAFileCountsMondayToFriday) {
  EXPECT_FALSE(Calendar().Covers(2030));
  EXPECT_TRUE(Calendar().IsWorkingDay(absl::CivilDay(2030, 10, 1)));   // A Tuesday.
  EXPECT_FALSE(Calendar().IsWorkingDay(absl::CivilDay(2030, 10, 5)));  // A Saturday.
}

TEST(BusinessCalendarTest, InvalidYearFilesAreRefusedNamingTheDate) {
  const std::pair<const char*, const char*> cases[] = {
      {R"pb(year: 2027 source: "s" holidays: "2027-02-30")pb", "not a real date"},
      {R"pb(year: 2027 source: "s" holidays: "next tuesday")pb", "not YYYY-MM-DD"},
      {R"pb(year: 2027 source: "s" holidays: "2028-01-01")pb", "another year"},
      {R"pb(year: 2027 source: "s" makeup_workdays: "2027-03-03")pb", "not a weekend day"},
      {R"pb(year: 2027 source: "s" holidays: "2027-03-06" makeup_workdays: "2027-03-06")pb",
       "both a holiday and a working day"},
      {R"pb(year: 2027 holidays: "2027-03-03")pb", "source"},
  };
  for (const auto& [text, problem] : cases) {
    SCOPED_TRACE(text);
    v1::CalendarYear year;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &year));
    auto calendar = BusinessCalendar::Create(DefaultPolicy().business_hours(), {year});
    ASSERT_FALSE(calendar.ok());
    EXPECT_THAT(calendar.status().message(), HasSubstr(problem));
  }
  v1::BusinessHours overlapping = DefaultPolicy().business_hours();
  overlapping.mutable_periods(1)->set_start_minute(600);
  EXPECT_FALSE(BusinessCalendar::Create(overlapping, {}).ok());
  v1::CalendarYear y2025 = BuiltInCalendarYears()[0];
  EXPECT_FALSE(BusinessCalendar::Create(DefaultPolicy().business_hours(), {y2025, y2025}).ok());
}

}  // namespace
}  // namespace docket
