// What the console offers is what the engine accepts: AvailableActions
// against Decide, on random histories, for the command's actor and for
// principals of other roles and scopes.

#include "engine/actions.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/authorization.h"
#include "engine/decider.h"
#include "engine/directory.h"
#include "engine/evolve.h"
#include "engine/policy.h"
#include "engine/refusal.h"
#include "engine/testing/case_harness.h"
#include "engine/testing/random_case.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using testing::CommandFromText;
using testing::RandomCase;

// The organisation of the engine's test actors (testing::Handler() and the
// rest act at GZ), with principals of other scopes and roles beside them.
Directory TestDirectory() {
  v1::DirectoryState state;
  v1::Actor admin;
  admin.set_id("admin");
  admin.set_role(v1::ROLE_ADMIN);
  admin.set_level(v1::LEVEL_HEADQUARTERS);
  for (const char* change : {
           R"(define_region { id: "SOUTH" name: "华南区" })",
           R"(define_region { id: "EAST" name: "华东区" })",
           R"(define_branch { id: "GZ" name: "广州" region_id: "SOUTH" })",
           R"(define_branch { id: "HUZHOU" name: "湖州" region_id: "EAST" })",
           R"(grant { id: "admin" name: "a" kind: PRINCIPAL_KIND_PERSON role: ROLE_ADMIN
                      level: LEVEL_HEADQUARTERS })",
           R"(grant { id: "E-100" name: "h" kind: PRINCIPAL_KIND_PERSON role: ROLE_HANDLER
                      level: LEVEL_BRANCH branch_id: "GZ" })",
           R"(grant { id: "E-200" name: "s" kind: PRINCIPAL_KIND_PERSON role: ROLE_SUPERVISOR
                      level: LEVEL_REGION region_id: "SOUTH" })",
           R"(grant { id: "E-300" name: "s" kind: PRINCIPAL_KIND_PERSON role: ROLE_SUPERVISOR
                      level: LEVEL_HEADQUARTERS })",
           R"(grant { id: "E-310" name: "s" kind: PRINCIPAL_KIND_PERSON role: ROLE_SUPERVISOR
                      level: LEVEL_HEADQUARTERS })",
           R"(grant { id: "C-900" name: "c" kind: PRINCIPAL_KIND_PERSON role: ROLE_CLAIMS
                      level: LEVEL_HEADQUARTERS })",
           R"(grant { id: "A-1" name: "a" kind: PRINCIPAL_KIND_PERSON role: ROLE_AUDITOR
                      level: LEVEL_HEADQUARTERS })",
           R"(grant { id: "H-HZ" name: "h" kind: PRINCIPAL_KIND_PERSON role: ROLE_HANDLER
                      level: LEVEL_BRANCH branch_id: "HUZHOU" })",
           R"(grant { id: "PHONE" name: "p" kind: PRINCIPAL_KIND_ADAPTER role: ROLE_ADAPTER
                      level: LEVEL_HEADQUARTERS channels: CHANNEL_PHONE })",
           R"(grant { id: "INTAKE" name: "i" kind: PRINCIPAL_KIND_ADAPTER role: ROLE_ADAPTER
                      level: LEVEL_HEADQUARTERS channels: [ CHANNEL_PHONE, CHANNEL_ONLINE,
                      CHANNEL_EMAIL, CHANNEL_SOCIAL_MEDIA, CHANNEL_WALK_IN, CHANNEL_WRITTEN,
                      CHANNEL_COMPLAINT_STATION, CHANNEL_REGULATOR ] })",
       }) {
    v1::Command c;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
        absl::StrCat("directory { ", change, " }"), &c));
    c.set_command_id(absl::StrCat("d-", state.revision() + 1));
    c.set_case_id(kDirectoryStream);
    *c.mutable_actor() = admin;
    auto events = DecideDirectoryChange(Directory(state), c, DefaultPolicy(), absl::UnixEpoch());
    EXPECT_TRUE(events.ok()) << events.status();
    for (const v1::CaseEvent& e : *events) ApplyDirectoryChange(e, &state);
  }
  return Directory(state);
}

// `command` by `actor_id` as the runtime takes it: resolved from the
// directory, authorized, decided. OK with the events, or the refusal.
absl::StatusOr<std::vector<v1::CaseEvent>> RunAs(const Directory& dir, v1::Command command,
                                                 const std::string& actor_id,
                                                 const v1::CaseState& state, absl::Time now) {
  command.clear_actor();
  command.mutable_actor()->set_id(actor_id);
  absl::StatusOr<v1::Actor> actor = ResolveActor(dir, command, actor_id == kSystemPrincipal);
  if (!actor.ok()) return actor.status();
  *command.mutable_actor() = *actor;
  absl::Status authorized = Authorize(dir, *actor, command, state, DefaultPolicy());
  if (!authorized.ok()) return authorized;
  return Decide(state, command, DefaultPolicy(), now);
}

v1::Actor Resolved(const Directory& dir, const std::string& id) {
  v1::Command c;
  c.mutable_actor()->set_id(id);
  absl::StatusOr<v1::Actor> actor = ResolveActor(dir, c, id == kSystemPrincipal);
  EXPECT_TRUE(actor.ok()) << id << ": " << actor.status();
  return *actor;
}

std::map<std::string, v1::ActionOption> ByKind(const v1::CaseActions& actions) {
  std::map<std::string, v1::ActionOption> out;
  for (const v1::ActionOption& a : actions.actions()) out[a.command()] = a;
  return out;
}

TEST(AvailableActionsTest, AgreesWithWhatDecideAcceptsOnRandomHistories) {
  const Directory dir = TestDirectory();
  const std::vector<std::string> principals = {
      "E-100", "E-200", "E-300", "C-900", "A-1", "H-HZ", "PHONE", std::string(kSystemPrincipal)};
  int allowed_and_accepted = 0, refused_as_said = 0, checked = 0;
  for (uint32_t seed = 1; seed <= 120; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    RandomCase gen(seed);
    const std::string case_id = absl::StrCat("C-A", seed);
    v1::CaseState state;
    absl::Time now = testing::TestEpoch();
    for (int step = 0;
         step < 60 && state.stage() != v1::STAGE_ARCHIVED && state.stage() != v1::STAGE_MERGED;
         ++step) {
      auto [body, command, actor] = gen.NextCommand(step, state, case_id, &now);
      if (command.has_open_case()) {
        command.mutable_open_case()->mutable_intake()->set_handling_branch("GZ");
      }
      command.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(now));

      if (state.revision() > 0 && !command.has_open_case()) {
        // The command's own actor, and one other principal chosen at random.
        for (const std::string& who : {actor.id(), gen.Pick(principals)}) {
          SCOPED_TRACE(absl::StrCat(who, " sends ", body));
          const v1::CaseActions actions =
              AvailableActions(dir, Resolved(dir, who), state, DefaultPolicy(), now);
          ASSERT_EQ(actions.case_id(), case_id);
          ASSERT_EQ(actions.revision(), state.revision());
          // What is owed is the engine's figure, for anyone who reads it.
          ASSERT_EQ(actions.owed_fen(), OwedFen(state));
          const auto options = ByKind(actions);
          auto option = options.find(CommandKind(command));
          ASSERT_NE(option, options.end()) << "every kind a case takes is listed";
          auto outcome = RunAs(dir, command, who, state, now);
          ++checked;
          if (outcome.ok()) {
            EXPECT_TRUE(option->second.allowed())
                << "Decide accepts what the actions say is not allowed: "
                << option->second.reason();
            ++allowed_and_accepted;
          }
          if (!option->second.allowed()) {
            ASSERT_FALSE(outcome.ok());
            EXPECT_EQ(RuleOf(outcome.status()), option->second.rule())
                << "refused for another reason than the actions say: " << outcome.status().message()
                << " vs " << option->second.reason();
            EXPECT_EQ(absl::StatusCodeToString(outcome.status().code()), option->second.code());
            ++refused_as_said;
          }
        }
      }
      auto events = RunAs(dir, command, step == 0 ? "INTAKE" : actor.id(), state, now);
      if (step == 0) ASSERT_TRUE(events.ok()) << events.status();
      if (!events.ok()) continue;
      for (const v1::CaseEvent& e : *events) Apply(e, &state);
    }
  }
  RecordProperty("checked", checked);
  // Both directions met often, or the property says little.
  EXPECT_GT(allowed_and_accepted, 1000);
  EXPECT_GT(refused_as_said, 500);
}

TEST(AvailableActionsTest, SaysWhyNotForRoleScopeAndStep) {
  const Directory dir = TestDirectory();
  v1::CaseState state;
  v1::Command open = CommandFromText(R"(open_case { intake {
      channel: CHANNEL_PHONE category: CATEGORY_DAMAGE customer { id: "K-1" name: "李" }
      shipment { waybill: "WB-1" } handling_branch: "GZ" claim_fen: 20000 } })");
  open.set_command_id("o-1");
  open.set_case_id("C-1");
  const absl::Time now = testing::TestEpoch();
  auto events = RunAs(dir, open, "PHONE", state, now);
  ASSERT_TRUE(events.ok()) << events.status();
  for (const v1::CaseEvent& e : *events) Apply(e, &state);

  auto handler = ByKind(AvailableActions(dir, Resolved(dir, "E-100"), state, DefaultPolicy(), now));
  EXPECT_TRUE(handler["acknowledge"].allowed());
  EXPECT_FALSE(handler["propose_resolution"].allowed());
  EXPECT_EQ(handler["propose_resolution"].rule(), v1::RULE_STEP_ORDER);
  EXPECT_EQ(handler["propose_resolution"].code(), "FAILED_PRECONDITION");
  EXPECT_FALSE(handler["record_deadline_breach"].allowed());
  EXPECT_EQ(handler["record_deadline_breach"].rule(), v1::RULE_PERMISSION);
  // A reason names the kind of command, not the probe nobody sent.
  for (const auto& [kind, option] : handler) {
    EXPECT_EQ(option.reason().find("probe-"), std::string::npos) << option.reason();
  }

  for (const auto& [kind, option] :
       ByKind(AvailableActions(dir, Resolved(dir, "H-HZ"), state, DefaultPolicy(), now))) {
    EXPECT_FALSE(option.allowed()) << kind;
    if (option.rule() != v1::RULE_PERMISSION) EXPECT_EQ(option.rule(), v1::RULE_SCOPE) << kind;
  }
  for (const auto& [kind, option] :
       ByKind(AvailableActions(dir, Resolved(dir, "A-1"), state, DefaultPolicy(), now))) {
    EXPECT_FALSE(option.allowed()) << kind;
    EXPECT_EQ(option.rule(), v1::RULE_PERMISSION) << kind;
  }
}

TEST(AvailableActionsTest, SameInputsSameBytes) {
  const Directory dir = TestDirectory();
  v1::CaseState state;
  state.set_case_id("C-9");
  state.set_revision(1);
  state.set_stage(v1::STAGE_OPENED);
  state.mutable_intake()->set_handling_branch("GZ");
  const v1::Actor actor = Resolved(dir, "E-100");
  const absl::Time now = testing::TestEpoch();
  EXPECT_EQ(AvailableActions(dir, actor, state, DefaultPolicy(), now).SerializeAsString(),
            AvailableActions(dir, actor, state, DefaultPolicy(), now).SerializeAsString());
}

}  // namespace
}  // namespace docket
