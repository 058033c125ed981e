#ifndef DOCKET_SERVICES_RUNTIME_JSON_READER_H_
#define DOCKET_SERVICES_RUNTIME_JSON_READER_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace docket {

// Reads the proto3 JSON of a message as protobuf's JsonStringToMessage
// (unknown fields refused) reads it, by walking the message's reflection
// instead of through protobuf's type resolver: a command costs a few
// microseconds instead of tens.
//
// It never refuses anything itself. It reads what it knows it reads as
// protobuf does (objects, arrays, strings with every escape, integers,
// booleans, enum names and numbers, RFC 3339 Timestamps in UTC, each field
// by its JSON or proto name, once) and returns true with `*message` set. On
// anything else (null, fractions and exponents, a repeated key or a second
// member of a oneof, maps, bytes, floats, out-of-range numbers, unknown
// names, bad syntax) it returns false, `*message` then unspecified, and the
// caller asks protobuf, whose answer (the message, or why not) is the one
// that counts. json_reader_test holds that whenever this reader says yes,
// protobuf says yes with the same message, on random and mangled input.
//
// REQUIRES: `json` is valid UTF-8 (ParseCommandJson checks it first).
// Thread safety: a pure function.
bool ReadCanonicalJson(absl::string_view json, google::protobuf::Message* message);

// What makes `json`, which protobuf's parser read, other than strict JSON
// with each field once, said for a refusal (protobuf takes the last of a
// repeated field, and also reads what only ECMAScript would): a member
// naming a field already named in the same object (by the same name, or by
// its other spelling: "caseId" and "case_id"); a name not in double quotes;
// a string in single quotes, or one strict JSON does not allow; a trailing
// comma. nullopt when there is nothing.
std::optional<std::string> NotStrictJson(absl::string_view json);

// What two spellings of one field name have in common: the name without
// underscores, in lower case ("caseId", "case_id" -> "caseid").
std::string FieldNameKey(absl::string_view name);

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_JSON_READER_H_
