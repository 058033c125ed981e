// kafka_mock speaks Kafka to a client nobody here wrote: kcat (Debian's
// package) lists its topics, produces a keyed record and consumes it back.

#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/subprocess.h"

namespace docket {
namespace {

using ::testing::HasSubstr;

TEST(KafkaMockTest, KcatListsProducesAndConsumes) {
  const std::string out = testing::FreshDir("kafka_mock.out");
  const std::string empty = testing::FreshDir("kafka_mock.in");
  std::ofstream(empty).close();
  testing::Child mock({testing::KafkaMockPath(), "--brokers=3", "--partitions=6"}, empty, out);
  std::string bootstrap;
  for (int i = 0; i < 100 && bootstrap.empty(); ++i) {
    std::ifstream in(out);
    std::string line;
    if (std::getline(in, line) && absl::StartsWith(line, "bootstrap=") && in.good()) {
      bootstrap = std::string(absl::StripPrefix(line, "bootstrap="));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(bootstrap.empty()) << "kafka_mock printed no bootstrap line";
  EXPECT_EQ(std::count(bootstrap.begin(), bootstrap.end(), ','), 2) << bootstrap;

  auto listed = testing::RunProcess({"/usr/bin/kcat", "-L", "-b", bootstrap});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("3 brokers"));
  for (const char* topic : {"docket.commands", "docket.events", "docket.rejections"}) {
    EXPECT_THAT(listed.out, HasSubstr(absl::StrCat("topic \"", topic, "\" with 6 partitions")));
  }

  auto produced = testing::RunProcess(
      {"/usr/bin/kcat", "-P", "-b", bootstrap, "-t", "docket.commands", "-k", "C-1"},
      "{\"commandId\":\"c-1\"}\n");
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  auto consumed =
      testing::RunProcess({"/usr/bin/kcat", "-C", "-b", bootstrap, "-t", "docket.commands", "-o",
                           "beginning", "-c", "1", "-e", "-f", "%k|%s\\n"});
  ASSERT_EQ(consumed.exit_code, 0) << consumed.err;
  EXPECT_EQ(consumed.out, "C-1|{\"commandId\":\"c-1\"}\n");

  mock.Kill(SIGTERM);
  EXPECT_EQ(mock.Wait(), 0) << "kafka_mock must stop cleanly on SIGTERM";
}

}  // namespace
}  // namespace docket
