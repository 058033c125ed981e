// The seeds' further flows end to end through docketctl, from the examples:
// inquiries and suggestions (渠道管理办法 四(一), 四(三)), and the ways a
// complaint is handled and ends beyond the six steps (a warned customer, a
// task group, progress notices, a referral to litigation, a network
// recovery and a subrogated third-party claim). Figures are worked out from
// the example commands by hand.

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/subprocess.h"

namespace docket {
namespace {

using ::docket::testing::Runfile;
using ::docket::testing::RunProcess;
using ::docket::testing::RunResult;
using ::testing::HasSubstr;
using ::testing::Not;

RunResult Ctl(const std::string& dir, std::vector<std::string> args,
              const std::string& input = "") {
  args.insert(args.begin(), {testing::DocketctlPath(), "--data_dir=" + dir});
  return RunProcess(args, input);
}

std::string Example(const std::string& name) {
  std::string all;
  for (const std::string& line : testing::ReadLines(Runfile("examples/" + name))) {
    absl::StrAppend(&all, line, "\n");
  }
  return all;
}

// A data directory with every example submitted, each command accepted.
std::string AllExamples(const std::string& name) {
  const std::string dir = testing::DirWithExampleEvidence(name);
  for (const char* example :
       {"seed_cases.ndjson", "inquiries_and_suggestions.ndjson", "case_endings.ndjson"}) {
    // The examples date from November 2026: submitted under a drill clock.
    RunResult r = Ctl(dir, {testing::kExamplesClock, "submit"}, Example(example));
    EXPECT_EQ(r.exit_code, 0) << example << "\n" << r.err;
    EXPECT_THAT(r.out, Not(HasSubstr("\"rejection\""))) << example;
  }
  return dir;
}

TEST(SeedFlowsTest, TheExamplesRunThroughDocketctl) {
  const std::string dir = AllExamples("seed-flows");
  // 72 + 17 + 52 commands, one event each; the directory's 35 (its
  // bootstrap and examples/org.ndjson).
  RunResult verified = Ctl(dir, {"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_THAT(verified.out, HasSubstr("verify: OK: 19 cases, 141 events, 35 directory events"));

  RunResult inquiry = Ctl(dir, {"show", "Q-2026-0002"});
  EXPECT_THAT(inquiry.out, HasSubstr("\"kind\":\"CASE_KIND_INQUIRY\""));
  EXPECT_THAT(inquiry.out, HasSubstr("\"department\":\"pricing\""));
  EXPECT_THAT(inquiry.out, HasSubstr("\"stage\":\"STAGE_ARCHIVED\""));
  RunResult suggestion = Ctl(dir, {"show", "S-2026-0001"});
  EXPECT_THAT(suggestion.out, HasSubstr("\"suggestionAdopted\":true"));

  // The warned customer: GENERAL by its loss, handled at the region; a
  // task group for its two departments; referred to litigation.
  RunResult referred = Ctl(dir, {"show", "C-2026-0101"});
  EXPECT_THAT(referred.out, HasSubstr("\"stage\":\"STAGE_REFERRED\""));
  EXPECT_THAT(referred.out, HasSubstr("\"referral\":\"REFERRAL_LITIGATION\""));
  EXPECT_THAT(referred.out, HasSubstr("\"warning\":\"CUSTOMER_WARNING_ROUTINE\""));
  EXPECT_THAT(referred.out, HasSubstr("\"severity\":\"SEVERITY_GENERAL\""));
  EXPECT_THAT(referred.out, HasSubstr("\"handlingLevel\":\"LEVEL_REGION\""));
  EXPECT_THAT(referred.out, HasSubstr("\"taskGroup\":{\"lead\":\"E-200\""));
  // Its offers: the least of claim 3,000, assessed 1,200 and the limit
  // 20 × 15 kg = 300; then 300 + 300 goodwill.
  EXPECT_THAT(referred.out, HasSubstr("\"proposedFen\":\"60000\""));

  RunResult subrogated = Ctl(dir, {"show", "R-2026-0103-TP"});
  EXPECT_THAT(subrogated.out, HasSubstr("\"recoveryOutcome\":\"RECOVERY_OUTCOME_PARTIAL\""));
  EXPECT_THAT(subrogated.out, HasSubstr("\"recoveredFen\":\"10000\""));
  // The injury: EXTRAORDINARY, a notice a day; the next due a day after the
  // second (2026-11-18 00:30 UTC).
  RunResult injury = Ctl(dir, {"show", "C-2026-0104"});
  EXPECT_THAT(injury.out, HasSubstr("\"progressNotices\":2"));
  EXPECT_THAT(injury.out, HasSubstr("\"dueAt\":\"2026-11-19T00:30:00Z\""));

  // Reported beside each other: complaints, inquiries, suggestions and
  // recoveries.
  // - inquiries: Q-1 answered after 3 minutes, Q-2 routed after 30 and
  //   answered a day later (24.5 h): first responses 16.5 min on average,
  //   results (0.05 + 24.5) / 2 = 12.3 h; one routed;
  // - suggestions routed after 22 h and 21.5 h (1,305 min on average), fed
  //   back after 96 h and 75 h (85.5 h);
  // - recoveries: 80.00 and 100.00 recovered.
  RunResult by_kind = Ctl(dir, {"report", "--by=kind", "--format=csv"});
  ASSERT_EQ(by_kind.exit_code, 0) << by_kind.err;
  EXPECT_THAT(by_kind.out, HasSubstr("INQUIRY,2,2,0,2,16.5,<=15,<=30,2,12.3,"));
  EXPECT_THAT(by_kind.out, HasSubstr("SUGGESTION,2,2,0,2,1305.0,<=1440,<=1440,2,85.5,"));
  EXPECT_THAT(by_kind.out, HasSubstr("RECOVERY,2,2,0,"));
  EXPECT_THAT(by_kind.out, HasSubstr(",0,0,0,180.00\n"));  // Routed, notices, referred, recovered.
  // Warned customers reported separately: C-2026-0101 acknowledged after
  // 10 minutes, first answered after 52 hours, one progress notice, referred.
  RunResult by_warning = Ctl(dir, {"report", "--by=warning", "--format=csv"});
  EXPECT_THAT(by_warning.out, HasSubstr("ROUTINE,1,0,0,1,10.0,<=15,<=15,1,52.0,"));
  EXPECT_THAT(by_warning.out, HasSubstr(",0,1,1,0.00\n"));
  // 考核: claims (C-100) handles the two recoveries; E-101, the handler
  // at GZ, nine cases: five complaints, the inquiries and suggestions.
  RunResult by_handler = Ctl(dir, {"report", "--by=handler", "--format=csv"});
  EXPECT_THAT(by_handler.out, HasSubstr("handler,handled,complaints,first_responses"));
  EXPECT_THAT(by_handler.out, HasSubstr("\nC-100,2,0,0,"));
  EXPECT_THAT(by_handler.out, HasSubstr("\nE-101,9,5,9,"));
  EXPECT_EQ(Ctl(dir, {"report", "--by=handler,kind"}).exit_code, 2);
}

// The new rules refuse through docketctl like the others: one line naming
// the rule, exit 1, no case changed.
TEST(SeedFlowsTest, TheNewRulesRefuseNamingTheRule) {
  const std::string dir = AllExamples("seed-flows-refusals");
  const std::string region = R"("actor":{"id":"E-300"})";  // Headquarters: every case in scope.
  struct Refusal {
    std::string line;
    std::string rule;
  };
  const std::vector<Refusal> refusals = {
      // C-2026-0006 is MAJOR and has no task group.
      {absl::StrCat(R"({"commandId":"x1","caseId":"C-2026-0006",)", region,
                    R"(,"proposeResolution":{}})"),
       "RULE_TASK_GROUP"},
      // An inquiry's step on a complaint.
      {absl::StrCat(R"({"commandId":"x2","caseId":"C-2026-0006",)", region,
                    R"(,"answerInquiry":{"answer":"a"}})"),
       "RULE_CASE_KIND"},
      // A merge into an archived case.
      {absl::StrCat(R"({"commandId":"x3","caseId":"C-2026-0008",)", region,
                    R"(,"merge":{"survivorCaseId":"C-2026-0002"}})"),
       "RULE_LINK"},
      // Subrogation for more than the parent paid (180.00).
      {absl::StrCat(
           R"({"commandId":"x4","caseId":"R-X",)", region,
           R"(,"openCase":{"intake":{"kind":"CASE_KIND_RECOVERY","handlingBranch":"GZ",)",
           R"("link":{"kind":"LINK_KIND_THIRD_PARTY_CLAIM","caseId":"C-2026-0103"},)",
           R"("recovery":{"amountFen":"18001","thirdParty":"CA-CARGO","subrogation":true}}}})"),
       "RULE_RECOVERY"},
      // A goodwill that would overflow (C-2026-0104 has its task group).
      {absl::StrCat(R"({"commandId":"x5","caseId":"C-2026-0104",)", region,
                    R"(,"proposeResolution":{"goodwillFen":"9223372036854775807"}})"),
       "propose_resolution.goodwill_fen"},
  };
  const auto before = testing::DumpCaseData(dir);
  ASSERT_TRUE(before.ok()) << before.status();
  for (const Refusal& r : refusals) {
    SCOPED_TRACE(r.rule);
    RunResult out = Ctl(dir, {"submit"}, r.line + "\n");
    EXPECT_EQ(out.exit_code, 1) << out.err;
    EXPECT_THAT(out.out, HasSubstr(r.rule));
    const auto after = testing::DumpCaseData(dir);
    ASSERT_TRUE(after.ok());
    EXPECT_TRUE(*before == *after) << "a case changed";
  }
}

// What a parent paid is recovered once, across its recoveries: C-2026-0102
// paid 80.00 and R-2026-0102-NR recovered all of it, so another network
// recovery from Foshan is refused, whether it comes alone or beside a
// third in one group (each was capped alone before: all three opened).
// The index of links (by_link) is rebuilt by a replay and checked by
// verify.
TEST(SeedFlowsTest, AParentsRecoveriesTogetherClaimNoMoreThanItPaid) {
  const std::string dir = AllExamples("seed-flows-recoveries");
  const auto recovery = [](const std::string& id, int64_t fen) {
    return absl::StrCat(
        R"({"commandId":")", id, R"(-open","caseId":")", id,
        R"(","actor":{"id":"C-100"},"openCase":{"intake":{"kind":"CASE_KIND_RECOVERY",)",
        R"("handlingBranch":"GZ","link":{"kind":"LINK_KIND_NETWORK_RECOVERY",)",
        R"("caseId":"C-2026-0102"},"recovery":{"amountFen":")", fen, R"(","liableBranch":"FS"}}}})",
        "\n");
  };
  RunResult again = Ctl(dir, {"submit"}, recovery("R-AGAIN", 8000));
  EXPECT_EQ(again.exit_code, 1) << again.err;
  EXPECT_THAT(again.out, HasSubstr("RULE_RECOVERY"));
  EXPECT_THAT(again.out, HasSubstr("80.00 CNY already claimed or recovered"));
  EXPECT_THAT(again.out, Not(HasSubstr("R-2026-0102-NR"))) << "siblings are not named";
  RunResult group = Ctl(dir, {"submit"}, recovery("R-ONE", 1) + recovery("R-TWO", 1));
  EXPECT_EQ(group.exit_code, 1) << group.err;
  const std::vector<std::string> outcomes = absl::StrSplit(group.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(outcomes.size(), 2u) << group.out;
  EXPECT_THAT(outcomes[0], HasSubstr("RULE_RECOVERY"));
  EXPECT_THAT(outcomes[1], HasSubstr("RULE_RECOVERY"));

  // A parent with room left: C-2026-0103 paid 180.00; its subrogation
  // claimed 180.00 and recovered 100.00, so 80.00 is left.
  const auto subrogation = [](const std::string& id, int64_t fen) {
    return absl::StrCat(
        R"({"commandId":")", id, R"(-open","caseId":")", id,
        R"(","actor":{"id":"C-100"},"openCase":{"intake":{"kind":"CASE_KIND_RECOVERY",)",
        R"("handlingBranch":"GZ","link":{"kind":"LINK_KIND_THIRD_PARTY_CLAIM",)",
        R"("caseId":"C-2026-0103"},"recovery":{"amountFen":")", fen,
        R"(","thirdParty":"CA-CARGO","subrogation":true}}}})", "\n");
  };
  // In one group, the second counts the first, which is not committed yet.
  RunResult one_group = Ctl(dir, {"submit"}, subrogation("R-H1", 4000) + subrogation("R-H2", 4001));
  EXPECT_EQ(one_group.exit_code, 1) << one_group.out << one_group.err;
  const std::vector<std::string> decided = absl::StrSplit(one_group.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(decided.size(), 2u) << one_group.out;
  EXPECT_THAT(decided[0], HasSubstr("\"caseOpened\""));
  EXPECT_THAT(decided[1], HasSubstr("at most 40.00 CNY left"));
  RunResult second = Ctl(dir, {"submit"}, subrogation("R-H4", 4000));
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  RunResult third = Ctl(dir, {"submit"}, subrogation("R-H3", 1));
  EXPECT_EQ(third.exit_code, 1) << third.err;
  EXPECT_THAT(third.out, HasSubstr("at most 0.00 CNY left"));

  EXPECT_EQ(Ctl(dir, {"verify"}).exit_code, 0);
  EXPECT_EQ(Ctl(dir, {"replay"}).exit_code, 0);
  RunResult verified = Ctl(dir, {"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

}  // namespace
}  // namespace docket
