#include "engine/testing/case_harness.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "docket/v1/options.pb.h"
#include "engine/decider.h"
#include "engine/evolve.h"
#include "engine/policy.h"
#include "engine/refusal.h"
#include "gmock/gmock.h"
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

namespace {

// Appends to `out` a copy of `root` for each required field of `message`
// (which `locate` finds in a copy of root), cleared, with its path.
void CollectRequired(const v1::Command& root, const google::protobuf::Message& message,
                     const std::string& path,
                     const std::function<google::protobuf::Message*(v1::Command*)>& locate,
                     std::vector<std::pair<std::string, v1::Command>>* out) {
  const google::protobuf::Reflection& r = *message.GetReflection();
  const google::protobuf::Descriptor& type = *message.GetDescriptor();
  for (int i = 0; i < type.field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = type.field(i);
    const std::string at = absl::StrCat(path, ".", field->name());
    if (field->options().GetExtension(v1::required)) {
      v1::Command copy = root;
      google::protobuf::Message* in = locate(&copy);
      in->GetReflection()->ClearField(in, field);
      out->emplace_back(at, std::move(copy));
    }
    if (!field->is_repeated() &&
        field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE &&
        r.HasField(message, field)) {
      CollectRequired(
          root, r.GetMessage(message, field), at,
          [locate, field](v1::Command* c) {
            google::protobuf::Message* in = locate(c);
            return in->GetReflection()->MutableMessage(in, field);
          },
          out);
    }
  }
}

}  // namespace

std::vector<std::pair<std::string, v1::Command>> WithoutEachRequiredField(
    const v1::Command& command) {
  std::vector<std::pair<std::string, v1::Command>> out;
  const google::protobuf::FieldDescriptor* body = command.GetReflection()->GetOneofFieldDescriptor(
      command, v1::Command::descriptor()->FindOneofByName("body"));
  if (body == nullptr) return out;
  CollectRequired(
      command, command.GetReflection()->GetMessage(command, body), body->name(),
      [body](v1::Command* c) { return c->GetReflection()->MutableMessage(c, body); }, &out);
  return out;
}

// `body` without each field its schema marks required, on `c`: refused as
// malformed, naming the field, the state unchanged. How many were tried.
int ExpectEachRequiredFieldRefused(CaseHarness* c, const std::string& body,
                                   const v1::Actor& actor) {
  v1::Command whole = CommandFromText(body);
  whole.set_case_id(c->case_id());
  *whole.mutable_actor() = actor;
  const std::string before = c->state().SerializeAsString();
  int tried = 0;
  for (auto& [path, command] : WithoutEachRequiredField(whole)) {
    SCOPED_TRACE(absl::StrCat("without ", path));
    command.set_command_id(absl::StrCat("without-", path));
    auto result = c->Submit(command);
    EXPECT_EQ(RuleOf(result.status()), v1::RULE_MALFORMED_COMMAND) << result.status();
    EXPECT_THAT(std::string(result.status().message()),
                ::testing::HasSubstr(path + " is required"));
    EXPECT_EQ(c->state().SerializeAsString(), before);
    ++tried;
  }
  return tried;
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
