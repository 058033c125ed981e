// A full disk, on a small tmpfs. Before: `submit` aborted with exit 134 (an
// assertion in RocksDB's file logger). Now it stops with a clear error
// (exit 2), acknowledges nothing it did not commit, and works again once
// space is freed. Needs root to mount the tmpfs (CI runs as root).

#include <sys/mount.h>

#include <filesystem>
#include <set>
#include <string>

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
using testing::RunProcess;
using testing::RunResult;

RunResult Ctl(const std::string& dir, std::vector<std::string> args,
              const std::string& input = "") {
  args.insert(args.begin(), {testing::DocketctlPath(), "--data_dir=" + dir});
  return RunProcess(args, input);
}

// The event ids of the accepted outcomes in `out` (docketctl submit's).
std::set<std::string> AcceptedEventIds(const std::string& text) {
  std::set<std::string> ids;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    for (size_t at = line.find("\"eventId\":\""); at != absl::string_view::npos;
         at = line.find("\"eventId\":\"", at + 1)) {
      const size_t start = at + 11;
      ids.insert(std::string(line.substr(start, line.find('"', start) - start)));
    }
  }
  return ids;
}

class FullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mount_ = testing::FreshDir("small-disk");
    std::filesystem::create_directories(mount_);
    if (::mount("tmpfs", mount_.c_str(), "tmpfs", 0, "size=3m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (not root?)";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) ::umount(mount_.c_str());
  }
  void Grow() { ASSERT_EQ(::mount("tmpfs", mount_.c_str(), "tmpfs", MS_REMOUNT, "size=64m"), 0); }
  std::string mount_;
  bool mounted_ = false;
};

TEST_F(FullDiskTest, SubmitStopsCleanlyAndWorksAgainOnceSpaceIsFreed) {
  const std::string dir = mount_ + "/data";
  testing::Organise(dir);
  ASSERT_EQ(Ctl(dir, {"put-evidence", testing::Runfile("examples/evidence/acrylic_sign_crack.png"),
                      testing::Runfile("examples/evidence/laptop_screen_crack.png")})
                .exit_code,
            0);
  const std::string stream = testing::ReplicatedExamples("F", 200);
  RunResult full = Ctl(dir, {testing::kExamplesClock, "submit"}, stream);
  EXPECT_EQ(full.exit_code, 2) << full.err;
  EXPECT_THAT(full.err, HasSubstr("the disk is full"));
  const std::set<std::string> acknowledged = AcceptedEventIds(full.out);
  ASSERT_FALSE(acknowledged.empty());

  // Everything acknowledged is there, and the directory reads and verifies.
  RunResult verified = Ctl(dir, {"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  const std::set<std::string> logged = AcceptedEventIds(Ctl(dir, {"tail"}).out);
  for (const std::string& id : acknowledged) {
    ASSERT_TRUE(logged.count(id)) << "acknowledged event " << id << " is not in the log";
  }
  // Evidence too stops cleanly, leaving nothing half-written behind.
  const std::string big = testing::WriteFile("big.png", std::string(4 << 20, 'x'));
  RunResult put = Ctl(dir, {"put-evidence", big});
  EXPECT_EQ(put.exit_code, 2);
  for (const auto& e : std::filesystem::directory_iterator(dir + "/evidence")) {
    EXPECT_EQ(e.path().filename().string().rfind("incoming-", 0), std::string::npos);
  }

  Grow();
  RunResult again = Ctl(dir, {testing::kExamplesClock, "submit"}, stream);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Ctl(dir, {"verify"}).exit_code, 0);
  const std::set<std::string> all = AcceptedEventIds(Ctl(dir, {"tail"}).out);
  // 200 copies of the examples, after the directory's 35 events.
  EXPECT_EQ(all.size(), 200u * testing::ReadLines(testing::SeedCasesPath()).size() + 35u);
}

}  // namespace
}  // namespace docket
