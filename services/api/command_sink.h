#ifndef DOCKET_SERVICES_API_COMMAND_SINK_H_
#define DOCKET_SERVICES_API_COMMAND_SINK_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/outcome.pb.h"

namespace docket {

// Where the API sends commands: the embedded log's CommitQueue, or Kafka
// (services/kafka/command_client.h), whose engines decide them.
//
// Thread safety: every method may be called from any thread.
class CommandSink {
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
    // CPU time the single writer's thread spent deciding and committing
    // (the embedded log's queue; zero where the sink has none): against
    // wall time, how close the write rate is to its bound.
    double writer_cpu_seconds = 0;

    // Counts a group of `commands` and its outcomes (none when it failed).
    void CountGroup(size_t commands, const std::vector<v1::CommandOutcome>* outcomes);
  };

  virtual ~CommandSink() = default;

  // Decides and durably commits `commands`, in order, as one group where
  // the sink groups; their outcomes, in order. `internal`: docket's own
  // (sessions), decided as the system principal. kDeadlineExceeded when an
  // answer did not come in time (the command may still be decided: send it
  // again with the same id).
  virtual absl::StatusOr<std::vector<v1::CommandOutcome>> Submit(
      std::vector<absl::StatusOr<v1::Command>> commands, bool internal = false) = 0;

  // The outcome `command` would have, decided and not committed;
  // kUnimplemented where the sink cannot decide without committing.
  virtual absl::StatusOr<v1::CommandOutcome> Preview(v1::Command command) = 0;

  // What Submit returns, handed to `then` instead: from the thread that
  // finishes the group where the sink answers later (AnswersLater), so
  // that a server waits on no thread of its own for it. By default, Submit
  // on the caller's thread.
  using Answer = std::function<void(absl::StatusOr<std::vector<v1::CommandOutcome>>)>;
  virtual void SubmitAsync(std::vector<absl::StatusOr<v1::Command>> commands, Answer then) {
    then(Submit(std::move(commands)));
  }
  // Whether SubmitAsync returns before its answer (never blocking).
  virtual bool AnswersLater() const { return false; }

  virtual Stats stats() const = 0;
};

}  // namespace docket

#endif  // DOCKET_SERVICES_API_COMMAND_SINK_H_
