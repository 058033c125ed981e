// How a complaint is judged and paid (项目四 物流客户投诉处理, 模块三/四 of the
// course outline): the proven loss and the limit, the severity the loss
// sets, the customers that raise it, warned customers, and the authority
// that covers what a case pays. Each test quotes the passage it is written
// from.

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
using ::docket::testing::Handler;
using ::docket::testing::HqSupervisor;
using ::docket::testing::RegionSupervisor;
using ::testing::HasSubstr;

constexpr char kPhoto[] = R"pb(
  attach_evidence {
    evidence {
      kind: EVIDENCE_KIND_PHOTO
      uri: "cas://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      sha256_hex: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      size_bytes: 10
      media_type: "image/jpeg"
    }
  })pb";

v1::Rule RuleOfResult(const absl::StatusOr<std::vector<v1::CaseEvent>>& r) {
  return r.ok() ? v1::RULE_UNSPECIFIED : RuleOf(r.status());
}

// Opens an uninsured DAMAGE complaint on the phone, acknowledges and
// accepts it.
void OpenDamage(CaseHarness& c, int64_t weight_g, int64_t claim_fen, const char* extra = "",
                const char* customer = "customer { id: \"CUST\" }") {
  c.MustSubmit(
      absl::StrCat("open_case { intake { channel: CHANNEL_PHONE category: CATEGORY_DAMAGE ",
                   customer, " shipment { waybill: \"W-1\" weight_g: ", weight_g,
                   " } claim_fen: ", claim_fen, " ", extra, " } }"));
  c.MustSubmit("acknowledge {}");
  c.MustSubmit("accept {}");
}

void Conclude(CaseHarness& c, int64_t assessed_fen) {
  c.MustSubmit(kPhoto);
  c.MustSubmit("open_investigation {}");
  c.MustSubmit(
      absl::StrCat("conclude_investigation { findings { responsible: RESPONSIBLE_PARTY_INTERNAL "
                   "internal_branch: \"GZ\" assessed_loss_fen: ",
                   assessed_fen, " } }"));
}

// 服务事故的赔偿 (二)赔偿原则: 1、直接损失赔偿 ... 3、最高限额赔偿. The carrier
// pays the proven direct loss, capped by the limit (and by the claim). An
// uninsured 10 kg shipment, claim 300 CNY, the loss assessed at 50 CNY, the
// per-kg limit 20 × 10 = 200 CNY: 50 CNY, not 200 (failed before: 200).
TEST(JudgementTest, UninsuredPaysTheProvenLossCappedByTheLimitAndTheClaim) {
  CaseHarness c("C-PROVEN");
  OpenDamage(c, 10000, 30000);
  Conclude(c, 5000);
  auto proposed = c.Submit("propose_resolution {}");
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  const v1::ResolutionProposed& p = (*proposed)[0].resolution_proposed();
  EXPECT_EQ(p.amount_fen(), 5000);
  EXPECT_EQ(p.basis(), v1::COMPENSATION_BASIS_CONTRACT_RATE_PER_KG);
  EXPECT_THAT(p.calculation(), HasSubstr("20.00/kg × 10.000 kg = 200.00"));
  EXPECT_THAT(p.calculation(), HasSubstr("capped by the assessed loss 50.00"));
}

// The limit still caps a proven loss above it: assessed 900 CNY, limit 200.
TEST(JudgementTest, ProvenLossAboveTheLimitPaysTheLimit) {
  CaseHarness c("C-LIMIT");
  OpenDamage(c, 10000, 100000);
  Conclude(c, 90000);
  auto proposed = c.Submit("propose_resolution {}");
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  EXPECT_EQ((*proposed)[0].resolution_proposed().amount_fen(), 20000);
}

// 案例3: 某月结客户…本月总计托运了758kg货物，为何运费按802kg收取. The refund is
// the overcharge; without the shipped weight there is none to compute, and
// the whole bill is not refunded (failed before: 802 kg × tariff).
// 晚到: the freight is waived; a delay without the freight is not "0.00
// waived" (failed before).
TEST(JudgementTest, MissingFactsAreRefusedNamingTheFact) {
  struct Row {
    const char* intake;
    const char* fact;
  };
  const Row rows[] = {
      {R"pb(category: CATEGORY_BILLING
            shipment { billed_weight_g: 802000 freight_rate_fen_per_kg: 250 })pb",
       "shipment.weight_g"},
      {R"pb(category: CATEGORY_BILLING
            shipment { weight_g: 758000 freight_rate_fen_per_kg: 250 })pb",
       "shipment.billed_weight_g"},
      {R"pb(category: CATEGORY_LATE
            shipment { insurance_fee_fen: 500 })pb",
       "shipment.freight_fen"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.intake);
    CaseHarness c("C-FACTS");
    c.MustSubmit(absl::StrCat("open_case { intake { channel: CHANNEL_PHONE customer { id: \"X\" } ",
                              row.intake, " } }"));
    c.MustSubmit("acknowledge {}");
    c.MustSubmit("accept {}");
    if (c.state().category() == v1::CATEGORY_LATE) {
      c.MustSubmit("open_investigation {}");
      c.MustSubmit(
          R"pb(conclude_investigation { findings { responsible: RESPONSIBLE_PARTY_NONE } })pb");
    }
    auto proposed = c.Submit("propose_resolution {}");
    EXPECT_EQ(RuleOfResult(proposed), v1::RULE_COMPENSATION_FACTS);
    EXPECT_THAT(proposed.status().message(), HasSubstr(row.fact));
  }
}

// 服务事故的种类 3、按损失金额分 1)一般事故 2)重大事故 3)特大事故. A GENERAL
// complaint whose investigation assesses the loss at 12,000 CNY is a MAJOR
// incident: Classified at once, handled at the region, MAJOR clocks from
// the original start, a report upward to the region (failed before: it
// stayed GENERAL at the branch).
TEST(JudgementTest, ConcludedAssessmentRaisesTheSeverity) {
  CaseHarness c("C-ASSESSED");
  const absl::Time complained = c.now();
  OpenDamage(c, 10000, 300000);  // Claim 3,000 CNY: GENERAL.
  c.MustSubmit("report_upward { to_level: LEVEL_BRANCH }");
  ASSERT_EQ(c.state().severity(), v1::SEVERITY_GENERAL);
  c.Advance(absl::Hours(5));
  c.MustSubmit(kPhoto);
  c.MustSubmit("open_investigation {}");
  auto concluded = c.Submit(R"pb(conclude_investigation {
                                   findings {
                                     responsible: RESPONSIBLE_PARTY_INTERNAL
                                     internal_branch: "GZ"
                                     assessed_loss_fen: 1200000
                                   }
                                 })pb");
  ASSERT_TRUE(concluded.ok()) << concluded.status();
  ASSERT_EQ(concluded->size(), 2u);
  const v1::Classified& classified = (*concluded)[1].classified();
  EXPECT_EQ(classified.severity(), v1::SEVERITY_MAJOR);
  EXPECT_EQ(classified.handling_level(), v1::LEVEL_REGION);
  EXPECT_THAT(classified.reason(), HasSubstr("12000.00"));
  EXPECT_EQ(c.state().severity(), v1::SEVERITY_MAJOR);
  EXPECT_EQ(c.state().handling_level(), v1::LEVEL_REGION);
  const v1::Deadline* resolution = FindOpenDeadline(c.state(), v1::DEADLINE_KIND_RESOLUTION);
  ASSERT_NE(resolution, nullptr);
  EXPECT_EQ(ToTime(resolution->due_at()), complained + absl::Hours(24 * 5));
  const v1::Deadline* report = FindOpenDeadline(c.state(), v1::DEADLINE_KIND_REPORT_UPWARD);
  ASSERT_NE(report, nullptr) << "a MAJOR incident is reported to the region";
  EXPECT_EQ(report->report_to(), v1::LEVEL_REGION);
  EXPECT_EQ(ToTime(report->due_at()), complained + absl::Hours(12));
}

// Findings name who is responsible, and 免责条款 exempt the carrier only by
// a named clause: force majeure by its own; the customer's fault (the
// shipper's: a wrong address, its own packaging; the goods' own defect;
// contraband) by the clause that says which, never by none (failed before:
// the customer's fault with no clause named paid at the contract rate)
// nor by force majeure's.
TEST(JudgementTest, FindingsNameTheirPartyAndTheClauseThatExemptsTheCarrier) {
  const std::pair<const char*, v1::Rule> rows[] = {
      {"", v1::RULE_FINDINGS},
      {"responsible: RESPONSIBLE_PARTY_INTERNAL", v1::RULE_FINDINGS},
      {"responsible: RESPONSIBLE_PARTY_INTERNAL internal_branch: \"GZ\" "
       "exemption: EXEMPTION_SHIPPER_FAULT",
       v1::RULE_FINDINGS},
      {"responsible: RESPONSIBLE_PARTY_THIRD_PARTY", v1::RULE_FINDINGS},
      {"responsible: RESPONSIBLE_PARTY_FORCE_MAJEURE", v1::RULE_FINDINGS},
      {"responsible: RESPONSIBLE_PARTY_CUSTOMER", v1::RULE_FINDINGS},
      {"responsible: RESPONSIBLE_PARTY_CUSTOMER exemption: EXEMPTION_FORCE_MAJEURE",
       v1::RULE_FINDINGS},
      {"responsible: RESPONSIBLE_PARTY_CUSTOMER exemption: EXEMPTION_SHIPPER_FAULT",
       v1::RULE_UNSPECIFIED},
      {"responsible: RESPONSIBLE_PARTY_CUSTOMER exemption: EXEMPTION_CONTRABAND",
       v1::RULE_UNSPECIFIED},
      {"responsible: RESPONSIBLE_PARTY_FORCE_MAJEURE exemption: EXEMPTION_FORCE_MAJEURE",
       v1::RULE_UNSPECIFIED},
      {"responsible: RESPONSIBLE_PARTY_NONE", v1::RULE_UNSPECIFIED},
  };
  for (const auto& [findings, rule] : rows) {
    SCOPED_TRACE(findings);
    CaseHarness c("C-FINDINGS");
    OpenDamage(c, 2410, 20000);
    c.MustSubmit(kPhoto);
    c.MustSubmit("open_investigation {}");
    auto concluded =
        c.Submit(absl::StrCat("conclude_investigation { findings { ", findings, " } }"));
    EXPECT_EQ(RuleOfResult(concluded), rule);
    EXPECT_EQ(c.state().has_findings(), rule == v1::RULE_UNSPECIFIED);
  }
}

// Severity goes down only by an explicit reclassification with a reason.
TEST(JudgementTest, LowerAssessmentLowersTheSeverityOnlyByReclassification) {
  CaseHarness c("C-LOWER");
  OpenDamage(c, 10000, 1200000);  // Claim 12,000 CNY: MAJOR.
  ASSERT_EQ(c.state().severity(), v1::SEVERITY_MAJOR);
  c.MustSubmit(kPhoto);
  c.MustSubmit("open_investigation {}");
  auto concluded = c.Submit(R"pb(conclude_investigation {
                                   findings {
                                     responsible: RESPONSIBLE_PARTY_INTERNAL
                                     internal_branch: "GZ"
                                     assessed_loss_fen: 300000
                                   }
                                 })pb");
  ASSERT_TRUE(concluded.ok()) << concluded.status();
  EXPECT_EQ(concluded->size(), 1u);
  EXPECT_EQ(c.state().severity(), v1::SEVERITY_MAJOR);
  EXPECT_EQ(RuleOfResult(c.Submit("classify { assessed_loss_fen: 300000 }")),
            v1::RULE_MALFORMED_COMMAND);
  auto lowered = c.Submit(R"pb(classify {
                                 assessed_loss_fen: 300000
                                 reason: "repair quote 3,000 CNY; the claim was the list price"
                               })pb");
  ASSERT_TRUE(lowered.ok()) << lowered.status();
  EXPECT_EQ((*lowered)[0].classified().severity(), v1::SEVERITY_GENERAL);
  EXPECT_EQ(c.state().severity(), v1::SEVERITY_GENERAL);
  // Handled where it already was: the level never goes down.
  EXPECT_EQ(c.state().handling_level(), v1::LEVEL_REGION);
}

// 物流客户的分类 4、按重要程度分类 A类客户 B类客户 C类客户: an A-class customer is a
// key account (大客户) and raises the floor to MAJOR, unless the policy
// counts no class as one (failed before: GENERAL).
TEST(JudgementTest, ClassACustomersAreKeyAccountsUnlessThePolicySaysOtherwise) {
  const char* open = R"pb(open_case {
                            intake {
                              channel: CHANNEL_PHONE
                              category: CATEGORY_ATTITUDE
                              customer { id: "CHAIN-01" tier: CUSTOMER_TIER_A }
                            }
                          })pb";
  CaseHarness by_default("C-TIER-A");
  by_default.MustSubmit(open);
  EXPECT_EQ(by_default.state().severity(), v1::SEVERITY_MAJOR);
  EXPECT_THAT(by_default.state().facts(),
              ::testing::Contains(static_cast<int>(v1::AGGRAVATING_FACT_KEY_ACCOUNT)));

  v1::Policy policy = DefaultPolicy();
  policy.mutable_severity()->clear_key_account_tiers();
  CaseHarness otherwise("C-TIER-A2", policy);
  otherwise.MustSubmit(open);
  EXPECT_EQ(otherwise.state().severity(), v1::SEVERITY_GENERAL);

  CaseHarness class_b("C-TIER-B");
  class_b.MustSubmit(R"pb(open_case {
                            intake {
                              channel: CHANNEL_PHONE
                              category: CATEGORY_ATTITUDE
                              customer { id: "B-1" tier: CUSTOMER_TIER_B }
                            }
                          })pb");
  EXPECT_EQ(class_b.state().severity(), v1::SEVERITY_GENERAL);
}

// 六、预警客户的处理原则 常规事故预警 媒体曝光预警 情况处理遵守5S原则: a case under a
// warning is marked, handled a level higher than its severity's, and
// reported separately (the `warning` report dimension).
TEST(JudgementTest, WarnedCustomersAreMarkedAndHandledHigher) {
  CaseHarness routine("C-WARN-ROUTINE");
  OpenDamage(routine, 1000, 10000, "facts: AGGRAVATING_FACT_ROUTINE_WARNING");
  EXPECT_EQ(routine.state().warning(), v1::CUSTOMER_WARNING_ROUTINE);
  EXPECT_EQ(routine.state().severity(), v1::SEVERITY_GENERAL);
  EXPECT_EQ(routine.state().handling_level(), v1::LEVEL_REGION);

  CaseHarness media("C-WARN-MEDIA");
  OpenDamage(media, 1000, 10000);
  EXPECT_EQ(media.state().warning(), v1::CUSTOMER_WARNING_NONE);
  EXPECT_EQ(media.state().handling_level(), v1::LEVEL_BRANCH);
  media.MustSubmit(R"pb(classify { facts: AGGRAVATING_FACT_MEDIA_WARNING reason: "reporter" })pb");
  EXPECT_EQ(media.state().warning(), v1::CUSTOMER_WARNING_MEDIA);
  EXPECT_EQ(media.state().severity(), v1::SEVERITY_MAJOR);
  EXPECT_EQ(media.state().handling_level(), v1::LEVEL_HEADQUARTERS);

  v1::Policy policy = DefaultPolicy();
  policy.mutable_severity()->set_warned_levels_up(0);
  CaseHarness flat("C-WARN-FLAT", policy);
  OpenDamage(flat, 1000, 10000, "facts: AGGRAVATING_FACT_ROUTINE_WARNING");
  EXPECT_EQ(flat.state().warning(), v1::CUSTOMER_WARNING_ROUTINE);
  EXPECT_EQ(flat.state().handling_level(), v1::LEVEL_BRANCH);
}

// 服务事故的处理权限: a branch that may approve up to 5,000 CNY does not pay
// 6,000 in two payments of 3,000 (failed before: both accepted).
TEST(JudgementTest, AuthorityCoversTheTotalPaidOnTheCase) {
  CaseHarness c("C-SPLIT");
  c.MustSubmit(R"pb(open_case {
                      intake {
                        channel: CHANNEL_WRITTEN
                        category: CATEGORY_LOSS
                        customer {
                          id: "CUST"
                          contract { uninsured_basis: COMPENSATION_BASIS_DIRECT_LOSS }
                        }
                        shipment { waybill: "W-9" weight_g: 5000 }
                        claim_fen: 600000
                      }
                    })pb");
  c.MustSubmit("acknowledge {}");
  c.MustSubmit("accept {}");
  c.MustSubmit("open_investigation {}");
  c.MustSubmit(R"pb(conclude_investigation {
                      findings {
                        responsible: RESPONSIBLE_PARTY_INTERNAL
                        internal_branch: "GZ"
                        assessed_loss_fen: 600000
                      }
                    })pb");
  c.MustSubmit(R"pb(form_task_group {
                      task_group { lead: "E-200" members: "E-100" departments: "claims" }
                    })pb",
               RegionSupervisor());
  c.MustSubmit("propose_resolution {}", RegionSupervisor());
  c.MustSubmit("record_customer_reply { decision: CUSTOMER_DECISION_ACCEPTS }");
  // MAJOR: approved by the region, co-approved by claims; a branch's
  // claims desk records the payments within its own authority.
  c.MustSubmit("approve_compensation {}", RegionSupervisor());
  c.MustSubmit("approve_compensation {}", Claims());
  v1::Actor branch_claims = Claims();
  branch_claims.set_id("C-GZ");
  branch_claims.set_level(v1::LEVEL_BRANCH);
  branch_claims.set_branch("GZ");
  c.MustSubmit("pay_compensation { amount_fen: 300000 }", branch_claims);
  auto second = c.Submit("pay_compensation { amount_fen: 300000 }", branch_claims);
  EXPECT_EQ(RuleOfResult(second), v1::RULE_AUTHORITY);
  EXPECT_THAT(second.status().message(), HasSubstr("6000.00 CNY paid on the case in all"));
  EXPECT_EQ(c.state().paid_fen(), 300000);
  c.MustSubmit("pay_compensation { amount_fen: 300000 }", Claims());
  EXPECT_EQ(c.state().paid_fen(), 600000);
}

// DESIGN.md, Bad input: amounts, weights and rates outside the policy's
// bounds, and arithmetic that would overflow, are refused, naming the
// field (failed before: a goodwill of INT64_MAX wrapped to a negative
// compensation; a tariff near INT64_MAX gave a negative proposal).
TEST(JudgementTest, AmountsWeightsAndRatesAreBoundedAndArithmeticIsChecked) {
  struct IntakeRow {
    const char* shipment;
    const char* field;
  };
  const IntakeRow intakes[] = {
      {"weight_g: 9223372036854775807", "shipment.weight_g"},
      {"weight_g: -1", "shipment.weight_g"},
      {"freight_rate_fen_per_kg: 9223372036854775000", "shipment.freight_rate_fen_per_kg"},
      {"declared_value_fen: 1000000000001", "shipment.declared_value_fen"},
  };
  for (const IntakeRow& row : intakes) {
    SCOPED_TRACE(row.shipment);
    CaseHarness c("C-BOUNDS");
    auto opened = c.Submit(absl::StrCat(
        "open_case { intake { channel: CHANNEL_PHONE category: CATEGORY_BILLING customer { id: "
        "\"X\" } shipment { ",
        row.shipment, " } } }"));
    EXPECT_EQ(RuleOfResult(opened), v1::RULE_MALFORMED_COMMAND);
    EXPECT_THAT(opened.status().message(), HasSubstr(row.field));
    EXPECT_EQ(c.state().revision(), 0);
  }

  // Each within bounds, the product beyond them: 10^7 fen/kg × 10^6 kg.
  CaseHarness product("C-PRODUCT");
  OpenDamage(product, 1000000000, 0, "", R"pb(customer {
                                                id: "CUST"
                                                contract { rate_fen_per_kg: 10000000 }
                                              })pb");
  Conclude(product, 0);
  auto proposed = product.Submit("propose_resolution {}");
  EXPECT_EQ(RuleOfResult(proposed), v1::RULE_MALFORMED_COMMAND);
  EXPECT_THAT(proposed.status().message(), HasSubstr("contract rate × weight"));

  CaseHarness goodwill("C-GOODWILL");
  OpenDamage(goodwill, 2410, 20000);
  Conclude(goodwill, 0);
  auto wrapped =
      goodwill.Submit("propose_resolution { goodwill_fen: 9223372036854775807 }", HqSupervisor());
  EXPECT_EQ(RuleOfResult(wrapped), v1::RULE_MALFORMED_COMMAND);
  EXPECT_THAT(wrapped.status().message(), HasSubstr("propose_resolution.goodwill_fen"));
  // At the bound, the sum with the computed 48.20 is beyond it.
  auto sum = goodwill.Submit("propose_resolution { goodwill_fen: 1000000000000 }", HqSupervisor());
  EXPECT_EQ(RuleOfResult(sum), v1::RULE_MALFORMED_COMMAND);
  EXPECT_THAT(sum.status().message(), HasSubstr("computed + goodwill"));
  EXPECT_EQ(goodwill.state().stage(), v1::STAGE_RESOLVING);

  auto penalty = goodwill.Submit(R"pb(decide_penalty {
                                        penalty {
                                          penalty_id: "P"
                                          party_branch: "GZ"
                                          measure: "fine"
                                          amount_fen: 9223372036854775807
                                        }
                                      })pb",
                                 HqSupervisor());
  EXPECT_EQ(RuleOfResult(penalty), v1::RULE_MALFORMED_COMMAND);
  EXPECT_THAT(penalty.status().message(), HasSubstr("penalty.amount_fen"));
}

}  // namespace
}  // namespace docket
