// Readers and writers of one data directory, as real processes. Before:
// while `tick --every` ran every submit failed on the directory's lock;
// read-only commands failed now and then with "No such file" during a
// write; after a killed replay, list, show and report showed partial data
// with exit 0.

#include <signal.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/store.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/subprocess.h"

namespace docket {
namespace {

using ::testing::HasSubstr;
using testing::RunProcess;
using testing::RunResult;

RunResult Ctl(const std::string& dir, std::vector<std::string> args,
              const std::string& input = "") {
  args.insert(args.begin(), {testing::DocketctlPath(), "--data_dir=" + dir});
  return RunProcess(args, input);
}

std::string Examples() { return testing::ReadFileOrDie(testing::SeedCasesPath()); }

TEST(ReadersWritersTest, ASubmitTakesItsTurnWhileTickEveryRuns) {
  const std::string dir = testing::DirWithExampleEvidence("tick-every");
  testing::Child ticker({testing::DocketctlPath(), "--data_dir=" + dir, "tick", "--every=1s"},
                        "/dev/null", dir + ".tick.out", dir + ".tick.err");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int round = 0; round < 3; ++round) {
    const std::string input = testing::ReplicatedExamples(absl::StrCat("TE", round), 1);
    RunResult submitted = Ctl(dir, {testing::kExamplesClock, "submit"}, input);
    EXPECT_EQ(submitted.exit_code, 0) << submitted.err;
  }
  ticker.Kill(SIGTERM);
  EXPECT_EQ(ticker.Wait(), 0);
  EXPECT_EQ(Ctl(dir, {"verify"}).exit_code, 0);
}

TEST(ReadersWritersTest, ReadersNeverFailBecauseAWriterIsBusy) {
  const std::string dir = testing::DirWithExampleEvidence("busy");
  ASSERT_EQ(Ctl(dir, {testing::kExamplesClock, "submit"}, Examples()).exit_code, 0);
  const std::string stream =
      testing::WriteFile("busy-stream.ndjson", testing::ReplicatedExamples("B", 80));
  // A writer with small groups and a compaction behind it: files come and go.
  testing::Child writer({testing::DocketctlPath(), "--data_dir=" + dir, testing::kExamplesClock,
                         "--batch=4", "submit"},
                        stream, dir + ".writer.out");
  int reads = 0;
  for (int i = 0; i < 40; ++i) {
    for (const std::vector<std::string>& read :
         std::vector<std::vector<std::string>>{{"list"}, {"report"}, {"show", "C-2026-0001"}}) {
      RunResult r = Ctl(dir, read);
      EXPECT_EQ(r.exit_code, 0) << read[0] << ": " << r.err;
      ++reads;
    }
    if (i == 20) {
      EXPECT_EQ(Ctl(dir, {"compact"}).exit_code, 0);
    }
  }
  EXPECT_EQ(writer.Wait(), 0);
  RecordProperty("reads", reads);
  EXPECT_EQ(Ctl(dir, {"verify"}).exit_code, 0);
}

TEST(ReadersWritersTest, AnUnfinishedReplayIsReportedNotShownAsPartialData) {
  const std::string dir = testing::DirWithExampleEvidence("replay");
  ASSERT_EQ(Ctl(dir, {testing::kExamplesClock, "submit"}, Examples()).exit_code, 0);
  const std::string full_list = Ctl(dir, {"list"}).out;
  {
    // What a replay killed after clearing the projections leaves.
    std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite);
    ASSERT_TRUE(store->ClearProjections().ok());
  }
  for (const std::vector<std::string>& read : std::vector<std::vector<std::string>>{
           {"list"}, {"report"}, {"show", "C-2026-0001"}, {"history", "C-2026-0001"}}) {
    RunResult r = Ctl(dir, read);
    EXPECT_EQ(r.exit_code, 2) << read[0] << " showed: " << r.out;
    EXPECT_THAT(r.err, HasSubstr("behind the log")) << read[0];
  }
  EXPECT_EQ(Ctl(dir, {"replay"}).exit_code, 0);
  EXPECT_EQ(Ctl(dir, {"list"}).out, full_list);

  // Real kills at random moments: each read shows all the data, or says
  // the replay is unfinished; never less data with exit 0.
  ASSERT_EQ(
      Ctl(dir, {testing::kExamplesClock, "submit"}, testing::ReplicatedExamples("P", 40)).exit_code,
      0);
  const std::string bigger_list = Ctl(dir, {"list"}).out;
  std::mt19937 rng(3);
  for (int k = 0; k < 4; ++k) {
    testing::Child replay({testing::DocketctlPath(), "--data_dir=" + dir, "replay"}, "/dev/null",
                          dir + ".replay.out");
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 200)(rng)));
    replay.Kill(SIGKILL);
    replay.Wait();
    RunResult r = Ctl(dir, {"list"});
    if (r.exit_code == 0) {
      EXPECT_EQ(r.out, bigger_list) << "a reader showed partial data";
    } else {
      EXPECT_EQ(r.exit_code, 2);
      EXPECT_THAT(r.err, HasSubstr("behind the log"));
    }
  }
  EXPECT_EQ(Ctl(dir, {"replay"}).exit_code, 0);
  EXPECT_EQ(Ctl(dir, {"verify"}).exit_code, 0);
}

}  // namespace
}  // namespace docket
