// The deadline scanner fires each warning and breach exactly once across
// crashes: `docketctl tick` is killed with SIGKILL at random moments of a
// large scan and restarted; the log must equal that of one uninterrupted
// tick at the same instant (submission times aside), and verify must pass.

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/subprocess.h"

namespace docket {
namespace {

using testing::Runfile;
using testing::RunProcess;

constexpr int kReplicas = 40;
constexpr int kKills = 6;
// A drill clock at which every clock of the examples has passed.
constexpr char kNow[] = "--clock=2026-12-20T00:00:00Z";

std::string Prepare(const std::string& name, const std::string& stream) {
  const std::string dir = testing::DirWithExampleEvidence(name);
  EXPECT_EQ(
      RunProcess({testing::DocketctlPath(), "--data_dir=" + dir, testing::kExamplesClock, "submit"},
                 stream)
          .exit_code,
      0);
  return dir;
}

// Every event of the log, recorded times masked, sorted: each case's
// history, whatever order the scans interleaved the cases in.
std::string MaskedEvents(const std::string& dir) {
  static const std::regex kRecorded("\"recordedAt\":\"[^\"]*\"");
  const std::string tail = std::regex_replace(
      RunProcess({testing::DocketctlPath(), "--data_dir=" + dir, "tail", "--from=beginning"}).out,
      kRecorded, "\"recordedAt\":\"-\"");
  std::vector<std::string> lines = absl::StrSplit(tail, '\n', absl::SkipEmpty());
  std::sort(lines.begin(), lines.end());
  return absl::StrJoin(lines, "\n") + "\n";
}

TEST(TickCrashTest, EachWarningAndBreachIsRecordedOnceAcrossKills) {
  const std::string stream = testing::ReplicatedExamples("T", kReplicas);
  const std::string reference = Prepare("tick-reference", stream);
  const auto started = std::chrono::steady_clock::now();
  testing::RunResult ref =
      RunProcess({testing::DocketctlPath(), "--data_dir=" + reference, "tick", kNow});
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  std::smatch counts;
  ASSERT_TRUE(std::regex_search(ref.out, counts, std::regex("(\\d+) warnings, (\\d+) breaches")));
  EXPECT_GT(std::stoi(counts[1]), 0);
  EXPECT_GT(std::stoi(counts[2]), 0);
  RecordProperty("reference_tick", ref.out);

  const std::string dir = Prepare("tick-crashing", stream);
  const std::string empty = testing::FreshDir("empty-stdin");
  std::ofstream(empty).close();
  std::mt19937 rng(5);
  const int64_t micros =
      std::max<int64_t>(1000, std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  int interrupted = 0;
  for (int k = 0; k < kKills; ++k) {
    testing::Child child({testing::DocketctlPath(), "--data_dir=" + dir, "tick", kNow}, empty,
                         testing::FreshDir(absl::StrCat("tick-out-", k)));
    std::this_thread::sleep_for(std::chrono::microseconds(
        std::uniform_int_distribution<int64_t>(micros / 20, micros / 2)(rng)));
    child.Kill(SIGKILL);
    interrupted += child.Wait() == -SIGKILL;
  }
  RecordProperty("interrupted", interrupted);
  EXPECT_GE(interrupted, 1) << "no kill landed before a tick finished";
  testing::RunResult last =
      RunProcess({testing::DocketctlPath(), "--data_dir=" + dir, "tick", kNow});
  ASSERT_EQ(last.exit_code, 0) << last.err;

  testing::RunResult verified =
      RunProcess({testing::DocketctlPath(), "--data_dir=" + dir, "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  const std::string expected = MaskedEvents(reference);
  const std::string actual = MaskedEvents(dir);
  EXPECT_EQ(std::count(actual.begin(), actual.end(), '\n'),
            std::count(expected.begin(), expected.end(), '\n'));
  EXPECT_TRUE(actual == expected) << "the scanner's record differs from an uninterrupted tick's";
  EXPECT_NE(actual.find("\"deadlineBreached\""), std::string::npos);
  EXPECT_NE(actual.find("\"LINK_KIND_REGULATOR_APPEAL\""), std::string::npos);
}

}  // namespace
}  // namespace docket
