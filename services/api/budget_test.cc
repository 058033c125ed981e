#include "services/api/budget.h"

#include <limits>
#include <utility>

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

TEST(BudgetTest, AWholeBudgetLetsInOnlyWhatItHoldsAndNeverOwes) {
  Budget budget(/*burst=*/10, /*per_second=*/2, Budget::Admit::kWhole);
  EXPECT_EQ(budget.LargestRequest(), 10);
  EXPECT_EQ(budget.Reserve("adapter-phone", 11, kStart), absl::InfiniteDuration())
      << "more than the burst is never let in";
  ASSERT_EQ(budget.Reserve("adapter-phone", 8, kStart), std::nullopt);
  budget.Settle("adapter-phone", 8, 8, kStart);
  // Two are left: three come in half a second, at 2 a second.
  EXPECT_EQ(budget.Reserve("adapter-phone", 3, kStart), absl::Milliseconds(500));
  ASSERT_EQ(budget.Reserve("adapter-phone", 2, kStart), std::nullopt);
  // Held back only by the request in flight: ask again in a moment.
  EXPECT_EQ(budget.Reserve("adapter-phone", 1, kStart), absl::Seconds(1));
  budget.Settle("adapter-phone", 2, 2, kStart);
  EXPECT_EQ(budget.Reserve("adapter-phone", 1, kStart), absl::Milliseconds(500));
  EXPECT_EQ(budget.Reserve("E-101", 10, kStart), std::nullopt) << "another principal's bucket";
  ASSERT_EQ(budget.Reserve("adapter-phone", 10, kStart + absl::Seconds(5)), std::nullopt);
  // The default lets a request in on one unit left, whatever it reserves.
  EXPECT_EQ(Budget(10, 2).LargestRequest(), std::numeric_limits<double>::infinity());
}

TEST(BudgetTest, ABurstOfZeroIsNoBudget) {
  Budget budget(/*burst=*/0, /*per_second=*/1);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(budget.Reserve("E-101", 1000, kStart), std::nullopt);
    budget.Settle("E-101", 1000, 1000, kStart);
  }
  Budget whole(/*burst=*/0, /*per_second=*/1, Budget::Admit::kWhole);
  EXPECT_EQ(whole.LargestRequest(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(whole.Reserve("E-101", 1000000, kStart), std::nullopt);
}

TEST(BudgetTest, AReservationSettlesWhatItKeptWhenItGoes) {
  // A refill of one unit in 1,000 s: nothing refills while the test runs.
  Budget budget(/*burst=*/10, /*per_second=*/0.001, Budget::Admit::kWhole);
  {
    Budget::Reservation kept = budget.Reserve("E-101", 6);
    ASSERT_TRUE(kept.admitted());
    Budget::Reservation moved = std::move(kept);  // Settled once, by the one it moved to.
    moved.Keep(6);
    Budget::Reservation meanwhile = budget.Reserve("E-101", 5);
    EXPECT_FALSE(meanwhile.admitted()) << "6 of 10 are reserved";
    EXPECT_EQ(meanwhile.wait(), absl::Seconds(1)) << "held back by a request in flight only";
  }
  {
    Budget::Reservation failed = budget.Reserve("E-101", 4);
    ASSERT_TRUE(failed.admitted()) << "4 are left";
    // Nothing kept: the 4 return.
  }
  Budget::Reservation over = budget.Reserve("E-101", 5);
  EXPECT_FALSE(over.admitted()) << "4 left, 5 asked";
  EXPECT_GT(over.wait(), absl::Seconds(900));
  Budget::Reservation last = budget.Reserve("E-101", 4);
  EXPECT_TRUE(last.admitted()) << "a refused reservation settles nothing";
}

}  // namespace
}  // namespace docket::api
