#ifndef DOCKET_SERVICES_CATCH_UP_H_
#define DOCKET_SERVICES_CATCH_UP_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "projections/store.h"
#include "services/embedded_event_log.h"

namespace docket {

// Folds every log event after the applied position into the projections,
// in batches of `batch_size` events with memory bounded by one batch, and
// records the new applied position. Idempotent (the fold skips applied
// revisions). Returns the number of events folded.
absl::StatusOr<int64_t> CatchUp(Store* store, EmbeddedEventLog* log, int batch_size = 4096);

// A data directory opened for writing, with its embedded log.
struct WritableDataDir {
  std::unique_ptr<Store> store;
  std::unique_ptr<EmbeddedEventLog> log;
};

// Opens the data directory at `dir` for writing (creating it when absent)
// and folds any log events not yet applied (after an interrupted replay):
// how docketctl and docketd start.
absl::StatusOr<WritableDataDir> OpenForWriting(const std::string& dir);

// Rebuilds every projection from the log: clears them, then catches up
// from the beginning. Returns the number of events folded.
absl::StatusOr<int64_t> Replay(Store* store, int batch_size = 4096);

}  // namespace docket

#endif  // DOCKET_SERVICES_CATCH_UP_H_
