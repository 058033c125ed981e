#include "services/kafka/engine.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "docket/v1/rejection.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "engine/envelope.h"
#include "engine/event_kind.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/time_util.h"
#include "services/kafka/positions.h"
#include "services/kafka/wire.h"
#include "services/runtime/deadline_scanner.h"

namespace docket::kafka {
namespace {

constexpr int kTimeoutMs = 30000;

void RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                       rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<Engine*>(opaque)->OnRebalance(rk, err, partitions);
}

void ConfigureConsumer(rd_kafka_conf_t* conf, void*) {
  rd_kafka_conf_set_rebalance_cb(conf, RebalanceCallback);
}

// Whether a failed attempt at a batch may be tried again.
bool Retriable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsAborted(status);
}

}  // namespace

struct Engine::Message {
  MessagePtr message;
};

// A batch decided and not yet published or folded.
struct Engine::DecidedBatch {
  std::vector<CommandProcessor::Decision> decisions;  // One per message, in order.
  // This transaction's slice of each partition: its first and last command.
  std::map<int32_t, SliceTracker::Key> slices;
};

Engine::Engine(EmbeddedRuntime* runtime, EngineOptions options)
    : runtime_(runtime), options_(std::move(options)) {}

Engine::~Engine() = default;

void Engine::Log(const std::string& line) const {
  if (options_.log != nullptr) *options_.log << "docketd: " << line << std::endl;
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(EmbeddedRuntime* runtime,
                                                       EngineOptions options) {
  std::unique_ptr<Engine> engine(new Engine(runtime, std::move(options)));
  const EngineOptions& o = engine->options_;
  absl::StatusOr<Handle> consumer =
      NewHandle(RD_KAFKA_CONSUMER, o.client,
                {{"group.id", o.group},
                 {"enable.auto.commit", "false"},
                 {"enable.auto.offset.store", "false"},
                 {"auto.offset.reset", "earliest"},
                 {"isolation.level", "read_committed"},
                 {"session.timeout.ms", "10000"},
                 {"heartbeat.interval.ms", "1000"},
                 // The longest a fetch waits for data. A broker answers a waiting
                 // fetch as soon as data arrives, but kafka_mock only at this
                 // timeout, so it bounds the mock's latency; on a broker it only sets
                 // how often an idle engine asks.
                 {"fetch.wait.max.ms", "10"},
                 {"partition.assignment.strategy", "range,roundrobin"}},
                ConfigureConsumer, engine.get());
  if (!consumer.ok()) return consumer.status();
  engine->consumer_ = *std::move(consumer);
  absl::StatusOr<std::unique_ptr<TransactionalPublisher>> publisher =
      TransactionalPublisher::Create(o.client, absl::StrCat("docketd-", o.instance));
  if (!publisher.ok()) return publisher.status();
  engine->publisher_ = *std::move(publisher);
  absl::StatusOr<std::unique_ptr<PartitionRestorer>> restorer =
      PartitionRestorer::Create(o.client, o.group, runtime->store(), runtime->log(), o.log);
  if (!restorer.ok()) return restorer.status();
  engine->restorer_ = *std::move(restorer);
  Engine* self = engine.get();
  // Evidence is not on the topics: each engine keeps its own store (see
  // docs/kafka.md), so attachments are not checked against this one.
  runtime->processor()->set_evidence_store(nullptr);
  runtime->processor()->set_visibility([self](const std::string& case_id) {
    return self->position_.count(PartitionOf(case_id, self->partitions_)) > 0;
  });

  for (const char* topic : {kCommandsTopic, kEventsTopic, kRejectionsTopic}) {
    absl::StatusOr<int32_t> count =
        PartitionCount(engine->publisher_->producer(), topic, absl::Milliseconds(kTimeoutMs));
    if (!count.ok()) return count.status();
    if (engine->partitions_ != 0 && *count != engine->partitions_) {
      return absl::FailedPreconditionError(absl::StrCat(
          "topic ", topic, " has ", *count, " partitions but ", kCommandsTopic, " has ",
          engine->partitions_, "; docket's three topics must have as many partitions"));
    }
    engine->partitions_ = *count;
  }
  absl::StatusOr<std::unique_ptr<DirectoryFollower>> directory = DirectoryFollower::Create(
      o.client, o.group, engine->partitions_, runtime->store(), runtime->log(), o.log);
  if (!directory.ok()) return directory.status();
  engine->directory_ = *std::move(directory);
  return engine;
}

std::optional<int32_t> Engine::PartitionElsewhere(const std::string& case_id) const {
  const int32_t partition = PartitionOf(case_id, partitions_);
  absl::MutexLock lock(&owned_mu_);
  if (owned_.count(partition) > 0) return std::nullopt;
  return owned_.empty() ? -1 : partition;
}

void Engine::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t* partitions) {
  rebalanced_ = true;
  position_.clear();
  {
    absl::MutexLock lock(&owned_mu_);
    owned_.clear();
  }
  if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    Log("partitions revoked");
    rd_kafka_assign(rk, nullptr);
    return;
  }
  std::string owned;
  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& tp = partitions->elems[i];
    absl::StatusOr<int64_t> position = restorer_->Restore(tp.partition);
    if (!position.ok()) {
      callback_error_ = position.status();
      rd_kafka_assign(rk, nullptr);
      return;
    }
    tp.offset = *position;
    position_[tp.partition] = *position;
    absl::StrAppend(&owned, owned.empty() ? "" : " ", tp.partition, "@", *position);
  }
  {
    absl::MutexLock lock(&owned_mu_);
    for (const auto& [partition, next] : position_) owned_.insert(partition);
  }
  Log(absl::StrCat("assigned ", kCommandsTopic, " partitions ", owned));
  rd_kafka_assign(rk, partitions);
}

absl::StatusOr<bool> Engine::CheckSignature(const rd_kafka_message_t* record,
                                            const v1::Command& command) {
  absl::StatusOr<const Directory*> directory = runtime_->processor()->directory();
  if (!directory.ok()) return directory.status();
  return CheckRecordSignature(
      options_.keyring, options_.require_signatures, ReadHeaders(record),
      absl::string_view(static_cast<const char*>(record->payload), record->len), command,
      **directory);
}

absl::StatusOr<Engine::DecidedBatch> Engine::DecideBatch(const std::vector<Message>& batch) {
  DecidedBatch decided;
  std::vector<CommandProcessor::Timed> timed;
  timed.reserve(batch.size());
  // The ids of commands refused before deciding (they name the rejection).
  std::vector<std::pair<std::string, std::string>> ids(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const rd_kafka_message_t* r = batch[i].message.get();
    absl::StatusOr<v1::Command> command = DecodeCommand(
        absl::string_view(static_cast<const char*>(r->payload), r->len), ReadHeaders(r));
    if (command.ok() && IsValidCommandId(command->command_id()) &&
        IsValidCaseId(command->case_id())) {
      ids[i] = {command->command_id(), command->case_id()};
    }
    if (command.ok() && PartitionOf(command->case_id(), partitions_) != r->partition) {
      command = Refuse(v1::RULE_WRONG_PARTITION, absl::StatusCode::kFailedPrecondition,
                       absl::StrCat("case ", command->case_id(), " belongs to partition ",
                                    PartitionOf(command->case_id(), partitions_), " of ",
                                    kCommandsTopic, ", not ", r->partition,
                                    ": key records by case_id and partition with murmur2"));
    }
    // Each command is decided at its record's timestamp, so that a retried
    // transaction decides the same; a timestamp ahead of the engine's clock
    // by more than the policy's skew is refused (time cannot be forged
    // forward; backwards, the backdating tolerance applies).
    rd_kafka_timestamp_type_t type;
    const int64_t ms = rd_kafka_message_timestamp(r, &type);
    const absl::Time now = runtime_->clock()->Now();
    const absl::Time stamped = ms >= 0 ? absl::FromUnixMillis(ms) : now;
    const absl::Duration skew = absl::Seconds(runtime_->policy().time().clock_skew_seconds());
    if (command.ok() && stamped > now + skew) {
      command = Refuse(v1::RULE_TIME, absl::StatusCode::kInvalidArgument,
                       absl::StrCat("the record of command ", command->command_id(), " is stamped ",
                                    FormatUtc(stamped), ", ahead of the engine's clock (",
                                    FormatUtc(now), ") by more than ", absl::FormatDuration(skew)));
    }
    bool internal = false;
    if (command.ok()) {
      absl::StatusOr<bool> signed_by_docket = CheckSignature(r, *command);
      if (signed_by_docket.ok()) {
        internal = *signed_by_docket;
      } else {
        command = signed_by_docket.status();
      }
    }
    timed.push_back({std::move(command), stamped, internal});
    auto [it, fresh] = decided.slices.try_emplace(
        r->partition, SliceTracker::Key{r->partition, r->offset, r->offset});
    it->second.first = std::min(it->second.first, r->offset);
    it->second.last = std::max(it->second.last, r->offset);
  }
  absl::StatusOr<std::vector<CommandProcessor::Decision>> decisions =
      runtime_->processor()->Decide(timed);
  if (!decisions.ok()) return decisions.status();
  decided.decisions = *std::move(decisions);
  for (size_t i = 0; i < batch.size(); ++i) {
    v1::CommandOutcome& outcome = decided.decisions[i].outcome;
    if (!outcome.has_rejection() || !outcome.command_id().empty()) continue;
    outcome.set_command_id(ids[i].first);
    outcome.mutable_rejection()->set_command_id(ids[i].first);
    if (!ids[i].second.empty()) {
      outcome.set_case_id(ids[i].second);
      outcome.mutable_rejection()->set_case_id(ids[i].second);
    }
  }
  return decided;
}

absl::Status Engine::PublishAnswers(const std::vector<Message>& batch,
                                    const DecidedBatch& decided) {
  // How many records each slice gets, to number them.
  std::map<int32_t, int> counts;
  for (size_t i = 0; i < batch.size(); ++i) {
    const CommandProcessor::Decision& d = decided.decisions[i];
    counts[batch[i].message->partition] += d.outcome.has_rejection() ? 1
                                           : d.outcome.duplicate()
                                               ? static_cast<int>(d.original_events.size())
                                               : static_cast<int>(d.event_count);
  }
  absl::Status status = publisher_->Begin();
  std::map<int32_t, int> index;
  for (size_t i = 0; i < batch.size() && status.ok(); ++i) {
    const rd_kafka_message_t* r = batch[i].message.get();
    const CommandProcessor::Decision& d = decided.decisions[i];
    const SliceTracker::Key& slice = decided.slices.at(r->partition);
    Source source;
    source.partition = r->partition;
    source.offset = r->offset;
    source.batch_first = slice.first;
    source.batch_last = slice.last;
    source.count = counts[r->partition];
    source.command_id = d.outcome.command_id();
    source.command_sha256 = d.content_sha256;
    if (d.outcome.has_rejection()) {
      v1::Rejection rejection = d.outcome.rejection();
      if (rejection.case_id().empty() && r->key != nullptr) {
        rejection.set_case_id(std::string(static_cast<const char*>(r->key), r->key_len));
      }
      source.index = ++index[r->partition];
      Headers headers = AnswerHeaders(v1::Rejection::descriptor()->full_name(),
                                      v1::Rule_Name(rejection.rule()), source);
      if (d.outcome.duplicate()) headers.emplace_back(kDuplicateHeader, "true");
      status = publisher_->Produce(RecordKind::kRejection, kRejectionsTopic, r->partition,
                                   rejection.case_id(), rejection.SerializeAsString(), headers);
      continue;
    }
    // An accepted command's new events; a repeated one's original events,
    // marked as such.
    const bool duplicate = d.outcome.duplicate();
    const size_t events = duplicate ? d.original_events.size() : d.event_count;
    for (size_t e = 0; e < events && status.ok(); ++e) {
      source.index = ++index[r->partition];
      Headers headers = AnswerHeaders(v1::StoredEvent::descriptor()->full_name(),
                                      EventKind(d.outcome.events(e)), source);
      if (duplicate) headers.emplace_back(kDuplicateHeader, "true");
      status =
          publisher_->Produce(RecordKind::kEvent, kEventsTopic, r->partition, d.outcome.case_id(),
                              duplicate ? d.original_events[e]
                                        : runtime_->processor()->PendingEvents()[d.first_event + e],
                              headers);
    }
  }
  if (!status.ok()) {
    publisher_->Abort();
    return status;
  }
  std::map<int32_t, int64_t> offsets;
  for (const auto& [partition, slice] : decided.slices) offsets[partition] = slice.last + 1;
  return publisher_->Commit(offsets, consumer_.get());
}

absl::Status Engine::FoldAnswers(const DecidedBatch& decided) {
  // What was committed, with the positions, in one atomic write.
  Store* store = runtime_->store();
  absl::Status folded = runtime_->processor()->Commit([&](rocksdb::WriteBatch* wb) {
    for (const auto& [partition, slice] : decided.slices) {
      PutPosition(*store, wb, kCommandsTopic, partition, slice.last + 1);
    }
    for (const auto& [where, highest] : publisher_->delivered()) {
      const char* topic = where.first == RecordKind::kEvent ? kEventsTopic : kRejectionsTopic;
      PutPosition(*store, wb, topic, where.second, highest + 1);
    }
  });
  if (!folded.ok()) return folded;
  for (const auto& [partition, slice] : decided.slices) {
    position_[partition] = slice.last + 1;
    if (options_.on_folded) options_.on_folded(partition, slice.last + 1);
  }
  return absl::OkStatus();
}

absl::Status Engine::AnswerBatch(const std::vector<Message>& batch) {
  absl::StatusOr<DecidedBatch> decided = DecideBatch(batch);
  if (!decided.ok()) return decided.status();
  absl::Status published = PublishAnswers(batch, *decided);
  if (!published.ok()) {
    runtime_->processor()->Abort();
    return published;
  }
  return FoldAnswers(*decided);
}

absl::Status Engine::AnswerBatchWithRetries(const std::vector<Message>& batch) {
  absl::Duration backoff = absl::Milliseconds(50);
  absl::Status status;
  for (int attempt = 1; attempt <= options_.batch_attempts; ++attempt) {
    status = AnswerBatch(batch);
    if (status.ok() || !Retriable(status)) return status;
    Log(absl::StrCat("transaction failed (attempt ", attempt, " of ", options_.batch_attempts,
                     "), retrying: ", status.message()));
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
  return absl::Status(status.code(), absl::StrCat("gave up after ", options_.batch_attempts,
                                                  " attempts: ", status.message()));
}

absl::Status Engine::PublishDueDeadlines() {
  const absl::Time now = runtime_->clock()->Now();
  if (options_.tick_every <= absl::ZeroDuration() || now - last_tick_ < options_.tick_every ||
      position_.empty()) {
    return absl::OkStatus();
  }
  last_tick_ = now;
  if (ticked_.size() > 100000) ticked_.clear();
  // Planned as of the millisecond the records will carry, at which the
  // owner decides them: a breach planned a fraction of a millisecond past
  // its due time would be decided at it, and refused for good.
  const absl::Time planned_at = absl::FromUnixMillis(absl::ToUnixMillis(now));
  absl::StatusOr<std::vector<v1::Command>> due = DeadlineScanner::DueCommands(
      *runtime_->store(), planned_at, static_cast<size_t>(options_.batch), runtime_->policy(),
      runtime_->calendar(),
      [&](const std::string& case_id) {
        return position_.count(PartitionOf(case_id, partitions_)) > 0;
      },
      &ticked_);
  if (!due.ok()) return due.status();
  if (due->empty()) return absl::OkStatus();
  // Published as commands, so that the owner of each case decides them.
  // Their ids are deterministic: a repeat is a duplicate.
  absl::Status status = publisher_->Begin();
  for (const v1::Command& command : *due) {
    if (!status.ok()) break;
    // Signed with the system key: the owner of the case decides it as
    // docket's own.
    const std::string value = command.SerializeAsString();
    Headers headers = CommandHeaders(command);
    if (options_.system_key != nullptr) {
      for (auto& header : SignatureHeaders(*options_.system_key, value)) {
        headers.push_back(std::move(header));
      }
    }
    status = publisher_->Produce(RecordKind::kCommand, kCommandsTopic,
                                 PartitionOf(command.case_id(), partitions_), command.case_id(),
                                 value, std::move(headers));
  }
  if (status.ok()) {
    status = publisher_->Commit({}, consumer_.get());
  } else {
    publisher_->Abort();
  }
  if (!status.ok()) {
    for (const v1::Command& command : *due) ticked_.erase(command.command_id());
    if (!Retriable(status)) return status;
    Log(absl::StrCat("deadline scan not published, will retry: ", status.message()));
    return absl::OkStatus();
  }
  Log(absl::StrCat("deadline scan published ", due->size(), " commands"));
  return absl::OkStatus();
}

absl::Status Engine::FollowDirectory() {
  absl::StatusOr<int> folded = directory_->Poll(absl::ZeroDuration());
  if (!folded.ok()) return folded.status();
  if (*folded == 0) return absl::OkStatus();
  // No batch is pending between batches: this drops the processor's cached
  // states, so the next batch reads the directory just folded.
  runtime_->processor()->Abort();
  Log(absl::StrCat("directory: folded ", *folded, " events from ", kEventsTopic, " partition ",
                   directory_->partition()));
  return absl::OkStatus();
}

absl::Status Engine::ReadBatch(const std::atomic<bool>& stop, std::vector<Message>* batch) {
  // A batch is what has arrived, up to --batch: the commands that queue up
  // while one transaction commits form the next, so batches grow with the
  // load and a lone command waits for no timer.
  rd_kafka_t* rk = consumer_.get();
  batch->clear();
  int wait_ms = 100;
  while (static_cast<int>(batch->size()) < options_.batch && !stop.load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, wait_ms);
    if (rebalanced_) {
      batch->clear();  // Fetched before the rebalance: positions were reset.
      rebalanced_ = false;
    }
    if (!callback_error_.ok()) return callback_error_;
    if (m == nullptr) break;  // Idle (tick, check stop), or nothing more waiting.
    Message message{MessagePtr(m)};
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        Log(absl::StrCat("consumer: ", rd_kafka_message_errstr(m)));
      }
      continue;
    }
    auto owned = position_.find(m->partition);
    if (owned == position_.end() || m->offset < owned->second) continue;  // Answered.
    batch->push_back(std::move(message));
    wait_ms = 0;
  }
  return absl::OkStatus();
}

absl::Status Engine::Run(const std::atomic<bool>& stop) {
  // Nothing is decided before the directory is the topics' (an engine
  // that was down missed its changes).
  absl::Status caught_up = directory_->CatchUp(absl::Seconds(60));
  if (!caught_up.ok()) {
    Log(absl::StrCat("stopping: ", caught_up.message()));
    return caught_up;
  }
  runtime_->processor()->Abort();  // Drops what the processor read before.
  rd_kafka_t* rk = consumer_.get();
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, kCommandsTopic, RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafka(err, "subscribing");
  Log(absl::StrCat("consuming ", kCommandsTopic, " in group ", options_.group, " as ",
                   options_.instance));
  absl::Status status;
  std::vector<Message> batch;
  while (!stop.load() && status.ok()) {
    status = FollowDirectory();
    if (status.ok()) status = ReadBatch(stop, &batch);
    if (status.ok() && !batch.empty()) status = AnswerBatchWithRetries(batch);
    if (status.ok()) status = PublishDueDeadlines();
  }
  if (!status.ok()) Log(absl::StrCat("stopping: ", status.message()));
  rd_kafka_consumer_close(rk);
  rd_kafka_flush(publisher_->producer(), kTimeoutMs);
  Log("stopped");
  return status;
}

}  // namespace docket::kafka
