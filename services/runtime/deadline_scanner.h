#ifndef DOCKET_SERVICES_RUNTIME_DEADLINE_SCANNER_H_
#define DOCKET_SERVICES_RUNTIME_DEADLINE_SCANNER_H_

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "docket/v1/common.pb.h"
#include "docket/v1/policy.pb.h"
#include "engine/calendar.h"
#include "projections/store.h"
#include "services/runtime/command_processor.h"

namespace docket {

struct ScanResult {
  int warnings = 0;
  int breaches = 0;
  int escalations = 0;
  int appeals = 0;  // Linked appeal cases opened on regulatory breaches.
  int refused = 0;  // Commands the engine refused (a race with a user).
};

// The deadline scanner: walks the `due` index up to `now` and, for each
// case with something due, submits as ordinary commands through the engine
// loop what the engine plans for it (engine/due_commands.h: every warning
// and breach due, in time order across all the case's clocks, each decided
// against the state the one before left; the engine adds the automatic
// escalation; after a complaint's regulatory breach, the OpenCase of its
// linked appeal case <case>-APPEAL in the same atomic group). So one
// catch-up tick and a tick every minute record the same history.
//
// Exactly once, across restarts, crashes and replays: what the scanner did
// is in the log, each of its commands has a deterministic id (the case,
// the clock, its window and the mark), and a repeated command is a
// duplicate. Each command occurs at the instant of its mark or due time,
// not when the scanner happened to run.
class DeadlineScanner {
 public:
  // `store` and `processor` must outlive the scanner. It plans under the
  // processor's policy and calendar.
  DeadlineScanner(const Store* store, CommandProcessor* processor)
      : store_(store), processor_(processor) {}

  absl::StatusOr<ScanResult> Scan(absl::Time now);

  // The commands due at `now`, planned case by case under `policy` and
  // `calendar` (about `limit`: a case's plan is never split), for cases
  // `owned` accepts, skipping ids already in `tried` and adding the new
  // ones. For a transport that publishes them instead of submitting them
  // (Kafka).
  static absl::StatusOr<std::vector<v1::Command>> DueCommands(
      const Store& store, absl::Time now, size_t limit, const v1::Policy& policy,
      const Calendar& calendar, const std::function<bool(const std::string& case_id)>& owned,
      std::set<std::string>* tried);

  // The actor of the scanner's commands.
  static v1::Actor Actor();

 private:
  const Store* store_;
  CommandProcessor* processor_;
};

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_DEADLINE_SCANNER_H_
