// Who may do what (DESIGN.md, "Identity and authorization"), from the
// rule: an actor is who the directory says, never what the command claims;
// each role sends what its work needs and nothing more; a principal acts
// within its scope (branch, region, headquarters); intake comes from the
// channel's own adapter to a branch the directory knows.

#include "engine/authorization.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/directory.h"
#include "engine/envelope.h"
#include "engine/policy.h"
#include "engine/refusal.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::testing::HasSubstr;

v1::Actor Admin() {
  v1::Actor a;
  a.set_id("admin");
  a.set_role(v1::ROLE_ADMIN);
  a.set_level(v1::LEVEL_HEADQUARTERS);
  return a;
}

v1::Command Parse(const std::string& text) {
  v1::Command c;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &c)) << text;
  return c;
}

// A small organisation: region SOUTH (GZ, ZHUHAI), region EAST (HUZHOU).
class AuthorizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* change : {
             R"(define_region { id: "SOUTH" name: "华南区" })",
             R"(define_region { id: "EAST" name: "华东区" })",
             R"(define_branch { id: "GZ" name: "广州" region_id: "SOUTH" })",
             R"(define_branch { id: "ZHUHAI" name: "珠海" region_id: "SOUTH" })",
             R"(define_branch { id: "HUZHOU" name: "湖州" region_id: "EAST" })",
             R"(grant { id: "admin" name: "a" kind: PRINCIPAL_KIND_PERSON role: ROLE_ADMIN
                        level: LEVEL_HEADQUARTERS })",
             R"(grant { id: "H-GZ" name: "h" kind: PRINCIPAL_KIND_PERSON role: ROLE_HANDLER
                        level: LEVEL_BRANCH branch_id: "GZ" })",
             R"(grant { id: "H-ZH" name: "h" kind: PRINCIPAL_KIND_PERSON role: ROLE_HANDLER
                        level: LEVEL_BRANCH branch_id: "ZHUHAI" })",
             R"(grant { id: "S-SOUTH" name: "s" kind: PRINCIPAL_KIND_PERSON role: ROLE_SUPERVISOR
                        level: LEVEL_REGION region_id: "SOUTH" })",
             R"(grant { id: "S-HQ" name: "s" kind: PRINCIPAL_KIND_PERSON role: ROLE_SUPERVISOR
                        level: LEVEL_HEADQUARTERS })",
             R"(grant { id: "CLAIMS" name: "c" kind: PRINCIPAL_KIND_PERSON role: ROLE_CLAIMS
                        level: LEVEL_HEADQUARTERS })",
             R"(grant { id: "AUDITOR" name: "a" kind: PRINCIPAL_KIND_PERSON role: ROLE_AUDITOR
                        level: LEVEL_HEADQUARTERS })",
             R"(grant { id: "PHONE" name: "p" kind: PRINCIPAL_KIND_ADAPTER role: ROLE_ADAPTER
                        level: LEVEL_HEADQUARTERS channels: CHANNEL_PHONE })",
             R"(grant { id: "GONE" name: "g" kind: PRINCIPAL_KIND_PERSON role: ROLE_SUPERVISOR
                        level: LEVEL_HEADQUARTERS })",
             R"(revoke { principal_id: "GONE" reason: "left" })",
         }) {
      EXPECT_TRUE(Change(change).ok()) << change;
    }
  }

  // Decides and folds a directory change by the administrator.
  absl::Status Change(const std::string& change, absl::Time now = absl::FromUnixSeconds(1e9)) {
    v1::Command c = Parse(absl::StrCat("directory { ", change, " }"));
    c.set_command_id(absl::StrCat("d-", state_.revision() + 1));
    c.set_case_id(kDirectoryStream);
    *c.mutable_actor() = Admin();
    absl::StatusOr<std::vector<v1::CaseEvent>> events =
        DecideDirectoryChange(Directory(state_), c, DefaultPolicy(), now);
    if (!events.ok()) return events.status();
    for (const v1::CaseEvent& e : *events) ApplyDirectoryChange(e, &state_);
    return absl::OkStatus();
  }

  Directory dir() const { return Directory(state_); }

  // A command `body` on a GZ case (or an intake) by `actor_id`, as the
  // runtime resolves and authorizes it: the refusal's rule, or
  // RULE_UNSPECIFIED when allowed.
  v1::Rule Try(const std::string& actor_id, const std::string& body,
               const std::string& branch = "GZ", v1::Channel channel = v1::CHANNEL_PHONE) {
    v1::Command c = Parse(body);
    c.set_command_id("c-1");
    c.set_case_id("C-1");
    c.mutable_actor()->set_id(actor_id);
    absl::StatusOr<v1::Actor> actor = ResolveActor(dir(), c, /*internal=*/false);
    if (!actor.ok()) return RuleOf(actor.status());
    v1::CaseState state;
    state.set_case_id("C-1");
    state.set_revision(3);
    state.mutable_intake()->set_handling_branch(branch);
    state.mutable_intake()->set_channel(channel);
    return RuleOf(Authorize(dir(), *actor, c, state, DefaultPolicy()));
  }

  v1::DirectoryState state_;
};

constexpr char kIntake[] =
    R"(open_case { intake { channel: CHANNEL_PHONE category: CATEGORY_LOSS
                            customer { id: "K" } handling_branch: "GZ" } })";

TEST_F(AuthorizationTest, TheActorIsWhoTheDirectorySaysNotWhatTheCommandClaims) {
  EXPECT_EQ(Try("NOBODY", "acknowledge {}"), v1::RULE_UNAUTHENTICATED);
  EXPECT_EQ(Try("GONE", "acknowledge {}"), v1::RULE_UNAUTHENTICATED);  // Revoked.
  EXPECT_EQ(Try("", "acknowledge {}"), v1::RULE_UNAUTHENTICATED);
  EXPECT_EQ(Try(kSystemPrincipal, "record_deadline_breach {}"), v1::RULE_UNAUTHENTICATED);

  // A handler claiming to be a headquarters supervisor is refused, not
  // promoted; stating what the directory says is fine.
  v1::Command forged = Parse("escalate {}");
  forged.set_command_id("f-1");
  forged.set_case_id("C-1");
  forged.mutable_actor()->set_id("H-GZ");
  forged.mutable_actor()->set_role(v1::ROLE_SUPERVISOR);
  EXPECT_EQ(RuleOf(ResolveActor(dir(), forged, false).status()), v1::RULE_UNAUTHENTICATED);
  forged.mutable_actor()->set_role(v1::ROLE_HANDLER);
  forged.mutable_actor()->set_level(v1::LEVEL_HEADQUARTERS);
  EXPECT_EQ(RuleOf(ResolveActor(dir(), forged, false).status()), v1::RULE_UNAUTHENTICATED);
  forged.mutable_actor()->set_level(v1::LEVEL_BRANCH);
  forged.mutable_actor()->set_branch("GZ");
  absl::StatusOr<v1::Actor> resolved = ResolveActor(dir(), forged, false);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->role(), v1::ROLE_HANDLER);
  EXPECT_EQ(resolved->region(), "SOUTH");

  // docket's own commands act as the system principal, whatever they say.
  absl::StatusOr<v1::Actor> system = ResolveActor(dir(), forged, /*internal=*/true);
  ASSERT_TRUE(system.ok());
  EXPECT_EQ(system->id(), kSystemPrincipal);
}

TEST_F(AuthorizationTest, EachRoleSendsWhatItsWorkNeedsAndNothingMore) {
  struct Case {
    const char* actor;
    const char* body;
    v1::Rule rule;
  };
  const std::vector<Case> cases = {
      // Handlers work the six steps, not a supervisor's or claims' steps.
      {"H-GZ", "acknowledge {}", v1::RULE_UNSPECIFIED},
      {"H-GZ", "propose_resolution {}", v1::RULE_UNSPECIFIED},
      {"H-GZ", "escalate {}", v1::RULE_PERMISSION},
      {"H-GZ", "report_upward {}", v1::RULE_PERMISSION},
      {"H-GZ", "decide_penalty {}", v1::RULE_PERMISSION},
      {"H-GZ", "approve_compensation {}", v1::RULE_PERMISSION},
      {"H-GZ", "pay_compensation {}", v1::RULE_PERMISSION},
      {"H-GZ", "record_deadline_breach {}", v1::RULE_PERMISSION},
      {"H-GZ", kIntake, v1::RULE_PERMISSION},
      // Supervisors escalate, report, penalise and approve; they do not pay.
      {"S-SOUTH", "escalate {}", v1::RULE_UNSPECIFIED},
      {"S-SOUTH", "report_upward {}", v1::RULE_UNSPECIFIED},
      {"S-SOUTH", "approve_compensation {}", v1::RULE_UNSPECIFIED},
      {"S-SOUTH", "pay_compensation {}", v1::RULE_PERMISSION},
      // Claims co-approves and pays; it does not handle the case.
      {"CLAIMS", "pay_compensation {}", v1::RULE_UNSPECIFIED},
      {"CLAIMS", "approve_compensation {}", v1::RULE_UNSPECIFIED},
      {"CLAIMS", "propose_resolution {}", v1::RULE_PERMISSION},
      {"CLAIMS", "accept {}", v1::RULE_PERMISSION},
      // Auditors and administrators change no case.
      {"AUDITOR", "acknowledge {}", v1::RULE_PERMISSION},
      {"AUDITOR", "archive {}", v1::RULE_PERMISSION},
      {"admin", "acknowledge {}", v1::RULE_PERMISSION},
      {"admin", "pay_compensation {}", v1::RULE_PERMISSION},
      // Adapters register intake and relay what the customer sends.
      {"PHONE", kIntake, v1::RULE_UNSPECIFIED},
      {"PHONE", "record_customer_response {}", v1::RULE_UNSPECIFIED},
      {"PHONE", "accept {}", v1::RULE_PERMISSION},
      {"PHONE", "archive {}", v1::RULE_PERMISSION},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Try(c.actor, c.body), c.rule) << c.actor << ": " << c.body;
  }
  // Only administrators (and docket) change the directory.
  EXPECT_EQ(Try("S-HQ", R"(directory { revoke { principal_id: "H-GZ" } })"), v1::RULE_PERMISSION);
  EXPECT_EQ(Try("admin", R"(directory { revoke { principal_id: "H-GZ" } })"), v1::RULE_UNSPECIFIED);
}

TEST_F(AuthorizationTest, APrincipalActsWithinItsScope) {
  EXPECT_EQ(Try("H-GZ", "acknowledge {}", "GZ"), v1::RULE_UNSPECIFIED);
  EXPECT_EQ(Try("H-ZH", "acknowledge {}", "GZ"), v1::RULE_SCOPE);  // Another branch.
  EXPECT_EQ(Try("S-SOUTH", "escalate {}", "ZHUHAI"), v1::RULE_UNSPECIFIED);
  EXPECT_EQ(Try("S-SOUTH", "escalate {}", "HUZHOU"), v1::RULE_SCOPE);  // Another region.
  EXPECT_EQ(Try("S-HQ", "escalate {}", "HUZHOU"), v1::RULE_UNSPECIFIED);

  // Reads follow the same scope; an administrator reads no case.
  v1::CaseState gz;
  gz.mutable_intake()->set_handling_branch("GZ");
  const Directory d = dir();
  EXPECT_TRUE(MayRead(d, *d.FindPrincipal("H-GZ"), gz));
  EXPECT_FALSE(MayRead(d, *d.FindPrincipal("H-ZH"), gz));
  EXPECT_TRUE(MayRead(d, *d.FindPrincipal("S-SOUTH"), gz));
  EXPECT_TRUE(MayRead(d, *d.FindPrincipal("AUDITOR"), gz));
  EXPECT_FALSE(MayRead(d, *d.FindPrincipal("admin"), gz));
  EXPECT_FALSE(MayRead(d, *d.FindPrincipal("GONE"), gz));

  // A refused intake left no case to scope it by: only those who see every
  // branch read its refusal.
  gz.set_revision(2);
  EXPECT_TRUE(MayReadRejection(d, *d.FindPrincipal("H-GZ"), gz));
  EXPECT_FALSE(MayReadRejection(d, *d.FindPrincipal("H-ZH"), gz));
  const v1::CaseState none;
  EXPECT_FALSE(MayReadRejection(d, *d.FindPrincipal("H-GZ"), none));
  EXPECT_FALSE(MayReadRejection(d, *d.FindPrincipal("S-SOUTH"), none));
  EXPECT_TRUE(MayReadRejection(d, *d.FindPrincipal("AUDITOR"), none));
  EXPECT_TRUE(MayReadRejection(d, *d.FindPrincipal("S-HQ"), none));
}

TEST_F(AuthorizationTest, IntakeComesFromTheChannelsAdapterToAKnownBranch) {
  EXPECT_EQ(Try("PHONE", R"(open_case { intake { channel: CHANNEL_EMAIL category: CATEGORY_LOSS
                                                 customer { id: "K" } handling_branch: "GZ" } })"),
            v1::RULE_PERMISSION);
  EXPECT_EQ(Try("PHONE", R"(open_case { intake { channel: CHANNEL_PHONE category: CATEGORY_LOSS
                                                 customer { id: "K" } } })"),
            v1::RULE_MALFORMED_COMMAND);
  // No intake at all: nothing names the branch either.
  EXPECT_EQ(Try("PHONE", "open_case {}"), v1::RULE_MALFORMED_COMMAND);
  EXPECT_EQ(Try("PHONE", R"(open_case { intake { channel: CHANNEL_PHONE category: CATEGORY_LOSS
                                                 customer { id: "K" } handling_branch: "MARS" } })"),
            v1::RULE_DIRECTORY);
  // A recovery is the carrier's own claim: never an adapter's intake, and
  // the only one claims opens.
  EXPECT_EQ(
      Try("PHONE", R"(open_case { intake { kind: CASE_KIND_RECOVERY handling_branch: "GZ" } })"),
      v1::RULE_PERMISSION);
  EXPECT_EQ(
      Try("CLAIMS", R"(open_case { intake { kind: CASE_KIND_RECOVERY handling_branch: "GZ" } })"),
      v1::RULE_UNSPECIFIED);
  EXPECT_EQ(Try("CLAIMS", kIntake), v1::RULE_PERMISSION);
}

// DESIGN.md: "adapters open cases on their channels and relay customer
// responses": a channel's adapter relays what comes on its channel, to
// the cases that came on it (failed before: the phone adapter attached
// evidence to an e-mail case and relayed "the customer's" words into the
// regulator's).
TEST_F(AuthorizationTest, AnAdapterActsOnlyOnTheCasesOfItsChannels) {
  const std::string response = R"(record_customer_response { note: "the receipt" })";
  const std::string evidence = R"(attach_evidence { evidence { kind: EVIDENCE_KIND_PHOTO } })";
  for (const std::string& body : {response, evidence}) {
    SCOPED_TRACE(body);
    EXPECT_EQ(Try("PHONE", body, "GZ", v1::CHANNEL_PHONE), v1::RULE_UNSPECIFIED);
    EXPECT_EQ(Try("PHONE", body, "GZ", v1::CHANNEL_EMAIL), v1::RULE_PERMISSION);
    EXPECT_EQ(Try("PHONE", body, "GZ", v1::CHANNEL_REGULATOR), v1::RULE_PERMISSION);
    // People are not bound to channels.
    EXPECT_EQ(Try("H-GZ", body, "GZ", v1::CHANNEL_EMAIL), v1::RULE_UNSPECIFIED);
  }
}

// Only an administrator changes the directory: the last one may not give
// up its role (it could, and nobody could change the directory again).
TEST_F(AuthorizationTest, TheLastAdministratorKeepsItsRole) {
  const char* demoted = R"(grant { id: "admin" name: "a" kind: PRINCIPAL_KIND_PERSON
                                   role: ROLE_SUPERVISOR level: LEVEL_HEADQUARTERS })";
  const absl::Status last = Change(demoted);
  EXPECT_EQ(RuleOf(last), v1::RULE_DIRECTORY);
  EXPECT_THAT(last.message(), HasSubstr("last administrator"));
  ASSERT_TRUE(Change(R"(grant { id: "admin-2" name: "b" kind: PRINCIPAL_KIND_PERSON
                                role: ROLE_ADMIN level: LEVEL_HEADQUARTERS })")
                  .ok());
  EXPECT_TRUE(Change(demoted).ok()) << "another administrator remains";
}

TEST_F(AuthorizationTest, TheDirectoryRefusesChangesThatDoNotFit) {
  EXPECT_EQ(RuleOf(Change(R"(define_branch { id: "X" name: "x" region_id: "NOWHERE" })")),
            v1::RULE_DIRECTORY);
  EXPECT_EQ(RuleOf(Change(R"(grant { id: "H-X" name: "h" kind: PRINCIPAL_KIND_PERSON
                                     role: ROLE_HANDLER level: LEVEL_BRANCH branch_id: "NOWHERE" })")),
            v1::RULE_DIRECTORY);
  // A revoked id is never reused: its history keeps meaning one person.
  EXPECT_EQ(RuleOf(Change(R"(grant { id: "GONE" name: "g" kind: PRINCIPAL_KIND_PERSON
                                     role: ROLE_HANDLER level: LEVEL_BRANCH branch_id: "GZ" })")),
            v1::RULE_DIRECTORY);
  // A password never reaches the log in clear.
  EXPECT_EQ(RuleOf(Change(R"(set_password { principal_id: "H-GZ" password: "hunter2" })")),
            v1::RULE_MALFORMED_COMMAND);
  // Revocation takes effect at once.
  ASSERT_TRUE(Change(R"(revoke { principal_id: "H-GZ" reason: "left" })").ok());
  EXPECT_EQ(Try("H-GZ", "acknowledge {}"), v1::RULE_UNAUTHENTICATED);
}

// A new password ends the sessions the old one opened, and a session
// opened with the old one is refused even when its sign-in was checked
// before the new password was committed. Issued tokens stay.
TEST_F(AuthorizationTest, ANewPasswordEndsAndRefusesTheOldPasswordsSessions) {
  const auto set_password = [&](const std::string& salt) {
    return Change(absl::StrCat(R"(set_password { principal_id: "H-GZ" hash { scheme: "scrypt" )",
                               R"(salt: ")", salt, R"(" hash: "0123456789abcdef0123456789abcdef" )",
                               R"(log2_n: 14 r: 8 p: 1 } })"));
  };
  const auto issue = [&](const std::string& id, const std::string& session) {
    return Change(
        absl::StrCat(R"(issue_token { token { token_id: ")", id, R"(" principal_id: "H-GZ" )",
                     R"(secret_sha256: "0123456789abcdef0123456789abcdef" )", session, " } }"));
  };
  ASSERT_TRUE(set_password("old-salt-0123456").ok());
  ASSERT_TRUE(issue("b000000000000001", R"(session: true password_salt: "old-salt-0123456")").ok());
  ASSERT_TRUE(issue("b000000000000002", "").ok());
  ASSERT_TRUE(set_password("new-salt-0123456").ok());
  EXPECT_TRUE(dir().FindToken("b000000000000001")->revoked()) << "the old password's session";
  EXPECT_FALSE(dir().FindToken("b000000000000002")->revoked()) << "an issued token";
  // Checked against the old password, committed after the new one.
  EXPECT_EQ(RuleOf(issue("b000000000000003", R"(session: true password_salt: "old-salt-0123456")")),
            v1::RULE_DIRECTORY);
  EXPECT_EQ(RuleOf(issue("b000000000000004", "session: true")), v1::RULE_DIRECTORY);
  EXPECT_TRUE(issue("b000000000000005", R"(session: true password_salt: "new-salt-0123456")").ok());
}

// A session token per login would grow the directory every request reads
// without end: a token that has expired when the next is issued leaves the
// folded directory (its events stay in the log). Unexpired, revoked and
// never-expiring tokens stay.
TEST_F(AuthorizationTest, ExpiredTokensLeaveTheDirectoryWhenTheNextIsIssued) {
  const auto issue = [&](const std::string& id, const std::string& expiry, absl::Time at) {
    return Change(
        absl::StrCat(R"(issue_token { token { token_id: ")", id, R"(" principal_id: "CLAIMS" )",
                     R"(secret_sha256: "0123456789abcdef0123456789abcdef" )", expiry, " } }"),
        at);
  };
  const absl::Time t0 = absl::FromUnixSeconds(1e9);
  const std::string in_an_hour = "expires_at { seconds: 1000003600 }";
  const std::string in_a_day = "expires_at { seconds: 1000086400 }";
  ASSERT_TRUE(issue("a000000000000001", in_an_hour, t0).ok());
  ASSERT_TRUE(issue("a000000000000002", "", t0).ok());
  ASSERT_TRUE(issue("a000000000000003", in_a_day, t0).ok());
  ASSERT_TRUE(Change(R"(revoke_token { token_id: "a000000000000003" })", t0).ok());
  ASSERT_TRUE(issue("a000000000000004", in_a_day, t0 + absl::Minutes(30)).ok());
  EXPECT_NE(dir().FindToken("a000000000000001"), nullptr) << "not expired yet";

  ASSERT_TRUE(issue("a000000000000005", in_a_day, t0 + absl::Hours(2)).ok());
  EXPECT_EQ(dir().FindToken("a000000000000001"), nullptr);
  for (const char* kept :
       {"a000000000000002", "a000000000000003", "a000000000000004", "a000000000000005"}) {
    EXPECT_NE(dir().FindToken(kept), nullptr) << kept;
  }
  EXPECT_TRUE(dir().FindToken("a000000000000003")->revoked());
  EXPECT_EQ(dir().state().tokens_size(), 4);
}

// Signing in over and over would grow the directory every request reads
// (an attacker signed in 370 times a minute, each session live 12 hours):
// a principal holds at most kMaxSessionsPerPrincipal sessions, a sign-in
// beyond ends the oldest, and an ended session leaves at the next sign-in.
// Tokens an administrator issued are not sessions and stay.
TEST_F(AuthorizationTest, APrincipalHoldsABoundedNumberOfSessions) {
  const absl::Time t0 = absl::FromUnixSeconds(1e9);
  const auto session = [&](int n) {
    return Change(absl::StrCat(R"(issue_token { token { token_id: ")", absl::StrFormat("c%015d", n),
                               R"(" principal_id: "H-GZ" session: true )",
                               R"(password_salt: "salt-0123456789a" )",
                               R"(secret_sha256: "0123456789abcdef0123456789abcdef" )",
                               R"(expires_at { seconds: 1000086400 } } })"),
                  t0 + absl::Seconds(n));
  };
  ASSERT_TRUE(Change(R"(set_password { principal_id: "H-GZ" hash { scheme: "scrypt" )"
                     R"(salt: "salt-0123456789a" hash: "0123456789abcdef0123456789abcdef" )"
                     R"(log2_n: 14 r: 8 p: 1 } })",
                     t0)
                  .ok());
  ASSERT_TRUE(Change(R"(issue_token { token { token_id: "d000000000000001" principal_id: "H-GZ" )"
                     R"(secret_sha256: "0123456789abcdef0123456789abcdef" } })",
                     t0)
                  .ok());
  for (int n = 1; n <= kMaxSessionsPerPrincipal + 3; ++n) ASSERT_TRUE(session(n).ok()) << n;
  for (int n = 1; n <= 3; ++n) {
    EXPECT_EQ(dir().FindToken(absl::StrFormat("c%015d", n)), nullptr) << "the oldest, " << n;
  }
  for (int n = 4; n <= kMaxSessionsPerPrincipal + 3; ++n) {
    EXPECT_NE(dir().FindToken(absl::StrFormat("c%015d", n)), nullptr) << n;
  }
  EXPECT_NE(dir().FindToken("d000000000000001"), nullptr) << "not a session";
  // A logout's session goes at the next sign-in.
  ASSERT_TRUE(
      Change(absl::StrCat(R"(revoke_token { token_id: ")", absl::StrFormat("c%015d", 10), R"(" })"),
             t0 + absl::Minutes(1))
          .ok());
  ASSERT_TRUE(session(100).ok());
  EXPECT_EQ(dir().FindToken(absl::StrFormat("c%015d", 10)), nullptr);
  EXPECT_NE(dir().FindToken(absl::StrFormat("c%015d", 4)), nullptr)
      << "room was made by the logout";
  EXPECT_EQ(dir().state().tokens_size(), kMaxSessionsPerPrincipal + 1);
  // Another principal's sign-ins end none of H-GZ's sessions.
  ASSERT_TRUE(Change(R"(set_password { principal_id: "CLAIMS" hash { scheme: "scrypt" )"
                     R"(salt: "salt-claims-0123" hash: "0123456789abcdef0123456789abcdef" )"
                     R"(log2_n: 14 r: 8 p: 1 } })",
                     t0)
                  .ok());
  for (int n = 0; n < kMaxSessionsPerPrincipal + 2; ++n) {
    ASSERT_TRUE(
        Change(absl::StrCat(R"(issue_token { token { token_id: ")", absl::StrFormat("e%015d", n),
                            R"(" principal_id: "CLAIMS" session: true )",
                            R"(password_salt: "salt-claims-0123" )",
                            R"(secret_sha256: "0123456789abcdef0123456789abcdef" )",
                            R"(expires_at { seconds: 1000086400 } } })"),
               t0 + absl::Minutes(2) + absl::Seconds(n))
            .ok());
  }
  EXPECT_NE(dir().FindToken(absl::StrFormat("c%015d", 4)), nullptr);
  EXPECT_EQ(dir().state().tokens_size(), 2 * kMaxSessionsPerPrincipal + 1);
}

// The sessions a sign-in ends are named in its event: one recorded before
// that rule names none, and folds as it did then (a revoked session stays
// until it expires), so verify agrees with a directory written then.
TEST_F(AuthorizationTest, ASignInRecordedBeforeTheSessionRuleFoldsAsItDid) {
  v1::DirectoryState state;
  v1::ApiToken* ended = state.add_tokens();
  ended->set_token_id("f000000000000001");
  ended->set_principal_id("H-GZ");
  ended->set_session(true);
  ended->set_revoked(true);
  ended->mutable_expires_at()->set_seconds(2000000000);
  v1::CaseEvent event;
  v1::ApiToken* issued =
      event.mutable_directory_changed()->mutable_change()->mutable_issue_token()->mutable_token();
  issued->set_token_id("f000000000000002");
  issued->set_principal_id("H-GZ");
  issued->set_session(true);
  issued->mutable_issued_at()->set_seconds(1000000000);
  ApplyDirectoryChange(event, &state);
  ASSERT_EQ(state.tokens_size(), 2);
  EXPECT_EQ(state.tokens(0).token_id(), "f000000000000001");
}

}  // namespace
}  // namespace docket
