// docket_bench keeps working: its workload is deterministic and valid, and a
// tiny run produces every figure. No timing is asserted: the bench is a
// tool, and its numbers belong in BENCHMARKS.md.

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/subprocess.h"

namespace docket {
namespace {

using ::testing::HasSubstr;
using testing::Runfile;
using testing::RunProcess;

TEST(BenchTest, GenerateIsDeterministicAndMostlyAccepted) {
  auto a = RunProcess({testing::DocketBenchPath(), "generate", "--cases=40", "--seed=7"});
  auto b = RunProcess({testing::DocketBenchPath(), "generate", "--cases=40", "--seed=7"});
  auto c = RunProcess({testing::DocketBenchPath(), "generate", "--cases=40", "--seed=8"});
  ASSERT_EQ(a.exit_code, 0);
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  const std::vector<std::string> lines = absl::StrSplit(a.out, '\n', absl::SkipEmpty());
  // Complaints of 10-17 commands, inquiries of 2-4, suggestions of 5,
  // recoveries of 4.
  EXPECT_GT(lines.size(), 40u * 6);
  EXPECT_LT(lines.size(), 40u * 17);
  std::set<std::string> opened;  // The cases the stream opens, strays aside.
  int inquiries = 0, suggestions = 0, recoveries = 0;
  for (const std::string& line : lines) {
    if (line.find("\"openCase\"") == std::string::npos || line.find("-NOWHERE") != line.npos) {
      continue;
    }
    const size_t at = line.find("\"caseId\":\"") + 10;
    if (!opened.insert(line.substr(at, line.find('"', at) - at)).second) continue;
    inquiries += line.find("CASE_KIND_INQUIRY") != std::string::npos;
    suggestions += line.find("CASE_KIND_SUGGESTION") != std::string::npos;
    recoveries += line.find("CASE_KIND_RECOVERY") != std::string::npos;
  }
  EXPECT_EQ(static_cast<int>(opened.size()) - recoveries, 40);
  EXPECT_GT(inquiries, 0);
  EXPECT_LT(inquiries + suggestions, 20);

  // Through docketctl: every lifecycle is accepted and closed (archived, or
  // referred after special handling); only the deliberately bad commands
  // are refused or repeated.
  const std::string dir = testing::DirWithExampleEvidence("bench-generated");
  auto submitted = RunProcess(
      {testing::DocketctlPath(), "--data_dir=" + dir, testing::kExamplesClock, "submit"}, a.out);
  const std::vector<std::string> outcomes = absl::StrSplit(submitted.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(outcomes.size(), lines.size());
  int rejected = 0, duplicates = 0;
  for (const std::string& o : outcomes) {
    rejected += o.find("\"rejection\"") != std::string::npos;
    duplicates += o.find("\"duplicate\":true") != std::string::npos;
  }
  EXPECT_GT(rejected + duplicates, 0);
  EXPECT_LT(rejected + duplicates, static_cast<int>(lines.size() / 10));
  int closed = 0;
  for (const char* status : {"ARCHIVED", "REFERRED"}) {
    auto listed = RunProcess({testing::DocketctlPath(), "--data_dir=" + dir, "list",
                              absl::StrCat("--status=", status), "--format=json"});
    for (const std::string& id : opened) closed += listed.out.find(id + "\"") != std::string::npos;
  }
  EXPECT_EQ(closed, static_cast<int>(opened.size()));
  EXPECT_EQ(RunProcess({testing::DocketctlPath(), "--data_dir=" + dir, "verify"}).exit_code, 0);
}

TEST(BenchTest, QuickRunReportsEveryFigure) {
  const std::string json = testing::FreshDir("bench.json");
  auto run = RunProcess({testing::DocketBenchPath(), "run", "--quick", "--cases=60",
                         "--json=" + json, "--work_dir=" + testing::FreshDir("bench-work")});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("replay_vs_raw"));
  std::ifstream in(json);
  std::stringstream text;
  text << in.rdbuf();
  for (const char* key :
       {"submit_commands_per_s", "submit_p50_ms", "submit_p99_ms", "replay_events_per_s",
        "raw_rocksdb_puts_per_s", "replay_vs_raw", "submit_vs_raw", "postgres_commands_per_s",
        "submit_vs_postgres", "kafka_commands_per_s", "kafka_p99_ms", "kafka_vs_submit",
        "api_commands_per_s", "api_p99_ms", "api_vs_submit", "peak_rss_mb"}) {
    EXPECT_THAT(text.str(), HasSubstr(absl::StrCat("\"", key, "\":")));
    EXPECT_THAT(text.str(), ::testing::Not(HasSubstr(absl::StrCat("\"", key, "\":null")))) << key;
  }
}

}  // namespace
}  // namespace docket
