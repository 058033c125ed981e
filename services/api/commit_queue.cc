#include "services/api/commit_queue.h"

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <iostream>
#include <iterator>
#include <memory>

#include "absl/time/clock.h"

namespace docket {
namespace {

constexpr size_t kMaxGroup = 512;  // Commands per group, as docketctl --batch.
// Open cases the writer keeps in memory between its groups.
constexpr size_t kRetainedCases = 4096;

}  // namespace

CommitQueue::CommitQueue(Store* store, CommandProcessor* processor, DeadlineScanner* scanner,
                         const Clock* clock, absl::Duration tick_every)
    : store_(store),
      processor_(processor),
      scanner_(scanner),
      clock_(clock),
      tick_every_(tick_every) {
  // The embedded log's one writer (the data directory's lock keeps every
  // other process out; in-process, every write goes through this queue):
  // what it committed is what the store holds. Not Kafka's engines, whose
  // restorers write beside their processor.
  processor_->RetainCommittedStates(kRetainedCases);
  // Deferred sync starts before the constructor returns, so before any
  // server thread reads or writes the store (its REQUIRES).
  std::promise<void> started;
  thread_ = std::thread([this, &started] {
    // Named for top -H and perf: the thread that bounds the write rate.
    pthread_setname_np(pthread_self(), "docket-commit");
    store_->StartDeferredSync();
    started.set_value();
    Run();
    // What the last groups and scans wrote made durable, their callers
    // answered.
    store_->StopDeferredSync();
  });
  started.get_future().wait();
}

CommitQueue::~CommitQueue() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void CommitQueue::Enqueue(Kind kind, std::vector<absl::StatusOr<v1::Command>> commands,
                          Answer then) {
  auto request = std::make_unique<Request>(Request{std::move(commands), kind, std::move(then)});
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) waiting_.push_back(request.release());
  }
  if (request != nullptr) {
    // Finish deletes it.
    request.release()->Finish(absl::UnavailableError("docketd is shutting down"));
    return;
  }
  wake_.notify_one();
}

void CommitQueue::Request::Finish(absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes) {
  Answer answer = std::move(then);
  delete this;
  answer(std::move(outcomes));
}

absl::StatusOr<std::vector<v1::CommandOutcome>> CommitQueue::Await(
    Kind kind, std::vector<absl::StatusOr<v1::Command>> commands) {
  // Shared with the answer: the promise outlives whichever thread sets it.
  auto answered = std::make_shared<std::promise<absl::StatusOr<std::vector<v1::CommandOutcome>>>>();
  std::future<absl::StatusOr<std::vector<v1::CommandOutcome>>> done = answered->get_future();
  Enqueue(kind, std::move(commands),
          [answered](absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes) {
            answered->set_value(std::move(outcomes));
          });
  return done.get();
}

absl::StatusOr<std::vector<v1::CommandOutcome>> CommitQueue::Submit(
    std::vector<absl::StatusOr<v1::Command>> commands, bool internal) {
  return Await(internal ? Kind::kInternal : Kind::kCommit, std::move(commands));
}

void CommitQueue::SubmitAsync(std::vector<absl::StatusOr<v1::Command>> commands, Answer then) {
  Enqueue(Kind::kCommit, std::move(commands), std::move(then));
}

absl::StatusOr<v1::CommandOutcome> CommitQueue::Preview(v1::Command command) {
  std::vector<absl::StatusOr<v1::Command>> one;
  one.push_back(std::move(command));
  absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes = Await(Kind::kPreview, std::move(one));
  if (!outcomes.ok()) return outcomes.status();
  return (*outcomes)[0];
}

CommitQueue::Stats CommitQueue::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void CommitQueue::Run() {
  absl::Time next_tick = clock_->Now();
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    const bool ticking = tick_every_ > absl::ZeroDuration() && scanner_ != nullptr;
    if (waiting_.empty() && !stopping_) {
      if (ticking) {
        const absl::Duration wait = std::max(absl::ZeroDuration(), next_tick - clock_->Now());
        wake_.wait_for(lock, absl::ToChronoMilliseconds(wait));
      } else {
        wake_.wait(lock);
      }
    }
    if (waiting_.empty() && stopping_) return;
    // One group: the requests that wait, of one kind, up to kMaxGroup
    // commands (a larger request goes alone).
    std::vector<Request*> group;
    size_t size = 0;
    const Kind kind = waiting_.empty() ? Kind::kCommit : waiting_.front()->kind;
    while (!waiting_.empty() && waiting_.front()->kind == kind &&
           (kind != Kind::kPreview || group.empty()) &&
           (group.empty() || size + waiting_.front()->commands.size() <= kMaxGroup)) {
      size += waiting_.front()->commands.size();
      group.push_back(waiting_.front());
      waiting_.pop_front();
    }
    lock.unlock();
    // A preview commits nothing, not even the marks due before it.
    const absl::Time now = clock_->Now();
    const bool tick = ticking && now >= next_tick;
    const bool marks_first =
        ticking && !tick && kind != Kind::kPreview && scan_before_groups_ && MarksDue(group, now);
    if (tick || marks_first) {
      absl::StatusOr<ScanResult> scanned = scanner_->Scan(now);
      if (!scanned.ok()) std::cerr << "docketd: deadline scan failed: " << scanned.status() << "\n";
      // What it marked reaches readers (an event stream) once durable,
      // whether or not a command follows.
      store_->WhenDurable([] {});
      if (tick) {
        next_tick = now + tick_every_;
        scan_before_groups_ = true;
      } else if (!scanned.ok() || MarksDue(group, now)) {
        // A failed scan, or a mark it could not record (a refusal, which a
        // sound state never gives), would make every group scan again:
        // until the next tick, groups wait for the tick's scan.
        if (scanned.ok()) {
          std::cerr << "docketd: a deadline mark due on a case of this group could not be "
                       "recorded; until the next tick, groups are decided without scanning "
                       "first\n";
        }
        scan_before_groups_ = false;
      }
      lock.lock();
      ++stats_.scans;
      stats_.last_scan = clock_->Now();
      lock.unlock();
    }
    if (kind == Kind::kPreview) {
      Preview(group[0], now, ticking && scan_before_groups_);
    } else if (!group.empty()) {
      Commit(std::move(group), kind);
    }
    lock.lock();
  }
}

bool CommitQueue::MarksDue(const std::vector<Request*>& group, absl::Time now) {
  // The marks due by now on the group's cases are recorded before the
  // group is decided, not at the next tick: in a case's history no step
  // comes before a warning or breach that was due before it, and the step
  // is decided against the state the mark leaves (a breach's escalation).
  for (const Request* r : group) {
    for (const absl::StatusOr<v1::Command>& c : r->commands) {
      if (!c.ok() || c->case_id().empty() || c->has_directory()) continue;
      absl::StatusOr<bool> due = processor_->MarkDue(c->case_id(), now);
      // Unreadable here, it is refused as such when decided.
      if (due.ok() && *due) return true;
    }
  }
  return false;
}

namespace {

// The calling thread's CPU time so far.
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

}  // namespace

void CommitQueue::Preview(Request* request, absl::Time now, bool marks_first) {
  // Decided as the commit would be, after the marks due before it (a
  // breach's escalation changes who approves, and what), against the
  // committed state; all of it then dropped, and answered once that state
  // is durable, as a commit would be.
  absl::StatusOr<v1::Command>& command = request->commands[0];
  std::vector<CommandProcessor::Timed> batch;
  if (marks_first && command.ok() && !command->case_id().empty() && !command->has_directory()) {
    absl::StatusOr<std::vector<v1::Command>> due =
        processor_->DueMarkCommands(command->case_id(), now);
    // Unreadable here, the command is refused as such when decided.
    if (due.ok()) {
      for (v1::Command& mark : *due) batch.push_back({std::move(mark), now, /*internal=*/true});
    }
  }
  batch.push_back({std::move(command), now, /*internal=*/false});
  absl::StatusOr<std::vector<CommandProcessor::Decision>> decided = processor_->Decide(batch);
  processor_->Abort();
  if (!decided.ok() && batch.size() > 1) {
    // Marks that cannot be decided here: the commit would scan, fail and
    // decide the group anyway (Run), and so does the preview.
    decided = processor_->Decide({batch.back()});
    processor_->Abort();
  }
  absl::StatusOr<std::vector<v1::CommandOutcome>> answer =
      decided.ok() ? absl::StatusOr<std::vector<v1::CommandOutcome>>(
                         std::vector<v1::CommandOutcome>{std::move(decided->back().outcome)})
                   : decided.status();
  store_->WhenDurable(
      [request, answer = std::move(answer)]() mutable { request->Finish(std::move(answer)); });
}

void CommitQueue::Commit(std::vector<Request*> group, Kind kind) {
  const double cpu_before = ThreadCpuSeconds();
  std::vector<absl::StatusOr<v1::Command>> all;
  for (Request* r : group) {
    for (absl::StatusOr<v1::Command>& c : r->commands) all.push_back(std::move(c));
  }
  const bool internal = kind == Kind::kInternal;
  CommandProcessor::Timings timings;
  const absl::Time started = absl::Now();
  absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes =
      internal ? processor_->SubmitBatchAt(all, clock_->Now(), &timings)
               : processor_->SubmitBatch(all, &timings);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.writer_cpu_seconds += ThreadCpuSeconds() - cpu_before;
    stats_.CountGroup(all.size(), outcomes.ok() ? &*outcomes : nullptr);
    if (outcomes.ok()) stats_.decide_seconds.Add(absl::ToDoubleSeconds(timings.decide));
  }
  if (!outcomes.ok()) {
    // Nothing was written: said at once.
    for (Request* r : group) r->Finish(outcomes.status());
    return;
  }
  // Answered once durable, while this thread decides the next group.
  const absl::Time decided = started + timings.decide;
  store_->WhenDurable(
      [this, decided, group = std::move(group), outcomes = *std::move(outcomes)]() mutable {
        {
          std::lock_guard<std::mutex> lock(mu_);
          stats_.commit_seconds.Add(absl::ToDoubleSeconds(absl::Now() - decided));
        }
        size_t at = 0;
        for (Request* r : group) {
          const size_t n = r->commands.size();
          // Moved, not copied: the outcomes' events are the writer's to give.
          r->Finish(
              std::vector<v1::CommandOutcome>(std::make_move_iterator(outcomes.begin() + at),
                                              std::make_move_iterator(outcomes.begin() + at + n)));
          at += n;
        }
      });
}

}  // namespace docket
