#include "engine/policy.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::testing::HasSubstr;

std::string DefaultText() {
  std::string text;
  google::protobuf::TextFormat::PrintToString(DefaultPolicy(), &text);
  return text;
}

TEST(PolicyTest, DefaultPolicyIsValidAndVersioned) {
  const v1::Policy& p = DefaultPolicy();
  EXPECT_TRUE(ValidatePolicy(p).ok());
  EXPECT_EQ(p.version(), "2026.1-default");
  EXPECT_EQ(p.compensation().rate_fen_per_kg(), 2000);  // 20 CNY/kg (seed).
  EXPECT_EQ(p.regulatory_result_minutes(), 7 * 24 * 60);
  EXPECT_EQ(ClocksFor(p, v1::SEVERITY_MAJOR).report_to(), v1::LEVEL_REGION);
  EXPECT_EQ(ClocksFor(p, v1::SEVERITY_EXTRAORDINARY).first_response_minutes(), 30);
  // The seeds' further flows.
  EXPECT_EQ(p.bounds().max_amount_fen(), int64_t{1000000000000});
  EXPECT_THAT(p.severity().key_account_tiers(), ::testing::ElementsAre(v1::CUSTOMER_TIER_A));
  EXPECT_EQ(p.severity().warned_levels_up(), 1);
  EXPECT_EQ(p.progress_notice().window_minutes(), 2 * 8 * 60);  // 2 working days.
  EXPECT_EQ(p.progress_notice().extraordinary_update_minutes(), 24 * 60);
  EXPECT_EQ(p.task_group().from_severity(), v1::SEVERITY_MAJOR);
  EXPECT_EQ(p.task_group().min_departments(), 2);
  EXPECT_EQ(p.closure().referral_level(), v1::LEVEL_REGION);
}

TEST(PolicyTest, RoundTripsThroughText) {
  absl::StatusOr<v1::Policy> p = ParsePolicy(DefaultText());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->SerializeAsString(), DefaultPolicy().SerializeAsString());
}

TEST(PolicyTest, SyntaxErrorNamesLineAndColumn) {
  absl::StatusOr<v1::Policy> p =
      ParsePolicy("version: \"x\"\nseverity {\n  major_loss_fen: lots\n}");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("line 3"));
}

TEST(PolicyTest, UnknownFieldIsAnError) {
  absl::StatusOr<v1::Policy> p = ParsePolicy(DefaultText() + "\nmystery_knob: 3\n");
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("mystery_knob"));
}

// Each broken policy names the field that is wrong.
struct BrokenPolicy {
  const char* name;
  void (*spoil)(v1::Policy&);
  const char* field;
};

TEST(PolicyTest, InvalidPoliciesNameTheField) {
  const BrokenPolicy cases[] = {
      {"no version", [](v1::Policy& p) { p.clear_version(); }, "policy field version"},
      {"major threshold zero", [](v1::Policy& p) { p.mutable_severity()->set_major_loss_fen(0); },
       "severity.major_loss_fen"},
      {"thresholds out of order",
       [](v1::Policy& p) { p.mutable_severity()->set_extraordinary_loss_fen(100); },
       "severity.extraordinary_loss_fen"},
      {"floor without severity",
       [](v1::Policy& p) { p.mutable_severity()->mutable_floors(1)->clear_at_least(); },
       "severity.floors[1].at_least"},
      {"unknown uninsured basis",
       [](v1::Policy& p) {
         p.mutable_compensation()->set_uninsured_basis(v1::COMPENSATION_BASIS_EXEMPT);
       },
       "compensation.uninsured_basis"},
      {"zero rate", [](v1::Policy& p) { p.mutable_compensation()->set_rate_fen_per_kg(0); },
       "compensation.rate_fen_per_kg"},
      {"authority missing a level", [](v1::Policy& p) { p.mutable_authority()->RemoveLast(); },
       "authority"},
      {"authority limits not ascending",
       [](v1::Policy& p) { p.mutable_authority(1)->set_max_amount_fen(100); },
       "authority[1].max_amount_fen"},
      {"unlimited branch", [](v1::Policy& p) { p.mutable_authority(0)->set_unlimited(true); },
       "authority[0].unlimited"},
      {"negative resolution window",
       [](v1::Policy& p) { p.mutable_clocks(1)->set_resolution_minutes(-5); },
       "clocks[1].resolution_minutes"},
      {"no clocks for MAJOR", [](v1::Policy& p) { p.mutable_clocks()->DeleteSubrange(1, 1); },
       "no entry for SEVERITY_MAJOR"},
      {"duplicate clocks",
       [](v1::Policy& p) { p.mutable_clocks(2)->set_severity(v1::SEVERITY_GENERAL); },
       "clocks[2].severity"},
      {"channel without minutes",
       [](v1::Policy& p) { p.mutable_channel_first_reply(0)->set_minutes(0); },
       "channel_first_reply[0].minutes"},
      {"no regulatory clock", [](v1::Policy& p) { p.clear_regulatory_result_minutes(); },
       "regulatory_result_minutes"},
      {"warning at 120%", [](v1::Policy& p) { p.set_warning_percent(1, 120); },
       "warning_percent[1]"},
      {"no bounds", [](v1::Policy& p) { p.clear_bounds(); }, "policy field bounds"},
      {"an amount bound past 10^15",
       [](v1::Policy& p) { p.mutable_bounds()->set_max_amount_fen(int64_t{1} << 62); },
       "bounds.max_amount_fen"},
      {"a zero weight bound", [](v1::Policy& p) { p.mutable_bounds()->set_max_weight_g(0); },
       "bounds.max_weight_g"},
      {"the default rate beyond its bound",
       [](v1::Policy& p) { p.mutable_bounds()->set_max_rate_fen_per_kg(100); },
       "compensation.rate_fen_per_kg"},
      {"an unset key-account tier",
       [](v1::Policy& p) {
         p.mutable_severity()->add_key_account_tiers(v1::CUSTOMER_TIER_UNSPECIFIED);
       },
       "severity.key_account_tiers[1]"},
      {"warned cases raised three levels",
       [](v1::Policy& p) { p.mutable_severity()->set_warned_levels_up(3); },
       "severity.warned_levels_up"},
      {"no inquiry answer window",
       [](v1::Policy& p) { p.mutable_inquiry()->clear_answer_minutes(); },
       "inquiry.answer_minutes"},
      {"no suggestion feedback window",
       [](v1::Policy& p) { p.mutable_suggestion()->set_feedback_minutes(-1); },
       "suggestion.feedback_minutes"},
      {"no progress notice window",
       [](v1::Policy& p) { p.mutable_progress_notice()->clear_window_minutes(); },
       "progress_notice.window_minutes"},
      {"no daily update",
       [](v1::Policy& p) { p.mutable_progress_notice()->clear_extraordinary_update_minutes(); },
       "progress_notice.extraordinary_update_minutes"},
      {"task group from no severity",
       [](v1::Policy& p) { p.mutable_task_group()->clear_from_severity(); },
       "task_group.from_severity"},
      {"a task group for one department",
       [](v1::Policy& p) { p.mutable_task_group()->set_min_departments(1); },
       "task_group.min_departments"},
      {"referral without special handling",
       [](v1::Policy& p) { p.mutable_closure()->set_min_special_handlings(0); },
       "closure.min_special_handlings"},
      {"referral by nobody", [](v1::Policy& p) { p.mutable_closure()->clear_referral_level(); },
       "closure.referral_level"},
      {"no recovery window",
       [](v1::Policy& p) { p.mutable_recovery()->clear_third_party_claim_minutes(); },
       "recovery.third_party_claim_minutes"},
  };
  for (const BrokenPolicy& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Policy p = DefaultPolicy();
    c.spoil(p);
    absl::Status status = ValidatePolicy(p);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr(c.field));
  }
}

}  // namespace
}  // namespace docket
