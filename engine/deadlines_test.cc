// The two clocks (DESIGN.md, "Deadlines: two clocks") and what the deadline
// scanner may record, on the simulated clock of the harness.

#include "engine/deadlines.h"

#include "absl/strings/str_cat.h"
#include "engine/policy.h"
#include "engine/refusal.h"
#include "engine/testing/case_harness.h"
#include "engine/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::docket::testing::CaseHarness;
using ::docket::testing::Scanner;

absl::Duration Window(const v1::CaseState& s, v1::DeadlineKind kind) {
  const v1::Deadline* d = FindOpenDeadline(s, kind);
  EXPECT_NE(d, nullptr) << v1::DeadlineKind_Name(kind);
  if (d == nullptr) return absl::ZeroDuration();
  return ToTime(d->due_at()) - ToTime(d->started_at());
}

void Open(CaseHarness& c, const char* channel, const char* facts = "") {
  c.MustSubmit(absl::StrCat("open_case { intake { channel: ", channel,
                            " category: CATEGORY_ATTITUDE customer { id: \"X\" } ", facts, " } }"));
}

TEST(DeadlinesTest, GeneralPhoneComplaintStartsFiveClocks) {
  CaseHarness c("C-D1");
  Open(c, "CHANNEL_PHONE");
  EXPECT_EQ(c.state().deadlines_size(), 5);
  // 渠道管理办法 三(一)2: a progress notice within 2 working days unless
  // resolved (16 business hours; the harness calendar is always open).
  EXPECT_EQ(Window(c.state(), v1::DEADLINE_KIND_PROGRESS_NOTICE), absl::Hours(16));
  EXPECT_EQ(Window(c.state(), v1::DEADLINE_KIND_FIRST_RESPONSE), absl::Hours(4));
  EXPECT_EQ(Window(c.state(), v1::DEADLINE_KIND_REPORT_UPWARD), absl::Hours(24));
  EXPECT_EQ(Window(c.state(), v1::DEADLINE_KIND_RESOLUTION), absl::Hours(72));
  EXPECT_EQ(Window(c.state(), v1::DEADLINE_KIND_REGULATORY_RESULT), absl::Hours(24 * 7));
  for (const v1::Deadline& d : c.state().deadlines()) {
    EXPECT_EQ(ToTime(d.started_at()), c.now());
  }
}

TEST(DeadlinesTest, EmailAndSocialMediaFirstReplyIsTheStricterWindow) {
  CaseHarness email("C-D2");
  Open(email, "CHANNEL_EMAIL");
  EXPECT_EQ(Window(email.state(), v1::DEADLINE_KIND_FIRST_RESPONSE), absl::Hours(2));
  CaseHarness social("C-D3");
  Open(social, "CHANNEL_SOCIAL_MEDIA");
  EXPECT_EQ(Window(social.state(), v1::DEADLINE_KIND_FIRST_RESPONSE), absl::Hours(1));
  // An extraordinary case's 30 minutes beats the channel's hour.
  CaseHarness grave("C-D4");
  Open(grave, "CHANNEL_SOCIAL_MEDIA", "facts: AGGRAVATING_FACT_INJURY");
  EXPECT_EQ(Window(grave.state(), v1::DEADLINE_KIND_FIRST_RESPONSE), absl::Minutes(30));
}

TEST(DeadlinesTest, StepsMeetTheirClocks) {
  CaseHarness c("C-D5");
  Open(c, "CHANNEL_PHONE");
  c.Advance(absl::Hours(1));
  c.MustSubmit("acknowledge {}");
  EXPECT_EQ(FindOpenDeadline(c.state(), v1::DEADLINE_KIND_FIRST_RESPONSE), nullptr);
  c.MustSubmit("accept {}");
  c.MustSubmit("report_upward { to_level: LEVEL_BRANCH }");
  EXPECT_EQ(FindOpenDeadline(c.state(), v1::DEADLINE_KIND_REPORT_UPWARD), nullptr);
  c.MustSubmit("propose_resolution {}");
  EXPECT_EQ(FindOpenDeadline(c.state(), v1::DEADLINE_KIND_RESOLUTION), nullptr);
  EXPECT_EQ(Window(c.state(), v1::DEADLINE_KIND_REPLY), absl::Hours(24));
  c.MustSubmit("record_customer_reply { decision: CUSTOMER_DECISION_ACCEPTS }");
  EXPECT_EQ(FindOpenDeadline(c.state(), v1::DEADLINE_KIND_REGULATORY_RESULT), nullptr);
  EXPECT_EQ(Window(c.state(), v1::DEADLINE_KIND_FOLLOW_UP), absl::Hours(72));
}

TEST(DeadlinesTest, WarningsOnlyAtTheirMarksAndOnlyOnce) {
  CaseHarness c("C-D6");
  Open(c, "CHANNEL_PHONE");  // First response: 4 h.
  const char* warn50 = "record_deadline_warning { kind: DEADLINE_KIND_FIRST_RESPONSE percent: 50 }";
  c.Advance(absl::Minutes(119));
  EXPECT_EQ(RuleOf(c.Submit(warn50, Scanner()).status()), v1::RULE_DEADLINE);
  c.Advance(absl::Minutes(1));
  auto warned = c.Submit(warn50, Scanner());
  ASSERT_TRUE(warned.ok()) << warned.status();
  EXPECT_EQ((*warned)[0].deadline_warning().percent(), 50);
  EXPECT_EQ(RuleOf(c.Submit(warn50, Scanner()).status()), v1::RULE_DEADLINE);
  EXPECT_EQ(RuleOf(c.Submit("record_deadline_warning { kind: "
                            "DEADLINE_KIND_FIRST_RESPONSE percent: 60 }",
                            Scanner())
                       .status()),
            v1::RULE_MALFORMED_COMMAND);
  // Only the scanner records deadline events.
  auto by_person =
      c.Submit("record_deadline_warning { kind: DEADLINE_KIND_RESOLUTION percent: 50 }");
  EXPECT_EQ(RuleOf(by_person.status()), v1::RULE_DEADLINE);
  EXPECT_EQ(by_person.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(DeadlinesTest, BreachEscalatesOneLevelOnceAndNotPastHeadquarters) {
  CaseHarness c("C-D7");
  Open(c, "CHANNEL_PHONE");
  const char* breach = "record_deadline_breach { kind: DEADLINE_KIND_FIRST_RESPONSE }";
  c.Advance(absl::Hours(4));
  // At its due time, a first response would still be on time.
  EXPECT_EQ(RuleOf(c.Submit(breach, Scanner()).status()), v1::RULE_DEADLINE);
  c.Advance(absl::Seconds(1));
  auto breached = c.Submit(breach, Scanner());
  ASSERT_TRUE(breached.ok()) << breached.status();
  ASSERT_EQ(breached->size(), 2u);
  EXPECT_TRUE((*breached)[0].has_deadline_breached());
  EXPECT_TRUE((*breached)[1].escalated().automatic());
  EXPECT_EQ((*breached)[1].escalated().to_level(), v1::LEVEL_REGION);
  EXPECT_EQ(c.state().handling_level(), v1::LEVEL_REGION);
  EXPECT_EQ(RuleOf(c.Submit(breach, Scanner()).status()), v1::RULE_DEADLINE);

  c.MustSubmit("escalate { to_level: LEVEL_HEADQUARTERS }");
  c.Advance(absl::Hours(20));
  auto at_top = c.Submit("record_deadline_breach { kind: DEADLINE_KIND_REPORT_UPWARD }", Scanner());
  ASSERT_TRUE(at_top.ok()) << at_top.status();
  EXPECT_EQ(at_top->size(), 1u) << "nothing is above headquarters";
}

TEST(DeadlinesTest, RaisedSeverityRecomputesFromTheOriginalStart) {
  CaseHarness c("C-D8");
  Open(c, "CHANNEL_PHONE");
  const absl::Time complained = c.now();
  c.MustSubmit("acknowledge {}");
  c.MustSubmit("accept {}");
  c.MustSubmit("report_upward { to_level: LEVEL_BRANCH }");
  c.Advance(absl::Hours(40));
  c.MustSubmit("record_deadline_warning { kind: DEADLINE_KIND_RESOLUTION percent: 50 }", Scanner());
  c.MustSubmit(R"pb(classify { facts: AGGRAVATING_FACT_MEDIA_WARNING reason: "press called" })pb");
  EXPECT_EQ(c.state().severity(), v1::SEVERITY_MAJOR);
  const v1::Deadline* resolution = FindOpenDeadline(c.state(), v1::DEADLINE_KIND_RESOLUTION);
  ASSERT_NE(resolution, nullptr);
  EXPECT_EQ(ToTime(resolution->started_at()), complained);
  EXPECT_EQ(ToTime(resolution->due_at()), complained + absl::Hours(24 * 5));
  EXPECT_THAT(resolution->warned_percent(), ::testing::ElementsAre(50));
  // Reported to the branch, but MAJOR reports to the region, counted from
  // the complaint: 12 h, long past.
  const v1::Deadline* report = FindOpenDeadline(c.state(), v1::DEADLINE_KIND_REPORT_UPWARD);
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(report->report_to(), v1::LEVEL_REGION);
  EXPECT_EQ(ToTime(report->due_at()), complained + absl::Hours(12));
  // The regulatory clock never changes.
  EXPECT_EQ(ToTime(FindOpenDeadline(c.state(), v1::DEADLINE_KIND_REGULATORY_RESULT)->due_at()),
            complained + absl::Hours(24 * 7));
}

}  // namespace
}  // namespace docket
