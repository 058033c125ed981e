// The scenarios of the deadlines issue, on a simulated clock and the real
// business calendar (working hours 09:00-12:00 and 13:00-18:00 CST).

#include "absl/strings/str_cat.h"
#include "engine/business_calendar.h"
#include "engine/deadlines.h"
#include "engine/policy.h"
#include "engine/refusal.h"
#include "engine/testing/case_harness.h"
#include "engine/time_util.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::docket::testing::CaseHarness;
using ::docket::testing::Scanner;

// A complaint about a courier's attitude, by phone: GENERAL, its clocks
// from the intake.
constexpr char kAttitudeByPhone[] = R"pb(open_case {
                                           intake {
                                             channel: CHANNEL_PHONE
                                             category: CATEGORY_ATTITUDE
                                             customer { id: "X" }
                                           }
                                         })pb";

absl::Time Cst(int y, int m, int d, int hh, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::FixedTimeZone(8 * 3600));
}

const Calendar* Business() {
  static const BusinessCalendar* const kCalendar =
      DefaultBusinessCalendar(DefaultPolicy()).release();
  return kCalendar;
}

const v1::Deadline& Open(const CaseHarness& c, v1::DeadlineKind kind) {
  const v1::Deadline* d = FindOpenDeadline(c.state(), kind);
  EXPECT_NE(d, nullptr) << v1::DeadlineKind_Name(kind);
  static const v1::Deadline kNone;
  return d == nullptr ? kNone : *d;
}

absl::Time Due(const CaseHarness& c, v1::DeadlineKind kind) {
  return ToTime(Open(c, kind).due_at());
}

// A complaint on the Friday before the 2025 National Day holiday. The
// business-time clocks skip 1-8 October and count the make-up Sunday
// 28 September and Saturday 11 October; the regulatory 7 days run on.
TEST(DeadlineScenarioTest, NationalDayHolidayWithMakeUpDays) {
  v1::Policy policy = DefaultPolicy();
  // This operator counts resolution in business time: 45 working hours.
  v1::SeverityClocks* general = policy.mutable_clocks(0);
  general->set_business_time(true);
  general->set_resolution_minutes(45 * 60);
  CaseHarness c("C-NATIONAL-DAY", policy, Business());
  c.set_now(Cst(2025, 9, 26, 17));
  c.MustSubmit(kAttitudeByPhone);
  EXPECT_EQ(Due(c, v1::DEADLINE_KIND_FIRST_RESPONSE), Cst(2025, 9, 28, 12));
  EXPECT_EQ(Due(c, v1::DEADLINE_KIND_RESOLUTION), Cst(2025, 10, 11, 14));
  EXPECT_EQ(Due(c, v1::DEADLINE_KIND_REGULATORY_RESULT), Cst(2025, 10, 3, 17));
  // The 50 % mark of the 4-hour first response: 2 working hours in, on the
  // make-up Sunday at 10:00.
  EXPECT_EQ(ToTime(Open(c, v1::DEADLINE_KIND_FIRST_RESPONSE).marks(0).at()), Cst(2025, 9, 28, 10));
}

// A clock met after its due time was met late, whether or not the scanner
// had recorded the breach by then; at its due instant, on time (DESIGN.md).
// The fold says so (Deadline.met_late), so the console and the reports
// show the engine's verdict: the console called a clock met late only once
// a breach was recorded, the handler report on its own comparison.
TEST(DeadlineScenarioTest, AClockMetAfterItsDueTimeWasMetLate) {
  const auto met_first_response = [](absl::Duration after_due) {
    CaseHarness c("C-LATE");
    c.MustSubmit(kAttitudeByPhone);
    c.set_now(Due(c, v1::DEADLINE_KIND_FIRST_RESPONSE) + after_due);
    c.MustSubmit("acknowledge {}");
    for (const v1::Deadline& d : c.state().deadlines()) {
      if (d.kind() == v1::DEADLINE_KIND_FIRST_RESPONSE) {
        EXPECT_TRUE(d.met());
        EXPECT_FALSE(d.breached()) << "no breach was recorded";
        return d.met_late();
      }
    }
    ADD_FAILURE() << "no first-response clock";
    return false;
  };
  EXPECT_FALSE(met_first_response(-absl::Minutes(1)));
  EXPECT_FALSE(met_first_response(absl::ZeroDuration())) << "at its due instant";
  EXPECT_TRUE(met_first_response(absl::Seconds(1)));
}

// A clock standing still for the customer counts no time past its pause:
// met after its due time but paused before it, it was met on time. The
// progress notice (16 h here) is sent 20 h in, while the customer has been
// asked for photos since hour 10; the same notice without the pause is late.
TEST(DeadlineScenarioTest, AClockMetWhilePausedCountsOnlyTheTimeBeforeThePause) {
  const auto notice_met_late = [](bool paused) {
    CaseHarness c(paused ? "C-PAUSED" : "C-RUNNING");
    c.MustSubmit(kAttitudeByPhone);
    c.MustSubmit("acknowledge {}");
    c.MustSubmit("accept {}");
    const absl::Time due = Due(c, v1::DEADLINE_KIND_PROGRESS_NOTICE);
    c.set_now(due - absl::Hours(6));
    if (paused) c.MustSubmit(R"pb(await_customer { reason: "photos of the courier" })pb");
    c.set_now(due + absl::Hours(4));
    c.MustSubmit(absl::StrCat(R"pb(send_progress_notice { progress: "the depot is checking the CCTV"
                                                          expected_completion_at { seconds:)pb",
                              absl::ToUnixSeconds(c.now() + absl::Hours(48)), "} }"));
    for (const v1::Deadline& d : c.state().deadlines()) {
      if (d.kind() == v1::DEADLINE_KIND_PROGRESS_NOTICE && d.met()) {
        EXPECT_EQ(d.has_paused_since(), paused);
        EXPECT_FALSE(d.breached());
        return d.met_late();
      }
    }
    ADD_FAILURE() << "no met progress notice";
    return false;
  };
  EXPECT_FALSE(notice_met_late(/*paused=*/true));
  EXPECT_TRUE(notice_met_late(/*paused=*/false));
}

// The customer ignores an evidence request for 5 days: the internal clocks
// stand still and take the 5 days back; the regulatory clock does not.
TEST(DeadlineScenarioTest, WaitingForTheCustomerPausesOnlyTheInternalClocks) {
  CaseHarness c("C-PAUSE");  // Calendar-time clocks: GENERAL resolution 72 h.
  const absl::Time start = c.now();
  c.MustSubmit(R"pb(open_case {
                      intake {
                        channel: CHANNEL_PHONE
                        category: CATEGORY_DAMAGE
                        customer { id: "X" }
                        shipment { weight_g: 1000 }
                      }
                    })pb");
  c.MustSubmit("acknowledge {}");
  c.MustSubmit("accept {}");
  c.Advance(absl::Hours(1));
  c.MustSubmit(R"pb(await_customer { reason: "photos of the damage requested" })pb");
  EXPECT_TRUE(Open(c, v1::DEADLINE_KIND_RESOLUTION).has_paused_since());
  EXPECT_FALSE(Open(c, v1::DEADLINE_KIND_REGULATORY_RESULT).has_paused_since());

  c.Advance(absl::Hours(24 * 4));  // Past the resolution's original 72 h.
  auto breach = c.Submit("record_deadline_breach { kind: DEADLINE_KIND_RESOLUTION }", Scanner());
  EXPECT_EQ(RuleOf(breach.status()), v1::RULE_DEADLINE) << breach.status();
  // The regulatory clock ran on: its 50 % mark (3.5 days) has passed.
  c.MustSubmit("record_deadline_warning { kind: DEADLINE_KIND_REGULATORY_RESULT percent: 50 }",
               Scanner());

  c.Advance(absl::Hours(24));  // Five days after the request.
  c.MustSubmit(R"pb(record_customer_response { note: "photos sent" })pb");
  const v1::Deadline& resolution = Open(c, v1::DEADLINE_KIND_RESOLUTION);
  EXPECT_FALSE(resolution.has_paused_since());
  EXPECT_EQ(resolution.paused_seconds(), 5 * 24 * 3600);
  EXPECT_EQ(ToTime(resolution.due_at()), start + absl::Hours(72 + 5 * 24));
  EXPECT_EQ(Due(c, v1::DEADLINE_KIND_REGULATORY_RESULT), start + absl::Hours(7 * 24));
  // The history shows both: the pause and the resumed clocks.
  const v1::CaseEvent& waited = c.events()[c.events().size() - 3];
  EXPECT_TRUE(waited.has_awaiting_customer());
  // Report, resolution, progress notice.
  EXPECT_EQ(c.events().back().customer_responded().deadlines_size(), 3);
}

// A delay, undelivered, reclassified as a loss and raised to MAJOR on day
// 8: new windows from the original start, elapsed and paused time kept.
TEST(DeadlineScenarioTest, DelayBecomesMajorLossOnDayEight) {
  CaseHarness c("C-DELAY");
  const absl::Time start = c.now();
  c.MustSubmit(absl::StrCat(R"pb(open_case { intake { channel: CHANNEL_PHONE category: CATEGORY_LATE
                                                      customer { id: "X" }
                                                      shipment { waybill: "W" weight_g: 3000
                                                                 promised_by { seconds:)pb",
                            absl::ToUnixSeconds(start - absl::Hours(24)), "} } } }"));
  c.MustSubmit("acknowledge {}");
  c.MustSubmit("accept {}");
  c.Advance(absl::Hours(24));
  c.MustSubmit(R"pb(await_customer { reason: "proof of value requested" })pb");
  c.Advance(absl::Hours(48));
  c.MustSubmit("record_customer_response {}");
  c.Advance(absl::Hours(24 * 5));  // Day 8.
  auto raised = c.Submit(R"pb(classify {
                                category: CATEGORY_LOSS
                                assessed_loss_fen: 600000
                                reason: "still undelivered 9 days after the promise"
                              })pb");
  ASSERT_TRUE(raised.ok()) << raised.status();
  const v1::Reclassified& r = (*raised)[0].reclassified();
  EXPECT_EQ(r.from_severity(), v1::SEVERITY_GENERAL);
  EXPECT_EQ(r.to_severity(), v1::SEVERITY_MAJOR);
  // MAJOR resolution is 5 days, from the complaint, plus the 2 days paused.
  const v1::Deadline& resolution = Open(c, v1::DEADLINE_KIND_RESOLUTION);
  EXPECT_EQ(ToTime(resolution.started_at()), start);
  EXPECT_EQ(resolution.paused_seconds(), 2 * 24 * 3600);
  EXPECT_EQ(ToTime(resolution.due_at()), start + absl::Hours(24 * 7));
  // Report to the region within 12 h of the complaint (plus the pause).
  const v1::Deadline& report = Open(c, v1::DEADLINE_KIND_REPORT_UPWARD);
  EXPECT_EQ(report.report_to(), v1::LEVEL_REGION);
  EXPECT_EQ(ToTime(report.due_at()), start + absl::Hours(12 + 48));
  EXPECT_EQ(c.state().handling_level(), v1::LEVEL_REGION);
  EXPECT_EQ(Due(c, v1::DEADLINE_KIND_REGULATORY_RESULT), start + absl::Hours(24 * 7));
}

// A MAJOR complaint (key account) on Monday 23 November 2026 at 10:00 that
// nobody acknowledges: 2 working hours for the first response.
TEST(DeadlineScenarioTest, UnacknowledgedMajorCaseEscalatesToRegionThenHeadquarters) {
  CaseHarness c("C-IGNORED", DefaultPolicy(), Business());
  c.set_now(Cst(2026, 11, 23, 10));
  c.MustSubmit(R"pb(open_case {
                      intake {
                        channel: CHANNEL_PHONE
                        category: CATEGORY_ATTITUDE
                        customer { id: "KA-1" key_account: true }
                      }
                    })pb");
  ASSERT_EQ(c.state().severity(), v1::SEVERITY_MAJOR);
  auto act = [&](absl::Time at, const std::string& body) {
    c.set_now(at);
    return c.Submit(body, Scanner());
  };
  const std::string warn50 =
      "record_deadline_warning { kind: DEADLINE_KIND_FIRST_RESPONSE percent: 50 }";
  const std::string warn75 =
      "record_deadline_warning { kind: DEADLINE_KIND_FIRST_RESPONSE percent: 75 }";
  const std::string breach = "record_deadline_breach { kind: DEADLINE_KIND_FIRST_RESPONSE }";

  EXPECT_EQ(RuleOf(act(Cst(2026, 11, 23, 10, 59), warn50).status()), v1::RULE_DEADLINE);
  ASSERT_TRUE(act(Cst(2026, 11, 23, 11), warn50).ok());
  ASSERT_TRUE(act(Cst(2026, 11, 23, 11, 30), warn75).ok());
  EXPECT_EQ(RuleOf(act(Cst(2026, 11, 23, 11, 59), breach).status()), v1::RULE_DEADLINE);
  // Due at 12:00: met then is met on time, so it is breached only after.
  EXPECT_EQ(RuleOf(act(Cst(2026, 11, 23, 12), breach).status()), v1::RULE_DEADLINE);
  auto first = act(Cst(2026, 11, 23, 12) + absl::Seconds(1), breach);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[1].escalated().to_level(), v1::LEVEL_REGION);
  EXPECT_TRUE((*first)[1].escalated().automatic());

  // The next window: 2 working hours from 12:00, lunch excluded: 15:00.
  const v1::Deadline& next = Open(c, v1::DEADLINE_KIND_FIRST_RESPONSE);
  EXPECT_EQ(next.window_number(), 2);
  EXPECT_EQ(ToTime(next.due_at()), Cst(2026, 11, 23, 15));
  EXPECT_EQ(ToTime(next.marks(0).at()), Cst(2026, 11, 23, 14));
  ASSERT_TRUE(act(Cst(2026, 11, 23, 14), warn50).ok());
  ASSERT_TRUE(act(Cst(2026, 11, 23, 14, 30), warn75).ok());
  auto second = act(Cst(2026, 11, 23, 15) + absl::Seconds(1), breach);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)[1].escalated().to_level(), v1::LEVEL_HEADQUARTERS);

  // At headquarters the last window passes and the clock falls silent.
  auto third = act(Cst(2026, 11, 23, 17) + absl::Seconds(1), breach);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->size(), 1u);
  EXPECT_TRUE(Open(c, v1::DEADLINE_KIND_FIRST_RESPONSE).silenced());
  EXPECT_EQ(Open(c, v1::DEADLINE_KIND_FIRST_RESPONSE).breach_count(), 3);
  EXPECT_FALSE(NextActionTime(Open(c, v1::DEADLINE_KIND_FIRST_RESPONSE)).has_value());
  EXPECT_EQ(RuleOf(act(Cst(2026, 11, 24, 9), breach).status()), v1::RULE_DEADLINE);
  // Acknowledging at last still meets the clock.
  c.MustSubmit("acknowledge {}");
  EXPECT_EQ(FindOpenDeadline(c.state(), v1::DEADLINE_KIND_FIRST_RESPONSE), nullptr);
}

}  // namespace
}  // namespace docket
