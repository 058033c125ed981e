#ifndef DOCKET_SERVICES_RUNTIME_CLOCK_H_
#define DOCKET_SERVICES_RUNTIME_CLOCK_H_

#include <optional>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace docket {

// Where the runtime gets "now". The engine never reads a clock; the runtime
// passes this clock's time into each decision.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // The time at which to decide a command that says it occurred at
  // `occurred` (nullopt: it does not say). Default: Now().
  virtual absl::Time DecisionTime(std::optional<absl::Time> occurred) const { return Now(); }
};

class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }

  // A shared instance.
  static const SystemClock* Get() {
    static const SystemClock* const kClock = new SystemClock();
    return kClock;
  }
};

// A clock that moves only when told to. Thread-safe.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

// A drill's clock (docketctl --clock=TIME): simulated, it starts at
// `start` and moves forward, never back, to the time each command it
// decides says it occurred, so a stream of past events can be replayed as
// it happened, each step decided the moment it occurred. Thread-safe.
class DrillClock final : public Clock {
 public:
  explicit DrillClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  absl::Time DecisionTime(std::optional<absl::Time> occurred) const override {
    absl::MutexLock lock(&mu_);
    if (occurred.has_value() && *occurred > now_) now_ = *occurred;
    return now_;
  }
  // Time passes in the drill.
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  mutable absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_CLOCK_H_
