// Every command kind at every stage of the short flows (inquiries,
// suggestions, recoveries): allowed, or refused with the rule the refusal
// names. The complaint's stages are in decider_step_matrix_test.cc.

#include <functional>
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/refusal.h"
#include "engine/testing/case_harness.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::docket::testing::CaseHarness;
using ::docket::testing::Claims;
using ::docket::testing::Handler;
using ::docket::testing::Scanner;
using K = v1::CaseKind;
using S = v1::Stage;

// A paid complaint lost by the airline: the parent of the recoveries.
const CaseMap& Parents() {
  static const CaseMap* const kCases = [] {
    CaseHarness c("C-PARENT");
    c.MustSubmit(R"pb(open_case {
                        intake {
                          channel: CHANNEL_PHONE
                          category: CATEGORY_LOSS
                          customer { id: "X" }
                          shipment { weight_g: 1000 }
                          handling_branch: "GZ"
                        }
                      })pb");
    c.MustSubmit("acknowledge {}");
    c.MustSubmit("accept {}");
    c.MustSubmit("open_investigation {}");
    c.MustSubmit(R"pb(conclude_investigation {
                        findings { responsible: RESPONSIBLE_PARTY_THIRD_PARTY third_party: "AIR" }
                      })pb");
    c.MustSubmit("propose_resolution {}");
    c.MustSubmit("record_customer_reply { decision: CUSTOMER_DECISION_ACCEPTS }");
    c.MustSubmit("pay_compensation { amount_fen: 2000 }", Claims());
    auto* cases = new CaseMap();
    cases->Put(c.state());
    return cases;
  }();
  return *kCases;
}

// The steps that bring a case of `kind` to each of its stages, in order.
std::vector<std::pair<S, std::string>> Path(K kind) {
  switch (kind) {
    case v1::CASE_KIND_INQUIRY:
      return {{S::STAGE_OPENED, R"pb(open_case {
                                       intake {
                                         kind: CASE_KIND_INQUIRY
                                         channel: CHANNEL_PHONE
                                         customer { id: "X" }
                                       }
                                     })pb"},
              {S::STAGE_ROUTED, R"pb(route_to_department { department: "ops" })pb"},
              {S::STAGE_CONCLUDED, R"pb(answer_inquiry { answer: "a" })pb"},
              {S::STAGE_ARCHIVED, "archive {}"}};
    case v1::CASE_KIND_SUGGESTION:
      return {{S::STAGE_OPENED, R"pb(open_case {
                                       intake {
                                         kind: CASE_KIND_SUGGESTION
                                         channel: CHANNEL_ONLINE
                                         customer { id: "X" }
                                       }
                                     })pb"},
              {S::STAGE_ROUTED, R"pb(route_to_department { department: "product" })pb"},
              {S::STAGE_EVALUATED, R"pb(evaluate_suggestion { reason: "r" })pb"},
              {S::STAGE_CONCLUDED, R"pb(feed_back_suggestion { message: "thanks" })pb"},
              {S::STAGE_ARCHIVED, "archive {}"}};
    default:
      return {{S::STAGE_OPENED,
               R"pb(open_case {
                      intake {
                        kind: CASE_KIND_RECOVERY
                        link { kind: LINK_KIND_THIRD_PARTY_CLAIM case_id: "C-PARENT" }
                        recovery { amount_fen: 2000 third_party: "AIR" subrogation: true }
                      }
                    })pb"},
              {S::STAGE_ROUTED, R"pb(demand_recovery { reference: "D-1" })pb"},
              {S::STAGE_CONCLUDED,
               "settle_recovery { outcome: RECOVERY_OUTCOME_RECOVERED recovered_fen: 2000 }"},
              {S::STAGE_ARCHIVED, "archive {}"}};
  }
}

std::unique_ptr<CaseHarness> CaseAt(K kind, S stage) {
  auto c = std::make_unique<CaseHarness>("F-MATRIX");
  c->set_cases(&Parents());
  for (const auto& [reached, body] : Path(kind)) {
    c->MustSubmit(body, Claims());
    c->Advance(absl::Minutes(1));
    if (reached == stage) break;
  }
  return c;
}

struct Row {
  std::string name;
  std::string body;
  // The rule at an open stage of a kind (RULE_UNSPECIFIED: accepted).
  std::function<v1::Rule(K, S)> expect;
  bool system = false;
};

// Accepted by `kind` at `stages`, RULE_STEP_ORDER at its other stages,
// RULE_CASE_KIND for the other kinds.
std::function<v1::Rule(K, S)> Step(std::set<K> kinds, std::set<S> stages) {
  return [kinds, stages](K k, S s) {
    if (!kinds.contains(k)) return v1::RULE_CASE_KIND;
    return stages.contains(s) ? v1::RULE_UNSPECIFIED : v1::RULE_STEP_ORDER;
  };
}

std::function<v1::Rule(K, S)> Always(v1::Rule rule) {
  return [rule](K, S) { return rule; };
}

std::vector<Row> Rows() {
  const K inq = v1::CASE_KIND_INQUIRY, sug = v1::CASE_KIND_SUGGESTION, rec = v1::CASE_KIND_RECOVERY;
  std::vector<Row> rows = {
      {"open_case", R"pb(open_case {
                           intake {
                             channel: CHANNEL_PHONE
                             customer { id: "X" }
                           }
                         })pb",
       Always(v1::RULE_CASE_EXISTS)},
      {"escalate", "escalate { to_level: LEVEL_HEADQUARTERS }", Always(v1::RULE_UNSPECIFIED)},
      // Step 1 first: nothing waits on a customer not yet answered.
      {"await_customer", R"pb(await_customer { reason: "asked for the receipt" })pb",
       [](K, S s) { return s == S::STAGE_OPENED ? v1::RULE_STEP_ORDER : v1::RULE_UNSPECIFIED; }},
      {"record_customer_response", "record_customer_response {}",
       Always(v1::RULE_AWAITING_CUSTOMER)},
      {"record_deadline_warning",
       "record_deadline_warning { kind: DEADLINE_KIND_REGULATORY_RESULT percent: 50 }",
       Always(v1::RULE_DEADLINE), true},
      {"record_deadline_breach", "record_deadline_breach { kind: DEADLINE_KIND_REGULATORY_RESULT }",
       Always(v1::RULE_DEADLINE), true},
      {"archive", "archive {}",
       [](K, S s) {
         return s == S::STAGE_CONCLUDED ? v1::RULE_UNSPECIFIED : v1::RULE_ARCHIVE_PRECONDITIONS;
       }},
      {"attach_evidence",
       R"pb(attach_evidence {
              evidence {
                kind: EVIDENCE_KIND_DOCUMENT
                uri: "cas://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
                media_type: "application/pdf"
                size_bytes: 9
                sha256_hex: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
              }
            })pb",
       Step({rec}, {S::STAGE_OPENED, S::STAGE_ROUTED})},
      {"answer_inquiry", R"pb(answer_inquiry { answer: "a" })pb",
       Step({inq}, {S::STAGE_OPENED, S::STAGE_ROUTED})},
      {"route_to_department", R"pb(route_to_department { department: "d" })pb",
       Step({inq, sug}, {S::STAGE_OPENED})},
      {"evaluate_suggestion", R"pb(evaluate_suggestion { adopted: true reason: "r" })pb",
       Step({sug}, {S::STAGE_ROUTED})},
      {"feed_back_suggestion", R"pb(feed_back_suggestion { message: "m" })pb",
       Step({sug}, {S::STAGE_EVALUATED})},
      {"demand_recovery", R"pb(demand_recovery { reference: "D-2" })pb",
       Step({rec}, {S::STAGE_OPENED})},
      {"settle_recovery",
       "settle_recovery { outcome: RECOVERY_OUTCOME_RECOVERED recovered_fen: 2000 }",
       Step({rec}, {S::STAGE_ROUTED})},
  };
  // A complaint's steps: another kind's (RULE_CASE_KIND) everywhere here.
  for (const char* body : {
           "acknowledge {}",
           "accept {}",
           R"pb(classify { facts: AGGRAVATING_FACT_MEDIA_WARNING reason: "press" })pb",
           "report_upward { to_level: LEVEL_BRANCH }",
           "open_investigation {}",
           "conclude_investigation { findings { responsible: RESPONSIBLE_PARTY_NONE } }",
           "propose_resolution {}",
           "record_customer_reply { decision: CUSTOMER_DECISION_ACCEPTS }",
           R"pb(start_special_handling { customer_view: "more" })pb",
           "record_follow_up { method: FOLLOW_UP_METHOD_PHONE satisfaction: 4 }",
           R"pb(decide_penalty { penalty { penalty_id: "P" party_branch: "GZ" measure: "w" } })pb",
           R"pb(execute_penalty { penalty_id: "P" })pb",
           "pay_compensation { amount_fen: 1 }",
           R"pb(merge { survivor_case_id: "C-PARENT" })pb",
           R"pb(send_progress_notice {
                  progress: "p"
                  expected_completion_at { seconds: 1830000000 }
                })pb",
           R"pb(form_task_group { task_group { lead: "L" members: "M" departments: "D" } })pb",
           R"pb(close_by_referral { referral: REFERRAL_INSURER reason: "r" })pb",
       }) {
    rows.push_back({std::string(body).substr(0, std::string(body).find(' ')), body,
                    Always(v1::RULE_CASE_KIND)});
  }
  return rows;
}

TEST(FlowsStepMatrixTest, EveryCommandAtEveryStageOfTheShortFlows) {
  const std::map<K, std::vector<S>> stages = {
      {v1::CASE_KIND_INQUIRY,
       {S::STAGE_OPENED, S::STAGE_ROUTED, S::STAGE_CONCLUDED, S::STAGE_ARCHIVED}},
      {v1::CASE_KIND_SUGGESTION,
       {S::STAGE_OPENED, S::STAGE_ROUTED, S::STAGE_EVALUATED, S::STAGE_CONCLUDED,
        S::STAGE_ARCHIVED}},
      {v1::CASE_KIND_RECOVERY,
       {S::STAGE_OPENED, S::STAGE_ROUTED, S::STAGE_CONCLUDED, S::STAGE_ARCHIVED}},
  };
  int decided = 0, required_checked = 0;
  const std::vector<Row> rows = Rows();
  ASSERT_EQ(rows.size(), 31u) << "every command kind of the case process";
  for (const Row& row : rows) {
    for (const auto& [kind, kind_stages] : stages) {
      for (S stage : kind_stages) {
        SCOPED_TRACE(absl::StrCat(row.name, " on a ", v1::CaseKind_Name(kind), " at ",
                                  v1::Stage_Name(stage)));
        std::unique_ptr<CaseHarness> c = CaseAt(kind, stage);
        ASSERT_EQ(c->state().stage(), stage);
        const std::string before = c->state().SerializeAsString();
        const v1::Actor actor = row.system ? Scanner() : Handler();
        v1::Rule expected = row.expect(kind, stage);
        if (stage == S::STAGE_ARCHIVED) {
          expected = row.name == "open_case" ? v1::RULE_CASE_EXISTS : v1::RULE_CASE_CLOSED;
        }
        if (expected == v1::RULE_UNSPECIFIED) {
          // Where the step is taken, each field marked required is needed.
          required_checked += testing::ExpectEachRequiredFieldRefused(c.get(), row.body, actor);
        }
        auto result = c->Submit(row.body, actor);
        ++decided;
        if (expected == v1::RULE_UNSPECIFIED) {
          EXPECT_TRUE(result.ok()) << result.status();
          continue;
        }
        ASSERT_FALSE(result.ok()) << "expected " << v1::Rule_Name(expected);
        EXPECT_EQ(RuleOf(result.status()), expected) << result.status();
        EXPECT_EQ(c->state().SerializeAsString(), before) << "a refused command changed the state";
      }
    }
  }
  EXPECT_EQ(decided, 31 * 13);
  EXPECT_GT(required_checked, 0);
}

}  // namespace
}  // namespace docket
