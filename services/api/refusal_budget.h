#ifndef DOCKET_SERVICES_API_REFUSAL_BUDGET_H_
#define DOCKET_SERVICES_API_REFUSAL_BUDGET_H_

#include <map>
#include <optional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace docket::api {

// How many refused commands each principal may have recorded: every
// refusal is kept in the data directory for the audit, so a principal
// sending garbage would grow it without end. Each principal has a bucket of
// `burst` refusals that refills at `per_second`; a command's new refusals
// (not its duplicates, which record nothing) are taken from it, and may
// leave it in debt (one request of many lines). While the bucket holds less
// than one, that principal's commands are answered 429 and not decided, so
// nothing more is recorded; its reads and accepted work are untouched.
//
// Thread safety: all methods may be called from any thread.
class RefusalBudget {
 public:
  RefusalBudget(double burst, double per_second);

  // How long `principal` must wait before its commands are decided again;
  // nullopt while it may send them.
  std::optional<absl::Duration> Exhausted(const std::string& principal, absl::Time now);

  // `refusals` new refusals of `principal`'s at `now`.
  void Spend(const std::string& principal, int64_t refusals, absl::Time now);

 private:
  struct Bucket {
    double left;
    absl::Time at;
  };
  // The bucket of `principal` refilled to `now` (a new one is full).
  Bucket& Refilled(const std::string& principal, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const double burst_;
  const double per_second_;
  absl::Mutex mu_;
  // Principals with refusals still counted against them; a full bucket is
  // forgotten when the map grows, so it stays as small as the principals
  // that were refused lately.
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace docket::api

#endif  // DOCKET_SERVICES_API_REFUSAL_BUDGET_H_
