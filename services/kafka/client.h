#ifndef DOCKET_SERVICES_KAFKA_CLIENT_H_
#define DOCKET_SERVICES_KAFKA_CLIENT_H_

#include <librdkafka/rdkafka.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/kafka/wire.h"

// Thin RAII over librdkafka's C API: configuration, handles, headers.
namespace docket::kafka {

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
// A message a consumer poll returned, destroyed with it.
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

struct ClientOptions {
  std::string brokers;                // bootstrap.servers
  std::vector<std::string> settings;  // "key=value", applied last (TLS, SASL, ...)
};

using Settings = std::vector<std::pair<std::string, std::string>>;

// A handle of `type` with `defaults`, then the bootstrap servers and the
// user's settings (which win). `configure`, when given, adds callbacks.
absl::StatusOr<Handle> NewHandle(rd_kafka_type_t type, const ClientOptions& options,
                                 const Settings& defaults,
                                 void (*configure)(rd_kafka_conf_t*, void*) = nullptr,
                                 void* opaque = nullptr);

// The one conversion of librdkafka's errors to absl's, whose code says what
// the caller may do: kUnavailable retry the call (a broker down, a
// timeout); kAborted abort the transaction and retry it; anything else
// stop: kPermissionDenied (authorization), kNotFound (no such topic),
// kInvalidArgument (a record refused), kFailedPrecondition (fenced or
// fatal), kInternal (unknown).
absl::Status FromKafka(rd_kafka_resp_err_t err, absl::string_view what);
// Takes ownership of `error` (destroys it).
absl::Status FromKafka(rd_kafka_error_t* error, absl::string_view what);

// The partition count of `topic`.
absl::StatusOr<int32_t> PartitionCount(rd_kafka_t* rk, const std::string& topic,
                                       absl::Duration timeout);

Headers ReadHeaders(const rd_kafka_message_t* message);

// A consumer of docket's answers assigned partitions by hand, never in a
// group and never committing (librdkafka still wants a group name:
// `group`): read_committed, from the earliest offset, with an event at each
// partition's end.
absl::StatusOr<Handle> NewAnswerReader(const ClientOptions& options, const std::string& group);

// Assigns every partition of `topics` to `consumer` (outside any group), at
// each partition's end (what is written from now on) or at its beginning.
absl::Status AssignAll(rd_kafka_t* consumer, const std::vector<const char*>& topics, bool from_end);

// Produces one record (copied) to `topic`/`partition` (RD_KAFKA_PARTITION_UA
// for the configured partitioner), with `headers`; `opaque` comes back in
// the delivery report. The record's timestamp is `timestamp` when given,
// else the time it is produced.
absl::Status Produce(rd_kafka_t* rk, const char* topic, int32_t partition, absl::string_view key,
                     absl::string_view value, const Headers& headers, void* opaque = nullptr,
                     std::optional<absl::Time> timestamp = std::nullopt);

}  // namespace docket::kafka

#endif  // DOCKET_SERVICES_KAFKA_CLIENT_H_
