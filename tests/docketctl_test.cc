// docketctl as a user runs it: a real process on a real data directory.
// Bad input gets a one-line rejection naming the problem, exit code 1, and
// leaves the data directory as it was; usage and I/O errors exit 2.

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "docket/v1/outcome.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/stubs/common.h"
#include "google/protobuf/util/json_util.h"
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

const std::string& Ctl() {
  static const std::string* const kPath = new std::string(testing::DocketctlPath());
  return *kPath;
}

RunResult Ctl(const std::string& dir, std::vector<std::string> args,
              const std::string& input = "") {
  args.insert(args.begin(), {Ctl(), "--data_dir=" + dir});
  return RunProcess(args, input);
}

std::string Examples() {
  std::string all;
  for (const std::string& line : testing::ReadLines(testing::SeedCasesPath())) {
    absl::StrAppend(&all, line, "\n");
  }
  return all;
}

// A data directory holding the examples (evidence included), verified.
std::string ExampleDir(const std::string& name) {
  const std::string dir = testing::OrganisedDir(name);
  EXPECT_EQ(Ctl(dir, {"put-evidence", Runfile("examples/evidence/acrylic_sign_crack.png"),
                      Runfile("examples/evidence/laptop_screen_crack.png")})
                .exit_code,
            0);
  // The examples date from November 2026: submitted under a drill clock.
  RunResult submitted = Ctl(dir, {testing::kExamplesClock, "submit"}, Examples());
  EXPECT_EQ(submitted.exit_code, 0) << submitted.err;
  return dir;
}

struct BadInput {
  std::string name;
  std::string input;
  std::string rule;
};

TEST(DocketctlBadInputTest, EachIsRejectedInOneLineAndChangesNoCase) {
  const std::string dir = ExampleDir("bad-input");
  std::string garbage;
  std::mt19937 rng(7);
  for (int i = 0; i < 4096; ++i) {
    char c = static_cast<char>(rng());
    garbage.push_back(c == '\n' ? '\0' : c);
  }
  const std::string actor = R"("actor":{"id":"E-300"})";  // Every case in scope.
  const std::vector<BadInput> cases = {
      {"not JSON", "this is not json\n", "RULE_UNDECODABLE"},
      {"JSON that is not a command", "[1, 2, 3]\n", "RULE_UNDECODABLE"},
      {"a field of the wrong type",
       R"({"commandId": {"nested": true}})"
       "\n",
       "RULE_UNDECODABLE"},
      {"an unknown field",
       absl::StrCat(R"({"commandId":"u1","caseId":"C-2026-0006",)", actor,
                    R"(,"acknowledge":{},"priority":"urgent"})", "\n"),
       "RULE_UNDECODABLE"},
      {"an unknown case",
       absl::StrCat(R"({"commandId":"u2","caseId":"C-NOBODY",)", actor, R"(,"acknowledge":{}})",
                    "\n"),
       "RULE_UNKNOWN_CASE"},
      {"a rule broken",
       absl::StrCat(R"({"commandId":"u3","caseId":"C-2026-0006",)", actor, R"(,"archive":{}})",
                    "\n"),
       "RULE_ARCHIVE_PRECONDITIONS"},
      {"a step out of order",
       absl::StrCat(R"({"commandId":"u4","caseId":"C-2026-0008",)", actor,
                    R"(,"proposeResolution":{}})", "\n"),
       "RULE_STEP_ORDER"},
      {"a line over 1 MiB",
       absl::StrCat(R"({"commandId":"u5","caseId":"C-1","note":")", std::string(2 << 20, 'x'),
                    "\"}\n"),
       "RULE_COMMAND_TOO_LARGE"},
      {"a line of whitespace and a brace", " \t{\n", "RULE_UNDECODABLE"},
      {"binary garbage", garbage + "\n", "RULE_UNDECODABLE"},
  };
  const auto before = testing::DumpCaseData(dir);
  ASSERT_TRUE(before.ok()) << before.status();
  for (const BadInput& c : cases) {
    SCOPED_TRACE(c.name);
    RunResult r = Ctl(dir, {"submit"}, c.input);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
    ASSERT_EQ(lines.size(), 1u) << r.out;
    EXPECT_THAT(lines[0], HasSubstr("\"rejection\""));
    EXPECT_THAT(lines[0], HasSubstr(c.rule));
    EXPECT_THAT(lines[0], HasSubstr("\"reason\""));
    EXPECT_LT(lines[0].size(), 4096u) << "a rejection must not echo the input";
    EXPECT_THAT(lines[0], Not(HasSubstr("\\u{000A}"))) << "one line of reason, read as it is";
    const auto after = testing::DumpCaseData(dir);
    ASSERT_TRUE(after.ok());
    EXPECT_TRUE(*before == *after) << "a case changed";
  }
  // The refusals of commands with an id are on record for auditors; those
  // that could not be decoded have no id to record.
  RunResult refused = Ctl(dir, {"rejections"});
  EXPECT_EQ(refused.exit_code, 0) << refused.err;
  const std::vector<std::string> kept = absl::StrSplit(refused.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(kept.size(), 3u) << refused.out;
  EXPECT_THAT(refused.out, HasSubstr("RULE_UNKNOWN_CASE"));
  EXPECT_THAT(refused.out, HasSubstr("RULE_ARCHIVE_PRECONDITIONS"));
  EXPECT_THAT(refused.out, HasSubstr("RULE_STEP_ORDER"));
  RunResult one_case = Ctl(dir, {"rejections", "C-2026-0006"});
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(one_case.out, '\n', absl::SkipEmpty())).size(),
            1u)
      << one_case.out;
  // Sent again, each refused command gets its first refusal, even if the
  // case has moved on since.
  RunResult again = Ctl(dir, {"submit"}, cases[5].input);
  EXPECT_THAT(again.out, HasSubstr("\"duplicate\":true"));
  EXPECT_THAT(again.out, HasSubstr("RULE_ARCHIVE_PRECONDITIONS"));
  RunResult verified = Ctl(dir, {"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_THAT(verified.out, HasSubstr("verify: OK: 9 cases, 72 events"));
  EXPECT_THAT(verified.out, HasSubstr("2 evidence files re-hashed"));
}

// What broke docket before the input grammar: invalid UTF-8 echoed raw (the
// outcome line was not JSON), a branch with NUL that broke every report, a
// case id so long that the scanner's ids for it passed their bound.
TEST(DocketctlBadInputTest, StrictInputKeepsEveryOutputValidAndReportsWorking) {
  const std::string dir = ExampleDir("strict-input");
  const std::string actor = R"("actor":{"id":"E-300"})";  // Every case in scope.
  const std::string intake =
      R"("openCase":{"intake":{"channel":"CHANNEL_PHONE","category":"CATEGORY_LOSS",)"
      R"("customer":{"id":"CU-9"},"shipment":{"waybill":"W-9"},"handlingBranch":"GZ"}})";
  const std::vector<std::pair<std::string, std::string>> lines = {
      {"invalid UTF-8 in the case id", absl::StrCat(R"({"commandId":"s1","caseId":"C-)", "\xC3\x28",
                                                    R"(-1",)", actor, ",", intake, "}")},
      {"invalid UTF-8 in free text",
       absl::StrCat(
           R"({"commandId":"s2","caseId":"C-S2",)", actor,
           R"(,"openCase":{"intake":{"channel":"CHANNEL_PHONE","category":"CATEGORY_LOSS",)",
           R"("customer":{"id":"CU-9"},"description":")", "\xFF\xFE", R"("}}})")},
      {"a branch with NUL",
       absl::StrCat(
           R"({"commandId":"s3","caseId":"C-S3",)", actor,
           R"(,"openCase":{"intake":{"channel":"CHANNEL_PHONE","category":"CATEGORY_LOSS","customer":{"id":"CU-9"},"handlingBranch":"GZ\u0000X"}}})")},
      {"a category of 99",
       absl::StrCat(
           R"({"commandId":"s4","caseId":"C-S4",)", actor,
           R"(,"openCase":{"intake":{"channel":"CHANNEL_PHONE","category":99,"customer":{"id":"CU-9"}}}})")},
      {"a case id of 79 characters",
       absl::StrCat(R"({"commandId":"s5","caseId":")", std::string(79, 'C'), R"(",)", actor, ",",
                    intake, "}")},
      {"a bidi override in an id",
       absl::StrCat(R"({"commandId":"s6","caseId":"C-S6",)",
                    R"("actor":{"id":"E-\u202e1","role":"ROLE_HANDLER","level":"LEVEL_BRANCH"},)",
                    intake, "}")},
  };
  for (const auto& [name, line] : lines) {
    SCOPED_TRACE(name);
    RunResult r = Ctl(dir, {"submit"}, line + "\n");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    v1::CommandOutcome outcome;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &outcome).ok())
        << "not a JSON outcome: " << r.out;
    EXPECT_TRUE(google::protobuf::internal::IsStructurallyValidUTF8(r.out));
    EXPECT_TRUE(outcome.rejection().rule() == v1::RULE_MALFORMED_COMMAND ||
                outcome.rejection().rule() == v1::RULE_UNDECODABLE)
        << r.out;
  }
  RunResult report = Ctl(dir, {"report", "--by=branch", "--format=csv"});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_THAT(report.out, Not(HasSubstr(std::string("GZ\0X", 4))));
  EXPECT_EQ(Ctl(dir, {"verify"}).exit_code, 0);
}

TEST(DocketctlTest, GoodAndBadCommandsTogetherAnswerEachInOrder) {
  const std::string dir = testing::OrganisedDir("mixed");
  const std::vector<std::string> examples = testing::ReadLines(testing::SeedCasesPath());
  RunResult r = Ctl(dir, {testing::kExamplesClock, "submit"},
                    absl::StrCat(examples[0], "\n", "garbage\n", examples[1], "\n"));
  EXPECT_EQ(r.exit_code, 1);
  const std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[0], HasSubstr("\"caseOpened\""));
  EXPECT_THAT(lines[1], HasSubstr("RULE_UNDECODABLE"));
  EXPECT_THAT(lines[2], HasSubstr("\"acknowledged\""));
}

TEST(DocketctlTest, UsageAndIoErrorsExitTwo) {
  const std::string dir = testing::FreshDir("usage");
  EXPECT_EQ(Ctl(dir, {"frobnicate"}).exit_code, 2);
  EXPECT_EQ(Ctl(dir, {}).exit_code, 2);
  EXPECT_EQ(Ctl(dir, {"show"}).exit_code, 2);
  RunResult missing = Ctl(dir, {"list"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("no docket data directory"));
  EXPECT_EQ(Ctl(dir, {"report", "--by=planet"}).exit_code, 2);

  // A directory that holds something else is refused, never written.
  const std::string foreign = testing::FreshDir("foreign-dir");
  std::filesystem::create_directories(foreign);
  std::ofstream(foreign + "/notes.txt") << "mine";
  RunResult refused = Ctl(foreign, {"submit"}, Examples());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("not a docket data directory"));
}

// A blank line is no command: skipped, as the API skips it, not refused
// as undecodable (a file ending in an empty line made submit exit 1).
TEST(DocketctlTest, BlankLinesAreNoCommands) {
  const std::string dir = testing::OrganisedDir("blank-lines");
  const std::vector<std::string> lines = testing::ReadLines(testing::SeedCasesPath());
  std::string spaced = "\n";
  for (size_t i = 0; i < 3; ++i) absl::StrAppend(&spaced, lines[i], "\n \t\n\n");
  RunResult submitted = Ctl(dir, {testing::kExamplesClock, "submit"}, spaced);
  EXPECT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  EXPECT_EQ(std::count(submitted.out.begin(), submitted.out.end(), '\n'), 3) << submitted.out;
  EXPECT_THAT(submitted.out, ::testing::Not(HasSubstr("RULE_UNDECODABLE")));
}

// Exit codes (DESIGN.md): 2 for a usage or I/O error, whatever finds it;
// absl's flag parser exited 1 for an unknown flag or a bad value, and
// output that could not be written went unnoticed (exit 0).
TEST(DocketctlTest, UsageAndOutputErrorsExit2) {
  const std::string dir = testing::OrganisedDir("usage-errors");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"list", "--bogus"},
           {"--bogus", "list"},
           {"show", "C-1", "--revision=abc"},
           {"list", "--overdue=maybe"},
           {"list", "--nobogus"},
           {"show", "C-1", "--revision"},
           {"token", "issue", "E-101", "--expires=-5h"},
       }) {
    const RunResult r = Ctl(dir, args);
    EXPECT_EQ(r.exit_code, 2) << absl::StrJoin(args, " ") << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("docketctl: ")) << absl::StrJoin(args, " ");
  }
  // A case id that cannot be one is refused without echoing its bytes (an
  // invalid UTF-8 byte and a terminal escape reached stderr).
  const RunResult raw = Ctl(dir, {"show", "A\xff\x1b[31mB"});
  EXPECT_EQ(raw.exit_code, 2) << raw.err;
  EXPECT_THAT(raw.err, HasSubstr("is no case id"));
  EXPECT_EQ(raw.err.find('\x1b'), std::string::npos) << raw.err;
  EXPECT_EQ(raw.err.find('\xff'), std::string::npos) << raw.err;
  EXPECT_EQ(Ctl(dir, {"history", "@directory"}).exit_code, 0) << "the directory's own stream";
  EXPECT_EQ(Ctl(dir, {"list", "--nooverdue", "--severity", "MAJOR"}).exit_code, 0)
      << "--noFLAG and --flag value are flags too";
  const RunResult full = RunProcess(
      {"/bin/sh", "-c", absl::StrCat(Ctl(), " --data_dir=", dir, " directory list > /dev/full")});
  EXPECT_EQ(full.exit_code, 2) << full.err;
  EXPECT_THAT(full.err, HasSubstr("could not be written"));
  const RunResult unsaid =
      RunProcess({"/bin/sh", "-c",
                  absl::StrCat(Ctl(), " --data_dir=", dir, " ", testing::kExamplesClock,
                               " submit < ", testing::SeedCasesPath(), " > /dev/full")});
  EXPECT_EQ(unsaid.exit_code, 2) << unsaid.err;
  EXPECT_THAT(unsaid.err, HasSubstr("could not be written"));
}

// Only init makes a data directory, and all or nothing: a mistyped
// --data_dir is refused, not made (an empty directory nobody may
// administer), and a refused administrator leaves none bootstrapped (init
// then refused to run again: "already has a directory").
TEST(DocketctlTest, InitMakesADirectoryWithItsAdministratorOrNothing) {
  const std::string missing = testing::FreshDir("never-made");
  const RunResult submitted = Ctl(missing, {"submit"}, Examples());
  EXPECT_EQ(submitted.exit_code, 2);
  EXPECT_THAT(submitted.err, HasSubstr("does not exist"));
  EXPECT_FALSE(std::filesystem::exists(missing));
  const RunResult bad = Ctl(missing, {"init", "--admin=bad id"});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_THAT(bad.out, HasSubstr("\"rejection\""));
  EXPECT_THAT(bad.out, Not(HasSubstr("\"events\""))) << "nothing was committed";
  EXPECT_FALSE(std::filesystem::exists(missing)) << "the directory init made is removed";
  EXPECT_EQ(Ctl(missing, {"replay"}).exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(missing));
  const RunResult good = Ctl(missing, {"init", "--admin=admin"});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(Ctl(missing, {"directory", "list"}).exit_code, 0);
  EXPECT_EQ(Ctl(missing, {"verify"}).exit_code, 0);
}

TEST(DocketctlTest, HelpExplainsTheCommands) {
  RunResult r = RunProcess({Ctl(), "--help"});
  EXPECT_THAT(r.out + r.err, HasSubstr("submit"));
  EXPECT_THAT(r.out + r.err, HasSubstr("exit codes"));
}

TEST(DocketctlTest, ShowHistoryListReportAndTail) {
  const std::string dir = ExampleDir("inspect");
  RunResult show = Ctl(dir, {"show", "C-2026-0007", "--revision=8"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("\"stage\":\"STAGE_DISPUTED\""));
  RunResult now = Ctl(dir, {"show", "C-2026-0007"});
  EXPECT_THAT(now.out, HasSubstr("\"stage\":\"STAGE_REPLIED\""));
  RunResult before = Ctl(dir, {"show", "C-2026-0007", "--as_of=2000-01-01T00:00:00Z"});
  EXPECT_EQ(before.exit_code, 1);
  EXPECT_EQ(Ctl(dir, {"show", "C-NONE"}).exit_code, 1);
  // A revision the case has not reached is no state of it (the latest was
  // shown before).
  RunResult beyond = Ctl(dir, {"show", "C-2026-0001", "--revision=99"});
  EXPECT_EQ(beyond.exit_code, 1);
  EXPECT_EQ(beyond.out, "");
  EXPECT_THAT(beyond.err, HasSubstr("has 12 revisions"));

  RunResult history = Ctl(dir, {"history", "C-2026-0001"});
  const std::vector<std::string> events = absl::StrSplit(history.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(events.size(), 12u);
  EXPECT_THAT(events[0], HasSubstr("\"prevHash\":\"\""));

  RunResult overdue = Ctl(dir, {"list", "--overdue", "--now=2026-11-23T00:00:00Z"});
  EXPECT_THAT(overdue.out, HasSubstr("C-2026-0008"));
  EXPECT_THAT(overdue.out, ::testing::Not(HasSubstr("C-2026-0001")));
  RunResult majors = Ctl(dir, {"list", "--severity=MAJOR", "--format=json"});
  EXPECT_EQ(std::count(majors.out.begin(), majors.out.end(), '\n'), 3);

  // A window of days: only its rows, and a clear refusal of a bad one.
  RunResult window =
      Ctl(dir, {"report", "--by=day", "--format=csv", "--from=2026-11-02", "--to=2026-11-02"});
  EXPECT_EQ(window.exit_code, 0) << window.err;
  EXPECT_THAT(window.out, ::testing::MatchesRegex("day,[^\n]*\n2026-11-02,[^\n]*\n"))
      << "the one day asked, on which the examples' first case opened";
  RunResult backwards = Ctl(dir, {"report", "--from=2026-11-12", "--to=2026-11-05"});
  EXPECT_EQ(backwards.exit_code, 2);
  EXPECT_THAT(backwards.err, HasSubstr("ends (2026-11-05) before it begins"));
  EXPECT_EQ(Ctl(dir, {"report", "--to=someday"}).exit_code, 2);
  RunResult csv = Ctl(dir, {"report", "--by=severity", "--format=csv"});
  EXPECT_THAT(csv.out, HasSubstr("severity,opened,archived"));
  // MAJOR at the time of each event: the cigarettes' first response after
  // 30 minutes, its result after 30 hours (the <=4320-minute bucket).
  EXPECT_THAT(csv.out, HasSubstr("MAJOR,2,1,0,1,30.0,<=30,<=30,1,30.0,<=4320,<=4320,100.0,"
                                 "10500.00,2,500.00,0,0,4.0"));

  // The log's last 11 of 107 events (the directory's 35 come first).
  RunResult tail = Ctl(dir, {"tail", "--from=97"});
  EXPECT_EQ(std::count(tail.out.begin(), tail.out.end(), '\n'), 11);
}

// DESIGN.md: an auditor verifies the chain from the stored bytes alone, in
// any language. Here: coreutils, nothing of docket's.
TEST(DocketctlTest, HashChainVerifiesWithCoreutilsFromStoredBytes) {
  const std::string dir = ExampleDir("chain");
  RunResult history = Ctl(dir, {"history", "C-2026-0004", "--format=stored"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  const std::vector<std::string> lines = absl::StrSplit(history.out, '\n', absl::SkipEmpty());
  // The cigarettes case: 16 steps (its task group, approval and co-approval too).
  ASSERT_EQ(lines.size(), 16u);
  const std::regex field("\"(event|prevHash|hash)\":\"([^\"]*)\"");
  std::string previous_hash;  // base64; empty before the first event.
  for (const std::string& line : lines) {
    std::map<std::string, std::string> f;
    for (std::sregex_iterator it(line.begin(), line.end(), field), end; it != end; ++it) {
      f[(*it)[1]] = (*it)[2];
    }
    EXPECT_EQ(f["prevHash"], previous_hash) << line.substr(0, 120);
    const std::string script =
        absl::StrCat("(printf '%s' '", f["prevHash"], "' | base64 -d; printf '%s' '", f["event"],
                     "' | base64 -d) | sha256sum | cut -d' ' -f1; printf '%s' '", f["hash"],
                     "' | base64 -d | od -An -tx1 | tr -d ' \\n'");
    RunResult hashed = RunProcess({"/bin/sh", "-c", script});
    const std::vector<std::string> both = absl::StrSplit(hashed.out, '\n');
    ASSERT_GE(both.size(), 2u) << hashed.out << hashed.err;
    EXPECT_EQ(both[0].size(), 64u) << hashed.err;
    EXPECT_EQ(both[0], both[1]) << "SHA-256(prev_hash || event) != hash";
    previous_hash = f["hash"];
  }
}

TEST(DocketctlTest, TickRecordsWhatIsDueOnceAndTheReportShowsTheSla) {
  const std::string dir = ExampleDir("tick");
  const std::string now = "--now=2026-11-24T12:00:00Z";
  RunResult tick = Ctl(dir, {"tick", now});
  ASSERT_EQ(tick.exit_code, 0) << tick.err;
  // From the rule: each open case's marks up to the tick, in time order
  // across its clocks, each escalation seen by the marks after it (BRANCH →
  // REGION → HEADQUARTERS, then a clock falls silent after its window):
  // - C-2026-0005 (GENERAL, at the branch): report upward 2 warnings and a
  //   breach in each of 3 windows (11-19 02:00 → region, 11-20 02:00 → HQ,
  //   11-21 02:00 silent); follow-up 2 warnings, breach 11-22 06:00 silent.
  //   8 warnings, 4 breaches, 2 escalations.
  // - C-2026-0006 (MAJOR, at the region): report upward 2+2 warnings,
  //   breaches 11-20 15:00 (→ HQ) and 11-21 03:00 (silent); resolution 2
  //   warnings; progress notice (16 business hours) 2 warnings, breach
  //   11-24 03:00 (silent); regulatory 1 warning. 9, 3, 1.
  // - C-2026-0007 (at the region after special handling): report upward
  //   2+2 warnings, breaches 11-22 01:00 (→ HQ) and 11-23 01:00 (silent);
  //   follow-up 2 warnings. 6, 2, 1.
  // - C-2026-0008 (MAJOR e-mail, never answered, at the branch): report
  //   upward breached 11-22 17:00 (→ region), first response (2 business
  //   hours, Monday 09:00-11:00 CST) breached 11-23 03:00 (→ HQ), each with
  //   2 warnings a window and a second window ending silent (report upward
  //   11-23 05:00, first response 11-23 06:00); progress notice 2 warnings,
  //   breach 11-24 10:00 (silent). 10, 5, 2.
  EXPECT_EQ(tick.out,
            "tick at 2026-11-24T12:00:00Z: 33 warnings, 14 breaches, 6 escalations, "
            "0 appeal cases opened\n");
  EXPECT_THAT(Ctl(dir, {"tick", now}).out, HasSubstr(": 0 warnings, 0 breaches"));
  RunResult csv = Ctl(dir, {"report", "--by=severity", "--format=csv"});
  // MAJOR clocks: the cigarettes case's 7 met on time; breached: C-2026-0006's
  // report upward and progress notice, C-2026-0008's first response, report
  // upward and progress notice: 7 / 12 = 58.3 %. Breach events at MAJOR: 3
  // and 5; escalations 1 and 2.
  EXPECT_THAT(csv.out, HasSubstr("MAJOR,2,1,0,1,30.0,<=30,<=30,1,30.0,<=4320,<=4320,58.3,"
                                 "10500.00,2,500.00,8,3,4.0"));
  // The unacknowledged MAJOR e-mail complaint climbed to headquarters.
  EXPECT_THAT(Ctl(dir, {"show", "C-2026-0008"}).out,
              HasSubstr("\"handlingLevel\":\"LEVEL_HEADQUARTERS\""));
  EXPECT_EQ(Ctl(dir, {"verify"}).exit_code, 0);
  EXPECT_EQ(Ctl(dir, {"tick", now, "--every=1s"}).exit_code, 2);
}

// Before: `tick --now=2030-01-01` recorded 135 breaches and 22 appeal cases
// that had not happened, for good. The scanner catches up, it does not
// predict; a drill sets a clock for the whole invocation instead.
TEST(DocketctlTest, TickRefusesATimeLaterThanTheClock) {
  const std::string dir = ExampleDir("tick-future");
  const auto before = testing::DumpDataDir(dir);
  RunResult future = Ctl(dir, {"tick", "--now=2030-01-01T00:00:00Z"});
  EXPECT_EQ(future.exit_code, 2);
  EXPECT_THAT(future.err, HasSubstr("does not predict"));
  EXPECT_EQ(*before, *testing::DumpDataDir(dir));
  RunResult drill = Ctl(dir, {"--clock=2026-11-24T12:00:00Z", "tick"});
  EXPECT_EQ(drill.exit_code, 0) << drill.err;
  EXPECT_THAT(drill.err, HasSubstr("simulated clock"));
  EXPECT_THAT(drill.out, HasSubstr("tick at 2026-11-24T12:00:00Z: 33 warnings"));
}

TEST(DocketctlTest, AttachStoresTheFileAndVerifyNoticesTampering) {
  const std::string dir = ExampleDir("attach");
  const std::string photo = testing::FreshDir("photo.jpg");
  std::ofstream(photo) << "\xff\xd8\xff pretend jpeg bytes";
  RunResult attached = Ctl(dir, {"attach", "C-2026-0006", photo, "--actor_id=E-410"});
  ASSERT_EQ(attached.exit_code, 0) << attached.out << attached.err;
  EXPECT_THAT(attached.out, HasSubstr("\"mediaType\":\"image/jpeg\""));
  // Attaching the same file again is the same command: a duplicate.
  RunResult again = Ctl(dir, {"attach", "C-2026-0006", photo, "--actor_id=E-410"});
  EXPECT_THAT(again.out, HasSubstr("\"duplicate\":true"));
  EXPECT_EQ(Ctl(dir, {"verify"}).exit_code, 0);

  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir + "/evidence")) {
    if (entry.is_regular_file() && entry.file_size() < 40) {
      std::ofstream(entry.path(), std::ios::trunc) << "altered";
    }
  }
  RunResult verified = Ctl(dir, {"verify"});
  EXPECT_EQ(verified.exit_code, 1);
  EXPECT_THAT(verified.out, HasSubstr("no longer matches"));
}

// Before: an attachment naming cas:// content that was not in the store, or
// with the wrong size, was accepted and made verify fail forever.
TEST(DocketctlTest, EvidenceThatCannotBeVerifiedIsNotAccepted) {
  const std::string dir = ExampleDir("unverifiable");
  const std::string actor = R"("actor":{"id":"E-300"})";  // Every case in scope.
  const auto attach = [&](const std::string& id, const std::string& sha, int64_t size) {
    return absl::StrCat(R"({"commandId":")", id, R"(","caseId":"C-2026-0006",)", actor,
                        R"(,"attachEvidence":{"evidence":{"kind":"EVIDENCE_KIND_PHOTO",)",
                        R"("uri":"cas://)", sha, R"(","sha256Hex":")", sha, R"(","sizeBytes":")",
                        size, R"(","mediaType":"image/png"}}})", "\n");
  };
  // Not in the store at all.
  RunResult absent = Ctl(dir, {"submit"}, attach("e1", std::string(64, 'a'), 10));
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_THAT(absent.out, HasSubstr("RULE_EVIDENCE"));
  EXPECT_THAT(absent.out, HasSubstr("not in the evidence store"));
  // In the store (an example photo), but with another size.
  const std::string photo = "dab83750bfa0f03e0ebfac01ae179ee5f95e97f7dbd4d4fb778481b2c603c2aa";
  RunResult wrong_size = Ctl(dir, {"submit"}, attach("e2", photo, 999));
  EXPECT_THAT(wrong_size.out, HasSubstr("RULE_EVIDENCE"));
  RunResult right = Ctl(dir, {"submit"}, attach("e3", photo, 83));
  EXPECT_EQ(right.exit_code, 0) << right.out;
  RunResult verified = Ctl(dir, {"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

// Before: under a memory limit a 700 MiB file was stored truncated to 256
// MiB and put-evidence exited 0. Files are streamed; the policy's limit is
// enforced and a refused file leaves nothing behind.
TEST(DocketctlTest, PutEvidenceStreamsFilesAndEnforcesThePolicysLimit) {
  const std::string dir = ExampleDir("evidence-limit");
  const std::string big = testing::FreshDir("big.pdf");
  {
    std::ofstream out(big, std::ios::binary);
    std::string block(1 << 20, 'p');
    for (int i = 0; i < 65; ++i) {
      block[0] = static_cast<char>(i);
      out << block;
    }
  }
  const auto count = [&] {
    int n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir + "/evidence")) {
      n += e.is_regular_file();
    }
    return n;
  };
  const int before = count();
  RunResult refused = Ctl(dir, {"put-evidence", big});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("larger than the evidence limit"));
  EXPECT_EQ(count(), before) << "a refused file must leave nothing behind";

  // Under a policy that allows it, the whole file is stored, hash and size.
  std::string policy = testing::ReadFileOrDie(Runfile("engine/default_policy.textproto"));
  policy = absl::StrReplaceAll(
      policy, {{"evidence { max_bytes: 67108864 }", "evidence { max_bytes: 134217728 }"}});
  const std::string policy_path = testing::WriteFile("big-policy.textproto", policy);
  RunResult stored =
      Ctl(dir, {"put-evidence", big, "--kind=EVIDENCE_KIND_DOCUMENT", "--policy=" + policy_path});
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  EXPECT_THAT(stored.out, HasSubstr(absl::StrCat("\"sizeBytes\":\"", 65 << 20, "\"")));
  EXPECT_EQ(count(), before + 1);
}

}  // namespace
}  // namespace docket
