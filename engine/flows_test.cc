// The short flows: inquiries and suggestions (物流客服渠道管理办法 四(一), 四(三))
// and the recovery child cases of a complaint (网络追偿细则, 向第三方索赔,
// 代位求偿), each a case kind with its own process and clocks.

#include "absl/strings/str_cat.h"
#include "engine/deadlines.h"
#include "engine/policy.h"
#include "engine/refusal.h"
#include "engine/testing/case_harness.h"
#include "engine/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::docket::testing::CaseHarness;
using ::docket::testing::Claims;
using ::testing::HasSubstr;

v1::Rule RuleOfResult(const absl::StatusOr<std::vector<v1::CaseEvent>>& r) {
  return r.ok() ? v1::RULE_UNSPECIFIED : RuleOf(r.status());
}

absl::Duration Window(const v1::CaseState& s, v1::DeadlineKind kind) {
  const v1::Deadline* d = FindOpenDeadline(s, kind);
  EXPECT_NE(d, nullptr) << v1::DeadlineKind_Name(kind);
  return d == nullptr ? absl::ZeroDuration() : ToTime(d->due_at()) - ToTime(d->started_at());
}

constexpr char kInquiry[] = R"pb(open_case {
                                   intake {
                                     kind: CASE_KIND_INQUIRY
                                     channel: CHANNEL_PHONE
                                     customer { id: "CUST-Q" }
                                     shipment { waybill: "W-77" }
                                     description: "where is my parcel?"
                                   }
                                 })pb";

// 四(一)3: 根据客户咨询的问题，在客户服务系统中查询相关信息或知识库资料，给予客户准确、详细的解答.
TEST(InquiryTest, AnsweredAtOnce) {
  CaseHarness c("Q-1");
  c.MustSubmit(kInquiry);
  EXPECT_EQ(c.state().kind(), v1::CASE_KIND_INQUIRY);
  EXPECT_EQ(c.state().severity(), v1::SEVERITY_UNSPECIFIED);
  ASSERT_EQ(c.state().deadlines_size(), 1) << "an inquiry runs its own clock only";
  EXPECT_EQ(Window(c.state(), v1::DEADLINE_KIND_FIRST_RESPONSE), absl::Minutes(120));
  // It is answered, not worked through the six steps.
  for (const char* step :
       {"acknowledge {}", "propose_resolution {}", R"pb(evaluate_suggestion { reason: "r" })pb"}) {
    EXPECT_EQ(RuleOfResult(c.Submit(step)), v1::RULE_CASE_KIND) << step;
  }
  EXPECT_EQ(RuleOfResult(c.Submit("answer_inquiry {}")), v1::RULE_MALFORMED_COMMAND);
  c.Advance(absl::Minutes(5));
  c.MustSubmit(R"pb(answer_inquiry { answer: "in the Zhuhai depot, out for delivery today" })pb");
  EXPECT_EQ(c.state().stage(), v1::STAGE_CONCLUDED);
  EXPECT_TRUE(c.state().deadlines(0).met());
  EXPECT_EQ(c.state().handler_id(), "E-100");
  EXPECT_TRUE(c.state().has_first_replied_at());
  c.MustSubmit("archive {}");
  EXPECT_EQ(c.state().stage(), v1::STAGE_ARCHIVED);
}

// 四(一)4: 对于无法立即解答的问题，客服人员应记录客户问题，并告知客户会在规定时间内给予回复。
// 同时，将问题及时流转给相关部门或专业人员进行处理。
// 5: 相关部门或专业人员接到问题后，应在规定时间内进行处理，并将处理结果反馈给客服人员。
// 6: 客服人员收到处理结果后，及时回复客户.
TEST(InquiryTest, RoutedWithAPromisedReplyTimeThenAnswered) {
  CaseHarness c("Q-2");
  c.MustSubmit(kInquiry);
  EXPECT_EQ(RuleOfResult(c.Submit("route_to_department {}")), v1::RULE_MALFORMED_COMMAND);
  c.Advance(absl::Minutes(30));
  auto routed = c.Submit(R"pb(route_to_department { department: "operations" })pb");
  ASSERT_TRUE(routed.ok()) << routed.status();
  EXPECT_EQ(c.state().stage(), v1::STAGE_ROUTED);
  EXPECT_EQ(c.state().department(), "operations");
  // Recorded and routed within the answer window: that clock is met; the
  // department's starts, due at the reply time promised to the customer.
  EXPECT_EQ(FindOpenDeadline(c.state(), v1::DEADLINE_KIND_FIRST_RESPONSE), nullptr);
  EXPECT_EQ(Window(c.state(), v1::DEADLINE_KIND_DEPARTMENT_REPLY), absl::Minutes(960));
  EXPECT_EQ(ToTime((*routed)[0].routed_to_department().deadlines(0).due_at()),
            c.now() + absl::Minutes(960));
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(route_to_department { department: "finance" })pb")),
            v1::RULE_STEP_ORDER);
  auto early = c.Submit("archive {}");
  EXPECT_EQ(RuleOfResult(early), v1::RULE_ARCHIVE_PRECONDITIONS);
  EXPECT_THAT(early.status().message(), HasSubstr("CASE_KIND_INQUIRY's outcome"));
  c.Advance(absl::Hours(3));
  c.MustSubmit(R"pb(answer_inquiry { answer: "the surcharge is the remote-area fee" })pb");
  EXPECT_EQ(c.state().stage(), v1::STAGE_CONCLUDED);
  for (const v1::Deadline& d : c.state().deadlines()) EXPECT_TRUE(d.met());
  c.MustSubmit("archive {}");
}

// 四(三)1-4: 客户提出建议 → 记录、分类整理 → 反馈给相关部门，相关部门对建议进行评估和分析 →
// 相关部门将建议的处理情况和结果反馈给客服人员，客服人员及时向客户反馈，感谢客户的建议.
TEST(SuggestionTest, RoutedEvaluatedAndFedBack) {
  CaseHarness c("S-1");
  c.MustSubmit(R"pb(open_case {
                      intake {
                        kind: CASE_KIND_SUGGESTION
                        channel: CHANNEL_ONLINE
                        customer { id: "CUST-S" }
                        description: "offer Saturday pick-up"
                      }
                    })pb");
  EXPECT_EQ(Window(c.state(), v1::DEADLINE_KIND_FEEDBACK), absl::Minutes(7200));
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(feed_back_suggestion { message: "thanks" })pb")),
            v1::RULE_STEP_ORDER);
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(answer_inquiry { answer: "a" })pb")), v1::RULE_CASE_KIND);
  c.MustSubmit(R"pb(route_to_department { department: "product" })pb");
  EXPECT_EQ(Window(c.state(), v1::DEADLINE_KIND_DEPARTMENT_REPLY), absl::Minutes(4800));
  EXPECT_EQ(RuleOfResult(c.Submit("evaluate_suggestion { adopted: true }")),
            v1::RULE_MALFORMED_COMMAND);
  c.Advance(absl::Hours(24));
  c.MustSubmit(
      R"pb(evaluate_suggestion { adopted: true reason: "pilot in Guangzhou from May" })pb");
  EXPECT_EQ(c.state().stage(), v1::STAGE_EVALUATED);
  EXPECT_TRUE(c.state().suggestion_adopted());
  c.MustSubmit(R"pb(feed_back_suggestion { message: "thank you: Saturday pick-up from May" })pb");
  EXPECT_EQ(c.state().stage(), v1::STAGE_CONCLUDED);
  for (const v1::Deadline& d : c.state().deadlines()) EXPECT_TRUE(d.met());
  c.MustSubmit("archive {}");
  EXPECT_EQ(c.state().stage(), v1::STAGE_ARCHIVED);
}

// A parent complaint: a lost parcel the investigation blames on `finding`,
// with the proven loss of 3,000 CNY paid when `paid`.
v1::CaseState Parent(const std::string& id, const char* finding, bool paid) {
  CaseHarness c(id);
  c.MustSubmit(R"pb(open_case {
                      intake {
                        channel: CHANNEL_WRITTEN
                        category: CATEGORY_LOSS
                        customer {
                          id: "CHAIN-02"
                          contract { uninsured_basis: COMPENSATION_BASIS_DIRECT_LOSS }
                        }
                        shipment { waybill: "W-REC" weight_g: 8000 }
                        claim_fen: 300000
                        handling_branch: "GZ"
                      }
                    })pb");
  c.MustSubmit("acknowledge {}");
  c.MustSubmit("accept {}");
  c.MustSubmit("open_investigation {}");
  c.MustSubmit(absl::StrCat("conclude_investigation { findings { ", finding,
                            " assessed_loss_fen: 300000 } }"));
  c.MustSubmit("propose_resolution {}");
  c.MustSubmit("record_customer_reply { decision: CUSTOMER_DECISION_ACCEPTS }");
  if (paid) c.MustSubmit("pay_compensation { amount_fen: 300000 }", Claims());
  return c.state();
}

std::string Recovery(const char* link, const char* parent, const char* claim) {
  return absl::StrCat("open_case { intake { kind: CASE_KIND_RECOVERY link { kind: ", link,
                      " case_id: \"", parent, "\" } recovery { ", claim, " } } }");
}

// 四、网络投诉处理原则及网络追偿细则: after paying, the paying branch recovers
// from the branch at fault, at most what it paid; a child case with its own
// amount, clock and outcome.
TEST(RecoveryTest, NetworkRecoveryFromTheBranchAtFault) {
  CaseMap cases;
  cases.Put(Parent(
      "C-PAID", R"pb(responsible: RESPONSIBLE_PARTY_INTERNAL internal_branch: "SZ-DIST")pb", true));
  cases.Put(Parent("C-UNPAID", R"pb(responsible: RESPONSIBLE_PARTY_INTERNAL
                                    internal_branch: "SZ-DIST")pb",
                   false));
  // Paid by GZ, the branch at fault itself: nobody to recover from.
  cases.Put(Parent("C-SELF", R"pb(responsible: RESPONSIBLE_PARTY_INTERNAL internal_branch: "GZ")pb",
                   true));
  struct Row {
    const char* parent;
    const char* claim;
    v1::Rule rule;
  };
  const Row refused[] = {
      {"C-PAID", R"pb(amount_fen: 300000 liable_branch: "HZ")pb", v1::RULE_LINK},
      {"C-SELF", R"pb(amount_fen: 300000 liable_branch: "GZ")pb", v1::RULE_LINK},
      {"C-PAID", R"pb(amount_fen: 300001 liable_branch: "SZ-DIST")pb", v1::RULE_RECOVERY},
      {"C-UNPAID", R"pb(amount_fen: 100000 liable_branch: "SZ-DIST")pb", v1::RULE_RECOVERY},
      {"C-NOWHERE", R"pb(amount_fen: 100000 liable_branch: "SZ-DIST")pb", v1::RULE_LINK},
      {"C-PAID", R"pb(liable_branch: "SZ-DIST")pb", v1::RULE_MALFORMED_COMMAND},
  };
  for (const Row& row : refused) {
    SCOPED_TRACE(absl::StrCat(row.parent, " ", row.claim));
    CaseHarness c("R-1");
    c.set_cases(&cases);
    EXPECT_EQ(RuleOfResult(c.Submit(Recovery("LINK_KIND_NETWORK_RECOVERY", row.parent, row.claim),
                                    Claims())),
              row.rule);
  }
  CaseHarness c("R-1");
  c.set_cases(&cases);
  c.MustSubmit(Recovery("LINK_KIND_NETWORK_RECOVERY", "C-PAID", R"pb(amount_fen: 300000
                                                                     liable_branch: "SZ-DIST")pb"),
               Claims());
  EXPECT_EQ(c.state().kind(), v1::CASE_KIND_RECOVERY);
  EXPECT_EQ(Window(c.state(), v1::DEADLINE_KIND_RECOVERY), absl::Hours(24 * 30));
  EXPECT_EQ(RuleOfResult(c.Submit("propose_resolution {}", Claims())), v1::RULE_CASE_KIND);
  c.MustSubmit(R"pb(demand_recovery { reference: "DEBIT-SZ-0042" })pb", Claims());
  EXPECT_EQ(c.state().stage(), v1::STAGE_ROUTED);
  const char* bad_settlements[] = {
      "settle_recovery { outcome: RECOVERY_OUTCOME_RECOVERED recovered_fen: 100000 }",
      "settle_recovery { outcome: RECOVERY_OUTCOME_PARTIAL recovered_fen: 300000 }",
      "settle_recovery { outcome: RECOVERY_OUTCOME_REFUSED }",
  };
  for (const char* bad : bad_settlements) {
    EXPECT_EQ(RuleOfResult(c.Submit(bad, Claims())), v1::RULE_RECOVERY) << bad;
  }
  c.MustSubmit("settle_recovery { outcome: RECOVERY_OUTCOME_PARTIAL recovered_fen: 200000 }",
               Claims());
  EXPECT_EQ(c.state().stage(), v1::STAGE_CONCLUDED);
  EXPECT_EQ(c.state().recovered_fen(), 200000);
  EXPECT_TRUE(c.state().deadlines(0).met());
  c.MustSubmit("archive {}", Claims());
}

// 服务事故的常用处理办法 4、向第三方索赔 6、代位求偿: a claim against the airline
// the findings hold responsible; subrogation (the company paid the customer
// first and claims in its place) needs the payment, and no more than it.
TEST(RecoveryTest, ThirdPartyClaimWithSubrogation) {
  CaseMap cases;
  const char* airline = R"pb(responsible: RESPONSIBLE_PARTY_THIRD_PARTY third_party: "CA-CARGO")pb";
  cases.Put(Parent("C-AIR-PAID", airline, true));
  cases.Put(Parent("C-AIR-UNPAID", airline, false));
  const auto open = [&](const char* parent, const char* claim) {
    CaseHarness c("R-2");
    c.set_cases(&cases);
    return RuleOfResult(c.Submit(Recovery("LINK_KIND_THIRD_PARTY_CLAIM", parent, claim), Claims()));
  };
  EXPECT_EQ(open("C-AIR-PAID", R"pb(amount_fen: 300000 third_party: "MU-CARGO")pb"), v1::RULE_LINK);
  EXPECT_EQ(
      open("C-AIR-UNPAID", R"pb(amount_fen: 300000 third_party: "CA-CARGO" subrogation: true)pb"),
      v1::RULE_RECOVERY);
  EXPECT_EQ(
      open("C-AIR-PAID", R"pb(amount_fen: 400000 third_party: "CA-CARGO" subrogation: true)pb"),
      v1::RULE_RECOVERY);
  // Its own loss the company may claim before paying anyone.
  EXPECT_EQ(open("C-AIR-UNPAID", R"pb(amount_fen: 300000 third_party: "CA-CARGO")pb"),
            v1::RULE_UNSPECIFIED);
  CaseHarness c("R-2");
  c.set_cases(&cases);
  c.MustSubmit(Recovery("LINK_KIND_THIRD_PARTY_CLAIM", "C-AIR-PAID", R"pb(amount_fen: 300000
                                                                          third_party: "CA-CARGO"
                                                                          subrogation: true)pb"),
               Claims());
  EXPECT_EQ(Window(c.state(), v1::DEADLINE_KIND_RECOVERY), absl::Hours(24 * 60));
  c.MustSubmit(R"pb(demand_recovery { reference: "CLAIM-CA-7781" })pb", Claims());
  c.MustSubmit(R"pb(settle_recovery {
                      outcome: RECOVERY_OUTCOME_REFUSED
                      note: "the airline's liability limit was exhausted"
                    })pb",
               Claims());
  EXPECT_EQ(c.state().recovery_outcome(), v1::RECOVERY_OUTCOME_REFUSED);
}

// What a parent paid is recovered once: its recoveries together claim no
// more than it (each was capped alone before: two recoveries of 48.20 from
// a parent that paid 48.20 both settled, 96.40 recovered). A settled one
// counts what it recovered, an open one what it claims.
TEST(RecoveryTest, AParentsRecoveriesTogetherClaimNoMoreThanItPaid) {
  CaseMap cases;
  cases.Put(Parent(
      "C-PAID", R"pb(responsible: RESPONSIBLE_PARTY_INTERNAL internal_branch: "SZ-DIST")pb", true));
  const auto recovery = [&](const char* id, int64_t claim) {
    CaseHarness c(id);
    c.set_cases(&cases);
    const std::string amount = absl::StrCat("amount_fen: ", claim, " liable_branch: \"SZ-DIST\"");
    return c.Submit(Recovery("LINK_KIND_NETWORK_RECOVERY", "C-PAID", amount.c_str()), Claims());
  };
  // Open, claiming 2,000.00 of the 3,000.00 paid.
  CaseHarness open("R-OPEN");
  open.set_cases(&cases);
  open.MustSubmit(Recovery("LINK_KIND_NETWORK_RECOVERY", "C-PAID",
                           R"pb(amount_fen: 200000 liable_branch: "SZ-DIST")pb"),
                  Claims());
  cases.Put(open.state());
  // A recovery of `claim` fen, demanded and settled by `settlement`.
  const auto settled = [&](const char* id, int64_t claim, const char* settlement) {
    CaseHarness c(id);
    c.set_cases(&cases);
    const std::string amount = absl::StrCat("amount_fen: ", claim, " liable_branch: \"SZ-DIST\"");
    c.MustSubmit(Recovery("LINK_KIND_NETWORK_RECOVERY", "C-PAID", amount.c_str()), Claims());
    c.MustSubmit(absl::StrCat("demand_recovery { reference: \"DEBIT-", id, "\" }"), Claims());
    c.MustSubmit(settlement, Claims());
    cases.Put(c.state());
  };
  // Settled: 500.00 recovered of 1,000.00 claimed.
  settled("R-SETTLED", 100000,
          "settle_recovery { outcome: RECOVERY_OUTCOME_PARTIAL recovered_fen: 50000 }");
  EXPECT_EQ(RuleOfResult(recovery("R-NEXT", 50000)), v1::RULE_UNSPECIFIED)
      << "3,000.00 paid, 2,000.00 claimed and 500.00 recovered: 500.00 left";
  const absl::StatusOr<std::vector<v1::CaseEvent>> over = recovery("R-NEXT", 50001);
  EXPECT_EQ(RuleOfResult(over), v1::RULE_RECOVERY);
  EXPECT_THAT(over.status().message(), HasSubstr("2500.00 CNY already claimed or recovered"));
  // Refused in full, a recovery frees what it claimed.
  settled("R-REFUSED", 50000,
          R"pb(settle_recovery { outcome: RECOVERY_OUTCOME_REFUSED note: "disputed" })pb");
  EXPECT_EQ(RuleOfResult(recovery("R-NEXT", 50000)), v1::RULE_UNSPECIFIED);
  EXPECT_EQ(cases.LinkedTo("C-PAID").size(), 3u);
}

}  // namespace
}  // namespace docket
