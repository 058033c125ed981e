#include "services/kafka/wire.h"

#include <librdkafka/rdkafka.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/refusal.h"
#include "services/runtime/json_codec.h"

namespace docket::kafka {

Headers TypedHeaders(absl::string_view type, absl::string_view kind) {
  return {{kTypeHeader, std::string(type)},
          {kKindHeader, std::string(kind)},
          {kContentTypeHeader, kProtobuf}};
}

Headers CommandHeaders(const v1::Command& command) {
  const google::protobuf::FieldDescriptor* body = command.GetReflection()->GetOneofFieldDescriptor(
      command, v1::Command::descriptor()->FindOneofByName("body"));
  return TypedHeaders(v1::Command::descriptor()->full_name(), body != nullptr ? body->name() : "");
}

const std::string* FindHeader(const Headers& headers, absl::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

int32_t PartitionOf(absl::string_view key, int32_t partitions) {
  // Pure: the function reads neither the topic nor the opaques.
  return rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), partitions, nullptr,
                                          nullptr);
}

absl::StatusOr<v1::Command> DecodeCommand(absl::string_view value, const Headers& headers) {
  if (value.size() > kMaxCommandBytes) return CommandTooLarge(value.size());
  const std::string* type = FindHeader(headers, kContentTypeHeader);
  if (type != nullptr && *type == kJson) return ParseCommandJson(value);
  if (type != nullptr && *type != kProtobuf) {
    return Refuse(v1::RULE_UNDECODABLE, absl::StatusCode::kInvalidArgument,
                  absl::StrCat("content-type ", *type, " is neither ", kProtobuf, " nor ", kJson));
  }
  v1::Command command;
  if (value.empty() || !command.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return Refuse(
        v1::RULE_UNDECODABLE, absl::StatusCode::kInvalidArgument,
        absl::StrCat("the record's ", value.size(), " bytes are not a protobuf docket.v1.Command"));
  }
  return command;
}

Headers SourceHeaders(const Source& source) {
  return {
      {kSourceHeader, absl::StrCat(source.partition, ":", source.offset)},
      {kBatchHeader,
       absl::StrCat(source.partition, ":", source.batch_first, "-", source.batch_last)},
      {kPartHeader, absl::StrCat(source.index, "/", source.count)},
      {kCommandIdHeader, source.command_id},
      {kCommandHashHeader, absl::BytesToHexString(source.command_sha256)},
  };
}

Headers AnswerHeaders(absl::string_view type, absl::string_view kind, const Source& source) {
  Headers headers = TypedHeaders(type, kind);
  for (auto& header : SourceHeaders(source)) headers.push_back(std::move(header));
  return headers;
}

bool ParseSource(const Headers& headers, Source* source) {
  const std::string* where = FindHeader(headers, kSourceHeader);
  const std::string* batch = FindHeader(headers, kBatchHeader);
  const std::string* part = FindHeader(headers, kPartHeader);
  const std::string* id = FindHeader(headers, kCommandIdHeader);
  const std::string* hash = FindHeader(headers, kCommandHashHeader);
  if (where == nullptr || batch == nullptr || part == nullptr || id == nullptr || hash == nullptr) {
    return false;
  }
  std::vector<absl::string_view> w = absl::StrSplit(*where, ':');
  std::vector<absl::string_view> b = absl::StrSplit(*batch, absl::ByAnyChar(":-"));
  std::vector<absl::string_view> p = absl::StrSplit(*part, '/');
  int32_t batch_partition = -1;
  if (w.size() != 2 || b.size() != 3 || p.size() != 2 ||
      !absl::SimpleAtoi(w[0], &source->partition) || !absl::SimpleAtoi(b[0], &batch_partition) ||
      batch_partition != source->partition || !absl::SimpleAtoi(b[1], &source->batch_first) ||
      !absl::SimpleAtoi(b[2], &source->batch_last) || !absl::SimpleAtoi(w[1], &source->offset) ||
      !absl::SimpleAtoi(p[0], &source->index) || !absl::SimpleAtoi(p[1], &source->count) ||
      source->index < 1 || source->index > source->count || source->offset < source->batch_first ||
      source->offset > source->batch_last) {
    return false;
  }
  source->command_id = *id;
  source->command_sha256 = absl::HexStringToBytes(*hash);
  return true;
}

bool SliceTracker::Note(const Source& source) {
  Slice& slice = slices_[KeyOf(source)];
  slice.count = source.count;
  slice.seen.insert(source.index);
  return static_cast<int>(slice.seen.size()) == slice.count;
}

}  // namespace docket::kafka
