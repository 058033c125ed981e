#ifndef DOCKET_SERVICES_RUNTIME_COMMAND_PROCESSOR_H_
#define DOCKET_SERVICES_RUNTIME_COMMAND_PROCESSOR_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/outcome.pb.h"
#include "docket/v1/policy.pb.h"
#include "docket/v1/storage.pb.h"
#include "engine/calendar.h"
#include "engine/directory.h"
#include "projections/case_cache.h"
#include "projections/projector.h"
#include "projections/store.h"
#include "services/runtime/clock.h"
#include "services/runtime/embedded_event_log.h"
#include "services/runtime/evidence_store.h"

namespace docket {

// The engine loop: for each command, load the case's state, Decide, chain
// the events (SHA-256), fold them into the projections, record the
// command's outcome; then append the whole batch to the log in one durable
// write (group commit: one fsync per batch, not per command).
//
// Every outcome is recorded and final: a command id already decided
// answers its first outcome again (`duplicate`), its original events or its
// rejection, and appends nothing; the same id with different content is
// rejected (RULE_DUPLICATE_COMMAND_ID). A rejection changes no case: it is
// recorded in `commands` and `rejections` only. Commands that cannot be
// decoded have no trustworthy id and are answered without a record.
//
// Thread safety: not thread-safe; one loop per data directory.
class CommandProcessor {
 public:
  // All arguments must outlive the processor.
  CommandProcessor(Store* store, EmbeddedEventLog* log, const v1::Policy& policy,
                   const Clock* clock, const Calendar& calendar = AlwaysOpenCalendar::Get());
  ~CommandProcessor();

  // Decides and durably commits `commands` as one group, each at the
  // clock's DecisionTime for it. A command that failed to decode is passed
  // as its status and gets a rejection. Returns one outcome per command, in
  // order, once they are durable; an I/O error means none of the batch was
  // committed.
  // How long a batch took to decide and to commit (for metrics).
  struct Timings {
    absl::Duration decide;
    absl::Duration commit;
  };
  absl::StatusOr<std::vector<v1::CommandOutcome>> SubmitBatch(
      const std::vector<absl::StatusOr<v1::Command>>& commands, Timings* timings = nullptr);

  // SubmitBatch deciding at `now` instead of the clock's time, for
  // docket's own commands (the deadline scanner's, a directory's
  // bootstrap): they act as the system principal.
  absl::StatusOr<std::vector<v1::CommandOutcome>> SubmitBatchAt(
      const std::vector<absl::StatusOr<v1::Command>>& commands, absl::Time now,
      Timings* timings = nullptr);

  // The directory as the committed state and the pending batch leave it.
  absl::StatusOr<const Directory*> directory() { return CurrentDirectory(); }

  // The two halves of SubmitBatch, for a transport that must publish the
  // events before it commits them (Kafka): Decide decides each command at
  // its own instant against the committed state plus what this batch
  // decided before it, and keeps the batch pending; Commit makes it durable
  // (with what `also` adds to the same atomic write); Abort drops it.
  // At most one batch is pending.
  struct Timed {
    absl::StatusOr<v1::Command> command;
    absl::Time now;
    // From docket itself (the scanner, the bootstrap): acts as the system
    // principal. Anything from outside is resolved in the directory.
    bool internal = false;
  };
  // Decides and commits `commands`, each at its own instant.
  absl::StatusOr<std::vector<v1::CommandOutcome>> SubmitTimed(const std::vector<Timed>& commands,
                                                              Timings* timings = nullptr);

  struct Decision {
    v1::CommandOutcome outcome;
    // The serialized StoredEvents this decision appends (none for a
    // rejection or a duplicate), in order: PendingEvents()[first_event,
    // first_event + event_count).
    size_t first_event = 0;
    size_t event_count = 0;
    // SHA-256 of the command's deterministic bytes (its idempotency key).
    std::string content_sha256;
    // For a duplicate of an accepted command (outcome.duplicate()): the
    // serialized StoredEvents that answered it first, in order, so that a
    // transport can answer it again.
    std::vector<std::string> original_events;
  };
  absl::StatusOr<std::vector<Decision>> Decide(const std::vector<Timed>& commands);
  absl::Status Commit(const std::function<void(rocksdb::WriteBatch*)>& also = nullptr);
  void Abort();
  // The serialized StoredEvents of the pending batch, in order; valid until
  // Commit or Abort.
  const std::vector<std::string>& PendingEvents() const;

  // Which cases this runtime holds the current state of (Kafka mode: those
  // of the partitions it owns). A decision that refers to another case sees
  // it as unavailable. Default: every case.
  void set_visibility(std::function<bool(const std::string& case_id)> visible) {
    visible_ = std::move(visible);
  }

  // Keeps the states of committed cases in memory (up to `max_cases`, then
  // drops them all and starts again), so that the next batches decide
  // without reading and parsing them again: a served directory's many small
  // groups touch the same open cases over and over. Only for a processor
  // that is its store's one writer (docketd's CommitQueue on the embedded
  // log), where what it committed is what the store holds; Kafka's
  // restorers write beside it.
  // Zero (the default): dropped after every commit. A failed commit, an
  // Abort or a Preview drops them all.
  void RetainCommittedStates(size_t max_cases) { retained_cases_ = max_cases; }

  // Whether `case_id` has a deadline mark (a warning or a breach) to
  // record by `now` (Reached), as the writer sees the case. Its cases'
  // marks due, docketd scans before deciding a group.
  absl::StatusOr<bool> MarkDue(const std::string& case_id, absl::Time now);
  // The scanner's commands recording those marks (engine DueCommands, as
  // the system principal), for a preview to decide before its command as
  // the commit would; none for a case that does not exist.
  absl::StatusOr<std::vector<v1::Command>> DueMarkCommands(const std::string& case_id,
                                                           absl::Time now);

  // What it decides under.
  const v1::Policy& policy() const { return policy_; }
  const Calendar& calendar() const { return calendar_; }

  // The evidence store that attachments naming content (cas://) must be in
  // (RULE_EVIDENCE otherwise); null: not checked (Kafka mode, where each
  // engine keeps its own store). Must outlive the processor.
  void set_evidence_store(const EvidenceStore* evidence) { evidence_ = evidence; }
  // Served (docketd): a file attached by content must also be one its
  // sender uploaded (EvidenceStore::CheckAttachable), for a hash learnt
  // elsewhere is no licence to a file. At the data directory (docketctl,
  // the local administrator acting as any principal) any stored file may
  // be attached.
  void set_attachments_need_upload(bool need) { attachments_need_upload_ = need; }

 private:
  struct Pending;
  absl::StatusOr<Decision> DecideOne(const v1::Command& command, absl::Time now, bool internal);
  // The record of `command_id` decided before (in this batch or committed),
  // with its outcome in `original`; nullopt when it is new.
  absl::StatusOr<std::optional<v1::CommandRecord>> FindRecord(const std::string& command_id,
                                                              Decision* original) const;
  // Resolves the actor, authorizes the command and decides it against its
  // stream's state (a case, or the directory) as this batch leaves it.
  absl::StatusOr<std::vector<v1::CaseEvent>> DecideAgainstState(const v1::Command& command,
                                                                absl::Time now, bool internal);
  // The hash of the last event of the command's stream.
  absl::StatusOr<std::string> HashHead(const v1::Command& command);
  // The directory as this batch leaves it (a view rebuilt when it changes).
  absl::StatusOr<const Directory*> CurrentDirectory();
  // The ids of the cases whose intake links to `case_id`, committed or
  // opened by the pending batch.
  absl::StatusOr<std::vector<std::string>> LinkedTo(const std::string& case_id);
  // Adds the outcome's record to the pending batch.
  void Record(const v1::CommandRecord& record, const Decision& decision);
  // Adds revisions [first, last] of `case_id` from history to `outcome`,
  // and their stored bytes to `stored`.
  absl::Status LoadEvents(const std::string& case_id, int64_t first, int64_t last,
                          v1::CommandOutcome* outcome, std::vector<std::string>* stored) const;

  Store* store_;
  EmbeddedEventLog* log_;
  const v1::Policy& policy_;
  const Clock* clock_;
  const Calendar& calendar_;
  Projector projector_;
  CaseCache cache_;
  std::unique_ptr<Pending> pending_;
  std::function<bool(const std::string& case_id)> visible_;
  const EvidenceStore* evidence_ = nullptr;
  size_t retained_cases_ = 0;
  bool attachments_need_upload_ = false;
  std::unique_ptr<Directory> directory_;
};

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_COMMAND_PROCESSOR_H_
