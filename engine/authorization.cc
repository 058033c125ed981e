#include "engine/authorization.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"

namespace docket {
namespace {

absl::Status Unauthenticated(const v1::Command& command, absl::string_view why) {
  return Refuse(v1::RULE_UNAUTHENTICATED, absl::StatusCode::kUnauthenticated,
                absl::StrCat("command ", command.command_id(), ": ", why));
}

absl::Status Denied(v1::Rule rule, const v1::Command& command, absl::string_view why) {
  return Refuse(rule, absl::StatusCode::kPermissionDenied,
                absl::StrCat("command ", command.command_id(), ": ", why));
}

// Where a principal stands, for messages: "branch ZHUHAI", "region SOUTH".
std::string ScopeOf(const v1::Principal& p) {
  if (p.level() == v1::LEVEL_BRANCH) return absl::StrCat("branch ", p.branch_id());
  return absl::StrCat("region ", p.region_id());
}

// Whether an adapter speaks for `channel`.
bool HasChannel(const v1::Principal& adapter, v1::Channel channel) {
  return std::find(adapter.channels().begin(), adapter.channels().end(), channel) !=
         adapter.channels().end();
}

}  // namespace

const std::string& CommandKind(const v1::Command& command) {
  static const std::string* const kNone = new std::string();
  const google::protobuf::FieldDescriptor* field = command.GetReflection()->GetOneofFieldDescriptor(
      command, v1::Command::descriptor()->FindOneofByName("body"));
  return field == nullptr ? *kNone : field->name();
}

absl::StatusOr<v1::Actor> ResolveActor(const Directory& directory, const v1::Command& command,
                                       bool internal) {
  const v1::Actor& stated = command.actor();
  if (internal) return SystemActor();
  if (stated.id() == kSystemPrincipal) {
    return Unauthenticated(command,
                           absl::StrCat("no one outside docket acts as ", kSystemPrincipal));
  }
  if (stated.id().empty()) return Unauthenticated(command, "names no actor");
  const v1::Principal* p = directory.FindPrincipal(stated.id());
  if (p == nullptr) {
    return Unauthenticated(command,
                           absl::StrCat("actor ", stated.id(), " is not in the directory"));
  }
  if (p->revoked()) {
    return Unauthenticated(command, absl::StrCat("actor ", stated.id(), " was revoked"));
  }
  v1::Actor actor;
  actor.set_id(p->id());
  actor.set_role(p->role());
  actor.set_level(p->level());
  actor.set_branch(p->branch_id());
  actor.set_region(p->region_id());
  // A command may leave these out; what it states must be the directory's.
  const auto differs = [&](bool stated_set, absl::string_view what, absl::string_view says,
                           absl::string_view truth) -> absl::Status {
    if (!stated_set || says == truth) return absl::OkStatus();
    return Unauthenticated(command, absl::StrCat("states ", what, " ", says, " for ", p->id(),
                                                 "; the directory says ", truth));
  };
  for (absl::Status s :
       {differs(stated.role() != v1::ROLE_UNSPECIFIED, "role", v1::Role_Name(stated.role()),
                v1::Role_Name(actor.role())),
        differs(stated.level() != v1::LEVEL_UNSPECIFIED, "level", v1::Level_Name(stated.level()),
                v1::Level_Name(actor.level())),
        differs(!stated.branch().empty(), "branch", stated.branch(), actor.branch()),
        differs(!stated.region().empty(), "region", stated.region(), actor.region())}) {
    if (!s.ok()) return s;
  }
  return actor;
}

bool Permits(const v1::Policy& policy, v1::Role role, const std::string& kind) {
  for (const v1::Permission& permission : policy.permissions()) {
    if (permission.role() != role) continue;
    if (std::find(permission.commands().begin(), permission.commands().end(), kind) !=
        permission.commands().end()) {
      return true;
    }
  }
  return false;
}

absl::Status Authorize(const Directory& directory, const v1::Actor& actor,
                       const v1::Command& command, const v1::CaseState& state,
                       const v1::Policy& policy) {
  const std::string& kind = CommandKind(command);
  if (!Permits(policy, actor.role(), kind)) {
    return Denied(v1::RULE_PERMISSION, command,
                  absl::StrCat(v1::Role_Name(actor.role()), " ", actor.id(), " may not send ", kind,
                               " (the policy's permissions)"));
  }
  if (actor.role() == v1::ROLE_SYSTEM || command.has_directory()) return absl::OkStatus();
  const v1::Principal* principal = directory.FindPrincipal(actor.id());
  if (principal == nullptr) {
    return Unauthenticated(command, absl::StrCat("actor ", actor.id(), " is not in the directory"));
  }
  if (command.has_open_case()) {
    const v1::Intake& intake = command.open_case().intake();
    // The branch that owns the case, among what an intake must name.
    absl::Status complete = CheckRequiredFields(command.open_case(), "open_case",
                                                absl::StrCat("command ", command.command_id()));
    if (!complete.ok()) return complete;
    if (directory.FindBranch(intake.handling_branch()) == nullptr) {
      return Refuse(v1::RULE_DIRECTORY, absl::StatusCode::kFailedPrecondition,
                    absl::StrCat("command ", command.command_id(), ": branch ",
                                 intake.handling_branch(), " is not in the directory"));
    }
    // A recovery is the carrier's own claim on a branch or a third party
    // (追偿): never a customer's intake, and the only intake claims opens.
    const bool recovery = intake.kind() == v1::CASE_KIND_RECOVERY;
    if ((actor.role() == v1::ROLE_ADAPTER && recovery) ||
        (actor.role() == v1::ROLE_CLAIMS && !recovery)) {
      return Denied(
          v1::RULE_PERMISSION, command,
          absl::StrCat(v1::Role_Name(actor.role()), " ", actor.id(),
                       recovery ? " may not open a recovery case" : " opens recovery cases only"));
    }
    if (actor.role() == v1::ROLE_ADAPTER && !HasChannel(*principal, intake.channel())) {
      return Denied(v1::RULE_PERMISSION, command,
                    absl::StrCat("adapter ", actor.id(), " registers intake for its channels, not ",
                                 v1::Channel_Name(intake.channel())));
    }
  }
  // An adapter relays what comes on its channels: to the cases that came
  // on them, never another channel's.
  if (actor.role() == v1::ROLE_ADAPTER && !command.has_open_case() && state.revision() > 0 &&
      !HasChannel(*principal, state.intake().channel())) {
    return Denied(
        v1::RULE_PERMISSION, command,
        absl::StrCat("adapter ", actor.id(), " relays for the cases of its channels; case ",
                     command.case_id(), " came on ", v1::Channel_Name(state.intake().channel())));
  }
  const std::string& branch = command.has_open_case()
                                  ? command.open_case().intake().handling_branch()
                                  : state.intake().handling_branch();
  // A case that does not exist is the decider's to refuse (RULE_UNKNOWN_CASE).
  if ((state.revision() > 0 || command.has_open_case()) && !directory.InScope(*principal, branch)) {
    return Denied(v1::RULE_SCOPE, command,
                  absl::StrCat("case ", command.case_id(), " is handled at branch ",
                               branch.empty() ? "(none)" : branch, ", outside the scope of ",
                               actor.id(), " (", ScopeOf(*principal), ")"));
  }
  return absl::OkStatus();
}

bool MayRead(const Directory& directory, const v1::Principal& principal,
             const v1::CaseState& state) {
  if (principal.revoked() || principal.role() == v1::ROLE_ADMIN) return false;
  return directory.InScope(principal, state.intake().handling_branch());
}

bool MayReadRejection(const Directory& directory, const v1::Principal& principal,
                      const v1::CaseState& state) {
  if (state.revision() == 0) return !principal.revoked() && directory.SeesAllBranches(principal);
  return MayRead(directory, principal, state);
}

}  // namespace docket
