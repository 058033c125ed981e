#ifndef DOCKET_ENGINE_DIRECTORY_H_
#define DOCKET_ENGINE_DIRECTORY_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/directory.pb.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/policy.pb.h"
#include "engine/envelope.h"

namespace docket {

// The actor of docket's own commands.
v1::Actor SystemActor();

// The sessions one principal may hold at once: a sign-in beyond them ends
// the oldest, so that signing in over and over cannot grow the directory
// every request reads.
inline constexpr int kMaxSessionsPerPrincipal = 16;

// A read-only view of a folded DirectoryState, with its lookups.
//
// Thread safety: immutable after construction.
class Directory {
 public:
  explicit Directory(v1::DirectoryState state);

  const v1::DirectoryState& state() const { return state_; }
  int64_t revision() const { return state_.revision(); }

  const v1::Principal* FindPrincipal(absl::string_view id) const;
  const v1::Branch* FindBranch(absl::string_view id) const;
  const v1::Region* FindRegion(absl::string_view id) const;
  const v1::ApiToken* FindToken(absl::string_view token_id) const;
  const v1::GatewayKey* FindGatewayKey(absl::string_view key_id) const;
  const v1::PasswordHash* FindPassword(absl::string_view principal_id) const;

  // Scope (DESIGN.md): a branch principal sees and acts on its branch's
  // cases, a region principal its region's branches', headquarters,
  // auditors, adapters and docket itself all.
  bool SeesAllBranches(const v1::Principal& principal) const;
  bool InScope(const v1::Principal& principal, absl::string_view branch_id) const;
  // The branches `principal` sees (empty when it sees all).
  std::vector<std::string> BranchesInScope(const v1::Principal& principal) const;

  // A shared empty directory.
  static const Directory& Empty();

 private:
  v1::DirectoryState state_;
  std::map<std::string, int, std::less<>> principals_, branches_, regions_, tokens_, keys_;
};

// Folds a directory event (a CaseEvent of kDirectoryStream whose body is
// directory_changed) into `state`. REQUIRES: event.revision() ==
// state->revision() + 1 and the event was decided against *state.
void ApplyDirectoryChange(const v1::CaseEvent& event, v1::DirectoryState* state);

// Decides a directory command against the directory: the DirectoryChanged
// event (stamped like a case's, in kDirectoryStream), or a refusal:
// RULE_DIRECTORY for a change that does not fit the directory (a branch of
// an unknown region, a principal at a branch that does not exist, a reused
// revoked id...), RULE_MALFORMED_COMMAND for a password that reached the
// engine unhashed. Who may send it is Authorize's. Pure.
absl::StatusOr<std::vector<v1::CaseEvent>> DecideDirectoryChange(const Directory& directory,
                                                                 const v1::Command& command,
                                                                 const v1::Policy& policy,
                                                                 absl::Time now);

}  // namespace docket

#endif  // DOCKET_ENGINE_DIRECTORY_H_
