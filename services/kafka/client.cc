#include "services/kafka/client.h"

#include "absl/strings/str_cat.h"

namespace docket::kafka {
namespace {

// The code of a broker or client error, for the caller's retry decision:
// kUnavailable for what passes (a broker down, a timeout, a leader moving),
// kPermissionDenied for authorization, kNotFound for a missing topic,
// kInvalidArgument for a record the broker refuses, kFailedPrecondition for
// a producer fenced by a newer instance; anything else kInternal.
absl::StatusCode CodeOf(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__STATE:
    case RD_KAFKA_RESP_ERR__OUTDATED:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
      return absl::StatusCode::kUnavailable;
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
      return absl::StatusCode::kPermissionDenied;
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      return absl::StatusCode::kNotFound;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
      return absl::StatusCode::kInvalidArgument;
    case RD_KAFKA_RESP_ERR__FENCED:
    case RD_KAFKA_RESP_ERR_PRODUCER_FENCED:
    case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH:
    case RD_KAFKA_RESP_ERR__FATAL:
      return absl::StatusCode::kFailedPrecondition;
    default:
      return absl::StatusCode::kInternal;
  }
}

}  // namespace

absl::Status FromKafka(rd_kafka_resp_err_t err, absl::string_view what) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  return absl::Status(CodeOf(err), absl::StrCat(what, ": ", rd_kafka_err2str(err)));
}

absl::Status FromKafka(rd_kafka_error_t* error, absl::string_view what) {
  if (error == nullptr) return absl::OkStatus();
  absl::StatusCode code = CodeOf(rd_kafka_error_code(error));
  if (rd_kafka_error_is_fatal(error)) {
    code = absl::StatusCode::kFailedPrecondition;
  } else if (rd_kafka_error_txn_requires_abort(error)) {
    code = absl::StatusCode::kAborted;
  } else if (rd_kafka_error_is_retriable(error)) {
    code = absl::StatusCode::kUnavailable;
  }
  absl::Status status(code,
                      absl::StrCat(what, ": ", rd_kafka_error_is_fatal(error) ? "fatal: " : "",
                                   rd_kafka_error_string(error)));
  rd_kafka_error_destroy(error);
  return status;
}

absl::StatusOr<Handle> NewHandle(rd_kafka_type_t type, const ClientOptions& options,
                                 const Settings& defaults,
                                 void (*configure)(rd_kafka_conf_t*, void*), void* opaque) {
  if (options.brokers.empty()) return absl::InvalidArgumentError("no --brokers given");
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  Settings all = defaults;
  all.emplace_back("bootstrap.servers", options.brokers);
  for (const std::string& setting : options.settings) {
    const size_t eq = setting.find('=');
    if (eq == std::string::npos || eq == 0) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(
          absl::StrCat("--kafka takes key=value, not \"", setting, "\""));
    }
    all.emplace_back(setting.substr(0, eq), setting.substr(eq + 1));
  }
  for (const auto& [key, value] : all) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat("Kafka setting ", key, ": ", error));
    }
  }
  if (configure != nullptr) {
    rd_kafka_conf_set_opaque(conf, opaque);
    configure(conf, opaque);
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, error, sizeof(error));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InvalidArgumentError(absl::StrCat("cannot create a Kafka client: ", error));
  }
  return Handle(rk);
}

absl::StatusOr<int32_t> PartitionCount(rd_kafka_t* rk, const std::string& topic,
                                       absl::Duration timeout) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(
      rk, 0, rkt, &metadata, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return FromKafka(err, absl::StrCat("reading the metadata of ", topic));
  }
  absl::StatusOr<int32_t> count =
      absl::NotFoundError(absl::StrCat("topic ", topic, " does not exist"));
  if (metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
      metadata->topics[0].partition_cnt > 0) {
    count = metadata->topics[0].partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  return count;
}

Headers ReadHeaders(const rd_kafka_message_t* message) {
  Headers headers;
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(message, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return headers;
  const char* name;
  const void* value;
  size_t size;
  for (size_t i = 0;
       rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
    headers.emplace_back(name, value == nullptr
                                   ? std::string()
                                   : std::string(static_cast<const char*>(value), size));
  }
  return headers;
}

absl::Status Produce(rd_kafka_t* rk, const char* topic, int32_t partition, absl::string_view key,
                     absl::string_view value, const Headers& headers, void* opaque,
                     std::optional<absl::Time> timestamp) {
  const int64_t timestamp_ms = timestamp.has_value() ? absl::ToUnixMillis(*timestamp) : 0;
  rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
  for (const auto& [name, v] : headers) {
    rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), v.data(),
                        static_cast<ssize_t>(v.size()));
  }
  for (;;) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs),
        RD_KAFKA_V_TIMESTAMP(timestamp_ms), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 10);  // Let deliveries drain, then try again.
      continue;
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_headers_destroy(hdrs);  // Owned by the message only on success.
      return FromKafka(err, absl::StrCat("producing to ", topic));
    }
    return absl::OkStatus();
  }
}

absl::StatusOr<Handle> NewAnswerReader(const ClientOptions& options, const std::string& group) {
  return NewHandle(RD_KAFKA_CONSUMER, options,
                   {{"group.id", group},
                    {"isolation.level", "read_committed"},
                    {"enable.partition.eof", "true"},
                    {"fetch.wait.max.ms", "10"},
                    {"enable.auto.commit", "false"},
                    {"auto.offset.reset", "earliest"}});
}

absl::Status AssignAll(rd_kafka_t* consumer, const std::vector<const char*>& topics,
                       bool from_end) {
  constexpr int kMetadataTimeoutMs = 10000;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(12);
  absl::Status status;
  for (const char* topic : topics) {
    absl::StatusOr<int32_t> count =
        PartitionCount(consumer, topic, absl::Milliseconds(kMetadataTimeoutMs));
    if (!count.ok()) {
      status = count.status();
      break;
    }
    for (int32_t p = 0; p < *count && status.ok(); ++p) {
      int64_t low = 0, high = 0;
      if (from_end) {
        status = FromKafka(
            rd_kafka_query_watermark_offsets(consumer, topic, p, &low, &high, kMetadataTimeoutMs),
            absl::StrCat("reading the end of ", topic));
      }
      rd_kafka_topic_partition_list_add(list, topic, p)->offset =
          from_end ? high : RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  if (status.ok()) status = FromKafka(rd_kafka_assign(consumer, list), "assigning");
  rd_kafka_topic_partition_list_destroy(list);
  return status;
}

}  // namespace docket::kafka
