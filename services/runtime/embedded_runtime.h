#ifndef DOCKET_SERVICES_RUNTIME_EMBEDDED_RUNTIME_H_
#define DOCKET_SERVICES_RUNTIME_EMBEDDED_RUNTIME_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "docket/v1/policy.pb.h"
#include "engine/calendar.h"
#include "projections/store.h"
#include "services/runtime/clock.h"
#include "services/runtime/command_processor.h"
#include "services/runtime/embedded_event_log.h"
#include "services/runtime/evidence_store.h"

namespace docket {

// The embedded runtime: one data directory opened for writing, its event
// log, and the engine loop deciding under `policy` and `calendar` at the
// clock's time. The one way docketctl, docketd, the benchmark and the tests
// assemble it.
//
// Thread safety: as CommandProcessor: one loop at a time.
class EmbeddedRuntime {
 public:
  // Opens the data directory at `dir` for writing (creating it when
  // absent) and folds any log events not yet applied (after an interrupted
  // replay). Refuses what Store::Open refuses. `clock` must outlive the
  // runtime; policy and calendar are kept. REQUIRES: `policy` is validated.
  static absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> Open(
      const std::string& dir, v1::Policy policy, std::unique_ptr<const Calendar> calendar,
      const Clock* clock);
  ~EmbeddedRuntime();

  Store* store() const { return store_.get(); }
  EmbeddedEventLog* log() const { return log_.get(); }
  CommandProcessor* processor() const { return processor_.get(); }
  const v1::Policy& policy() const { return policy_; }
  const Calendar& calendar() const { return *calendar_; }
  const Clock* clock() const { return clock_; }
  // The data directory's evidence store; attachments are checked against it.
  const EvidenceStore& evidence() const { return *evidence_; }

 private:
  EmbeddedRuntime() = default;

  v1::Policy policy_;
  std::unique_ptr<const Calendar> calendar_;
  const Clock* clock_ = nullptr;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EmbeddedEventLog> log_;
  std::unique_ptr<CommandProcessor> processor_;
  std::unique_ptr<EvidenceStore> evidence_;
};

// The data directory a process uses when none is given: `flag` when it is
// not empty, else $DOCKET_DATA_DIR, else "docket-data". A relative path is
// taken from the caller's directory ($BUILD_WORKING_DIRECTORY under
// `bazel run`).
std::string ResolveDataDir(const std::string& flag);

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_EMBEDDED_RUNTIME_H_
