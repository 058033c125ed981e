// docket on Kafka under faults: a stream of valid lifecycles runs while
// the mock cluster fails requests, a broker goes down, or engines are
// SIGKILLed; afterwards every command has exactly one outcome, equal to
// the embedded mode's, no revision is applied twice, and verify passes on
// every engine's data.

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kafka/wire.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/kafka_rig.h"
#include "tests/testing/outcomes.h"
#include "tests/testing/subprocess.h"

namespace docket {
namespace {

using testing::CheckTopics;
using testing::Child;
using testing::EngineDir;
using ::testing::HasSubstr;
using testing::Lines;
using testing::ListWhenCaughtUp;
using testing::Normalized;
using testing::Runfile;
using testing::RunProcess;
using testing::StartDocketd;
using testing::VerifiedEvents;
using testing::WriteFile;

// The faults: a stream of valid lifecycles runs while the cluster fails
// requests, a broker goes down, or engines are killed; then each command
// has exactly one outcome, the embedded mode's.
class KafkaFaultTest : public testing::KafkaClusterTest {
 protected:
  // Long enough that each fault lands mid-stream: the engine answers a few
  // thousand commands a second here.
  static constexpr int kReplicas = 30;  // 2,070 commands
  // Each copy of the examples without its merge: a merge's survivor lives
  // in another partition, often another engine's, where the link cannot be
  // checked (RULE_LINK, UNAVAILABLE), while the embedded mode sees it.
  static constexpr int kCommands = kReplicas * 69;

  void SetUp() override {
    KafkaClusterTest::SetUp();
    const std::string all = testing::ReplicatedExamples("K", kReplicas);
    for (absl::string_view line : absl::StrSplit(all, '\n', absl::SkipEmpty())) {
      if (!absl::StrContains(line, "\"merge\":")) absl::StrAppend(&input_, line, "\n");
    }
    input_path_ = WriteFile("stream.ndjson", input_);
  }

  // Starts the stream in the background; Finish waits for it.
  void StartStream() {
    out_path_ = testing::FreshDir("stream.out");
    stream_ = std::make_unique<Child>(
        std::vector<std::string>{testing::DocketctlPath(), "--brokers=" + bootstrap_,
                                 "--key_file=" + testing::SystemKeyFile(), "--timeout=240s",
                                 testing::kExamplesClock, "submit"},
        input_path_, out_path_, out_path_ + ".err");
  }

  // Waits until the stream has printed `n` outcomes; returns how many it
  // has (fewer than all: the fault that follows lands mid-stream).
  int WaitForOutcomes(int n) {
    int lines = 0;
    for (int i = 0; i < 6000 && lines < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::ifstream in(out_path_);
      lines = static_cast<int>(
          std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
    }
    EXPECT_GE(lines, n);
    EXPECT_LT(lines, kCommands) << "the stream ended before the fault";
    return lines;
  }

  void FinishAndCheck(const std::vector<std::string>& dirs) {
    ASSERT_EQ(stream_->Wait(), 0) << "some command got no outcome";
    std::ifstream in(out_path_);
    std::stringstream out;
    out << in.rdbuf();
    const std::string reference = EngineDir("embedded");
    EXPECT_EQ(Normalized(out.str()), Normalized(testing::SubmitEmbedded(reference, input_)));
    const size_t revisions = CheckTopics(bootstrap_);
    EXPECT_EQ(static_cast<int64_t>(revisions), VerifiedEvents(reference));
    for (const std::string& dir : dirs) EXPECT_GT(VerifiedEvents(dir), 0) << dir;
  }

  std::string input_, input_path_, out_path_;
  std::unique_ptr<Child> stream_;
};

TEST_F(KafkaFaultTest, InjectedErrorsAndABrokerDown) {
  const std::string a = EngineDir("faults");
  std::unique_ptr<Child> engine = StartDocketd(bootstrap_, a, "a", {"--batch=16"});
  StartStream();
  WaitForOutcomes(60);
  cluster_->PushErrors(kafka::MockCluster::kProduce, {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                                      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
  cluster_->PushErrors(
      kafka::MockCluster::kAddOffsetsToTxn,
      {RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS});
  cluster_->PushErrors(
      kafka::MockCluster::kEndTxn,
      {RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS});
  WaitForOutcomes(200);
  cluster_->SetBrokerDown(2);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  cluster_->SetBrokerUp(2);
  FinishAndCheck({a});
  engine->Kill(SIGTERM);
  EXPECT_EQ(engine->Wait(), 0);
}

TEST_F(KafkaFaultTest, SigkillMidTransactionThenRestart) {
  const std::string a = EngineDir("killed");
  std::unique_ptr<Child> engine = StartDocketd(bootstrap_, a, "a", {"--batch=8"});
  StartStream();
  for (int kill = 1; kill <= 3; ++kill) {
    WaitForOutcomes(kCommands * kill / 5);
    engine->Kill(SIGKILL);
    EXPECT_EQ(engine->Wait(), -SIGKILL);
    engine = StartDocketd(bootstrap_, a, "a", {"--batch=8"});
  }
  FinishAndCheck({a});
  engine->Kill(SIGTERM);
  EXPECT_EQ(engine->Wait(), 0);
}

// Whether the engine logging to `dir`.log last owned some but not all of
// the six partitions.
bool OwnsSome(const std::string& dir) {
  std::ifstream in(dir + ".log");
  std::string line, last;
  while (std::getline(in, line)) {
    if (absl::StrContains(line, "assigned") || absl::StrContains(line, "revoked")) last = line;
  }
  const auto owned = std::count(last.begin(), last.end(), '@');
  return absl::StrContains(last, "assigned") && owned > 0 && owned < 6;
}

TEST_F(KafkaFaultTest, TwoEnginesInOneGroupOneKilled) {
  const std::string a = EngineDir("pair-a");
  const std::string b = EngineDir("pair-b");
  std::unique_ptr<Child> first = StartDocketd(bootstrap_, a, "a", {"--batch=8"});
  std::unique_ptr<Child> second = StartDocketd(bootstrap_, b, "b", {"--batch=8"});
  // Both in the group, each owning some partitions.
  for (int i = 0; i < 300 && !(OwnsSome(a) && OwnsSome(b)); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(OwnsSome(a) && OwnsSome(b)) << "the group did not share the partitions";
  StartStream();
  WaitForOutcomes(kCommands / 4);
  second->Kill(SIGKILL);
  EXPECT_EQ(second->Wait(), -SIGKILL);
  FinishAndCheck({a, b});
  first->Kill(SIGTERM);
  EXPECT_EQ(first->Wait(), 0);
}

}  // namespace
}  // namespace docket
