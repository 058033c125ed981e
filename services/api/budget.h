#ifndef DOCKET_SERVICES_API_BUDGET_H_
#define DOCKET_SERVICES_API_BUDGET_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace docket::api {

// What each principal may add, for good, to what docketd keeps: recorded
// refusals (kept for the audit: RecordsRefusal) and uploaded evidence
// (kept by content, attached or not); without a bound one principal
// sending garbage would grow the data directory without end. And what
// each may ask of the single writer: commands, each decided or looked up
// as a repeat on the writer's thread; a flood of repeats records nothing
// and yet keeps the writer from everyone else. Each principal has a
// bucket of `burst` units that refills at `per_second`.
//
// A request reserves what it may at most add before it is carried out
// (Reserve: every command of a request may be refused; an upload may be
// as long as it says) and settles after (Settle: the reservation
// returned, what it did add taken), so requests in flight at once never
// together exceed what is left. How a request is let in is the budget's
// Admit: while the bucket, less what is reserved, holds one unit or more
// (kWhileAny: one request may then leave it in debt, paid off by the
// refill), or only while it holds every unit reserved (kWhole: never a
// debt; a request of more than `burst` units is never let in, so its
// route bounds a request below that). A principal that may not is
// answered 429 and nothing of its request is done; its reads go on, and
// so do other principals.
//
// A budget is this process's (one docketd instance), in memory: a
// restart starts every principal full. `burst` 0 or less: no budget.
//
// Thread safety: all methods may be called from any thread.
class Budget {
 public:
  enum class Admit { kWhileAny, kWhole };
  Budget(double burst, double per_second, Admit admit = Admit::kWhileAny);

  // The most one request may reserve and be let in (kWhole: the burst);
  // unbounded without a budget or with kWhileAny.
  double LargestRequest() const;

  // A monotonic clock for the budget's times (a wall clock stepped forward
  // would refill every bucket).
  static absl::Time Now();

  // Reserves `units` of `principal`'s budget for one request; nullopt
  // when reserved (Settle it), else how long to wait before asking again
  // (infinite: never, for it is more than LargestRequest).
  std::optional<absl::Duration> Reserve(const std::string& principal, int64_t units,
                                        absl::Time now);

  // The request that reserved `units` is done, and added `kept` of them
  // (0 if it failed).
  void Settle(const std::string& principal, int64_t units, int64_t kept, absl::Time now);

  // One request's Reserve and Settle, now: settled when it goes out of
  // scope, taking what the request Kept (nothing, unless it says).
  class Reservation {
   public:
    Reservation(Reservation&& other) noexcept;
    Reservation& operator=(Reservation&&) = delete;
    ~Reservation();

    // Let in; else the request is answered 429 and does nothing.
    bool admitted() const { return !wait_.has_value(); }
    // How long to wait before asking again, when not admitted.
    absl::Duration wait() const { return wait_.value_or(absl::ZeroDuration()); }
    // The request added `units` of what it reserved.
    void Keep(int64_t units) { kept_ = units; }

   private:
    friend class Budget;
    Reservation(Budget* budget, std::string principal, int64_t units);

    Budget* budget_;  // nullptr once moved from.
    std::string principal_;
    int64_t units_;
    int64_t kept_ = 0;
    std::optional<absl::Duration> wait_;
  };
  Reservation Reserve(const std::string& principal, int64_t units);

 private:
  struct Bucket {
    double left;
    absl::Time at;
    int64_t reserved = 0;
  };
  // What `b` holds at `now`, refilled since it was last counted.
  double LeftAt(const Bucket& b, absl::Time now) const;
  // The bucket of `principal` refilled to `now` (a new one is full).
  Bucket& Refilled(const std::string& principal, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const double burst_;
  const double per_second_;
  const Admit admit_;
  absl::Mutex mu_;
  // Principals with units or reservations still counted; a full, idle
  // bucket is forgotten when the map grows, so it stays as small as the
  // principals that added lately.
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace docket::api

#endif  // DOCKET_SERVICES_API_BUDGET_H_
