// Time cannot be forged (issue "Nothing silently lost, nothing forged",
// item 7; DESIGN.md "Bad input"): per case, events never go back in time,
// and a step may be backdated at most the policy's tolerance (defaults: 30
// minutes for people, 24 hours for an adapter's intake).

#include "engine/decider.h"
#include "engine/policy.h"
#include "engine/refusal.h"
#include "engine/testing/case_harness.h"
#include "engine/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using testing::CaseHarness;
using ::testing::HasSubstr;

constexpr char kIntake[] = R"pb(open_case {
                                  intake {
                                    channel: CHANNEL_PHONE
                                    category: CATEGORY_ATTITUDE
                                    customer { id: "CU-1" }
                                    handling_branch: "GZ"
                                  }
                                })pb";

v1::Command At(absl::string_view body, absl::Time occurred, const v1::Actor& actor,
               absl::string_view id) {
  v1::Command command = testing::CommandFromText(body);
  command.set_command_id(std::string(id));
  command.set_case_id("C-T");
  *command.mutable_actor() = actor;
  *command.mutable_occurred_at() = google::protobuf::Timestamp();
  command.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(occurred));
  return command;
}

v1::Actor Adapter() {
  v1::Actor a;
  a.set_id("adapter-phone");
  a.set_role(v1::ROLE_ADAPTER);
  a.set_level(v1::LEVEL_BRANCH);
  return a;
}

TEST(TimeRulesTest, AnAcknowledgementSentDaysLateIsNotAOneMinuteFirstResponse) {
  CaseHarness c("C-T");
  const absl::Time complained = c.now();
  c.MustSubmit(kIntake);
  // Two days later a handler claims the apology came a minute after the call.
  c.Advance(absl::Hours(48));
  auto late =
      c.Submit(At("acknowledge {}", complained + absl::Minutes(1), testing::Handler(), "ack-1"));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(RuleOf(late.status()), v1::RULE_TIME);
  EXPECT_THAT(late.status().message(), HasSubstr("the policy allows 30"));
  // Dated within the tolerance, it is accepted.
  auto honest =
      c.Submit(At("acknowledge {}", c.now() - absl::Minutes(30), testing::Handler(), "ack-2"));
  EXPECT_TRUE(honest.ok()) << honest.status();
}

TEST(TimeRulesTest, AnAdaptersIntakeMayBeRegisteredUpToADayLater) {
  const absl::Time now = testing::TestEpoch();
  auto next_day = Decide(v1::CaseState(), At(kIntake, now - absl::Hours(23), Adapter(), "o-1"),
                         DefaultPolicy(), now);
  EXPECT_TRUE(next_day.ok()) << next_day.status();
  auto too_old = Decide(v1::CaseState(), At(kIntake, now - absl::Hours(25), Adapter(), "o-2"),
                        DefaultPolicy(), now);
  ASSERT_FALSE(too_old.ok());
  EXPECT_EQ(RuleOf(too_old.status()), v1::RULE_TIME);
  // A person registering the complaint gets the people's tolerance.
  auto by_hand =
      Decide(v1::CaseState(), At(kIntake, now - absl::Hours(2), testing::Handler(), "o-3"),
             DefaultPolicy(), now);
  EXPECT_EQ(RuleOf(by_hand.status()), v1::RULE_TIME);
}

TEST(TimeRulesTest, ACasesEventsNeverGoBackInTime) {
  CaseHarness c("C-T");
  c.MustSubmit(kIntake);
  c.Advance(absl::Minutes(20));
  c.MustSubmit("acknowledge {}");
  c.Advance(absl::Minutes(5));
  // Dated within the tolerance, but before the acknowledgement.
  auto earlier = c.Submit(At("accept {}", c.now() - absl::Minutes(10), testing::Handler(), "a-1"));
  ASSERT_FALSE(earlier.ok());
  EXPECT_EQ(RuleOf(earlier.status()), v1::RULE_TIME);
  EXPECT_THAT(earlier.status().message(), HasSubstr("never go back in time"));
  EXPECT_TRUE(c.Submit(At("accept {}", c.now(), testing::Handler(), "a-2")).ok());
  EXPECT_EQ(ToTime(c.state().last_occurred_at()), c.now());
}

TEST(TimeRulesTest, TheToleranceIsPolicy) {
  v1::Policy policy = DefaultPolicy();
  policy.mutable_time()->set_backdate_minutes(120);
  ASSERT_TRUE(ValidatePolicy(policy).ok());
  CaseHarness c("C-T", policy);
  c.MustSubmit(kIntake);
  c.Advance(absl::Hours(3));
  EXPECT_TRUE(
      c.Submit(At("acknowledge {}", c.now() - absl::Minutes(90), testing::Handler(), "k-1")).ok());
  policy.mutable_time()->set_backdate_minutes(0);
  EXPECT_FALSE(ValidatePolicy(policy).ok());
}

}  // namespace
}  // namespace docket
