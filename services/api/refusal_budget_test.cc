#include "services/api/refusal_budget.h"

#include "gtest/gtest.h"

namespace docket::api {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1800000000);

TEST(RefusalBudgetTest, APrincipalRefusedBeyondItsBurstWaitsForTheRefill) {
  RefusalBudget budget(/*burst=*/10, /*per_second=*/2);
  EXPECT_EQ(budget.Exhausted("E-101", kStart), std::nullopt);
  budget.Spend("E-101", 9, kStart);
  EXPECT_EQ(budget.Exhausted("E-101", kStart), std::nullopt) << "one refusal is left";
  budget.Spend("E-101", 1, kStart);
  // Empty: one refusal comes back in half a second at 2 a second.
  EXPECT_EQ(budget.Exhausted("E-101", kStart), absl::Milliseconds(500));
  EXPECT_EQ(budget.Exhausted("E-101", kStart + absl::Milliseconds(500)), std::nullopt);
  // Another principal is not affected.
  EXPECT_EQ(budget.Exhausted("E-100", kStart), std::nullopt);
}

TEST(RefusalBudgetTest, OneRequestOfManyRefusalsLeavesADebt) {
  RefusalBudget budget(/*burst=*/10, /*per_second=*/1);
  budget.Spend("adapter-phone", 100, kStart);  // 90 owed: 91 s to one refusal.
  EXPECT_EQ(budget.Exhausted("adapter-phone", kStart), absl::Seconds(91));
  EXPECT_EQ(budget.Exhausted("adapter-phone", kStart + absl::Seconds(60)), absl::Seconds(31));
  EXPECT_EQ(budget.Exhausted("adapter-phone", kStart + absl::Seconds(91)), std::nullopt);
  // The refill stops at the burst, however long the quiet.
  budget.Spend("adapter-phone", 10, kStart + absl::Hours(5));
  EXPECT_NE(budget.Exhausted("adapter-phone", kStart + absl::Hours(5)), std::nullopt);
}

TEST(RefusalBudgetTest, NothingSpentNeverExhausts) {
  RefusalBudget budget(/*burst=*/1, /*per_second=*/0.01);
  budget.Spend("E-101", 0, kStart);
  budget.Spend("E-101", -5, kStart);
  EXPECT_EQ(budget.Exhausted("E-101", kStart), std::nullopt);
}

}  // namespace
}  // namespace docket::api
