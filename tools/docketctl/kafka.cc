// submit and tail with --brokers: docketctl as a Kafka client of docketd.

#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <iostream>
#include <map>
#include <set>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/outcome.pb.h"
#include "docket/v1/rejection.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "engine/refusal.h"
#include "engine/time_util.h"
#include "services/kafka/answers.h"
#include "services/kafka/client.h"
#include "services/kafka/gateway.h"
#include "services/kafka/wire.h"
#include "services/runtime/json_codec.h"
#include "tools/docketctl/docketctl.h"
#include "tools/docketctl/flags.h"
#include "tools/docketctl/line_reader.h"

namespace docket::ctl {
namespace {

using kafka::Handle;

constexpr int kMetadataTimeoutMs = 10000;

kafka::ClientOptions Client() { return {absl::GetFlag(FLAGS_brokers), absl::GetFlag(FLAGS_kafka)}; }

absl::StatusOr<Handle> Reader(bool partition_eof) {
  return kafka::NewHandle(RD_KAFKA_CONSUMER, Client(),
                          {{"group.id", "docketctl"},
                           {"enable.auto.commit", "false"},
                           {"isolation.level", "read_committed"},
                           {"fetch.wait.max.ms", "10"},
                           {"enable.partition.eof", partition_eof ? "true" : "false"}});
}

// Where each published command landed (partition, offset), by the order of
// publishing, from the producer's delivery reports; (-1, -1) when it was
// not delivered.
struct Published {
  std::vector<std::pair<int32_t, int64_t>> where;
  std::vector<std::string> errors;  // By order; empty when delivered.
};

void OnPublished(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  Published* published = static_cast<Published*>(opaque);
  const size_t index = reinterpret_cast<uintptr_t>(m->_private);
  if (index >= published->where.size()) return;
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    published->errors[index] = rd_kafka_err2str(m->err);
  } else {
    published->where[index] = {m->partition, m->offset};
  }
}

volatile std::sig_atomic_t interrupted = 0;
void Interrupt(int) { interrupted = 1; }

// The commands of stdin, one per line.
std::vector<absl::StatusOr<v1::Command>> ReadCommands() {
  std::vector<absl::StatusOr<v1::Command>> commands;
  LineReader reader(STDIN_FILENO, kMaxCommandBytes);
  LineReader::Line line;
  while (reader.Next(&line)) {
    if (line.blank()) continue;
    commands.push_back(line.too_long ? absl::StatusOr<v1::Command>(CommandTooLarge(line.length))
                                     : ParseCommandJson(line.text));
  }
  return commands;
}

}  // namespace

int KafkaSubmit() { return KafkaSubmitCommands(ReadCommands()); }

int KafkaSubmitCommands(std::vector<absl::StatusOr<v1::Command>> commands) {
  // A gateway signs what it publishes (--key_file); unsigned commands are
  // refused by the engines.
  std::optional<kafka::KeyFile> key;
  if (!absl::GetFlag(FLAGS_key_file).empty()) {
    absl::StatusOr<kafka::KeyFile> read = kafka::ReadKeyFile(absl::GetFlag(FLAGS_key_file));
    if (!read.ok()) return Fail(read.status());
    key = *std::move(read);
  }
  absl::StatusOr<Handle> reader = Reader(false);
  if (!reader.ok()) return Fail(reader.status());
  Published published;
  absl::StatusOr<Handle> producer = kafka::NewHandle(
      RD_KAFKA_PRODUCER, Client(),
      {{"enable.idempotence", "true"}, {"linger.ms", "5"}, {"message.max.bytes", "4194304"}},
      [](rd_kafka_conf_t* conf, void*) { rd_kafka_conf_set_dr_msg_cb(conf, &OnPublished); },
      &published);
  if (!producer.ok()) return Fail(producer.status());
  // Listen before publishing, so that no outcome is missed.
  absl::Status assigned =
      kafka::AssignAll(reader->get(), {kafka::kEventsTopic, kafka::kRejectionsTopic},
                       /*from_end=*/true);
  if (!assigned.ok()) return Fail(assigned);
  absl::StatusOr<int32_t> partitions = kafka::PartitionCount(
      producer->get(), kafka::kCommandsTopic, absl::Milliseconds(kMetadataTimeoutMs));
  if (!partitions.ok()) return Fail(partitions.status());

  // Publish; refuse here what cannot be correlated (no command id).
  bool failed = false;
  std::vector<std::string> ids;  // By order of publishing.
  for (absl::StatusOr<v1::Command>& command : commands) {
    if (command.ok() && command->command_id().empty()) {
      command = absl::InvalidArgumentError("a command needs a command_id to be correlated");
    }
    if (!command.ok()) {
      v1::CommandOutcome outcome;
      *outcome.mutable_rejection() =
          MakeRejection(v1::Command(), command.status(), InvocationClock()->Now());
      std::cout << ToJson(outcome) << "\n";
      failed = true;
      continue;
    }
    const uintptr_t index = ids.size();
    ids.push_back(command->command_id());
    published.where.emplace_back(-1, -1);
    published.errors.emplace_back();
    // A drill stamps each record with its decision time: the engine
    // decides each command at its record's timestamp.
    std::optional<absl::Time> stamp;
    if (!absl::GetFlag(FLAGS_clock).empty()) {
      stamp = InvocationClock()->DecisionTime(
          command->has_occurred_at() ? std::optional<absl::Time>(ToTime(command->occurred_at()))
                                     : std::nullopt);
    }
    const std::string value = command->SerializeAsString();
    kafka::Headers headers = kafka::CommandHeaders(*command);
    if (key.has_value()) {
      for (auto& header : kafka::SignatureHeaders(*key, value)) headers.push_back(header);
    }
    absl::Status produced = kafka::Produce(
        producer->get(), kafka::kCommandsTopic, kafka::PartitionOf(command->case_id(), *partitions),
        command->case_id(), value, headers, reinterpret_cast<void*>(index), stamp);
    if (!produced.ok()) return Fail(produced);
  }
  rd_kafka_resp_err_t flushed = rd_kafka_flush(
      producer->get(), static_cast<int>(absl::ToInt64Milliseconds(absl::GetFlag(FLAGS_timeout))));
  if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Fail(kafka::FromKafka(flushed, "publishing the commands"));
  }

  // Each command record gets one answer (its docket-source), so a command
  // given twice is answered twice, as in the embedded mode.
  using kafka::RecordKey;
  std::map<RecordKey, std::string> awaited;  // Record -> command id.
  for (size_t i = 0; i < ids.size(); ++i) {
    if (published.where[i].first < 0) {
      std::cerr << "docketctl: command " << ids[i] << " was not published: "
                << (published.errors[i].empty() ? "no delivery report" : published.errors[i])
                << "\n";
      failed = true;
      continue;
    }
    awaited[published.where[i]] = ids[i];
  }

  // Correlate: a command's outcome is printed once its transaction slice
  // has fully arrived.
  kafka::AnswerAssembler answers;
  const absl::Time deadline = absl::Now() + absl::GetFlag(FLAGS_timeout);
  while (!awaited.empty() && absl::Now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(reader->get(), 100);
    if (m == nullptr) continue;
    answers.Feed(
        m, [&](RecordKey record) { return awaited.count(record) > 0; },
        [&](RecordKey record, v1::CommandOutcome outcome) {
          awaited.erase(record);
          failed |= outcome.has_rejection();
          std::cout << ToJson(outcome) << "\n" << std::flush;
        });
    rd_kafka_message_destroy(m);
  }
  for (const auto& [record, id] : awaited) {
    std::cerr << "docketctl: no outcome for command " << id << " (" << kafka::kCommandsTopic << " "
              << record.first << ":" << record.second << ") within "
              << absl::FormatDuration(absl::GetFlag(FLAGS_timeout))
              << " (is docketd running, and does it own every partition?)\n";
    failed = true;
  }
  rd_kafka_consumer_close(reader->get());
  return failed ? kFailed : kOk;
}

int KafkaTail() {
  const std::string from = absl::GetFlag(FLAGS_from);
  if (from != "beginning" && from != "end") {
    std::cerr << "docketctl: with --brokers, --from is 'beginning' or 'end'\n";
    return kUsage;
  }
  const bool follow = absl::GetFlag(FLAGS_follow);
  absl::StatusOr<Handle> reader = Reader(/*partition_eof=*/!follow);
  if (!reader.ok()) return Fail(reader.status());
  absl::Status assigned = kafka::AssignAll(reader->get(), {kafka::kEventsTopic}, from == "end");
  if (!assigned.ok()) return Fail(assigned);
  absl::StatusOr<int32_t> partitions = kafka::PartitionCount(
      reader->get(), kafka::kEventsTopic, absl::Milliseconds(kMetadataTimeoutMs));
  if (!partitions.ok()) return Fail(partitions.status());
  std::signal(SIGINT, Interrupt);
  std::signal(SIGTERM, Interrupt);
  std::set<int32_t> at_end;
  int skipped = 0;
  while (!interrupted && (follow || static_cast<int32_t>(at_end.size()) < *partitions)) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(reader->get(), 200);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(m->partition);
    } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::cerr << "docketctl: " << rd_kafka_message_errstr(m) << "\n";
    } else if (kafka::FindHeader(kafka::ReadHeaders(m), kafka::kDuplicateHeader) == nullptr) {
      // (A repeated command's answer is a copy of events already printed.)
      v1::StoredEvent stored;
      v1::CaseEvent event;
      if (stored.ParseFromArray(m->payload, static_cast<int>(m->len)) &&
          event.ParseFromString(stored.event())) {
        std::cout << ToJson(event) << "\n";
      } else {
        ++skipped;
      }
    }
    rd_kafka_message_destroy(m);
  }
  std::cout.flush();
  if (skipped > 0) {
    std::cerr << "docketctl: skipped " << skipped << " records that are not docket events\n";
  }
  rd_kafka_consumer_close(reader->get());
  return kOk;
}

}  // namespace docket::ctl
