#ifndef DOCKET_SERVICES_RUNTIME_EMBEDDED_EVENT_LOG_H_
#define DOCKET_SERVICES_RUNTIME_EMBEDDED_EVENT_LOG_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "docket/v1/storage.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "projections/store.h"
#include "rocksdb/write_batch.h"

namespace docket {

// The event log inside the data directory (column family `log`, keyed by a
// dense sequence from 1), so that appending a batch, folding it and
// recording its commands' outcomes is one atomic, synced RocksDB write: a
// crash at any instant leaves log, projections and applied position
// consistent.
//
// Thread safety: not thread-safe; one writer (the engine loop).
class EmbeddedEventLog {
 public:
  // `store` must outlive the log. Reads the next position from meta.
  static absl::StatusOr<std::unique_ptr<EmbeddedEventLog>> Open(Store* store);

  // Appends `events` (serialized StoredEvents) in order and commits
  // `projections` (the fold of those events, and the outcomes of their
  // commands) with them in one write. Durable on return when sync is on. On
  // error nothing of either is visible, and the caller drops the state it
  // derived from the batch.
  absl::Status Append(const std::vector<std::string>& events, rocksdb::WriteBatch* projections);
  // Calls `visit` with each event at position >= `from`, in log order,
  // until the end of the log or until `visit` returns an error.
  absl::Status Scan(
      uint64_t from,
      const std::function<absl::Status(uint64_t, const v1::StoredEvent&)>& visit) const;

  // Remembers that a decision was made under `version` (recorded in meta
  // with the next append).
  void NotePolicyVersion(const std::string& version);

  // Writes the meta record (applied position = end of log) into `batch`,
  // for a replay that folded the whole log.
  void PutMeta(rocksdb::WriteBatch* batch) const;

  uint64_t next_position() const { return meta_.next_log_position(); }

  // Whether every append is fsynced. Default: true. Turning it off trades
  // durability for speed (benchmarks of the raw path only).
  void set_sync(bool sync) { sync_ = sync; }

 private:
  explicit EmbeddedEventLog(Store* store) : store_(store) {}

  Store* store_;
  v1::DataDirMeta meta_;
  bool sync_ = true;
};

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_EMBEDDED_EVENT_LOG_H_
