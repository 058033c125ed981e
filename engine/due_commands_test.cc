// What the deadline scanner records (DESIGN.md, "Deadlines: two clocks"):
// a case's due marks in time order across all its clocks, each decided
// against the state the one before left, so the history does not depend
// on how often the scanner runs; an appeal case's own deadline escalates
// to headquarters and stops.

#include "engine/due_commands.h"

#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "engine/deadlines.h"
#include "engine/decider.h"
#include "engine/deterministic_bytes.h"
#include "engine/event_kind.h"
#include "engine/evolve.h"
#include "engine/input_grammar.h"
#include "engine/policy.h"
#include "engine/testing/case_harness.h"
#include "engine/testing/random_case.h"
#include "engine/time_util.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::docket::testing::CommandFromText;
using ::docket::testing::Scanner;

// Cases driven by user commands and by the scanner, on a simulated clock,
// the way the runtime does it: a tick plans each case with something due
// and decides the plan; appeal cases it opens are planned in the same tick.
class World {
 public:
  explicit World(const v1::Policy& policy = DefaultPolicy()) : policy_(policy) {}

  void Tick(absl::Time now) {
    for (bool again = true; again;) {
      again = false;
      for (const auto& [id, state] : std::map<std::string, v1::CaseState>(states_)) {
        for (const v1::Command& command :
             DueCommands(state, now, policy_, AlwaysOpenCalendar::Get(), Scanner())) {
          again |= Decide(command, now);
        }
      }
    }
  }

  // Decides `command` at `now`; true when it was accepted.
  bool Decide(const v1::Command& command, absl::Time now) {
    CaseMap others;
    for (const auto& [id, state] : states_) others.Put(state);
    v1::CaseState& state = states_[command.case_id()];
    absl::StatusOr<std::vector<v1::CaseEvent>> events =
        docket::Decide(state, command, policy_, now, AlwaysOpenCalendar::Get(), others);
    if (!events.ok()) return false;
    for (v1::CaseEvent& e : *events) {
      Apply(e, &state);
      e.clear_recorded_at();  // When the scanner happened to run.
      logs_[command.case_id()].push_back(DeterministicBytes(e));
      events_[command.case_id()].push_back(std::move(e));
    }
    return true;
  }

  const std::map<std::string, std::vector<std::string>>& logs() const { return logs_; }
  const std::vector<v1::CaseEvent>& events(const std::string& id) { return events_[id]; }
  const v1::CaseState& state(const std::string& id) { return states_[id]; }

 private:
  const v1::Policy& policy_;
  std::map<std::string, v1::CaseState> states_;
  std::map<std::string, std::vector<std::string>> logs_;
  std::map<std::string, std::vector<v1::CaseEvent>> events_;
};

v1::Command Open(const std::string& case_id, absl::Time at, const char* intake) {
  v1::Command c = CommandFromText(absl::StrCat("open_case { intake { ", intake, " } }"));
  c.set_command_id(absl::StrCat(case_id, "-open"));
  c.set_case_id(case_id);
  *c.mutable_actor() = testing::Handler();
  *c.mutable_occurred_at() = ToProto(at);
  return c;
}

constexpr char kInjury[] =
    R"pb(channel: CHANNEL_PHONE
         category: CATEGORY_DAMAGE
         customer { id: "X" }
         shipment { weight_g: 1000 }
         facts: AGGRAVATING_FACT_INJURY)pb";

absl::Time Utc(int h, int m = 0) {
  return absl::FromCivil(absl::CivilMinute(2026, 11, 20, h, m), absl::UTCTimeZone());
}

// The issue's case: an EXTRAORDINARY complaint at 02:00 nobody answers.
// First response 30 minutes (warnings at 50 % and 75 %), report upward to
// headquarters within 2 hours. From the rule, by 05:00:
// - first response: warnings 02:15, 02:22:30; breach 02:30 (→ region);
//   warnings 02:45, 02:52:30; breach 03:00 (→ headquarters); warnings
//   03:15, 03:22:30; breach 03:30 at the top (silenced): 3 breaches;
// - report upward: warnings 03:00 (after the first response's breach at the
//   same instant) and 03:30; breach 04:00 at headquarters (silenced);
// so 8 warnings, 4 breaches, 2 escalations, headquarters reached through
// the first response at 03:00, every event in time order. One catch-up
// tick and a tick every five minutes record exactly this (failed before:
// a warning at 02:22 after one at 03:00, headquarters through the report
// upward at 04:00, first response breached twice).
TEST(DueCommandsTest, OneCatchUpTickRecordsWhatFrequentTicksRecord) {
  World catch_up, frequent;
  for (World* w : {&catch_up, &frequent})
    ASSERT_TRUE(w->Decide(Open("C-X", Utc(2), kInjury), Utc(2)));
  catch_up.Tick(Utc(5));
  for (absl::Time t = Utc(2); t <= Utc(5); t += absl::Minutes(5)) frequent.Tick(t);
  EXPECT_EQ(catch_up.logs(), frequent.logs());

  int warnings = 0, breaches = 0, first_response_breaches = 0;
  absl::Time previous = absl::InfinitePast();
  std::vector<std::pair<absl::Time, v1::Level>> escalations;
  for (const v1::CaseEvent& e : catch_up.events("C-X")) {
    const absl::Time at = ToTime(e.occurred_at());
    EXPECT_GE(at, previous) << "events out of time order";
    previous = at;
    warnings += e.has_deadline_warning();
    breaches += e.has_deadline_breached();
    first_response_breaches += e.has_deadline_breached() &&
                               e.deadline_breached().kind() == v1::DEADLINE_KIND_FIRST_RESPONSE;
    if (e.has_escalated()) escalations.emplace_back(at, e.escalated().to_level());
  }
  EXPECT_EQ(warnings, 8);
  EXPECT_EQ(breaches, 4);
  EXPECT_EQ(first_response_breaches, 3);
  ASSERT_EQ(escalations.size(), 2u);
  EXPECT_EQ(escalations[0], std::make_pair(Utc(2, 30), v1::LEVEL_REGION));
  EXPECT_EQ(escalations[1], std::make_pair(Utc(3), v1::LEVEL_HEADQUARTERS));
}

// DESIGN.md: "A clock counts as met on time only when it was met at or
// before its due time", and the history does not depend on when the
// scanner runs: a tick at the very instant a clock is due breaches
// nothing, a tick a second later does (failed before: the tick at the due
// instant breached the first response, escalated the case, and an
// acknowledgement at that instant, on time, found the clock breached).
TEST(DueCommandsTest, AClockMetAtItsDueTimeIsOnTimeWheneverTheScannerRan) {
  World w;
  ASSERT_TRUE(w.Decide(Open("C-X", Utc(2), kInjury), Utc(2)));  // First response due 02:30.
  const v1::Level opened_at = w.state("C-X").handling_level();
  w.Tick(Utc(2, 30));
  int warnings = 0;
  for (const v1::CaseEvent& e : w.events("C-X")) {
    EXPECT_FALSE(e.has_deadline_breached());
    warnings += e.has_deadline_warning();
  }
  EXPECT_EQ(warnings, 2) << "the first response's 50 % and 75 %: the tick ran";
  v1::Command acknowledge = CommandFromText("acknowledge {}");
  acknowledge.set_command_id("C-X-ack");
  acknowledge.set_case_id("C-X");
  *acknowledge.mutable_actor() = testing::Handler();
  *acknowledge.mutable_occurred_at() = ToProto(Utc(2, 30));
  ASSERT_TRUE(w.Decide(acknowledge, Utc(2, 30)));
  const v1::Deadline* first = nullptr;
  for (const v1::Deadline& d : w.state("C-X").deadlines()) {
    if (d.kind() == v1::DEADLINE_KIND_FIRST_RESPONSE) first = &d;
  }
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(first->met());
  EXPECT_FALSE(first->breached());
  EXPECT_EQ(w.state("C-X").handling_level(), opened_at) << "not escalated";

  World late;
  ASSERT_TRUE(late.Decide(Open("C-Y", Utc(2), kInjury), Utc(2)));
  late.Tick(Utc(2, 30) + absl::Seconds(1));
  int breaches = 0;
  for (const v1::CaseEvent& e : late.events("C-Y")) {
    if (!e.has_deadline_breached()) continue;
    ++breaches;
    EXPECT_EQ(e.deadline_breached().kind(), v1::DEADLINE_KIND_FIRST_RESPONSE);
    EXPECT_EQ(ToTime(e.occurred_at()), Utc(2, 30)) << "breached as of its due time";
  }
  EXPECT_EQ(breaches, 1);
}

// DESIGN.md: an appeal case is the regulator's: its own clock escalates to
// headquarters and stops; it never opens an appeal of an appeal (failed
// before: C-…-APPEAL-APPEAL-…, eleven deep after one far tick).
TEST(DueCommandsTest, AnAppealCaseIsNeverAppealedAgain) {
  World w;
  ASSERT_TRUE(w.Decide(Open("C-1", Utc(1),
                            R"pb(channel: CHANNEL_PHONE
                                 category: CATEGORY_ATTITUDE
                                 customer { id: "X" })pb"),
                       Utc(1)));
  w.Tick(Utc(1) + absl::Hours(24 * 100));
  ASSERT_EQ(w.logs().size(), 2u) << "C-1 and its one appeal";
  const v1::CaseState& appeal = w.state("C-1-APPEAL");
  EXPECT_EQ(appeal.link().kind(), v1::LINK_KIND_REGULATOR_APPEAL);
  EXPECT_EQ(appeal.handling_level(), v1::LEVEL_HEADQUARTERS);
  const v1::Deadline* regulatory = FindOpenDeadline(appeal, v1::DEADLINE_KIND_REGULATORY_RESULT);
  ASSERT_NE(regulatory, nullptr);
  EXPECT_TRUE(regulatory->silenced());
  EXPECT_EQ(regulatory->breach_count(), 1);
  EXPECT_FALSE(NextDueMark(appeal).has_value()) << "every clock of the appeal has stopped";
}

// The scanner's ids grow with the case's ("deadline:<case>-APPEAL:
// DEADLINE_KIND_REGULATORY_RESULT:<n>:breach"); the longest case id is
// bounded so that they fit, and a case of the longest id runs its clocks
// as any other (failed before: the input grammar bounded command ids as it
// bounds names, at 64, so from a case id of 15 characters on breaches were
// refused and the scanner fell silent at 75 %; an appeal case, 7 longer,
// never breached its first response).
TEST(DueCommandsTest, ACaseOfTheLongestIdBreachesAsAnyOther) {
  const std::string longest(kMaxCaseIdLength, 'C');
  World short_id, long_id;
  ASSERT_TRUE(short_id.Decide(Open("C-1", Utc(2), kInjury), Utc(2)));
  ASSERT_TRUE(long_id.Decide(Open(longest, Utc(2), kInjury), Utc(2)));
  const absl::Time far = Utc(2) + absl::Hours(24 * 100);
  short_id.Tick(far);
  long_id.Tick(far);
  ASSERT_EQ(long_id.logs().size(), 2u) << "the case and its appeal";
  for (const std::string& suffix : {"", "-APPEAL"}) {
    const auto kinds = [](const std::vector<v1::CaseEvent>& events) {
      std::vector<std::string> out;
      for (const v1::CaseEvent& e : events) out.push_back(EventKind(e));
      return out;
    };
    EXPECT_EQ(kinds(long_id.events(longest + suffix)), kinds(short_id.events("C-1" + suffix)))
        << suffix;
    EXPECT_FALSE(NextDueMark(long_id.state(longest + suffix)).has_value()) << suffix;
  }
}

// Property: random complaints, inquiries and suggestions, driven by random
// user commands; the scanner runs at random cadences between them (and
// always just before each, as the runtime would catch up). Every cadence
// records the same events for every case, recorded times aside.
TEST(DueCommandsTest, RandomTickCadencesRecordIdenticalLogs) {
  int compared_events = 0;
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    testing::RandomCase gen(seed);
    // The script: a few cases, each a random intake then steps taken as
    // the process expects, at random times over ten days.
    std::vector<std::pair<absl::Time, v1::Command>> script;
    {
      World planner;
      absl::Time t = testing::TestEpoch();
      for (int i = 0; i < 4; ++i) {
        const std::string id = absl::StrCat("C-R", seed, "-", i);
        v1::Command open = CommandFromText(gen.OpenCase());
        open.set_command_id(absl::StrCat(id, "-0"));
        open.set_case_id(id);
        *open.mutable_actor() = testing::Handler();
        *open.mutable_occurred_at() = ToProto(t);
        planner.Tick(t);
        planner.Decide(open, t);
        script.emplace_back(t, open);
        for (int step = 1; step < gen.Uniform(2, 9); ++step) {
          t += absl::Minutes(gen.Uniform(10, 1800));
          planner.Tick(t);
          auto [body, actor] = gen.NextStep(planner.state(id));
          v1::Command c = CommandFromText(body);
          c.set_command_id(absl::StrCat(id, "-", step));
          c.set_case_id(id);
          *c.mutable_actor() = actor;
          *c.mutable_occurred_at() = ToProto(t);
          planner.Decide(c, t);
          script.emplace_back(t, c);
        }
      }
    }
    const absl::Time end = script.back().first + absl::Hours(24 * 12);
    std::map<std::string, std::vector<std::string>> reference;
    for (int cadence = 0; cadence < 3; ++cadence) {
      World w;
      absl::Time tick = testing::TestEpoch();
      auto tick_until = [&](absl::Time until) {
        // Cadence 0: only when needed; 1: every 1-240 minutes; 2: every
        // 5-60 minutes.
        while (cadence > 0) {
          tick += absl::Minutes(cadence == 1 ? gen.Uniform(1, 240) : gen.Uniform(5, 60));
          if (tick >= until) break;
          w.Tick(tick);
        }
        tick = until;
        w.Tick(until);
      };
      for (const auto& [at, command] : script) {
        tick_until(at);
        w.Decide(command, at);
      }
      tick_until(end);
      if (cadence == 0) {
        reference = w.logs();
        for (const auto& [id, log] : reference) compared_events += log.size();
      } else {
        EXPECT_EQ(w.logs(), reference) << "cadence " << cadence;
      }
    }
  }
  EXPECT_GT(compared_events, 1000);
}

}  // namespace
}  // namespace docket
