#include "tools/bench/workload.h"

#include <deque>
#include <map>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/decider.h"
#include "engine/evolve.h"
#include "engine/policy.h"
#include "engine/time_util.h"
#include "tools/bench/lifecycles.h"

namespace docket::bench {
namespace {

// The share of customer cases of each kind (the channel regulation's three
// flows): most contacts are complaints in this workload, a large minority
// inquiries, a few suggestions.
std::unique_ptr<Lifecycle> NewCustomerCase(int index, std::mt19937& rng) {
  const int kind = rng() % 100;
  if (kind < 65) return NewComplaint(index, rng);
  if (kind < 93) return NewInquiry(index, rng);
  return NewSuggestion(index, rng);
}

}  // namespace

std::vector<v1::Command> GenerateWorkload(const WorkloadOptions& options) {
  std::mt19937 rng(options.seed);
  std::vector<v1::Command> out;
  std::deque<std::unique_ptr<Lifecycle>> active;
  std::map<std::string, v1::CaseState> states;
  const v1::Policy& policy = DefaultPolicy();
  int opened = 0;
  // One command a second, ending around 2026-11-02 01:00 UTC whatever the
  // size (about 10 commands per case), so that no command occurs after the
  // time it is decided at.
  absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 11, 2, 1, 0, 0), absl::UTCTimeZone()) -
                 absl::Seconds(10) * options.cases;
  while (opened < options.cases || !active.empty()) {
    while (opened < options.cases && static_cast<int>(active.size()) < options.concurrency) {
      active.push_back(NewCustomerCase(opened++, rng));
    }
    const size_t pick = rng() % active.size();
    Lifecycle& life = *active[pick];
    v1::CaseState& state = states[life.id()];
    v1::Command c = life.Next(state);
    t += absl::Seconds(1);
    *c.mutable_occurred_at() = ToProto(t);
    out.push_back(c);
    // Folded with the real engine, so the next step sees what it decided.
    absl::StatusOr<std::vector<v1::CaseEvent>> events =
        Decide(state, c, policy, t, AlwaysOpenCalendar::Get(), life.cases());
    if (events.ok()) {
      for (const v1::CaseEvent& e : *events) Apply(e, &state);
    }
    const double roll = std::uniform_real_distribution<double>(0, 1)(rng);
    if (roll < options.bad_share) {
      v1::Command bad = c;
      switch (rng() % 3) {
        case 0:  // A repeat of the same command: a duplicate.
          break;
        case 1:  // Out of order: archive now (a complaint only: the short
                 // flows may archive early).
          if (!life.may_inject_early_archive()) break;
          bad.set_command_id(absl::StrCat(c.command_id(), "-early-archive"));
          bad.mutable_archive();
          break;
        default:  // An unknown case.
          bad.set_command_id(absl::StrCat(c.command_id(), "-stray"));
          bad.set_case_id(absl::StrCat(c.case_id(), "-NOWHERE"));
          break;
      }
      out.push_back(bad);
    }
    std::unique_ptr<Lifecycle> child = life.TakeChild();
    if (life.done()) {
      states.erase(life.id());
      active[pick] = std::move(active.back());
      active.pop_back();
    }
    if (child != nullptr) active.push_back(std::move(child));
  }
  return out;
}

}  // namespace docket::bench
