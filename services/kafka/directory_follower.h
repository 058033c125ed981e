#ifndef DOCKET_SERVICES_KAFKA_DIRECTORY_FOLLOWER_H_
#define DOCKET_SERVICES_KAFKA_DIRECTORY_FOLLOWER_H_

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "projections/store.h"
#include "services/kafka/client.h"
#include "services/kafka/directory_slices.h"
#include "services/kafka/wire.h"
#include "services/runtime/embedded_event_log.h"

namespace docket::kafka {

// Keeps an engine's directory current whatever partitions it owns
// (DESIGN.md, "Identity": every instance folds the whole directory). The
// directory's stream ("@directory") lives in one partition; its owner
// decides the directory commands and publishes their events like a case's.
// Every engine follows docket.events and docket.rejections of that
// partition and folds the directory's events of each transaction slice once
// the slice is complete (a broker may hand out aborted records), in
// revision order, skipping revisions already applied. Other records of the
// partition are only counted towards their slice.
//
// The folded events are appended to the engine's log (so verify and history
// cover them) with the follower's positions in the same atomic write. It
// resumes, after a restart, from the first record of the oldest slice it
// had not seen whole. A slice still incomplete once both topics hold
// records of later slices is an aborted transaction's and is given up (no
// clock: the two topics may be read at very different speeds).
//
// An engine whose directory does not continue the topics' (bootstrapped
// apart, or diverged) is stopped with kDataLoss: every engine of a group
// starts from the same directory, or from none and takes it from the topics.
//
// Thread safety: one thread (the engine's), its reader its own consumer
// handle, assigned by hand, never in a group.
class DirectoryFollower {
 public:
  // `store` and `log` must outlive the follower; `progress` may be null.
  static absl::StatusOr<std::unique_ptr<DirectoryFollower>> Create(const ClientOptions& client,
                                                                   const std::string& group,
                                                                   int32_t partitions, Store* store,
                                                                   EmbeddedEventLog* log,
                                                                   std::ostream* progress);

  // Reads what has arrived (waiting at most `wait` for the first record)
  // and folds the directory's events it completes; how many it folded.
  absl::StatusOr<int> Poll(absl::Duration wait);

  // Reads and folds until both topics' partitions are read to their end
  // (an engine decides nothing before its directory is the topics'); kDeadlineExceeded
  // after `timeout`.
  absl::Status CatchUp(absl::Duration timeout);

  int32_t partition() const { return partition_; }

 private:
  DirectoryFollower(int32_t partition, Store* store, EmbeddedEventLog* log, std::ostream* progress)
      : partition_(partition), store_(store), log_(log), progress_(progress) {}

  // Notes one record of the followed partition.
  absl::Status Note(int topic, const rd_kafka_message_t* m);
  // kDataLoss unless this data directory's event at `revision` of the
  // directory is the one the topics hold (`bytes`).
  absl::Status CheckSameAsFolded(int64_t revision, const std::string& bytes) const;
  // Folds the confirmed events that continue the directory; writes them
  // with the positions (or only the positions, when they moved and
  // nothing was folded for a while).
  absl::StatusOr<int> Fold(absl::Time now);
  void Log(const std::string& line) const;

  int32_t partition_;
  Store* store_;
  EmbeddedEventLog* log_;
  std::ostream* progress_;
  Handle reader_;

  DirectorySlices slices_;
  int64_t written_[2] = {0, 0};      // The resume positions last written.
  bool at_end_[2] = {false, false};  // Per topic: read to the end, nothing since.
  absl::Time last_written_ = absl::InfinitePast();
};

}  // namespace docket::kafka

#endif  // DOCKET_SERVICES_KAFKA_DIRECTORY_FOLLOWER_H_
