// tick: the deadline scanner, once or every --every.

#include <csignal>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "engine/time_util.h"
#include "services/runtime/deadline_scanner.h"
#include "tools/docketctl/docketctl.h"
#include "tools/docketctl/flags.h"
#include "tools/docketctl/runtime.h"

namespace docket::ctl {
namespace {

volatile std::sig_atomic_t stop_requested = 0;
void RequestStop(int) { stop_requested = 1; }

}  // namespace

int Tick(const Args& args) {
  if (!args.empty()) {
    std::cerr << "docketctl: tick takes flags only\n";
    return kUsage;
  }
  std::optional<absl::Time> fixed_now;
  if (!absl::GetFlag(FLAGS_now).empty()) {
    absl::StatusOr<absl::Time> parsed = ParseTimeFlag("now", absl::GetFlag(FLAGS_now));
    if (!parsed.ok()) return Fail(parsed.status());
    fixed_now = *parsed;
  }
  const absl::Duration every = absl::GetFlag(FLAGS_every);
  if (every < absl::ZeroDuration() || (fixed_now.has_value() && every > absl::ZeroDuration())) {
    std::cerr << "docketctl: --every must be positive and cannot go with --now\n";
    return kUsage;
  }
  // The scanner catches up with the clock; it does not predict. A time
  // past the clock would record breaches that have not happened, for good.
  const Clock* clock = InvocationClock();
  if (fixed_now.has_value() && *fixed_now > clock->Now()) {
    std::cerr << "docketctl: --now=" << FormatUtc(*fixed_now) << " is later than the clock ("
              << FormatUtc(clock->Now())
              << "): tick catches up, it does not predict; a drill sets the clock with --clock\n";
    return kUsage;
  }
  std::signal(SIGTERM, RequestStop);
  std::signal(SIGINT, RequestStop);
  do {
    // The directory is opened for each scan and let go between them, so
    // that submits and other writers take their turn.
    absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime = OpenRuntime();
    if (!runtime.ok()) return Fail(runtime.status());
    DeadlineScanner scanner((*runtime)->store(), (*runtime)->processor());
    const absl::Time now = fixed_now.value_or(clock->Now());
    absl::StatusOr<ScanResult> r = scanner.Scan(now);
    runtime->reset();
    if (!r.ok()) return Fail(r.status());
    std::cout << "tick at " << FormatUtc(now) << ": " << r->warnings << " warnings, " << r->breaches
              << " breaches, " << r->escalations << " escalations, " << r->appeals
              << " appeal cases opened" << std::endl;
    if (every == absl::ZeroDuration()) break;
    for (absl::Time until = absl::Now() + every; !stop_requested && absl::Now() < until;) {
      absl::SleepFor(std::min(absl::Milliseconds(200), until - absl::Now()));
    }
  } while (!stop_requested);
  return kOk;
}

}  // namespace docket::ctl
