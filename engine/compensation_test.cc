// The compensation standard (赔偿标准) rule by rule, beyond the seed cases.

#include "engine/compensation.h"

#include <tuple>

#include "engine/policy.h"
#include "engine/refusal.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::testing::HasSubstr;

v1::CaseState CaseFromText(const char* text) {
  v1::CaseState c;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &c)) << text;
  c.set_case_id("C-COMP");
  return c;
}

struct Row {
  const char* name;
  const char* state;
  int64_t amount_fen;
  v1::CompensationBasis basis;
};

TEST(CompensationTest, RulesTable) {
  const Row rows[] =
      {
          {"contract rate rounds half up to the fen",
           // 3.33 CNY/kg × 1.5 kg = 4.995 CNY → 5.00.
           R"pb(category: CATEGORY_DAMAGE
                intake {
                  shipment { weight_g: 1500 }
                  customer { contract { rate_fen_per_kg: 333 } }
                })pb",
           500, v1::COMPENSATION_BASIS_CONTRACT_RATE_PER_KG},
          {"claim caps the basis", R"pb(category: CATEGORY_LOSS
                                        claim_fen: 1000
                                        intake { shipment { weight_g: 5000 } })pb",
           1000, v1::COMPENSATION_BASIS_CONTRACT_RATE_PER_KG},
          {"no claim named: the basis as is", R"pb(category: CATEGORY_LOSS
                                                   intake { shipment { weight_g: 5000 } })pb",
           10000, v1::COMPENSATION_BASIS_CONTRACT_RATE_PER_KG},
          {"customer contract rate overrides the policy",
           R"pb(category: CATEGORY_LOSS
                intake {
                  shipment { weight_g: 2000 }
                  customer {
                    contract {
                      uninsured_basis: COMPENSATION_BASIS_CONTRACT_RATE_PER_KG
                      rate_fen_per_kg: 5000
                    }
                  }
                })pb",
           10000, v1::COMPENSATION_BASIS_CONTRACT_RATE_PER_KG},
          {"contract with 7 × freight",
           R"pb(category: CATEGORY_LOSS
                intake {
                  shipment { freight_fen: 1200 }
                  customer {
                    contract {
                      uninsured_basis: COMPENSATION_BASIS_FREIGHT_MULTIPLE
                      freight_multiple: 7
                    }
                  }
                })pb",
           8400, v1::COMPENSATION_BASIS_FREIGHT_MULTIPLE},
          {"insured total loss pays the declared value",
           R"pb(category: CATEGORY_LOSS
                claim_fen: 900000
                intake {
                  shipment { insured: true declared_value_fen: 300000 goods_value_fen: 600000 }
                })pb",
           300000, v1::COMPENSATION_BASIS_INSURED_DECLARED_VALUE},
          {"insured total loss, fully insured, less residual",
           R"pb(category: CATEGORY_DAMAGE
                findings { total_loss: true residual_value_fen: 20000 }
                intake {
                  shipment { insured: true declared_value_fen: 100000 goods_value_fen: 100000 }
                })pb",
           80000, v1::COMPENSATION_BASIS_INSURED_DECLARED_VALUE},
          {"over-insured partial damage pays the loss, not more",
           R"pb(category: CATEGORY_DAMAGE
                findings { assessed_loss_fen: 5000 }
                intake {
                  shipment { insured: true declared_value_fen: 900000 goods_value_fen: 100000 }
                })pb",
           5000, v1::COMPENSATION_BASIS_INSURED_PRO_RATA},
          {"exemption: zero, whatever the category",
           R"pb(category: CATEGORY_LOSS
                claim_fen: 50000
                findings { responsible: RESPONSIBLE_PARTY_CUSTOMER exemption: EXEMPTION_CONTRABAND }
                intake { shipment { weight_g: 5000 } })pb",
           0, v1::COMPENSATION_BASIS_EXEMPT},
          {"billing without overcharge",
           R"pb(category: CATEGORY_BILLING
                intake {
                  shipment { weight_g: 10000 billed_weight_g: 10000 freight_rate_fen_per_kg: 300 }
                })pb",
           0, v1::COMPENSATION_BASIS_BILLING_OVERCHARGE},
          {"attitude: no monetary basis", R"pb(category: CATEGORY_ATTITUDE claim_fen: 10000)pb", 0,
           v1::COMPENSATION_BASIS_NO_MONETARY_BASIS},
          // 直接损失赔偿 within 最高限额赔偿: the least of claim, proven loss, limit.
          {"the proven loss below the limit",
           R"pb(category: CATEGORY_DAMAGE
                claim_fen: 30000
                findings { assessed_loss_fen: 5000 }
                intake { shipment { weight_g: 10000 } })pb",
           5000, v1::COMPENSATION_BASIS_CONTRACT_RATE_PER_KG},
          {"the limit below the proven loss",
           R"pb(category: CATEGORY_LOSS
                findings { assessed_loss_fen: 90000 }
                intake { shipment { weight_g: 10000 } })pb",
           20000, v1::COMPENSATION_BASIS_CONTRACT_RATE_PER_KG},
          {"the claim below both",
           R"pb(category: CATEGORY_LOSS
                claim_fen: 3000
                findings { assessed_loss_fen: 5000 }
                intake {
                  customer { contract { uninsured_basis: COMPENSATION_BASIS_FREIGHT_MULTIPLE } }
                  shipment { freight_fen: 2000 }
                })pb",
           3000, v1::COMPENSATION_BASIS_FREIGHT_MULTIPLE},
          {"delay waives the freight", R"pb(category: CATEGORY_LATE
                                            intake { shipment { freight_fen: 35000 } })pb",
           35000, v1::COMPENSATION_BASIS_FREIGHT_WAIVED},
      };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    absl::StatusOr<Compensation> c = ComputeCompensation(CaseFromText(row.state), DefaultPolicy());
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->amount_fen, row.amount_fen) << c->calculation;
    EXPECT_EQ(c->basis, row.basis);
    EXPECT_FALSE(c->calculation.empty());
  }
}

TEST(CompensationTest, ExemptionNamesTheClause) {
  absl::StatusOr<Compensation> c =
      ComputeCompensation(CaseFromText(R"pb(category: CATEGORY_DAMAGE
                                            findings {
                                              responsible: RESPONSIBLE_PARTY_FORCE_MAJEURE
                                              exemption: EXEMPTION_FORCE_MAJEURE
                                            })pb"),
                          DefaultPolicy());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->exemption, v1::EXEMPTION_FORCE_MAJEURE);
  EXPECT_THAT(c->calculation, HasSubstr("EXEMPTION_FORCE_MAJEURE"));
}

// The calculation a handler reads says what happened: billed no more than
// shipped is no overcharge (it read "758.000 kg − 802.000 kg = 0.000 kg").
TEST(CompensationTest, ABillUnderTheShippedWeightOverchargedNothing) {
  absl::StatusOr<Compensation> c = ComputeCompensation(
      CaseFromText(
          R"pb(category: CATEGORY_BILLING
               intake {
                 shipment { weight_g: 802000 billed_weight_g: 758000 freight_rate_fen_per_kg: 250 }
               })pb"),
      DefaultPolicy());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->amount_fen, 0);
  EXPECT_EQ(c->calculation,
            "billing: billed 758.000 kg, no more than the 802.000 kg shipped: nothing overcharged");
}

// A parcel delivered by the promised time was not delayed: nothing is
// waived (its freight was).
TEST(CompensationTest, AParcelDeliveredOnTimeWaivesNothing) {
  absl::StatusOr<Compensation> on_time = ComputeCompensation(
      CaseFromText(R"pb(category: CATEGORY_LATE
                        intake {
                          shipment {
                            freight_fen: 2000
                            promised_by { seconds: 1793318400 }   # 2026-10-30T00:00:00Z
                            delivered_at { seconds: 1793232000 }  # 2026-10-29T00:00:00Z
                          }
                        })pb"),
      DefaultPolicy());
  ASSERT_TRUE(on_time.ok()) << on_time.status();
  EXPECT_EQ(on_time->amount_fen, 0);
  EXPECT_EQ(on_time->basis, v1::COMPENSATION_BASIS_FREIGHT_WAIVED);
  EXPECT_THAT(on_time->calculation, HasSubstr("nothing waived"));
  absl::StatusOr<Compensation> late =
      ComputeCompensation(CaseFromText(R"pb(category: CATEGORY_LATE
                                            intake {
                                              shipment {
                                                freight_fen: 2000
                                                promised_by { seconds: 1793318400 }
                                                delivered_at { seconds: 1793318401 }
                                              }
                                            })pb"),
                          DefaultPolicy());
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(late->amount_fen, 2000) << "a second late is late";
}

// Partial damage of insured goods whose value is not given: the declared
// value stands for it (Shipment.goods_value_fen, "when known"), and the
// calculation says so rather than present it as the goods' value.
TEST(CompensationTest, AnInsuredShipmentOfUnknownValueSaysTheDeclaredValueStandsForIt) {
  absl::StatusOr<Compensation> c = ComputeCompensation(
      CaseFromText(R"pb(category: CATEGORY_DAMAGE
                        findings { assessed_loss_fen: 180000 }
                        intake { shipment { insured: true declared_value_fen: 300000 } })pb"),
      DefaultPolicy());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->amount_fen, 180000);
  EXPECT_THAT(c->calculation, HasSubstr("the declared value, the goods' own not given"));
}

// 保价: a total loss pays the declared value, so partial damage never pays
// more: a loss beyond the goods' value is a loss of the goods' value.
TEST(CompensationTest, InsuredPartialDamageNeverPaysMoreThanTheDeclaredValue) {
  const std::tuple<const char*, int64_t, const char*> rows[] = {
      // Worth unknown (the declared 3,000 stands for it), repair 5,000: 3,000.
      {R"pb(category: CATEGORY_DAMAGE
            findings { assessed_loss_fen: 500000 }
            intake { shipment { insured: true declared_value_fen: 300000 } })pb",
       300000, "the loss 5000.00 is more than the value 3000.00"},
      // Declared 3,000, worth 6,000, repair 7,000: 6,000 × 3,000 ÷ 6,000.
      {
          R"pb(category: CATEGORY_DAMAGE
               findings { assessed_loss_fen: 700000 }
               intake {
                 shipment { insured: true declared_value_fen: 300000 goods_value_fen: 600000 }
               })pb",
          300000, "the loss 7000.00 is more than the value 6000.00"},
      // Within the value: as before (the seed's 1,800 → 900).
      {
          R"pb(category: CATEGORY_DAMAGE
               findings { assessed_loss_fen: 180000 }
               intake {
                 shipment { insured: true declared_value_fen: 300000 goods_value_fen: 600000 }
               })pb",
          90000, "loss 1800.00 × declared 3000.00 ÷ value 6000.00 = 900.00"},
  };
  for (const auto& [text, amount, said] : rows) {
    absl::StatusOr<Compensation> c = ComputeCompensation(CaseFromText(text), DefaultPolicy());
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->amount_fen, amount) << text;
    EXPECT_THAT(c->calculation, HasSubstr(said));
  }
}

TEST(CompensationTest, MissingFactsAreRefusedNamingTheField) {
  const std::pair<const char*, const char*> rows[] = {
      {R"pb(category: CATEGORY_DAMAGE)pb", "shipment.weight_g"},
      {R"pb(category: CATEGORY_BILLING
            intake { shipment { weight_g: 758000 billed_weight_g: 802000 } })pb",
       "shipment.freight_rate_fen_per_kg"},
      {R"pb(category: CATEGORY_DAMAGE
            intake { shipment { insured: true declared_value_fen: 100 } })pb",
       "findings.assessed_loss_fen"},
      {R"pb(category: CATEGORY_LOSS
            intake {
              customer { contract { uninsured_basis: COMPENSATION_BASIS_FREIGHT_MULTIPLE } }
            })pb",
       "shipment.freight_fen"},
      // Never read a missing fact as zero: not the whole bill refunded, not
      // "0.00 waived".
      {R"pb(category: CATEGORY_BILLING
            intake { shipment { billed_weight_g: 802000 freight_rate_fen_per_kg: 250 } })pb",
       "shipment.weight_g"},
      {R"pb(category: CATEGORY_BILLING
            intake { shipment { weight_g: 758000 freight_rate_fen_per_kg: 250 } })pb",
       "shipment.billed_weight_g"},
      {R"pb(category: CATEGORY_LATE
            intake { shipment { insurance_fee_fen: 500 } })pb",
       "shipment.freight_fen"},
      // Insured without its declared value: not paid as if uninsured (it
      // was: the weight's rate, 20.00 for a 1,800 loss).
      {R"pb(category: CATEGORY_DAMAGE
            findings { assessed_loss_fen: 180000 }
            intake { shipment { insured: true weight_g: 1000 goods_value_fen: 300000 } })pb",
       "shipment.declared_value_fen"},
  };
  for (const auto& [state, field] : rows) {
    SCOPED_TRACE(state);
    absl::StatusOr<Compensation> c = ComputeCompensation(CaseFromText(state), DefaultPolicy());
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(RuleOf(c.status()), v1::RULE_COMPENSATION_FACTS);
    EXPECT_THAT(c.status().message(), HasSubstr(field));
  }
}

// Checked arithmetic: a product beyond the policy's max_amount_fen is
// refused, naming the computation, never wrapped (failed before: a tariff
// near INT64_MAX gave a negative proposal).
TEST(CompensationTest, ProductsBeyondTheBoundAreRefused) {
  const std::pair<const char*, const char*> rows[] = {
      {R"pb(category: CATEGORY_BILLING
            intake {
              shipment {
                weight_g: 1
                billed_weight_g: 1000000000
                freight_rate_fen_per_kg: 9223372036854775807
              }
            })pb",
       "the overcharge"},
      {R"pb(category: CATEGORY_DAMAGE
            intake {
              shipment { weight_g: 9223372036854775807 }
              customer { contract { rate_fen_per_kg: 9223372036854775807 } }
            })pb",
       "the contract rate × weight"},
      {R"pb(category: CATEGORY_LOSS
            intake {
              shipment { freight_fen: 9223372036854775807 }
              customer {
                contract {
                  uninsured_basis: COMPENSATION_BASIS_FREIGHT_MULTIPLE
                  freight_multiple: 7
                }
              }
            })pb",
       "the freight multiple × freight"},
  };
  for (const auto& [state, what] : rows) {
    SCOPED_TRACE(what);
    absl::StatusOr<Compensation> c = ComputeCompensation(CaseFromText(state), DefaultPolicy());
    ASSERT_FALSE(c.ok()) << c->amount_fen;
    EXPECT_EQ(RuleOf(c.status()), v1::RULE_MALFORMED_COMMAND);
    EXPECT_THAT(c.status().message(), HasSubstr(what));
  }
}

TEST(CompensationTest, MulDivRoundsHalfUpWithoutOverflow) {
  EXPECT_EQ(MulDivRoundHalfUp(1, 1, 2), 1);
  EXPECT_EQ(MulDivRoundHalfUp(1, 1, 3), 0);
  EXPECT_EQ(MulDivRoundHalfUp(180000, 300000, 600000), 90000);
  EXPECT_EQ(MulDivRoundHalfUp(int64_t{1} << 40, int64_t{1} << 40, int64_t{1} << 40),
            int64_t{1} << 40);
}

}  // namespace
}  // namespace docket
