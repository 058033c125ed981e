// The report counters of SLA compliance (统计报表): a clock counts as met on
// time only when it was met at or before its due time, whether or not the
// deadline scanner ran in between.

#include <map>
#include <string>

#include "engine/evolve.h"
#include "engine/testing/case_harness.h"
#include "gtest/gtest.h"
#include "projections/projector.h"

namespace docket {
namespace {

using ::docket::testing::CaseHarness;

// The SLA counters the case's history adds up to.
std::map<std::string, int64_t> SlaCounters(const CaseHarness& c) {
  std::map<std::string, int64_t> out;
  v1::CaseState before;
  for (const v1::CaseEvent& event : c.events()) {
    const v1::CaseState after = Evolve(before, event);
    for (const auto& [key, delta] : Projector::StatsDeltas(event, before, after)) {
      StatsKey k;
      EXPECT_TRUE(DecodeStatsKey(key, &k));
      if (k.metric == "deadlines_met_on_time" || k.metric == "deadlines_breached") {
        out[k.metric] += delta;
      }
    }
    before = after;
  }
  return out;
}

// The issue's case: a first response due at 06:30 (4 hours from 02:30)
// given two days later, with no scanner run in between (failed before: met
// on time).
TEST(StatsDeltasTest, AClockMetAfterItsDueTimeIsNotMetOnTime) {
  for (const absl::Duration after : {absl::Hours(3), absl::Hours(48)}) {
    CaseHarness c("C-LATE");
    c.set_now(absl::FromCivil(absl::CivilMinute(2026, 11, 20, 2, 30), absl::UTCTimeZone()));
    c.MustSubmit(R"pb(open_case {
                        intake {
                          channel: CHANNEL_PHONE
                          category: CATEGORY_ATTITUDE
                          customer { id: "X" }
                        }
                      })pb");
    c.Advance(after);
    c.MustSubmit("acknowledge {}");
    const std::map<std::string, int64_t> sla = SlaCounters(c);
    const bool on_time = after < absl::Hours(4);
    EXPECT_EQ(sla.count("deadlines_met_on_time") ? sla.at("deadlines_met_on_time") : 0,
              on_time ? 1 : 0);
    EXPECT_EQ(sla.count("deadlines_breached") ? sla.at("deadlines_breached") : 0, on_time ? 0 : 1);
  }
}

// Each clock counts once, even when a case holds older met clocks of the
// same kind (a resolution met before special handling, a progress notice
// met before the next).
TEST(StatsDeltasTest, EachClockCountsOnce) {
  CaseHarness c("C-TWICE");
  c.MustSubmit(R"pb(open_case {
                      intake {
                        channel: CHANNEL_PHONE
                        category: CATEGORY_ATTITUDE
                        customer { id: "X" }
                      }
                    })pb");
  c.MustSubmit("acknowledge {}");
  c.MustSubmit("accept {}");
  c.MustSubmit("propose_resolution {}");
  c.MustSubmit("record_customer_reply { decision: CUSTOMER_DECISION_REJECTS }");
  c.MustSubmit(R"pb(start_special_handling { customer_view: "more" })pb");
  for (int i = 0; i < 3; ++i) c.MustSubmit("report_upward { to_level: LEVEL_BRANCH }");
  // Met: first response, report upward, resolution, progress notice,
  // reply, the regulatory result. Nothing else met, none counted twice.
  EXPECT_EQ(SlaCounters(c).at("deadlines_met_on_time"), 6);
}

}  // namespace
}  // namespace docket
