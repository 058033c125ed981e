// kafka_mock: a local Kafka-protocol cluster (librdkafka's mock cluster) with
// docket's topics, for tests and for trying the Kafka mode without a broker.
//
//   kafka_mock [--brokers=3] [--partitions=6]
//
// Prints "bootstrap=HOST:PORT,..." as its first line, then serves on
// loopback until SIGTERM or SIGINT, and exits 0.
//
// Caveat (librdkafka 2.0.2): the mock cluster hands records of aborted
// transactions to read_committed consumers; a real broker does not. docket
// must be correct on both.

#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_split.h"
#include "tools/kafka/mock_cluster.h"

ABSL_FLAG(int32_t, brokers, 3, "Number of brokers.");
ABSL_FLAG(int32_t, partitions, 6, "Partitions per topic.");
ABSL_FLAG(std::string, topics, "docket.commands,docket.events,docket.rejections",
          "Comma-separated topics to create.");

namespace {

volatile std::sig_atomic_t stop_requested = 0;
void RequestStop(int) { stop_requested = 1; }

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "kafka_mock [--brokers=3] [--partitions=6]: a local Kafka-protocol cluster");
  absl::ParseCommandLine(argc, argv);
  const int brokers = absl::GetFlag(FLAGS_brokers);
  const int partitions = absl::GetFlag(FLAGS_partitions);
  if (brokers < 1 || partitions < 1) {
    std::cerr << "kafka_mock: --brokers and --partitions must be at least 1\n";
    return 2;
  }
  std::vector<std::string> topics =
      absl::StrSplit(absl::GetFlag(FLAGS_topics), ',', absl::SkipEmpty());
  absl::StatusOr<std::unique_ptr<docket::kafka::MockCluster>> cluster =
      docket::kafka::MockCluster::Start(brokers, partitions, topics);
  if (!cluster.ok()) {
    std::cerr << "kafka_mock: " << cluster.status().message() << "\n";
    return 2;
  }
  std::signal(SIGTERM, RequestStop);
  std::signal(SIGINT, RequestStop);
  std::printf("bootstrap=%s\n", (*cluster)->bootstrap().c_str());
  std::fflush(stdout);
  while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return 0;
}
