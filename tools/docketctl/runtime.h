#ifndef DOCKET_TOOLS_DOCKETCTL_RUNTIME_H_
#define DOCKET_TOOLS_DOCKETCTL_RUNTIME_H_

#include <memory>

#include "absl/status/statusor.h"
#include "projections/store.h"
#include "services/runtime/embedded_runtime.h"

namespace docket::ctl {

// OK unless docketd serves DataDir(), which is then written through it
// only: its error names docketd's URL.
absl::Status NotServed();

// The embedded runtime of DataDir() (NotServed), opened for writing, deciding under the
// policy (--policy or the default) and the business calendar
// (--calendar_dir or the built-in years) at the system clock.
// OK if DataDir() exists; else its error says to run init.
absl::Status Existing();

// A directory that does not exist is made only with `create` (init,
// put-evidence); else refused (Existing).
absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> OpenRuntime(bool create = false);

// Opens the data directory read-only.
absl::StatusOr<std::unique_ptr<Store>> OpenForReading();

}  // namespace docket::ctl

#endif  // DOCKET_TOOLS_DOCKETCTL_RUNTIME_H_
