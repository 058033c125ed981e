#include "services/kafka/answers.h"

#include <algorithm>
#include <string>

#include "docket/v1/events.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "services/kafka/client.h"

namespace docket::kafka {

void AnswerAssembler::Feed(const rd_kafka_message_t* m,
                           const std::function<bool(RecordKey)>& awaited,
                           const std::function<void(RecordKey, v1::CommandOutcome)>& done) {
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  const Headers headers = ReadHeaders(m);
  Source source;
  if (!ParseSource(headers, &source)) return;
  // Every record counts toward its slice; an awaited one also toward an outcome.
  auto& members = slice_commands_[SliceTracker::KeyOf(source)];
  const RecordKey record{source.partition, source.offset};
  if (awaited(record)) {
    v1::CommandOutcome& outcome = outcomes_[record];
    const absl::string_view value(static_cast<const char*>(m->payload), m->len);
    const std::string topic = rd_kafka_topic_name(m->rkt);
    v1::StoredEvent stored;
    v1::CaseEvent event;
    if (topic == kRejectionsTopic) {
      outcome.mutable_rejection()->ParseFromArray(value.data(), static_cast<int>(value.size()));
      outcome.set_command_id(outcome.rejection().command_id());
      outcome.set_case_id(outcome.rejection().case_id());
      // A repeated command, answered again with its original refusal.
      if (FindHeader(headers, kDuplicateHeader) != nullptr) outcome.set_duplicate(true);
    } else if (stored.ParseFromArray(value.data(), static_cast<int>(value.size())) &&
               event.ParseFromString(stored.event())) {
      // An aborted copy of a slice may come first: keep each revision once.
      if (outcome.events_size() == 0 ||
          outcome.events(outcome.events_size() - 1).revision() < event.revision()) {
        outcome.set_command_id(event.command_id());
        outcome.set_case_id(event.case_id());
        *outcome.add_events() = event;
        // A repeated command, answered again with its original events.
        if (FindHeader(headers, kDuplicateHeader) != nullptr) outcome.set_duplicate(true);
      }
    }
    if (std::find(members.begin(), members.end(), record) == members.end()) {
      members.push_back(record);
    }
  }
  if (!slices_.Note(source)) return;
  for (const RecordKey& member : members) {
    auto it = outcomes_.find(member);
    if (it == outcomes_.end()) continue;
    v1::CommandOutcome outcome = std::move(it->second);
    outcomes_.erase(it);
    done(member, std::move(outcome));
  }
  slice_commands_.erase(SliceTracker::KeyOf(source));
}

}  // namespace docket::kafka
