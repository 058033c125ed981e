#ifndef DOCKET_ENGINE_AUTHORIZATION_H_
#define DOCKET_ENGINE_AUTHORIZATION_H_

#include <string>

#include "absl/status/statusor.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/directory.pb.h"
#include "docket/v1/policy.pb.h"
#include "docket/v1/state.pb.h"
#include "engine/directory.h"

namespace docket {

// Who may do what is data in the directory, never a claim in the command
// (DESIGN.md, "Identity and authorization"). Pure, like Decide: the
// runtime resolves and authorizes every command with these before it
// decides it, and the API computes what a principal may do with the same.

// The kind of a command: its body's field name, e.g. "propose_resolution";
// empty for a command without a body.
const std::string& CommandKind(const v1::Command& command);

// The actor of `command` as the directory knows it: id, role, level,
// branch and region, recorded in its events. `internal`: the command comes
// from docket itself (the deadline scanner, the bootstrap of a directory)
// and acts as the system principal. RULE_UNAUTHENTICATED (kUnauthenticated)
// for an unknown or revoked actor, a command from outside naming the system
// principal, or one stating a role, level, branch or region other than the
// directory's.
absl::StatusOr<v1::Actor> ResolveActor(const Directory& directory, const v1::Command& command,
                                       bool internal);

// Whether the resolved `actor` may send `command` to the case whose state
// is `state` (default for an intake): its role's permissions in the policy
// (RULE_PERMISSION), the case's branch within its scope (RULE_SCOPE), an
// adapter's intake on its own channels (RULE_PERMISSION), an intake at a
// branch the directory knows (RULE_DIRECTORY). kPermissionDenied.
absl::Status Authorize(const Directory& directory, const v1::Actor& actor,
                       const v1::Command& command, const v1::CaseState& state,
                       const v1::Policy& policy);

// Whether the policy lets `role` send commands of `kind`.
bool Permits(const v1::Policy& policy, v1::Role role, const std::string& kind);

// Whether `principal` may read the case whose state is `state` (its scope;
// administrators read none). Reads outside scope answer as if the case did
// not exist.
bool MayRead(const Directory& directory, const v1::Principal& principal,
             const v1::CaseState& state);

// Whether `principal` may read a refusal recorded on the case whose state
// is `state`: as MayRead; a refused intake that left no case (revision 0)
// has no branch to scope it by, so only those who see every branch read it.
bool MayReadRejection(const Directory& directory, const v1::Principal& principal,
                      const v1::CaseState& state);

}  // namespace docket

#endif  // DOCKET_ENGINE_AUTHORIZATION_H_
