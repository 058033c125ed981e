// docketctl as a user runs it: a real process on a real data directory.
// Bad input gets a one-line rejection naming the problem, exit code 1, and
// leaves the data directory as it was; usage and I/O errors exit 2.

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>

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
  const std::string dir = testing::FreshDir(name);
  EXPECT_EQ(Ctl(dir, {"put-evidence", Runfile("examples/evidence/acrylic_sign_crack.png"),
                      Runfile("examples/evidence/laptop_screen_crack.png")})
                .exit_code,
            0);
  RunResult submitted = Ctl(dir, {"submit"}, Examples());
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
  const std::string actor = R"("actor":{"id":"E-1","role":"ROLE_HANDLER","level":"LEVEL_BRANCH"})";
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
      {"an empty line", "\n", "RULE_UNDECODABLE"},
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
  EXPECT_THAT(verified.out, HasSubstr("verify: OK: 9 cases, 69 events"));
  EXPECT_THAT(verified.out, HasSubstr("2 evidence files re-hashed"));
}

TEST(DocketctlTest, GoodAndBadCommandsTogetherAnswerEachInOrder) {
  const std::string dir = testing::FreshDir("mixed");
  const std::vector<std::string> examples = testing::ReadLines(testing::SeedCasesPath());
  RunResult r =
      Ctl(dir, {"submit"}, absl::StrCat(examples[0], "\n", "garbage\n", examples[1], "\n"));
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

  RunResult history = Ctl(dir, {"history", "C-2026-0001"});
  const std::vector<std::string> events = absl::StrSplit(history.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(events.size(), 12u);
  EXPECT_THAT(events[0], HasSubstr("\"prevHash\":\"\""));

  RunResult overdue = Ctl(dir, {"list", "--overdue", "--now=2026-11-23T00:00:00Z"});
  EXPECT_THAT(overdue.out, HasSubstr("C-2026-0008"));
  EXPECT_THAT(overdue.out, ::testing::Not(HasSubstr("C-2026-0001")));
  RunResult majors = Ctl(dir, {"list", "--severity=MAJOR", "--format=json"});
  EXPECT_EQ(std::count(majors.out.begin(), majors.out.end(), '\n'), 3);

  RunResult csv = Ctl(dir, {"report", "--by=severity", "--format=csv"});
  EXPECT_THAT(csv.out, HasSubstr("severity,opened,archived"));
  // MAJOR at the time of each event: the cigarettes' first response after
  // 30 minutes, its result after 30 hours (the <=4320-minute bucket).
  EXPECT_THAT(csv.out, HasSubstr("MAJOR,2,1,0,1,30.0,<=30,<=30,1,30.0,<=4320,<=4320,100.0,"
                                 "10500.00,2,500.00,0,0,4.0"));

  RunResult tail = Ctl(dir, {"tail", "--from=60"});
  EXPECT_EQ(std::count(tail.out.begin(), tail.out.end(), '\n'), 10);
}

// DESIGN.md: an auditor verifies the chain from the stored bytes alone, in
// any language. Here: coreutils, nothing of docket's.
TEST(DocketctlTest, HashChainVerifiesWithCoreutilsFromStoredBytes) {
  const std::string dir = ExampleDir("chain");
  RunResult history = Ctl(dir, {"history", "C-2026-0004", "--format=stored"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  const std::vector<std::string> lines = absl::StrSplit(history.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 13u);  // The cigarettes case: 13 steps.
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
  EXPECT_EQ(tick.out,
            "tick at 2026-11-24T12:00:00Z: 29 warnings, 11 breaches, 6 escalations, "
            "0 appeal cases opened\n");
  EXPECT_THAT(Ctl(dir, {"tick", now}).out, HasSubstr(": 0 warnings, 0 breaches"));
  RunResult csv = Ctl(dir, {"report", "--by=severity", "--format=csv"});
  EXPECT_THAT(csv.out, HasSubstr("MAJOR,2,1,0,1,30.0,<=30,<=30,1,30.0,<=4320,<=4320,66.7,"
                                 "10500.00,2,500.00,6,3,4.0"));
  // The unacknowledged MAJOR e-mail complaint climbed to headquarters.
  EXPECT_THAT(Ctl(dir, {"show", "C-2026-0008"}).out,
              HasSubstr("\"handlingLevel\":\"LEVEL_HEADQUARTERS\""));
  EXPECT_EQ(Ctl(dir, {"verify"}).exit_code, 0);
  EXPECT_EQ(Ctl(dir, {"tick", now, "--every=1s"}).exit_code, 2);
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

}  // namespace
}  // namespace docket
