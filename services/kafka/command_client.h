#ifndef DOCKET_SERVICES_KAFKA_COMMAND_CLIENT_H_
#define DOCKET_SERVICES_KAFKA_COMMAND_CLIENT_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/time/time.h"
#include "services/api/command_sink.h"
#include "services/kafka/answers.h"
#include "services/kafka/client.h"
#include "services/kafka/gateway.h"
#include "services/runtime/evidence_store.h"

namespace docket::kafka {

// The API's commands on Kafka (docketd --brokers --listen): each is signed
// with the system key (it acts as the principal it names, whom the API
// authenticated; docket's own sessions as the system principal), published
// to docket.commands on its case's partition, and its answer awaited on
// docket.events / docket.rejections, whichever engine owns the partition.
// An answer that does not come within `timeout` is kDeadlineExceeded: the
// command may still be decided, and sending it again with the same id is
// safe (its outcome is final).
//
// Thread safety: Submit from any thread; one background thread polls the
// producer's delivery reports and the answers' consumer.
class CommandClient final : public CommandSink {
 public:
  static absl::StatusOr<std::unique_ptr<CommandClient>> Create(const ClientOptions& client,
                                                               const KeyFile* system_key,
                                                               absl::Duration timeout);
  ~CommandClient() override;

  absl::StatusOr<std::vector<v1::CommandOutcome>> Submit(
      std::vector<absl::StatusOr<v1::Command>> commands, bool internal = false) override;
  // kUnimplemented: on Kafka a command is decided only by its partition's
  // engine, and only to be committed.
  absl::StatusOr<v1::CommandOutcome> Preview(v1::Command command) override;
  Stats stats() const override;

  // The evidence store of the instance that takes uploads (this one): a
  // command attaching a file by "cas://" is published only if its sender
  // uploaded that file here, and otherwise answered here as the embedded
  // log answers it (RULE_EVIDENCE, EvidenceStore::CheckAttachment), since
  // the engine deciding it holds no upload. Such an answer is not on
  // docket.rejections: the command never reached the topics. Without a
  // store (unset) attachments are published unchecked. Set before Submit.
  void set_evidence(const EvidenceStore* evidence) { evidence_ = evidence; }

  // Called by librdkafka's delivery reports (public for its C callback).
  void OnDelivered(const rd_kafka_message_t* record);

 private:
  struct Waiter {
    std::optional<v1::CommandOutcome> outcome;
    std::string failed;  // Not delivered: why.
  };
  CommandClient(const KeyFile* system_key, absl::Duration timeout)
      : system_key_(system_key), timeout_(timeout) {}
  void Run();

  const KeyFile* system_key_;
  const absl::Duration timeout_;
  const EvidenceStore* evidence_ = nullptr;
  Handle producer_, consumer_;
  int32_t partitions_ = 0;
  AnswerAssembler answers_;  // The background thread's.

  mutable std::mutex mu_;
  std::condition_variable answered_;
  uint64_t next_waiter_ = 1;
  std::map<uint64_t, Waiter> waiters_;     // By the id in each record's opaque.
  std::map<RecordKey, uint64_t> awaited_;  // Delivered command record -> waiter.
  Stats stats_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace docket::kafka

#endif  // DOCKET_SERVICES_KAFKA_COMMAND_CLIENT_H_
