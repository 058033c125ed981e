#ifndef DOCKET_SERVICES_KAFKA_WIRE_H_
#define DOCKET_SERVICES_KAFKA_WIRE_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "docket/v1/commands.pb.h"

// How docket's records look on Kafka: topics, keys, headers. The contract
// for adapters and consumers (docs/kafka.md); pure, no I/O.
namespace docket::kafka {

inline constexpr char kCommandsTopic[] = "docket.commands";
inline constexpr char kEventsTopic[] = "docket.events";
inline constexpr char kRejectionsTopic[] = "docket.rejections";

// Headers on every record docket writes (DESIGN.md).
inline constexpr char kTypeHeader[] = "docket-type";          // "docket.v1.StoredEvent"
inline constexpr char kKindHeader[] = "docket-kind";          // "evidence_attached"
inline constexpr char kContentTypeHeader[] = "content-type";  // kProtobuf
inline constexpr char kProtobuf[] = "application/x-protobuf";
inline constexpr char kJson[] = "application/json";
// docket's own, on docket.events and docket.rejections: the command record
// they answer ("<partition>:<offset>" of docket.commands), the transaction's
// slice of that partition ("<partition>:<first>-<last>" command offsets),
// which of that slice's records this is ("<index>/<count>", from 1), the
// command's id and its idempotency key (hex SHA-256 of its deterministic
// bytes). They let a restoring engine rebuild its positions and idempotency
// records from the topics alone, and recognise a transaction that is not
// all there (a broker that hands out aborted records).
inline constexpr char kSourceHeader[] = "docket-source";
inline constexpr char kBatchHeader[] = "docket-batch";
inline constexpr char kPartHeader[] = "docket-part";
inline constexpr char kCommandIdHeader[] = "docket-command-id";
inline constexpr char kCommandHashHeader[] = "docket-command-sha256";
// "true" on the events that answer a repeated command (same id and content)
// again: copies of revisions already published, so that every command gets
// an answer. A consumer counting events skips them.
inline constexpr char kDuplicateHeader[] = "docket-duplicate";

using Headers = std::vector<std::pair<std::string, std::string>>;

// The headers every record docket writes begins with: docket-type (the
// message's full name, e.g. v1::StoredEvent::descriptor()->full_name()),
// docket-kind and content-type (protobuf).
Headers TypedHeaders(absl::string_view type, absl::string_view kind);

// The headers of a command record; its kind is the body's oneof case
// ("acknowledge").
Headers CommandHeaders(const v1::Command& command);

// The value of header `name`, or nullptr.
const std::string* FindHeader(const Headers& headers, absl::string_view name);

// The partition of `key` among `partitions`: murmur2, as the Java client's
// default partitioner and librdkafka's "murmur2_random" (for a non-empty key).
int32_t PartitionOf(absl::string_view key, int32_t partitions);

// Decodes a record of docket.commands: protobuf docket.v1.Command by
// default, the canonical JSON mapping when content-type says
// application/json. Refusals carry a docket.v1.Rule (too large,
// undecodable).
absl::StatusOr<v1::Command> DecodeCommand(absl::string_view value, const Headers& headers);

// Where a record of docket.events or docket.rejections came from.
struct Source {
  int32_t partition = -1;
  int64_t offset = -1;
  int64_t batch_first = -1;  // The transaction's command offsets in `partition`.
  int64_t batch_last = -1;
  int index = 1;  // Which of the batch's records in `partition` (1..count).
  int count = 1;
  std::string command_id;
  std::string command_sha256;  // Raw bytes.
};
Headers SourceHeaders(const Source& source);

// The headers of an answer (an event or a rejection) to the command at `source`.
Headers AnswerHeaders(absl::string_view type, absl::string_view kind, const Source& source);

// Which records of each transaction slice have been seen. A slice is
// complete when every one of its records has been (a broker that hands out
// aborted records may show a slice in part, or twice).
class SliceTracker {
 public:
  struct Key {
    int32_t partition = -1;
    int64_t first = 0, last = 0;
    auto operator<=>(const Key&) const = default;
  };
  static Key KeyOf(const Source& source) {
    return {source.partition, source.batch_first, source.batch_last};
  }
  // Records `source`; returns whether its slice is now complete.
  bool Note(const Source& source);
  // Whether every record of the slice `key` has been seen.
  bool IsComplete(const Key& key) const {
    auto it = slices_.find(key);
    return it != slices_.end() && static_cast<int>(it->second.seen.size()) == it->second.count;
  }
  // Stops tracking `key` (a slice folded, or given up as aborted).
  void Forget(const Key& key) { slices_.erase(key); }
  // Calls `visit` with each complete slice.
  template <typename F>
  void ForEachComplete(F visit) const {
    for (const auto& [key, slice] : slices_) {
      if (static_cast<int>(slice.seen.size()) == slice.count) visit(key);
    }
  }

 private:
  struct Slice {
    int count = 0;
    std::set<int> seen;
  };
  std::map<Key, Slice> slices_;
};
// False when the headers are missing or malformed (a record docket did not write).
bool ParseSource(const Headers& headers, Source* source);

}  // namespace docket::kafka

#endif  // DOCKET_SERVICES_KAFKA_WIRE_H_
