#include "services/kafka_engine.h"

#include <algorithm>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/rejection.pb.h"
#include "docket/v1/storage.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "engine/event_kind.h"
#include "engine/refusal.h"
#include "engine/time_util.h"
#include "projections/case_cache.h"
#include "projections/hash_chain.h"
#include "projections/projector.h"
#include "services/deadline_scanner.h"
#include "services/kafka_wire.h"

namespace docket::kafka {
namespace {

// Tags of produced records, passed as the delivery report's opaque.
enum Tag : int { kEventTag = 1, kRejectionTag = 2, kCommandTag = 3 };
int tag_storage[] = {0, kEventTag, kRejectionTag, kCommandTag};
void* TagOpaque(Tag tag) { return &tag_storage[tag]; }

constexpr int kTimeoutMs = 30000;
constexpr int kRestoreFlushEvents = 4096;

// The key of the meta record holding a topic partition's position.
std::string PositionKey(const char* topic, int32_t partition) {
  return absl::StrCat("kafka/", topic, "/", partition);
}

absl::StatusOr<int64_t> ReadPosition(const Store& store, const char* topic, int32_t partition) {
  absl::StatusOr<std::optional<std::string>> value =
      store.Get(Cf::kMeta, PositionKey(topic, partition));
  if (!value.ok()) return value.status();
  int64_t position = 0;
  if (value->has_value() && !absl::SimpleAtoi(**value, &position)) {
    return absl::DataLossError(
        absl::StrCat("meta ", PositionKey(topic, partition), " is not an offset"));
  }
  return position;
}

void PutPosition(const Store& store, rocksdb::WriteBatch* batch, const char* topic,
                 int32_t partition, int64_t position) {
  batch->Put(store.cf(Cf::kMeta), PositionKey(topic, partition), absl::StrCat(position));
}

void RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                       rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<Engine*>(opaque)->OnRebalance(rk, err, partitions);
}

void DeliveryCallback(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  static_cast<Engine*>(opaque)->OnDelivery(message);
}

void ConfigureConsumer(rd_kafka_conf_t* conf, void*) {
  rd_kafka_conf_set_rebalance_cb(conf, RebalanceCallback);
}

void ConfigureProducer(rd_kafka_conf_t* conf, void*) {
  rd_kafka_conf_set_dr_msg_cb(conf, DeliveryCallback);
}

}  // namespace

struct Engine::Message {
  struct Destroy {
    void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
  };
  std::unique_ptr<rd_kafka_message_t, Destroy> message;
};

Engine::Engine(Store* store, EmbeddedEventLog* log, const v1::Policy& policy,
               const Calendar& calendar, EngineOptions options)
    : store_(store),
      log_(log),
      policy_(policy),
      calendar_(calendar),
      options_(std::move(options)),
      processor_(store, log, policy, &clock_, calendar) {}

Engine::~Engine() = default;

void Engine::Log(const std::string& line) const {
  if (options_.log != nullptr) *options_.log << "docketd: " << line << std::endl;
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(Store* store, EmbeddedEventLog* log,
                                                       const v1::Policy& policy,
                                                       const Calendar& calendar,
                                                       EngineOptions options) {
  std::unique_ptr<Engine> engine(new Engine(store, log, policy, calendar, std::move(options)));
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
  absl::StatusOr<Handle> producer =
      NewHandle(RD_KAFKA_PRODUCER, o.client,
                {{"transactional.id", absl::StrCat("docketd-", o.instance)},
                 {"enable.idempotence", "true"},
                 {"linger.ms", "5"},
                 {"message.max.bytes", "4194304"}},
                ConfigureProducer, engine.get());
  if (!producer.ok()) return producer.status();
  engine->producer_ = *std::move(producer);
  // The reader is assigned partitions by hand and never commits; librdkafka
  // still wants a group name for it.
  absl::StatusOr<Handle> reader = NewHandle(RD_KAFKA_CONSUMER, o.client,
                                            {{"group.id", absl::StrCat(o.group, "-restore")},
                                             {"isolation.level", "read_committed"},
                                             {"enable.partition.eof", "true"},
                                             {"fetch.wait.max.ms", "10"},
                                             {"enable.auto.commit", "false"},
                                             {"auto.offset.reset", "earliest"}});
  if (!reader.ok()) return reader.status();
  engine->reader_ = *std::move(reader);

  for (const char* topic : {kCommandsTopic, kEventsTopic, kRejectionsTopic}) {
    absl::StatusOr<int32_t> count =
        PartitionCount(engine->producer_.get(), topic, absl::Milliseconds(kTimeoutMs));
    if (!count.ok()) return count.status();
    if (engine->partitions_ != 0 && *count != engine->partitions_) {
      return absl::FailedPreconditionError(absl::StrCat(
          "topic ", topic, " has ", *count, " partitions but ", kCommandsTopic, " has ",
          engine->partitions_, "; docket's three topics must have as many partitions"));
    }
    engine->partitions_ = *count;
  }
  absl::Status init = FromKafka(rd_kafka_init_transactions(engine->producer_.get(), kTimeoutMs),
                                "initialising transactions");
  if (!init.ok()) return init;
  return engine;
}

void Engine::OnDelivery(const rd_kafka_message_t* message) {
  const int tag = *static_cast<const int*>(message->_private);
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++failed_deliveries_;
    return;
  }
  ++deliveries_;
  int64_t& highest = delivered_[{tag, message->partition}];
  highest = std::max(highest, message->offset);
}

void Engine::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t* partitions) {
  rebalanced_ = true;
  position_.clear();
  if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    Log("partitions revoked");
    rd_kafka_assign(rk, nullptr);
    return;
  }
  std::string owned;
  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& tp = partitions->elems[i];
    absl::StatusOr<int64_t> position = Restore(tp.partition);
    if (!position.ok()) {
      callback_error_ = position.status();
      rd_kafka_assign(rk, nullptr);
      return;
    }
    tp.offset = *position;
    position_[tp.partition] = *position;
    absl::StrAppend(&owned, owned.empty() ? "" : " ", tp.partition, "@", *position);
  }
  Log(absl::StrCat("assigned ", kCommandsTopic, " partitions ", owned));
  rd_kafka_assign(rk, partitions);
}

absl::StatusOr<int64_t> Engine::ReadPartition(
    const char* topic, int32_t partition, int64_t from,
    const std::function<absl::Status(const rd_kafka_message_t*)>& visit) {
  rd_kafka_t* rk = reader_.get();
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic, partition)->offset = from;
  rd_kafka_resp_err_t err = rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafka(err, "assigning the restore reader");
  int64_t end = from;
  absl::Status status;
  const absl::Time give_up = absl::Now() + absl::Milliseconds(10 * kTimeoutMs);
  for (;;) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (m == nullptr) {
      if (absl::Now() > give_up) {
        status = absl::DeadlineExceededError(absl::StrCat(
            "restoring ", topic, " partition ", partition, ": no end of partition in sight"));
        break;
      }
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      end = std::max(end, m->offset);
      rd_kafka_message_destroy(m);
      break;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Log(absl::StrCat("restore reader: ", rd_kafka_message_errstr(m)));
      rd_kafka_message_destroy(m);
      continue;
    }
    end = m->offset + 1;
    status = visit(m);
    rd_kafka_message_destroy(m);
    if (!status.ok()) break;
  }
  rd_kafka_assign(rk, nullptr);
  if (!status.ok()) return status;
  return end;
}

absl::StatusOr<int64_t> Engine::Restore(int32_t partition) {
  absl::StatusOr<int64_t> position = ReadPosition(*store_, kCommandsTopic, partition);
  absl::StatusOr<int64_t> events_from = ReadPosition(*store_, kEventsTopic, partition);
  absl::StatusOr<int64_t> rejections_from = ReadPosition(*store_, kRejectionsTopic, partition);
  for (const auto* s : {&position, &events_from, &rejections_from}) {
    if (!s->ok()) return s->status();
  }
  int64_t next = *position;
  SliceTracker slices;
  int foreign = 0;
  // The source of a record docket wrote for this partition; counts the others.
  auto parse = [&](const rd_kafka_message_t* m, Source* source) {
    if (ParseSource(ReadHeaders(m), source) && source->partition == partition) return true;
    ++foreign;
    return false;
  };
  absl::StatusOr<int64_t> rejections_end =
      ReadPartition(kRejectionsTopic, partition, *rejections_from,
                    [&](const rd_kafka_message_t* m) -> absl::Status {
                      Source source;
                      if (parse(m, &source)) slices.Note(source);
                      return absl::OkStatus();
                    });
  if (!rejections_end.ok()) return rejections_end.status();

  // The events of the slice being read, until all its records are there.
  struct Pending {
    Source source;
    std::string bytes;
  };
  std::vector<Pending> run;
  SliceTracker::Key run_key;
  Projector projector(store_);
  CaseCache cache(store_);
  rocksdb::WriteBatch batch;
  std::vector<std::string> appended;
  int64_t folded = 0;
  auto flush = [&]() -> absl::Status {
    projector.Flush(&cache, &batch);
    absl::Status s =
        appended.empty() ? store_->Write(&batch, /*sync=*/true) : log_->Append(appended, &batch);
    batch.Clear();
    cache.Clear();
    appended.clear();
    return s;
  };
  auto fold_run = [&]() -> absl::Status {
    std::map<std::string, v1::CommandRecord> records;
    for (Pending& p : run) {
      v1::StoredEvent stored;
      v1::CaseEvent event;
      if (!stored.ParseFromString(p.bytes) || !event.ParseFromString(stored.event())) {
        return absl::DataLossError(absl::StrCat(kEventsTopic, " partition ", partition,
                                                ": a record of command ", p.source.command_id,
                                                " does not decode"));
      }
      absl::StatusOr<bool> applied = projector.Fold(stored, &cache, &batch, nullptr, &p.bytes);
      if (!applied.ok()) return applied.status();
      if (*applied) {
        appended.push_back(p.bytes);
        log_->NotePolicyVersion(event.policy_version());
        ++folded;
      }
      v1::CommandRecord& record = records[p.source.command_id];
      if (record.case_id().empty()) {
        record.set_content_sha256(p.source.command_sha256);
        record.set_case_id(event.case_id());
        record.set_first_revision(event.revision());
        *record.mutable_decided_at() = event.recorded_at();
      }
      record.set_last_revision(event.revision());
    }
    for (const auto& [id, record] : records) {
      batch.Put(store_->cf(Cf::kCommands), id, record.SerializeAsString());
    }
    run.clear();
    if (static_cast<int>(batch.Count()) >= kRestoreFlushEvents) return flush();
    return absl::OkStatus();
  };
  absl::StatusOr<int64_t> events_end = ReadPartition(
      kEventsTopic, partition, *events_from, [&](const rd_kafka_message_t* m) -> absl::Status {
        Source source;
        if (!parse(m, &source)) return absl::OkStatus();
        const SliceTracker::Key key = SliceTracker::KeyOf(source);
        if (key != run_key) {
          run.clear();  // A slice that never completed: an aborted transaction.
          run_key = key;
        }
        const bool complete = slices.Note(source);
        run.push_back({source, std::string(static_cast<const char*>(m->payload), m->len)});
        if (complete) return fold_run();
        return absl::OkStatus();
      });
  if (!events_end.ok()) return events_end.status();
  // The commands answered: those of every complete slice, of events or
  // rejections.
  slices.ForEachComplete(
      [&](const SliceTracker::Key& key) { next = std::max(next, key.last + 1); });
  PutPosition(*store_, &batch, kCommandsTopic, partition, next);
  PutPosition(*store_, &batch, kEventsTopic, partition, *events_end);
  PutPosition(*store_, &batch, kRejectionsTopic, partition, *rejections_end);
  absl::Status flushed = flush();
  if (!flushed.ok()) return flushed;
  if (foreign > 0) {
    Log(absl::StrCat("partition ", partition, ": ignored ", foreign,
                     " records docket did not write"));
  }
  Log(absl::StrCat("restored partition ", partition, ": folded ", folded,
                   " events; commands resume at offset ", next));
  return next;
}

absl::Status Engine::EndTransaction(bool commit, bool* retry) {
  rd_kafka_t* rk = producer_.get();
  rd_kafka_error_t* error = commit ? rd_kafka_commit_transaction(rk, kTimeoutMs)
                                   : rd_kafka_abort_transaction(rk, kTimeoutMs);
  if (error == nullptr) return absl::OkStatus();
  *retry = !rd_kafka_error_is_fatal(error);
  const bool abort = rd_kafka_error_txn_requires_abort(error);
  absl::Status status =
      FromKafka(error, commit ? "committing the transaction" : "aborting the transaction");
  if (commit && abort && *retry) {
    bool ignored = false;
    absl::Status aborted = EndTransaction(false, &ignored);
    if (!aborted.ok()) Log(std::string(aborted.message()));
  }
  return status;
}

absl::Status Engine::TryBatch(const std::vector<Message>& batch, bool* retry) {
  *retry = false;
  rd_kafka_t* rk = producer_.get();
  // Decide.
  std::vector<CommandProcessor::Timed> timed;
  timed.reserve(batch.size());
  std::map<int32_t, SliceTracker::Key> slices;  // This transaction's, per partition.
  // The ids of commands refused before deciding (they name the rejection).
  std::vector<std::pair<std::string, std::string>> ids(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const rd_kafka_message_t* r = batch[i].message.get();
    absl::StatusOr<v1::Command> command = DecodeCommand(
        absl::string_view(static_cast<const char*>(r->payload), r->len), ReadHeaders(r));
    if (command.ok()) ids[i] = {command->command_id(), command->case_id()};
    if (command.ok() && PartitionOf(command->case_id(), partitions_) != r->partition) {
      command = Refuse(v1::RULE_WRONG_PARTITION, absl::StatusCode::kFailedPrecondition,
                       absl::StrCat("case ", command->case_id(), " belongs to partition ",
                                    PartitionOf(command->case_id(), partitions_), " of ",
                                    kCommandsTopic, ", not ", r->partition,
                                    ": key records by case_id and partition with murmur2"));
    }
    rd_kafka_timestamp_type_t type;
    const int64_t ms = rd_kafka_message_timestamp(r, &type);
    timed.push_back({std::move(command), ms >= 0 ? absl::FromUnixMillis(ms) : absl::Now()});
    auto [it, fresh] =
        slices.try_emplace(r->partition, SliceTracker::Key{r->partition, r->offset, r->offset});
    it->second.first = std::min(it->second.first, r->offset);
    it->second.last = std::max(it->second.last, r->offset);
  }
  absl::StatusOr<std::vector<CommandProcessor::Decision>> decisions = processor_.Decide(timed);
  if (!decisions.ok()) return decisions.status();
  for (size_t i = 0; i < batch.size(); ++i) {
    v1::CommandOutcome& outcome = (*decisions)[i].outcome;
    if (!outcome.has_rejection() || !outcome.command_id().empty()) continue;
    outcome.set_command_id(ids[i].first);
    outcome.mutable_rejection()->set_command_id(ids[i].first);
    if (!ids[i].second.empty()) {
      outcome.set_case_id(ids[i].second);
      outcome.mutable_rejection()->set_case_id(ids[i].second);
    }
  }

  // How many records each slice gets, to number them.
  std::map<int32_t, int> counts;
  for (size_t i = 0; i < batch.size(); ++i) {
    const CommandProcessor::Decision& d = (*decisions)[i];
    counts[batch[i].message->partition] += d.outcome.has_rejection() ? 1
                                           : d.outcome.duplicate()
                                               ? static_cast<int>(d.original_events.size())
                                               : static_cast<int>(d.event_count);
  }

  // Publish, in one transaction with the consumed offsets.
  delivered_.clear();
  deliveries_ = failed_deliveries_ = 0;
  int produced = 0;
  absl::Status status = FromKafka(rd_kafka_begin_transaction(rk), "beginning a transaction");
  std::map<int32_t, int> index;
  for (size_t i = 0; i < batch.size() && status.ok(); ++i) {
    const rd_kafka_message_t* r = batch[i].message.get();
    const CommandProcessor::Decision& d = (*decisions)[i];
    Source source;
    source.partition = r->partition;
    source.offset = r->offset;
    source.batch_first = slices[r->partition].first;
    source.batch_last = slices[r->partition].last;
    source.count = counts[r->partition];
    source.command_id = d.outcome.command_id();
    source.command_sha256 = d.content_sha256;
    if (d.outcome.has_rejection()) {
      v1::Rejection rejection = d.outcome.rejection();
      if (rejection.case_id().empty() && r->key != nullptr) {
        rejection.set_case_id(std::string(static_cast<const char*>(r->key), r->key_len));
      }
      source.index = ++index[r->partition];
      status = Produce(rk, kRejectionsTopic, r->partition, rejection.case_id(),
                       rejection.SerializeAsString(),
                       AnswerHeaders(v1::Rejection::descriptor()->full_name(),
                                     v1::Rule_Name(rejection.rule()), source),
                       TagOpaque(kRejectionTag));
      ++produced;
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
          Produce(rk, kEventsTopic, r->partition, d.outcome.case_id(),
                  duplicate ? d.original_events[e] : processor_.PendingEvents()[d.first_event + e],
                  headers, TagOpaque(kEventTag));
      ++produced;
    }
  }
  if (status.ok()) {
    rd_kafka_topic_partition_list_t* offsets =
        rd_kafka_topic_partition_list_new(static_cast<int>(slices.size()));
    for (const auto& [partition, slice] : slices) {
      rd_kafka_topic_partition_list_add(offsets, kCommandsTopic, partition)->offset =
          slice.last + 1;
    }
    rd_kafka_consumer_group_metadata_t* group = rd_kafka_consumer_group_metadata(consumer_.get());
    rd_kafka_error_t* error = rd_kafka_send_offsets_to_transaction(rk, offsets, group, kTimeoutMs);
    rd_kafka_consumer_group_metadata_destroy(group);
    rd_kafka_topic_partition_list_destroy(offsets);
    if (error != nullptr) {
      *retry = !rd_kafka_error_is_fatal(error);
      status = FromKafka(error, "sending the offsets to the transaction");
    }
  }
  if (status.ok()) {
    status = EndTransaction(/*commit=*/true, retry);
  } else if (*retry || status.code() == absl::StatusCode::kUnavailable) {
    *retry = true;
    bool ignored = false;
    absl::Status aborted = EndTransaction(/*commit=*/false, &ignored);
    if (!aborted.ok()) Log(std::string(aborted.message()));
  }
  if (status.ok()) {
    // Committed: every record was delivered; collect their offsets.
    while (deliveries_ + failed_deliveries_ < produced) rd_kafka_poll(rk, 10);
    if (failed_deliveries_ > 0) {
      status = absl::InternalError("a committed transaction reported failed deliveries");
    }
  }
  if (!status.ok()) {
    processor_.Abort();
    return status;
  }

  // Fold what was committed, with the positions, in one atomic write.
  absl::Status folded = processor_.Commit([&](rocksdb::WriteBatch* wb) {
    for (const auto& [partition, slice] : slices) {
      PutPosition(*store_, wb, kCommandsTopic, partition, slice.last + 1);
    }
    for (const auto& [where, highest] : delivered_) {
      const char* topic = where.first == kEventTag ? kEventsTopic : kRejectionsTopic;
      PutPosition(*store_, wb, topic, where.second, highest + 1);
    }
  });
  if (!folded.ok()) return folded;
  for (const auto& [partition, slice] : slices) {
    position_[partition] = slice.last + 1;
    if (options_.on_folded) options_.on_folded(partition, slice.last + 1);
  }
  return absl::OkStatus();
}

absl::Status Engine::ProcessBatch(const std::vector<Message>& batch) {
  absl::Duration backoff = absl::Milliseconds(50);
  for (int attempt = 1;; ++attempt) {
    bool retry = false;
    absl::Status status = TryBatch(batch, &retry);
    if (status.ok()) return status;
    if (!retry) return status;
    Log(absl::StrCat("transaction failed (attempt ", attempt, "), retrying: ", status.message()));
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(backoff));
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
}

absl::Status Engine::Tick() {
  const absl::Time now = absl::Now();
  if (options_.tick_every <= absl::ZeroDuration() || now - last_tick_ < options_.tick_every ||
      position_.empty()) {
    return absl::OkStatus();
  }
  last_tick_ = now;
  if (ticked_.size() > 100000) ticked_.clear();
  absl::StatusOr<std::vector<v1::Command>> due = DeadlineScanner::DueCommands(
      *store_, now, static_cast<size_t>(options_.batch),
      [&](const std::string& case_id) {
        return position_.count(PartitionOf(case_id, partitions_)) > 0;
      },
      &ticked_);
  if (!due.ok()) return due.status();
  if (due->empty()) return absl::OkStatus();
  // Published as commands, so that the owner of each case decides them.
  // Their ids are deterministic: a repeat is a duplicate.
  rd_kafka_t* rk = producer_.get();
  bool retry = false;
  absl::Status status = FromKafka(rd_kafka_begin_transaction(rk), "beginning a transaction");
  deliveries_ = failed_deliveries_ = 0;
  for (const v1::Command& command : *due) {
    if (!status.ok()) break;
    status =
        Produce(rk, kCommandsTopic, PartitionOf(command.case_id(), partitions_), command.case_id(),
                command.SerializeAsString(), CommandHeaders(command), TagOpaque(kCommandTag));
  }
  if (status.ok()) status = EndTransaction(/*commit=*/true, &retry);
  if (!status.ok()) {
    for (const v1::Command& command : *due) ticked_.erase(command.command_id());
    bool ignored = false;
    if (!retry) return status;
    EndTransaction(/*commit=*/false, &ignored).IgnoreError();
    Log(absl::StrCat("deadline scan not published, will retry: ", status.message()));
    return absl::OkStatus();
  }
  Log(absl::StrCat("deadline scan published ", due->size(), " commands"));
  return absl::OkStatus();
}

absl::Status Engine::Run(const std::atomic<bool>& stop) {
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
    // A batch is what has arrived, up to --batch: the commands that queue
    // up while one transaction commits form the next, so batches grow with
    // the load and a lone command waits for no timer.
    batch.clear();
    int wait_ms = 100;
    while (static_cast<int>(batch.size()) < options_.batch && !stop.load()) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, wait_ms);
      if (rebalanced_) {
        batch.clear();  // Fetched before the rebalance: positions were reset.
        rebalanced_ = false;
      }
      if (!callback_error_.ok()) break;
      if (m == nullptr) break;  // Idle (tick, check stop), or nothing more waiting.
      Message message{decltype(Message::message)(m)};
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          Log(absl::StrCat("consumer: ", rd_kafka_message_errstr(m)));
        }
        continue;
      }
      auto owned = position_.find(m->partition);
      if (owned == position_.end() || m->offset < owned->second) continue;  // Answered.
      batch.push_back(std::move(message));
      wait_ms = 0;
    }
    if (!callback_error_.ok()) {
      status = callback_error_;
      break;
    }
    if (!batch.empty()) status = ProcessBatch(batch);
    if (status.ok()) status = Tick();
  }
  if (!status.ok()) Log(absl::StrCat("stopping: ", status.message()));
  rd_kafka_consumer_close(rk);
  rd_kafka_flush(producer_.get(), kTimeoutMs);
  Log("stopped");
  return status;
}

}  // namespace docket::kafka
