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
#include "projections/store.h"
#include "services/api/command_sink.h"
#include "services/runtime/clock.h"
#include "services/runtime/command_processor.h"
#include "services/runtime/deadline_scanner.h"

namespace docket {

// The single writer of a served data directory (DESIGN.md, "docketd: the
// service"): every connection's commands wait here, and one thread decides
// and commits whatever waits as one group, so concurrent single-command
// requests share their commits; each caller returns once its group is
// durable. The group's fsync runs beside the next group's decisions (the
// store's deferred sync), which readers are not shown until it is durable.
// The deadline scanner runs on the same thread, every `tick_every` (zero:
// never).
//
// Thread safety: Submit may be called from any thread; the processor and
// the scanner are used on the queue's thread only.
class CommitQueue final : public CommandSink {
 public:
  // `store`: the processor's, which the queue's thread writes with
  // deferred sync from construction to destruction.
  CommitQueue(Store* store, CommandProcessor* processor, DeadlineScanner* scanner,
              const Clock* clock, absl::Duration tick_every);
  // Drains what waits, then stops the thread.
  ~CommitQueue();

  // Decides and durably commits `commands`, in order, within the next
  // group. `internal`: docket's own (sessions, the bootstrap), decided as
  // the system principal. An error means none of them was committed.
  absl::StatusOr<std::vector<v1::CommandOutcome>> Submit(
      std::vector<absl::StatusOr<v1::Command>> commands, bool internal = false) override;

  // Decides `command` against the committed state as the writer sees it,
  // after the deadline marks due before it as a group is, and commits
  // nothing, the marks included: the outcome it would have (a proposal's
  // compensation computed, a refusal's rule), answered once the state it
  // was decided on is durable.
  absl::StatusOr<v1::CommandOutcome> Preview(v1::Command command) override;

  // Submit's group commit, answered from the thread that makes the group
  // durable (when nothing was written, the writer's; once the queue is
  // stopping, the caller's, at once: kUnavailable).
  void SubmitAsync(std::vector<absl::StatusOr<v1::Command>> commands, Answer then) override;
  bool AnswersLater() const override { return true; }

  Stats stats() const override;

 private:
  enum class Kind { kCommit, kInternal, kPreview };
  // Owned by the queue from Enqueue until Finish answers and deletes it.
  struct Request {
    std::vector<absl::StatusOr<v1::Command>> commands;
    Kind kind;
    Answer then;
    void Finish(absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes);
  };

  // The one way in: `then` answers the request, from the thread that
  // finishes it (at once, on the caller's, kUnavailable, once stopping).
  void Enqueue(Kind kind, std::vector<absl::StatusOr<v1::Command>> commands, Answer then);
  // Enqueue, waited for.
  absl::StatusOr<std::vector<v1::CommandOutcome>> Await(
      Kind kind, std::vector<absl::StatusOr<v1::Command>> commands);
  void Run();
  // Whether a case `group` names has a deadline mark due at `now`.
  bool MarksDue(const std::vector<Request*>& group, absl::Time now);
  // `marks_first`: decided after the marks due on its case, as a group
  // would be (and then dropped with it).
  void Preview(Request* request, absl::Time now, bool marks_first);
  void Commit(std::vector<Request*> group, Kind kind);

  Store* const store_;
  CommandProcessor* const processor_;
  DeadlineScanner* const scanner_;
  const Clock* const clock_;
  const absl::Duration tick_every_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Request*> waiting_;
  bool stopping_ = false;
  Stats stats_;
  // The queue's thread's own: whether a group's due marks are recorded
  // before it (false from a mark that could not be, until the next tick).
  bool scan_before_groups_ = true;
  std::thread thread_;
};

}  // namespace docket

#endif  // DOCKET_SERVICES_API_COMMIT_QUEUE_H_
