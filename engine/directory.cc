#include "engine/directory.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/envelope.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"

namespace docket {
namespace {

template <typename T>
void Index(const google::protobuf::RepeatedPtrField<T>& items,
           std::map<std::string, int, std::less<>>* index, const std::string& (T::*id)() const) {
  for (int i = 0; i < items.size(); ++i) (*index)[(items.Get(i).*id)()] = i;
}

template <typename T>
const T* Find(const google::protobuf::RepeatedPtrField<T>& items,
              const std::map<std::string, int, std::less<>>& index, absl::string_view id) {
  auto it = index.find(id);
  return it == index.end() ? nullptr : &items.Get(it->second);
}

// Replaces the item whose id is the new one's, or appends it.
template <typename T>
void Upsert(google::protobuf::RepeatedPtrField<T>* items, const T& item,
            const std::string& (T::*id)() const) {
  for (T& existing : *items) {
    if ((existing.*id)() == (item.*id)()) {
      existing = item;
      return;
    }
  }
  *items->Add() = item;
}

absl::Status Refuse(const v1::Command& command, absl::string_view why) {
  return docket::Refuse(v1::RULE_DIRECTORY, absl::StatusCode::kFailedPrecondition,
                        absl::StrCat("directory change ", command.command_id(), ": ", why));
}

absl::Status CheckGrant(const Directory& dir, const v1::Command& command, v1::Principal* p) {
  if (!IsValidKey(p->id())) return Refuse(command, "a principal needs a valid id");
  if (p->revoked() || p->has_revoked_at()) {
    return Refuse(command, "a grant cannot revoke; use revoke");
  }
  const v1::Principal* existing = dir.FindPrincipal(p->id());
  if (existing != nullptr && existing->revoked()) {
    return Refuse(
        command, absl::StrCat("principal ", p->id(), " was revoked; revoked ids are never reused"));
  }
  // Only an administrator changes the directory: the last one keeps its
  // role, or nobody could change it again (docketctl init refuses a
  // directory that has one).
  if (existing != nullptr && existing->role() == v1::ROLE_ADMIN && p->role() != v1::ROLE_ADMIN) {
    const auto& all = dir.state().principals();
    const bool another = std::any_of(all.begin(), all.end(), [&](const v1::Principal& q) {
      return q.role() == v1::ROLE_ADMIN && !q.revoked() && q.id() != p->id();
    });
    if (!another) {
      return Refuse(command, absl::StrCat(p->id(),
                                          " is the last administrator and keeps "
                                          "ROLE_ADMIN: grant it to another first"));
    }
  }
  if (existing != nullptr && existing->kind() != p->kind()) {
    return Refuse(command, absl::StrCat("principal ", p->id(), " is a ",
                                        v1::PrincipalKind_Name(existing->kind()),
                                        "; a principal's kind never changes"));
  }
  if (p->kind() == v1::PRINCIPAL_KIND_UNSPECIFIED || p->role() == v1::ROLE_UNSPECIFIED ||
      p->level() == v1::LEVEL_UNSPECIFIED) {
    return Refuse(command, "a principal needs a kind, a role and a level");
  }
  const bool adapter = p->kind() == v1::PRINCIPAL_KIND_ADAPTER;
  const bool system = p->kind() == v1::PRINCIPAL_KIND_SYSTEM;
  if (adapter != (p->role() == v1::ROLE_ADAPTER) || system != (p->role() == v1::ROLE_SYSTEM)) {
    return Refuse(command, "an adapter holds ROLE_ADAPTER, docket ROLE_SYSTEM, a person any other");
  }
  if (system && p->id() != kSystemPrincipal) {
    return Refuse(command, absl::StrCat("docket's system principal is ", kSystemPrincipal));
  }
  if (adapter && p->channels().empty()) {
    return Refuse(command, "an adapter needs the channels it registers intake for");
  }
  switch (p->level()) {
    case v1::LEVEL_BRANCH: {
      const v1::Branch* branch = dir.FindBranch(p->branch_id());
      if (branch == nullptr) {
        return Refuse(command, absl::StrCat("a branch principal needs a known branch, not '",
                                            p->branch_id(), "'"));
      }
      p->set_region_id(branch->region_id());
      break;
    }
    case v1::LEVEL_REGION:
      if (dir.FindRegion(p->region_id()) == nullptr) {
        return Refuse(command, absl::StrCat("a region principal needs a known region, not '",
                                            p->region_id(), "'"));
      }
      if (!p->branch_id().empty()) {
        const v1::Branch* branch = dir.FindBranch(p->branch_id());
        if (branch == nullptr || branch->region_id() != p->region_id()) {
          return Refuse(command, "a region principal's branch must be of its region");
        }
      }
      break;
    default:
      if (!p->branch_id().empty() && dir.FindBranch(p->branch_id()) == nullptr) {
        return Refuse(command, absl::StrCat("unknown branch '", p->branch_id(), "'"));
      }
      break;
  }
  return absl::OkStatus();
}

bool ValidHash(const v1::PasswordHash& h) {
  return h.scheme() == "scrypt" && h.salt().size() == 16 && h.hash().size() == 32 &&
         h.log2_n() >= 10 && h.log2_n() <= 22 && h.r() >= 1 && h.r() <= 32 && h.p() >= 1 &&
         h.p() <= 16;
}

const v1::Principal* LivePrincipal(const Directory& dir, absl::string_view id) {
  const v1::Principal* p = dir.FindPrincipal(id);
  return p != nullptr && !p->revoked() ? p : nullptr;
}

// The change as it will be recorded, checked against the directory.
absl::StatusOr<v1::DirectoryChange> CheckChange(const Directory& dir, const v1::Command& command,
                                                absl::Time now) {
  v1::DirectoryChange change = command.directory();
  switch (change.change_case()) {
    case v1::DirectoryChange::kDefineRegion:
      if (!IsValidKey(change.define_region().id()) || change.define_region().name().empty()) {
        return Refuse(command, "a region needs a valid id and a name");
      }
      break;
    case v1::DirectoryChange::kDefineBranch: {
      const v1::Branch& b = change.define_branch();
      if (!IsValidKey(b.id()) || b.name().empty()) {
        return Refuse(command, "a branch needs a valid id and a name");
      }
      if (dir.FindRegion(b.region_id()) == nullptr) {
        return Refuse(command, absl::StrCat("branch ", b.id(), " names unknown region '",
                                            b.region_id(), "'"));
      }
      break;
    }
    case v1::DirectoryChange::kGrant:
      DOCKET_RETURN_IF_ERROR(CheckGrant(dir, command, change.mutable_grant()));
      break;
    case v1::DirectoryChange::kRevoke: {
      const std::string& id = change.revoke().principal_id();
      if (LivePrincipal(dir, id) == nullptr) {
        return Refuse(command, absl::StrCat("no principal '", id, "' to revoke"));
      }
      if (id == kSystemPrincipal || id == command.actor().id()) {
        return Refuse(command, "neither docket nor oneself can be revoked");
      }
      break;
    }
    case v1::DirectoryChange::kSetPassword: {
      const v1::SetPassword& s = change.set_password();
      if (!s.password().empty()) {
        return RefuseMalformed(absl::StrCat("directory change ", command.command_id(),
                                            ": a password is hashed before it reaches docket's "
                                            "log (docketctl directory apply, the API)"));
      }
      const v1::Principal* p = LivePrincipal(dir, s.principal_id());
      if (p == nullptr || p->kind() != v1::PRINCIPAL_KIND_PERSON) {
        return Refuse(command, "only a person has a password");
      }
      if (!ValidHash(s.hash())) return Refuse(command, "the password hash is not a scrypt hash");
      break;
    }
    case v1::DirectoryChange::kIssueToken: {
      v1::ApiToken* t = change.mutable_issue_token()->mutable_token();
      if (!IsValidKey(t->token_id()) || dir.FindToken(t->token_id()) != nullptr) {
        return Refuse(command, "a token needs a new, valid token_id");
      }
      const v1::Principal* p = LivePrincipal(dir, t->principal_id());
      if (p == nullptr || p->kind() == v1::PRINCIPAL_KIND_SYSTEM) {
        return Refuse(command, absl::StrCat("no principal '", t->principal_id(), "' to issue to"));
      }
      if (t->secret_sha256().size() != 32 || t->revoked()) {
        return Refuse(command, "a token carries its secret's SHA-256 (32 bytes)");
      }
      if (t->has_expires_at() && ToTime(t->expires_at()) <= now) {
        return Refuse(command, "the token would expire before it is issued");
      }
      // What the issue ends is the decision's to name, never the sender's.
      change.mutable_issue_token()->clear_ended_token_ids();
      // A session is opened with the principal's password as it is now: a
      // new password committed while the sign-in was being checked wins.
      if (t->session()) {
        const v1::PasswordHash* current = dir.FindPassword(t->principal_id());
        if (current == nullptr || current->salt() != t->password_salt()) {
          return Refuse(command, "the password this session was opened with has changed since");
        }
        // What this sign-in ends: its principal's ended sessions, which
        // nothing accepts again, and its oldest live ones (by issue time,
        // then id) beyond kMaxSessionsPerPrincipal, so that signing in over
        // and over cannot grow the directory every request reads. Named in
        // the event, so that events recorded before this rule fold as
        // they did.
        std::vector<const v1::ApiToken*> live;
        for (const v1::ApiToken& s : dir.state().tokens()) {
          if (!s.session() || s.principal_id() != t->principal_id()) continue;
          if (s.revoked()) {
            change.mutable_issue_token()->add_ended_token_ids(s.token_id());
          } else if (!s.has_expires_at() || ToTime(s.expires_at()) > now) {
            live.push_back(&s);
          }
        }
        std::sort(live.begin(), live.end(), [](const v1::ApiToken* a, const v1::ApiToken* b) {
          return std::make_pair(ToTime(a->issued_at()), a->token_id()) <
                 std::make_pair(ToTime(b->issued_at()), b->token_id());
        });
        for (int i = 0; i < static_cast<int>(live.size()) - (kMaxSessionsPerPrincipal - 1); ++i) {
          change.mutable_issue_token()->add_ended_token_ids(live[i]->token_id());
        }
      }
      *t->mutable_issued_at() = ToProto(now);
      break;
    }
    case v1::DirectoryChange::kRevokeToken: {
      const v1::ApiToken* t = dir.FindToken(change.revoke_token().token_id());
      if (t == nullptr || t->revoked()) return Refuse(command, "no live token to revoke");
      break;
    }
    case v1::DirectoryChange::kRegisterGatewayKey: {
      const v1::GatewayKey& k = change.register_gateway_key();
      if (!IsValidKey(k.key_id()) || k.key_id() == "system" ||
          dir.FindGatewayKey(k.key_id()) != nullptr) {
        return Refuse(command, "a gateway key needs a new, valid key_id (\"system\" is docket's)");
      }
      if (k.secret_sha256().size() != 32 || k.revoked()) {
        return Refuse(command, "a gateway key carries its secret's SHA-256 (32 bytes)");
      }
      if (!k.principal_id().empty() && (LivePrincipal(dir, k.principal_id()) == nullptr ||
                                        k.principal_id() == kSystemPrincipal)) {
        return Refuse(command, absl::StrCat("no principal '", k.principal_id(), "' to bind to"));
      }
      break;
    }
    case v1::DirectoryChange::kRevokeGatewayKey: {
      const v1::GatewayKey* k = dir.FindGatewayKey(change.revoke_gateway_key().key_id());
      if (k == nullptr || k->revoked()) return Refuse(command, "no live gateway key to revoke");
      break;
    }
    case v1::DirectoryChange::CHANGE_NOT_SET:
      return RefuseMalformed(
          absl::StrCat("directory change ", command.command_id(), ": names no change"));
  }
  return change;
}

}  // namespace

v1::Actor SystemActor() {
  v1::Actor actor;
  actor.set_id(kSystemPrincipal);
  actor.set_role(v1::ROLE_SYSTEM);
  actor.set_level(v1::LEVEL_HEADQUARTERS);
  return actor;
}

Directory::Directory(v1::DirectoryState state) : state_(std::move(state)) {
  Index(state_.principals(), &principals_, &v1::Principal::id);
  Index(state_.branches(), &branches_, &v1::Branch::id);
  Index(state_.regions(), &regions_, &v1::Region::id);
  Index(state_.tokens(), &tokens_, &v1::ApiToken::token_id);
  Index(state_.gateway_keys(), &keys_, &v1::GatewayKey::key_id);
}

const Directory& Directory::Empty() {
  static const Directory* const kEmpty = new Directory(v1::DirectoryState());
  return *kEmpty;
}

const v1::Principal* Directory::FindPrincipal(absl::string_view id) const {
  return Find(state_.principals(), principals_, id);
}
const v1::Branch* Directory::FindBranch(absl::string_view id) const {
  return Find(state_.branches(), branches_, id);
}
const v1::Region* Directory::FindRegion(absl::string_view id) const {
  return Find(state_.regions(), regions_, id);
}
const v1::ApiToken* Directory::FindToken(absl::string_view token_id) const {
  return Find(state_.tokens(), tokens_, token_id);
}
const v1::GatewayKey* Directory::FindGatewayKey(absl::string_view key_id) const {
  return Find(state_.gateway_keys(), keys_, key_id);
}
const v1::PasswordHash* Directory::FindPassword(absl::string_view principal_id) const {
  auto it = state_.passwords().find(std::string(principal_id));
  return it == state_.passwords().end() ? nullptr : &it->second;
}

bool Directory::SeesAllBranches(const v1::Principal& p) const {
  return p.level() == v1::LEVEL_HEADQUARTERS || p.role() == v1::ROLE_AUDITOR ||
         p.role() == v1::ROLE_ADAPTER || p.role() == v1::ROLE_SYSTEM;
}

bool Directory::InScope(const v1::Principal& p, absl::string_view branch_id) const {
  if (SeesAllBranches(p)) return true;
  if (p.level() == v1::LEVEL_BRANCH) return !branch_id.empty() && p.branch_id() == branch_id;
  const v1::Branch* branch = FindBranch(branch_id);
  return branch != nullptr && branch->region_id() == p.region_id();
}

std::vector<std::string> Directory::BranchesInScope(const v1::Principal& p) const {
  std::vector<std::string> out;
  if (SeesAllBranches(p)) return out;
  for (const v1::Branch& b : state_.branches()) {
    if (InScope(p, b.id())) out.push_back(b.id());
  }
  return out;
}

void ApplyDirectoryChange(const v1::CaseEvent& event, v1::DirectoryState* state) {
  state->set_revision(event.revision());
  const v1::DirectoryChange& change = event.directory_changed().change();
  switch (change.change_case()) {
    case v1::DirectoryChange::kDefineRegion:
      Upsert(state->mutable_regions(), change.define_region(), &v1::Region::id);
      break;
    case v1::DirectoryChange::kDefineBranch:
      Upsert(state->mutable_branches(), change.define_branch(), &v1::Branch::id);
      break;
    case v1::DirectoryChange::kGrant:
      Upsert(state->mutable_principals(), change.grant(), &v1::Principal::id);
      break;
    case v1::DirectoryChange::kRevoke:
      for (v1::Principal& p : *state->mutable_principals()) {
        if (p.id() != change.revoke().principal_id()) continue;
        p.set_revoked(true);
        *p.mutable_revoked_at() = event.occurred_at();
      }
      state->mutable_passwords()->erase(change.revoke().principal_id());
      break;
    case v1::DirectoryChange::kSetPassword:
      (*state->mutable_passwords())[change.set_password().principal_id()] =
          change.set_password().hash();
      // A new password ends the sessions the old one opened: an
      // administrator resetting a leaked password also signs out whoever
      // used it.
      for (v1::ApiToken& t : *state->mutable_tokens()) {
        if (t.session() && t.principal_id() == change.set_password().principal_id()) {
          t.set_revoked(true);
        }
      }
      break;
    case v1::DirectoryChange::kIssueToken: {
      // Tokens expired when this one is issued go: nothing accepts them
      // again (the events keep them for the audit), and the directory every
      // request reads stays the size of the live tokens, not of every
      // session ever opened. By the event's own time, so replay agrees; and
      // so do the tokens the issue names as ended (a session's).
      const v1::ApiToken& issued = change.issue_token().token();
      const absl::Time now = ToTime(issued.issued_at());
      const std::set<std::string> ended(change.issue_token().ended_token_ids().begin(),
                                        change.issue_token().ended_token_ids().end());
      google::protobuf::RepeatedPtrField<v1::ApiToken>* tokens = state->mutable_tokens();
      tokens->erase(std::remove_if(tokens->begin(), tokens->end(),
                                   [&](const v1::ApiToken& t) {
                                     return (t.has_expires_at() && ToTime(t.expires_at()) <= now) ||
                                            ended.count(t.token_id()) > 0;
                                   }),
                    tokens->end());
      *tokens->Add() = issued;
      break;
    }
    case v1::DirectoryChange::kRevokeToken:
      for (v1::ApiToken& t : *state->mutable_tokens()) {
        if (t.token_id() == change.revoke_token().token_id()) t.set_revoked(true);
      }
      break;
    case v1::DirectoryChange::kRegisterGatewayKey:
      *state->add_gateway_keys() = change.register_gateway_key();
      break;
    case v1::DirectoryChange::kRevokeGatewayKey:
      for (v1::GatewayKey& k : *state->mutable_gateway_keys()) {
        if (k.key_id() == change.revoke_gateway_key().key_id()) k.set_revoked(true);
      }
      break;
    case v1::DirectoryChange::CHANGE_NOT_SET:
      break;
  }
}

absl::StatusOr<std::vector<v1::CaseEvent>> DecideDirectoryChange(const Directory& directory,
                                                                 const v1::Command& command,
                                                                 const v1::Policy& policy,
                                                                 absl::Time now) {
  DOCKET_RETURN_IF_ERROR(CheckEnvelope(command));
  if (command.body_case() != v1::Command::kDirectory) {
    return absl::InternalError(
        absl::StrCat("command ", command.command_id(), " is not a directory change"));
  }
  if (command.has_expected_revision() && command.expected_revision() != directory.revision()) {
    return docket::Refuse(v1::RULE_EXPECTED_REVISION, absl::StatusCode::kAborted,
                          absl::StrCat("the directory is at revision ", directory.revision(),
                                       ": expected ", command.expected_revision()));
  }
  DOCKET_RETURN_IF_ERROR(CheckTime(command, std::nullopt, std::nullopt, policy, now));
  DOCKET_ASSIGN_OR_RETURN(v1::DirectoryChange change, CheckChange(directory, command, now));
  std::vector<v1::CaseEvent> events(1);
  *events[0].mutable_directory_changed()->mutable_change() = std::move(change);
  const absl::Time occurred = command.has_occurred_at() ? ToTime(command.occurred_at()) : now;
  StampEvents(command, directory.revision(), occurred, now, policy, &events);
  return events;
}

}  // namespace docket
