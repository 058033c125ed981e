#ifndef DOCKET_SERVICES_API_COMMIT_QUEUE_H_
#define DOCKET_SERVICES_API_COMMIT_QUEUE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/rejection.pb.h"
#include "services/runtime/clock.h"
#include "services/runtime/command_processor.h"
#include "services/runtime/deadline_scanner.h"

namespace docket {

// The single writer of a served data directory (DESIGN.md, "docketd: the
// service"): every connection's commands wait here, and one thread decides
// and commits whatever waits as one group (one fsync), so concurrent
// single-command requests share their commits; each caller returns once its
// group is durable. The deadline scanner runs on the same thread, every
// `tick_every` (zero: never).
//
// Thread safety: Submit may be called from any thread; the processor and
// the scanner are used on the queue's thread only.
class CommitQueue {
 public:
  // A Prometheus histogram: counts by upper bound (cumulative when
  // printed), their sum and count.
  struct Histogram {
    explicit Histogram(std::vector<double> bounds) : bounds(std::move(bounds)) {
      counts.resize(this->bounds.size() + 1);
    }
    void Add(double value);
    std::vector<double> bounds;
    std::vector<int64_t> counts;  // The last: above every bound.
    double sum = 0;
    int64_t count = 0;
  };

  struct Stats {
    int64_t groups = 0;
    int64_t commands = 0;
    int64_t largest_group = 0;
    int64_t accepted = 0;
    int64_t rejected = 0;
    std::map<std::string, int64_t> rejected_by_rule;  // Rule name -> refusals.
    int64_t scans = 0;
    absl::Time last_scan = absl::InfinitePast();
    // Seconds to decide a group, to commit it (fsync included); its size.
    Histogram decide_seconds{{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}};
    Histogram commit_seconds{{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}};
    Histogram group_size{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}};
  };

  CommitQueue(CommandProcessor* processor, DeadlineScanner* scanner, const Clock* clock,
              absl::Duration tick_every);
  // Drains what waits, then stops the thread.
  ~CommitQueue();

  // Decides and durably commits `commands`, in order, within the next
  // group. `internal`: docket's own (sessions, the bootstrap), decided as
  // the system principal. An error means none of them was committed.
  absl::StatusOr<std::vector<v1::CommandOutcome>> Submit(
      std::vector<absl::StatusOr<v1::Command>> commands, bool internal = false);

  // Decides `command` against the committed state as the writer sees it
  // and commits nothing: the outcome it would have (a proposal's
  // compensation computed, a refusal's rule).
  absl::StatusOr<v1::CommandOutcome> Preview(v1::Command command);

  Stats stats() const;

 private:
  enum class Kind { kCommit, kInternal, kPreview };
  struct Request {
    std::vector<absl::StatusOr<v1::Command>> commands;
    Kind kind;
    std::promise<absl::StatusOr<std::vector<v1::CommandOutcome>>> done;
  };

  void Run();
  void Commit(std::vector<Request*> group, Kind kind);

  CommandProcessor* const processor_;
  DeadlineScanner* const scanner_;
  const Clock* const clock_;
  const absl::Duration tick_every_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Request*> waiting_;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace docket

#endif  // DOCKET_SERVICES_API_COMMIT_QUEUE_H_
