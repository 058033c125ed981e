#include "services/kafka/command_client.h"

#include "absl/strings/str_cat.h"
#include "engine/envelope.h"
#include "engine/refusal.h"
#include "services/kafka/wire.h"

namespace docket::kafka {
namespace {

void Delivered(rd_kafka_t*, const rd_kafka_message_t* record, void* opaque) {
  static_cast<CommandClient*>(opaque)->OnDelivered(record);
}

}  // namespace

absl::StatusOr<std::unique_ptr<CommandClient>> CommandClient::Create(const ClientOptions& client,
                                                                     const KeyFile* system_key,
                                                                     absl::Duration timeout) {
  std::unique_ptr<CommandClient> c(new CommandClient(system_key, timeout));
  absl::StatusOr<Handle> producer = NewHandle(
      RD_KAFKA_PRODUCER, client,
      {{"enable.idempotence", "true"}, {"linger.ms", "2"}, {"message.max.bytes", "4194304"}},
      [](rd_kafka_conf_t* conf, void*) { rd_kafka_conf_set_dr_msg_cb(conf, &Delivered); }, c.get());
  if (!producer.ok()) return producer.status();
  c->producer_ = *std::move(producer);
  absl::StatusOr<Handle> consumer = NewHandle(RD_KAFKA_CONSUMER, client,
                                              {{"group.id", "docketd-api"},
                                               {"enable.auto.commit", "false"},
                                               {"isolation.level", "read_committed"},
                                               {"fetch.wait.max.ms", "10"}});
  if (!consumer.ok()) return consumer.status();
  c->consumer_ = *std::move(consumer);
  // Listen before anything is published, so that no answer is missed.
  absl::Status assigned =
      AssignAll(c->consumer_.get(), {kEventsTopic, kRejectionsTopic}, /*from_end=*/true);
  if (!assigned.ok()) return assigned;
  absl::StatusOr<int32_t> partitions =
      PartitionCount(c->producer_.get(), kCommandsTopic, absl::Seconds(10));
  if (!partitions.ok()) return partitions.status();
  c->partitions_ = *partitions;
  c->thread_ = std::thread([raw = c.get()] { raw->Run(); });
  return c;
}

CommandClient::~CommandClient() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
  if (consumer_ != nullptr) rd_kafka_consumer_close(consumer_.get());
}

void CommandClient::OnDelivered(const rd_kafka_message_t* record) {
  const uint64_t id = reinterpret_cast<uintptr_t>(record->_private);
  std::lock_guard<std::mutex> lock(mu_);
  auto waiter = waiters_.find(id);
  if (waiter == waiters_.end()) return;  // Given up on.
  if (record->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    waiter->second.failed = rd_kafka_err2str(record->err);
    answered_.notify_all();
    return;
  }
  awaited_[{record->partition, record->offset}] = id;
}

void CommandClient::Run() {
  while (!stopping_.load()) {
    rd_kafka_poll(producer_.get(), 0);  // Delivery reports first.
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_.get(), 50);
    if (m == nullptr) continue;
    answers_.Feed(
        m,
        [this](RecordKey record) {
          rd_kafka_poll(producer_.get(), 0);  // A report still queued.
          std::lock_guard<std::mutex> lock(mu_);
          return awaited_.count(record) > 0;
        },
        [this](RecordKey record, v1::CommandOutcome outcome) {
          std::lock_guard<std::mutex> lock(mu_);
          auto it = awaited_.find(record);
          if (it == awaited_.end()) return;
          auto waiter = waiters_.find(it->second);
          awaited_.erase(it);
          if (waiter == waiters_.end()) return;
          waiter->second.outcome = std::move(outcome);
          answered_.notify_all();
        });
    rd_kafka_message_destroy(m);
  }
}

absl::StatusOr<std::vector<v1::CommandOutcome>> CommandClient::Submit(
    std::vector<absl::StatusOr<v1::Command>> commands, bool internal) {
  std::vector<v1::CommandOutcome> outcomes(commands.size());
  std::vector<std::pair<size_t, uint64_t>> pending;  // Outcome index -> waiter.
  for (size_t i = 0; i < commands.size(); ++i) {
    absl::StatusOr<v1::Command>& command = commands[i];
    if (command.ok() && command->command_id().empty()) {
      command = Refuse(v1::RULE_MALFORMED_COMMAND, absl::StatusCode::kInvalidArgument,
                       "a command needs a command_id");
    }
    if (!command.ok()) {
      *outcomes[i].mutable_rejection() =
          MakeRejection(v1::Command(), command.status(), absl::Now());
      continue;
    }
    if (internal) {
      command->clear_actor();
      command->mutable_actor()->set_id(kSystemPrincipal);
    } else if (evidence_ != nullptr) {
      const absl::Status attachable =
          evidence_->CheckAttachment(*command, command->actor().id(), /*need_upload=*/true);
      if (!attachable.ok()) {
        v1::CommandOutcome& refused = outcomes[i];
        *refused.mutable_rejection() = MakeRejection(*command, attachable, absl::Now());
        refused.set_command_id(refused.rejection().command_id());
        refused.set_case_id(refused.rejection().case_id());
        continue;
      }
    }
    const std::string value = command->SerializeAsString();
    Headers headers = CommandHeaders(*command);
    for (auto& header : SignatureHeaders(*system_key_, value)) headers.push_back(header);
    uint64_t id;
    {
      std::lock_guard<std::mutex> lock(mu_);
      id = next_waiter_++;
      waiters_[id];
    }
    absl::Status produced =
        Produce(producer_.get(), kCommandsTopic, PartitionOf(command->case_id(), partitions_),
                command->case_id(), value, headers, reinterpret_cast<void*>(id));
    if (!produced.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      waiters_.erase(id);
      return produced;
    }
    pending.emplace_back(i, id);
  }
  const absl::Time deadline = absl::Now() + timeout_;
  std::unique_lock<std::mutex> lock(mu_);
  std::string missing;
  for (const auto& [index, id] : pending) {
    Waiter& waiter = waiters_[id];
    while (!waiter.outcome && waiter.failed.empty() && absl::Now() < deadline) {
      answered_.wait_for(lock, absl::ToChronoMilliseconds(deadline - absl::Now()));
    }
    if (waiter.outcome) {
      outcomes[index] = *std::move(waiter.outcome);
    } else {
      absl::StrAppend(&missing, missing.empty() ? "" : ", ", commands[index]->command_id(),
                      waiter.failed.empty() ? "" : absl::StrCat(" (", waiter.failed, ")"));
    }
    waiters_.erase(id);
  }
  stats_.CountGroup(commands.size(), &outcomes);
  if (!missing.empty()) {
    return absl::DeadlineExceededError(
        absl::StrCat("no answer within ", absl::FormatDuration(timeout_), " for command ", missing,
                     " (published to ", kCommandsTopic,
                     "; it may still be decided: sending it again with the "
                     "same id is safe)"));
  }
  return outcomes;
}

absl::StatusOr<v1::CommandOutcome> CommandClient::Preview(v1::Command command) {
  return absl::UnimplementedError(
      "on Kafka a command is decided by its partition's engine, and only to be committed: "
      "preview is served by docketd on the embedded log");
}

CommandSink::Stats CommandClient::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace docket::kafka
