#ifndef DOCKET_SERVICES_KAFKA_TRANSACTIONAL_PUBLISHER_H_
#define DOCKET_SERVICES_KAFKA_TRANSACTIONAL_PUBLISHER_H_

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/kafka/client.h"
#include "services/kafka/wire.h"

namespace docket::kafka {

// What a produced record is, returned with its delivery report.
enum class RecordKind : int { kEvent = 1, kRejection = 2, kCommand = 3 };

// One transactional producer (transactional.id fixed for an instance, so a
// restarted instance fences its previous self): begins a transaction,
// produces records, adds the consumed offsets, commits and waits for every
// delivery report.
//
// Errors carry the code that says what to do (client.h, FromKafka): calls
// that fail with kUnavailable are retried here a few times; kAborted means
// the transaction was aborted and the caller may produce it again; any
// other code means stop.
//
// Thread safety: one thread. librdkafka serves delivery reports inside
// this object's calls (rd_kafka_poll), on the calling thread.
class TransactionalPublisher {
 public:
  // Creates the producer and initialises its transactions (fencing an
  // older producer with the same id).
  static absl::StatusOr<std::unique_ptr<TransactionalPublisher>> Create(
      const ClientOptions& client, const std::string& transactional_id);

  rd_kafka_t* producer() const { return producer_.get(); }

  // Opens a transaction. REQUIRES: none is open.
  absl::Status Begin();

  // Produces one record (copied) into the open transaction.
  absl::Status Produce(RecordKind kind, const char* topic, int32_t partition, absl::string_view key,
                       absl::string_view value, const Headers& headers);

  // Adds `offsets` (partition of docket.commands -> next offset to read),
  // consumed by `consumer`'s group, to the transaction (none when empty),
  // commits it and waits for the delivery report of every record produced
  // since Begin. On any error but kFailedPrecondition the transaction is
  // aborted before returning.
  absl::Status Commit(const std::map<int32_t, int64_t>& offsets, rd_kafka_t* consumer);

  // Aborts the open transaction, if any; errors are ignored (the next
  // Begin reports a producer that cannot go on).
  void Abort();

  // After a Commit: the highest offset delivered per record kind and
  // partition.
  const std::map<std::pair<RecordKind, int32_t>, int64_t>& delivered() const { return delivered_; }

  // Called by librdkafka (public for its C callback only).
  void OnDelivery(const rd_kafka_message_t* message);

 private:
  TransactionalPublisher() = default;

  Handle producer_;
  bool open_ = false;
  int produced_ = 0;
  int deliveries_ = 0;
  int failed_deliveries_ = 0;
  std::map<std::pair<RecordKind, int32_t>, int64_t> delivered_;
};

}  // namespace docket::kafka

#endif  // DOCKET_SERVICES_KAFKA_TRANSACTIONAL_PUBLISHER_H_
