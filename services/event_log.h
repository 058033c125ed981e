#ifndef DOCKET_SERVICES_EVENT_LOG_H_
#define DOCKET_SERVICES_EVENT_LOG_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "docket/v1/stored_event.pb.h"
#include "rocksdb/write_batch.h"

namespace docket {

// The ordered, durable log of StoredEvents. Two implementations: embedded
// (a column family of the data directory) and Kafka (topic docket.events).
class EventLog {
 public:
  virtual ~EventLog() = default;

  // Appends `events` in order and commits `projections` (the fold of those
  // events, and the outcomes of their commands) with them. Durable on
  // return. On error nothing of either is visible, and the caller drops the
  // state it derived from the batch.
  // `events` are serialized StoredEvents.
  virtual absl::Status Append(const std::vector<std::string>& events,
                              rocksdb::WriteBatch* projections) = 0;

  // Calls `visit` with each event at position >= `from`, in log order,
  // until the end of the log or until `visit` returns an error.
  virtual absl::Status Scan(
      uint64_t from,
      const std::function<absl::Status(uint64_t position, const v1::StoredEvent& event)>& visit)
      const = 0;
};

}  // namespace docket

#endif  // DOCKET_SERVICES_EVENT_LOG_H_
