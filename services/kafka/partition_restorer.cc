#include "services/kafka/partition_restorer.h"

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/rejection.pb.h"
#include "docket/v1/storage.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "engine/time_util.h"
#include "projections/case_cache.h"
#include "projections/keys.h"
#include "projections/projector.h"
#include "services/kafka/positions.h"
#include "services/kafka/wire.h"

namespace docket::kafka {
namespace {

constexpr int kTimeoutMs = 30000;
// Writes a batch once it holds this many changes.
constexpr int kRestoreFlushEvents = 4096;

}  // namespace

// The state of one partition's restoration.
struct PartitionRestorer::Restoration {
  explicit Restoration(Store* store, int32_t partition)
      : partition(partition), projector(store), cache(store) {}

  int32_t partition;
  SliceTracker slices;
  int foreign = 0;  // Records docket did not write, ignored.
  // The events of the slice being read, until all its records are there.
  struct Record {
    Source source;
    std::string bytes;
  };
  std::vector<Record> slice;
  SliceTracker::Key slice_key;
  // The rejections of each slice, recorded once the slice is complete.
  std::map<SliceTracker::Key, std::vector<Record>> rejections;
  Projector projector;
  CaseCache cache;
  rocksdb::WriteBatch batch;
  std::vector<std::string> appended;  // Folded events, for the log.
  int64_t folded = 0;

  // The source of a record docket wrote for this partition; counts the others.
  bool Parse(const rd_kafka_message_t* m, Source* source) {
    if (ParseSource(ReadHeaders(m), source) && source->partition == partition) return true;
    ++foreign;
    return false;
  }
};

absl::StatusOr<std::unique_ptr<PartitionRestorer>> PartitionRestorer::Create(
    const ClientOptions& client, const std::string& group, Store* store, EmbeddedEventLog* log,
    std::ostream* progress) {
  std::unique_ptr<PartitionRestorer> restorer(new PartitionRestorer(store, log, progress));
  absl::StatusOr<Handle> reader = NewAnswerReader(client, absl::StrCat(group, "-restore"));
  if (!reader.ok()) return reader.status();
  restorer->reader_ = *std::move(reader);
  return restorer;
}

void PartitionRestorer::Log(const std::string& line) const {
  if (progress_ != nullptr) *progress_ << "docketd: " << line << std::endl;
}

absl::StatusOr<int64_t> PartitionRestorer::ReadPartition(
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

absl::Status PartitionRestorer::Flush(Restoration* r) {
  r->projector.Flush(&r->cache, &r->batch);
  absl::Status s = r->appended.empty() ? store_->Write(&r->batch, /*sync=*/true)
                                       : log_->Append(r->appended, &r->batch);
  r->batch.Clear();
  r->cache.Clear();
  r->appended.clear();
  return s;
}

absl::Status PartitionRestorer::FoldSlice(Restoration* r) {
  std::map<std::string, v1::CommandRecord> records;
  for (Restoration::Record& p : r->slice) {
    v1::StoredEvent stored;
    v1::CaseEvent event;
    if (!stored.ParseFromString(p.bytes) || !event.ParseFromString(stored.event())) {
      return absl::DataLossError(absl::StrCat(kEventsTopic, " partition ", r->partition,
                                              ": a record of command ", p.source.command_id,
                                              " does not decode"));
    }
    absl::StatusOr<bool> applied =
        r->projector.Fold(stored, &r->cache, &r->batch, nullptr, &p.bytes);
    if (!applied.ok()) return applied.status();
    if (*applied) {
      r->appended.push_back(p.bytes);
      log_->NotePolicyVersion(event.policy_version());
      ++r->folded;
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
    r->batch.Put(store_->cf(Cf::kCommands), id, record.SerializeAsString());
  }
  r->slice.clear();
  if (static_cast<int>(r->batch.Count()) >= kRestoreFlushEvents) return Flush(r);
  return absl::OkStatus();
}

absl::Status PartitionRestorer::RecordRejections(Restoration* r) {
  for (const auto& [key, records] : r->rejections) {
    if (!r->slices.IsComplete(key)) continue;  // An aborted transaction's.
    for (const Restoration::Record& p : records) {
      v1::CommandRecord record;
      if (!record.mutable_rejection()->ParseFromString(p.bytes)) {
        return absl::DataLossError(absl::StrCat(kRejectionsTopic, " partition ", r->partition,
                                                ": the rejection of command ", p.source.command_id,
                                                " does not decode"));
      }
      const v1::Rejection& rejection = record.rejection();
      // A reused id's refusal is not that id's outcome.
      if (rejection.rule() == v1::RULE_DUPLICATE_COMMAND_ID) continue;
      record.set_content_sha256(p.source.command_sha256);
      record.set_case_id(rejection.case_id());
      *record.mutable_decided_at() = rejection.rejected_at();
      r->batch.Put(store_->cf(Cf::kCommands), p.source.command_id, record.SerializeAsString());
      r->batch.Put(store_->cf(Cf::kRejections),
                   keys::RejectionKey(rejection.case_id(), ToTime(rejection.rejected_at()),
                                      p.source.command_id),
                   rejection.SerializeAsString());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> PartitionRestorer::Restore(int32_t partition) {
  absl::StatusOr<int64_t> position = ReadPosition(*store_, kCommandsTopic, partition);
  absl::StatusOr<int64_t> events_from = ReadPosition(*store_, kEventsTopic, partition);
  absl::StatusOr<int64_t> rejections_from = ReadPosition(*store_, kRejectionsTopic, partition);
  for (const auto* s : {&position, &events_from, &rejections_from}) {
    if (!s->ok()) return s->status();
  }
  Restoration r(store_, partition);
  absl::StatusOr<int64_t> rejections_end = ReadPartition(
      kRejectionsTopic, partition, *rejections_from,
      [&](const rd_kafka_message_t* m) -> absl::Status {
        Source source;
        if (!r.Parse(m, &source)) return absl::OkStatus();
        r.slices.Note(source);
        if (!source.command_id.empty() && FindHeader(ReadHeaders(m), kDuplicateHeader) == nullptr) {
          r.rejections[SliceTracker::KeyOf(source)].push_back(
              {source, std::string(static_cast<const char*>(m->payload), m->len)});
        }
        return absl::OkStatus();
      });
  if (!rejections_end.ok()) return rejections_end.status();
  absl::StatusOr<int64_t> events_end = ReadPartition(
      kEventsTopic, partition, *events_from, [&](const rd_kafka_message_t* m) -> absl::Status {
        Source source;
        if (!r.Parse(m, &source)) return absl::OkStatus();
        const SliceTracker::Key key = SliceTracker::KeyOf(source);
        if (key != r.slice_key) {
          r.slice.clear();  // A slice that never completed: an aborted transaction.
          r.slice_key = key;
        }
        const bool complete = r.slices.Note(source);
        r.slice.push_back({source, std::string(static_cast<const char*>(m->payload), m->len)});
        if (complete) return FoldSlice(&r);
        return absl::OkStatus();
      });
  if (!events_end.ok()) return events_end.status();
  // The commands answered: those of every complete slice, of events or
  // rejections.
  int64_t next = *position;
  r.slices.ForEachComplete(
      [&](const SliceTracker::Key& key) { next = std::max(next, key.last + 1); });
  absl::Status recorded = RecordRejections(&r);
  if (!recorded.ok()) return recorded;
  PutPosition(*store_, &r.batch, kCommandsTopic, partition, next);
  PutPosition(*store_, &r.batch, kEventsTopic, partition, *events_end);
  PutPosition(*store_, &r.batch, kRejectionsTopic, partition, *rejections_end);
  absl::Status flushed = Flush(&r);
  if (!flushed.ok()) return flushed;
  if (r.foreign > 0) {
    Log(absl::StrCat("partition ", partition, ": ignored ", r.foreign,
                     " records docket did not write"));
  }
  Log(absl::StrCat("restored partition ", partition, ": folded ", r.folded,
                   " events; commands resume at offset ", next));
  return next;
}

}  // namespace docket::kafka
