#ifndef DOCKET_ENGINE_TESTING_CASE_HARNESS_H_
#define DOCKET_ENGINE_TESTING_CASE_HARNESS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/policy.pb.h"
#include "docket/v1/state.pb.h"
#include "engine/calendar.h"
#include "engine/case_lookup.h"

namespace docket::testing {

// Actors used across the engine's tests.
v1::Actor Handler();           // ROLE_HANDLER at LEVEL_BRANCH.
v1::Actor RegionSupervisor();  // ROLE_SUPERVISOR at LEVEL_REGION.
v1::Actor HqSupervisor();      // ROLE_SUPERVISOR at LEVEL_HEADQUARTERS.
v1::Actor Claims();            // ROLE_CLAIMS (理赔处) at LEVEL_HEADQUARTERS.
v1::Actor Scanner();           // ROLE_SYSTEM at LEVEL_HEADQUARTERS.

// Parses a text-format message or fails the test (and returns a default).
v1::Command CommandFromText(absl::string_view text);

// `command` with one field the schema marks required (docket.v1.required)
// cleared, for each such field its body holds (in the messages it holds
// too), with that field's path ("record_follow_up.method").
std::vector<std::pair<std::string, v1::Command>> WithoutEachRequiredField(
    const v1::Command& command);

class CaseHarness;
// `body` (text format) as `actor` on `c` without each field its schema
// marks required: refused as malformed, naming the field, the state
// unchanged (gtest expectations). How many were tried.
int ExpectEachRequiredFieldRefused(CaseHarness* c, const std::string& body, const v1::Actor& actor);

// Drives one case through the engine on a simulated clock: each Submit
// decides a command against the current state at `now()` and folds the
// events it yields. Keeps every event so tests can replay them.
class CaseHarness {
 public:
  explicit CaseHarness(std::string case_id, v1::Policy policy,
                       const Calendar* calendar = &AlwaysOpenCalendar::Get());
  explicit CaseHarness(std::string case_id);  // The default policy.

  // `body` is the text format of the Command's body and optional fields,
  // e.g. `acknowledge { note: "sorry" }`. The harness fills in command_id
  // (sequential), case_id and `actor`.
  absl::StatusOr<std::vector<v1::CaseEvent>> Submit(absl::string_view body,
                                                    const v1::Actor& actor = Handler());
  absl::StatusOr<std::vector<v1::CaseEvent>> Submit(v1::Command command);

  // Submit, and fail the test unless it is accepted.
  void MustSubmit(absl::string_view body, const v1::Actor& actor = Handler());

  // The other cases decisions may consult (merge survivors, linked cases);
  // none by default. `cases` must outlive the harness.
  void set_cases(const CaseLookup* cases) { cases_ = cases; }

  void Advance(absl::Duration d) { now_ += d; }
  absl::Time now() const { return now_; }
  void set_now(absl::Time t) { now_ = t; }

  const v1::CaseState& state() const { return state_; }
  const std::vector<v1::CaseEvent>& events() const { return events_; }
  const v1::Policy& policy() const { return policy_; }
  const std::string& case_id() const { return case_id_; }

 private:
  std::string case_id_;
  v1::Policy policy_;
  const Calendar* calendar_;
  const CaseLookup* cases_ = &CaseMap::Empty();
  v1::CaseState state_;
  std::vector<v1::CaseEvent> events_;
  absl::Time now_;
  int next_command_ = 1;
};

// 2026-11-20 09:00 Asia/Shanghai (01:00 UTC), a Friday: the tests' epoch.
absl::Time TestEpoch();

}  // namespace docket::testing

#endif  // DOCKET_ENGINE_TESTING_CASE_HARNESS_H_
