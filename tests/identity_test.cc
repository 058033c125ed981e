// Identity end to end through docketctl (DESIGN.md, "Identity and
// authorization"): what an attacker with a shell on a gateway would try.
// A forged role, a revoked principal, a handler out of scope, a non-
// administrator changing the directory: each refused in one line, no case
// changed; proof that nobody could be (unauthenticated) is not recorded
// under the command's id; passwords and token secrets never reach the log.

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/subprocess.h"

namespace docket {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunResult;

RunResult Ctl(const std::string& dir, std::vector<std::string> args, const std::string& in = "") {
  args.insert(args.begin(), {testing::DocketctlPath(), "--data_dir=" + dir});
  return testing::RunProcess(args, in);
}

std::string Examples(const std::string& name) {
  const std::string dir = testing::DirWithExampleEvidence(name);
  RunResult r = Ctl(dir, {testing::kExamplesClock, "submit"},
                    testing::ReadFileOrDie(testing::SeedCasesPath()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return dir;
}

// C-2026-0005 is handled at GZ (region SOUTH) and waits for its follow-up.
constexpr char kFollowUp[] =
    R"(,"recordFollowUp":{"method":"FOLLOW_UP_METHOD_PHONE","satisfaction":4}})";

TEST(IdentityTest, ForgedRevokedAndOutOfScopeActorsChangeNothing) {
  const std::string dir = Examples("attacks");
  const auto before = testing::DumpCaseData(dir);
  ASSERT_TRUE(before.ok());
  struct Attack {
    const char* name;
    std::string line;
    const char* rule;
  };
  const std::vector<Attack> attacks = {
      {"a handler claiming a supervisor's role",
       absl::StrCat(
           R"({"commandId":"a1","caseId":"C-2026-0005",)",
           R"("actor":{"id":"E-101","role":"ROLE_SUPERVISOR","level":"LEVEL_HEADQUARTERS"},)",
           R"("escalate":{"toLevel":"LEVEL_HEADQUARTERS"}})"),
       "RULE_UNAUTHENTICATED"},
      {"someone the directory does not know",
       absl::StrCat(R"({"commandId":"a2","caseId":"C-2026-0005","actor":{"id":"E-999"})",
                    kFollowUp),
       "RULE_UNAUTHENTICATED"},
      {"docket's own principal from outside",
       R"({"commandId":"a3","caseId":"C-2026-0005","actor":{"id":"docket-scanner"},)"
       R"("recordDeadlineBreach":{"kind":"DEADLINE_KIND_FOLLOW_UP"}})",
       "RULE_UNAUTHENTICATED"},
      {"a handler of another branch",
       absl::StrCat(R"({"commandId":"a4","caseId":"C-2026-0005","actor":{"id":"E-100"})",
                    kFollowUp),
       "RULE_SCOPE"},
      {"a supervisor of another region",
       absl::StrCat(R"({"commandId":"a5","caseId":"C-2026-0005","actor":{"id":"E-210"})",
                    kFollowUp),
       "RULE_SCOPE"},
      {"an auditor acting",
       absl::StrCat(R"({"commandId":"a6","caseId":"C-2026-0005","actor":{"id":"A-100"})",
                    kFollowUp),
       "RULE_PERMISSION"},
      {"a supervisor changing the directory",
       R"({"commandId":"a7","caseId":"@directory","actor":{"id":"E-300"},)"
       R"("directory":{"grant":{"id":"E-300","name":"x","kind":"PRINCIPAL_KIND_PERSON",)"
       R"("role":"ROLE_ADMIN","level":"LEVEL_HEADQUARTERS"}}})",
       "RULE_PERMISSION"},
  };
  for (const Attack& a : attacks) {
    SCOPED_TRACE(a.name);
    RunResult r = Ctl(dir, {"submit"}, a.line + "\n");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_THAT(r.out, HasSubstr(a.rule));
    const auto after = testing::DumpCaseData(dir);
    ASSERT_TRUE(after.ok());
    EXPECT_TRUE(*before == *after) << "a case changed";
  }
  // The refusals of known principals are on record; unproven senders do not
  // occupy a command id: the real handler may still use a2.
  RunResult recorded = Ctl(dir, {"rejections"});
  EXPECT_THAT(recorded.out, HasSubstr("RULE_SCOPE"));
  EXPECT_THAT(recorded.out, Not(HasSubstr("RULE_UNAUTHENTICATED")));
  RunResult real = Ctl(dir, {"submit"},
                       absl::StrCat(R"({"commandId":"a2","caseId":"C-2026-0005",)",
                                    R"("actor":{"id":"E-101"})", kFollowUp, "\n"));
  EXPECT_EQ(real.exit_code, 0) << real.out;
  EXPECT_THAT(real.out, HasSubstr("\"followUpRecorded\""));
}

TEST(IdentityTest, RevocationTakesEffectAtOnceAndHistoryKeepsTheActor) {
  const std::string dir = Examples("revocation");
  RunResult revoked = Ctl(dir, {"directory", "apply"},
                          R"({"commandId":"rv-1","actor":{"id":"admin"},)"
                          R"("directory":{"revoke":{"principalId":"E-101","reason":"left"}}})"
                          "\n");
  ASSERT_EQ(revoked.exit_code, 0) << revoked.out << revoked.err;
  RunResult refused = Ctl(dir, {"submit"},
                          absl::StrCat(R"({"commandId":"rv-2","caseId":"C-2026-0005",)",
                                       R"("actor":{"id":"E-101"})", kFollowUp, "\n"));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.out, HasSubstr("was revoked"));
  // What E-101 did stays theirs, and the audit still holds.
  EXPECT_THAT(Ctl(dir, {"history", "C-2026-0005"}).out, HasSubstr("E-101"));
  RunResult verified = Ctl(dir, {"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_THAT(verified.out, HasSubstr("36 directory events"));
}

TEST(IdentityTest, ReadsWithAsAreScopedLikeTheService) {
  const std::string dir = Examples("scoped-reads");
  // C-2026-0001 is handled at ZHUHAI, C-2026-0005 at GZ, C-2026-0006 at
  // HUZHOU (region EAST).
  RunResult gz = Ctl(dir, {"list", "--as=E-101", "--format=json"});
  ASSERT_EQ(gz.exit_code, 0) << gz.err;
  EXPECT_THAT(gz.out, HasSubstr("C-2026-0005"));
  EXPECT_THAT(gz.out, Not(HasSubstr("C-2026-0001")));
  RunResult south = Ctl(dir, {"list", "--as=E-200", "--format=json"});
  EXPECT_THAT(south.out, HasSubstr("C-2026-0001"));
  EXPECT_THAT(south.out, Not(HasSubstr("C-2026-0006")));
  RunResult hq = Ctl(dir, {"list", "--as=A-100", "--format=json"});  // The auditor.
  EXPECT_THAT(hq.out, HasSubstr("C-2026-0006"));
  EXPECT_EQ(Ctl(dir, {"list", "--as=admin"}).out.find("C-2026"), std::string::npos);

  RunResult hidden = Ctl(dir, {"show", "C-2026-0001", "--as=E-101"});
  EXPECT_EQ(hidden.exit_code, 1);
  EXPECT_THAT(hidden.err, HasSubstr("does not exist"));
  EXPECT_EQ(Ctl(dir, {"history", "C-2026-0001", "--as=E-101"}).exit_code, 1);
  EXPECT_EQ(Ctl(dir, {"show", "C-2026-0001", "--as=E-100"}).exit_code, 0);
  EXPECT_EQ(Ctl(dir, {"show", "C-2026-0001", "--as=NOBODY"}).exit_code, 2);
}

TEST(IdentityTest, PasswordsAndTokenSecretsNeverReachTheLog) {
  const std::string dir = testing::OrganisedDir("secrets");
  RunResult passwords =
      Ctl(dir, {"directory", "apply"},
          R"({"commandId":"pw-1","actor":{"id":"admin"},)"
          R"("directory":{"setPassword":{"principalId":"E-101","password":"correct horse"}}})"
          "\n");
  ASSERT_EQ(passwords.exit_code, 0) << passwords.out << passwords.err;
  RunResult token = Ctl(dir, {"token", "issue", "E-101", "--as=admin"});
  ASSERT_EQ(token.exit_code, 0) << token.err;
  ASSERT_THAT(token.out, HasSubstr("dkt_"));
  const std::string secret = token.out.substr(4 + 16 + 1, 43);  // dkt_<16 hex>_<secret>
  const std::string log = Ctl(dir, {"tail", "--from=beginning"}).out;
  EXPECT_THAT(log, HasSubstr("\"setPassword\""));
  EXPECT_THAT(log, HasSubstr("\"issueToken\""));
  EXPECT_THAT(log, Not(HasSubstr("correct horse")));
  EXPECT_THAT(log, Not(HasSubstr(secret)));
  // Only an administrator issues tokens.
  RunResult not_admin = Ctl(dir, {"token", "issue", "E-101", "--as=E-300"});
  EXPECT_NE(not_admin.exit_code, 0);
  EXPECT_THAT(not_admin.err, HasSubstr("may not send directory"));
  EXPECT_THAT(not_admin.out, Not(HasSubstr("dkt_")));
}

}  // namespace
}  // namespace docket
