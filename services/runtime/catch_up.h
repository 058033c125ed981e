#ifndef DOCKET_SERVICES_RUNTIME_CATCH_UP_H_
#define DOCKET_SERVICES_RUNTIME_CATCH_UP_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "projections/store.h"
#include "services/runtime/embedded_event_log.h"

namespace docket {

// Folds every log event after the applied position into the projections,
// in batches of `batch_size` events with memory bounded by one batch, and
// records the new applied position. Idempotent (the fold skips applied
// revisions). Returns the number of events folded.
absl::StatusOr<int64_t> CatchUp(Store* store, EmbeddedEventLog* log, int batch_size = 4096);

// Rebuilds every projection from the log: clears them, then catches up
// from the beginning (as this build's fold, kFoldVersion). Returns the
// number of events folded.
absl::StatusOr<int64_t> Replay(Store* store, int batch_size = 4096);

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_CATCH_UP_H_
