#ifndef DOCKET_SERVICES_KAFKA_ENGINE_H_
#define DOCKET_SERVICES_KAFKA_ENGINE_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "docket/v1/policy.pb.h"
#include "engine/calendar.h"
#include "projections/store.h"
#include "services/clock.h"
#include "services/command_processor.h"
#include "services/embedded_event_log.h"
#include "services/kafka_client.h"

namespace docket::kafka {

struct EngineOptions {
  ClientOptions client;
  std::string group = "docket-engine";  // The consumer group of all engines.
  // Names this engine across restarts (its transactional.id is
  // "docketd-<instance>"): a restarted engine fences its previous self.
  std::string instance = "docketd";
  int batch = 512;  // Commands per transaction, at most.
  // How often the deadline scanner runs; zero turns it off.
  absl::Duration tick_every = absl::Minutes(1);
  std::ostream* log = nullptr;  // Progress and warnings; none when null.
  // Called on the engine's thread after a batch is folded into the data
  // directory: the commands of `partition` before offset `next_command` are
  // answered on the topics and in the projections (lag monitoring; the
  // benchmark's latency). Must not block.
  std::function<void(int32_t partition, int64_t next_command)> on_folded;
};

// The engine on Kafka (docketd). Consumes docket.commands in a consumer
// group; decides each batch against the state of its cases; produces the
// events to docket.events and the rejections to docket.rejections, on the
// command's partition, in one transaction that also commits the consumed
// offsets; then folds what it committed into the local data directory,
// with the topics' positions per partition in the same atomic write.
//
// Exactly once without trusting the broker's filter of aborted records:
// each decision happens at its command record's timestamp, so a retried
// transaction writes the same bytes; every record says which transaction
// slice it belongs to (kafka_wire.h), and the restore folds a slice only
// when all its records are there, skipping revisions already applied.
//
// On assignment of a partition the engine restores it by folding
// docket.events (and reading docket.rejections) from its last applied
// offsets, and resumes docket.commands after the last command answered
// there. Partition counts of the three topics must be equal.
class Engine {
 public:
  // `store`, `log`, `policy` and `calendar` must outlive the engine.
  static absl::StatusOr<std::unique_ptr<Engine>> Create(Store* store, EmbeddedEventLog* log,
                                                        const v1::Policy& policy,
                                                        const Calendar& calendar,
                                                        EngineOptions options);
  ~Engine();

  // Runs until `stop` is set, then finishes the transaction in flight,
  // leaves the group and returns OK; or returns the error that stopped it.
  absl::Status Run(const std::atomic<bool>& stop);

  // Called by librdkafka (public for its C callbacks only).
  void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                   rd_kafka_topic_partition_list_t* partitions);
  void OnDelivery(const rd_kafka_message_t* message);

 private:
  struct Message;
  Engine(Store* store, EmbeddedEventLog* log, const v1::Policy& policy, const Calendar& calendar,
         EngineOptions options);

  absl::StatusOr<int64_t> Restore(int32_t partition);
  absl::StatusOr<int64_t> ReadPartition(
      const char* topic, int32_t partition, int64_t from,
      const std::function<absl::Status(const rd_kafka_message_t*)>& visit);
  absl::Status ProcessBatch(const std::vector<Message>& batch);
  absl::Status TryBatch(const std::vector<Message>& batch, bool* retry);
  absl::Status Tick();
  absl::Status EndTransaction(bool commit, bool* retry);
  void Log(const std::string& line) const;

  Store* store_;
  EmbeddedEventLog* log_;
  const v1::Policy& policy_;
  const Calendar& calendar_;
  EngineOptions options_;
  SystemClock clock_;
  CommandProcessor processor_;
  Handle consumer_;
  Handle producer_;
  Handle reader_;  // Reads partitions on restore.
  int32_t partitions_ = 0;

  std::map<int32_t, int64_t> position_;  // Owned partition -> next command.
  bool rebalanced_ = false;
  absl::Status callback_error_;
  // Delivery reports of the transaction in flight: (topic tag, partition)
  // -> highest offset; and how many arrived, how many failed.
  std::map<std::pair<int, int32_t>, int64_t> delivered_;
  int deliveries_ = 0;
  int failed_deliveries_ = 0;
  absl::Time last_tick_ = absl::InfinitePast();
  std::set<std::string> ticked_;  // Scanner command ids already published.
};

}  // namespace docket::kafka

#endif  // DOCKET_SERVICES_KAFKA_ENGINE_H_
