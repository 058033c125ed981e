#ifndef DOCKET_SERVICES_KAFKA_ENGINE_H_
#define DOCKET_SERVICES_KAFKA_ENGINE_H_

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/kafka/client.h"
#include "services/kafka/directory_follower.h"
#include "services/kafka/gateway.h"
#include "services/kafka/partition_restorer.h"
#include "services/kafka/transactional_publisher.h"
#include "services/runtime/command_processor.h"
#include "services/runtime/embedded_runtime.h"

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
  // How often a batch is tried when the brokers are unavailable or the
  // transaction was aborted, before the engine stops with the last error.
  int batch_attempts = 20;
  std::ostream* log = nullptr;  // Progress and warnings; none when null.
  // Record signatures (DESIGN.md, "Authentication"; gateway.h). A record
  // signed with the system key is docket's own (the deadline scanner's) and
  // acts as the system principal; one signed with a gateway key registered
  // in the directory acts only for that key's principal; a bad signature is
  // refused with RULE_UNAUTHENTICATED. With `require_signatures`, so is an
  // unsigned record; without, an unsigned record's actor is resolved in the
  // directory like any other (the brokers' ACLs decide who may produce).
  // The engine signs its scanner's commands with `system_key`. Both must
  // outlive the engine; null keyring: no record is treated as docket's own.
  const Keyring* keyring = nullptr;
  const KeyFile* system_key = nullptr;
  bool require_signatures = false;
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
// offsets (TransactionalPublisher); then folds what it committed into the
// local data directory, with the topics' positions per partition in the
// same atomic write.
//
// Exactly once without trusting the broker's filter of aborted records:
// each decision happens at its command record's timestamp, so a retried
// transaction writes the same bytes; every record says which transaction
// slice it belongs to (wire.h), and the restore folds a slice only when
// all its records are there, skipping revisions already applied.
//
// On assignment of a partition the engine restores it (PartitionRestorer)
// and resumes docket.commands after the last command answered there.
// Partition counts of the three topics must be equal. Whatever it owns,
// the engine follows the directory's partition (DirectoryFollower), so
// every engine resolves actors in the same, current directory.
//
// Threading: Run's thread does everything. librdkafka calls OnRebalance
// from inside the consumer's poll and the publisher's delivery reports
// from inside its calls, both on that thread; nothing is shared with
// another thread but the `stop` flag.
class Engine {
 public:
  // `runtime` must outlive the engine; the engine decides with its
  // processor and reads the time from its clock.
  static absl::StatusOr<std::unique_ptr<Engine>> Create(EmbeddedRuntime* runtime,
                                                        EngineOptions options);
  ~Engine();

  // Runs until `stop` is set, then finishes the transaction in flight,
  // leaves the group and returns OK; or returns the error that stopped it.
  absl::Status Run(const std::atomic<bool>& stop);

  // Whether this engine owns the partition `case_id` lives in (its reads
  // answer for those cases): nullopt when it does; else that partition, or
  // -1 while it owns none (starting, restoring, or the group rebalancing).
  // Any thread.
  std::optional<int32_t> PartitionElsewhere(const std::string& case_id) const;

  // Called by librdkafka (public for its C callback only).
  void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                   rd_kafka_topic_partition_list_t* partitions);

 private:
  struct Message;
  struct DecidedBatch;
  Engine(EmbeddedRuntime* runtime, EngineOptions options);

  // Consumes what has arrived, up to options_.batch commands of owned
  // partitions not yet answered.
  absl::Status ReadBatch(const std::atomic<bool>& stop, std::vector<Message>* batch);
  // Answers `batch`, retrying while the brokers are unavailable or the
  // transaction is aborted, at most options_.batch_attempts times.
  absl::Status AnswerBatchWithRetries(const std::vector<Message>& batch);
  // Decides, publishes and folds `batch` once.
  absl::Status AnswerBatch(const std::vector<Message>& batch);
  absl::StatusOr<DecidedBatch> DecideBatch(const std::vector<Message>& batch);
  // Whether `record` is signed with the system key (docket's own); an error
  // (RULE_UNAUTHENTICATED) for a bad signature, or a missing one when
  // signatures are required.
  absl::StatusOr<bool> CheckSignature(const rd_kafka_message_t* record, const v1::Command& command);
  absl::Status PublishAnswers(const std::vector<Message>& batch, const DecidedBatch& decided);
  absl::Status FoldAnswers(const DecidedBatch& decided);
  // Every tick_every: publishes the due warnings and breaches of the cases
  // this engine owns as commands on docket.commands.
  absl::Status PublishDueDeadlines();
  // Folds the directory's events published since the last call (by
  // whichever engine owns the directory's partition).
  absl::Status FollowDirectory();
  void Log(const std::string& line) const;

  EmbeddedRuntime* runtime_;
  EngineOptions options_;
  Handle consumer_;
  std::unique_ptr<TransactionalPublisher> publisher_;
  std::unique_ptr<PartitionRestorer> restorer_;
  std::unique_ptr<DirectoryFollower> directory_;
  int32_t partitions_ = 0;

  std::map<int32_t, int64_t> position_;  // Owned partition -> next command.
  mutable absl::Mutex owned_mu_;
  std::set<int32_t> owned_ ABSL_GUARDED_BY(owned_mu_);  // position_'s keys, for other threads.
  bool rebalanced_ = false;
  absl::Status callback_error_;
  absl::Time last_tick_ = absl::InfinitePast();
  std::set<std::string> ticked_;  // Scanner command ids already published.
};

}  // namespace docket::kafka

#endif  // DOCKET_SERVICES_KAFKA_ENGINE_H_
