#include "services/runtime/json_codec.h"

#include <map>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/refusal.h"
#include "engine/utf8.h"
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

// A JSON string's text, unescaped as far as names need (\uXXXX as one
// code point's UTF-8, surrogate pairs included), starting after its opening
// quote at `*at`; `*at` ends after its closing quote.
std::string ReadName(absl::string_view json, size_t* at) {
  std::string out;
  size_t i = *at;
  while (i < json.size() && json[i] != '"') {
    if (json[i] != '\\' || i + 1 >= json.size()) {
      out.push_back(json[i++]);
      continue;
    }
    const char e = json[i + 1];
    if (e != 'u' || i + 6 > json.size()) {
      out.push_back(e);
      i += 2;
      continue;
    }
    uint32_t cp = 0;
    (void)absl::SimpleHexAtoi(json.substr(i + 2, 4), &cp);
    i += 6;
    if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= json.size() && json[i] == '\\' &&
        json[i + 1] == 'u') {
      uint32_t low = 0;
      (void)absl::SimpleHexAtoi(json.substr(i + 2, 4), &low);
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      i += 6;
    }
    AppendUtf8(cp, &out);
  }
  *at = i + 1;
  return out;
}

}  // namespace

std::string FieldNameKey(absl::string_view name) {
  std::string key;
  for (char c : name) {
    if (c != '_') key.push_back(absl::ascii_tolower(c));
  }
  return key;
}

std::optional<std::string> NotStrictJson(absl::string_view json) {
  // Per open object, the names read in it so far; an array, none.
  std::vector<std::optional<std::map<std::string, std::string>>> open;
  char previous = 0;  // The last character outside strings and spaces.
  for (size_t i = 0; i < json.size();) {
    const char c = json[i];
    if (absl::ascii_isspace(c)) {
      ++i;
      continue;
    }
    const bool in_object = !open.empty() && open.back().has_value();
    // Protobuf also reads a bare or single-quoted name and a trailing comma
    // (ECMAScript's leniency): a name this scan cannot see could repeat one.
    if (c == '\'') return "a string in single quotes is not JSON";
    if (previous == ',' && (c == '}' || c == ']')) return "a comma before the end is not JSON";
    if (in_object && (previous == '{' || previous == ',') && c != '"' && c != '}') {
      return "an object's member names must be strings in double quotes";
    }
    previous = c;
    if (c == '{') {
      open.emplace_back(std::map<std::string, std::string>());
    } else if (c == '[') {
      open.emplace_back(std::nullopt);
    } else if ((c == '}' || c == ']') && !open.empty()) {
      open.pop_back();
    } else if (c == '"') {
      ++i;
      std::string name = ReadName(json, &i);
      size_t next = i;
      while (next < json.size() && absl::ascii_isspace(json[next])) ++next;
      // A member's name: a string in an object, before its colon.
      if (next < json.size() && json[next] == ':' && in_object) {
        auto [it, added] = open.back()->emplace(FieldNameKey(name), name);
        if (!added) {
          return it->second == name ? absl::StrCat("\"", name, "\" is given twice in one object")
                                    : absl::StrCat("\"", it->second, "\" and \"", name,
                                                   "\" name the same field in one object");
        }
      }
      continue;
    }
    ++i;
  }
  return std::nullopt;
}

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
