// Every command kind in every stage of the six-step process: allowed, or
// refused with the rule the refusal names (DESIGN.md, "Rules the engine
// enforces"). One case is brought to each stage, then each command is tried
// eight days after the complaint (so the 7-day regulatory clock is past due
// where it is still open).

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/decider.h"
#include "engine/policy.h"
#include "engine/refusal.h"
#include "engine/testing/case_harness.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::docket::testing::CaseHarness;
using ::docket::testing::Handler;
using ::docket::testing::Scanner;

constexpr v1::Stage kOpenStages[] = {
    v1::STAGE_OPENED,   v1::STAGE_ACKNOWLEDGED, v1::STAGE_RESOLVING,  v1::STAGE_PROPOSED,
    v1::STAGE_DISPUTED, v1::STAGE_REPLIED,      v1::STAGE_FOLLOWED_UP};
constexpr v1::Stage kAllStages[] = {
    v1::STAGE_OPENED,      v1::STAGE_ACKNOWLEDGED, v1::STAGE_RESOLVING,
    v1::STAGE_PROPOSED,    v1::STAGE_DISPUTED,     v1::STAGE_REPLIED,
    v1::STAGE_FOLLOWED_UP, v1::STAGE_ARCHIVED,     v1::STAGE_MERGED};

// The other cases merges name: live complaints about the same waybill.
const CaseMap& Survivors() {
  static const CaseMap* const kCases = [] {
    auto* cases = new CaseMap();
    for (const char* id : {"C-SURVIVOR", "C-OTHER"}) {
      CaseHarness c(id);
      c.MustSubmit(R"pb(open_case {
                          intake {
                            channel: CHANNEL_ONLINE
                            category: CATEGORY_DAMAGE
                            customer { id: "CUST-1" }
                            shipment { waybill: "W-1" }
                          }
                        })pb");
      cases->Put(c.state());
    }
    return cases;
  }();
  return *kCases;
}

// Brings a DAMAGE case (2.41 kg, uninsured, claim 200 CNY) to `stage`, one
// command a minute from the test epoch.
std::unique_ptr<CaseHarness> CaseAt(v1::Stage stage) {
  auto c = std::make_unique<CaseHarness>("C-MATRIX");
  c->set_cases(&Survivors());
  auto step = [&](const char* body, const v1::Actor& actor = Handler()) {
    c->MustSubmit(body, actor);
    c->Advance(absl::Minutes(1));
  };
  step(R"pb(open_case {
              intake {
                channel: CHANNEL_PHONE
                category: CATEGORY_DAMAGE
                customer { id: "CUST-1" }
                shipment { waybill: "W-1" weight_g: 2410 }
                claim_fen: 20000
              }
            })pb");
  if (stage == v1::STAGE_OPENED) return c;
  if (stage == v1::STAGE_MERGED) {
    step(R"pb(merge { survivor_case_id: "C-SURVIVOR" })pb");
    return c;
  }
  step(R"pb(acknowledge {})pb");
  if (stage == v1::STAGE_ACKNOWLEDGED) return c;
  step(R"pb(accept {})pb");
  step(R"pb(attach_evidence {
              evidence {
                kind: EVIDENCE_KIND_PHOTO
                uri: "cas://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                media_type: "image/png"
                size_bytes: 10
                sha256_hex: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
              }
            })pb");
  step(R"pb(open_investigation {})pb");
  step(R"pb(conclude_investigation {
              findings { responsible: RESPONSIBLE_PARTY_INTERNAL internal_branch: "GZ" }
            })pb");
  if (stage == v1::STAGE_RESOLVING) return c;
  step(R"pb(propose_resolution {})pb");
  if (stage == v1::STAGE_PROPOSED) return c;
  if (stage == v1::STAGE_DISPUTED) {
    step(R"pb(record_customer_reply { decision: CUSTOMER_DECISION_REJECTS })pb");
    return c;
  }
  step(R"pb(record_customer_reply { decision: CUSTOMER_DECISION_ACCEPTS })pb");
  if (stage == v1::STAGE_REPLIED) return c;
  step(R"pb(record_follow_up { method: FOLLOW_UP_METHOD_PHONE satisfaction: 5 })pb");
  if (stage == v1::STAGE_FOLLOWED_UP) return c;
  // Claims records the payment, not the handler who proposed it.
  step(R"pb(pay_compensation { amount_fen: 4820 })pb", testing::Claims());
  step(R"pb(report_upward { to_level: LEVEL_BRANCH })pb");
  step(R"pb(archive {})pb");
  return c;
}

struct Row {
  std::string name;
  std::string body;
  bool system = false;                            // Submitted by the deadline scanner.
  std::set<v1::Stage> allowed;                    // Open stages where it is accepted.
  v1::Rule refused_with;                          // The rule elsewhere in open stages...
  std::map<v1::Stage, v1::Rule> refused_at = {};  // ...but at these.
  bool claims = false;                            // Submitted by claims (理赔处).
};

std::vector<Row> Rows() {
  using S = v1::Stage;
  const std::set<S> all_open(std::begin(kOpenStages), std::end(kOpenStages));
  std::set<S> open_answered = all_open;
  open_answered.erase(S::STAGE_OPENED);
  return {
      {"open_case",
       R"pb(open_case {
              intake {
                channel: CHANNEL_PHONE
                category: CATEGORY_OTHER
                customer { id: "X" }
              }
            })pb",
       false,
       {},
       v1::RULE_CASE_EXISTS},
      {"acknowledge", R"pb(acknowledge {})pb", false, {S::STAGE_OPENED}, v1::RULE_STEP_ORDER},
      {"accept", R"pb(accept {})pb", false, {S::STAGE_ACKNOWLEDGED}, v1::RULE_STEP_ORDER},
      {"classify",
       R"pb(classify { facts: AGGRAVATING_FACT_MEDIA_WARNING reason: "press" })pb",
       false,
       {S::STAGE_RESOLVING},
       v1::RULE_STEP_ORDER},
      {"escalate", R"pb(escalate { to_level: LEVEL_HEADQUARTERS })pb", false, all_open,
       v1::RULE_UNSPECIFIED},
      {"report_upward", R"pb(report_upward { to_level: LEVEL_BRANCH })pb", false, all_open,
       v1::RULE_UNSPECIFIED},
      {"open_investigation",
       R"pb(open_investigation {})pb",
       false,
       {S::STAGE_RESOLVING},
       v1::RULE_STEP_ORDER},
      {"attach_evidence",
       R"pb(attach_evidence {
              evidence {
                kind: EVIDENCE_KIND_DOCUMENT
                uri: "cas://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
                media_type: "application/pdf"
                size_bytes: 99
                sha256_hex: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
              }
            })pb",
       false,
       {S::STAGE_OPENED, S::STAGE_ACKNOWLEDGED, S::STAGE_RESOLVING, S::STAGE_PROPOSED,
        S::STAGE_DISPUTED},
       v1::RULE_STEP_ORDER},
      {"conclude_investigation",
       R"pb(conclude_investigation { findings { responsible: RESPONSIBLE_PARTY_NONE } })pb",
       false,
       {},
       v1::RULE_INVESTIGATION_STATE},
      {"propose_resolution",
       R"pb(propose_resolution {})pb",
       false,
       {S::STAGE_RESOLVING},
       v1::RULE_STEP_ORDER},
      {"record_customer_reply",
       R"pb(record_customer_reply { decision: CUSTOMER_DECISION_ACCEPTS })pb",
       false,
       {S::STAGE_PROPOSED},
       v1::RULE_STEP_ORDER},
      {"start_special_handling",
       R"pb(start_special_handling { customer_view: "wants more" })pb",
       false,
       {S::STAGE_DISPUTED},
       v1::RULE_STEP_ORDER},
      {"record_follow_up",
       R"pb(record_follow_up { method: FOLLOW_UP_METHOD_VISIT satisfaction: 2 })pb",
       false,
       {S::STAGE_REPLIED},
       v1::RULE_STEP_ORDER},
      {"decide_penalty",
       R"pb(decide_penalty { penalty { penalty_id: "P-1" party_branch: "GZ" measure: "warning" } })pb",
       false,
       {S::STAGE_RESOLVING, S::STAGE_PROPOSED, S::STAGE_DISPUTED, S::STAGE_REPLIED,
        S::STAGE_FOLLOWED_UP},
       v1::RULE_STEP_ORDER},
      {"execute_penalty",
       R"pb(execute_penalty { penalty_id: "P-never" })pb",
       false,
       {},
       v1::RULE_PENALTY_NEEDS_INTERNAL_FINDING},
      {"pay_compensation",
       R"pb(pay_compensation { amount_fen: 100 })pb",
       false,
       {S::STAGE_REPLIED, S::STAGE_FOLLOWED_UP},
       v1::RULE_STEP_ORDER,
       {},
       /*claims=*/true},
      // Step 1 first: nothing waits on a customer not yet answered.
      {"await_customer", R"pb(await_customer { reason: "photos asked" })pb", false, open_answered,
       v1::RULE_STEP_ORDER},
      {"record_customer_response",
       R"pb(record_customer_response {})pb",
       false,
       {},
       v1::RULE_AWAITING_CUSTOMER},
      {"record_deadline_warning",
       R"pb(record_deadline_warning { kind: DEADLINE_KIND_REGULATORY_RESULT percent: 50 })pb",
       true,
       {S::STAGE_OPENED, S::STAGE_ACKNOWLEDGED, S::STAGE_RESOLVING, S::STAGE_PROPOSED},
       v1::RULE_DEADLINE},
      {"record_deadline_breach",
       R"pb(record_deadline_breach { kind: DEADLINE_KIND_REGULATORY_RESULT })pb",
       true,
       {S::STAGE_OPENED, S::STAGE_ACKNOWLEDGED, S::STAGE_RESOLVING, S::STAGE_PROPOSED},
       v1::RULE_DEADLINE},
      {"merge",
       R"pb(merge { survivor_case_id: "C-OTHER" })pb",
       false,
       {S::STAGE_OPENED, S::STAGE_ACKNOWLEDGED, S::STAGE_RESOLVING},
       v1::RULE_STEP_ORDER},
      {"archive", R"pb(archive {})pb", false, {}, v1::RULE_ARCHIVE_PRECONDITIONS},
      // The seeds' further flows: a complaint's own, and other kinds' steps.
      {"send_progress_notice",
       R"pb(send_progress_notice {
              progress: "checking the depot"
              expected_completion_at { seconds: 1830000000 }
            })pb",
       false,
       {S::STAGE_ACKNOWLEDGED, S::STAGE_RESOLVING},
       v1::RULE_STEP_ORDER},
      {"form_task_group",
       R"pb(form_task_group { task_group { lead: "E-200" members: "E-100" departments: "ops" } })pb",
       false,
       {S::STAGE_RESOLVING, S::STAGE_DISPUTED},
       v1::RULE_STEP_ORDER},
      {"close_by_referral",
       R"pb(close_by_referral { referral: REFERRAL_LITIGATION reason: "sues" })pb",
       false,
       {},
       v1::RULE_STEP_ORDER,
       {{S::STAGE_RESOLVING, v1::RULE_CLOSURE}, {S::STAGE_DISPUTED, v1::RULE_CLOSURE}}},
      {"answer_inquiry", R"pb(answer_inquiry { answer: "a" })pb", false, {}, v1::RULE_CASE_KIND},
      {"route_to_department",
       R"pb(route_to_department { department: "ops" })pb",
       false,
       {},
       v1::RULE_CASE_KIND},
      {"evaluate_suggestion",
       R"pb(evaluate_suggestion { reason: "r" })pb",
       false,
       {},
       v1::RULE_CASE_KIND},
      {"feed_back_suggestion",
       R"pb(feed_back_suggestion { message: "m" })pb",
       false,
       {},
       v1::RULE_CASE_KIND},
      {"demand_recovery",
       R"pb(demand_recovery { reference: "D-1" })pb",
       false,
       {},
       v1::RULE_CASE_KIND},
      {"settle_recovery",
       R"pb(settle_recovery { outcome: RECOVERY_OUTCOME_RECOVERED recovered_fen: 1 })pb",
       false,
       {},
       v1::RULE_CASE_KIND},
  };
}

// The code a refusal by `rule` carries at `state`: not now, unless the
// command itself is what to fix.
absl::StatusCode CodeFor(v1::Rule rule, const v1::CaseState& state) {
  switch (rule) {
    case v1::RULE_CASE_EXISTS:
      return absl::StatusCode::kAlreadyExists;
    case v1::RULE_DEADLINE:
      // A deadline of another kind is open: the kind named is what to fix.
      for (const v1::Deadline& d : state.deadlines()) {
        if (!d.met()) return absl::StatusCode::kInvalidArgument;
      }
      return absl::StatusCode::kFailedPrecondition;
    default:
      return absl::StatusCode::kFailedPrecondition;
  }
}

TEST(DeciderStepMatrixTest, EveryCommandInEveryStage) {
  int accepted = 0, refused = 0, required_checked = 0;
  for (const Row& row : Rows()) {
    for (v1::Stage stage : kAllStages) {
      SCOPED_TRACE(absl::StrCat(row.name, " at ", v1::Stage_Name(stage)));
      std::unique_ptr<CaseHarness> c = CaseAt(stage);
      ASSERT_EQ(c->state().stage(), stage);
      c->set_now(testing::TestEpoch() + absl::Hours(24 * 8));
      const std::string before = c->state().SerializeAsString();
      const v1::Actor actor = row.system ? Scanner() : row.claims ? testing::Claims() : Handler();

      const bool closed = stage == v1::STAGE_ARCHIVED || stage == v1::STAGE_MERGED;
      v1::Rule expected = v1::RULE_UNSPECIFIED;
      if (closed) {
        expected = row.name == "open_case" ? v1::RULE_CASE_EXISTS : v1::RULE_CASE_CLOSED;
      } else if (row.refused_at.contains(stage)) {
        expected = row.refused_at.at(stage);
      } else if (!row.allowed.contains(stage)) {
        expected = row.refused_with;
      }
      if (expected == v1::RULE_UNSPECIFIED) {
        // Where the step is taken, each field the schema marks required is
        // what it cannot do without (the console marks the same fields).
        required_checked += testing::ExpectEachRequiredFieldRefused(c.get(), row.body, actor);
      }
      auto result = c->Submit(row.body, actor);
      if (expected == v1::RULE_UNSPECIFIED) {
        EXPECT_TRUE(result.ok()) << result.status();
        if (result.ok()) {
          EXPECT_FALSE(result->empty());
        }
        ++accepted;
      } else {
        ASSERT_FALSE(result.ok()) << "expected " << v1::Rule_Name(expected);
        EXPECT_EQ(RuleOf(result.status()), expected) << result.status();
        EXPECT_EQ(result.status().code(), CodeFor(expected, c->state())) << result.status();
        EXPECT_EQ(c->state().SerializeAsString(), before) << "a refused command changed the state";
        ++refused;
      }
    }
  }
  // 31 command kinds × 9 stages.
  EXPECT_EQ(accepted + refused, 31 * 9);
  EXPECT_GT(required_checked, 0);
}

// The envelope: what every command must carry, checked before any step.
struct EnvelopeRow {
  std::string name;
  std::function<void(v1::Command&)> spoil;
  v1::Rule rule;
  absl::StatusCode code;
};

TEST(DeciderEnvelopeTest, MalformedCommandsAreRefusedBeforeAnyRule) {
  const std::vector<EnvelopeRow> rows = {
      {"no command id", [](v1::Command& c) { c.clear_command_id(); }, v1::RULE_MALFORMED_COMMAND,
       absl::StatusCode::kInvalidArgument},
      {"case id with a slash", [](v1::Command& c) { c.set_case_id("C/1"); },
       v1::RULE_MALFORMED_COMMAND, absl::StatusCode::kInvalidArgument},
      {"case id with a space", [](v1::Command& c) { c.set_case_id("C 1"); },
       v1::RULE_MALFORMED_COMMAND, absl::StatusCode::kInvalidArgument},
      {"case id too long", [](v1::Command& c) { c.set_case_id(std::string(49, 'x')); },
       v1::RULE_MALFORMED_COMMAND, absl::StatusCode::kInvalidArgument},
      {"no actor", [](v1::Command& c) { c.clear_actor(); }, v1::RULE_MALFORMED_COMMAND,
       absl::StatusCode::kInvalidArgument},
      {"actor without level", [](v1::Command& c) { c.mutable_actor()->clear_level(); },
       v1::RULE_MALFORMED_COMMAND, absl::StatusCode::kInvalidArgument},
      {"no body", [](v1::Command& c) { c.clear_body(); }, v1::RULE_MALFORMED_COMMAND,
       absl::StatusCode::kInvalidArgument},
      {"occurred in the future",
       [](v1::Command& c) {
         c.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(testing::TestEpoch()) + 3600);
       },
       v1::RULE_TIME, absl::StatusCode::kInvalidArgument},
      {"occurred before the complaint",
       [](v1::Command& c) {
         c.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(testing::TestEpoch()) - 3600);
       },
       v1::RULE_TIME, absl::StatusCode::kInvalidArgument},
      {"stale expected revision", [](v1::Command& c) { c.set_expected_revision(0); },
       v1::RULE_EXPECTED_REVISION, absl::StatusCode::kAborted},
  };
  for (const EnvelopeRow& row : rows) {
    SCOPED_TRACE(row.name);
    CaseHarness c("C-ENV");
    c.MustSubmit(R"pb(open_case {
                        intake {
                          channel: CHANNEL_EMAIL
                          category: CATEGORY_ATTITUDE
                          customer { id: "X" }
                        }
                      })pb");
    v1::Command command = testing::CommandFromText(R"pb(acknowledge {})pb");
    command.set_command_id("cmd-env");
    command.set_case_id("C-ENV");
    *command.mutable_actor() = Handler();
    row.spoil(command);
    auto result = c.Submit(command);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(RuleOf(result.status()), row.rule) << result.status();
    EXPECT_EQ(result.status().code(), row.code) << result.status();
  }
}

TEST(DeciderEnvelopeTest, AnyStepButOpenCaseOnAnUnknownCaseIsNotFound) {
  v1::Command command = testing::CommandFromText(R"pb(acknowledge {})pb");
  command.set_command_id("cmd-1");
  command.set_case_id("C-NOWHERE");
  *command.mutable_actor() = Handler();
  auto result = Decide(v1::CaseState(), command, DefaultPolicy(), testing::TestEpoch());
  EXPECT_EQ(RuleOf(result.status()), v1::RULE_UNKNOWN_CASE);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(result.status().message(), "case C-NOWHERE does not exist");
}

TEST(DeciderEnvelopeTest, StateOfAnotherCaseIsAnInternalError) {
  CaseHarness c("C-ONE");
  c.MustSubmit(R"pb(open_case {
                      intake {
                        channel: CHANNEL_EMAIL
                        category: CATEGORY_ATTITUDE
                        customer { id: "X" }
                      }
                    })pb");
  v1::Command command = testing::CommandFromText(R"pb(acknowledge {})pb");
  command.set_command_id("cmd-2");
  command.set_case_id("C-TWO");
  *command.mutable_actor() = Handler();
  auto result = Decide(c.state(), command, DefaultPolicy(), c.now());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);
}

TEST(DeciderEnvelopeTest, ExpectedRevisionMatchingIsAccepted) {
  CaseHarness c("C-REV");
  c.MustSubmit(R"pb(expected_revision: 0
                    open_case {
                      intake {
                        channel: CHANNEL_EMAIL
                        category: CATEGORY_ATTITUDE
                        customer { id: "X" }
                      }
                    })pb");
  auto r = c.Submit(R"pb(expected_revision: 1
                         acknowledge {})pb");
  ASSERT_TRUE(r.ok()) << r.status();
  auto stale = c.Submit(R"pb(expected_revision: 1
                             accept {})pb");
  EXPECT_EQ(RuleOf(stale.status()), v1::RULE_EXPECTED_REVISION);
  EXPECT_EQ(stale.status().message(), "case C-REV revision 2: expected 1");
}

}  // namespace
}  // namespace docket
