#ifndef DOCKET_SERVICES_RUNTIME_JSON_READER_H_
#define DOCKET_SERVICES_RUNTIME_JSON_READER_H_

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

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_JSON_READER_H_
