#ifndef DOCKET_SERVICES_KAFKA_PARTITION_RESTORER_H_
#define DOCKET_SERVICES_KAFKA_PARTITION_RESTORER_H_

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "projections/store.h"
#include "services/kafka/client.h"
#include "services/runtime/embedded_event_log.h"

namespace docket::kafka {

// Brings a partition of the data directory up to date with the topics, so
// an engine can take it over: reads docket.rejections, then folds
// docket.events from the positions stored in meta, one complete
// transaction slice at a time (a slice seen only in part was aborted),
// skipping revisions already applied and rebuilding the idempotency records
// of the commands it answered. The events folded are appended to the
// embedded log, the new positions written in the same atomic batches.
//
// Thread safety: one thread; its reader is its own consumer handle,
// assigned partitions by hand, never in a group.
class PartitionRestorer {
 public:
  // `store` and `log` must outlive the restorer; `progress` (may be null)
  // gets a line per restored partition.
  static absl::StatusOr<std::unique_ptr<PartitionRestorer>> Create(const ClientOptions& client,
                                                                   const std::string& group,
                                                                   Store* store,
                                                                   EmbeddedEventLog* log,
                                                                   std::ostream* progress);

  // Restores `partition`; returns the offset of docket.commands after the
  // last command answered on the topics, where consumption resumes.
  absl::StatusOr<int64_t> Restore(int32_t partition);

 private:
  struct Restoration;
  PartitionRestorer(Store* store, EmbeddedEventLog* log, std::ostream* progress)
      : store_(store), log_(log), progress_(progress) {}

  // Calls `visit` with each record of `topic`/`partition` from offset
  // `from` to the end of the partition; returns the offset after the last.
  absl::StatusOr<int64_t> ReadPartition(
      const char* topic, int32_t partition, int64_t from,
      const std::function<absl::Status(const rd_kafka_message_t*)>& visit);
  // Folds the events of one complete slice into the pending batch.
  absl::Status FoldSlice(Restoration* r);
  // Records the rejections of every complete slice in the pending batch:
  // their commands' outcomes, final.
  absl::Status RecordRejections(Restoration* r);
  // Writes the pending batch (with the log append of what it folded).
  absl::Status Flush(Restoration* r);
  void Log(const std::string& line) const;

  Store* store_;
  EmbeddedEventLog* log_;
  std::ostream* progress_;
  Handle reader_;
};

}  // namespace docket::kafka

#endif  // DOCKET_SERVICES_KAFKA_PARTITION_RESTORER_H_
