#ifndef DOCKET_SERVICES_RUNTIME_JSON_CODEC_H_
#define DOCKET_SERVICES_RUNTIME_JSON_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "docket/v1/commands.pb.h"
#include "google/protobuf/message.h"

namespace docket {

// The largest command line docket accepts: 1 MiB.
inline constexpr size_t kMaxCommandBytes = 1 << 20;

// Decodes one NDJSON line in the canonical proto3 JSON mapping into a
// Command. Refuses (with a docket.v1.Rule, see engine/refusal.h) an empty
// line, a line over kMaxCommandBytes (RULE_COMMAND_TOO_LARGE), bytes that are
// not UTF-8 JSON, JSON that is not a Command, unknown fields, a field
// given twice in one object, and what protobuf reads beyond JSON (bare and
// single-quoted names, trailing commas) (RULE_UNDECODABLE, kInvalidArgument).
absl::StatusOr<v1::Command> ParseCommandJson(absl::string_view line);

// The refusal of a command line of `length` bytes, over kMaxCommandBytes.
absl::Status CommandTooLarge(size_t length);

// The canonical proto3 JSON of `message` on one line; enum values by name,
// fields in lowerCamelCase, defaults omitted.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_JSON_CODEC_H_
