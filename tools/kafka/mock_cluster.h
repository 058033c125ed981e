#ifndef DOCKET_TOOLS_KAFKA_MOCK_CLUSTER_H_
#define DOCKET_TOOLS_KAFKA_MOCK_CLUSTER_H_

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace docket::kafka {

// librdkafka's mock cluster on loopback with docket's three topics: the
// Kafka of kafka_mock and of the tests, with fault injection.
class MockCluster {
 public:
  // Kafka protocol request keys, for PushErrors.
  static constexpr int16_t kProduce = 0;
  static constexpr int16_t kAddOffsetsToTxn = 25;
  static constexpr int16_t kEndTxn = 26;

  static absl::StatusOr<std::unique_ptr<MockCluster>> Start(
      int brokers, int partitions,
      const std::vector<std::string>& topics = {"docket.commands", "docket.events",
                                                "docket.rejections"});
  ~MockCluster();

  // "HOST:PORT,..." of its brokers.
  std::string bootstrap() const;
  // The next requests of `api_key` (to any broker) fail with `errors`, in order.
  void PushErrors(int16_t api_key, const std::vector<rd_kafka_resp_err_t>& errors);
  void SetBrokerDown(int32_t broker_id);
  void SetBrokerUp(int32_t broker_id);

 private:
  MockCluster() = default;
  rd_kafka_t* handle_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

}  // namespace docket::kafka

#endif  // DOCKET_TOOLS_KAFKA_MOCK_CLUSTER_H_
