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

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_split.h"

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
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error)) != RD_KAFKA_CONF_OK) {
    std::cerr << "kafka_mock: " << error << "\n";
    return 2;
  }
  // The handle only hosts the cluster; it never produces.
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (rk == nullptr) {
    std::cerr << "kafka_mock: " << error << "\n";
    return 2;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == nullptr) {
    std::cerr << "kafka_mock: could not start the mock cluster\n";
    rd_kafka_destroy(rk);
    return 2;
  }
  for (absl::string_view topic :
       absl::StrSplit(absl::GetFlag(FLAGS_topics), ',', absl::SkipEmpty())) {
    const rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(
        cluster, std::string(topic).c_str(), partitions, std::min(brokers, 3));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::cerr << "kafka_mock: creating " << topic << ": " << rd_kafka_err2str(err) << "\n";
      return 2;
    }
  }
  std::signal(SIGTERM, RequestStop);
  std::signal(SIGINT, RequestStop);
  std::printf("bootstrap=%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);
  while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
