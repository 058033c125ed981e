#include "services/kafka/directory_follower.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "engine/envelope.h"
#include "projections/case_cache.h"
#include "projections/keys.h"
#include "projections/projector.h"
#include "services/kafka/positions.h"

namespace docket::kafka {
namespace {

// The topics followed, by index; and the names their positions are kept
// under in meta (apart from the owner's positions of the same partition,
// which say what the owner has restored).
constexpr int kEvents = DirectorySlices::kEvents;
constexpr int kRejections = DirectorySlices::kRejections;
constexpr const char* kTopics[2] = {kEventsTopic, kRejectionsTopic};
constexpr const char* kPositionNames[2] = {"docket.events@directory",
                                           "docket.rejections@directory"};
// Records read per Poll, at most: the engine's loop goes on between.
constexpr int kReadPerPoll = 4096;
// What to do about a directory that is not the topics'.
constexpr char kStartAlike[] =
    ": every engine of a group starts from the same directory (a copy: docketctl backup and "
    "restore), or from an empty data directory, which takes it from the topics";
// Positions alone (nothing folded) are written at most this often.
constexpr absl::Duration kPositionsEvery = absl::Seconds(1);

}  // namespace

absl::StatusOr<std::unique_ptr<DirectoryFollower>> DirectoryFollower::Create(
    const ClientOptions& client, const std::string& group, int32_t partitions, Store* store,
    EmbeddedEventLog* log, std::ostream* progress) {
  std::unique_ptr<DirectoryFollower> follower(
      new DirectoryFollower(PartitionOf(kDirectoryStream, partitions), store, log, progress));
  absl::StatusOr<Handle> reader = NewAnswerReader(client, absl::StrCat(group, "-directory"));
  if (!reader.ok()) return reader.status();
  follower->reader_ = *std::move(reader);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(2);
  for (int t : {kEvents, kRejections}) {
    absl::StatusOr<int64_t> from = ReadPosition(*store, kPositionNames[t], follower->partition_);
    if (!from.ok()) {
      rd_kafka_topic_partition_list_destroy(list);
      return from.status();
    }
    follower->slices_.StartAt(t, *from);
    follower->written_[t] = *from;
    rd_kafka_topic_partition_list_add(list, kTopics[t], follower->partition_)->offset = *from;
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(follower->reader_.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafka(err, "assigning the directory reader");
  return follower;
}

void DirectoryFollower::Log(const std::string& line) const {
  if (progress_ != nullptr) *progress_ << "docketd: " << line << std::endl;
}

absl::Status DirectoryFollower::Note(int topic, const rd_kafka_message_t* m) {
  at_end_[topic] = false;
  std::optional<Source> source(std::in_place);
  if (!ParseSource(ReadHeaders(m), &*source) || source->partition != partition_) {
    source.reset();  // Not an answer docket wrote for this partition.
  }
  std::optional<std::pair<int64_t, std::string>> directory_event;
  // Records are keyed by their stream: only the directory's are decoded.
  if (source.has_value() && topic == kEvents && m->key != nullptr &&
      absl::string_view(static_cast<const char*>(m->key), m->key_len) == kDirectoryStream) {
    std::string bytes(static_cast<const char*>(m->payload), m->len);
    v1::StoredEvent stored;
    v1::CaseEvent event;
    if (!stored.ParseFromString(bytes) || !event.ParseFromString(stored.event()) ||
        event.case_id() != kDirectoryStream) {
      return absl::DataLossError(absl::StrCat(kEventsTopic, " partition ", partition_, " offset ",
                                              m->offset, ": a directory event does not decode"));
    }
    directory_event.emplace(event.revision(), std::move(bytes));
  }
  slices_.Note(topic, m->offset, source, std::move(directory_event));
  return absl::OkStatus();
}

absl::Status DirectoryFollower::CheckSameAsFolded(int64_t revision,
                                                  const std::string& bytes) const {
  absl::StatusOr<std::optional<std::string>> folded =
      store_->Get(Cf::kHistory, keys::History(kDirectoryStream, revision));
  if (!folded.ok()) return folded.status();
  v1::StoredEvent mine;
  v1::StoredEvent theirs;
  if (folded->has_value() && mine.ParseFromString(**folded) && theirs.ParseFromString(bytes) &&
      mine.hash() == theirs.hash()) {
    return absl::OkStatus();
  }
  return absl::DataLossError(absl::StrCat("the directory on ", kEventsTopic,
                                          " differs from this data directory's at revision ",
                                          revision, kStartAlike));
}

absl::StatusOr<int> DirectoryFollower::Fold(absl::Time now) {
  rocksdb::WriteBatch batch;
  CaseCache cache(store_);
  Projector projector(store_);
  std::vector<std::string> appended;
  std::map<int64_t, std::string>& confirmed = slices_.confirmed();
  if (!confirmed.empty()) {
    absl::StatusOr<v1::DirectoryState> directory = store_->ReadDirectory();
    if (!directory.ok()) return directory.status();
    int64_t applied = directory->revision();
    while (!confirmed.empty()) {
      auto next = confirmed.begin();
      if (next->first <= applied) {  // Folded already (by this engine, or before a restart).
        absl::Status same = CheckSameAsFolded(next->first, next->second);
        if (!same.ok()) return same;
        confirmed.erase(next);
        continue;
      }
      if (next->first != applied + 1) break;
      v1::StoredEvent stored;
      v1::CaseEvent event;
      if (!stored.ParseFromString(next->second)) {  // Decoded once already, in Note.
        return absl::InternalError("a directory event decoded once does not decode again");
      }
      absl::StatusOr<bool> folded = projector.Fold(stored, &cache, &batch, &event, &next->second);
      if (!folded.ok() && !absl::IsDataLoss(folded.status())) return folded.status();
      if (!folded.ok()) {
        return absl::DataLossError(
            absl::StrCat("the directory on ", kEventsTopic,
                         " does not continue this data directory's at revision ", next->first, " (",
                         folded.status().message(), ")", kStartAlike));
      }
      log_->NotePolicyVersion(event.policy_version());
      appended.push_back(std::move(next->second));
      confirmed.erase(next);
      ++applied;
    }
    if (!confirmed.empty() && !slices_.Waiting()) {
      return absl::DataLossError(
          absl::StrCat(kEventsTopic, " partition ", partition_,
                       " holds the directory from revision ", confirmed.begin()->first,
                       " on, but this data directory's ends at revision ", applied, kStartAlike));
    }
  }
  const int64_t resume[2] = {slices_.ResumeAt(kEvents), slices_.ResumeAt(kRejections)};
  const bool moved =
      resume[kEvents] != written_[kEvents] || resume[kRejections] != written_[kRejections];
  if (appended.empty() && !(moved && now - last_written_ >= kPositionsEvery)) return 0;
  for (int t : {kEvents, kRejections}) {
    PutPosition(*store_, &batch, kPositionNames[t], partition_, resume[t]);
  }
  absl::Status written;
  if (appended.empty()) {
    // Synced, though lost positions would only be read again: a synced
    // write beside it notes the latest sequence as acknowledged, which
    // would count this one too (at most one fsync a second).
    written = store_->Write(&batch, /*sync=*/true);
  } else {
    projector.Flush(&cache, &batch);
    written = log_->Append(appended, &batch);
  }
  if (!written.ok()) return written;
  written_[kEvents] = resume[kEvents];
  written_[kRejections] = resume[kRejections];
  last_written_ = now;
  return static_cast<int>(appended.size());
}

absl::StatusOr<int> DirectoryFollower::Poll(absl::Duration wait) {
  rd_kafka_t* rk = reader_.get();
  for (int read = 0; read < kReadPerPoll; ++read) {
    const int timeout_ms = read == 0 ? static_cast<int>(absl::ToInt64Milliseconds(wait)) : 0;
    MessagePtr m(rd_kafka_consumer_poll(rk, timeout_ms));
    if (m == nullptr) break;
    // An error not about a partition has no topic.
    const int topic = m->rkt == nullptr                                             ? -1
                      : std::strcmp(rd_kafka_topic_name(m->rkt), kEventsTopic) == 0 ? kEvents
                                                                                    : kRejections;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && topic >= 0) {
      at_end_[topic] = true;
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR || topic < 0) {
      Log(absl::StrCat("directory reader: ", rd_kafka_message_errstr(m.get())));
      continue;
    }
    absl::Status noted = Note(topic, m.get());
    if (!noted.ok()) return noted;
  }
  if (const int given_up = slices_.GiveUpAborted(); given_up > 0) {
    Log(absl::StrCat("directory partition ", partition_, ": gave up ", given_up,
                     " incomplete transaction slices (aborted)"));
  }
  return Fold(absl::Now());
}

absl::Status DirectoryFollower::CatchUp(absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (!at_end_[kEvents] || !at_end_[kRejections]) {
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(absl::StrCat(
          "the directory's partition ", partition_, " of ", kEventsTopic, " and ", kRejectionsTopic,
          " was not read to its end within ", absl::FormatDuration(timeout)));
    }
    absl::StatusOr<int> folded = Poll(absl::Milliseconds(100));
    if (!folded.ok()) return folded.status();
  }
  absl::StatusOr<v1::DirectoryState> directory = store_->ReadDirectory();
  if (!directory.ok()) return directory.status();
  Log(absl::StrCat("directory: caught up with ", kEventsTopic, " partition ", partition_,
                   " at revision ", directory->revision()));
  return absl::OkStatus();
}

}  // namespace docket::kafka
