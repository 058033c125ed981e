#include "services/kafka/transactional_publisher.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace docket::kafka {
namespace {

constexpr int kTimeoutMs = 30000;
// A call that fails with kUnavailable is tried this often in all.
constexpr int kCallAttempts = 4;

// Stable addresses to pass as a record's opaque, one per kind.
const RecordKind kKinds[] = {RecordKind::kEvent, RecordKind::kRejection, RecordKind::kCommand};
void* OpaqueOf(RecordKind kind) {
  return const_cast<RecordKind*>(&kKinds[static_cast<int>(kind) - 1]);
}

void DeliveryCallback(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  static_cast<TransactionalPublisher*>(opaque)->OnDelivery(message);
}

void ConfigureProducer(rd_kafka_conf_t* conf, void*) {
  rd_kafka_conf_set_dr_msg_cb(conf, DeliveryCallback);
}

// Calls `call` until it returns anything but kUnavailable, at most
// kCallAttempts times, waiting a little longer each time.
template <typename Call>
absl::Status Retrying(Call call) {
  absl::Duration backoff = absl::Milliseconds(50);
  absl::Status status;
  for (int attempt = 1; attempt <= kCallAttempts; ++attempt) {
    status = call();
    if (!absl::IsUnavailable(status)) return status;
    absl::SleepFor(backoff);
    backoff *= 2;
  }
  return status;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TransactionalPublisher>> TransactionalPublisher::Create(
    const ClientOptions& client, const std::string& transactional_id) {
  std::unique_ptr<TransactionalPublisher> publisher(new TransactionalPublisher());
  absl::StatusOr<Handle> producer = NewHandle(RD_KAFKA_PRODUCER, client,
                                              {{"transactional.id", transactional_id},
                                               {"enable.idempotence", "true"},
                                               {"linger.ms", "5"},
                                               {"message.max.bytes", "4194304"}},
                                              ConfigureProducer, publisher.get());
  if (!producer.ok()) return producer.status();
  publisher->producer_ = *std::move(producer);
  absl::Status init = Retrying([&] {
    return FromKafka(rd_kafka_init_transactions(publisher->producer_.get(), kTimeoutMs),
                     "initialising transactions");
  });
  if (!init.ok()) return init;
  return publisher;
}

absl::Status TransactionalPublisher::Begin() {
  delivered_.clear();
  produced_ = deliveries_ = failed_deliveries_ = 0;
  absl::Status begun =
      FromKafka(rd_kafka_begin_transaction(producer_.get()), "beginning a transaction");
  open_ = begun.ok();
  return begun;
}

absl::Status TransactionalPublisher::Produce(RecordKind kind, const char* topic, int32_t partition,
                                             absl::string_view key, absl::string_view value,
                                             const Headers& headers) {
  absl::Status produced =
      kafka::Produce(producer_.get(), topic, partition, key, value, headers, OpaqueOf(kind));
  if (produced.ok()) ++produced_;
  return produced;
}

absl::Status TransactionalPublisher::Commit(const std::map<int32_t, int64_t>& offsets,
                                            rd_kafka_t* consumer) {
  rd_kafka_t* rk = producer_.get();
  absl::Status status;
  if (!offsets.empty()) {
    rd_kafka_topic_partition_list_t* list =
        rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
    for (const auto& [partition, next] : offsets) {
      rd_kafka_topic_partition_list_add(list, kCommandsTopic, partition)->offset = next;
    }
    rd_kafka_consumer_group_metadata_t* group = rd_kafka_consumer_group_metadata(consumer);
    status = Retrying([&] {
      return FromKafka(rd_kafka_send_offsets_to_transaction(rk, list, group, kTimeoutMs),
                       "sending the offsets to the transaction");
    });
    rd_kafka_consumer_group_metadata_destroy(group);
    rd_kafka_topic_partition_list_destroy(list);
  }
  if (status.ok()) {
    status = Retrying([&] {
      return FromKafka(rd_kafka_commit_transaction(rk, kTimeoutMs), "committing the transaction");
    });
  }
  if (!status.ok()) {
    if (!absl::IsFailedPrecondition(status)) Abort();
    return status;
  }
  open_ = false;
  // Committed: every record was delivered; collect their offsets.
  const absl::Time give_up = absl::Now() + absl::Milliseconds(kTimeoutMs);
  while (deliveries_ + failed_deliveries_ < produced_ && absl::Now() < give_up) {
    rd_kafka_poll(rk, 10);
  }
  if (failed_deliveries_ > 0 || deliveries_ < produced_) {
    return absl::InternalError(absl::StrCat("a committed transaction reported ", failed_deliveries_,
                                            " failed and ", produced_ - deliveries_,
                                            " missing deliveries"));
  }
  return absl::OkStatus();
}

void TransactionalPublisher::Abort() {
  if (!open_) return;
  open_ = false;
  // Whatever fails here fails again, and is reported, at the next Begin.
  FromKafka(rd_kafka_abort_transaction(producer_.get(), kTimeoutMs), "aborting the transaction")
      .IgnoreError();
}

void TransactionalPublisher::OnDelivery(const rd_kafka_message_t* message) {
  const RecordKind kind = *static_cast<const RecordKind*>(message->_private);
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++failed_deliveries_;
    return;
  }
  ++deliveries_;
  int64_t& highest = delivered_[{kind, message->partition}];
  highest = std::max(highest, message->offset);
}

}  // namespace docket::kafka
