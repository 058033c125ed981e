#ifndef DOCKET_SERVICES_API_REFUSAL_BUDGET_H_
#define DOCKET_SERVICES_API_REFUSAL_BUDGET_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace docket::api {

// How many refused commands each principal may have recorded: a recorded
// refusal is kept in the data directory for the audit (RecordsRefusal), so
// a principal sending garbage would grow it without end. Each principal has
// a bucket of `burst` refusals that refills at `per_second`.
//
// A request's commands are reserved from the bucket before they are
// decided (Reserve: one per command, as any may be refused), and settled
// after (Settle: the reservation returned, the refusals actually recorded
// taken), so requests in flight at once never together exceed what is
// left. A request is let in while the bucket, less what is reserved, holds
// one refusal or more; a request of many commands may then leave it in
// debt, paid off by the refill. A principal that may not send is answered
// 429, its commands undecided, so nothing more of its is recorded; its
// reads go on, and so do other principals.
//
// The budget is this process's (one docketd instance), in memory: a
// restart starts every principal full. `burst` 0 or less: no budget.
//
// Thread safety: all methods may be called from any thread.
class RefusalBudget {
 public:
  RefusalBudget(double burst, double per_second);

  // A monotonic clock for the budget's times (a wall clock stepped forward
  // would refill every bucket).
  static absl::Time Now();

  // Reserves `commands` of `principal`'s budget for one request; nullopt
  // when reserved (Settle it), else how long to wait before asking again.
  std::optional<absl::Duration> Reserve(const std::string& principal, int64_t commands,
                                        absl::Time now);

  // The request that reserved `commands` was decided, and `recorded` of
  // them are recorded refusals (0 if it failed).
  void Settle(const std::string& principal, int64_t commands, int64_t recorded, absl::Time now);

 private:
  struct Bucket {
    double left;
    absl::Time at;
    int64_t reserved = 0;
  };
  // The bucket of `principal` refilled to `now` (a new one is full).
  Bucket& Refilled(const std::string& principal, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const double burst_;
  const double per_second_;
  absl::Mutex mu_;
  // Principals with refusals or reservations still counted; a full, idle
  // bucket is forgotten when the map grows, so it stays as small as the
  // principals refused lately.
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace docket::api

#endif  // DOCKET_SERVICES_API_REFUSAL_BUDGET_H_
