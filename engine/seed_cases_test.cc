// The cases of the seed course material (物流客户服务, 项目四 物流客户投诉处理)
// and two more from DESIGN.md, driven through the engine from intake to
// archive, with the amounts worked out by hand in each test's comment.

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
using ::docket::testing::Claims;
using ::docket::testing::Handler;
using ::docket::testing::HqSupervisor;
using ::docket::testing::RegionSupervisor;
using ::testing::HasSubstr;

constexpr char kPhoto[] = R"pb(
  attach_evidence {
    evidence {
      kind: EVIDENCE_KIND_PHOTO
      uri: "cas://0f343b0931126a20f133d67c2b018a3b1cdbf7f5d4e3f8a44b0aeb9a2c1f8d21"
      sha256_hex: "0f343b0931126a20f133d67c2b018a3b1cdbf7f5d4e3f8a44b0aeb9a2c1f8d21"
      size_bytes: 183211
      media_type: "image/jpeg"
      captured_by: "E-100"
    }
  })pb";

v1::Rule RuleOfResult(const absl::StatusOr<std::vector<v1::CaseEvent>>& r) {
  return r.ok() ? v1::RULE_UNSPECIFIED : RuleOf(r.status());
}

// 案例一: two acrylic advertising signs, 550×350×150 mm, 2.41 kg in all,
// Guangzhou → Zhuhai, one damaged on unpacking. Customer 李先生, waybill
// 345667, claims 200 CNY; carrier's packaging, not insured; the standard
// contract pays 20 CNY/kg. Compensation: min(200, 20 × 2.41) = 48.20 CNY.
TEST(SeedCaseTest, AcrylicSignsDamagedUninsuredPaysContractRatePerKg) {
  CaseHarness c("C-ACRYLIC");
  c.MustSubmit(R"pb(open_case {
                      intake {
                        channel: CHANNEL_PHONE
                        category: CATEGORY_DAMAGE
                        customer { id: "CUST-LI" name: "李先生" }
                        shipment {
                          waybill: "345667"
                          origin_branch: "GZ"
                          destination_branch: "ZHUHAI"
                          weight_g: 2410
                          packaging: PACKAGING_CARRIER
                          contents: "acrylic signs"
                        }
                        claim_fen: 20000
                        handling_branch: "ZHUHAI"
                        description: "one of two acrylic signs broken on unpacking"
                      }
                    })pb");
  EXPECT_EQ(c.state().severity(), v1::SEVERITY_GENERAL);
  c.MustSubmit(R"pb(acknowledge { note: "apologised" })pb");
  c.MustSubmit(R"pb(accept {})pb");

  // The incident procedure: photos first, then the investigation.
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(propose_resolution {})pb")),
            v1::RULE_PHOTO_BEFORE_DAMAGE_RESOLUTION);
  c.MustSubmit(kPhoto);
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(propose_resolution {})pb")),
            v1::RULE_INVESTIGATION_BEFORE_RESOLUTION);
  c.MustSubmit(R"pb(open_investigation { investigator: "E-101" })pb");
  c.MustSubmit(R"pb(conclude_investigation {
                      findings {
                        responsible: RESPONSIBLE_PARTY_INTERNAL
                        internal_branch: "GZ"
                        summary: "crushed in the Guangzhou sorting centre"
                      }
                    })pb");

  auto proposed = c.Submit(R"pb(propose_resolution { remedy: "apology and payment" })pb");
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  const v1::ResolutionProposed& p = (*proposed)[0].resolution_proposed();
  EXPECT_EQ(p.amount_fen(), 4820);
  EXPECT_EQ(p.computed_fen(), 4820);
  EXPECT_EQ(p.basis(), v1::COMPENSATION_BASIS_CONTRACT_RATE_PER_KG);
  EXPECT_THAT(p.calculation(), HasSubstr("20.00/kg × 2.410 kg = 48.20"));
  EXPECT_THAT(p.calculation(), HasSubstr("claim 200.00"));
  EXPECT_EQ(p.required_level(), v1::LEVEL_BRANCH);

  c.MustSubmit(R"pb(record_customer_reply { decision: CUSTOMER_DECISION_ACCEPTS })pb");
  c.MustSubmit(R"pb(record_follow_up { method: FOLLOW_UP_METHOD_PHONE satisfaction: 4 })pb");
  auto early = c.Submit(R"pb(archive {})pb");
  EXPECT_EQ(RuleOfResult(early), v1::RULE_ARCHIVE_PRECONDITIONS);
  EXPECT_THAT(early.status().message(), HasSubstr("payment of 48.20"));
  EXPECT_THAT(early.status().message(), HasSubstr("DEADLINE_KIND_REPORT_UPWARD"));
  // A payment above what is owed is refused; the exact amount is accepted.
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(pay_compensation { amount_fen: 4821 })pb", Claims())),
            v1::RULE_PAYMENT);
  // Claims records the payment, not the handler who proposed it.
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(pay_compensation { amount_fen: 4820 })pb")),
            v1::RULE_SEPARATION_OF_DUTIES);
  c.MustSubmit(R"pb(pay_compensation { amount_fen: 4820 payment_reference: "PAY-1" })pb", Claims());
  c.MustSubmit(R"pb(report_upward { to_level: LEVEL_BRANCH report: "daily" })pb");
  c.MustSubmit(R"pb(archive { note: "closed" })pb");
  EXPECT_EQ(c.state().stage(), v1::STAGE_ARCHIVED);
  EXPECT_EQ(c.state().paid_fen(), 4820);
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(acknowledge {})pb")), v1::RULE_CASE_CLOSED);
}

// 案例2: the courier handed the parcel to the customer's reception desk
// without the customer's consent. Misdelivery with no loss: general
// severity, no monetary basis; the remedy is an apology.
TEST(SeedCaseTest, ParcelLeftAtReceptionWithoutConsentIsGeneralWithNoMoney) {
  CaseHarness c("C-RECEPTION");
  c.MustSubmit(R"pb(open_case {
                      intake {
                        channel: CHANNEL_PHONE
                        category: CATEGORY_MISDELIVERY
                        customer { id: "CUST-R" }
                        shipment { waybill: "880021" }
                        description: "left at the reception desk without my consent"
                      }
                    })pb");
  c.MustSubmit(R"pb(acknowledge {})pb");
  c.MustSubmit(R"pb(accept {})pb");
  EXPECT_EQ(c.state().severity(), v1::SEVERITY_GENERAL);
  // Misdelivery needs no investigation before a proposal.
  auto proposed = c.Submit(R"pb(propose_resolution { remedy: "apology letter (致歉函)" })pb");
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  EXPECT_EQ((*proposed)[0].resolution_proposed().amount_fen(), 0);
  EXPECT_EQ((*proposed)[0].resolution_proposed().basis(), v1::COMPENSATION_BASIS_NO_MONETARY_BASIS);
  c.MustSubmit(R"pb(record_customer_reply { decision: CUSTOMER_DECISION_ACCEPTS })pb");
  c.MustSubmit(R"pb(record_follow_up { method: FOLLOW_UP_METHOD_EMAIL satisfaction: 3 })pb");
  c.MustSubmit(R"pb(report_upward { to_level: LEVEL_BRANCH })pb");
  c.MustSubmit(R"pb(archive {})pb");
  EXPECT_EQ(c.state().stage(), v1::STAGE_ARCHIVED);
}

// 案例3: a monthly-settlement client (张先生, waybill 5679) shipped 758 kg
// this month and was billed for 802 kg. The overcharge is 44 kg at the
// tariff; with an assumed 2.50 CNY/kg that is 110.00 CNY.
TEST(SeedCaseTest, MonthlyClientBilled802KgFor758KgGetsOverchargeBack) {
  CaseHarness c("C-BILLING");
  c.MustSubmit(R"pb(open_case {
                      intake {
                        channel: CHANNEL_PHONE
                        category: CATEGORY_BILLING
                        customer { id: "CUST-ZHANG" name: "张先生" monthly_settlement: true }
                        shipment {
                          waybill: "5679"
                          weight_g: 758000
                          billed_weight_g: 802000
                          freight_rate_fen_per_kg: 250
                          packaging: PACKAGING_NONE
                        }
                      }
                    })pb");
  c.MustSubmit(R"pb(acknowledge {})pb");
  c.MustSubmit(R"pb(accept {})pb");
  auto proposed = c.Submit(R"pb(propose_resolution { remedy: "credit note" })pb");
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  const v1::ResolutionProposed& p = (*proposed)[0].resolution_proposed();
  EXPECT_EQ(p.amount_fen(), 11000);
  EXPECT_EQ(p.basis(), v1::COMPENSATION_BASIS_BILLING_OVERCHARGE);
  EXPECT_THAT(p.calculation(), HasSubstr("44.000 kg × 2.50/kg = 110.00"));
}

// The chain-store case: before the Spring Festival a driver unloaded a case
// of 大中华 cigarettes worth over 10,000 CNY at a busy store, said "it's
// here", and left without the hand-over; the store never received it.
// Major by amount (5,000 ≤ loss < 50,000), and an A-class customer (a key
// account) besides. The chain's distribution contract pays the direct loss. Internal
// responsibility: a penalty on the distribution branch and driver, which must be executed before
// archiving.
TEST(SeedCaseTest, CigarettesLostAtChainStoreIsMajorContractPaysDirectLoss) {
  CaseHarness c("C-CIGARETTES");
  c.MustSubmit(R"pb(open_case {
                      intake {
                        channel: CHANNEL_WRITTEN
                        category: CATEGORY_LOSS
                        customer {
                          id: "CHAIN-01"
                          name: "连锁超市"
                          tier: CUSTOMER_TIER_A
                          contract {
                            uninsured_basis: COMPENSATION_BASIS_DIRECT_LOSS
                            contract_id: "DIST-2026-01"
                          }
                        }
                        shipment {
                          waybill: "SF-CIG-1"
                          weight_g: 12000
                          freight_fen: 8000
                          goods_value_fen: 1050000
                          contents: "one case of 大中华 cigarettes"
                        }
                        claim_fen: 1050000
                        handling_branch: "SZ-DIST"
                      }
                    })pb");
  EXPECT_EQ(c.state().severity(), v1::SEVERITY_MAJOR);
  EXPECT_THAT(c.state().facts(),
              ::testing::Contains(static_cast<int>(v1::AGGRAVATING_FACT_KEY_ACCOUNT)));
  c.MustSubmit(R"pb(acknowledge {})pb");
  c.MustSubmit(R"pb(accept {})pb");
  EXPECT_EQ(c.state().severity(), v1::SEVERITY_MAJOR);
  EXPECT_EQ(c.state().handling_level(), v1::LEVEL_REGION);

  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(decide_penalty {
                                         penalty {
                                           penalty_id: "P-1"
                                           party_branch: "SZ-DIST"
                                           measure: "fine"
                                           amount_fen: 50000
                                         }
                                       })pb")),
            v1::RULE_PENALTY_NEEDS_INTERNAL_FINDING);
  c.MustSubmit(R"pb(open_investigation {})pb");
  c.MustSubmit(R"pb(conclude_investigation {
                      findings {
                        responsible: RESPONSIBLE_PARTY_INTERNAL
                        internal_branch: "SZ-DIST"
                        internal_employee: "DRIVER-7"
                        assessed_loss_fen: 1050000
                        summary: "no hand-over signed; goods left unattended"
                      }
                    })pb");
  // 四(二)3: a MAJOR complaint is handled by a task group (专项投诉处理小组),
  // formed before the resolution.
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(propose_resolution {})pb", RegionSupervisor())),
            v1::RULE_TASK_GROUP);
  c.MustSubmit(R"pb(form_task_group {
                      task_group {
                        lead: "E-200"
                        members: "E-100"
                        departments: "distribution"
                        departments: "claims"
                      }
                    })pb",
               RegionSupervisor());

  // 10,500 CNY at MAJOR needs region authority.
  auto by_branch = c.Submit(R"pb(propose_resolution {})pb");
  EXPECT_EQ(RuleOfResult(by_branch), v1::RULE_AUTHORITY);
  EXPECT_EQ(by_branch.status().code(), absl::StatusCode::kPermissionDenied);
  auto proposed = c.Submit(R"pb(propose_resolution {})pb", RegionSupervisor());
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  EXPECT_EQ((*proposed)[0].resolution_proposed().amount_fen(), 1050000);
  EXPECT_EQ((*proposed)[0].resolution_proposed().basis(), v1::COMPENSATION_BASIS_DIRECT_LOSS);

  // The penalty falls on the party the findings name, nobody else.
  EXPECT_EQ(
      RuleOfResult(c.Submit(R"pb(decide_penalty {
                                   penalty { penalty_id: "P-1" party_branch: "GZ" measure: "fine" }
                                 })pb")),
      v1::RULE_PENALTY_NEEDS_INTERNAL_FINDING);
  c.MustSubmit(R"pb(decide_penalty {
                      penalty {
                        penalty_id: "P-1"
                        party_branch: "SZ-DIST"
                        party_employee: "DRIVER-7"
                        measure: "fine and retraining"
                        amount_fen: 50000
                      }
                    })pb");
  c.MustSubmit(R"pb(record_customer_reply { decision: CUSTOMER_DECISION_ACCEPTS })pb");
  // MAJOR: approved by the region, co-approved by claims, then paid by
  // claims; not before, and not by the region supervisor who proposed it.
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(pay_compensation { amount_fen: 1050000 })pb", Claims())),
            v1::RULE_APPROVAL);
  c.MustSubmit(R"pb(approve_compensation { note: "region approves" })pb", RegionSupervisor());
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(pay_compensation { amount_fen: 1050000 })pb", Claims())),
            v1::RULE_APPROVAL);
  c.MustSubmit(R"pb(approve_compensation { note: "理赔处 co-approves" })pb", Claims());
  EXPECT_EQ(
      RuleOfResult(c.Submit(R"pb(pay_compensation { amount_fen: 1050000 })pb", RegionSupervisor())),
      v1::RULE_SEPARATION_OF_DUTIES);
  c.MustSubmit(R"pb(pay_compensation { amount_fen: 1050000 })pb", Claims());
  c.MustSubmit(R"pb(record_follow_up { method: FOLLOW_UP_METHOD_VISIT satisfaction: 4 })pb");
  c.MustSubmit(R"pb(report_upward { to_level: LEVEL_REGION })pb");
  auto archive = c.Submit(R"pb(archive {})pb");
  EXPECT_EQ(RuleOfResult(archive), v1::RULE_ARCHIVE_PRECONDITIONS);
  EXPECT_THAT(archive.status().message(), HasSubstr("execution of penalty P-1"));
  c.MustSubmit(R"pb(execute_penalty { penalty_id: "P-1" })pb");
  auto twice = c.Submit(R"pb(execute_penalty { penalty_id: "P-1" })pb");
  EXPECT_THAT(twice.status().message(), HasSubstr("penalty P-1 was already executed"));
  c.MustSubmit(R"pb(archive {})pb");
  EXPECT_EQ(c.state().stage(), v1::STAGE_ARCHIVED);
}

// The "嫦娥一号" paintings: promised by 22 November, delivered 3 December,
// 11 days late. Delay: the freight is waived, the insurance fee is not.
// Delivered, so it can never become a loss by reclassification.
TEST(SeedCaseTest, ArtworkElevenDaysLateWaivesFreightNotInsurance) {
  CaseHarness c("C-ARTWORK");
  c.set_now(absl::FromCivil(absl::CivilDay(2026, 12, 4), absl::UTCTimeZone()));
  c.MustSubmit(R"pb(open_case {
                      intake {
                        channel: CHANNEL_PHONE
                        category: CATEGORY_LATE
                        customer { id: "PAINTER" }
                        shipment {
                          waybill: "INTL-2201"
                          freight_fen: 35000
                          insurance_fee_fen: 5000
                          promised_by { seconds: 1795305600 }   # 2026-11-22T00:00:00Z
                          delivered_at { seconds: 1796256000 }  # 2026-12-03T00:00:00Z
                          contents: "paintings for a donation ceremony"
                        }
                      }
                    })pb");
  c.MustSubmit(R"pb(acknowledge {})pb");
  c.MustSubmit(R"pb(accept {})pb");
  EXPECT_EQ(RuleOfResult(c.Submit(
                R"pb(classify { category: CATEGORY_LOSS reason: "customer says lost" })pb")),
            v1::RULE_DELAY_NOT_COMPLETE);
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(propose_resolution {})pb")),
            v1::RULE_INVESTIGATION_BEFORE_RESOLUTION);
  c.MustSubmit(R"pb(open_investigation {})pb");
  c.MustSubmit(R"pb(conclude_investigation {
                      findings { responsible: RESPONSIBLE_PARTY_THIRD_PARTY third_party: "airline" }
                    })pb");
  auto proposed = c.Submit(R"pb(propose_resolution {})pb");
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  const v1::ResolutionProposed& p = (*proposed)[0].resolution_proposed();
  EXPECT_EQ(p.amount_fen(), 35000);
  EXPECT_EQ(p.basis(), v1::COMPENSATION_BASIS_FREIGHT_WAIVED);
  EXPECT_THAT(p.calculation(), HasSubstr("insurance fee 50.00 is not"));
}

// 申通 exam papers: branch staff could not reach the teacher (a wrong phone
// number on the waybill) and signed for the parcel in her name. Staff
// misconduct raises a misdelivery to at least MAJOR, which reports to the
// region within 12 h and first-responds within 2 h.
TEST(SeedCaseTest, ExamPapersSignedByStaffInCustomersNameIsAtLeastMajor) {
  CaseHarness c("C-EXAM");
  c.MustSubmit(R"pb(open_case {
                      intake {
                        channel: CHANNEL_PHONE
                        category: CATEGORY_MISDELIVERY
                        customer { id: "HUZHOU-UNI" name: "刘老师" }
                        shipment { waybill: "STO-3321" contents: "exam papers" }
                        handling_branch: "HUZHOU"
                      }
                    })pb");
  EXPECT_EQ(c.state().severity(), v1::SEVERITY_GENERAL);
  c.MustSubmit(R"pb(acknowledge {})pb");
  c.MustSubmit(R"pb(accept { facts: AGGRAVATING_FACT_STAFF_MISCONDUCT })pb");
  EXPECT_EQ(c.state().severity(), v1::SEVERITY_MAJOR);
  EXPECT_EQ(c.state().handling_level(), v1::LEVEL_REGION);
  bool saw_report = false;
  for (const v1::Deadline& d : c.state().deadlines()) {
    if (d.kind() == v1::DEADLINE_KIND_REPORT_UPWARD && !d.met()) {
      saw_report = true;
      EXPECT_EQ(d.report_to(), v1::LEVEL_REGION);
      EXPECT_EQ(ToTime(d.due_at()) - ToTime(d.started_at()), absl::Hours(12));
    }
  }
  EXPECT_TRUE(saw_report);
  c.MustSubmit(R"pb(open_investigation {})pb");
  c.MustSubmit(R"pb(conclude_investigation {
                      findings {
                        responsible: RESPONSIBLE_PARTY_INTERNAL
                        internal_branch: "HUZHOU"
                        internal_employee: "E-HZ-12"
                        summary: "signed in the customer's name"
                      }
                    })pb");
  c.MustSubmit(R"pb(decide_penalty {
                      penalty {
                        penalty_id: "P-HZ"
                        party_branch: "HUZHOU"
                        party_employee: "E-HZ-12"
                        measure: "written warning"
                      }
                    })pb");
  c.MustSubmit(R"pb(form_task_group {
                      task_group { lead: "E-200" members: "E-HZ-01" departments: "Huzhou branch" }
                    })pb",
               RegionSupervisor());
  // Goodwill on a MAJOR case needs one level above the region's authority.
  auto by_region =
      c.Submit(R"pb(propose_resolution { goodwill_fen: 50000 remedy: "apology letter" })pb",
               RegionSupervisor());
  EXPECT_EQ(RuleOfResult(by_region), v1::RULE_GOODWILL_NEEDS_HIGHER_LEVEL);
  auto by_hq = c.Submit(
      R"pb(propose_resolution { goodwill_fen: 50000 remedy: "apology letter" })pb", HqSupervisor());
  ASSERT_TRUE(by_hq.ok()) << by_hq.status();
  const v1::ResolutionProposed& p = (*by_hq)[0].resolution_proposed();
  EXPECT_EQ(p.computed_fen(), 0);
  EXPECT_EQ(p.goodwill_fen(), 50000);
  EXPECT_EQ(p.amount_fen(), 50000);
  EXPECT_EQ(p.required_level(), v1::LEVEL_HEADQUARTERS);
}

// DESIGN.md: an insured laptop, declared 3,000 CNY, worth 6,000, repair
// 1,800. Under-insured: 1,800 × 3,000 ÷ 6,000 = 900 CNY.
TEST(SeedCaseTest, InsuredLaptopPartialDamagePaysProRata) {
  CaseHarness c("C-LAPTOP");
  c.MustSubmit(R"pb(open_case {
                      intake {
                        channel: CHANNEL_ONLINE
                        category: CATEGORY_DAMAGE
                        customer { id: "CUST-L" }
                        shipment {
                          waybill: "L-1"
                          weight_g: 2500
                          insured: true
                          declared_value_fen: 300000
                          goods_value_fen: 600000
                        }
                        claim_fen: 180000
                      }
                    })pb");
  c.MustSubmit(R"pb(acknowledge {})pb");
  c.MustSubmit(R"pb(accept {})pb");
  c.MustSubmit(kPhoto);
  c.MustSubmit(R"pb(open_investigation {})pb");
  c.MustSubmit(R"pb(conclude_investigation {
                      findings {
                        responsible: RESPONSIBLE_PARTY_INTERNAL
                        internal_branch: "GZ"
                        assessed_loss_fen: 180000
                        summary: "screen cracked; repair quote 1,800"
                      }
                    })pb");
  auto proposed = c.Submit(R"pb(propose_resolution {})pb");
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  EXPECT_EQ((*proposed)[0].resolution_proposed().amount_fen(), 90000);
  EXPECT_EQ((*proposed)[0].resolution_proposed().basis(), v1::COMPENSATION_BASIS_INSURED_PRO_RATA);
}

// DESIGN.md: an uninsured phone worth 3,000 CNY lost, freight 15 CNY, under
// a policy whose uninsured basis is 3 × freight: 45 CNY.
TEST(SeedCaseTest, UninsuredPhoneLostUnderFreightMultiplePolicyPays45) {
  v1::Policy policy = DefaultPolicy();
  policy.mutable_compensation()->set_uninsured_basis(v1::COMPENSATION_BASIS_FREIGHT_MULTIPLE);
  policy.set_version("test-3x-freight");
  CaseHarness c("C-PHONE", policy);
  c.MustSubmit(
      R"pb(open_case {
             intake {
               channel: CHANNEL_ONLINE
               category: CATEGORY_LOSS
               customer { id: "CUST-P" }
               shipment { waybill: "P-1" weight_g: 400 freight_fen: 1500 goods_value_fen: 300000 }
               claim_fen: 300000
             }
           })pb");
  c.MustSubmit(R"pb(acknowledge {})pb");
  c.MustSubmit(R"pb(accept {})pb");
  c.MustSubmit(R"pb(open_investigation {})pb");
  c.MustSubmit(R"pb(conclude_investigation {
                      findings { responsible: RESPONSIBLE_PARTY_INTERNAL internal_branch: "GZ" }
                    })pb");
  auto proposed = c.Submit(R"pb(propose_resolution {})pb");
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  EXPECT_EQ((*proposed)[0].resolution_proposed().amount_fen(), 4500);
  EXPECT_EQ((*proposed)[0].resolution_proposed().basis(), v1::COMPENSATION_BASIS_FREIGHT_MULTIPLE);
  EXPECT_EQ((*proposed)[0].policy_version(), "test-3x-freight");
}

}  // namespace
}  // namespace docket
