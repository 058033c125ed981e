#include "engine/testing/case_harness.h"

#include "absl/strings/str_cat.h"
#include "engine/decider.h"
#include "engine/evolve.h"
#include "engine/policy.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace docket::testing {
namespace {

v1::Actor MakeActor(const char* id, v1::Role role, v1::Level level) {
  v1::Actor actor;
  actor.set_id(id);
  actor.set_role(role);
  actor.set_level(level);
  actor.set_branch("GZ");
  return actor;
}

}  // namespace

v1::Actor Handler() { return MakeActor("E-100", v1::ROLE_HANDLER, v1::LEVEL_BRANCH); }
v1::Actor RegionSupervisor() { return MakeActor("E-200", v1::ROLE_SUPERVISOR, v1::LEVEL_REGION); }
v1::Actor HqSupervisor() { return MakeActor("E-300", v1::ROLE_SUPERVISOR, v1::LEVEL_HEADQUARTERS); }
v1::Actor Claims() { return MakeActor("C-900", v1::ROLE_CLAIMS, v1::LEVEL_HEADQUARTERS); }
v1::Actor Scanner() { return MakeActor("docket-scanner", v1::ROLE_SYSTEM, v1::LEVEL_HEADQUARTERS); }

v1::Command CommandFromText(absl::string_view text) {
  v1::Command command;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(std::string(text), &command))
      << "bad test command: " << text;
  return command;
}

absl::Time TestEpoch() {
  return absl::FromCivil(absl::CivilHour(2026, 11, 20, 1), absl::UTCTimeZone());
}

CaseHarness::CaseHarness(std::string case_id, v1::Policy policy, const Calendar* calendar)
    : case_id_(std::move(case_id)),
      policy_(std::move(policy)),
      calendar_(calendar),
      now_(TestEpoch()) {}

CaseHarness::CaseHarness(std::string case_id) : CaseHarness(std::move(case_id), DefaultPolicy()) {}

absl::StatusOr<std::vector<v1::CaseEvent>> CaseHarness::Submit(absl::string_view body,
                                                               const v1::Actor& actor) {
  v1::Command command = CommandFromText(body);
  command.set_command_id(absl::StrCat(case_id_, "-cmd-", next_command_++));
  command.set_case_id(case_id_);
  *command.mutable_actor() = actor;
  return Submit(std::move(command));
}

absl::StatusOr<std::vector<v1::CaseEvent>> CaseHarness::Submit(v1::Command command) {
  absl::StatusOr<std::vector<v1::CaseEvent>> events =
      Decide(state_, command, policy_, now_, *calendar_, *cases_);
  if (events.ok()) {
    for (const v1::CaseEvent& event : *events) {
      Apply(event, &state_);
      events_.push_back(event);
    }
  }
  return events;
}

void CaseHarness::MustSubmit(absl::string_view body, const v1::Actor& actor) {
  absl::StatusOr<std::vector<v1::CaseEvent>> events = Submit(body, actor);
  ASSERT_TRUE(events.ok()) << body << "\n  refused: " << events.status();
}

}  // namespace docket::testing
