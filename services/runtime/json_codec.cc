#include "services/runtime/json_codec.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "engine/refusal.h"
#include "google/protobuf/stubs/common.h"
#include "google/protobuf/util/json_util.h"
#include "services/runtime/json_reader.h"
#include "services/runtime/json_writer.h"

namespace docket {
namespace {

absl::Status Undecodable(absl::string_view why) {
  // The parser's first line says what is wrong; the lines after it quote
  // the input and point at it, which a rejection does not echo.
  return Refuse(
      v1::RULE_UNDECODABLE, absl::StatusCode::kInvalidArgument,
      absl::StrCat("not a docket.v1.Command in proto3 JSON: ", why.substr(0, why.find('\n'))));
}

}  // namespace

absl::Status CommandTooLarge(size_t length) {
  return Refuse(
      v1::RULE_COMMAND_TOO_LARGE, absl::StatusCode::kInvalidArgument,
      absl::StrCat("command of ", length, " bytes exceeds the limit of ", kMaxCommandBytes));
}

absl::StatusOr<v1::Command> ParseCommandJson(absl::string_view line) {
  if (line.size() > kMaxCommandBytes) return CommandTooLarge(line.size());
  bool blank = true;
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') blank = false;
  }
  if (blank) return Undecodable("the line is empty");
  // JSON is UTF-8; the parser would read other bytes as Latin-1 instead.
  if (!google::protobuf::internal::IsStructurallyValidUTF8(line.data(),
                                                           static_cast<int>(line.size()))) {
    return Undecodable("the line is not valid UTF-8");
  }
  v1::Command command;
  // The common case read fast; anything else, and every refusal, is
  // protobuf's to decide.
  if (ReadCanonicalJson(line, &command)) return command;
  command.Clear();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(line.data(), line.size()), &command, options);
  if (!status.ok()) {
    return Undecodable(std::string(status.message()));
  }
  // Protobuf takes the last of a field given twice: which one the sender
  // meant is not docket's guess to make (RFC 8259 leaves it open). Nor does
  // it read what only ECMAScript would.
  if (std::optional<std::string> loose = NotStrictJson(line)) return Undecodable(*loose);
  return command;
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  if (WriteCanonicalJson(message, &out)) return out;
  out.clear();  // What the fast writer left: protobuf's writer appends.
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  // Serialization of a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

}  // namespace docket
