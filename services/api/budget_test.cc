#include "services/api/budget.h"

#include "gtest/gtest.h"

namespace docket::api {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1800000000);

TEST(BudgetTest, APrincipalRefusedBeyondItsBurstWaitsForTheRefill) {
  Budget budget(/*burst=*/10, /*per_second=*/2);
  ASSERT_EQ(budget.Reserve("E-101", 9, kStart), std::nullopt);
  budget.Settle("E-101", 9, 9, kStart);
  ASSERT_EQ(budget.Reserve("E-101", 1, kStart), std::nullopt) << "one refusal is left";
  budget.Settle("E-101", 1, 1, kStart);
  // Empty: one refusal comes back in half a second at 2 a second.
  EXPECT_EQ(budget.Reserve("E-101", 1, kStart), absl::Milliseconds(500));
  EXPECT_EQ(budget.Reserve("E-101", 1, kStart + absl::Milliseconds(500)), std::nullopt);
  // Another principal is not affected.
  EXPECT_EQ(budget.Reserve("E-100", 1, kStart), std::nullopt);
}

TEST(BudgetTest, OnlyRecordedRefusalsAreTaken) {
  Budget budget(/*burst=*/3, /*per_second=*/0.001);
  // A hundred commands, accepted or refused unrecorded: nothing is taken.
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(budget.Reserve("adapter-phone", 1, kStart), std::nullopt) << i;
    budget.Settle("adapter-phone", 1, 0, kStart);
  }
  ASSERT_EQ(budget.Reserve("adapter-phone", 5, kStart), std::nullopt);
  budget.Settle("adapter-phone", 5, 2, kStart);
  ASSERT_EQ(budget.Reserve("adapter-phone", 1, kStart), std::nullopt);
  budget.Settle("adapter-phone", 1, 1, kStart);
  EXPECT_NE(budget.Reserve("adapter-phone", 1, kStart), std::nullopt);
}

TEST(BudgetTest, RequestsInFlightTogetherNeverOverdrawTheBudget) {
  Budget budget(/*burst=*/10, /*per_second=*/1);
  // The first request's 8 commands might all be refused: a second of 8
  // waits until it settles, however many arrive meanwhile.
  ASSERT_EQ(budget.Reserve("E-101", 8, kStart), std::nullopt);
  ASSERT_EQ(budget.Reserve("E-101", 2, kStart), std::nullopt) << "10 less 8 reserved is 2";
  EXPECT_EQ(budget.Reserve("E-101", 8, kStart), absl::Seconds(1));
  EXPECT_EQ(budget.Reserve("E-101", 1, kStart), absl::Seconds(1));
  budget.Settle("E-101", 8, 0, kStart);
  budget.Settle("E-101", 2, 0, kStart);
  EXPECT_EQ(budget.Reserve("E-101", 8, kStart), std::nullopt);
}

TEST(BudgetTest, OneRequestOfManyRefusalsLeavesADebt) {
  Budget budget(/*burst=*/10, /*per_second=*/1);
  ASSERT_EQ(budget.Reserve("adapter-phone", 100, kStart), std::nullopt);
  budget.Settle("adapter-phone", 100, 100, kStart);  // 90 owed: 91 s to one refusal.
  EXPECT_EQ(budget.Reserve("adapter-phone", 1, kStart), absl::Seconds(91));
  EXPECT_EQ(budget.Reserve("adapter-phone", 1, kStart + absl::Seconds(60)), absl::Seconds(31));
  ASSERT_EQ(budget.Reserve("adapter-phone", 10, kStart + absl::Seconds(91)), std::nullopt);
  budget.Settle("adapter-phone", 10, 0, kStart + absl::Seconds(91));
  // The refill stops at the burst, however long the quiet.
  ASSERT_EQ(budget.Reserve("adapter-phone", 10, kStart + absl::Hours(5)), std::nullopt);
  budget.Settle("adapter-phone", 10, 10, kStart + absl::Hours(5));
  EXPECT_NE(budget.Reserve("adapter-phone", 1, kStart + absl::Hours(5)), std::nullopt);
}

TEST(BudgetTest, ABurstOfZeroIsNoBudget) {
  Budget budget(/*burst=*/0, /*per_second=*/1);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(budget.Reserve("E-101", 1000, kStart), std::nullopt);
    budget.Settle("E-101", 1000, 1000, kStart);
  }
}

}  // namespace
}  // namespace docket::api
