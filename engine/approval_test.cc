// Approval of compensation (DESIGN.md, "Compensation"; 服务事故的处理权限 and
// the seed's 理赔处): from MAJOR up a proposal is approved by a supervisor
// holding the authority its amount needs and co-approved by claims before
// it is paid; whoever proposed goodwill does not approve it; the payment is
// recorded by claims, never by whoever proposed it.

#include "absl/strings/str_cat.h"
#include "engine/decider.h"
#include "engine/refusal.h"
#include "engine/testing/case_harness.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::docket::testing::CaseHarness;
using ::docket::testing::Claims;
using ::docket::testing::Handler;
using ::docket::testing::HqSupervisor;
using ::docket::testing::RegionSupervisor;
using ::testing::HasSubstr;

v1::Rule RuleOfResult(const absl::StatusOr<std::vector<v1::CaseEvent>>& r) {
  return r.ok() ? v1::RULE_UNSPECIFIED : RuleOf(r.status());
}

v1::Actor BranchSupervisor() {
  v1::Actor a = RegionSupervisor();
  a.set_id("S-GZ");
  a.set_level(v1::LEVEL_BRANCH);
  a.set_branch("GZ");
  return a;
}

// A loss of `loss_fen` assessed and proposed by `proposer` (with
// `goodwill_fen`), accepted by the customer.
void Proposed(CaseHarness& c, int64_t loss_fen, const v1::Actor& proposer,
              int64_t goodwill_fen = 0) {
  c.MustSubmit(absl::StrCat(
      R"pb(open_case { intake { channel: CHANNEL_WRITTEN category: CATEGORY_LOSS
                                customer {
                                  id: "CUST"
                                  contract { uninsured_basis: COMPENSATION_BASIS_DIRECT_LOSS }
                                }
                                shipment { waybill: "W-1" weight_g: 5000 }
                                claim_fen:)pb",
      loss_fen, " handling_branch: \"GZ\" } }"));
  c.MustSubmit("acknowledge {}");
  c.MustSubmit("accept {}");
  c.MustSubmit("open_investigation {}");
  c.MustSubmit(
      absl::StrCat("conclude_investigation { findings { responsible: RESPONSIBLE_PARTY_THIRD_PARTY "
                   "third_party: \"AIR\" assessed_loss_fen: ",
                   loss_fen, " } }"));
  if (c.state().severity() >= v1::SEVERITY_MAJOR) {
    c.MustSubmit(R"pb(form_task_group {
                        task_group { lead: "E-200" members: "E-100" departments: "claims" }
                      })pb",
                 RegionSupervisor());
  }
  c.MustSubmit(absl::StrCat("propose_resolution { goodwill_fen: ", goodwill_fen, " }"), proposer);
  c.MustSubmit("record_customer_reply { decision: CUSTOMER_DECISION_ACCEPTS }");
}

TEST(ApprovalTest, AMajorCaseIsPaidOnlyAfterApprovalAndCoApproval) {
  CaseHarness c("C-MAJOR");
  Proposed(c, 1050000, RegionSupervisor());  // 10,500 CNY, as the cigarettes.
  ASSERT_EQ(c.state().severity(), v1::SEVERITY_MAJOR);
  const int64_t owed = c.state().proposed_fen();
  const std::string pay = absl::StrCat("pay_compensation { amount_fen: ", owed, " }");

  auto unapproved = c.Submit(pay, Claims());
  EXPECT_EQ(RuleOfResult(unapproved), v1::RULE_APPROVAL);
  EXPECT_THAT(unapproved.status().message(), HasSubstr("supervisor"));
  EXPECT_THAT(unapproved.status().message(), HasSubstr("co-approval of claims"));

  // A branch supervisor lacks the authority the amount needs.
  EXPECT_NE(RuleOfResult(c.Submit("approve_compensation {}", BranchSupervisor())),
            v1::RULE_UNSPECIFIED);
  // A handler approves nothing.
  EXPECT_EQ(RuleOfResult(c.Submit("approve_compensation {}", Handler())), v1::RULE_PERMISSION);
  c.MustSubmit("approve_compensation {}", RegionSupervisor());
  EXPECT_EQ(RuleOfResult(c.Submit("approve_compensation {}", RegionSupervisor())),
            v1::RULE_APPROVAL);  // Once is enough.
  auto half = c.Submit(pay, Claims());
  EXPECT_EQ(RuleOfResult(half), v1::RULE_APPROVAL);
  EXPECT_THAT(half.status().message(), HasSubstr("co-approval of claims"));
  c.MustSubmit("approve_compensation {}", Claims());
  // The proposer does not record the payment; claims does.
  EXPECT_EQ(RuleOfResult(c.Submit(pay, RegionSupervisor())), v1::RULE_SEPARATION_OF_DUTIES);
  c.MustSubmit(pay, Claims());
  EXPECT_EQ(c.state().paid_fen(), owed);
}

TEST(ApprovalTest, WhoeverProposedGoodwillDoesNotApproveIt) {
  CaseHarness c("C-GOODWILL");
  Proposed(c, 1050000, HqSupervisor(), /*goodwill_fen=*/20000);
  ASSERT_EQ(c.state().severity(), v1::SEVERITY_MAJOR);
  EXPECT_EQ(RuleOfResult(c.Submit("approve_compensation {}", HqSupervisor())),
            v1::RULE_SEPARATION_OF_DUTIES);
  // 10,700 CNY needs headquarters' authority: the region may not approve
  // it; another headquarters supervisor does.
  EXPECT_EQ(RuleOfResult(c.Submit("approve_compensation {}", RegionSupervisor())),
            v1::RULE_AUTHORITY);
  v1::Actor other = HqSupervisor();
  other.set_id("E-301");
  c.MustSubmit("approve_compensation {}", other);
  c.MustSubmit("approve_compensation {}", Claims());
  c.MustSubmit(absl::StrCat("pay_compensation { amount_fen: ", c.state().proposed_fen(), " }"),
               Claims());
}

// Goodwill (通融赔偿) above the computed amount needs one level higher, and
// its proposer does not approve it: whatever the severity, it is paid only
// once a supervisor other than its proposer, holding that level, approved.
TEST(ApprovalTest, GoodwillIsPaidOnlyOnceAnotherSupervisorApprovesIt) {
  CaseHarness c("C-GOODWILL-GENERAL");
  Proposed(c, 20000, RegionSupervisor(), /*goodwill_fen=*/5000);
  ASSERT_LT(c.state().severity(), v1::SEVERITY_MAJOR);
  const std::string pay =
      absl::StrCat("pay_compensation { amount_fen: ", c.state().proposed_fen(), " }");
  auto unapproved = c.Submit(pay, Claims());
  EXPECT_EQ(RuleOfResult(unapproved), v1::RULE_APPROVAL);
  EXPECT_THAT(unapproved.status().message(), HasSubstr("goodwill"));
  EXPECT_THAT(unapproved.status().message(), HasSubstr("LEVEL_REGION supervisor"));
  EXPECT_EQ(RuleOfResult(c.Submit("approve_compensation {}", RegionSupervisor())),
            v1::RULE_SEPARATION_OF_DUTIES);
  EXPECT_EQ(RuleOfResult(c.Submit("approve_compensation {}", BranchSupervisor())),
            v1::RULE_AUTHORITY)
      << "goodwill on a branch's case is the region's to approve";
  c.MustSubmit("approve_compensation {}", HqSupervisor());
  c.MustSubmit(pay, Claims());
  EXPECT_EQ(c.state().paid_fen(), c.state().proposed_fen());
  // Paid in full: nothing is left to approve.
  auto late = c.Submit("approve_compensation {}", Claims());
  EXPECT_EQ(RuleOfResult(late), v1::RULE_APPROVAL);
  EXPECT_THAT(late.status().message(), HasSubstr("paid in full"));
}

TEST(ApprovalTest, BelowMajorClaimsPaysWithoutApprovals) {
  CaseHarness c("C-GENERAL");
  Proposed(c, 20000, Handler());
  ASSERT_LT(c.state().severity(), v1::SEVERITY_MAJOR);
  EXPECT_EQ(RuleOfResult(c.Submit(
                absl::StrCat("pay_compensation { amount_fen: ", c.state().proposed_fen(), " }"),
                Handler())),
            v1::RULE_SEPARATION_OF_DUTIES);
  c.MustSubmit(absl::StrCat("pay_compensation { amount_fen: ", c.state().proposed_fen(), " }"),
               Claims());
  EXPECT_EQ(c.state().paid_fen(), c.state().proposed_fen());
}

// What the case owes (OwedFen, which the console shows as "still to pay")
// is exactly what a payment may pay: the proposal less what was paid, in
// parts, and nothing once paid in full or once the customer waived it.
TEST(ApprovalTest, WhatIsOwedIsWhatAPaymentMayPay) {
  CaseHarness c("C-OWED");
  Proposed(c, 20000, Handler());
  const int64_t proposed = c.state().proposed_fen();
  ASSERT_GT(proposed, 1);
  EXPECT_EQ(OwedFen(c.state()), proposed);
  auto too_much =
      c.Submit(absl::StrCat("pay_compensation { amount_fen: ", proposed + 1, " }"), Claims());
  EXPECT_EQ(RuleOfResult(too_much), v1::RULE_PAYMENT);
  EXPECT_THAT(too_much.status().message(), HasSubstr("is owed"));
  c.MustSubmit("pay_compensation { amount_fen: 1 }", Claims());
  EXPECT_EQ(OwedFen(c.state()), proposed - 1);
  EXPECT_EQ(RuleOfResult(c.Submit(absl::StrCat("pay_compensation { amount_fen: ", proposed, " }"),
                                  Claims())),
            v1::RULE_PAYMENT);
  c.MustSubmit(absl::StrCat("pay_compensation { amount_fen: ", OwedFen(c.state()), " }"), Claims());
  EXPECT_EQ(OwedFen(c.state()), 0);
  auto more = c.Submit("pay_compensation { amount_fen: 1 }", Claims());
  EXPECT_EQ(RuleOfResult(more), v1::RULE_PAYMENT);
  EXPECT_THAT(more.status().message(), HasSubstr("nothing is owed"));

  v1::CaseState waived = c.state();
  waived.set_paid_fen(0);
  waived.set_compensation_declined(true);
  EXPECT_EQ(OwedFen(waived), 0) << "the customer waived payment";
}

// An outside check: a handler reclassified a MAJOR loss the investigation
// had assessed at 10,000 CNY with a loss of 1.00 CNY, the case became
// GENERAL, and claims paid the 10,000 CNY the findings computed without
// any approval. The loss is the investigation's: a classification does not
// contradict it (a new figure needs a new investigation).
TEST(ApprovalTest, AClassificationDoesNotUndoTheInvestigationsLoss) {
  CaseHarness c("C-MAJOR");
  c.MustSubmit(
      R"pb(open_case {
             intake {
               channel: CHANNEL_WRITTEN
               category: CATEGORY_LOSS
               customer {
                 id: "CUST"
                 contract { uninsured_basis: COMPENSATION_BASIS_DIRECT_LOSS }
               }
               shipment { waybill: "W-1" weight_g: 5000 }
               claim_fen: 1000000
               handling_branch: "GZ"
             }
           })pb");
  c.MustSubmit("acknowledge {}");
  c.MustSubmit("accept {}");
  c.MustSubmit("open_investigation {}");
  c.MustSubmit(
      "conclude_investigation { findings { responsible: RESPONSIBLE_PARTY_THIRD_PARTY "
      "third_party: \"AIR\" assessed_loss_fen: 1000000 } }");
  ASSERT_EQ(c.state().severity(), v1::SEVERITY_MAJOR);
  auto lowered = c.Submit(R"pb(classify { assessed_loss_fen: 100 reason: "actually cheap" })pb");
  EXPECT_EQ(RuleOfResult(lowered), v1::RULE_FINDINGS);
  EXPECT_THAT(lowered.status().message(), HasSubstr("10000.00"));
  EXPECT_EQ(c.state().severity(), v1::SEVERITY_MAJOR);
  // A new investigation may find another loss, and a judgement follows it;
  // until it concludes, the last findings stand (a reopened investigation
  // let a judgement contradict them before).
  c.MustSubmit("open_investigation {}");
  EXPECT_EQ(RuleOfResult(c.Submit(
                R"pb(classify { assessed_loss_fen: 100 reason: "while it is looked into" })pb")),
            v1::RULE_FINDINGS);
  c.MustSubmit(
      "conclude_investigation { findings { responsible: RESPONSIBLE_PARTY_THIRD_PARTY "
      "third_party: \"AIR\" assessed_loss_fen: 200000 } }");
  c.MustSubmit(R"pb(classify { assessed_loss_fen: 200000 reason: "as found again" })pb");
  EXPECT_EQ(c.state().severity(), v1::SEVERITY_GENERAL);
}

// Whatever a case was judged, a payment the size of a MAJOR loss is
// approved as MAJOR: a billing case claimed at 6,000 CNY, judged GENERAL by
// a handler with a loss of 1.00 CNY, whose overcharge comes to 6,000 CNY,
// is paid only with the approval and claims' co-approval.
TEST(ApprovalTest, APaymentOfAMajorLossesSizeIsApprovedAsMajor) {
  CaseHarness c("C-BILL");
  c.MustSubmit(
      R"pb(open_case {
             intake {
               channel: CHANNEL_WRITTEN
               category: CATEGORY_BILLING
               customer { id: "CUST" }
               shipment {
                 waybill: "W-2"
                 weight_g: 700000
                 billed_weight_g: 1000000
                 freight_rate_fen_per_kg: 2000
               }
               claim_fen: 600000
               handling_branch: "GZ"
             }
           })pb");
  c.MustSubmit("acknowledge {}");
  c.MustSubmit("accept {}");
  ASSERT_EQ(c.state().severity(), v1::SEVERITY_MAJOR);
  c.MustSubmit(R"pb(classify { assessed_loss_fen: 100 reason: "a small matter" })pb");
  ASSERT_EQ(c.state().severity(), v1::SEVERITY_GENERAL);
  c.MustSubmit("propose_resolution {}", RegionSupervisor());
  ASSERT_EQ(c.state().proposed_fen(), 600000);
  c.MustSubmit("record_customer_reply { decision: CUSTOMER_DECISION_ACCEPTS }");
  const std::string pay = "pay_compensation { amount_fen: 600000 }";
  auto unapproved = c.Submit(pay, Claims());
  EXPECT_EQ(RuleOfResult(unapproved), v1::RULE_APPROVAL);
  EXPECT_THAT(unapproved.status().message(), HasSubstr("co-approval of claims"));
  EXPECT_THAT(unapproved.status().message(), HasSubstr("MAJOR"));
  c.MustSubmit("approve_compensation {}", RegionSupervisor());
  c.MustSubmit("approve_compensation {}", Claims());
  c.MustSubmit(pay, Claims());
}

}  // namespace
}  // namespace docket
