#include "services/kafka_client.h"

#include "absl/strings/str_cat.h"

namespace docket::kafka {

absl::Status FromKafka(rd_kafka_resp_err_t err, absl::string_view what) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(what, ": ", rd_kafka_err2str(err)));
}

absl::Status FromKafka(rd_kafka_error_t* error, absl::string_view what) {
  if (error == nullptr) return absl::OkStatus();
  absl::Status status =
      rd_kafka_error_is_fatal(error)
          ? absl::AbortedError(absl::StrCat(what, ": fatal: ", rd_kafka_error_string(error)))
          : absl::UnavailableError(absl::StrCat(what, ": ", rd_kafka_error_string(error)));
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
                     absl::string_view value, const Headers& headers, void* opaque) {
  rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
  for (const auto& [name, v] : headers) {
    rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), v.data(),
                        static_cast<ssize_t>(v.size()));
  }
  for (;;) {
    const rd_kafka_resp_err_t err =
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                          RD_KAFKA_V_KEY(key.data(), key.size()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs),
                          RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
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

}  // namespace docket::kafka
