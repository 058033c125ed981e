#ifndef DOCKET_SERVICES_KAFKA_DIRECTORY_SLICES_H_
#define DOCKET_SERVICES_KAFKA_DIRECTORY_SLICES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "services/kafka/wire.h"

namespace docket::kafka {

// Which of the directory's events on the topics are committed: the
// bookkeeping of DirectoryFollower, pure. Records of one partition come in
// transaction order on each topic (docket.events is topic 0,
// docket.rejections topic 1), but the two topics may be read at very
// different speeds. A slice is complete once all its records, events and
// rejections together, have been seen; its directory events are then
// committed. A slice still incomplete once both topics hold records of
// later slices is an aborted transaction's, and is given up.
//
// Thread safety: none; one owner.
class DirectorySlices {
 public:
  static constexpr int kEvents = 0;
  static constexpr int kRejections = 1;

  // Reading `topic` starts at `offset` (a restart's resume position).
  void StartAt(int topic, int64_t offset) { next_[topic] = offset; }

  // A record at `offset` of `topic`, whose headers gave `source` (nullopt:
  // not an answer docket wrote for this partition); `directory_event`, for
  // an event of the directory: its revision and stored bytes. The last copy
  // of a revision wins (a retried transaction's slice has the key of its
  // aborted attempt, and comes after it).
  void Note(int topic, int64_t offset, const std::optional<Source>& source,
            std::optional<std::pair<int64_t, std::string>> directory_event);

  // Gives up the slices still incomplete once both topics read past them;
  // how many.
  int GiveUpAborted();

  // The directory's events of complete slices not yet taken, by revision.
  std::map<int64_t, std::string>& confirmed() { return confirmed_; }

  // Whether a slice not yet complete holds directory events.
  bool Waiting() const;

  // Where reading `topic` resumes after a restart: the first record of the
  // oldest slice not seen whole there, else after the last record read.
  int64_t ResumeAt(int topic) const;

 private:
  // A transaction slice seen in part.
  struct Pending {
    std::map<int64_t, std::string> directory;  // Revision -> stored event bytes.
    int64_t first_offset[2] = {-1, -1};        // Per topic.
  };

  SliceTracker slices_;
  std::map<SliceTracker::Key, Pending> pending_;
  std::map<int64_t, std::string> confirmed_;
  int64_t next_[2] = {0, 0};  // The offset after the last record read, per topic.
  // Per topic: the highest first command offset of a slice read there
  // (every record of an earlier slice on that topic has been read).
  int64_t read_past_[2] = {-1, -1};
};

}  // namespace docket::kafka

#endif  // DOCKET_SERVICES_KAFKA_DIRECTORY_SLICES_H_
