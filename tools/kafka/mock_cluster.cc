#include "tools/kafka/mock_cluster.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace docket::kafka {

absl::StatusOr<std::unique_ptr<MockCluster>> MockCluster::Start(
    int brokers, int partitions, const std::vector<std::string>& topics) {
  if (brokers < 1 || partitions < 1) {
    return absl::InvalidArgumentError("brokers and partitions must be at least 1");
  }
  std::unique_ptr<MockCluster> mock(new MockCluster());
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The brokers' sockets take this handle's settings: without TCP_NODELAY a
  // response written in two pieces waits for the client's delayed ACK (about
  // 40 ms on Linux loopback), which stalls every transaction commit.
  for (const auto& [key, value] :
       {std::pair<const char*, const char*>{"log_level", "3"}, {"socket.nagle.disable", "true"}}) {
    if (rd_kafka_conf_set(conf, key, value, error, sizeof(error)) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InternalError(error);
    }
  }
  // The handle only hosts the cluster; it never produces.
  mock->handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (mock->handle_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(error);
  }
  mock->cluster_ = rd_kafka_mock_cluster_new(mock->handle_, brokers);
  if (mock->cluster_ == nullptr) return absl::InternalError("could not start the mock cluster");
  for (const std::string& topic : topics) {
    const rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(mock->cluster_, topic.c_str(), partitions, std::min(brokers, 3));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::InternalError(absl::StrCat("creating ", topic, ": ", rd_kafka_err2str(err)));
    }
  }
  return mock;
}

MockCluster::~MockCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
  if (handle_ != nullptr) rd_kafka_destroy(handle_);
}

std::string MockCluster::bootstrap() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }

void MockCluster::PushErrors(int16_t api_key, const std::vector<rd_kafka_resp_err_t>& errors) {
  rd_kafka_mock_push_request_errors_array(cluster_, api_key, errors.size(), errors.data());
}

void MockCluster::SetBrokerDown(int32_t broker_id) {
  rd_kafka_mock_broker_set_down(cluster_, broker_id);
}

void MockCluster::SetBrokerUp(int32_t broker_id) {
  rd_kafka_mock_broker_set_up(cluster_, broker_id);
}

}  // namespace docket::kafka
