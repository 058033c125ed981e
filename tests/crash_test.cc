// Crash safety: a real `docketctl submit` on a large command stream is
// killed with SIGKILL at random moments, then restarted on the whole stream
// (idempotent submission makes that safe), several times. Afterwards:
// - verify passes;
// - the event log equals that of an uninterrupted run of the same stream
//   (recorded times aside);
// - every outcome acknowledged before a kill is in the final history,
//   byte for byte as it was acknowledged.

#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/subprocess.h"

namespace docket {
namespace {

using testing::Runfile;
using testing::RunProcess;

constexpr int kReplicas = 60;  // 60 × 72 = 4,320 commands.
constexpr int kKills = 6;

// The examples, replicated under distinct case ids, in a file.
std::string WriteStream(const std::string& path) {
  std::ofstream(path) << testing::ReplicatedExamples("R", kReplicas);
  return path;
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// The complete lines (ending in a newline) written to `path` so far.
std::vector<std::string> CompleteLines(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t end = text.rfind('\n');
  return end == std::string::npos ? std::vector<std::string>() : Lines(text.substr(0, end));
}

std::string WithoutRecordedAt(const std::string& s) {
  static const std::regex kRecorded("\"recordedAt\":\"[^\"]*\"");
  return std::regex_replace(s, kRecorded, "\"recordedAt\":\"-\"");
}

std::string CommandIdOf(const std::string& outcome) {
  static const std::regex kId("^\\{\"commandId\":\"([^\"]+)\"");
  std::smatch m;
  return std::regex_search(outcome, m, kId) ? m[1].str() : "";
}

// The events of an outcome line, as JSON text ("[...]"), without the
// "duplicate" flag.
std::string EventsOf(const std::string& outcome) {
  const size_t start = outcome.find("\"events\":[");
  return start == std::string::npos ? "" : outcome.substr(start);
}

TEST(CrashTest, KilledSubmissionsLoseNothingAcknowledged) {
  const std::string stream = WriteStream(testing::FreshDir("stream.ndjson"));
  const int total = kReplicas * testing::ReadLines(testing::SeedCasesPath()).size();

  // The reference: one uninterrupted run.
  const std::string reference = testing::DirWithExampleEvidence("reference");
  std::ifstream in(stream);
  std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  testing::RunResult ref = RunProcess(
      {testing::DocketctlPath(), "--data_dir=" + reference, testing::kExamplesClock, "submit"},
      input);
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  ASSERT_EQ(Lines(ref.out).size(), static_cast<size_t>(total));
  const std::string ref_tail =
      RunProcess({testing::DocketctlPath(), "--data_dir=" + reference, "tail", "--from=beginning"})
          .out;

  // The crashes: small groups, so a kill lands between and inside commits.
  const std::string dir = testing::DirWithExampleEvidence("crashing");
  std::mt19937 rng(20261124);
  std::map<std::string, std::string> acknowledged;  // command id -> events
  int interrupted = 0;
  for (int k = 0; k < kKills; ++k) {
    const std::string out = testing::FreshDir(absl::StrCat("out-", k));
    // At least 1,000 commands before the end: with faster JSON, 200 were
    // sometimes all submitted before the kill landed, and every later run,
    // all duplicates then, ended before its kill too.
    const int kill_after = std::uniform_int_distribution<int>(1, total - 1000)(rng);
    testing::Child child({testing::DocketctlPath(), "--data_dir=" + dir, testing::kExamplesClock,
                          "--batch=8", "submit"},
                         stream, out);
    // Kill once at least `kill_after` outcomes were printed, plus a little.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (CompleteLines(out).size() < static_cast<size_t>(kill_after) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    std::this_thread::sleep_for(
        std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(rng)));
    child.Kill(SIGKILL);
    const int status = child.Wait();
    interrupted += status == -SIGKILL;
    for (const std::string& line : CompleteLines(out)) {
      if (line.find("\"events\"") == std::string::npos) continue;
      acknowledged[CommandIdOf(line)] = EventsOf(line);
    }
  }
  EXPECT_GE(interrupted, kKills - 1) << "most runs must really be cut short";
  EXPECT_GT(acknowledged.size(), 0u);

  // The last run completes the stream.
  testing::RunResult last = RunProcess(
      {testing::DocketctlPath(), "--data_dir=" + dir, testing::kExamplesClock, "submit"}, input);
  ASSERT_EQ(last.exit_code, 0) << last.err;
  const std::vector<std::string> outcomes = Lines(last.out);
  ASSERT_EQ(outcomes.size(), static_cast<size_t>(total));
  std::map<std::string, std::string> final_events;
  for (const std::string& line : outcomes) final_events[CommandIdOf(line)] = EventsOf(line);
  int checked = 0;
  for (const auto& [id, events] : acknowledged) {
    ASSERT_EQ(final_events[id], events) << "acknowledged outcome of " << id << " changed";
    ++checked;
  }
  RecordProperty("acknowledged_before_kills", checked);

  testing::RunResult verified =
      RunProcess({testing::DocketctlPath(), "--data_dir=" + dir, "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  const std::string tail =
      RunProcess({testing::DocketctlPath(), "--data_dir=" + dir, "tail", "--from=beginning"}).out;
  EXPECT_EQ(Lines(tail).size(), Lines(ref_tail).size());
  EXPECT_TRUE(WithoutRecordedAt(tail) == WithoutRecordedAt(ref_tail))
      << "the log differs from the uninterrupted run's";
}

// A generated stream (docket_bench generate) in which some cases get an
// archive too early, refused, and the same command again once the case has
// moved on. Before every outcome was recorded, a SIGKILL during submit
// followed by a full resubmission decided those refused commands again
// against a newer state and ended in another log (5 times out of 6).
TEST(CrashTest, KilledSubmissionsOfAGeneratedStreamEndInTheUninterruptedLog) {
  testing::RunResult generated =
      RunProcess({testing::DocketBenchPath(), "generate", "--cases=300", "--seed=11"});
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  // After each fifth case's intake, an archive that comes too early; the
  // very same command again at the end of the stream.
  std::string input, resent;
  int opened = 0;
  for (const std::string& line : Lines(generated.out)) {
    absl::StrAppend(&input, line, "\n");
    if (line.find("\"openCase\"") == std::string::npos || ++opened % 5 != 0) continue;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, std::regex("\"caseId\":\"([^\"]+)\"")));
    const std::string early =
        absl::StrCat(R"({"commandId":"early-archive-)", m[1].str(), R"(","caseId":")", m[1].str(),
                     R"(","actor":{"id":"E-101"},)", R"("archive":{"note":"closing"}})", "\n");
    absl::StrAppend(&input, early);
    absl::StrAppend(&resent, early);
  }
  input += resent;
  const std::string stream = testing::WriteFile("generated.ndjson", input);
  const size_t total = Lines(input).size();

  const std::string reference = testing::DirWithExampleEvidence("generated-reference");
  testing::RunResult ref = RunProcess(
      {testing::DocketctlPath(), "--data_dir=" + reference, testing::kExamplesClock, "submit"},
      input);
  ASSERT_EQ(Lines(ref.out).size(), total);
  EXPECT_NE(ref.out.find("RULE_ARCHIVE_PRECONDITIONS"), std::string::npos);

  const std::string dir = testing::DirWithExampleEvidence("generated-crashing");
  std::mt19937 rng(11);
  int interrupted = 0;
  for (int k = 0; k < 5; ++k) {
    const std::string out = testing::FreshDir(absl::StrCat("generated-out-", k));
    const int kill_after = std::uniform_int_distribution<int>(1, total - 100)(rng);
    testing::Child child({testing::DocketctlPath(), "--data_dir=" + dir, testing::kExamplesClock,
                          "--batch=16", "submit"},
                         stream, out);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (CompleteLines(out).size() < static_cast<size_t>(kill_after) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    child.Kill(SIGKILL);
    interrupted += child.Wait() == -SIGKILL;
  }
  EXPECT_GE(interrupted, 4) << "most runs must really be cut short";
  testing::RunResult last = RunProcess(
      {testing::DocketctlPath(), "--data_dir=" + dir, testing::kExamplesClock, "submit"}, input);
  ASSERT_EQ(Lines(last.out).size(), total);

  // Every command, in the final run, answers as in the uninterrupted one:
  // a refused command its first refusal, wherever the kills fell.
  const auto answers = [](const std::string& out) {
    static const std::regex kRule("\"rule\":\"([A-Z_]+)\"");
    std::vector<std::string> rules;
    for (const std::string& line : Lines(out)) {
      std::smatch m;
      rules.push_back(CommandIdOf(line) + " " +
                      (std::regex_search(line, m, kRule) ? m[1].str() : "accepted"));
    }
    return rules;
  };
  EXPECT_EQ(answers(last.out), answers(ref.out));
  const auto tail = [](const std::string& d) {
    return WithoutRecordedAt(
        RunProcess({testing::DocketctlPath(), "--data_dir=" + d, "tail", "--from=beginning"}).out);
  };
  EXPECT_TRUE(tail(dir) == tail(reference)) << "the log differs from the uninterrupted run's";
  const auto refusals = [](const std::string& d) {
    return RunProcess({testing::DocketctlPath(), "--data_dir=" + d, "rejections"}).out;
  };
  EXPECT_EQ(refusals(dir), refusals(reference));
  EXPECT_EQ(RunProcess({testing::DocketctlPath(), "--data_dir=" + dir, "verify"}).exit_code, 0);
}

}  // namespace
}  // namespace docket
