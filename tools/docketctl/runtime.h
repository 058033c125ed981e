#ifndef DOCKET_TOOLS_DOCKETCTL_RUNTIME_H_
#define DOCKET_TOOLS_DOCKETCTL_RUNTIME_H_

#include <memory>

#include "absl/status/statusor.h"
#include "projections/store.h"
#include "services/runtime/embedded_runtime.h"

namespace docket::ctl {

// OK if docket may write DataDir() here: refused while docketd serves it
// (then written through docketd only; the error names its URL), and, but
// with `create` (init, put-evidence), if it does not exist (the error says
// to run init).
absl::Status Writable(bool create = false);

// The embedded runtime of DataDir() (Writable), opened for writing,
// deciding under the policy (--policy or the default) and the business
// calendar (--calendar_dir or the built-in years) at the system clock.
absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> OpenRuntime(bool create = false);

// Opens the data directory read-only.
absl::StatusOr<std::unique_ptr<Store>> OpenForReading();

}  // namespace docket::ctl

#endif  // DOCKET_TOOLS_DOCKETCTL_RUNTIME_H_
