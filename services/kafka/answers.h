#ifndef DOCKET_SERVICES_KAFKA_ANSWERS_H_
#define DOCKET_SERVICES_KAFKA_ANSWERS_H_

#include <librdkafka/rdkafka.h>

#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "docket/v1/outcome.pb.h"
#include "services/kafka/wire.h"

namespace docket::kafka {

// A record of docket.commands: (partition, offset).
using RecordKey = std::pair<int32_t, int64_t>;

// Assembles the outcomes of published commands from the records of
// docket.events and docket.rejections: each answer names its command's
// record (docket-source), and an outcome is whole once its transaction
// slice has fully arrived (an aborted copy may come first, or in part: each
// revision is kept once). A command given twice is answered twice, once
// per record.
//
// Thread safety: none; one consumer's thread feeds it.
class AnswerAssembler {
 public:
  // Feeds one consumed record. `awaited` says whether a command record's
  // outcome is wanted; `done` gets each wanted outcome once its slice is
  // complete.
  void Feed(const rd_kafka_message_t* record, const std::function<bool(RecordKey)>& awaited,
            const std::function<void(RecordKey, v1::CommandOutcome)>& done);

 private:
  std::map<RecordKey, v1::CommandOutcome> outcomes_;  // Being assembled.
  std::map<SliceTracker::Key, std::vector<RecordKey>> slice_commands_;
  SliceTracker slices_;
};

}  // namespace docket::kafka

#endif  // DOCKET_SERVICES_KAFKA_ANSWERS_H_
