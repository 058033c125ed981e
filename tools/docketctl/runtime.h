#ifndef DOCKET_TOOLS_DOCKETCTL_RUNTIME_H_
#define DOCKET_TOOLS_DOCKETCTL_RUNTIME_H_

#include <memory>

#include "absl/status/statusor.h"
#include "docket/v1/policy.pb.h"
#include "engine/business_calendar.h"
#include "projections/store.h"
#include "services/clock.h"
#include "services/command_processor.h"
#include "services/embedded_event_log.h"

namespace docket::ctl {

// The embedded runtime opened for writing: store, log, engine loop.
struct Runtime {
  std::unique_ptr<Store> store;
  std::unique_ptr<EmbeddedEventLog> log;
  v1::Policy policy;
  std::unique_ptr<BusinessCalendar> calendar;
  SystemClock clock;
  std::unique_ptr<CommandProcessor> processor;
};

// Opens the data directory read-write, loads the policy (--policy or the
// default) and the business calendar (--calendar_dir or the built-in
// years), and folds any log events not yet applied (after an interrupted
// replay).
absl::StatusOr<std::unique_ptr<Runtime>> OpenRuntime();

// Opens the data directory read-only.
absl::StatusOr<std::unique_ptr<Store>> OpenForReading();

}  // namespace docket::ctl

#endif  // DOCKET_TOOLS_DOCKETCTL_RUNTIME_H_
