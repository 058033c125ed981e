// Backup and restore, as an operator runs them: a consistent copy taken
// while the directory stays in use, restored elsewhere and verified; a
// backup killed midway leaves nothing that looks like a complete backup.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/subprocess.h"

namespace docket {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::RunProcess;
using testing::RunResult;

RunResult Ctl(const std::string& dir, std::vector<std::string> args,
              const std::string& input = "") {
  args.insert(args.begin(), {testing::DocketctlPath(), "--data_dir=" + dir});
  return RunProcess(args, input);
}

TEST(BackupTest, ARestoredBackupVerifiesAndHoldsTheSameData) {
  const std::string dir = testing::DirWithExampleEvidence("live");
  ASSERT_EQ(Ctl(dir, {testing::kExamplesClock, "submit"},
                testing::ReadFileOrDie(testing::SeedCasesPath()))
                .exit_code,
            0);
  // A refusal on record is part of what is backed up.
  Ctl(dir, {"submit"},
      R"({"commandId":"refused-1","caseId":"C-NONE","actor":{"id":"E-101"},)"
      R"("acknowledge":{}})"
      "\n");
  const auto before = testing::DumpDataDir(dir);
  ASSERT_TRUE(before.ok());
  const std::string target = testing::FreshDir("backup-1");
  RunResult backup = Ctl(dir, {"backup", target});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_THAT(backup.out, HasSubstr("2 evidence files"));
  EXPECT_TRUE(fs::exists(target + "/BACKUP"));
  // The live directory goes on.
  EXPECT_EQ(Ctl(dir, {"verify"}).exit_code, 0);

  const std::string restored = testing::FreshDir("restored");
  RunResult restore = Ctl(restored, {"restore", target});
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  EXPECT_THAT(restore.out, HasSubstr("verify: OK: 9 cases, 72 events, 35 directory events"));
  EXPECT_THAT(restore.out, HasSubstr("1 rejections, 2 evidence files re-hashed"));
  EXPECT_EQ(*testing::DumpDataDir(restored), *before);
  // The restored directory is a working one; the backup stays as it was.
  EXPECT_EQ(Ctl(restored, {"tick", "--now=2026-11-24T00:00:00Z"}).exit_code, 0);
  const std::string again = testing::FreshDir("restored-again");
  ASSERT_EQ(Ctl(again, {"restore", target}).exit_code, 0);
  EXPECT_EQ(*testing::DumpDataDir(again), *before);

  // Never over an existing backup or data directory.
  EXPECT_EQ(Ctl(dir, {"backup", target}).exit_code, 2);
  EXPECT_EQ(Ctl(restored, {"restore", target}).exit_code, 2);
}

TEST(BackupTest, AKilledBackupLeavesNothingThatLooksComplete) {
  const std::string dir = testing::DirWithExampleEvidence("big");
  ASSERT_EQ(
      Ctl(dir, {testing::kExamplesClock, "submit"}, testing::ReplicatedExamples("K", 60)).exit_code,
      0);
  std::mt19937 rng(9);
  int complete = 0;
  for (int k = 0; k < 5; ++k) {
    const std::string target = testing::FreshDir(absl::StrCat("killed-backup-", k));
    testing::Child child({testing::DocketctlPath(), "--data_dir=" + dir, "backup", target},
                         "/dev/null", target + ".out");
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(1, 120)(rng)));
    child.Kill(SIGKILL);
    child.Wait();
    const std::string restored = testing::FreshDir(absl::StrCat("from-killed-", k));
    RunResult restore = Ctl(restored, {"restore", target});
    if (fs::exists(target)) {
      // It finished before the kill: then it is whole.
      ++complete;
      EXPECT_EQ(restore.exit_code, 0) << restore.err;
    } else {
      EXPECT_EQ(restore.exit_code, 2);
      EXPECT_THAT(restore.err, HasSubstr("not a complete docket backup"));
    }
    // What a killed backup left under its partial name is refused too.
    for (const auto& e : fs::directory_iterator(fs::path(target).parent_path())) {
      if (e.path().filename().string().rfind(fs::path(target).filename().string() + ".partial-",
                                             0) != 0) {
        continue;
      }
      RunResult partial =
          Ctl(testing::FreshDir(absl::StrCat("from-partial-", k)), {"restore", e.path().string()});
      EXPECT_EQ(partial.exit_code, 2) << e.path();
    }
  }
  RecordProperty("completed_before_kill", complete);
  // The live directory is unharmed by the kills.
  EXPECT_EQ(Ctl(dir, {"verify"}).exit_code, 0);
}

}  // namespace
}  // namespace docket
