#include "services/runtime/command_processor.h"

#include <algorithm>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/authorization.h"
#include "engine/case_lookup.h"
#include "engine/decider.h"
#include "engine/deterministic_bytes.h"
#include "engine/directory.h"
#include "engine/due_commands.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"
#include "projections/hash_chain.h"
#include "projections/keys.h"

namespace docket {
namespace {

v1::CommandOutcome Rejected(const v1::Command& command, const absl::Status& status,
                            absl::Time now) {
  v1::CommandOutcome outcome;
  *outcome.mutable_rejection() = MakeRejection(command, status, now);
  for (const std::string& id : ReferencedCases(command)) {
    if (id != command.case_id() && IsValidCaseId(id)) {
      outcome.mutable_rejection()->add_named_cases(id);
    }
  }
  // The ids as the rejection names them: only valid ones are echoed.
  outcome.set_command_id(outcome.rejection().command_id());
  outcome.set_case_id(outcome.rejection().case_id());
  return outcome;
}

}  // namespace

// What the current batch has decided but not yet committed.
struct CommandProcessor::Pending {
  rocksdb::WriteBatch batch;
  std::vector<std::string> log;  // Serialized StoredEvents, in order.
  // Command id -> the decision that accepted it, for repeats within the
  // batch.
  std::map<std::string, std::pair<v1::CommandRecord, Decision>> commands;
};

CommandProcessor::CommandProcessor(Store* store, EmbeddedEventLog* log, const v1::Policy& policy,
                                   const Clock* clock, const Calendar& calendar)
    : store_(store),
      log_(log),
      policy_(policy),
      clock_(clock),
      calendar_(calendar),
      projector_(store),
      cache_(store) {}

CommandProcessor::~CommandProcessor() = default;

absl::Status CommandProcessor::LoadEvents(const std::string& case_id, int64_t first, int64_t last,
                                          v1::CommandOutcome* outcome,
                                          std::vector<std::string>* stored) const {
  for (int64_t revision = first; revision <= last; ++revision) {
    absl::StatusOr<std::optional<std::string>> value =
        store_->Get(Cf::kHistory, keys::History(case_id, revision));
    if (!value.ok()) return value.status();
    v1::StoredEvent event;
    if (!value->has_value() || !event.ParseFromString(**value) ||
        !outcome->add_events()->ParseFromString(event.event())) {
      return absl::DataLossError(
          absl::StrCat("case ", case_id, " revision ", revision, " is missing from history"));
    }
    stored->push_back(**std::move(value));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::CommandRecord>> CommandProcessor::FindRecord(
    const std::string& command_id, Decision* original) const {
  if (command_id.empty()) return std::nullopt;
  if (auto it = pending_->commands.find(command_id); it != pending_->commands.end()) {
    const Decision& first = it->second.second;
    original->outcome = first.outcome;
    for (size_t e = 0; e < first.event_count; ++e) {
      original->original_events.push_back(pending_->log[first.first_event + e]);
    }
    return it->second.first;
  }
  absl::StatusOr<std::optional<std::string>> stored = store_->Get(Cf::kCommands, command_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::nullopt;
  v1::CommandRecord record;
  if (!record.ParseFromString(**stored)) {
    return absl::DataLossError(
        absl::StrCat("command ", command_id, ": stored outcome does not decode"));
  }
  v1::CommandOutcome& outcome = original->outcome;
  outcome.set_command_id(command_id);
  outcome.set_case_id(record.case_id());
  if (record.has_rejection()) {
    *outcome.mutable_rejection() = record.rejection();
  } else {
    DOCKET_RETURN_IF_ERROR(LoadEvents(record.case_id(), record.first_revision(),
                                      record.last_revision(), &outcome,
                                      &original->original_events));
  }
  return record;
}

void CommandProcessor::Record(const v1::CommandRecord& record, const Decision& decision) {
  pending_->batch.Put(store_->cf(Cf::kCommands), decision.outcome.command_id(),
                      record.SerializeAsString());
  if (record.has_rejection()) {
    pending_->batch.Put(store_->cf(Cf::kRejections),
                        keys::RejectionKey(record.case_id(), ToTime(record.decided_at()),
                                           decision.outcome.command_id()),
                        record.rejection().SerializeAsString());
  }
  pending_->commands[decision.outcome.command_id()] = {record, decision};
}

absl::StatusOr<CommandProcessor::Decision> CommandProcessor::DecideOne(const v1::Command& command,
                                                                       absl::Time now,
                                                                       bool internal) {
  Decision decision;
  decision.content_sha256 = Sha256(DeterministicBytes(command));
  v1::CommandOutcome& outcome = decision.outcome;

  // Seen before, in this batch or committed: its outcome is final.
  absl::StatusOr<std::optional<v1::CommandRecord>> previous =
      FindRecord(command.command_id(), &decision);
  if (!previous.ok()) return previous.status();
  if (previous->has_value()) {
    if ((*previous)->content_sha256() != decision.content_sha256) {
      decision.original_events.clear();
      outcome = Rejected(command,
                         Refuse(v1::RULE_DUPLICATE_COMMAND_ID, absl::StatusCode::kAlreadyExists,
                                // Which case it was decided on is not said: the
                                // sender may not be allowed to know the case.
                                absl::StrCat("command ", command.command_id(),
                                             " was already decided with different content; "
                                             "give a new command a new id")),
                         now);
      return decision;
    }
    outcome.set_duplicate(true);
    return decision;
  }

  v1::CommandRecord record;
  record.set_content_sha256(decision.content_sha256);
  record.set_case_id(command.case_id());
  *record.mutable_decided_at() = ToProto(now);
  absl::StatusOr<std::vector<v1::CaseEvent>> events = DecideAgainstState(command, now, internal);
  if (!events.ok()) {
    if (RuleOf(events.status()) == v1::RULE_UNSPECIFIED &&
        events.status().code() == absl::StatusCode::kInternal) {
      return events.status();
    }
    outcome = Rejected(command, events.status(), now);
    if (RecordsRefusal(outcome, internal)) {
      record.set_case_id(outcome.case_id());
      *record.mutable_rejection() = outcome.rejection();
      Record(record, decision);
    }
    return decision;
  }

  absl::StatusOr<std::string> head = HashHead(command);
  if (!head.ok()) return head.status();
  outcome.set_command_id(command.command_id());
  outcome.set_case_id(command.case_id());
  decision.first_event = pending_->log.size();
  decision.event_count = events->size();
  for (v1::CaseEvent& event : *events) {
    v1::StoredEvent stored = ChainEvent(DeterministicBytes(event), *head);
    *head = stored.hash();
    std::string bytes = stored.SerializeAsString();
    absl::StatusOr<bool> folded =
        projector_.Fold(stored, &cache_, &pending_->batch, nullptr, &bytes);
    if (!folded.ok()) return folded.status();
    pending_->log.push_back(std::move(bytes));
    *outcome.add_events() = std::move(event);
  }
  record.set_first_revision(outcome.events(0).revision());
  record.set_last_revision(outcome.events(outcome.events_size() - 1).revision());
  Record(record, decision);
  return decision;
}

absl::StatusOr<bool> CommandProcessor::MarkDue(const std::string& case_id, absl::Time now) {
  absl::StatusOr<v1::CaseState*> state = cache_.Get(case_id);
  if (!state.ok()) return state.status();
  if ((*state)->revision() == 0) return false;
  const std::optional<DueMark> next = NextDueMark(**state);
  return next.has_value() && Reached(*next, now);
}

absl::StatusOr<std::vector<v1::Command>> CommandProcessor::DueMarkCommands(
    const std::string& case_id, absl::Time now) {
  absl::StatusOr<v1::CaseState*> state = cache_.Get(case_id);
  if (!state.ok()) return state.status();
  if ((*state)->revision() == 0) return std::vector<v1::Command>();
  return DueCommands(**state, now, policy_, calendar_, SystemActor());
}

absl::StatusOr<std::string> CommandProcessor::HashHead(const v1::Command& command) {
  if (command.has_directory()) {
    absl::StatusOr<CaseCache::DirectoryEntry*> directory = cache_.GetDirectory();
    if (!directory.ok()) return directory.status();
    return (*directory)->state.hash_head();
  }
  absl::StatusOr<v1::CaseState*> state = cache_.Get(command.case_id());
  if (!state.ok()) return state.status();
  return (*state)->hash_head();
}

absl::StatusOr<const Directory*> CommandProcessor::CurrentDirectory() {
  absl::StatusOr<CaseCache::DirectoryEntry*> entry = cache_.GetDirectory();
  if (!entry.ok()) return entry.status();
  const v1::DirectoryState& state = (*entry)->state;
  if (directory_ == nullptr || directory_->revision() != state.revision() ||
      directory_->state().hash_head() != state.hash_head()) {
    directory_ = std::make_unique<Directory>(state);
  }
  return directory_.get();
}

absl::StatusOr<std::vector<v1::CaseEvent>> CommandProcessor::DecideAgainstState(
    const v1::Command& command, absl::Time now, bool internal) {
  // Who asks, as the directory knows them; then what they may do.
  absl::StatusOr<const Directory*> directory = CurrentDirectory();
  if (!directory.ok()) return directory.status();
  // Strict input first: what no principal could have sent well-formed is
  // malformed, whoever claims to send it.
  DOCKET_RETURN_IF_ERROR(CheckInputGrammar(command));
  v1::Command resolved = command;
  absl::StatusOr<v1::Actor> actor = ResolveActor(**directory, command, internal);
  if (!actor.ok()) return actor.status();
  *resolved.mutable_actor() = *std::move(actor);
  if (command.has_directory()) {
    DOCKET_RETURN_IF_ERROR(
        Authorize(**directory, resolved.actor(), resolved, v1::CaseState(), policy_));
    return DecideDirectoryChange(**directory, resolved, policy_, now);
  }
  absl::StatusOr<v1::CaseState*> state = cache_.Get(command.case_id());
  if (!state.ok()) return state.status();
  DOCKET_RETURN_IF_ERROR(Authorize(**directory, resolved.actor(), resolved, **state, policy_));
  // Evidence that cannot be verified is not accepted: what an attachment
  // names by content must be in the store, with that size.
  if (evidence_ != nullptr) {
    DOCKET_RETURN_IF_ERROR(
        evidence_->CheckAttachment(command, resolved.actor().id(), attachments_need_upload_));
  }
  // The other cases the decision may consult, as this batch leaves them.
  // One outside the actor's scope is, to it, a case that does not exist,
  // as its reads answer: a link's refusal never tells what another
  // branch's case holds (its waybill, stage or kind). docket's own
  // principal sees all.
  const v1::Principal* who = (*directory)->FindPrincipal(resolved.actor().id());
  CaseMap others;
  for (const std::string& id : ReferencedCases(command)) {
    if (visible_ && !visible_(id)) {
      others.MarkUnavailable(id);
      continue;
    }
    absl::StatusOr<v1::CaseState*> other = cache_.Get(id);
    if (!other.ok()) return other.status();
    if ((*other)->revision() > 0 &&
        (who == nullptr || (*directory)->InScope(*who, (*other)->intake().handling_branch()))) {
      others.Put(**other);
    }
  }
  // The cases linked to one the decision consults (a recovery's parent's
  // other recoveries), in scope or not: the engine only sums what they
  // claim, and names none of them. Those this runtime sees (Kafka: the
  // partitions it owns).
  for (const std::string& linked_to : LinkedCasesConsulted(command)) {
    absl::StatusOr<std::vector<std::string>> linked = LinkedTo(linked_to);
    if (!linked.ok()) return linked.status();
    for (const std::string& id : *linked) {
      if (id == command.case_id() || (visible_ && !visible_(id))) continue;
      absl::StatusOr<v1::CaseState*> other = cache_.Get(id);
      if (!other.ok()) return other.status();
      if ((*other)->revision() > 0) others.Put(**other);
    }
  }
  return docket::Decide(**state, resolved, policy_, now, calendar_, others);
}

absl::StatusOr<std::vector<std::string>> CommandProcessor::LinkedTo(const std::string& case_id) {
  // Committed (the index), and opened by this batch (its cache).
  absl::StatusOr<std::vector<std::string>> ids = store_->LinkedTo(case_id);
  if (!ids.ok()) return ids.status();
  for (const std::string& id : cache_.dirty()) {
    const CaseCache::Entry& entry = cache_.entry(id);
    // Opened by this batch: what was committed before is in the index.
    if (entry.initial_revision == 0 && entry.state.revision() > 0 &&
        entry.state.intake().link().case_id() == case_id &&
        std::find(ids->begin(), ids->end(), id) == ids->end()) {
      ids->push_back(id);
    }
  }
  return ids;
}

absl::StatusOr<std::vector<v1::CommandOutcome>> CommandProcessor::SubmitBatch(
    const std::vector<absl::StatusOr<v1::Command>>& commands, Timings* timings) {
  std::vector<Timed> timed;
  timed.reserve(commands.size());
  for (const absl::StatusOr<v1::Command>& command : commands) {
    std::optional<absl::Time> occurred;
    if (command.ok() && command->has_occurred_at()) occurred = ToTime(command->occurred_at());
    timed.push_back({command, clock_->DecisionTime(occurred)});
  }
  return SubmitTimed(timed, timings);
}

absl::StatusOr<std::vector<v1::CommandOutcome>> CommandProcessor::SubmitBatchAt(
    const std::vector<absl::StatusOr<v1::Command>>& commands, absl::Time now, Timings* timings) {
  std::vector<Timed> timed;
  timed.reserve(commands.size());
  for (const absl::StatusOr<v1::Command>& command : commands) {
    timed.push_back({command, now, /*internal=*/true});
  }
  return SubmitTimed(timed, timings);
}

absl::StatusOr<std::vector<v1::CommandOutcome>> CommandProcessor::SubmitTimed(
    const std::vector<Timed>& timed, Timings* timings) {
  const absl::Time started = absl::Now();
  absl::StatusOr<std::vector<Decision>> decisions = Decide(timed);
  if (!decisions.ok()) return decisions.status();
  const absl::Time decided = absl::Now();
  absl::Status committed = Commit();
  if (!committed.ok()) return committed;
  if (timings != nullptr) *timings = {decided - started, absl::Now() - decided};
  std::vector<v1::CommandOutcome> outcomes;
  outcomes.reserve(decisions->size());
  for (Decision& decision : *decisions) outcomes.push_back(std::move(decision.outcome));
  return outcomes;
}

absl::StatusOr<std::vector<CommandProcessor::Decision>> CommandProcessor::Decide(
    const std::vector<Timed>& commands) {
  if (pending_ != nullptr) {
    return absl::FailedPreconditionError("a decided batch is still pending");
  }
  pending_ = std::make_unique<Pending>();
  std::vector<Decision> decisions;
  decisions.reserve(commands.size());
  for (const Timed& timed : commands) {
    if (!timed.command.ok()) {
      Decision rejected;
      rejected.outcome = Rejected(v1::Command(), timed.command.status(), timed.now);
      decisions.push_back(std::move(rejected));
      continue;
    }
    absl::StatusOr<Decision> decision = DecideOne(*timed.command, timed.now, timed.internal);
    if (!decision.ok()) {
      Abort();
      return decision.status();
    }
    decisions.push_back(*std::move(decision));
  }
  return decisions;
}

absl::Status CommandProcessor::Commit(const std::function<void(rocksdb::WriteBatch*)>& also) {
  if (pending_ == nullptr) return absl::FailedPreconditionError("no decided batch");
  absl::Status committed;
  if (also) also(&pending_->batch);
  if (!pending_->log.empty()) {
    projector_.Flush(&cache_, &pending_->batch);
    log_->NotePolicyVersion(policy_.version());
    committed = log_->Append(pending_->log, &pending_->batch);
  } else if (pending_->batch.Count() > 0) {
    committed = store_->Write(&pending_->batch, /*sync=*/true);
  }
  pending_.reset();
  // A state is kept only as the store now holds it.
  if (!committed.ok() || cache_.size() > retained_cases_) cache_.Clear();
  return committed;
}

const std::vector<std::string>& CommandProcessor::PendingEvents() const {
  static const std::vector<std::string> kNone;
  return pending_ != nullptr ? pending_->log : kNone;
}

void CommandProcessor::Abort() {
  pending_.reset();
  cache_.Clear();
}

}  // namespace docket
